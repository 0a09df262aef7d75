/*
 * Ingestion throughput: accepted events per second for single-event and batch requests,
 * against the real test stack (Kafka acks=all, Redis dedupe).
 *   VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0 \
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/ingestion.bench.ts
 * Writes test/bench/reports/ingestion.md.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { exampleEvent } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig } from '@vigil/testing';
import { AppModule } from '../../services/ingestion/src/app.module';
import { IngestionConfig } from '../../services/ingestion/src/config';

const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 10);
const CONNECTIONS = 32;
const BATCH = 100;

let counter = 0;
const nextEvent = () => exampleEvent('order.placed', { id: `bench-${process.pid}-${++counter}`, tenantId: 'bench' });

async function run(url: string, path: string, eventsPerRequest: number) {
  const result = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify(eventsPerRequest === 1 ? nextEvent() : { events: Array.from({ length: eventsPerRequest }, nextEvent) }),
        }),
      },
    ],
  });
  const accepted = result['2xx'] * eventsPerRequest;
  return {
    path,
    eventsPerRequest,
    requestsPerSec: result.requests.average,
    eventsPerSec: Math.round(accepted / DURATION_S),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function main() {
  const config = testConfig(IngestionConfig, {
    INGESTION_API_KEYS: 'bench:bench-key',
    INGESTION_RATE_LIMIT: '100000000',
    INGESTION_MAX_BODY_BYTES: String(4 * 1024 * 1024),
    LOG_LEVEL: 'error',
  });
  const app = await startTestApp(AppModule.register(config), config);
  const url = appUrl(app);
  const rows = [await run(url, '/v1/events', 1), await run(url, '/v1/events/batch', BATCH)];
  await app.close();

  const table = [
    '| request | events/request | requests/s | accepted events/s | p50 ms | p99 ms | non-2xx | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| POST ${r.path} | ${r.eventsPerRequest} | ${r.requestsPerSec.toFixed(0)} | ${r.eventsPerSec} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`),
  ].join('\n');
  const report = `# Ingestion benchmark\n\nMeasured ${new Date().toISOString()} on the shared 2-core machine (load generator, service, Kafka and Redis on the same host, other engineers' tests running), ${CONNECTIONS} connections, ${DURATION_S} s per scenario. Every accepted event was acknowledged by Kafka (acks=all) and marked in Redis before the 202.\n\n${table}\n\nCommand:\n\n    VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0 SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/ingestion.bench.ts\n`;
  writeFileSync('test/bench/reports/ingestion.md', report);
  console.log(table);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
