import { register } from 'prom-client';
import { exampleEvent, FraudSignal, topicNames } from '@vigil/contracts';
import { sendEvents } from '@vigil/simulator';
import { testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { RunningSystem, startSystem } from './system';

/*
 * Event-time semantics through the whole front door (HTTP -> ingestion -> family topics ->
 * velocity): an order is evaluated after its buyer's sign-up even when both travel in the same
 * request, the order first, on different topics and partitions (docs/event-time.md).
 */
const ACCOUNTS = 2000;
const SIGNUP_TO_ORDER_MS = 30_000;

function event(type: 'account.created' | 'order.placed' | 'wallet.transfer', tenantId: string, atMs: number, data: Record<string, unknown>) {
  const base = exampleEvent(type) as unknown as { type: string; version: number; data: Record<string, unknown> };
  return { ...base, id: uniqueId('evt'), tenantId, occurredAt: new Date(atMs).toISOString(), data: { ...base.data, ...data } };
}

function orderOf(tenantId: string, account: string, atMs: number, amount = 25) {
  return event('order.placed', tenantId, atMs, {
    orderId: uniqueId('ord'),
    buyerId: account,
    deviceId: `dev-${account}`,
    ip: '198.51.100.10',
    ipCountry: 'DE',
    paymentInstrument: { fingerprint: `card-${account}`, type: 'card', country: 'DE' },
    shippingAddress: { fingerprint: `addr-${account}`, country: 'DE', postalCode: '10115', city: 'Berlin' },
    amount: { amount, currency: 'EUR' },
    items: [{ listingId: 'lst-1', quantity: 1, unitPrice: { amount, currency: 'EUR' } }],
  });
}

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  return (await metric.get()).values
    .filter((v) => Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('event time end to end (HTTP ingestion, real Kafka and Redis)', () => {
  const tenant = uniqueId('tenant-et');
  const start = Date.now() - 24 * 60 * 60_000;
  let system: RunningSystem;
  let signals: TopicProbe<FraudSignal>;

  beforeAll(async () => {
    system = await startSystem(tenant);
    signals = await TopicProbe.start<FraudSignal>(testStack().brokers, [topicNames(system.topicPrefix).signals]);
  }, 120_000);
  afterAll(async () => {
    await signals?.stop();
    await system?.stop();
  });

  it(`${ACCOUNTS} orders, each 30 s after its sign-up and sent before it in the same batch, all see the account's age`, async () => {
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `acc-et-${i}`);
    // Order first, sign-up second, 250 pairs per request at full speed.
    const events = accounts.flatMap((account, i) => {
      const signedUp = start + i * 5;
      return [
        orderOf(tenant, account, signedUp + SIGNUP_TO_ORDER_MS),
        event('account.created', tenant, signedUp, { accountId: account, deviceId: `dev-${account}`, signupIp: `203.0.113.${i % 250}` }),
      ];
    });
    const sent = await sendEvents(events, { url: system.ingestionUrl, apiKey: system.apiKey, batchSize: 500, rate: 'max' });
    expect(sent.accepted).toBe(events.length);

    // The shipped shadow rule order-minutes-after-signup (age < 10 min) measures account.age_min.
    const ageOf = () =>
      new Map(
        signals.messages
          .filter((m) => m.value.ruleId === 'order-minutes-after-signup')
          .map((m) => [m.value.subject.id, m.value.measurements.find((x) => x.name === 'account.age_min')?.value]),
      );
    await waitFor(`an order-minutes-after-signup signal for each of the ${ACCOUNTS} accounts`, () => ageOf().size >= ACCOUNTS, 180_000, 250);
    const ages = ageOf();
    expect([...ages.keys()].sort()).toEqual([...accounts].sort());
    expect(new Set(ages.values())).toEqual(new Set([SIGNUP_TO_ORDER_MS / 60_000]));
  }, 240_000);

  it('an event later than the allowed lateness is counted in the metric and changes no counter', async () => {
    const beyondBefore = await metricValue('vigil_stream_late_events_total', { beyond_lateness: 'true' });
    const wallet = uniqueId('wal-late');
    // 2 h behind what the stream has released (allowed lateness: 10 minutes). Evaluated, this
    // whole-balance transfer to a new destination would fire wallet-drain-new-destination.
    const drain = event('wallet.transfer', tenant, start - 2 * 60 * 60_000, {
      transferId: uniqueId('tx'), fromWallet: wallet, toWallet: uniqueId('dest'), amount: 2.5, balanceBefore: 2.5, kind: 'external', accountId: undefined,
    });
    const sent = await sendEvents([drain], { url: system.ingestionUrl, apiKey: system.apiKey, batchSize: 1, rate: 'max' });
    expect(sent.accepted).toBe(1);
    await waitFor('the late event in vigil_stream_late_events_total', async () => (await metricValue('vigil_stream_late_events_total', { beyond_lateness: 'true' })) > beyondBefore, 30_000);
    // The stream flags it when it is fetched; the counters count it once velocity has applied it.
    await waitFor('the late event in vigil_counters_late_events_total', async () => (await metricValue('vigil_counters_late_events_total', { entity_type: 'wallet' })) > 0, 30_000);
    // Applied to order-independent state only, never judged: no signal about the wallet.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(signals.messages.filter((m) => m.value.subject.id === wallet)).toEqual([]);
  }, 60_000);
});
