import { EXAMPLE_PAYLOADS, EventType, FraudSignal, validateEvent, VigilEvent } from '@vigil/contracts';
import { createRedisClient, RedisClient, RedisKeys } from '@vigil/redis';
import { guardScriptKeys, KeyGuardLog, testStack, uniqueId } from '@vigil/testing';
import Redis from 'ioredis';
import { resolveOptions } from './seller-detectors.options';
import { SellerDetectors } from './seller-detectors';
import { SELLER_DETECTOR_SCRIPTS } from './state/seller-state.lua';

/**
 * The detectors as pure domain code on the real Redis (no Kafka, no Nest): scenarios from the
 * articles (hijacked shop, fake shop with contact bait, exit scam, tainted deposits) fire;
 * ordinary sellers beside them stay silent. Events go in event-time order, as velocity's
 * ordered pass feeds them. Re-registration after a ban goes through velocity's HTTP route:
 * services/velocity/src/sellers/seller-ban.int-spec.ts.
 * The lib's scripts run under the Lua key guard of @vigil/testing: a key a script touches
 * without declaring it, or declared keys of two slots, fail the scenario (Redis Cluster rules).
 */
describe('SellerDetectors (real Redis)', () => {
  const tenantId = 'market-1';
  const T0 = Date.parse('2026-03-02T12:00:00Z');
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  let redis: RedisClient;
  let keys: RedisKeys;
  let detectors: SellerDetectors;
  let guard: KeyGuardLog;
  const fired: FraudSignal[] = [];
  const run = uniqueId('r');

  beforeAll(() => {
    redis = createRedisClient({ url: testStack().redisUrl, keyPrefix: '' });
    if (!(redis instanceof Redis)) throw new Error('the test stack Redis is a standalone server');
    // guarded before SellerDetectors registers them (defineScripts keeps a defined name)
    guard = guardScriptKeys(redis, SELLER_DETECTOR_SCRIPTS);
    keys = new RedisKeys(`vigil-test:${uniqueId('sd')}`);
    detectors = new SellerDetectors(redis, keys, resolveOptions());
  });

  afterAll(async () => {
    await redis?.quit();
  });

  /** Feeds events as velocity does (sorted by event time, then id) and keeps what fired. */
  async function publish(events: VigilEvent[]): Promise<FraudSignal[]> {
    const ordered = [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const signals = await detectors.detect(ordered);
    fired.push(...signals);
    return signals;
  }

  let seq = 0;
  function event<T extends EventType>(type: T, atMs: number, data: Record<string, unknown>): VigilEvent {
    const raw = {
      id: `${run}-e${String(++seq).padStart(5, '0')}`,
      type,
      version: 1,
      occurredAt: new Date(atMs).toISOString(),
      tenantId,
      data: { ...structuredClone(EXAMPLE_PAYLOADS[type]), ...data },
    };
    const v = validateEvent(raw);
    if (!v.ok) throw new Error(`test event invalid: ${JSON.stringify(v.errors)}`);
    return v.event;
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
  const signalsFor = (sellerOrAccount: string) => fired.filter((s) => s.subject.id === sellerOrAccount);
  const sellerId = (name: string) => `${run}-${name}`;
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
    await publish(history);
    expect(await redis.llen(`${keys.entity(tenantId, 'product', `${run}-washer`, 'EUR')}:px`)).toBeGreaterThanOrEqual(20);

    // Takeover: login from a never-seen device and IP, password changed.
    await publish([
      event('account.login', T0 - 30 * MIN, { accountId: hijacked, success: true, deviceId: 'dev-attacker', ip: '203.0.113.66' }),
      event('account.credentials_changed', T0 - 25 * MIN, { accountId: hijacked, credential: 'password', ip: '203.0.113.66', deviceId: 'dev-attacker' }),
    ]);
    expect(await facts(hijacked, 'chain.credentials')).not.toBeNull();
    expect(await facts(hijacked, 'chain.device')).not.toBeNull();

    // 40 fake offers at a tenth of the market price within 20 minutes; the steady seller lists 2 as usual.
    const burst = [];
    for (let k = 0; k < 40; k++) burst.push(listing(hijacked, T0 + k * 30_000, 49 + (k % 5)));
    burst.push(listing(steady, T0 + 5 * MIN, 505), listing(steady, T0 + 25 * MIN, 499));
    await publish(burst);

    const rules = ['seller.listing-spike', 'seller.dumping-prices', 'seller.takeover-chain'];
    const ownSignals = signalsFor(hijacked);
    for (const rule of rules) expect(ownSignals.filter((s) => s.ruleId === rule)).toHaveLength(1); // once per window

    const spike = ownSignals.find((s) => s.ruleId === 'seller.listing-spike')!;
    expect(spike.severity).toBe('high');
    expect(spike.measurements.find((m) => m.name === 'listing.count')).toMatchObject({ value: 20, threshold: 20, window: '1h' });
    const chain = ownSignals.find((s) => s.ruleId === 'seller.takeover-chain')!;
    expect(chain.evidence!['chain']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'new_device_login', detail: 'device dev-attacker' }),
        expect.objectContaining({ kind: 'credentials_changed', detail: 'password' }),
      ]),
    );
    expect(chain.triggeringEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['listing.created', 'account.login', 'account.credentials_changed']));
    const dumping = ownSignals.find((s) => s.ruleId === 'seller.dumping-prices')!;
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
    await publish([
      ...texts.map((description, i) => listing(shops[i], T0 + i * MIN, 499, { description, category: 'phones' })),
      listing(honest, T0, 499, { description: 'Order no. 2024031512345, GTIN 4006381333931, ships 12.05.2026. Contact us through the platform.', category: 'phones' }),
      listing(sellerId('english'), T0, 499, { title: 'iPhone 15, contact me before buying', description: 'WhatsApp +49 151 2345678', category: 'phones' }),
    ]);
    expect(fired.filter((s) => s.ruleId === 'seller.contact-ring' && shops.includes(s.subject.id))).toHaveLength(1);
    for (const shop of shops) expect(signalsFor(shop).filter((s) => s.ruleId === 'seller.contact-bait')).toHaveLength(1);
    const english = signalsFor(sellerId('english')).find((s) => s.ruleId === 'seller.contact-bait')!;
    expect((english.evidence!['findings'] as { kind: string }[]).map((f) => f.kind)).toEqual(expect.arrayContaining(['intent', 'phone', 'messenger']));
    const ring = fired.find((s) => s.ruleId === 'seller.contact-ring')!;
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
    await publish(old);
    expect(await open(exit)).toBe(6);
    expect(await open(normal)).toBe(6);
    expect(await facts(exit, 'payoutChangedAt')).not.toBeNull();
    // The normal shop ships within a day, as usual.
    await publish(
      [0, 1, 2, 3, 4, 5].map((k) => event('order.shipped', T0 - 4 * 24 * HOUR + k * HOUR, { orderId: `${run}-nold${k}`, sellerId: normal, buyerId: 'b-1' })),
    );
    expect(await open(normal)).toBe(0);

    const surge = [];
    for (let k = 0; k < 25; k++) surge.push(order(exit, T0 + k * MIN, 6000));
    for (let k = 0; k < 3; k++) surge.push(order(normal, T0 + k * 10 * MIN, 300));
    await publish(surge);

    const ownSignals = signalsFor(exit);
    expect(ownSignals.filter((s) => s.ruleId === 'seller.sales-spike')).toHaveLength(1);
    const scam = ownSignals.find((s) => s.ruleId === 'seller.exit-scam')!;
    expect(scam.severity).toBe('critical');
    expect(scam.measurements.find((m) => m.name === 'orders.overdue')!.value).toBe(6);
    expect(scam.triggeringEvents.map((e) => e.type)).toContain('account.payout_changed');
    expect(signalsFor(normal)).toEqual([]);
  });

  it('tainted funds: deposits from a flagged wallet and one and two hops away fire critical/high/medium with the path; clean deposits do not', async () => {
    const w = (n: string) => `${run}-w${n}`;
    const transfer = (from: string, to: string, atMs: number, kind: 'deposit' | 'external', accountId?: string) =>
      event('wallet.transfer', atMs, { transferId: `${run}-t${seq}`, fromWallet: from, toWallet: to, amount: 1.5, asset: 'BTC', balanceBefore: 3, kind, accountId });
    await publish([
      event('wallet.flagged', T0, { wallet: w('hacker'), reason: 'hack', source: 'chainalysis' }),
      transfer(w('hacker'), w('hop1'), T0 + MIN, 'external'),
    ]);
    expect(await redis.exists(keys.entity(tenantId, 'wallet', w('hop1'), 'taint'))).toBe(1);
    await publish([transfer(w('hop1'), w('hop2'), T0 + 2 * MIN, 'external')]);
    expect(await redis.exists(keys.entity(tenantId, 'wallet', w('hop2'), 'taint'))).toBe(1);
    await publish([
      transfer(w('hacker'), w('p0'), T0 + 3 * MIN, 'deposit', `${run}-acc0`),
      transfer(w('hop1'), w('p1'), T0 + 3 * MIN, 'deposit', `${run}-acc1`),
      transfer(w('hop2'), w('p2'), T0 + 3 * MIN, 'deposit', `${run}-acc2`),
      transfer(w('clean'), w('p3'), T0 + 3 * MIN, 'deposit', `${run}-acc3`),
    ]);
    const deposits = fired.filter((s) => s.ruleId === 'funds.tainted-deposit' && s.subject.id.startsWith(`${run}-acc`));
    expect(deposits).toHaveLength(3);
    const bySubject = Object.fromEntries(deposits.map((s) => [s.subject.id, s]));
    expect(bySubject[`${run}-acc0`].severity).toBe('critical');
    expect(bySubject[`${run}-acc1`].severity).toBe('high');
    expect(bySubject[`${run}-acc2`].severity).toBe('medium');
    expect(bySubject[`${run}-acc2`].evidence!['path']).toEqual([w('hacker'), w('hop1'), w('hop2'), w('p2')]);
    expect(await redis.pttl(keys.entity(tenantId, 'wallet', w('hop2'), 'taint'))).toBeGreaterThan(0);
    expect(signalsFor(`${run}-acc3`)).toEqual([]);
  });

  it('declared every key its scripts touched, each call within one slot', () => {
    for (const script of SELLER_DETECTOR_SCRIPTS) expect(guard.count(script.name)).toBeGreaterThan(0);
    expect(guard.crossSlotCalls()).toEqual([]);
  });
});
