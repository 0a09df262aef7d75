import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { BATCH_SIZE_BUCKETS, counter, gauge, histogram, LATENCY_BUCKETS } from '@vigil/observability';
import { deadLetterMessage } from './dead-letter';
import { isTransient } from './errors';
import { BatchHandler, Decoded, DecodedMessage, InboundMessage, MessagePublisher, OutboundMessage } from './ports';

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
const messagesTotal = counter({
  name: 'vigil_kafka_consumer_messages_total',
  help: 'Consumed messages by outcome (processed, dead_lettered)',
  labelNames: ['group', 'outcome'],
});
const handlerErrors = counter({
  name: 'vigil_kafka_consumer_handler_errors_total',
  help: 'Failed handler attempts by kind (transient: retried until it passes; permanent: isolated, then dead-lettered)',
  labelNames: ['group', 'kind'],
});

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

class BatchAborted extends Error {
  constructor() {
    super('consumer stopping or rebalancing: batch left uncommitted for redelivery');
  }
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
  private readonly opts: Required<Omit<BatchConsumerOptions<T>, 'fromBeginning'>> & { fromBeginning: boolean };
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
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.opts.sessionTimeoutMs,
      heartbeatInterval: 3000,
      maxBytesPerPartition: this.opts.maxBytesPerPartition,
      maxBytes: this.opts.maxBytes,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
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
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      this.logger.error(`consumer crashed: ${payload.error.message} (restart: ${payload.restart})`),
    );
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
      const timer = setTimeout(() => reject(new Error(`no partitions assigned to ${this.opts.groupId} within ${timeoutMs} ms`)), timeoutMs);
      const off = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  private async processBatch({ batch, heartbeat, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const started = performance.now();
    const group = this.opts.groupId;
    const inbound = batch.messages.map((m) => toInbound(batch.topic, batch.partition, m));

    const valid: DecodedMessage<T>[] = [];
    const poison: OutboundMessage[] = [];
    for (const message of inbound) {
      const decoded = this.safeDecode(message);
      if (decoded.ok) valid.push({ message, value: decoded.value });
      else poison.push(deadLetterMessage(this.opts.deadLetterTopic, group, message, decoded.reason, decoded.details));
    }

    const shouldContinue = () => !this.stopping || isRunning();
    const context = { topic: batch.topic, partition: batch.partition, heartbeat };
    const failed = valid.length > 0 ? await this.handleWithRetries(valid, context, shouldContinue, isStale) : [];
    poison.push(...failed);

    if (poison.length > 0) {
      await this.retryTransient(() => this.publisher.publish(poison), 'dead-letter publish', isStale);
      messagesTotal.inc({ group, outcome: 'dead_lettered' }, poison.length);
    }
    messagesTotal.inc({ group, outcome: 'processed' }, inbound.length - poison.length);

    // The batch payload's commit goes straight to the group coordinator, also while stop() is
    // waiting for this batch (consumer.commitOffsets would skip it once stopping).
    resolveOffset(batch.lastOffset());
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
    consumerLag.set({ group, topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    batchSize.observe({ group }, inbound.length);
    batchDuration.observe({ group }, (performance.now() - started) / 1000);
    await heartbeat();
  }

  private safeDecode(message: InboundMessage): Decoded<T> {
    try {
      return this.opts.decode(message);
    } catch (error) {
      return { ok: false, reason: `decode failed: ${(error as Error).message}` };
    }
  }

  /** Returns the dead-letter messages for the messages that fail on their own. */
  private async handleWithRetries(
    messages: DecodedMessage<T>[],
    context: Parameters<BatchHandler<T>>[1],
    shouldContinue: () => boolean,
    isStale: () => boolean,
  ): Promise<OutboundMessage[]> {
    let permanentFailures = 0;
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.opts.handle(messages, context);
        return [];
      } catch (error) {
        lastError = error;
        const transient = isTransient(error);
        handlerErrors.inc({ group: this.opts.groupId, kind: transient ? 'transient' : 'permanent' });
        if (!transient) permanentFailures++;
        if (permanentFailures >= this.opts.maxAttempts) break;
        this.logger.warn(
          `batch of ${messages.length} failed (attempt ${attempt + 1}, ${transient ? 'transient' : 'permanent'}): ${(error as Error).message}`,
        );
        if (isStale() || !shouldContinue()) throw new BatchAborted();
        await sleep(this.backoff(attempt));
        await context.heartbeat().catch(() => undefined);
      }
    }
    if (messages.length === 1) {
      const { message } = messages[0];
      this.logger.error(`dead-lettering ${message.topic}/${message.partition}/${message.offset}: ${(lastError as Error).message}`);
      return [
        deadLetterMessage(this.opts.deadLetterTopic, this.opts.groupId, message, `handler failed: ${(lastError as Error).message}`, {
          error: (lastError as Error).name,
        }),
      ];
    }
    // Bisect so one poison message costs O(log n) extra attempts, not the whole batch.
    const middle = Math.ceil(messages.length / 2);
    return [
      ...(await this.handleWithRetries(messages.slice(0, middle), context, shouldContinue, isStale)),
      ...(await this.handleWithRetries(messages.slice(middle), context, shouldContinue, isStale)),
    ];
  }

  private async retryTransient(action: () => Promise<void>, what: string, isStale: () => boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await action();
      } catch (error) {
        this.logger.warn(`${what} failed (attempt ${attempt + 1}): ${(error as Error).message}`);
        if (isStale()) throw new BatchAborted();
        await sleep(this.backoff(attempt));
      }
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.opts.maxBackoffMs, this.opts.initialBackoffMs * 2 ** attempt);
    return base / 2 + Math.random() * (base / 2);
  }
}

function toInbound(topic: string, partition: number, m: KafkaMessage): InboundMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
