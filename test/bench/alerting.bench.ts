/*
 * Alerting throughput benchmark: N signals over S subjects published to the signals topic of
 * a fresh environment, one alerting app consuming them against the real Kafka and Redis.
 * Prints signals/s, alert revisions, Redis round trips per signal, and writes
 * test/bench/reports/alerting.md.
 *   VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0 \
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/alerting.bench.ts
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { register } from 'prom-client';
import { topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { startTestApp, testConfig, waitFor } from '@vigil/testing';
import { testSignal } from '../../services/alerting/test-support/signals';
import { AppModule } from '../../services/alerting/src/app.module';
import { AlertingConfig } from '../../services/alerting/src/config';

const SIGNALS = Number(process.env['BENCH_SIGNALS'] ?? 20_000);
const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 2_000);
const RULES = ['card-testing', 'new-device-login', 'payout-change', 'review-burst', 'promo-abuse'];

async function metricSum(name: string, filter: (labels: Partial<Record<string, string | number>>) => boolean = () => true): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => filter(v.labels) && !('metricName' in v && String(v.metricName).endsWith('_bucket'))).reduce((s, v) => s + v.value, 0);
}

async function main() {
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
  const config = testConfig(AlertingConfig, { LOG_LEVEL: 'error' });
  const app = await startTestApp(AppModule.register(config), config);
  const publisher = new KafkaPublisher(createKafka(config.KAFKA_BROKERS, 'alerting-bench'));
  const topic = topicNames(config.VIGIL_TOPIC_PREFIX).signals;
  const t0 = Date.now() - 3_600_000;
  const roundTripsBefore = await metricSum('vigil_redis_round_trips_total', (l) => String(l['operation']).startsWith('alerting'));

  const started = performance.now();
  for (let from = 0; from < SIGNALS; from += 1000) {
    const batch = [];
    for (let i = from; i < Math.min(SIGNALS, from + 1000); i++) {
      const s = testSignal({
        ruleId: RULES[i % RULES.length],
        subjectId: `acc-${i % SUBJECTS}`,
        severity: i % 7 === 0 ? 'critical' : 'medium',
        occurredAt: new Date(t0 + i * 100).toISOString(),
      });
      batch.push({ topic, key: s.subject.id, value: JSON.stringify(s) });
    }
    await publisher.publish(batch);
  }
  const produced = performance.now();
  await waitFor('all signals processed', async () => (await metricSum('vigil_alerting_signals_total')) >= SIGNALS, 120_000, 100);
  const done = performance.now();
  const published = await metricSum('vigil_alerting_alerts_total');
  const created = await metricSum('vigil_alerting_alerts_total', (l) => l['action'] === 'created');
  const roundTrips = (await metricSum('vigil_redis_round_trips_total', (l) => String(l['operation']).startsWith('alerting'))) - roundTripsBefore;
  const seconds = (done - started) / 1000;

  const figures = {
    signals: SIGNALS,
    subjects: SUBJECTS,
    'produce time (s)': ((produced - started) / 1000).toFixed(2),
    'end-to-end time (s)': seconds.toFixed(2),
    'signals/s (end to end)': Math.round(SIGNALS / seconds),
    'alerts created': created,
    'alert revisions published': published,
    'Redis round trips (alerting)': roundTrips,
    'Redis round trips per signal': (roundTrips / SIGNALS).toFixed(4),
  };
  console.table(figures);
  const report = [
    '# Alerting benchmark',
    '',
    `${new Date().toISOString()} · one alerting instance, real Kafka and Redis on this machine (2 cores shared).`,
    '',
    '`SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/alerting.bench.ts`',
    '',
    '| figure | value |',
    '| --- | --- |',
    ...Object.entries(figures).map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ].join('\n');
  writeFileSync(path.join(__dirname, 'reports', 'alerting.md'), report);
  await publisher.disconnect();
  await app.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
