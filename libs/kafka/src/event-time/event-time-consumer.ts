import { Logger } from '@nestjs/common';
import { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { counter, gauge, histogram, LATENCY_BUCKETS } from '@vigil/observability';
import { BatchConsumerOptions, heartbeatIntervalFor, observeFetchDelay, restartAfterFatalCrash, safeDecode, toInbound } from '../batch-consumer';
import { deadLetterMessage } from '../dead-letter';
import { BatchAborted, HandlerRetries } from '../handler-retries';
import { DecodedMessage, InboundMessage, MessagePublisher, OutboundMessage } from '../ports';
import { EventTimeSequencer, NewItem, SequencedItem, WatermarkMark } from './event-time-sequencer';
import { isWatermarkRecord, PUBLISH_BATCH_HEADER, readPublishBatch } from './publish-batch';
import { SingleActiveAssigner } from './single-active-assigner';

const lateEvents = counter({
  name: 'vigil_stream_late_events_total',
  help: 'Events that arrived after later events had been released; beyond_lateness: only order-independent state applied',
  labelNames: ['group', 'topic', 'beyond_lateness'],
});
const WAIT_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5, 5, 10];
const alignmentDelay = histogram({
  name: 'vigil_stream_alignment_delay_seconds',
  help: "What ordering costs: the part of an event's wait in the sequencer while the handler was free, i.e. held back only by the low watermark",
  labelNames: ['group'],
  buckets: WAIT_BUCKETS,
});
const sequencerWait = histogram({
  name: 'vigil_stream_wait_seconds',
  help: "Wall time from fetch to release: the alignment delay plus queueing behind the handler's earlier chunks",
  labelNames: ['group'],
  buckets: WAIT_BUCKETS,
});
const bufferedEvents = gauge({
  name: 'vigil_stream_buffered_events',
  help: 'Events waiting for the low watermark',
  labelNames: ['group'],
});
const releaseDuration = histogram({
  name: 'vigil_stream_release_duration_seconds',
  help: 'Time to process and commit one released chunk',
  labelNames: ['group'],
  buckets: LATENCY_BUCKETS,
});
const IDLE_CHECK_SPACING_MS = 20;
const idleChecks = counter({
  name: 'vigil_stream_idle_checks_total',
  help: 'Log-end checks before events pass idle partitions, by outcome (idle: nothing more to read; lagging: a partition had records in flight; failed)',
  labelNames: ['group', 'outcome'],
});
const batchesGivenUp = counter({
  name: 'vigil_stream_publish_batches_given_up_total',
  help: 'Publish batches still incomplete after the batch wait: their tenants were released without the missing records',
  labelNames: ['group'],
});
const messagesTotal = counter({
  name: 'vigil_kafka_consumer_messages_total',
  help: 'Consumed messages by outcome (processed, dead_lettered)',
  labelNames: ['group', 'outcome'],
});

/** A decoded event released in event-time order, with where it stands against what was released before. */
export interface SequencedMessage<T> extends DecodedMessage<T> {
  /** It arrived after later events were released (evaluated out of order). */
  late: boolean;
  /** Later than the allowed lateness: apply order-independent state only, evaluate nothing. */
  beyondLateness: boolean;
}

export type SequencedHandler<T> = (messages: SequencedMessage<T>[]) => Promise<void>;

export interface EventTimeConsumerOptions<T> extends Omit<
  BatchConsumerOptions<T>,
  'handle' | 'partitionsConsumedConcurrently'
> {
  /** The event time, tie-breaking id and independent timeline (the tenant) of a decoded value. */
  eventTime: (value: T) => { timeMs: number; id: string; stream?: string };
  handle: SequencedHandler<T>;
  allowedLatenessMs: number;
  /** See SequencerOptions.holdMs (default 0). */
  holdMs?: number;
  /** See SequencerOptions.idleMs (default 200 ms): the longest an idle partition delays the others. */
  idleMs?: number;
  /** A partition with this many events waiting is paused until half of them are released (default 500). */
  maxBufferedPerPartition?: number;
  /**
   * The broker's longest wait for data in a fetch (default 100 ms). It is also how long kafkajs
   * sleeps when every partition is paused before it looks again: with kafkajs' default (5 s) a
   * consumer whose handler was the bottleneck stalled for seconds after each drain, which is why
   * a smaller maxBufferedPerPartition used to cost most of the throughput.
   */
  maxWaitTimeInMs?: number;
  /** Events per handler call (default 1,000). */
  maxChunk?: number;
}

type Message = SequencedMessage<unknown> & { item: SequencedItem<DecodedMessage<unknown>> };

/**
 * A consumer group member whose handler sees the events of ALL its partitions as one stream in
 * event-time order (see EventTimeSequencer for the watermark). Delivery as in BatchConsumerRunner
 * (poison dead-lettered at once, transient failures retried forever, bisection for the rest),
 * but a partition's offset is committed only up to its oldest event not yet handled, so a crash
 * redelivers exactly what was still waiting. The group uses SingleActiveAssigner: one member
 * holds every partition and the others are standbys (the ordering needs all of them in one place).
 */
export class EventTimeConsumerRunner<T> {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly retries: HandlerRetries;
  private readonly sequencer: EventTimeSequencer<DecodedMessage<T>>;
  private readonly maxBuffered: number;
  private readonly maxChunk: number;
  private generation = 0;
  private running = false;
  private stopping = false;
  /** Cumulative wall time the release loop spent handling and committing chunks (see the wait metrics). */
  private busyMs = 0;
  private pumping: Promise<void> | null = null;
  private repump = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly paused = new Set<string>();
  private readonly committed = new Map<string, string>();
  private assigned: { topic: string; partition: number }[] = [];
  /** Where each partition's reading starts (committed offset or reset point), for the idle check. */
  private startPositions = new Map<string, bigint>();
  private idleCheck: Promise<void> | null = null;
  private idleCheckTimer: NodeJS.Timeout | null = null;
  private lastIdleCheckMs = -Infinity;
  private givenUpSeen = 0;

  constructor(
    kafka: Kafka,
    private readonly publisher: MessagePublisher,
    private readonly opts: EventTimeConsumerOptions<T>,
  ) {
    this.logger = new Logger(`EventTimeConsumer:${opts.groupId}`);
    this.retries = new HandlerRetries({
      groupId: opts.groupId,
      deadLetterTopic: opts.deadLetterTopic,
      maxAttempts: opts.maxAttempts ?? 3,
      initialBackoffMs: opts.initialBackoffMs ?? 100,
      maxBackoffMs: opts.maxBackoffMs ?? 5000,
    });
    this.sequencer = new EventTimeSequencer({
      holdMs: opts.holdMs ?? 0,
      idleMs: opts.idleMs ?? 200,
      allowedLatenessMs: opts.allowedLatenessMs,
      brokerConfirmsIdle: true,
    });
    this.maxBuffered = opts.maxBufferedPerPartition ?? 500;
    this.maxChunk = opts.maxChunk ?? 1000;
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      partitionAssigners: [SingleActiveAssigner],
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: heartbeatIntervalFor(opts.sessionTimeoutMs ?? 30_000),
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 512 * 1024,
      maxBytes: opts.maxBytes ?? 2 * 1024 * 1024,
      maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 100,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.admin = kafka.admin();
    // Registered once: start() runs again after a fatal crash.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment));
    restartAfterFatalCrash(this.consumer, this.logger, () => this.stopping, () => this.start());
  }

  get groupId(): string {
    return this.opts.groupId;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Partitions this member holds (empty on a standby). */
  get assignment(): readonly { topic: string; partition: number }[] {
    return this.assigned;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.opts.topics,
      fromBeginning: this.opts.fromBeginning ?? false,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition's batch is taken in at once (the handler runs apart, in event-time order).
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => this.take(payload),
    });
    this.running = true;
  }

  /** Finishes the chunk in hand, commits it and leaves the group; waiting events are redelivered later. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.idleCheckTimer) clearTimeout(this.idleCheckTimer);
    await this.pumping;
    await this.consumer.disconnect();
    await this.admin.disconnect().catch(() => undefined);
    this.running = false;
  }

  waitForAssignment(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no group join of ${this.opts.groupId} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const off = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  private onAssignment(memberAssignment: Record<string, number[]>): void {
    this.generation++;
    this.paused.clear();
    this.committed.clear();
    this.startPositions = new Map();
    this.assigned = Object.entries(memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    this.sequencer.assign(
      this.assigned.map(({ topic, partition }) => ({ source: sourceOf(topic, partition), caughtUp: false })),
      Date.now(),
    );
    void this.markEmptyPartitions(this.generation);
  }

  /** A partition with nothing to read holds nobody back: ask the broker which ones are at their end. */
  private async markEmptyPartitions(generation: number): Promise<void> {
    try {
      const topics = [...new Set(this.assigned.map((a) => a.topic))];
      const committed = await this.admin.fetchOffsets({ groupId: this.opts.groupId, topics });
      for (const topic of topics) {
        const ends = await this.admin.fetchTopicOffsets(topic);
        const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const end of ends) {
          const position = done.find((p) => p.partition === end.partition)?.offset ?? '-1';
          const from =
            BigInt(position) >= 0n ? BigInt(position) : BigInt(this.opts.fromBeginning ? end.low : end.high);
          if (generation === this.generation) this.startPositions.set(sourceOf(topic, end.partition), from);
          if (generation === this.generation && from >= BigInt(end.high))
            this.sequencer.markCaughtUp(sourceOf(topic, end.partition));
        }
      }
      this.schedule();
    } catch (error) {
      // Not fatal: such partitions count as busy until their first fetch says otherwise.
      this.logger.warn(`could not read partition ends: ${(error as Error).message}`);
    }
  }

  /** eachBatch: decode, dead-letter poison, buffer the rest, and let the fetcher go on at once. */
  private async take({ batch, isStale, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || isStale() || this.stopping) return;
    const group = this.opts.groupId;
    observeFetchDelay(group, batch.messages);
    const source = sourceOf(batch.topic, batch.partition);
    const items: NewItem<DecodedMessage<T>>[] = [];
    const marks: WatermarkMark[] = [];
    const poison: OutboundMessage[] = [];
    for (const m of batch.messages) {
      const message = toInbound(batch.topic, batch.partition, m);
      if (isWatermarkRecord(message.headers)) {
        const publishBatch = readPublishBatch(message.headers[PUBLISH_BATCH_HEADER], this.opts.topics);
        if (publishBatch) marks.push({ offset: message.offset, batch: publishBatch });
        continue; // no event: nothing to decode, dead-letter or handle
      }
      const decoded = safeDecode(this.opts.decode, message);
      if (!decoded.ok) {
        poison.push(
          deadLetterMessage(this.opts.deadLetterTopic, group, message, decoded.reason, decoded.details),
        );
        continue;
      }
      const { timeMs, id, stream } = this.opts.eventTime(decoded.value);
      const publishBatch = readPublishBatch(message.headers[PUBLISH_BATCH_HEADER], this.opts.topics);
      items.push({
        offset: message.offset,
        timeMs,
        id,
        stream,
        batch: publishBatch,
        value: { message: retainedCopy(message), value: decoded.value },
      });
    }
    if (poison.length > 0) {
      await this.retries.publishDeadLetters((records) => this.publisher.publish(records), poison, isStale);
      messagesTotal.inc({ group, outcome: 'dead_lettered' }, poison.length);
    }
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    this.sequencer.add(source, items, Number(batch.offsetLag()), next, Date.now(), this.busyMs, marks);
    resolveOffset(batch.lastOffset());
    if (this.sequencer.buffered(source) >= this.maxBuffered && !this.paused.has(source)) {
      this.paused.add(source);
      this.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    }
    bufferedEvents.set({ group }, this.sequencer.bufferedCount);
    await heartbeat();
    this.schedule();
  }

  /** Runs the release loop now (or right after the running one). */
  private schedule(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.repump = true;
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.pumping = this.pump()
      .catch((error) => {
        if (!(error instanceof BatchAborted))
          this.logger.error(`release loop failed: ${(error as Error).message}`);
      })
      .finally(() => {
        this.pumping = null;
        if (this.repump) {
          this.repump = false;
          this.schedule();
          return;
        }
        if (this.sequencer.wantsIdleCheck) void this.checkIdle();
        // Events waiting with no timer due: look again within a second anyway (cheap insurance
        // that a missed wake-up can delay events, never hold them for good).
        const wait =
          this.sequencer.nextChangeInMs(Date.now()) ?? (this.sequencer.bufferedCount > 0 ? 1000 : null);
        if (wait !== null && !this.stopping) this.timer = setTimeout(() => this.schedule(), wait + 1);
      });
  }

  /**
   * Asks the brokers for the log ends of every partition held: a partition read up to its end
   * has nothing an event that arrived before this check could be waiting for (one check at a time).
   */
  private checkIdle(): Promise<void> {
    if (this.idleCheck || this.stopping) return this.idleCheck ?? Promise.resolve();
    // Back to back while a partition stays busy: at most one check per IDLE_CHECK_SPACING_MS.
    const wait = this.lastIdleCheckMs + IDLE_CHECK_SPACING_MS - Date.now();
    if (wait > 0) {
      this.idleCheckTimer ??= setTimeout(() => {
        this.idleCheckTimer = null;
        void this.checkIdle();
      }, wait);
      return Promise.resolve();
    }
    const group = this.opts.groupId;
    const generation = this.generation;
    const startedMs = Date.now();
    this.lastIdleCheckMs = startedMs;
    this.idleCheck = (async () => {
      const topics = [...new Set(this.assigned.map((a) => a.topic))];
      const ends = await Promise.all(
        topics.map(async (topic) => ({ topic, partitions: await this.admin.fetchTopicOffsets(topic) })),
      );
      if (generation !== this.generation) return;
      const held = new Set(this.assigned.map((a) => sourceOf(a.topic, a.partition)));
      const lagging: string[] = [];
      const atEnd: string[] = [];
      for (const { topic, partitions } of ends) {
        for (const end of partitions) {
          const source = sourceOf(topic, end.partition);
          if (!held.has(source)) continue;
          const position = this.sequencer.position(source);
          const reached = position !== null ? BigInt(position) : this.startPositions.get(source);
          // Unknown start (the assignment's end check has not answered yet): that partition is not
          // idle anyway, and marking it busy here could outlive the answer and hold it forever.
          if (reached !== undefined && reached < BigInt(end.high)) lagging.push(source);
          else if (reached !== undefined) atEnd.push(source);
        }
      }
      this.sequencer.confirmIdle(startedMs, lagging, atEnd);
      idleChecks.inc({ group, outcome: lagging.length ? 'lagging' : 'idle' });
    })()
      .catch(async (error) => {
        idleChecks.inc({ group, outcome: 'failed' });
        this.logger.debug(`log-end check failed, retrying: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      })
      .finally(() => {
        this.idleCheck = null;
        this.schedule();
      });
    return this.idleCheck;
  }

  private async pump(): Promise<void> {
    const group = this.opts.groupId;
    for (;;) {
      const generation = this.generation;
      const now = Date.now();
      const items = this.sequencer.release(now, this.maxChunk);
      if (this.sequencer.batchesGivenUp > this.givenUpSeen) {
        batchesGivenUp.inc({ group }, this.sequencer.batchesGivenUp - this.givenUpSeen);
        this.logger.warn(
          `${this.sequencer.batchesGivenUp - this.givenUpSeen} publish batch(es) still incomplete after the batch wait: released without the missing records`,
        );
        this.givenUpSeen = this.sequencer.batchesGivenUp;
      }
      if (items.length === 0) {
        // Nothing waits: commit what only watermark records moved (partitions no chunk touched),
        // or the group's lag would never drain.
        if (this.sequencer.bufferedCount === 0 && generation === this.generation) await this.commit(new Set(this.sequencer.sources()));
        return;
      }
      const started = performance.now();
      const messages: Message[] = items.map((item) => {
        // Of its wait, the time the handler was busy with earlier chunks is queueing (it would
        // be there without ordering too); the rest is what the watermark held it back.
        const waitMs = Math.max(0, now - item.arrivedAtMs);
        sequencerWait.observe({ group }, waitMs / 1000);
        alignmentDelay.observe({ group }, Math.max(0, waitMs - (this.busyMs - item.arrivedBusyMs)) / 1000);
        if (item.late)
          lateEvents.inc({
            group,
            topic: item.value.message.topic,
            beyond_lateness: String(item.beyondLateness),
          });
        return { ...item.value, late: item.late, beyondLateness: item.beyondLateness, item };
      });
      const control = {
        shouldContinue: () => !this.stopping || this.running,
        isStale: () => generation !== this.generation,
        heartbeat: async () => undefined,
      };
      const failed = await this.retries.run(
        messages,
        (chunk) => this.opts.handle(chunk as unknown as SequencedMessage<T>[]),
        control,
      );
      if (failed.length > 0) {
        await this.retries.publishDeadLetters(
          (records) => this.publisher.publish(records),
          failed,
          control.isStale,
        );
        messagesTotal.inc({ group, outcome: 'dead_lettered' }, failed.length);
      }
      messagesTotal.inc({ group, outcome: 'processed' }, items.length - failed.length);
      if (generation !== this.generation) {
        this.busyMs += performance.now() - started;
        continue; // the partitions moved: the new owner redoes what is uncommitted
      }
      // Every partition, not only the chunk's: nothing is in flight now, and a partition that
      // delivered only watermark records has its position to commit too.
      await this.commit(new Set(this.sequencer.sources()));
      this.resumeDrained();
      bufferedEvents.set({ group }, this.sequencer.bufferedCount);
      const busy = performance.now() - started;
      this.busyMs += busy;
      releaseDuration.observe({ group }, busy / 1000);
    }
  }

  private async commit(sources: Set<string>): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const source of sources) {
      const offset = this.sequencer.committable(source);
      if (offset === null || this.committed.get(source) === offset) continue;
      const { topic, partition } = parseSource(source);
      offsets.push({ topic, partition, offset });
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
      for (const o of offsets) this.committed.set(sourceOf(o.topic, o.partition), o.offset);
    } catch (error) {
      // A rebalance in progress: the next owner starts from the last commit and redoes the rest
      // (counters are exactly-once by event id, signals have deterministic ids).
      this.logger.warn(`commit failed, will be redone: ${(error as Error).message}`);
    }
  }

  private resumeDrained(): void {
    for (const source of [...this.paused]) {
      if (this.sequencer.buffered(source) > this.maxBuffered / 2) continue;
      this.paused.delete(source);
      const { topic, partition } = parseSource(source);
      this.consumer.resume([{ topic, partitions: [partition] }]);
    }
  }
}

/**
 * What an event keeps of its record while it waits in the sequencer (tens of thousands may wait
 * when the handler is the bottleneck): its value copied out of the fetch response (kafkajs hands
 * out slices, and one slice keeps the whole response, up to maxBytes, alive until its last event
 * is released), without the publish-batch header, already read (~300 bytes of JSON per record
 * that a dead letter does not need: the batch is ingestion's ordering stamp, not the event's).
 */
export function retainedCopy(message: InboundMessage): InboundMessage {
  const headers = { ...message.headers };
  delete headers[PUBLISH_BATCH_HEADER];
  return { ...message, headers, value: message.value === null ? null : Buffer.from(message.value) };
}

const sourceOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;
function parseSource(source: string): { topic: string; partition: number } {
  const split = source.lastIndexOf('\u0000');
  return { topic: source.slice(0, split), partition: Number(source.slice(split + 1)) };
}
