/*
 * Velocity throughput benchmark: N events (orders, payments, logins, wallet transfers) over a few
 * thousand entities are produced to the family topics of a fresh environment first; then one
 * velocity app consumes them against the real Kafka and Redis with the shipped rules. Prints
 * events/s (first to last processed event, group join excluded), batches, Redis round trips per
 * event and per batch, signals, and writes test/bench/reports/velocity.md.
 *   VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0 \
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/velocity.bench.ts
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { register } from 'prom-client';
import { provisionTopics, createServiceApp } from '@vigil/service-runtime';
import { testConfig, testStack, waitFor } from '@vigil/testing';
import { login, order, payment, T0, TestEvent, TrafficProducer, transfer } from '../../services/velocity/test-support/traffic';
import { AppModule } from '../../services/velocity/src/app.module';
import { VelocityConfig } from '../../services/velocity/src/config';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 6_000);
const ACCOUNTS = Number(process.env['BENCH_ACCOUNTS'] ?? 2_000);

async function metricSum(name: string, filter: (labels: Partial<Record<string, string | number>>) => boolean = () => true): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => filter(v.labels) && !('metricName' in v && /_(bucket|sum)$/.test(String(v.metricName))))
    .reduce((s, v) => s + v.value, 0);
}

function event(i: number, tenant: string): TestEvent {
  const account = `acc-${i % ACCOUNTS}`;
  const at = T0 + i * 50; // 20 events per second of event time
  const kind = i % 20;
  if (kind < 14) {
    return order(tenant, at, { buyer: account, device: `dev-${i % (ACCOUNTS / 2)}`, ip: `10.0.${i % 250}.${i % 200}`, card: `card-${i % ACCOUNTS}` });
  }
  if (kind < 17) return payment(tenant, at, account, `card-${i % ACCOUNTS}`, i % 3 !== 0);
  if (kind < 19) return login(tenant, at, account, `dev-${i % (ACCOUNTS / 2)}`, `10.1.${i % 250}.1`);
  return transfer(tenant, at, `wal-${i % ACCOUNTS}`, `wal-dest-${i % 97}`, 10, 100);
}

async function main() {
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
  const config = testConfig(VelocityConfig, { LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'error' });
  await provisionTopics(config);
  const producer = await TrafficProducer.connect(testStack().brokers, config.VIGIL_TOPIC_PREFIX);
  const tenant = 'bench-market';
  for (let from = 0; from < EVENTS; from += 2000) {
    await producer.send(Array.from({ length: Math.min(2000, EVENTS - from) }, (_, j) => event(from + j, tenant)));
  }
  await producer.close();

  const app = await createServiceApp(AppModule.register(config));
  await app.listen(0, '127.0.0.1');
  const processed = () => metricSum('vigil_velocity_events_total');
  await waitFor('the first processed event', async () => (await processed()) > 0, 60_000, 5);
  const started = performance.now();
  const firstCount = await processed();
  const tripsBefore = await metricSum('vigil_redis_round_trips_total', (l) => String(l['operation']).startsWith('counters'));
  const batchesBefore = await metricSum('vigil_kafka_consumer_batch_messages', (l) => l['group'] !== undefined);
  await waitFor(`${EVENTS} processed events`, async () => (await processed()) >= EVENTS, 120_000, 20);
  const seconds = (performance.now() - started) / 1000;
  const measured = EVENTS - firstCount;
  const trips = (await metricSum('vigil_redis_round_trips_total', (l) => String(l['operation']).startsWith('counters'))) - tripsBefore;
  const applyTrips = await metricSum('vigil_redis_round_trips_total', (l) => l['operation'] === 'counters.apply');
  const claimTrips = await metricSum('vigil_redis_round_trips_total', (l) => l['operation'] === 'counters.claim');
  const batches = (await metricSum('vigil_kafka_consumer_batch_messages', (l) => l['group'] !== undefined)) - batchesBefore;
  const signals = await metricSum('vigil_velocity_signals_total', (l) => l['outcome'] === 'published');
  const deduped = await metricSum('vigil_velocity_signals_total', (l) => l['outcome'] === 'deduplicated');
  await app.close();

  const rows: [string, string][] = [
    ['events (total / timed after the first)', `${EVENTS} / ${measured}`],
    ['entities', `${ACCOUNTS} accounts, ${ACCOUNTS / 2} devices, ~${250 * 200} IPs, ${ACCOUNTS} cards and wallets`],
    ['throughput', `${Math.round(measured / seconds)} events/s (${seconds.toFixed(2)} s)`],
    ['batches (timed)', `${batches} (${(measured / Math.max(1, batches)).toFixed(1)} events per batch)`],
    ['Redis round trips per event (timed)', (trips / Math.max(1, measured)).toFixed(4)],
    ['Redis round trips per batch (timed)', (trips / Math.max(1, batches)).toFixed(2)],
    ['round trips: counters.apply / counters.claim (whole run)', `${applyTrips} / ${claimTrips}`],
    ['signals published / suppressed as repeats in their window bucket', `${signals} / ${deduped}`],
  ];
  const table = ['| measure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  console.log(table);
  const report = `# Velocity benchmark

${new Date().toISOString()}, one velocity instance (KAFKA_PARTITIONS_CONCURRENCY=${config.KAFKA_PARTITIONS_CONCURRENCY}) against the shared
test stack (Kafka 4.1.1 single broker, Redis, 2 shared cores), shipped rules. Events were produced first;
the clock runs from the first to the last processed event (consumer-group join excluded).
Mix: 70 % order.placed, 15 % payment.attempted, 10 % account.login, 5 % wallet.transfer.

${table}

Command:

    VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0 \\
    SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/velocity.bench.ts
`;
  writeFileSync(path.join(__dirname, 'reports', 'velocity.md'), report);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
