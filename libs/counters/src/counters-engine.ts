import { counter } from '@vigil/observability';
import {
  BatchCommand,
  defineScripts,
  execBatch,
  queueScript,
  RedisClient,
  RedisKeys,
  redisRoundTrips,
} from '@vigil/redis';
import { formatDuration } from './window-math';
import { CLAIM_LUA, CLAIM_SCRIPT_NAME, COUNTERS_LUA, COUNTERS_SCRIPT_NAME } from './counters.lua';

export type CounterKind = 'count' | 'sum' | 'distinct';

export interface EntityRef {
  tenantId: string;
  /** Entity type, e.g. "account", "device", "ip", "card", "address", "promo_code". */
  type: string;
  id: string;
}

/** One counter touched by one event, in one or more windows. */
export interface CounterUpdate {
  counter: string;
  kind: CounterKind;
  windowsMs: number[];
  /** count: increment (default 1); sum: the amount; distinct: the member (e.g. an account id). */
  value?: number | string;
  /** Keep an exponentially decayed mean/variance of this counter per period of windowsMs[0]. */
  baseline?: boolean;
}

/** An entity fact written by an event (account creation time, last credential change, ...). */
export type FactOp =
  | { op: 'set' | 'setIfAbsent'; field: string; value: string | number }
  | { op: 'max'; field: string; value: number }
  /** Bounded first-seen set (devices, IPs, countries): adds `member` if fewer than `limit` are stored. */
  | { op: 'addToSet'; set: string; member: string; limit: number };

/** Everything one event does to one entity. */
export interface EntityEventOps {
  entity: EntityRef;
  eventId: string;
  occurredAtMs: number;
  updates: CounterUpdate[];
  facts?: FactOp[];
  /**
   * The stream already released later events beyond the allowed lateness (see EventTimeSequencer):
   * the event is 'late' whatever the entity's own watermark says.
   */
  late?: boolean;
}

export interface Baseline {
  /** Value of the counter in the current period. */
  current: number;
  mean: number;
  variance: number;
  /** Periods folded into the baseline so far. */
  periods: number;
}

/**
 * applied: counted now. duplicate: counted before (a redelivery), values as the first pass read
 * them. settled: counted before, in a chunk whose signals are out already (values empty; evaluate
 * nothing). late: not counted, no values.
 */
export type ApplyStatus = 'applied' | 'duplicate' | 'settled' | 'late';

/** Whether rules and detectors evaluate an event with this result (not late, not settled). */
export const isEvaluated = (status: ApplyStatus): boolean => status === 'applied' || status === 'duplicate';

export interface EntityEventResult {
  entity: EntityRef;
  eventId: string;
  /** See ApplyStatus. */
  status: ApplyStatus;
  /** Window values as of the event's time, after the update: counters["order.count"][600000]. */
  counters: Record<string, Record<number, number>>;
  /** The entity's facts after the update (strings, as stored). */
  facts: Record<string, string>;
  /** Bounded sets touched by the event: whether the member was new, and the set's size. */
  sets: Record<string, { isNew: boolean; size: number }>;
  baselines: Record<string, Baseline>;
  /** Raw allow/deny list entry of the entity, if any (see the velocity lists API). */
  listEntry: string | null;
}

export interface CountersEngineOptions {
  /** Events older than the entity's newest event minus this are late: counted in a metric, not applied. */
  allowedLatenessMs: number;
  /** Largest window any counter uses; keys live for largest window + lateness. */
  maxWindowMs: number;
  /** Sub-buckets per window (default 6): precision vs. memory. */
  bucketsPerWindow?: number;
  /**
   * Members kept per distinct counter and entity (default 256): a distinct count saturates there,
   * which bounds an entity's memory and the cost of reading it; thresholds of rules are far below.
   */
  distinctCap?: number;
  /** Weight of the newest period in the baseline (default 0.1, i.e. roughly the last 10 periods). */
  baselineAlpha?: number;
  /**
   * Keeps this engine's state of an entity (dedupe markers, watermark, counters, facts) apart from
   * another engine's that applies the same events to the same entity: sharing the dedupe markers,
   * the second consumer would see every event as a duplicate and never count it.
   * The allow/deny list entry stays shared (it is the entity's, not a consumer's).
   */
  namespace?: string;
  /**
   * How long (wall time) an entity keeps the results of its last call (default 15 min): a redelivery
   * within it (a crash before the consumer committed) re-derives exactly the first pass's values.
   * Longer covers longer outages of every consumer instance, at the memory of one small record
   * per recently active entity.
   */
  redeliveryWindowMs?: number;
}

export interface OnceClaim {
  entity: EntityRef;
  /** What is claimed, e.g. "fired:<ruleId>:<bucket>". */
  name: string;
  /** Value stored; a claim with the same value succeeds again (idempotent redelivery). */
  value: string;
  ttlMs: number;
}

const lateEvents = counter({
  name: 'vigil_counters_late_events_total',
  help: 'Entity updates older than the allowed lateness: counted here, not applied',
  labelNames: ['entity_type'],
});
const duplicateEvents = counter({
  name: 'vigil_counters_duplicate_events_total',
  help: 'Entity updates whose event id was already applied (redelivery): not counted again',
  labelNames: ['entity_type'],
});

interface RawResult {
  s: 'ok' | 'dup' | 'settled' | 'late';
  c: Record<string, number>;
  f?: Record<string, string>;
  a: Record<string, { new: boolean; size: number }>;
  b: Record<string, { x: number; m: number; v: number; n: number }>;
  l?: string | false;
}

const STATUS: Record<RawResult['s'], ApplyStatus> = { ok: 'applied', dup: 'duplicate', settled: 'settled', late: 'late' };

/**
 * Sliding-window counters over event time in Redis, with exactly-once effect per event id.
 * `apply` sends one Lua call per entity, all in ONE pipeline: one round trip per batch.
 */
/** What CountersEngine.snapshot reads (nothing of it is written). */
export interface EntitySnapshot {
  /** The entity's newest event time (0: never seen); counters are read at it. */
  watermarkMs: number;
  /** "<counter>@<window>" -> value. */
  counters: Record<string, number>;
  facts: Record<string, string>;
  /** Members of each distinct counter, newest first (the entities this one was seen with). */
  members: Record<string, { id: string; lastSeenMs: number }[]>;
  /** Members of each first-seen set (sorted). */
  sets: Record<string, string[]>;
}

export class CountersEngine {
  private readonly bucketsPerWindow: number;
  private readonly alpha: number;
  private readonly distinctCap: number;
  private readonly redeliveryWindowMs: number;
  readonly ttlMs: number;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: CountersEngineOptions,
  ) {
    this.bucketsPerWindow = options.bucketsPerWindow ?? 6;
    this.alpha = options.baselineAlpha ?? 0.1;
    this.distinctCap = options.distinctCap ?? 256;
    this.redeliveryWindowMs = options.redeliveryWindowMs ?? 15 * 60_000;
    this.ttlMs = options.maxWindowMs + options.allowedLatenessMs;
    defineScripts(client, [
      // The number of keys varies with the entity's sets: given first on each call.
      { name: COUNTERS_SCRIPT_NAME, lua: COUNTERS_LUA },
      { name: CLAIM_SCRIPT_NAME, lua: CLAIM_LUA, numberOfKeys: 1 },
    ]);
  }

  get buckets(): number {
    return this.bucketsPerWindow;
  }

  /**
   * The key prefix of this engine's state of an entity ("<prefix>:{tenant:type:id}[:namespace]");
   * other keys of it append ":suffix".
   */
  entityKey(entity: EntityRef, ...suffix: string[]): string {
    const namespace = this.options.namespace ? [this.options.namespace] : [];
    return this.keys.entity(entity.tenantId, entity.type, entity.id, ...namespace, ...suffix);
  }

  /** The entity's allow/deny list entry, shared by every engine (written by the velocity lists API). */
  private listKey(entity: EntityRef): string {
    return this.keys.entity(entity.tenantId, entity.type, entity.id, 'list');
  }

  /**
   * Read only: an entity's state as the rules would see it at its newest event (its watermark):
   * each windowed counter summed the way the counters script sums it, the facts, the members of
   * its distinct counters (the entities it was seen with, newest first, `membersPerCounter` each)
   * and of its first-seen sets. One round trip; nothing is written.
   */
  async snapshot(entity: EntityRef, counters: readonly Pick<CounterUpdate, 'counter' | 'kind' | 'windowsMs'>[], sets: readonly string[], membersPerCounter = 20): Promise<EntitySnapshot> {
    const key = this.entityKey(entity);
    const replies = await execBatch<Record<string, string>>(this.client, [
      ...['facts', 'cnt', 'dst'].map((suffix): BatchCommand => ({ key, queue: (p) => p.hgetall(`${key}:${suffix}`) })),
      ...sets.map((name): BatchCommand => ({ key, queue: (p) => p.hgetall(`${key}:set:${name}`) })),
    ]);
    const [facts, cnt, dst] = replies;
    const atMs = Number(facts['_wm'] ?? 0);
    const N = this.bucketsPerWindow;
    const values: Record<string, number> = {};
    const members: Record<string, { id: string; lastSeenMs: number }[]> = {};
    const dstEntries = Object.entries(dst).filter(([field]) => !/^[#~]/.test(field) && field.includes('|'));
    for (const c of counters) {
      for (const w of c.windowsMs) {
        const bs = Math.max(1, Math.floor(w / N));
        const b = Math.floor(atMs / bs);
        let total = 0;
        if (c.kind === 'distinct') {
          for (const [field, seen] of dstEntries) if (field.startsWith(`${c.counter}|`) && Math.floor(Number(seen) / bs) >= b - N + 1) total++;
        } else {
          for (let j = b - N + 1; j <= b; j++) total += Number(cnt[`${c.counter}|${w}|${j}`] ?? 0);
        }
        values[`${c.counter}@${formatDuration(w)}`] = total;
      }
      if (c.kind === 'distinct' && !members[c.counter]) {
        members[c.counter] = dstEntries
          .filter(([field]) => field.startsWith(`${c.counter}|`))
          .map(([field, seen]) => ({ id: field.slice(c.counter.length + 1), lastSeenMs: Number(seen) }))
          .sort((a, b) => b.lastSeenMs - a.lastSeenMs || a.id.localeCompare(b.id))
          .slice(0, membersPerCounter);
      }
    }
    // "_"-fields are the script's bookkeeping (watermark, live sizes), not facts or members
    const plainFacts = Object.fromEntries(Object.entries(facts).filter(([field]) => !field.startsWith('_')));
    return {
      watermarkMs: atMs,
      counters: values,
      facts: plainFacts,
      members,
      sets: Object.fromEntries(sets.map((name, i) => [name, Object.keys(replies[3 + i]).filter((m) => !m.startsWith('_')).sort().slice(0, membersPerCounter)])),
    };
  }

  /**
   * Applies the operations (in the given order per entity) and returns one result per operation,
   * in input order. One Redis round trip whatever the number of entities and counters.
   */
  async apply(ops: EntityEventOps[]): Promise<EntityEventResult[]> {
    if (ops.length === 0) return [];
    const byEntity = new Map<string, number[]>();
    ops.forEach((op, index) => {
      const key = this.entityKey(op.entity);
      const list = byEntity.get(key) ?? [];
      list.push(index);
      byEntity.set(key, list);
    });
    const groups = [...byEntity.entries()];
    const commands: BatchCommand[] = groups.map(([key, indexes]) => {
      const payload = {
        ttl: this.ttlMs,
        late: this.options.allowedLatenessMs,
        n: this.bucketsPerWindow,
        alpha: this.alpha,
        cap: this.distinctCap,
        redo: this.redeliveryWindowMs,
        events: indexes.map((i) => this.encode(ops[i])),
      };
      const entity = ops[indexes[0]].entity;
      // Every key the script touches is declared (Redis Cluster routes and checks declared keys only).
      const sets = [...new Set(indexes.flatMap((i) => (ops[i].facts ?? []).flatMap((f) => (f.op === 'addToSet' ? [f.set] : []))))];
      const scriptKeys = [
        ...['facts', 'dd', 'cnt', 'dst'].map((suffix) => `${key}:${suffix}`),
        this.listKey(entity),
        `${key}:last`,
        ...sets.map((name) => `${key}:set:${name}`),
      ];
      return {
        key,
        queue: (p) =>
          queueScript(p, COUNTERS_SCRIPT_NAME, [scriptKeys.length, ...scriptKeys, JSON.stringify({ ...payload, sets })]),
      };
    });
    redisRoundTrips.inc({ operation: 'counters.apply' });
    const replies = await execBatch<string>(this.client, commands);
    const results: EntityEventResult[] = new Array(ops.length);
    groups.forEach(([, indexes], g) => {
      const raw = JSON.parse(String(replies[g])) as RawResult[];
      indexes.forEach((opIndex, j) => (results[opIndex] = this.decode(ops[opIndex], raw[j])));
    });
    return results;
  }

  /**
   * Claims each name at most once per TTL (one pipeline, one round trip). Returns, per claim,
   * whether the caller may act (first claim, or a repeat with the same value).
   */
  async claimOnce(claims: OnceClaim[]): Promise<boolean[]> {
    if (claims.length === 0) return [];
    const commands: BatchCommand[] = claims.map((claim) => {
      const key = this.entityKey(claim.entity, claim.name);
      return {
        key,
        queue: (p) =>
          queueScript(p, CLAIM_SCRIPT_NAME, [key, claim.value, Math.max(1, Math.round(claim.ttlMs))]),
      };
    });
    redisRoundTrips.inc({ operation: 'counters.claim' });
    return (await execBatch(this.client, commands)).map((reply) => Number(reply) === 1);
  }

  private encode(op: EntityEventOps) {
    return {
      id: op.eventId,
      t: op.occurredAtMs,
      ...(op.late ? { lt: true } : {}),
      u: op.updates.map((u) => ({
        c: u.counter,
        k: u.kind,
        v: u.value ?? 1,
        w: u.windowsMs,
        bl: u.baseline === true,
      })),
      f: (op.facts ?? []).map((f) => {
        switch (f.op) {
          case 'set':
            return { o: 'set', f: f.field, v: f.value };
          case 'setIfAbsent':
            return { o: 'setnx', f: f.field, v: f.value };
          case 'max':
            return { o: 'max', f: f.field, v: f.value };
          case 'addToSet':
            return { o: 'add', f: f.set, v: f.member, lim: f.limit };
        }
      }),
    };
  }

  private decode(op: EntityEventOps, raw: RawResult): EntityEventResult {
    const status = STATUS[raw.s];
    if (status === 'late') lateEvents.inc({ entity_type: op.entity.type });
    if (status === 'duplicate' || status === 'settled') duplicateEvents.inc({ entity_type: op.entity.type });
    const counters: Record<string, Record<number, number>> = {};
    for (const [name, value] of Object.entries(raw.c ?? {})) {
      const split = name.lastIndexOf(':');
      const counterName = name.slice(0, split);
      (counters[counterName] ??= {})[Number(name.slice(split + 1))] = Number(value);
    }
    const sets: EntityEventResult['sets'] = {};
    for (const [name, entry] of Object.entries(raw.a ?? {}))
      sets[name] = { isNew: entry.new, size: Number(entry.size ?? 0) };
    const baselines: Record<string, Baseline> = {};
    for (const [name, b] of Object.entries(raw.b ?? {})) {
      baselines[name] = { current: b.x, mean: b.m, variance: b.v, periods: b.n };
    }
    return {
      entity: op.entity,
      eventId: op.eventId,
      status,
      counters,
      facts: raw.f ?? {},
      sets,
      baselines,
      listEntry: raw.l ? raw.l : null,
    };
  }
}
