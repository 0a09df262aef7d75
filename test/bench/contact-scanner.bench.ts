/*
 * Time of the contact-bait scanner on hostile 20,000-character texts (the longest listing
 * description the contract admits), issue 14: every regular expression and library call must stay
 * linear, so one listing cannot stall the consumer. Each input is a unit repeated to 20,000
 * characters, built to provoke a pattern (runs for the e-mail, phone, messenger and digit-word
 * rules, look-alike letters); the median of 5 runs, beside an ordinary 20,000-character text.
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/contact-scanner.bench.ts
 * Writes test/bench/reports/contact-scanner.md.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { scanContactBait } from '@vigil/seller-detectors';

const LENGTH = 20_000;
const fill = (unit: string) => unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);
const median = (text: string) => {
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    findings = scanContactBait(text).length;
    times.push(performance.now() - t0);
  }
  return { ms: times.sort((a, b) => a - b)[2], findings };
};
const INPUTS: Record<string, string> = {
  'ordinary prose (reference)': fill('Solid oak table, barely used, pick up in Berlin or shipping at cost. '),
  'one letter repeated': fill('a'),
  'spaced digits': fill('1 '),
  'digit words': fill('one two '),
  '"at" / "dot" words': fill('x at y dot '),
  'bracketed (at)(dot)': fill('(at)(dot)'),
  'phone-like runs': fill('+49 30 1234567 '),
  'split messenger names': fill('w.h.a.t.s.a.p.p '),
  'e-mail addresses': fill('a@b.cd '),
  links: fill('http://a.b/c '),
  'Cyrillic look-alikes': fill('саморос '),
  'punctuation runs': fill('.-.-(0)'),
};

const load = loadavg().map((l) => l.toFixed(2)).join(' ');
const rows = Object.entries(INPUTS).map(([name, text]) => {
  const quarter = median(text.slice(0, LENGTH / 4));
  const whole = median(text);
  return { name, quarterMs: quarter.ms, ms: whole.ms, findings: whole.findings };
});
const worst = rows.reduce((a, b) => (b.ms > a.ms ? b : a));
const report = [
  '# Contact-bait scanner on hostile texts',
  '',
  `Run ${new Date().toISOString()}: \`SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/contact-scanner.bench.ts\`; node ${process.version}, load average ${load} (2 cores, shared).`,
  `Each text is ${LENGTH.toLocaleString('en-US')} characters (the contract's maximum description); median of 5 runs.`,
  '',
  '| input | ms at 5,000 chars | ms at 20,000 chars | ratio (linear = 4) | findings |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.name} | ${r.quarterMs.toFixed(1)} | ${r.ms.toFixed(1)} | ${(r.ms / Math.max(0.05, r.quarterMs)).toFixed(1)} | ${r.findings} |`),
  '',
  `Worst: ${worst.name}, ${worst.ms.toFixed(1)} ms; ordinary prose ${rows[0].ms.toFixed(1)} ms; highest 20,000/5,000 ratio ${Math.max(...rows.map((r) => r.ms / Math.max(0.05, r.quarterMs))).toFixed(1)} (4 is linear; timer noise and JIT warm-up move small figures). The contract caps a description at 20,000 characters, which bounds the time per listing.`,
  '',
].join('\n');
writeFileSync(path.join(__dirname, 'reports', 'contact-scanner.md'), report);
console.log(report);
