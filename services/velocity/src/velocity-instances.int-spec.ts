import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { register } from 'prom-client';
import { startTestApp, testConfig, testStack, uniqueId, waitFor } from '@vigil/testing';
import { HOUR, MIN, order, T0, TrafficProducer } from '../test-support/traffic';
import { AppModule } from './app.module';
import { VelocityConfig } from './config';
import { VelocityConsumer } from './scoring/velocity.consumer';

async function processed(): Promise<number> {
  const metric = register.getSingleMetric('vigil_velocity_events_total');
  return metric ? (await metric.get()).values.reduce((sum, v) => sum + v.value, 0) : 0;
}

/*
 * Two instances in one consumer group: one active member holds every partition (the event-time
 * merge needs them all in one place, docs/event-time.md), the other is a hot standby that takes
 * over, from the committed offsets, when the active one stops.
 */
describe('two velocity instances in one consumer group (real Kafka and Redis)', () => {
  const tenant = uniqueId('tenant');
  let apps: INestApplication[] = [];
  let producer: TrafficProducer;

  beforeAll(async () => {
    const rules = join(mkdtempSync(join(tmpdir(), 'velocity-rules-')), 'rules.yaml');
    copyFileSync(join(__dirname, '..', 'rules', 'velocity-rules.yaml'), rules);
    const config = testConfig(VelocityConfig, { RULES_FILE: rules });
    apps = [await startTestApp(AppModule.register(config), config), await startTestApp(AppModule.register(config), config)];
    producer = await TrafficProducer.connect(testStack().brokers, config.VIGIL_TOPIC_PREFIX);
  });
  afterAll(async () => {
    await producer?.close();
    for (const app of apps) await app.close();
  });

  const read = (buyer: string, atMs: number) => ({
    entity: { tenantId: tenant, type: 'account', id: buyer },
    eventId: uniqueId('read'),
    occurredAtMs: atMs,
    updates: [{ counter: 'order.count', kind: 'count' as const, windowsMs: [10 * MIN, HOUR], value: 0 }],
  });

  it('one holds every partition, the other stands by; the standby takes over and the counters come out as one instance gives', async () => {
    const consumers = apps.map((app) => app.get(VelocityConsumer));
    await waitFor('one active member with every partition', () => consumers.some((c) => c.handledPartitions() > 0), 30_000);
    const partitions = consumers.map((c) => c.handledPartitions()).sort((a, b) => b - a);
    expect(partitions).toEqual([24, 0]); // 4 topics x 6 partitions, all on one member

    const accounts = Array.from({ length: 24 }, () => uniqueId('acc'));
    const first = accounts.flatMap((buyer) => [0, 1, 2].map((i) => order(tenant, T0 + i * MIN, { buyer })));
    const before = await processed();
    await producer.send(first);
    await waitFor('the active member to process the first half', async () => (await processed()) >= before + first.length, 30_000);

    // Stop the active instance; the standby gets the partitions and goes on from the committed offsets.
    const active = consumers.findIndex((c) => c.handledPartitions() > 0);
    const standby = 1 - active;
    await apps[active].close();
    apps = [apps[standby]];
    await waitFor('the standby to take every partition', () => consumers[standby].handledPartitions() === 24, 60_000);
    const second = accounts.flatMap((buyer) => [3, 4].map((i) => order(tenant, T0 + i * MIN, { buyer })));
    const middle = await processed();
    await producer.send(second);
    await waitFor('the standby to process the second half', async () => (await processed()) >= middle + second.length, 60_000);

    const results = await consumers[standby].engine.apply(accounts.map((buyer) => read(buyer, T0 + 5 * MIN)));
    // five orders each, none lost, none counted twice across the hand-over
    expect(results.map((r) => r.counters['order.count'][HOUR])).toEqual(accounts.map(() => 5));
  }, 180_000);
});
