/*
 * Merges the input partitions of a consumer into ONE stream in event-time order, so that a rule
 * evaluating event e has seen exactly the events that precede it in (occurredAt, id) order,
 * whatever topic, partition, fetch or batch they came through. Pure (no Kafka, no clock of its
 * own): the consumer adapter feeds it batches and asks it what may be released.
 *
 * The low watermark, as Flink computes it over a task's input partitions:
 *   W = min over assigned partitions p of W_p, where
 *   W_p = the newest event time seen on p among events that arrived at least holdMs ago
 *         (holdMs absorbs a partition's own disorder in wall time, e.g. concurrent producers),
 *       = +infinity when p is idle: caught up with the end of its log (lag 0) and no event
 *         arrived for idleMs, so it cannot hold the others back for longer than that.
 * Watermarks, idleness and the released frontier are kept per *stream* (the tenant): tenants
 * share partitions but not state, so one tenant's live traffic must not make another tenant's
 * backfill of last month late, and a tenant is only held back by partitions that may still
 * carry its own events. A partition that has never delivered an event of a stream counts as
 * idle for it once caught up for idleMs after the stream was first seen.
 * Every buffered event with time <= W(stream) is released, sorted by (time, id); where W comes from
 * a partition with records still to read (lag > 0), only time < W: its next record may be another
 * event at W with a smaller id. An event that
 * arrives behind what was already released of its stream is *late*: released at once, flagged, and beyond
 * allowedLatenessMs also flagged `beyondLateness` (the consumer then applies only its
 * order-independent state and evaluates nothing, so it never changes an earlier decision).
 *
 * Two facts no timer can stand in for, when the consumer supplies them:
 *   - Publish batches: ingestion stamps every record with its publish batch (id, how many records
 *     it wrote to each topic, each tenant's earliest event time in it). One produce call appends
 *     to partitions on several brokers some milliseconds apart, so while a batch is incomplete
 *     here, its tenants' events from the batch's earliest time on wait (`batch` of NewItem).
 *   - Broker-confirmed idleness (`brokerConfirmsIdle`): an event passes an idle partition only
 *     once the broker, asked after the event arrived, said that partition had nothing more to
 *     read (`confirmIdle`); otherwise a fetch still in flight could carry an earlier event.
 *
 * Why hand-written: kafkajs has no stream-time synchronisation (Kafka Streams' max.task.idle.ms
 * and Flink's watermarks live in Java frameworks), and the rule is a few dozen lines.
 */

export interface SequencerOptions {
  /** Wall time an arrival waits before it counts towards its partition's watermark. */
  holdMs: number;
  /** A caught-up partition with no arrival (of a stream) for this long stops holding that stream back. */
  idleMs: number;
  /** Late by more than this (event time behind the stream's released frontier): order-independent state only. */
  allowedLatenessMs: number;
  /** A stream with nothing buffered and no arrival for this long is forgotten (bounds memory per tenant). */
  streamTtlMs?: number;
  /**
   * An event passes an idle partition only after it has been buffered this long (default
   * min(50, idleMs)): one produce request appends to several partitions a few ms apart, and a
   * fetch may see one before the other, while the partition still looks caught up and quiet.
   */
  idleConfirmMs?: number;
  /**
   * Replaces the idleConfirmMs timer: an event passes an idle partition only after a check of the
   * partitions' log ends that started after it arrived (see confirmIdle, wantsIdleCheck).
   */
  brokerConfirmsIdle?: boolean;
  /** An incomplete publish batch holds its tenants back at most this long (wall time, default 2000 ms). */
  batchWaitMs?: number;
}

/** The publish batch a record came in: see the header of this file. */
export interface PublishBatch {
  id: string;
  /** Records of the batch on this consumer's input topics. */
  required: number;
  /** Earliest event time per stream (tenant) in the batch. */
  streams: Record<string, number>;
  /**
   * Latest event time per stream in the batch: every record of the batch (event or watermark
   * record) moves its partition's watermark for each of these streams up to it.
   */
  latest: Record<string, number>;
}

/** A watermark record (no event): its partition delivered its part of a publish batch. */
export interface WatermarkMark {
  offset: string;
  batch: PublishBatch;
}

interface BatchState {
  required: number;
  arrived: Set<string>;
  firstArrivalMs: number;
  streams: Record<string, number>;
  latest: Record<string, number>;
  /** Partitions that delivered records of the batch. */
  sources: Set<string>;
}

export interface SequencedItem<T> {
  source: string;
  offset: string;
  timeMs: number;
  id: string;
  /** The independent timeline it belongs to (the tenant); '' when there is one. */
  stream: string;
  value: T;
  /** Arrived after later events of its stream had been released (within or beyond the lateness). */
  late: boolean;
  beyondLateness: boolean;
  /** Wall time it was added (for the wait metrics). */
  arrivedAtMs: number;
  /** The consumer's cumulative handler-busy time when it was added (see EventTimeConsumerRunner). */
  arrivedBusyMs: number;
}

/** One stream's view of one partition. */
interface StreamOnPartition {
  /** Newest event time of the stream among arrivals older than holdMs. */
  watermarkMs: number;
  /** Arrivals not yet older than holdMs: [arrivedAt, max event time of that arrival]. */
  held: [number, number][];
  lastArrivalMs: number;
}

interface PartitionState<T> {
  pending: SequencedItem<T>[];
  streams: Map<string, StreamOnPartition>;
  caughtUp: boolean;
  /** Wall time of the last batch added (any stream). */
  lastArrivalMs: number;
  /** Offset after the last message added (what to commit once nothing of it is pending). */
  nextOffset: string | null;
}

interface StreamState {
  frontier: Frontier | null;
  firstSeenMs: number;
  lastArrivalMs: number;
}

export type NewItem<T> = Pick<SequencedItem<T>, 'offset' | 'timeMs' | 'id' | 'value'> & {
  stream?: string;
  batch?: PublishBatch;
};

export type Frontier = { timeMs: number; id: string };

/** How far a watermark has certainly passed: up to timeMs, inclusive unless `strict`. */
interface WatermarkBound {
  timeMs: number;
  strict: boolean;
}

const INFINITE_BOUND: WatermarkBound = { timeMs: Infinity, strict: false };

/** The lower of two bounds (at equal times the strict one). */
const lowerBound = (a: WatermarkBound, b: WatermarkBound): WatermarkBound =>
  a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.strict) ? a : b;

const isBehind = (timeMs: number, bound: WatermarkBound): boolean =>
  timeMs < bound.timeMs || (timeMs === bound.timeMs && !bound.strict);

export const compareEventOrder = (
  a: { timeMs: number; id: string },
  b: { timeMs: number; id: string },
): number => a.timeMs - b.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class EventTimeSequencer<T> {
  private partitions = new Map<string, PartitionState<T>>();
  private streams = new Map<string, StreamState>();
  private batches = new Map<string, BatchState>();
  /** Start time of the last log-end check that found every partition it covered fully read. */
  private idleConfirmedAtMs = -Infinity;
  private idleCheckWanted = false;
  /** Incomplete publish batches given up after batchWaitMs (for the consumer's metric). */
  batchesGivenUp = 0;

  constructor(private readonly options: SequencerOptions) {}

  /** Whether an event waits for a log-end check (brokerConfirmsIdle): the consumer should run one. */
  get wantsIdleCheck(): boolean {
    return this.idleCheckWanted;
  }

  /**
   * Result of a log-end check started at `startedMs`: `lagging` partitions have records not yet
   * added (they are busy, not idle, until they deliver); `atEnd` ones were read to their end,
   * so they are caught up (this also frees a partition whose last fetch reported a lag that no
   * later fetch cleared).
   */
  confirmIdle(startedMs: number, lagging: readonly string[], atEnd: readonly string[] = []): void {
    for (const source of atEnd) {
      const p = this.partitions.get(source);
      if (p) p.caughtUp = true;
    }
    for (const source of lagging) {
      const p = this.partitions.get(source);
      if (p) p.caughtUp = false;
    }
    this.idleConfirmedAtMs = Math.max(this.idleConfirmedAtMs, startedMs);
  }

  /** The offset after the last record added of a partition (null: nothing added yet). */
  position(source: string): string | null {
    return this.partitions.get(source)?.nextOffset ?? null;
  }

  /** A new assignment: everything buffered is dropped (it will be redelivered from the committed offsets). */
  assign(sources: { source: string; caughtUp: boolean }[], _nowMs: number): void {
    this.partitions = new Map(sources.map(({ source, caughtUp }) => [source, this.emptyPartition(caughtUp)]));
    this.streams = new Map();
    this.batches = new Map();
    this.idleConfirmedAtMs = -Infinity; // a check covers only the partitions assigned when it ran
  }

  /** The newest (time, id) released of a stream. */
  frontier(stream = ''): Frontier | null {
    return this.streams.get(stream)?.frontier ?? null;
  }

  get bufferedCount(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.pending.length;
    return n;
  }

  buffered(source: string): number {
    return this.partitions.get(source)?.pending.length ?? 0;
  }

  /**
   * Adds one fetched batch of a partition. `lag` is what the broker reported after it (0: the
   * partition is caught up); `nextOffset` the offset after the batch's last message.
   */
  add(
    source: string,
    items: NewItem<T>[],
    lag: number,
    nextOffset: string,
    nowMs: number,
    busyMs = 0,
    marks: readonly WatermarkMark[] = [],
  ): void {
    let p = this.partitions.get(source);
    if (!p) {
      // A batch of a partition the assignment did not name (the assignment event raced the fetch).
      p = this.emptyPartition(false);
      this.partitions.set(source, p);
    }
    // A batch fetched again (a retried fetch) must not be buffered twice.
    const from = p.nextOffset === null ? null : BigInt(p.nextOffset);
    const fresh = from === null ? items : items.filter((item) => BigInt(item.offset) >= from);
    p.caughtUp = lag <= 0;
    p.lastArrivalMs = nowMs;
    if (from === null || BigInt(nextOffset) > from) p.nextOffset = nextOffset;
    const newest = new Map<string, number>();
    for (const mark of marks) {
      if (from === null || BigInt(mark.offset) >= from) this.noteBatch(mark.batch, `watermark:${source}`, source, nowMs);
    }
    for (const item of fresh) {
      const stream = item.stream ?? '';
      const { batch, ...rest } = item;
      if (batch) this.noteBatch(batch, item.id, source, nowMs); // by id: a batch sent again whole after a failure counts once
      p.pending.push({
        ...rest,
        stream,
        source,
        late: false,
        beyondLateness: false,
        arrivedAtMs: nowMs,
        arrivedBusyMs: busyMs,
      });
      newest.set(stream, Math.max(newest.get(stream) ?? -Infinity, item.timeMs));
    }
    for (const [stream, maxTime] of newest) {
      const known = this.streams.get(stream);
      if (known) known.lastArrivalMs = nowMs;
      else this.streams.set(stream, { frontier: null, firstSeenMs: nowMs, lastArrivalMs: nowMs });
      let sp = p.streams.get(stream);
      if (!sp) {
        sp = { watermarkMs: -Infinity, held: [], lastArrivalMs: nowMs };
        p.streams.set(stream, sp);
      }
      sp.lastArrivalMs = nowMs;
      this.raise(sp, maxTime, nowMs);
    }
  }

  /** Moves a partition's watermark for a stream up to timeMs (after holdMs, if set). */
  private raise(sp: StreamOnPartition, timeMs: number, nowMs: number): void {
    if (this.options.holdMs <= 0) sp.watermarkMs = Math.max(sp.watermarkMs, timeMs);
    else sp.held.push([nowMs, timeMs]);
  }

  /**
   * A publish batch complete here: each partition that delivered records of it has delivered
   * all of them, so what it carries next comes from a later publish call (one produce request
   * per call, in order per partition). Its watermark for every stream of the batch moves up to
   * the batch's latest event time of that stream, whether or not it carried that stream's
   * events: a watermark record is all a quiet partition needs to deliver.
   */
  private completeBatch(state: BatchState, nowMs: number): void {
    for (const source of state.sources) {
      const p = this.partitions.get(source);
      if (!p) continue;
      for (const [stream, latest] of Object.entries(state.latest)) {
        let sp = p.streams.get(stream);
        if (!sp) {
          sp = { watermarkMs: -Infinity, held: [], lastArrivalMs: -Infinity };
          p.streams.set(stream, sp);
        }
        this.raise(sp, latest, nowMs);
      }
    }
  }

  /** The broker says the partition has nothing to read (checked at assignment): it may go idle. */
  markCaughtUp(source: string): void {
    const p = this.partitions.get(source);
    if (p && p.nextOffset === null) p.caughtUp = true;
  }

  /** A stream's low watermark now (+Infinity when every partition is idle for it). */
  watermark(nowMs: number, stream = ''): number {
    return this.watermarks(nowMs, stream).idleExcluded.timeMs;
  }

  /**
   * `idleExcluded`: the minimum over partitions not idle for the stream; `all`: over every
   * partition (what has certainly been passed, idle or not).
   */
  private watermarks(nowMs: number, stream: string): { idleExcluded: WatermarkBound; all: WatermarkBound } {
    const seen = this.streams.get(stream);
    let idleExcluded = INFINITE_BOUND;
    let all = INFINITE_BOUND;
    for (const p of this.partitions.values()) {
      const sp = p.streams.get(stream);
      if (sp) {
        while (sp.held.length > 0 && sp.held[0][0] <= nowMs - this.options.holdMs) {
          sp.watermarkMs = Math.max(sp.watermarkMs, sp.held.shift()![1]);
        }
      }
      const own: WatermarkBound = { timeMs: sp ? sp.watermarkMs : -Infinity, strict: !p.caughtUp };
      all = lowerBound(all, own);
      const quietSince = sp ? sp.lastArrivalMs : (seen?.firstSeenMs ?? -Infinity);
      const idle = p.caughtUp && (sp?.held.length ?? 0) === 0 && nowMs - quietSince >= this.options.idleMs;
      if (!idle) idleExcluded = lowerBound(idleExcluded, own);
    }
    return { idleExcluded, all };
  }

  private get idleConfirmMs(): number {
    return this.options.idleConfirmMs ?? Math.min(50, this.options.idleMs);
  }

  private get batchWaitMs(): number {
    return this.options.batchWaitMs ?? 2000;
  }

  /** May the item pass the partitions that are idle for its stream? */
  private idleConfirmed(item: SequencedItem<T>, nowMs: number): boolean {
    if (this.options.brokerConfirmsIdle) return item.arrivedAtMs <= this.idleConfirmedAtMs;
    return nowMs - item.arrivedAtMs >= this.idleConfirmMs;
  }

  private noteBatch(batch: PublishBatch, arrival: string, source: string, nowMs: number): void {
    let state = this.batches.get(batch.id);
    if (!state) {
      state = {
        required: batch.required,
        arrived: new Set(),
        firstArrivalMs: nowMs,
        streams: batch.streams,
        latest: batch.latest,
        sources: new Set(),
      };
      this.batches.set(batch.id, state);
    }
    state.arrived.add(arrival);
    state.sources.add(source);
    if (state.arrived.size >= state.required) {
      this.batches.delete(batch.id);
      this.completeBatch(state, nowMs);
    }
  }

  /**
   * Removes and returns, in (time, id) order, the buffered events their stream's watermark has
   * passed, plus late arrivals (flagged). At most `limit` events; call again for more.
   */
  release(nowMs: number, limit = Infinity): SequencedItem<T>[] {
    const cache = new Map<string, { idleExcluded: WatermarkBound; all: WatermarkBound }>();
    const watermarkOf = (stream: string) => {
      let w = cache.get(stream);
      if (w === undefined) {
        w = this.watermarks(nowMs, stream);
        cache.set(stream, w);
      }
      return w;
    };
    // Passed by every partition; or by the busy ones, if no event before it (in (time, id)
    // order) is still too young to pass an idle partition: an idle partition's part of the same
    // produce request may be a fetch behind, and what is released must stay a prefix in order.
    const youngest = new Map<string, Frontier>();
    const block = (stream: string, from: Frontier) => {
      const first = youngest.get(stream);
      if (!first || compareEventOrder(from, first) < 0) youngest.set(stream, from);
    };
    let idleCheckWanted = false;
    for (const p of this.partitions.values()) {
      for (const item of p.pending) {
        const w = watermarkOf(item.stream);
        if (isBehind(item.timeMs, w.all) || !isBehind(item.timeMs, w.idleExcluded) || this.idleConfirmed(item, nowMs))
          continue;
        idleCheckWanted = true;
        block(item.stream, { timeMs: item.timeMs, id: item.id });
      }
    }
    // A busy partition that has delivered nothing for idleMs while events wait: ask the broker
    // whether it is at its end after all (its last fetch may have reported a lag nothing cleared).
    if (!idleCheckWanted && this.options.brokerConfirmsIdle) {
      let waiting = false;
      for (const p of this.partitions.values()) if (p.pending.length > 0) waiting = true;
      if (waiting)
        for (const p of this.partitions.values())
          if (!p.caughtUp && nowMs - p.lastArrivalMs >= this.options.idleMs) idleCheckWanted = true;
    }
    this.idleCheckWanted = idleCheckWanted && this.options.brokerConfirmsIdle === true;
    // An incomplete publish batch: its tenants' events from its earliest time on wait for the rest.
    for (const [id, batch] of this.batches) {
      if (nowMs - batch.firstArrivalMs >= this.batchWaitMs) {
        this.batches.delete(id);
        this.batchesGivenUp++;
        continue;
      }
      for (const [stream, minTimeMs] of Object.entries(batch.streams))
        block(stream, { timeMs: minTimeMs, id: '' });
    }
    const passed = (item: SequencedItem<T>) => {
      const w = watermarkOf(item.stream);
      if (isBehind(item.timeMs, w.all)) return true;
      if (!isBehind(item.timeMs, w.idleExcluded)) return false;
      const young = youngest.get(item.stream);
      return !young || compareEventOrder(item, young) < 0;
    };
    const ready: SequencedItem<T>[] = [];
    for (const p of this.partitions.values()) {
      if (p.pending.length === 0) continue;
      const keep: SequencedItem<T>[] = [];
      for (const item of p.pending) {
        const frontier = this.frontier(item.stream);
        if (passed(item) || (frontier && compareEventOrder(item, frontier) < 0)) ready.push(item);
        else keep.push(item);
      }
      p.pending = keep;
    }
    ready.sort(compareEventOrder);
    const out = ready.length > limit ? ready.slice(0, limit) : ready;
    if (out.length < ready.length)
      for (const item of ready.slice(limit)) this.partitions.get(item.source)?.pending.push(item);
    for (const item of out) {
      const state = this.streams.get(item.stream)!;
      if (state.frontier && compareEventOrder(item, state.frontier) < 0) {
        item.late = true;
        item.beyondLateness = item.timeMs < state.frontier.timeMs - this.options.allowedLatenessMs;
      } else {
        state.frontier = { timeMs: item.timeMs, id: item.id };
      }
    }
    this.forgetQuietStreams(nowMs);
    return out;
  }

  /**
   * The offset to commit for a partition: the lowest offset still buffered (or being processed,
   * given as `inFlight`), else the offset after the last message added. Null if nothing was added.
   */
  committable(source: string, inFlight: readonly SequencedItem<T>[] = []): string | null {
    const p = this.partitions.get(source);
    if (!p || p.nextOffset === null) return null;
    let lowest: bigint | null = null;
    const consider = (offset: string) => {
      const o = BigInt(offset);
      if (lowest === null || o < lowest) lowest = o;
    };
    for (const item of p.pending) consider(item.offset);
    for (const item of inFlight) if (item.source === source) consider(item.offset);
    return lowest === null ? p.nextOffset : (lowest as bigint).toString();
  }

  /** Wall time until a watermark can move without a new arrival (held arrivals, idle timeouts). */
  nextChangeInMs(nowMs: number): number | null {
    let next = Infinity;
    for (const p of this.partitions.values()) {
      if (!this.options.brokerConfirmsIdle) {
        for (const item of p.pending) {
          if (nowMs - item.arrivedAtMs < this.idleConfirmMs)
            next = Math.min(next, item.arrivedAtMs + this.idleConfirmMs - nowMs);
        }
      }
      for (const sp of p.streams.values()) {
        if (sp.held.length > 0) next = Math.min(next, sp.held[0][0] + this.options.holdMs - nowMs);
        if (p.caughtUp && nowMs - sp.lastArrivalMs < this.options.idleMs)
          next = Math.min(next, sp.lastArrivalMs + this.options.idleMs - nowMs);
      }
      if (p.caughtUp) {
        for (const stream of this.streams.values()) {
          if (nowMs - stream.firstSeenMs < this.options.idleMs)
            next = Math.min(next, stream.firstSeenMs + this.options.idleMs - nowMs);
        }
      }
    }
    for (const batch of this.batches.values())
      next = Math.min(next, batch.firstArrivalMs + this.batchWaitMs - nowMs);
    return next === Infinity ? null : Math.max(0, next);
  }

  sources(): string[] {
    return [...this.partitions.keys()];
  }

  /** Streams (tenants) that went quiet are dropped, so memory follows the active tenants. */
  private forgetQuietStreams(nowMs: number): void {
    const ttl = this.options.streamTtlMs ?? 3_600_000;
    for (const [stream, state] of this.streams) {
      if (nowMs - state.lastArrivalMs < ttl) continue;
      let pending = false;
      for (const p of this.partitions.values())
        if (p.pending.some((i) => i.stream === stream)) pending = true;
      if (pending) continue;
      this.streams.delete(stream);
      for (const p of this.partitions.values()) p.streams.delete(stream);
    }
  }

  private emptyPartition(caughtUp: boolean): PartitionState<T> {
    return { pending: [], streams: new Map(), caughtUp, lastArrivalMs: -Infinity, nextOffset: null };
  }
}
