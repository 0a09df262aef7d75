/*
 * Cost of reading one event (issue 13, "validate once"), three ways in the same run: class-validator
 * (JSON.parse + class-transformer + class-validator: the door before the compiled schemas, and every
 * consumer before validate-once), the compiled JSON Schemas (JSON.parse + validateEvent: the door
 * now, and a consumer reading a record without the header) and a trusted record (ingestion's
 * `vigil-schema: event/1` header: JSON.parse only).
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/decode.bench.ts
 * Writes test/bench/reports/decode.md.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpus, loadavg } from 'node:os';
import { decodeEventMessage, EVENT_SCHEMA, EVENT_TYPES, EventType, exampleEvent, SCHEMA_HEADER, validateEventWithClassValidator } from '@vigil/contracts';

const N = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const ROUNDS = 5;
const types = Object.keys(EVENT_TYPES) as EventType[];
const values = Array.from({ length: N }, (_, i) => Buffer.from(JSON.stringify(exampleEvent(types[i % types.length], { id: `evt-${i}` }))));

function run(headers: Record<string, string>): number {
  const started = process.hrtime.bigint();
  for (const value of values) {
    if (!decodeEventMessage({ value, headers }).ok) throw new Error('an example event failed to decode');
  }
  return Number(process.hrtime.bigint() - started) / 1e3 / N; // µs per event
}

function runClassValidator(): number {
  const started = process.hrtime.bigint();
  for (const value of values) {
    if (!validateEventWithClassValidator(JSON.parse(value.toString('utf8'))).ok) throw new Error('an example event failed to validate');
  }
  return Number(process.hrtime.bigint() - started) / 1e3 / N;
}

const load = loadavg().map((l) => l.toFixed(2)).join(' ');
// warm-up every path
runClassValidator();
run({});
run({ [SCHEMA_HEADER]: EVENT_SCHEMA });
const classValidator: number[] = [];
const compiled: number[] = [];
const trusted: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  classValidator.push(runClassValidator());
  compiled.push(run({}));
  trusted.push(run({ [SCHEMA_HEADER]: EVENT_SCHEMA }));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [v, c, t] = [median(classValidator), median(compiled), median(trusted)];
const perSecond = (us: number) => Math.round(1e6 / us).toLocaleString('en-US');
const report = [
  '# Reading an event: at the door and in a consumer',
  '',
  `Run ${new Date().toISOString()}: \`SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/decode.bench.ts\`;`,
  `${N.toLocaleString('en-US')} example events of all ${types.length} types, ${ROUNDS} alternating rounds, median; node ${process.version}, ${cpus().length} cores, load average ${load}.`,
  '',
  '| path | µs per event | events/s on one core |',
  '|---|---|---|',
  `| JSON.parse + class-transformer + class-validator (the door before the compiled schemas; every consumer before validate-once) | ${v.toFixed(1)} | ${perSecond(v)} |`,
  `| JSON.parse + the compiled JSON Schemas (the door now: validateEvent, class-validator only for what they refuse; a consumer reading a record without the header) | ${c.toFixed(1)} | ${perSecond(c)} |`,
  `| with \`vigil-schema: event/1\` (validated once at ingestion): JSON.parse | ${t.toFixed(1)} | ${perSecond(t)} |`,
  '',
  `At the door, the compiled schemas cost ${(v / c).toFixed(1)}x less than class-validator: ${(v - c).toFixed(0)} µs of ingestion's CPU per valid event. ` +
    `A consumer trusting the header saves ${(c - t).toFixed(1)} µs more per event and process (an event reaches up to two consumer processes: velocity with the seller detectors; review-analysis for accounts, orders and reviews).`,
  '',
].join('\n');
writeFileSync(path.join(__dirname, 'reports', 'decode.md'), report);
console.log(report);
