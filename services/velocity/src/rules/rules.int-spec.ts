import { INestApplication } from '@nestjs/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { FraudSignal } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { order, TrafficProducer } from '../../test-support/traffic';
import { AppModule } from '../app.module';
import { VelocityConfig } from '../config';

const RULES = {
  version: 1,
  rules: [{ id: 'big-order', version: 1, subject: 'account', events: ['order.placed'], mode: 'enforce', severity: 'high', window: '1h', when: { metric: 'order.amount', op: '>=', value: 100 }, reason: 'order of {order.amount}' }],
};

/** Rule changes: previewed on the stored events, applied per tenant, versioned, on every instance. */
describe('velocity rule changes (real Kafka and Redis, two instances)', () => {
  const tenant = uniqueId('tenant');
  const other = uniqueId('tenant');
  const key = uniqueId('key');
  const otherKey = uniqueId('key');
  const prefix = uniqueId('rules');
  let apps: INestApplication[] = [];
  let producer: TrafficProducer;
  let probe: TopicProbe<FraudSignal>;
  const at = Date.now();
  type Json = { [k: string]: unknown };
  const call = async (app: INestApplication, path: string, body?: unknown, as = key): Promise<{ status: number; json: Json }> => {
    const r = await fetch(`${appUrl(app)}/v1/rules${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-api-key': as, 'content-type': 'application/json', 'x-vigil-actor': 'boss' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as Json };
  };
  const ruleOf = async (app: INestApplication, as = key) => ((await call(app, '', undefined, as)).json.rules as Json[])[0];

  beforeAll(async () => {
    const rulesFile = join(mkdtempSync(join(tmpdir(), 'velocity-rule-changes-')), 'rules.yaml');
    writeFileSync(rulesFile, YAML.stringify(RULES));
    for (let i = 0; i < 2; i++) {
      const config = testConfig(VelocityConfig, { VIGIL_TOPIC_PREFIX: prefix, REDIS_KEY_PREFIX: `vigil-test:${prefix}`, RULES_FILE: rulesFile, VELOCITY_ADMIN_KEYS: `${tenant}:${key},${other}:${otherKey}` });
      apps.push(await startTestApp(AppModule.register(config), config));
    }
    producer = await TrafficProducer.connect(testStack().brokers, prefix);
    probe = await TopicProbe.start<FraudSignal>(testStack().brokers, [`${prefix}.fraud.signals`]);
  });
  afterAll(async () => {
    await probe?.stop();
    await producer?.close();
    for (const app of apps.reverse()) await app.close();
    apps = [];
  });

  it('previews a threshold on the last day of stored events, applies it for the tenant only, and every instance evaluates with it', async () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((l) => uniqueId(`acc-${l}`));
    await producer.send([order(tenant, at, { buyer: a, amount: 150 })]);
    await probe.waitFor(1, (m) => m.value.subject.id === a, 30_000);

    expect(await ruleOf(apps[0])).toMatchObject({ id: 'big-order', version: 1, fileVersion: 1, mode: 'enforce', thresholds: [{ metric: 'order.amount', op: '>=', value: 100 }] });
    expect((await call(apps[0], '/big-order/preview', { thresholds: [{ metric: 'card.order.count@10m', value: 1 }] })).status).toBe(400);
    expect((await call(apps[0], '/nope/preview', { mode: 'shadow' })).status).toBe(404);

    const preview = await call(apps[0], '/big-order/preview', { thresholds: [{ metric: 'order.amount', value: 200 }] });
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ ruleId: 'big-order', events: 1, truncated: false, current: { version: 1, signals: 1, subjects: 1 }, proposed: { version: 1001, signals: 0 }, newlyFlagged: [], noLongerFlagged: [`account:${a}`] });
    // deterministic: the same preview again gives the same answer
    const again = await call(apps[0], '/big-order/preview', { thresholds: [{ metric: 'order.amount', value: 200 }] });
    expect({ ...again.json, from: 0, to: 0 }).toEqual({ ...preview.json, from: 0, to: 0 });

    const applied = await call(apps[0], '/big-order/changes', { thresholds: [{ metric: 'order.amount', value: 200 }], reason: 'orders of 100-200 are ordinary', expectedVersion: 1 });
    expect(applied.status).toBe(201);
    expect(applied.json).toMatchObject({ tenantId: tenant, ruleId: 'big-order', baseVersion: 1, revision: 1, mode: 'enforce', thresholds: [{ metric: 'order.amount', value: 200 }], actor: 'boss' });
    expect((await call(apps[0], '/big-order/changes', { mode: 'shadow', reason: 'stale', expectedVersion: 1 })).status).toBe(409);
    // the other instance reads it from fraud.rules
    await waitFor('the change on the second instance', async () => (await ruleOf(apps[1])).version === 1001, 20_000);
    expect(await ruleOf(apps[1])).toMatchObject({ thresholds: [{ value: 200 }], change: { actor: 'boss', reason: 'orders of 100-200 are ordinary' } });
    // another tenant keeps the file's rule
    expect(await ruleOf(apps[1], otherKey)).toMatchObject({ version: 1 });

    await producer.send([order(tenant, at + 1000, { buyer: b, amount: 150 }), order(other, at + 1000, { buyer: d, amount: 150 }), order(tenant, at + 2000, { buyer: c, amount: 250 })]);
    const [fired] = await probe.waitFor(1, (m) => m.value.subject.id === c, 30_000);
    expect(fired.value).toMatchObject({ ruleId: 'big-order', ruleVersion: 1001 });
    expect((await probe.waitFor(1, (m) => m.value.subject.id === d, 30_000))[0].value.ruleVersion).toBe(1);
    expect(probe.messages.filter((m) => m.value.subject.id === b)).toEqual([]);
    const { json } = await call(apps[1], '');
    expect((json.changes as Json[]).map((ch) => ch.reason)).toEqual(['orders of 100-200 are ordinary']);
  });
});
