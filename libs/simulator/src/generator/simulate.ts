import { EntityLabel, LabelBook } from './labels';
import { FraudPattern, PATTERN_NAMES, PATTERNS } from './patterns';
import { OrdinaryMarket } from './ordinary';
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

  const market = new OrdinaryMarket(world);
  market.run(options.minutes);

  const injected: SimulationResult['injected'] = [];
  const patternWorld = new World(patternRandom, timeline, labels, startMs, endMs);
  // Patterns draw from their own stream and share the ordinary population that existed before
  // the period (buyers old enough for the exit scam's week-old orders, sellers, listings).
  patternWorld.buyers.push(...market.buyersCreatedBefore(startMs - 8 * DAY));
  patternWorld.sellers.push(...world.sellers.filter((s) => s.createdAtMs < startMs));
  patternWorld.listings.push(...market.listingsBefore(startMs));
  for (const pattern of patterns) {
    const latestStart = endMs - pattern.durationMs;
    const atMs = startMs + Math.floor(patternRandom.next() * Math.max(0, latestStart - startMs));
    pattern.inject(patternWorld, atMs);
    injected.push({ pattern: pattern.name, startsAt: new Date(atMs).toISOString() });
  }
  return { events: timeline.sorted(), labels: labels.all(), injected };
}
