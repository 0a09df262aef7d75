import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { computeRulePrecision, EventRecord, isSignalRecord, PrecisionRun, rulePrecisionMarkdown } from '../backtest/rule-precision';
import { parseLabelsCsv } from '../generator/labels';
import { parseNdjson } from '../generator/ndjson';
import { parseCli, runCli, UsageError } from './args';

const USAGE = `usage: bash libs/simulator/bin/vigil-sim.sh rule-precision --run "seed 7=DIR" [--run "seed 42=DIR"]...
       [--rules services/velocity/rules/velocity-rules.yaml] [--out report.md] [--meta "line"]...
DIR holds one replayed run: events.ndjson, labels.csv, signals.ndjson (and replay.json).
Per rule (enforce and shadow): signals, signals on fraud-labelled entities, precision, patterns caught.
Subjects without a label (IPs, addresses) are judged by the account of the triggering event.
The whole loop (services, simulate, replay, this report): libs/simulator/bin/rule-precision.sh.`;

function readNdjson(path: string): unknown[] {
  try {
    return parseNdjson(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

function rulesOf(path: string): { id: string; mode: string }[] {
  const doc = parse(readFileSync(path, 'utf8')) as { rules?: { id?: unknown; mode?: unknown }[] };
  if (!Array.isArray(doc?.rules)) throw new Error(`${path}: no rules list`);
  return doc.rules.filter((r) => typeof r.id === 'string').map((r) => ({ id: String(r.id), mode: typeof r.mode === 'string' ? r.mode : 'enforce' }));
}

function loadRun(spec: string): PrecisionRun & { replay?: string } {
  const at = spec.indexOf('=');
  const [name, dir] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, spec];
  const signals = readNdjson(join(dir, 'signals.ndjson'));
  const bad = signals.findIndex((s) => !isSignalRecord(s));
  if (bad >= 0) throw new UsageError(`signal ${bad + 1} of ${dir}/signals.ndjson is not a fraud signal (signalId, ruleId, subject.id)`);
  const replayPath = join(dir, 'replay.json');
  return {
    name,
    signals: signals.filter(isSignalRecord),
    labels: parseLabelsCsv(readFileSync(join(dir, 'labels.csv'), 'utf8')),
    events: readNdjson(join(dir, 'events.ndjson')) as EventRecord[],
    ...(existsSync(replayPath) ? { replay: readFileSync(replayPath, 'utf8').trim() } : {}),
  };
}

runCli(async () => {
  const values = parseCli(
    process.argv.slice(2),
    { run: { type: 'string', multiple: true }, rules: { type: 'string' }, out: { type: 'string' }, meta: { type: 'string', multiple: true } },
    USAGE,
  ) as Record<string, string | string[] | undefined>;
  const specs = Array.isArray(values['run']) ? values['run'] : [];
  if (specs.length === 0) throw new UsageError(`--run is required\n\n${USAGE}`);
  const runs = specs.map(loadRun);
  const rules = typeof values['rules'] === 'string' ? rulesOf(values['rules']) : [];
  const rows = computeRulePrecision(runs, rules);

  const meta = Array.isArray(values['meta']) ? values['meta'] : [];
  const runLines = runs.map((run) => {
    const fraud = run.labels.filter((l) => l.label === 'fraud').length;
    return `${run.name}: ${run.events.length} events, ${run.labels.length} labelled entities (${fraud} fraud, ${run.labels.length - fraud} ordinary), ${new Set(run.signals.map((s) => s.signalId)).size} signals${run.replay ? `; replay ${run.replay}` : ''}`;
  });
  const report = [
    '# Rule precision on simulated traffic',
    '',
    ...[...meta, ...runLines].map((line) => `- ${line}`),
    '',
    'precision = signals on fraud-labelled entities / signals judged (subject labelled, or for an IP or',
    'address the account of the triggering event), over all runs; one column per run in brackets',
    '(on fraud / judged). Enforce and shadow signals alike: shadow rules are measured before they are',
    'switched on. Each run injects every pattern once, so a rule that catches one pattern instance',
    'and fires on N ordinary entities a day scores about 1 / (1 + N).',
    '',
    rulePrecisionMarkdown(rows),
    '',
  ].join('\n');
  process.stdout.write(report);
  if (typeof values['out'] === 'string') {
    writeFileSync(values['out'], report);
    process.stderr.write(`report -> ${values['out']}\n`);
  }
});
