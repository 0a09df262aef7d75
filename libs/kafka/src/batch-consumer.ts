import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { BATCH_SIZE_BUCKETS, counter, gauge, histogram, LATENCY_BUCKETS } from '@vigil/observability';
import { deadLetterMessage } from './dead-letter';
import { HandlerRetries } from './handler-retries';
import {
  BatchHandler,
  Decoded,
  DecodedMessage,
  InboundMessage,
  MessagePublisher,
  OutboundMessage,
} from './ports';

const consumerLag = gauge({
  name: 'vigil_kafka_consumer_lag_messages',
  help: 'Messages between the last one consumed and the end of the partition',
  labelNames: ['group', 'topic', 'partition'],
});
const batchSize = histogram({
  name: 'vigil_kafka_consumer_batch_messages',
  help: 'Messages per consumed batch',
  labelNames: ['group'],
  buckets: BATCH_SIZE_BUCKETS,
});
const batchDuration = histogram({
  name: 'vigil_kafka_consumer_batch_duration_seconds',
  help: 'Time to process and commit one batch',
  labelNames: ['group'],
  buckets: LATENCY_BUCKETS,
});
const fetchDelay = histogram({
  name: 'vigil_kafka_fetch_delay_seconds',
  help: "Wall time from a record's producer timestamp to its arrival in this consumer (the hop's broker and fetch cost)",
  labelNames: ['group'],
  buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/** Records how long each fetched record took from its producer to this consumer. */
export function observeFetchDelay(group: string, messages: readonly KafkaMessage[], nowMs = Date.now()): void {
  for (const m of messages) fetchDelay.observe({ group }, Math.max(0, nowMs - Number(m.timestamp)) / 1000);
}

const messagesTotal = counter({
  name: 'vigil_kafka_consumer_messages_total',
  help: 'Consumed messages by outcome (processed, dead_lettered)',
  labelNames: ['group', 'outcome'],
});

/**
 * kafkajs stops a consumer for good after an error it deems not retriable (e.g. "request is not
 * a function" when a broker comes back mid-request): left alone, the service stays up with a
 * dead consumer and its lag never drains. This starts it again, with backoff, until it runs or
 * the runner stops; the committed offsets make the redone work idempotent.
 */
export function restartAfterFatalCrash(consumer: Consumer, logger: Logger, stopping: () => boolean, start: () => Promise<void>): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error(`consumer crashed: ${payload.error.message} (kafkajs restarts it: ${payload.restart})`);
    if (payload.restart || stopping()) return;
    void (async () => {
      for (let delayMs = 1000; !stopping(); delayMs = Math.min(delayMs * 2, 10_000)) {
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
        if (stopping()) return;
        try {
          await consumer.disconnect().catch(() => undefined);
          await start();
          logger.warn('consumer started again after a crash');
          return;
        } catch (error) {
          logger.warn(`consumer could not start again after a crash (retrying): ${(error as Error).message}`);
        }
      }
    })();
  });
}

/** Kafka's advice: heartbeat at most every third of the session timeout (3 s by default). */
export function heartbeatIntervalFor(sessionTimeoutMs: number): number {
  return Math.min(3000, Math.floor(sessionTimeoutMs / 3));
}

export interface BatchConsumerOptions<T> {
  groupId: string;
  topics: string[];
  /** Turns raw bytes into a typed value or says why it is poison (dead-lettered at once). */
  decode: (message: InboundMessage) => Decoded<T>;
  handle: BatchHandler<T>;
  deadLetterTopic: string;
  /** Attempts for a non-transient failure before the batch is split to find the poison message. */
  maxAttempts?: number;
  /** First retry delay; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  fromBeginning?: boolean;
  /** Partitions processed in parallel by this member. */
  partitionsConsumedConcurrently?: number;
  /** Upper bound on bytes fetched per partition and request: bounds memory per batch. */
  maxBytesPerPartition?: number;
  /**
   * Upper bound on bytes per fetch over all partitions (kafkajs' default is 10 MiB). What a
   * consumer holds in memory is a few times this once decoded; under a backlog every member
   * keeps a full fetch in flight, so this is what keeps a service's memory flat while it catches up.
   */
  maxBytes?: number;
  sessionTimeoutMs?: number;
}

/**
 * Runs a consumer group member over kafkajs' eachBatch with the delivery rules Vigil relies on:
 * - offsets are committed only after the handler succeeded for the whole batch (at-least-once);
 * - undecodable messages go to the dead-letter topic with the reason, the source coordinates
 *   and the original payload, and never reach the handler;
 * - transient failures (broker or Redis down) are retried with capped exponential backoff for
 *   as long as it takes: valid events are never dead-lettered because of an outage;
 * - other failures are retried `maxAttempts` times, then the batch is split in halves down to
 *   single messages, and only the messages that fail alone are dead-lettered;
 * - stop() finishes the batch in hand, commits and leaves the group.
 */
export class BatchConsumerRunner<T> {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private readonly opts: Required<Omit<BatchConsumerOptions<T>, 'fromBeginning'>> & {
    fromBeginning: boolean;
  };
  private readonly retries: HandlerRetries;
  private running = false;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly publisher: MessagePublisher,
    options: BatchConsumerOptions<T>,
  ) {
    this.opts = {
      maxAttempts: 3,
      initialBackoffMs: 100,
      maxBackoffMs: 5000,
      fromBeginning: false,
      partitionsConsumedConcurrently: 1,
      maxBytesPerPartition: 512 * 1024,
      maxBytes: 2 * 1024 * 1024,
      sessionTimeoutMs: 30_000,
      ...options,
    };
    this.logger = new Logger(`BatchConsumer:${options.groupId}`);
    this.retries = new HandlerRetries({ ...this.opts, groupId: options.groupId });
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.opts.sessionTimeoutMs,
      heartbeatInterval: heartbeatIntervalFor(this.opts.sessionTimeoutMs),
      maxBytesPerPartition: this.opts.maxBytesPerPartition,
      maxBytes: this.opts.maxBytes,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    restartAfterFatalCrash(this.consumer, this.logger, () => this.stopping, () => this.start());
  }

  get groupId(): string {
    return this.opts.groupId;
  }

  /** Whether the member currently holds a group session (for health checks). */
  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.opts.topics, fromBeginning: this.opts.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.processBatch(payload),
    });
    this.running = true;
  }

  /** Finishes the batch in hand (kafkajs waits for it), commits it and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
    this.running = false;
  }

  /** Resolves once this member has been assigned partitions (useful before producing in tests). */
  waitForAssignment(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no partitions assigned to ${this.opts.groupId} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const off = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  private async processBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    observeFetchDelay(this.opts.groupId, batch.messages);
    const started = performance.now();
    const group = this.opts.groupId;
    const inbound = batch.messages.map((m) => toInbound(batch.topic, batch.partition, m));

    const valid: DecodedMessage<T>[] = [];
    const poison: OutboundMessage[] = [];
    for (const message of inbound) {
      const decoded = safeDecode(this.opts.decode, message);
      if (decoded.ok) valid.push({ message, value: decoded.value });
      else
        poison.push(
          deadLetterMessage(this.opts.deadLetterTopic, group, message, decoded.reason, decoded.details),
        );
    }

    const context = { topic: batch.topic, partition: batch.partition, heartbeat };
    const control = { shouldContinue: () => !this.stopping || isRunning(), isStale, heartbeat };
    const failed =
      valid.length > 0
        ? await this.retries.run(valid, (messages) => this.opts.handle(messages, context), control)
        : [];
    poison.push(...failed);

    if (poison.length > 0) {
      await this.retries.publishDeadLetters((records) => this.publisher.publish(records), poison, isStale);
      messagesTotal.inc({ group, outcome: 'dead_lettered' }, poison.length);
    }
    messagesTotal.inc({ group, outcome: 'processed' }, inbound.length - poison.length);

    // The batch payload's commit goes straight to the group coordinator, also while stop() is
    // waiting for this batch (consumer.commitOffsets would skip it once stopping).
    resolveOffset(batch.lastOffset());
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    await commitOffsetsIfNecessary({
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
    });
    consumerLag.set(
      { group, topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
    batchSize.observe({ group }, inbound.length);
    batchDuration.observe({ group }, (performance.now() - started) / 1000);
    await heartbeat();
  }
}

/** Runs a decoder; one that throws makes the message poison with the reason. */
export function safeDecode<T>(
  decode: (message: InboundMessage) => Decoded<T>,
  message: InboundMessage,
): Decoded<T> {
  try {
    return decode(message);
  } catch (error) {
    return { ok: false, reason: `decode failed: ${(error as Error).message}` };
  }
}

export function toInbound(topic: string, partition: number, m: KafkaMessage): InboundMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value !== undefined)
      headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value,
    headers,
    timestamp: m.timestamp,
  };
}
