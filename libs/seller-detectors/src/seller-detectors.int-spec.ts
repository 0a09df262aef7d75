import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { RuntimeConfig } from '@vigil/config';
import { EXAMPLE_PAYLOADS, EventType, FraudSignal, topicNames, validateEvent } from '@vigil/contracts';
import { MESSAGE_PUBLISHER, MessagePublisher } from '@vigil/kafka';
import { REDIS_CLIENT, RedisClient, RedisKeys } from '@vigil/redis';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { SellerDetectorsModule } from './seller-detectors.module';

/**
 * The detectors against the real Kafka and Redis: scenarios from the articles (hijacked shop,
 * fake shop with contact bait, exit scam, re-registration after a ban, tainted deposits) fire;
 * ordinary sellers beside them stay silent.
 */
describe('SellerDetectorsModule (real Kafka + Redis)', () => {
  const tenantId = 'market-1';
  const T0 = Date.parse('2026-03-02T12:00:00Z');
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  let config: RuntimeConfig;
  let app: INestApplication;
  let probe: TopicProbe<FraudSignal>;
  let publisher: MessagePublisher;
  let redis: RedisClient;
  let keys: RedisKeys;
  const run = uniqueId('r');

  @Module({})
  class SellerDetectorsTestApp {}

  beforeAll(async () => {
    config = testConfig(RuntimeConfig);
    const module: DynamicModule = {
      module: SellerDetectorsTestApp,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: 'seller-detectors-test', config }),
        SellerDetectorsModule.forRoot({ groupId: uniqueId('sd'), fromBeginning: true }),
      ],
    };
    app = await startTestApp(module, config);
    publisher = app.get(MESSAGE_PUBLISHER);
    redis = app.get(REDIS_CLIENT);
    keys = app.get(RedisKeys);
    probe = await TopicProbe.start<FraudSignal>(testStack().brokers, [topicNames(config.VIGIL_TOPIC_PREFIX).signals]);
  });

  afterAll(async () => {
    await probe?.stop();
    await app?.close();
  });

  let seq = 0;
  function event<T extends EventType>(type: T, atMs: number, data: Record<string, unknown>) {
    const raw = {
      id: `${run}-e${++seq}`,
      type,
      version: 1,
      occurredAt: new Date(atMs).toISOString(),
      tenantId,
      data: { ...structuredClone(EXAMPLE_PAYLOADS[type]), ...data },
    };
    const v = validateEvent(raw);
    if (!v.ok) throw new Error(`test event invalid: ${JSON.stringify(v.errors)}`);
    return { topic: topicNames(config.VIGIL_TOPIC_PREFIX).events[v.family], key: v.key, value: JSON.stringify(raw) };
  }
  const listing = (sellerId: string, atMs: number, price: number, extra: Record<string, unknown> = {}) =>
    event('listing.created', atMs, {
      listingId: `${run}-l${seq}`, sellerId, productId: `${run}-washer`, category: 'appliances/washing-machines',
      title: 'Washing machine 8 kg, 1400 rpm', description: 'New, sealed. Questions? Contact us through the platform.',
      price: { amount: price, currency: 'EUR' }, quantity: 1, ...extra,
    });
  const order = (sellerId: string, atMs: number, amount: number, orderId = `${run}-o${seq}`) =>
    event('order.placed', atMs, {
      orderId, sellerId, buyerId: `${run}-b${seq % 40}`,
      items: [{ listingId: 'l-1', quantity: 1, unitPrice: { amount, currency: 'EUR' } }], amount: { amount, currency: 'EUR' },
    });
  const signalsFor = (sellerOrAccount: string) => probe.messages.filter((m) => m.value.subject.id === sellerOrAccount).map((m) => m.value);
  const sellerId = (name: string) => `${run}-${name}`;
  /** Waits until Redis shows that earlier events were consumed (they publish no signal to wait for). */
  const consumed = (what: string, check: () => Promise<boolean>) => waitFor(what, async () => ((await check()) ? true : undefined), 20_000);
  const facts = (seller: string, field: string) => redis.hget(`${keys.entity(tenantId, 'seller', seller, 'seller-detectors')}:facts`, field);

  it('hijacked shop: new-device login + password change, then a listing spike at dumping prices -> spike, dumping, takeover chain; the steady seller beside it stays silent', async () => {
    const hijacked = sellerId('hijacked');
    const steady = sellerId('steady');
    // History: both list 2 items per hour for 6 hours at market prices; the honest owner logs in from dev-home.
    const history = [event('account.login', T0 - 7 * HOUR, { accountId: hijacked, success: true, deviceId: 'dev-home', ip: '198.51.100.10' })];
    for (let h = 6; h >= 1; h--) {
      for (const s of [hijacked, steady]) history.push(listing(s, T0 - h * HOUR, 480 + h * 5), listing(s, T0 - h * HOUR + 20 * MIN, 510));
    }
    // Other sellers make the market of the product (median ~500).
    for (let k = 0; k < 6; k++) history.push(listing(sellerId(`market${k}`), T0 - 8 * HOUR, 490 + k * 4));
    await publisher.publish(history);
    await consumed('history consumed', async () => (await redis.llen(`${keys.entity(tenantId, 'product', `${run}-washer`, 'EUR')}:px`)) >= 20);

    // Takeover: login from a never-seen device and IP, password changed.
    await publisher.publish([
      event('account.login', T0 - 30 * MIN, { accountId: hijacked, success: true, deviceId: 'dev-attacker', ip: '203.0.113.66' }),
      event('account.credentials_changed', T0 - 25 * MIN, { accountId: hijacked, credential: 'password', ip: '203.0.113.66', deviceId: 'dev-attacker' }),
    ]);
    await consumed('takeover facts stored', async () => (await facts(hijacked, 'chain.credentials')) !== null && (await facts(hijacked, 'chain.device')) !== null);

    // 40 fake offers at a tenth of the market price within 20 minutes; the steady seller lists 2 as usual.
    const burst = [];
    for (let k = 0; k < 40; k++) burst.push(listing(hijacked, T0 + k * 30_000, 49 + (k % 5)));
    burst.push(listing(steady, T0 + 5 * MIN, 505), listing(steady, T0 + 25 * MIN, 499));
    await publisher.publish(burst);

    const rules = ['seller.listing-spike', 'seller.dumping-prices', 'seller.takeover-chain'];
    await probe.waitFor(3, (m) => m.value.subject.id === hijacked && rules.includes(m.value.ruleId));
    const fired = signalsFor(hijacked);
    for (const rule of rules) expect(fired.filter((s) => s.ruleId === rule)).toHaveLength(1); // once per window

    const spike = fired.find((s) => s.ruleId === 'seller.listing-spike')!;
    expect(spike.severity).toBe('high');
    expect(spike.measurements.find((m) => m.name === 'listing.count')).toMatchObject({ value: 20, threshold: 20, window: '1h' });
    const chain = fired.find((s) => s.ruleId === 'seller.takeover-chain')!;
    expect(chain.evidence!['chain']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'new_device_login', detail: 'device dev-attacker' }),
        expect.objectContaining({ kind: 'credentials_changed', detail: 'password' }),
      ]),
    );
    expect(chain.triggeringEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['listing.created', 'account.login', 'account.credentials_changed']));
    const dumping = fired.find((s) => s.ruleId === 'seller.dumping-prices')!;
    expect(dumping.measurements.find((m) => m.name === 'price.fraction_of_median')!.value).toBeLessThan(0.4);

    expect(signalsFor(steady)).toEqual([]);
  });

  it('fake shop: contact bait in four languages and obfuscated forms; the same e-mail on three shops is a ring; ordinary text is silent', async () => {
    const texts = [
      'Bitte vor dem Kauf per E-Mail kontaktieren: deals (at) gmail (dot) com',
      'Contactez-moi avant achat: deals@gmail.com',
      'Proszę o kontakt przed zakupem, deals at gmail dot com',
    ];
    const shops = texts.map((_t, i) => sellerId(`fake${i}`));
    const honest = sellerId('honest');
    await publisher.publish([
      ...texts.map((description, i) => listing(shops[i], T0 + i * MIN, 499, { description, category: 'phones' })),
      listing(honest, T0, 499, { description: 'Order no. 2024031512345, GTIN 4006381333931, ships 12.05.2026. Contact us through the platform.', category: 'phones' }),
      listing(sellerId('english'), T0, 499, { title: 'iPhone 15, contact me before buying', description: 'WhatsApp +49 151 2345678', category: 'phones' }),
    ]);
    await probe.waitFor(1, (m) => m.value.ruleId === 'seller.contact-ring' && shops.includes(m.value.subject.id));
    for (const shop of shops) await probe.waitFor(1, (m) => m.value.ruleId === 'seller.contact-bait' && m.value.subject.id === shop);
    const english = (await probe.waitFor(1, (m) => m.value.ruleId === 'seller.contact-bait' && m.value.subject.id === sellerId('english')))[0].value;
    expect((english.evidence!['findings'] as { kind: string }[]).map((f) => f.kind)).toEqual(expect.arrayContaining(['intent', 'phone', 'messenger']));
    const ring = probe.messages.find((m) => m.value.ruleId === 'seller.contact-ring')!.value;
    expect(ring.measurements[0]).toMatchObject({ name: 'sellers_sharing_contact', value: 3, threshold: 3 });
    expect(signalsFor(honest)).toEqual([]);
  });

  it('exit scam: payout changed, sales surge (150k EUR in 30 minutes) while orders stay unshipped -> sales spike + exit scam; a normal shop is silent', async () => {
    const exit = sellerId('exit');
    const normal = sellerId('normal');
    const open = (seller: string) => redis.zcard(`${keys.entity(tenantId, 'seller', seller, 'sd')}:open`);
    const old = [];
    for (let k = 0; k < 6; k++) old.push(order(exit, T0 - 5 * 24 * HOUR + k * HOUR, 300, `${run}-old${k}`));
    for (let k = 0; k < 6; k++) old.push(order(normal, T0 - 5 * 24 * HOUR + k * HOUR, 300, `${run}-nold${k}`));
    old.push(event('account.payout_changed', T0 - 2 * HOUR, { accountId: exit, payoutFingerprint: `${run}-iban-x` }));
    await publisher.publish(old);
    await consumed('old orders and payout change stored', async () =>
      (await open(exit)) === 6 && (await open(normal)) === 6 && (await facts(exit, 'payoutChangedAt')) !== null);
    // The normal shop ships within a day, as usual.
    await publisher.publish(
      [0, 1, 2, 3, 4, 5].map((k) => event('order.shipped', T0 - 4 * 24 * HOUR + k * HOUR, { orderId: `${run}-nold${k}`, sellerId: normal, buyerId: 'b-1' })),
    );
    await consumed('normal shop shipped', async () => (await open(normal)) === 0);

    const surge = [];
    for (let k = 0; k < 25; k++) surge.push(order(exit, T0 + k * MIN, 6000));
    for (let k = 0; k < 3; k++) surge.push(order(normal, T0 + k * 10 * MIN, 300));
    await publisher.publish(surge);

    await probe.waitFor(1, (m) => m.value.subject.id === exit && m.value.ruleId === 'seller.exit-scam');
    const fired = signalsFor(exit);
    expect(fired.filter((s) => s.ruleId === 'seller.sales-spike')).toHaveLength(1);
    const scam = fired.find((s) => s.ruleId === 'seller.exit-scam')!;
    expect(scam.severity).toBe('critical');
    expect(scam.measurements.find((m) => m.name === 'orders.overdue')!.value).toBe(6);
    expect(scam.triggeringEvents.map((e) => e.type)).toContain('account.payout_changed');
    expect(signalsFor(normal)).toEqual([]);
  });

  it('re-registration: a new shop on the device of a banned seller fires; an unrelated new shop does not; bad ban requests get a precise 400', async () => {
    const banned = sellerId('banned');
    const again = sellerId('again');
    const fresh = sellerId('fresh');
    const created = (id: string, deviceId: string, ip: string) =>
      event('account.created', T0, { accountId: id, roles: ['seller'], deviceId, signupIp: ip, emailHash: `${id}-mail` });
    await publisher.publish([created(banned, `${run}-dev-b`, '192.0.2.10')]);
    await consumed('banned seller links stored', async () => (await redis.zcard(`${keys.entity(tenantId, 'seller', banned, 'sd')}:links`)) === 3);

    const bad = await fetch(`${appUrl(app)}/v1/sellers/${banned}/ban`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'fraud' }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('tenantId');
    const ok = await fetch(`${appUrl(app)}/v1/sellers/${banned}/ban`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId, reason: 'fake shop', by: 'analyst-1' }),
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ sellerId: banned, flaggedLinks: 3 });

    await publisher.publish([created(again, `${run}-dev-b`, '192.0.2.99'), created(fresh, `${run}-dev-f`, '192.0.2.77')]);
    const [signal] = await probe.waitFor(1, (m) => m.value.ruleId === 'seller.re-registration' && m.value.subject.id === again);
    expect(signal.value.evidence).toMatchObject({ link: `device:${run}-dev-b`, flagged: { [banned]: expect.objectContaining({ reason: 'ban:fake shop' }) } });
    expect(signalsFor(fresh)).toEqual([]);
  });

  it('tainted funds: deposits from a flagged wallet and one and two hops away fire critical/high/medium with the path; clean deposits do not', async () => {
    const w = (n: string) => `${run}-w${n}`;
    const transfer = (from: string, to: string, atMs: number, kind: 'deposit' | 'external', accountId?: string) =>
      event('wallet.transfer', atMs, { transferId: `${run}-t${seq}`, fromWallet: from, toWallet: to, amount: 1.5, asset: 'BTC', balanceBefore: 3, kind, accountId });
    await publisher.publish([
      event('wallet.flagged', T0, { wallet: w('hacker'), reason: 'hack', source: 'chainalysis' }),
      transfer(w('hacker'), w('hop1'), T0 + MIN, 'external'),
    ]);
    await consumed('hop 1 tainted', async () => (await redis.exists(keys.entity(tenantId, 'wallet', w('hop1'), 'taint'))) === 1);
    await publisher.publish([transfer(w('hop1'), w('hop2'), T0 + 2 * MIN, 'external')]);
    await consumed('hop 2 tainted', async () => (await redis.exists(keys.entity(tenantId, 'wallet', w('hop2'), 'taint'))) === 1);
    await publisher.publish([
      transfer(w('hacker'), w('p0'), T0 + 3 * MIN, 'deposit', `${run}-acc0`),
      transfer(w('hop1'), w('p1'), T0 + 3 * MIN, 'deposit', `${run}-acc1`),
      transfer(w('hop2'), w('p2'), T0 + 3 * MIN, 'deposit', `${run}-acc2`),
      transfer(w('clean'), w('p3'), T0 + 3 * MIN, 'deposit', `${run}-acc3`),
    ]);
    const deposits = await probe.waitFor(3, (m) => m.value.ruleId === 'funds.tainted-deposit' && m.value.subject.id.startsWith(`${run}-acc`));
    const bySubject = Object.fromEntries(deposits.map((m) => [m.value.subject.id, m.value]));
    expect(bySubject[`${run}-acc0`].severity).toBe('critical');
    expect(bySubject[`${run}-acc1`].severity).toBe('high');
    expect(bySubject[`${run}-acc2`].severity).toBe('medium');
    expect(bySubject[`${run}-acc2`].evidence!['path']).toEqual([w('hacker'), w('hop1'), w('hop2'), w('p2')]);
    expect(await redis.pttl(keys.entity(tenantId, 'wallet', w('hop2'), 'taint'))).toBeGreaterThan(0);
    expect(signalsFor(`${run}-acc3`)).toEqual([]);
  });
});
