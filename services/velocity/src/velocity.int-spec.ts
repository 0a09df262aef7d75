import { copyFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { register } from 'prom-client';
import { FraudSignal } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { afterOrder, HOUR, login, MIN, order, payment, signup, T0, TestEvent, TrafficProducer, transfer, makeEvent } from '../test-support/traffic';
import { AppModule } from './app.module';
import { VelocityConfig } from './config';
import { VelocityConsumer } from './scoring/velocity.consumer';

const SHIPPED_RULES = join(__dirname, '..', 'rules', 'velocity-rules.yaml');
const DAY = 24 * HOUR;

async function processed(): Promise<number> {
  const metric = register.getSingleMetric('vigil_velocity_events_total');
  return metric ? (await metric.get()).values.reduce((sum, v) => sum + v.value, 0) : 0;
}

function rulesCopy(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'velocity-rules-')), 'rules.yaml');
  copyFileSync(SHIPPED_RULES, path);
  return path;
}

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Replaces the file atomically (write + rename), as a deployment should, so no half-written file is read. */
function replaceFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

describe('velocity service (real Kafka and Redis)', () => {
  const tenant = uniqueId('tenant');
  const otherTenant = uniqueId('tenant');
  const adminKey = uniqueId('admin-key');
  const otherKey = uniqueId('other-key');
  const u = (label: string) => uniqueId(label);
  let config: VelocityConfig;
  let app: INestApplication;
  let producer: TrafficProducer;
  let probe: TopicProbe<FraudSignal>;
  const signalsFor = (id: string) => probe.messages.filter((m) => m.value.subject.id === id).map((m) => m.value);

  beforeAll(async () => {
    config = testConfig(VelocityConfig, {
      RULES_FILE: rulesCopy(),
      RULES_POLL_INTERVAL_MS: '200',
      VELOCITY_ADMIN_KEYS: `${tenant}:${adminKey},${otherTenant}:${otherKey}`,
    });
    app = await startTestApp(AppModule.register(config), config);
    producer = await TrafficProducer.connect(testStack().brokers, config.VIGIL_TOPIC_PREFIX);
    probe = await TopicProbe.start<FraudSignal>(testStack().brokers, [`${config.VIGIL_TOPIC_PREFIX}.fraud.signals`]);
  });
  afterAll(async () => {
    await probe?.stop();
    await producer?.close();
    await app?.close();
  });

  async function sendAndWait(events: TestEvent[]): Promise<void> {
    const target = (await processed()) + events.length;
    await producer.send(events);
    await waitFor(`velocity to process ${events.length} events`, async () => (await processed()) >= target, 30_000);
  }

  // --- scenarios: each shipped rule, with its own entities ---
  const ordinary = { account: u('ok-acc'), card: u('ok-card'), device: u('ok-dev') };
  const s = {
    burst: u('acc'), amount: u('acc'), spike: u('acc'), device: u('dev'), ip: `10.1.${Math.floor(Math.random() * 250)}.7`,
    card: u('card'), address: u('addr'), manyIps: u('acc'), sharedDevice: u('dev'), signupIp: `10.2.${Math.floor(Math.random() * 250)}.9`,
    sharedCard: u('card'), sharedAddress: u('addr'), promo: u('PROMO').toUpperCase(), newOnShared: u('dev'), quick: u('acc'),
    highValue: u('acc'), geo: u('acc'), testing: u('acc'), testCard: u('card'), returns: u('acc'), chargebacks: u('acc'),
    takeover: u('acc'), wallet: u('wal'), denied: u('dev'), allowed: u('acc'), allowedCard: u('card'),
  };
  const promoAccounts = times(6, () => u('promo-acc'));
  const sharedDeviceAccounts = times(4, () => u('nd-acc'));

  const accountEvents: TestEvent[] = [
    signup(tenant, T0 - 30 * DAY, ordinary.account, ordinary.device),
    login(tenant, T0, ordinary.account, ordinary.device, '192.0.2.44'),
    ...times(5, (i) => login(tenant, T0 + i * MIN, s.manyIps, u('dev'), `192.0.2.${10 + i}`)),
    ...times(4, (i) => login(tenant, T0 + i * MIN, u('acc'), s.sharedDevice, '192.0.2.80')),
    ...times(11, (i) => signup(tenant, T0 + i * MIN, u('acc'), u('dev'), s.signupIp)),
    ...promoAccounts.map((a, i) => signup(tenant, T0 + i * MIN, a)),
    ...sharedDeviceAccounts.map((a, i) => signup(tenant, T0 + i * MIN, a, s.newOnShared)),
    signup(tenant, T0, s.quick),
    signup(tenant, T0, s.highValue),
    makeEvent('account.credentials_changed', tenant, T0, { accountId: s.takeover, credential: 'email' }),
    makeEvent('account.payout_changed', tenant, T0 + 10 * MIN, { accountId: s.takeover, payoutFingerprint: u('iban') }),
  ];
  const otherEvents: TestEvent[] = [
    order(tenant, T0 + HOUR, { buyer: ordinary.account, device: ordinary.device, card: ordinary.card }),
    order(tenant, T0 + 3 * HOUR, { buyer: ordinary.account, device: ordinary.device, card: ordinary.card }),
    payment(tenant, T0 + 3 * HOUR, ordinary.account, ordinary.card, true),
    ...times(5, (i) => order(tenant, T0 + i * MIN, { buyer: s.burst })),
    ...times(3, (i) => order(tenant, T0 + i * MIN, { buyer: s.amount, amount: 2000 })),
    ...times(5, (i) => order(tenant, T0 + i * HOUR, { buyer: s.spike })),
    ...times(6, (i) => order(tenant, T0 + 5 * HOUR + i * MIN, { buyer: s.spike })),
    ...times(10, (i) => order(tenant, T0 + i * 2 * MIN, { buyer: `${s.device}-buyer`, device: s.device })),
    ...times(20, (i) => order(tenant, T0 + i * MIN, { buyer: `${s.ip}-buyer`, ip: s.ip })),
    ...times(6, (i) => order(tenant, T0 + i * MIN, { buyer: `${s.card}-buyer`, card: s.card })),
    ...times(15, (i) => order(tenant, T0 + i * HOUR, { buyer: `${s.address}-buyer`, address: s.address })),
    ...times(3, (i) => order(tenant, T0 + i * MIN, { buyer: u('acc'), card: s.sharedCard })),
    ...times(5, (i) => order(tenant, T0 + i * MIN, { buyer: u('acc'), address: s.sharedAddress })),
    ...promoAccounts.map((a, i) => order(tenant, T0 + HOUR + i * MIN, { buyer: a, promo: s.promo })),
    order(tenant, T0 + HOUR, { buyer: sharedDeviceAccounts[0], device: s.newOnShared }),
    order(tenant, T0 + 5 * MIN, { buyer: s.quick }),
    order(tenant, T0 + 30 * MIN, { buyer: s.highValue, amount: 1500, ipCountry: 'NG' }),
    order(tenant, T0, { buyer: s.geo, ipCountry: 'NG', currency: 'USD' }),
    ...times(5, (i) => payment(tenant, T0 + i * MIN, s.testing, s.testCard, false)),
    ...times(2, (i) => order(tenant, T0 + i * MIN, { buyer: s.returns })),
    ...times(5, (i) => afterOrder('order.returned', tenant, T0 + DAY + i * MIN, s.returns)),
    ...times(2, (i) => afterOrder('chargeback.opened', tenant, T0 + i * HOUR, s.chargebacks)),
    transfer(tenant, T0, s.wallet, u('wal'), 100, 100),
    ...times(5, (i) => order(tenant, T0 + i * MIN, { buyer: s.allowed, card: s.allowedCard })),
    order(tenant, T0, { buyer: u('acc'), device: s.denied }),
  ];

  const expectations: [string, string][] = [
    ['account-order-burst', s.burst],
    ['account-amount-burst', s.amount],
    ['account-order-spike-vs-baseline', s.spike],
    ['device-order-burst', s.device],
    ['ip-order-burst', s.ip],
    ['card-order-burst', s.card],
    ['address-order-burst', s.address],
    ['account-many-ips-devices', s.manyIps],
    ['device-multi-accounting', s.sharedDevice],
    ['ip-multi-accounting', s.signupIp],
    ['card-shared-by-accounts', s.sharedCard],
    ['address-shared-by-accounts', s.sharedAddress],
    ['promo-code-abuse', s.promo],
    ['new-account-on-shared-device', sharedDeviceAccounts[0]],
    ['order-minutes-after-signup', s.quick],
    ['high-value-new-account', s.highValue],
    ['geo-currency-mismatch', s.geo],
    ['card-testing', s.testing],
    ['card-failed-payments', s.testCard],
    ['return-abuse', s.returns],
    ['chargebacks', s.chargebacks],
    ['payout-change-after-credentials-change', s.takeover],
    ['wallet-drain-new-destination', s.wallet],
    ['deny-list', s.denied],
    ['card-order-burst', s.allowedCard],
  ];

  it('fires every shipped rule on its scenario, stays silent on ordinary traffic, honours allow and deny lists', async () => {
    const lists = `${appUrl(app)}/v1/lists`;
    const auth = (key: string | null): Record<string, string> => (key ? { 'x-api-key': key } : {});
    const put = async (path: string, body: unknown, key: string | null = adminKey) =>
      fetch(`${lists}/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...auth(key) }, body: JSON.stringify(body) });
    // Lists need the tenant's admin key; a key reaches only its own tenant's entries.
    expect((await put(`allow/card/${s.card}`, { reason: 'no key', ttlDays: 3650 }, null)).status).toBe(401);
    expect((await put(`allow/card/${s.card}`, { reason: 'forged', ttlDays: 3650 }, 'forged-key')).status).toBe(401);
    expect((await fetch(`${lists}/deny/device/${s.denied}`, { method: 'DELETE' })).status).toBe(401);
    expect((await put(`allow/card/${s.card}`, { reason: 'other tenant' }, otherKey)).status).toBe(200);
    expect((await put(`deny/device/${s.denied}`, { reason: 'known fraud ring' })).status).toBe(200);
    expect((await put(`allow/account/${s.allowed}`, { reason: 'trusted reseller', rules: ['account-order-burst'] })).status).toBe(200);
    const badList = await put(`block/device/${s.denied}`, { reason: 'x' });
    expect(badList.status).toBe(400);
    expect(JSON.stringify(await badList.json())).toMatch(/list must be one of the following values: allow, deny/);
    const badBody = await put(`deny/device/${s.denied}`, { reason: 7, ttlDays: 0 });
    expect(badBody.status).toBe(400);
    expect(JSON.stringify(await badBody.json())).toMatch(/reason must be a string.*ttlDays must not be less than 1/);
    expect((await fetch(`${lists}/deny/device/${s.denied}`, { headers: auth(adminKey) })).status).toBe(200);
    expect((await fetch(`${lists}/deny/device/${s.denied}`, { headers: auth(otherKey) })).status).toBe(404);
    expect((await fetch(`${lists}/deny/device/${s.denied}`)).status).toBe(401);

    // All topics at once: the consumer merges them in event time, so each order sees its account's sign-up.
    await sendAndWait([...otherEvents, ...accountEvents]);

    for (const [rule, subject] of expectations) {
      await waitFor(`${rule} on ${subject}`, () => signalsFor(subject).some((sig) => sig.ruleId === rule), 15_000);
    }
    const burst = signalsFor(s.burst).find((sig) => sig.ruleId === 'account-order-burst') as FraudSignal;
    expect(burst).toMatchObject({ ruleVersion: 1, mode: 'enforce', severity: 'medium', source: 'velocity' });
    expect(burst.measurements[0]).toMatchObject({ name: 'account.order.count', value: 5, threshold: 5, comparator: '>=', window: '10m' });
    expect(burst.triggeringEvents[0].occurredAt).toBe(new Date(T0 + 4 * MIN).toISOString());
    expect(burst.reason).toMatch(/^5 orders in 10 minutes/);
    // at most once per subject, rule and window bucket: the 6th order's signal is suppressed (a
    // publish retry may repeat a signal, with the same id: consumers deduplicate by id)
    const cardBursts = new Set(signalsFor(s.card).filter((sig) => sig.ruleId === 'card-order-burst').map((sig) => sig.signalId));
    expect(cardBursts.size).toBe(1);
    // allow list suppresses only the named rule
    expect(signalsFor(s.allowed).filter((sig) => sig.ruleId === 'account-order-burst')).toHaveLength(0);
    // ordinary traffic: nothing about its account, card or device
    for (const id of Object.values(ordinary)) expect(signalsFor(id)).toEqual([]);
  });

  it('counts nothing twice when the same events are delivered again, and dead-letters invalid events', async () => {
    // Event time moves on between tests: the stream's frontier is past the first test's events.
    const base = T0 + 40 * DAY;
    const account = u('replay');
    const events = times(3, (i) => order(tenant, base + i * MIN, { buyer: account }));
    await sendAndWait(events);
    await sendAndWait(events); // redelivery
    const engine = app.get(VelocityConsumer).engine;
    const [read] = await engine.apply([
      { entity: { tenantId: tenant, type: 'account', id: account }, eventId: u('read'), occurredAtMs: base + 3 * MIN, updates: [{ counter: 'order.count', kind: 'count', windowsMs: [10 * MIN], value: 0 }] },
    ]);
    expect(read.counters['order.count'][10 * MIN]).toBe(3);
    expect(signalsFor(account)).toEqual([]); // 3 orders, counted once, trip nothing

    const deadLetters = await TopicProbe.start(testStack().brokers, [`${config.VIGIL_TOPIC_PREFIX}.events.deadletter`]);
    try {
      await producer.sendRaw('events.orders', JSON.stringify({ ...order(tenant, base, { buyer: account }), occurredAt: 'yesterday' }));
      const [dead] = await deadLetters.waitFor(1);
      expect(JSON.stringify(dead.value)).toMatch(/occurredAt must be an ISO 8601 timestamp/);
    } finally {
      await deadLetters.stop();
    }
  });

  it('reloads an edited rules file without a restart and refuses an invalid one, keeping the old rules', async () => {
    const consumer = app.get(VelocityConsumer);
    const text = readFileSync(config.RULES_FILE, 'utf8');
    const extra = `
  - id: test-any-order
    version: 3
    subject: account
    events: [order.placed]
    mode: shadow
    severity: low
    window: 10m
    when: { metric: account.order.count@10m, op: ">=", value: 1 }
    reason: "any order"
`;
    replaceFile(config.RULES_FILE, text + extra);
    await waitFor('the new rule', () => consumer.rules.rules.some((r) => r.id === 'test-any-order'));
    const base = T0 + 41 * DAY;
    const first = u('reload');
    await sendAndWait([order(tenant, base, { buyer: first })]);
    const [hit] = await probe.waitFor(1, (m) => m.value.subject.id === first && m.value.ruleId === 'test-any-order');
    expect(hit.value).toMatchObject({ ruleVersion: 3, mode: 'shadow' });

    replaceFile(config.RULES_FILE, text + extra.replace('op: ">="', 'op: "≥"'));
    await waitFor('the rejection', () => consumer.rules.rejection ?? undefined);
    expect(consumer.rules.rejection).toMatch(/when\.op: op must be one of the following values/);
    expect(consumer.rules.rules.some((r) => r.id === 'test-any-order')).toBe(true);
    const metrics = await (await fetch(`${appUrl(app)}/metrics`)).text();
    expect(metrics).toMatch(/vigil_rules_reloads_total\{outcome="rejected"[^}]*\} [1-9]/);
    const second = u('reload');
    await sendAndWait([order(tenant, base + MIN, { buyer: second })]);
    await probe.waitFor(1, (m) => m.value.subject.id === second && m.value.ruleId === 'test-any-order');
    replaceFile(config.RULES_FILE, text);
  });
});
