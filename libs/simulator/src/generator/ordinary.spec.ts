import { EventPayload, EventType } from '@vigil/contracts';
import { ORDINARY_MODEL, sampleDelay } from './ordinary';
import { Random } from './random';
import { DEFAULT_START, simulate } from './simulate';
import { SimulatedEvent } from './timeline';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.parse(DEFAULT_START);

type Of<T extends EventType> = SimulatedEvent & { data: EventPayload<T> };
const ofType = <T extends EventType>(events: SimulatedEvent[], type: T) => events.filter((e): e is Of<T> => e.type === type);
const time = (e: SimulatedEvent) => Date.parse(e.occurredAt);
const actorOf = (e: SimulatedEvent): string | undefined => {
  const d = e.data as unknown as Record<string, unknown>;
  return (d['buyerId'] ?? d['accountId'] ?? d['authorId']) as string | undefined;
};

/** What ordinary buyers and sellers do: the traffic false alarms are made of. */
describe('ordinary traffic', () => {
  // Twelve hours without injected patterns: every account is ordinary.
  const run = simulate({ seed: 5, minutes: 720 });
  const created = new Map(ofType(run.events, 'account.created').map((e) => [e.data.accountId, time(e)]));
  const orders = ofType(run.events, 'order.placed');
  const firstOrder = new Map<string, number>();
  for (const o of orders) if (!firstOrder.has(o.data.buyerId)) firstOrder.set(o.data.buyerId, time(o));

  describe('sign-up to first order', () => {
    // New accounts: signed up in the period or in the two weeks before it (returning customers are older).
    const delays = [...firstOrder.entries()]
      .filter(([account]) => created.get(account)! > START - ORDINARY_MODEL.signupLookbackMs)
      .map(([account, t]) => t - created.get(account)!);
    const share = (limitMs: number) => delays.filter((d) => d < limitMs).length / delays.length;

    it('most new accounts order hours to days after sign-up, a minority within the hour, few within minutes', () => {
      expect(delays.length).toBeGreaterThan(100);
      expect(delays.every((d) => d > 0)).toBe(true);
      expect(share(MINUTE)).toBeLessThan(0.03);
      expect(share(10 * MINUTE)).toBeLessThan(0.12);
      expect(share(HOUR)).toBeGreaterThan(0.05);
      expect(share(HOUR)).toBeLessThan(0.35);
      expect(delays.filter((d) => d > DAY).length).toBeGreaterThan(delays.length * 0.2);
    });

    it('draws the documented mixture: ~1 % within a minute, ~6.5 % within 10 minutes, ~20 % within the hour', () => {
      const r = new Random(1);
      const sample = Array.from({ length: 20_000 }, () => sampleDelay(r, ORDINARY_MODEL.firstOrderDelay)!);
      const within = (ms: number) => sample.filter((d) => d < ms).length / sample.length;
      expect(within(MINUTE)).toBeGreaterThan(0.004);
      expect(within(MINUTE)).toBeLessThan(0.015);
      expect(within(10 * MINUTE)).toBeCloseTo(0.065, 1);
      expect(within(HOUR)).toBeCloseTo(0.2, 1);
      expect(sample.every((d) => d >= 20_000 && d < 14 * DAY)).toBe(true);
    });
  });

  it('has households: 2+ accounts ordering from one device, from the same IP and to the same address', () => {
    const byDevice = new Map<string, Of<'order.placed'>[]>();
    for (const o of orders) byDevice.set(o.data.deviceId!, [...(byDevice.get(o.data.deviceId!) ?? []), o]);
    const households = [...byDevice.values()].filter((list) => {
      const accounts = new Set(list.map((o) => o.data.buyerId));
      return accounts.size >= 2 && new Set(list.map((o) => o.data.shippingAddress.fingerprint)).size === 1 && new Set(list.map((o) => o.data.ip)).size === 1;
    });
    expect(households.length).toBeGreaterThanOrEqual(5);
    // A few accounts per household, not farms.
    expect(Math.max(...[...byDevice.values()].map((list) => new Set(list.map((o) => o.data.buyerId)).size))).toBeLessThanOrEqual(5);
  });

  it('has IPs shared by unrelated customers (mobile carriers): one address, many accounts, many devices', () => {
    const byIp = new Map<string, Set<string>>();
    for (const o of orders) byIp.set(o.data.ip!, (byIp.get(o.data.ip!) ?? new Set()).add(o.data.buyerId));
    expect([...byIp.values()].filter((accounts) => accounts.size >= 5).length).toBeGreaterThanOrEqual(ORDINARY_MODEL.carrierIps / 2);
  });

  it('has returning customers: accounts weeks to years old that log in and order again, with orders before the period', () => {
    const returning = [...firstOrder.keys()].filter((a) => created.get(a)! <= START - 15 * DAY);
    expect(returning.length).toBeGreaterThan(firstOrder.size / 2);
    expect(returning.some((a) => created.get(a)! < START - 365 * DAY)).toBe(true);
    const orderedBefore = new Set(orders.filter((o) => time(o) < START).map((o) => o.data.buyerId));
    const orderedDuring = new Set(orders.filter((o) => time(o) >= START).map((o) => o.data.buyerId));
    expect(returning.filter((a) => orderedBefore.has(a) && orderedDuring.has(a)).length).toBeGreaterThan(20);
    const loggedIn = new Set(ofType(run.events, 'account.login').filter((e) => time(e) >= START).map((e) => e.data.accountId));
    expect(returning.filter((a) => loggedIn.has(a) && orderedDuring.has(a)).length).toBeGreaterThan(50);
  });

  it('has ordinary sellers: shops with several staff devices, listing sessions, shipping hours after the order', () => {
    const sellers = new Set(ofType(run.events, 'account.created').filter((e) => e.data.roles.includes('seller')).map((e) => e.data.accountId));
    const sellerDevices = new Map<string, Set<string>>();
    for (const l of ofType(run.events, 'account.login').filter((e) => sellers.has(e.data.accountId))) {
      sellerDevices.set(l.data.accountId, (sellerDevices.get(l.data.accountId) ?? new Set()).add(l.data.deviceId!));
    }
    expect([...sellerDevices.values()].some((devices) => devices.size >= 2)).toBe(true);
    const placed = new Map(orders.map((o) => [o.data.orderId, time(o)]));
    const lags = ofType(run.events, 'order.shipped').map((s) => time(s) - placed.get(s.data.orderId)!);
    expect(lags.length).toBeGreaterThan(100);
    expect(lags.every((lag) => lag >= HOUR)).toBe(true);
  });

  it('never shows an account acting before its sign-up (patterns included), nor an ordinary order on a listing that does not exist yet', () => {
    const withPatterns = simulate({ seed: 42, minutes: 60, inject: ['all'] });
    const signup = new Map(ofType(withPatterns.events, 'account.created').map((e) => [e.data.accountId, time(e)]));
    const before = withPatterns.events.filter((e) => e.type !== 'account.created' && actorOf(e) && signup.has(actorOf(e)!) && time(e) < signup.get(actorOf(e)!)!);
    expect(before.map((e) => `${e.type} ${actorOf(e)}`).slice(0, 5)).toEqual([]);
    const listed = new Map(ofType(withPatterns.events, 'listing.created').map((e) => [e.data.listingId, time(e)]));
    // (The exit-scam pattern's week-old orders use its seller's listings of any date, as injected.)
    const legit = new Set(withPatterns.labels.filter((l) => l.label === 'legit').map((l) => l.entityId));
    const early = ofType(withPatterns.events, 'order.placed').filter((o) => legit.has(o.data.sellerId) && !(listed.get(o.data.items[0].listingId)! <= time(o)));
    expect(early.map((o) => o.data.orderId).slice(0, 5)).toEqual([]);
  });
});
