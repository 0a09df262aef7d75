import { writeFileSync } from 'node:fs';
import { eventsToNdjson } from '../generator/ndjson';
import { labelsToCsv } from '../generator/labels';
import { PATTERN_NAMES } from '../generator/patterns';
import { DEFAULT_START, simulate } from '../generator/simulate';
import { parseCli, parseNumber, requireString, runCli } from './args';

const USAGE = `usage: npm run simulate -- --seed 42 --minutes 60 --out events.ndjson [--labels labels.csv]
       [--inject all|${PATTERN_NAMES.join(',')}] [--tenant tenant-sim] [--start ${DEFAULT_START}]
Writes contract events (NDJSON, sorted by occurredAt) and a labels CSV (default: <out>.labels.csv).`;

runCli(async () => {
  const values = parseCli(
    process.argv.slice(2),
    {
      seed: { type: 'string' },
      minutes: { type: 'string' },
      out: { type: 'string' },
      labels: { type: 'string' },
      inject: { type: 'string' },
      tenant: { type: 'string' },
      start: { type: 'string' },
    },
    USAGE,
  );
  const out = requireString(values, 'out', USAGE);
  const labelsPath = typeof values['labels'] === 'string' ? values['labels'] : out.replace(/\.ndjson$/, '') + '.labels.csv';
  const result = simulate({
    seed: parseNumber(requireString(values, 'seed', USAGE), 'seed', Number.isInteger),
    minutes: parseNumber(requireString(values, 'minutes', USAGE), 'minutes', (n) => Number.isInteger(n) && n > 0),
    inject: typeof values['inject'] === 'string' ? values['inject'].split(',').map((s) => s.trim()).filter(Boolean) : [],
    tenantId: typeof values['tenant'] === 'string' ? values['tenant'] : undefined,
    start: typeof values['start'] === 'string' ? values['start'] : undefined,
  });
  writeFileSync(out, eventsToNdjson(result.events));
  writeFileSync(labelsPath, labelsToCsv(result.labels));
  const fraud = result.labels.filter((l) => l.label === 'fraud').length;
  process.stderr.write(
    `${result.events.length} events -> ${out}\n${result.labels.length} labels (${fraud} fraud) -> ${labelsPath}\n` +
      result.injected.map((i) => `  injected ${i.pattern} at ${i.startsAt}`).join('\n') + (result.injected.length ? '\n' : ''),
  );
});
