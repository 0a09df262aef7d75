/**
 * The offline backtest: a rules file evaluated on recorded events without Kafka or the services,
 * through velocity's own per-chunk use case (VelocityPass of @vigil/velocity-scoring: the same
 * counter plans, counters engine, seller detectors, rule evaluation and claims as the live
 * consumer), in the order the live consumer's event-time merge releases them.
 */
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { EVENT_TYPES, FraudSignal, validateEvent, VigilEvent } from '@vigil/contracts';
import { compareEventOrder } from '@vigil/kafka';
import { RedisClient, RedisKeys } from '@vigil/redis';
import { RuleDefinition } from '@vigil/rules';
import { resolveOptions, SellerDetectors } from '@vigil/seller-detectors';
import { eventOrderKey, PassEvent, VELOCITY_FAMILIES, VelocityPass } from '@vigil/velocity-scoring';

/**
 * Events per chunk: the largest chunk EventTimeConsumerRunner releases (its default maxChunk,
 * which velocity keeps). Velocity's decisions do not depend on where chunks are cut (counters
 * apply each entity's events in order within a chunk and claims go first-come in event order);
 * a live-size chunk keeps the Redis round trips per event what the service does.
 */
export const OFFLINE_CHUNK_SIZE = 1000;

/**
 * velocity's default ALLOWED_LATENESS. Sorted events are never late, so offline it only enters
 * the TTL of the "fired in this window bucket" claims, as it does live.
 */
const ALLOWED_LATENESS_MS = 10 * 60_000;

export interface PreparedStream {
  /** The events velocity evaluates, in its event-time order. */
  events: VigilEvent[];
  /** Records ingestion would refuse (index in the input, reason). */
  invalid: { index: number; reason: string }[];
  /** Repeats of an event id of the same tenant: ingestion acknowledges them as duplicates and publishes nothing. */
  duplicates: number;
  /** Valid events of families velocity does not read (reviews: review-analysis's). */
  otherFamilies: number;
}

/**
 * What velocity would receive from a recorded stream: events validated as ingestion validates
 * them (and serialised as it publishes them), each (tenant, id) once, only velocity's families,
 * in (occurredAt, id) order (compareEventOrder, the EventTimeSequencer's order). Sorting the
 * whole stream at once sorts each tenant's stream, and tenants share no state.
 */
export function prepareStream(records: readonly unknown[]): PreparedStream {
  const families: ReadonlySet<string> = new Set(VELOCITY_FAMILIES);
  const seen = new Set<string>();
  const prepared: PreparedStream = { events: [], invalid: [], duplicates: 0, otherFamilies: 0 };
  records.forEach((record, index) => {
    const result = validateEvent(record);
    if (!result.ok) {
      prepared.invalid.push({ index, reason: result.errors.map((e) => `${e.field}: ${e.reason}`).join('; ') });
      return;
    }
    const identity = `${result.event.tenantId}\u0000${result.event.id}`;
    if (seen.has(identity)) {
      prepared.duplicates++;
      return;
    }
    seen.add(identity);
    if (!families.has(EVENT_TYPES[result.event.type].family)) {
      prepared.otherFamilies++;
      return;
    }
    // Velocity reads the JSON ingestion wrote, not the validator's class instances.
    prepared.events.push(JSON.parse(JSON.stringify(result.event)) as VigilEvent);
  });
  prepared.events.sort((a, b) => compareEventOrder(eventOrderKey(a), eventOrderKey(b)));
  return prepared;
}

/** Consecutive chunks of at most `size` events, as the sequencer releases an in-order backlog. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`chunk size must be a positive integer (got ${size})`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Deletes every key under `prefix:` (SCAN + UNLINK, never KEYS: the Redis may be shared). */
export async function deleteKeyPrefix(redis: RedisClient, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9:._-]+$/.test(prefix)) throw new Error(`refusing to delete keys under an unusual prefix "${prefix}"`);
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      // One key per command (keys of different entities live in different cluster slots), one pipeline per page.
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      for (const [error, count] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        deleted += Number(count);
      }
    } while (cursor !== '0');
  }
  return deleted;
}

export interface OfflineRunOptions {
  redis: RedisClient;
  /** Velocity's events in order (prepareStream). */
  events: readonly VigilEvent[];
  rules: readonly RuleDefinition[];
  /** Default: a fresh `vigil-backtest:<uuid>`; the run's keys are deleted at the end either way. */
  keyPrefix?: string;
  chunkSize?: number;
}

/**
 * Runs the events through VelocityPass on a state of its own (a fresh key prefix, deleted
 * afterwards) and returns the signals velocity would have published, in publish order.
 */
export async function runOfflinePass(options: OfflineRunOptions): Promise<FraudSignal[]> {
  const prefix = options.keyPrefix ?? `vigil-backtest:${randomUUID()}`;
  const keys = new RedisKeys(prefix);
  const pass = new VelocityPass(options.redis, keys, new SellerDetectors(options.redis, keys, resolveOptions()), ALLOWED_LATENESS_MS);
  const signals: FraudSignal[] = [];
  try {
    for (const chunk of chunksOf(options.events, options.chunkSize ?? OFFLINE_CHUNK_SIZE)) {
      const released: PassEvent[] = chunk.map((value) => ({ value, late: false, beyondLateness: false }));
      signals.push(...(await pass.run(released, options.rules)));
    }
    return signals;
  } finally {
    await deleteKeyPrefix(options.redis, prefix);
  }
}
