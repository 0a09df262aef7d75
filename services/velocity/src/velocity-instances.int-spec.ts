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

  it('share the partitions and give the counters one instance gives, with out-of-order events in their window', async () => {
    const accounts = Array.from({ length: 24 }, () => uniqueId('acc'));
    const inOrder = accounts.flatMap((buyer) => [0, 1, 2].map((i) => order(tenant, T0 + i * MIN, { buyer })));
    const shuffled = uniqueId('ooo');
    const tooLate = uniqueId('late');
    const outOfOrder = [
      order(tenant, T0 + 5 * MIN, { buyer: shuffled }),
      order(tenant, T0, { buyer: shuffled }), // 5 minutes behind: within the 10m lateness
      order(tenant, T0 + 2 * MIN, { buyer: shuffled }),
      order(tenant, T0 + 30 * MIN, { buyer: tooLate }),
      order(tenant, T0, { buyer: tooLate }), // 30 minutes behind: late, not counted
    ];
    const target = (await processed()) + inOrder.length + outOfOrder.length;
    await producer.send([...inOrder, ...outOfOrder]);
    await waitFor('both instances to process everything', async () => (await processed()) >= target, 30_000);

    const engine = apps[0].get(VelocityConsumer).engine;
    const read = (buyer: string, atMs: number) => ({
      entity: { tenantId: tenant, type: 'account', id: buyer },
      eventId: uniqueId('read'),
      occurredAtMs: atMs,
      updates: [{ counter: 'order.count', kind: 'count' as const, windowsMs: [10 * MIN, HOUR], value: 0 }],
    });
    const results = await engine.apply([
      ...accounts.map((buyer) => read(buyer, T0 + 3 * MIN)),
      read(shuffled, T0 + 6 * MIN),
      read(tooLate, T0 + 31 * MIN),
    ]);
    expect(results.slice(0, accounts.length).map((r) => r.counters['order.count'][HOUR])).toEqual(accounts.map(() => 3));
    expect(results[accounts.length].counters['order.count']).toEqual({ [10 * MIN]: 3, [HOUR]: 3 });
    expect(results[accounts.length + 1].counters['order.count']).toEqual({ [10 * MIN]: 1, [HOUR]: 1 });

    // both members really worked: each got partitions of the orders topic
    const assigned = await Promise.all(apps.map((app) => app.get(VelocityConsumer).handledPartitions()));
    expect(assigned.every((count) => count > 0)).toBe(true);
  });
});
