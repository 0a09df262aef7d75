import { ORDINARY_DESCRIPTIONS, ORDINARY_REVIEWS, PRODUCTS } from './catalogue';
import { EntityLabel, LabelBook } from './labels';
import { FraudPattern, PATTERN_NAMES, PATTERNS } from './patterns';
import { Random } from './random';
import { SimulatedEvent, Timeline } from './timeline';
import { DAY, MINUTE, World } from './world';

export interface SimulationOptions {
  seed: number;
  /** Length of the simulated period in event-time minutes. */
  minutes: number;
  /** Fraud patterns to inject (names from PATTERN_NAMES). */
  inject?: readonly string[];
  /** First instant of the period; fixed by default so a seed alone decides the output. */
  start?: string;
  tenantId?: string;
}

export interface SimulationResult {
  events: SimulatedEvent[];
  labels: EntityLabel[];
  /** Where each injected pattern starts (event time), for the README and debugging. */
  injected: { pattern: string; startsAt: string }[];
}

export const DEFAULT_START = '2026-03-02T09:00:00.000Z';
/** Patterns need up to ~32 minutes of event time. */
export const MIN_MINUTES_WITH_PATTERNS = 35;

export function resolvePatterns(inject: readonly string[] | undefined): FraudPattern[] {
  if (!inject || inject.length === 0) return [];
  if (inject.includes('all')) return [...PATTERNS];
  const unknown = inject.filter((name) => !PATTERN_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`unknown pattern(s): ${unknown.join(', ')}; known: all, ${PATTERN_NAMES.join(', ')}`);
  return PATTERNS.filter((p) => inject.includes(p.name));
}

/**
 * Generates a marketplace's traffic over `minutes` of event time: established accounts and their
 * listing history first, then ordinary activity minute by minute, then the injected patterns.
 * Every random draw comes from streams derived from the seed, so the output is a pure function
 * of the options.
 */
export function simulate(options: SimulationOptions): SimulationResult {
  if (!Number.isInteger(options.minutes) || options.minutes < 1) throw new Error('minutes must be a positive integer');
  const patterns = resolvePatterns(options.inject);
  if (patterns.length > 0 && options.minutes < MIN_MINUTES_WITH_PATTERNS) {
    throw new Error(`injecting patterns needs at least ${MIN_MINUTES_WITH_PATTERNS} minutes`);
  }
  const startMs = Date.parse(options.start ?? DEFAULT_START);
  if (Number.isNaN(startMs)) throw new Error(`start is not a timestamp: ${options.start}`);
  const endMs = startMs + options.minutes * MINUTE;
  const root = new Random(options.seed);
  const ordinaryRandom = root.fork('ordinary');
  const patternRandom = root.fork('patterns');
  const timeline = new Timeline(options.tenantId ?? 'tenant-sim', `sim${options.seed}`);
  const labels = new LabelBook();
  const world = new World(ordinaryRandom, timeline, labels, startMs, endMs);

  populate(world, options.minutes);
  ordinaryTraffic(world, options.minutes);

  const injected: SimulationResult['injected'] = [];
  const patternWorld = new World(patternRandom, timeline, labels, startMs, endMs);
  // Patterns draw from their own stream and share the ordinary population (buyers, listings).
  patternWorld.buyers.push(...world.buyers);
  patternWorld.sellers.push(...world.sellers);
  patternWorld.listings.push(...world.listings);
  for (const pattern of patterns) {
    const latestStart = endMs - pattern.durationMs;
    const atMs = startMs + Math.floor(patternRandom.next() * Math.max(0, latestStart - startMs));
    pattern.inject(patternWorld, atMs);
    injected.push({ pattern: pattern.name, startsAt: new Date(atMs).toISOString() });
  }
  return { events: timeline.sorted(), labels: labels.all(), injected };
}

function populate(world: World, minutes: number): void {
  const r = world.random;
  const sellerCount = 30 + Math.ceil(minutes / 2);
  const buyerCount = 150 + minutes * 4;
  for (let i = 0; i < sellerCount; i++) {
    const seller = world.createAccount('seller', 'established');
    // A listing history over the two days before the period: the sellers' baseline.
    for (let k = r.int(3, 6); k > 0; k--) {
      world.createListing(seller, world.startMs - r.int(10, 2 * DAY / MINUTE) * MINUTE, r.pick(PRODUCTS), r.real(0.85, 1.15), r.pick(ORDINARY_DESCRIPTIONS));
    }
  }
  for (let i = 0; i < buyerCount; i++) world.createAccount('buyer', 'established');
}

/** Poisson-like counts per minute: a few of each activity, varying from minute to minute. */
function perMinute(r: Random, mean: number): number {
  let count = 0;
  for (let i = 0; i < mean * 2; i++) if (r.chance(0.5)) count++;
  return count;
}

function ordinaryTraffic(world: World, minutes: number): void {
  const r = world.random;
  for (let m = 0; m < minutes; m++) {
    const minuteStart = world.startMs + m * MINUTE;
    const at = () => minuteStart + r.int(0, MINUTE - 1);

    if (r.chance(0.5)) world.createAccount('buyer', at());
    if (r.chance(0.04)) world.createAccount('seller', at());
    for (let i = perMinute(r, 3); i > 0; i--) {
      const account = r.pick(r.chance(0.8) ? world.buyers : world.sellers);
      // Occasionally a second device (a phone beside the laptop) or a mistyped password first.
      const deviceId = r.chance(0.05) ? `dev-${r.hex(10)}` : account.deviceId;
      if (deviceId !== account.deviceId) world.labels.legit('device', deviceId);
      const t = at();
      if (r.chance(0.05)) world.login(account, t - 15_000, deviceId, account.ip, false);
      world.login(account, t, deviceId);
    }
    for (let i = perMinute(r, 1); i > 0; i--) {
      world.createListing(r.pick(world.sellers), at(), r.pick(PRODUCTS), r.real(0.85, 1.15), r.pick(ORDINARY_DESCRIPTIONS));
    }
    for (let i = perMinute(r, 5); i > 0; i--) {
      world.placeOrder(r.pick(world.buyers), r.pick(world.listings), at(), { returns: r.chance(0.02) });
    }
    // Reviews of purchases delivered before the period: short, honest, and much alike.
    for (let i = perMinute(r, 1); i > 0; i--) {
      const listing = r.pick(world.listings);
      const rating = r.pick([5, 5, 5, 5, 4, 4, 3, 2, 1]);
      world.review(r.pick(world.buyers), listing.sellerId, at(), rating, r.pick(ORDINARY_REVIEWS[rating]), { productId: listing.product.productId });
    }
    if (r.chance(0.4)) {
      const account = r.pick(world.buyers);
      const amount = r.int(20, 2_000);
      const source = `wal-${r.hex(16)}`;
      world.labels.legit('wallet', source);
      world.transfer(at(), source, account.wallet, amount, r.int(amount, amount * 20), 'deposit', account.id);
    }
  }
}
