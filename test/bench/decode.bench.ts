/*
 * Cost of decoding one family-topic event in a consumer (issue 13, "validate once"), both ways in
 * the same run: with ingestion's `vigil-schema: event/1` header (JSON.parse only) and without it
 * (JSON.parse + class-transformer + class-validator, what every consumer did before).
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/decode.bench.ts
 * Writes test/bench/reports/decode.md.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpus, loadavg } from 'node:os';
import { decodeEventMessage, EVENT_SCHEMA, EVENT_TYPES, EventType, exampleEvent, SCHEMA_HEADER } from '@vigil/contracts';

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

const load = loadavg().map((l) => l.toFixed(2)).join(' ');
run({}); // warm-up both paths
run({ [SCHEMA_HEADER]: EVENT_SCHEMA });
const validated: number[] = [];
const trusted: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  validated.push(run({}));
  trusted.push(run({ [SCHEMA_HEADER]: EVENT_SCHEMA }));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [v, t] = [median(validated), median(trusted)];
const report = [
  '# Decoding a family-topic event in a consumer',
  '',
  `Run ${new Date().toISOString()}: \`SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/decode.bench.ts\`;`,
  `${N.toLocaleString('en-US')} example events of all ${types.length} types, ${ROUNDS} alternating rounds, median; node ${process.version}, ${cpus().length} cores, load average ${load}.`,
  '',
  '| path | µs per event | events/s on one core |',
  '|---|---|---|',
  `| without the header: JSON.parse + class-transformer + class-validator (before: every consumer) | ${v.toFixed(1)} | ${Math.round(1e6 / v).toLocaleString('en-US')} |`,
  `| with \`vigil-schema: event/1\` (validated once at ingestion): JSON.parse | ${t.toFixed(1)} | ${Math.round(1e6 / t).toLocaleString('en-US')} |`,
  '',
  `Validating again cost ${(v / t).toFixed(1)}x the trusted decode; an event reaches up to two consumer processes (velocity with the seller detectors; review-analysis for accounts, orders and reviews), so validate-once saves ${(v - t).toFixed(0)} to ${(2 * (v - t)).toFixed(0)} µs of CPU per event across the pipeline.`,
  '',
].join('\n');
writeFileSync(path.join(__dirname, 'reports', 'decode.md'), report);
console.log(report);
