import { readFileSync } from 'node:fs';
import { ClientEvent } from '@vigil/client';
import { kafkaSecurityFromConfig, loadConfig, RuntimeConfig } from '@vigil/config';
import { topicNames } from '@vigil/contracts';
import { parseNdjson } from '../generator/ndjson';
import { AlertCollector } from '../replay/alert-collector';
import { sendEvents, SendProgress } from '../replay/event-sender';
import { parseCli, parseNumber, requireString, runCli } from './args';

const USAGE = `usage: npm run replay -- --in events.ndjson --url http://127.0.0.1:3000 --api-key <key> [--secret <hmac secret>]
       [--rate 500|max] [--batch 500] --alerts-out alerts.ndjson [--signals-out signals.ndjson]
       [--brokers 127.0.0.1:9092] [--topic-prefix ""] [--wait 20]
Sends the events to ingestion while collecting fraud.alerts (and optionally fraud.signals) published
during the run; exits once everything is sent and no new alert arrived for --wait seconds.
Brokers with SASL or TLS: the services' KAFKA_SASL_* and KAFKA_TLS* environment variables.`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

runCli(async () => {
  const values = parseCli(
    process.argv.slice(2),
    {
      in: { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      secret: { type: 'string' },
      rate: { type: 'string', default: 'max' },
      batch: { type: 'string', default: '500' },
      'alerts-out': { type: 'string' },
      'signals-out': { type: 'string' },
      brokers: { type: 'string', default: '127.0.0.1:9092' },
      'topic-prefix': { type: 'string', default: '' },
      wait: { type: 'string', default: '20' },
    },
    USAGE,
  );
  const inPath = requireString(values, 'in', USAGE);
  const rateValue = String(values['rate']);
  const rate = rateValue === 'max' ? 'max' : parseNumber(rateValue, 'rate', (n) => n > 0);
  const batchSize = parseNumber(String(values['batch']), 'batch', (n) => Number.isInteger(n) && n >= 1 && n <= 500);
  const waitMs = parseNumber(String(values['wait']), 'wait', (n) => n >= 0) * 1000;
  const brokers = String(values['brokers']).split(',').map((b) => b.trim()).filter(Boolean);
  const topics = topicNames(String(values['topic-prefix']));
  const records = parseNdjson(readFileSync(inPath, 'utf8'));
  const notObject = records.findIndex((r) => typeof r !== 'object' || r === null || Array.isArray(r));
  if (notObject >= 0) throw new Error(`record ${notObject + 1} of ${inPath} is not a JSON object`);
  // ingestion validates every field and answers per event; the client only needs objects
  const events = records as ClientEvent[];

  const security = kafkaSecurityFromConfig(loadConfig(RuntimeConfig, process.env));
  const collectors = [new AlertCollector({ brokers, security, topic: topics.alerts, outPath: requireString(values, 'alerts-out', USAGE) })];
  if (typeof values['signals-out'] === 'string') collectors.push(new AlertCollector({ brokers, security, topic: topics.signals, outPath: values['signals-out'] }));
  await Promise.all(collectors.map((c) => c.start()));
  const alerts = collectors[0];

  const progressLine = (p: SendProgress, startedAt: number) => {
    const seconds = (Date.now() - startedAt) / 1000;
    const percent = p.total === 0 ? 100 : Math.floor((p.sent / p.total) * 100);
    return `\rsent ${p.sent}/${p.total} (${percent}%) ${Math.round(p.sent / Math.max(seconds, 0.001))} ev/s, accepted ${p.accepted}, duplicates ${p.duplicates}, rejected ${p.rejected}, retries ${p.retries}, alerts ${alerts.collected}   `;
  };
  const startedAt = Date.now();
  try {
    const result = await sendEvents(events, {
      url: requireString(values, 'url', USAGE),
      apiKey: requireString(values, 'api-key', USAGE),
      secret: typeof values['secret'] === 'string' ? values['secret'] : undefined,
      batchSize,
      rate,
      onProgress: (p) => process.stderr.write(progressLine(p, startedAt)),
    });
    process.stderr.write('\n');
    for (const rejection of result.rejections) process.stderr.write(`rejected event #${rejection.index} ${rejection.id ?? ''}: ${JSON.stringify(rejection.errors)}\n`);

    // Detection lags ingestion: wait until alerts stop arriving.
    const sentAt = Date.now();
    while (Date.now() - Math.max(sentAt, ...collectors.map((c) => c.lastArrivalMs)) < waitMs) {
      process.stderr.write(`\rwaiting for alerts: ${alerts.collected} so far   `);
      await sleep(1000);
    }
    process.stderr.write('\n');
    process.stdout.write(
      JSON.stringify({ sent: result.sent, accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected, retries: result.retries, sendSeconds: result.elapsedMs / 1000, alerts: alerts.collected, signals: collectors[1]?.collected }) + '\n',
    );
  } finally {
    await Promise.all(collectors.map((c) => c.stop()));
  }
});
