import { Logger } from '@nestjs/common';
import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';
import { counter, gauge, histogram, LATENCY_BUCKETS, BATCH_SIZE_BUCKETS } from '@vigil/observability';
import { PublisherOverloadedError, PublishTimeoutError, TransientError } from './errors';
import { DEFAULT_PUBLISHER_OPTIONS, PublisherOptions } from './kafka.options';
import { MessagePublisher, OutboundMessage } from './ports';
import { PartitionLookup } from './event-time/publish-batch';

const publishLatency = histogram({
  name: 'vigil_kafka_publish_duration_seconds',
  help: 'Time from publish() to the broker acknowledging (acks=all)',
  buckets: LATENCY_BUCKETS,
});
const produceBatchSize = histogram({
  name: 'vigil_kafka_produce_batch_messages',
  help: 'Messages per produce request',
  buckets: BATCH_SIZE_BUCKETS,
});
const publishErrors = counter({
  name: 'vigil_kafka_publish_errors_total',
  help: 'Messages whose publish failed, by reason',
  labelNames: ['reason'],
});
const unacknowledged = counter({
  name: 'vigil_kafka_unacknowledged_messages_total',
  help: 'Messages kafkajs reported sent although no broker acknowledged their partition (sent again)',
});
const queueDepth = gauge({
  name: 'vigil_kafka_publish_queue_messages',
  help: 'Messages waiting to be produced',
});

interface Pending {
  messages: OutboundMessage[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  started: number;
}

/**
 * An idempotent (acks=all) producer with linger batching: concurrent publish() calls are
 * gathered for up to `lingerMs` and sent in one produce request, one request in flight at a
 * time so ordering per partition holds. kafkajs' producer has no linger of its own, so this
 * class adds it; the queue is bounded and rejects when full.
 */
export class KafkaPublisher implements MessagePublisher, PartitionLookup {
  private readonly logger = new Logger(KafkaPublisher.name);
  private readonly options: PublisherOptions;
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private queued = 0;
  private flushing = false;
  private timer: NodeJS.Timeout | null = null;
  private connected: Promise<void> | null = null;
  /** Partition of each message of the sendBatch in flight (one at a time: flush is single-flight). */
  private assigned: Map<object, string> | null = null;
  /** Partitions per topic as the producer's metadata last showed them (PartitionLookup). */
  private readonly partitionCounts = new Map<string, number>();
  private readonly keyPartitioner = Partitioners.DefaultPartitioner();

  constructor(kafka: Kafka, options: Partial<PublisherOptions> = {}) {
    this.options = { ...DEFAULT_PUBLISHER_OPTIONS, ...options };
    this.producer = kafka.producer({
      // Chosen explicitly: kafkajs 2's default, the Java client's murmur2 partitioning (the same
      // partition for a key as every Java producer and as before), without its start-up notice.
      // Wrapped to learn each message's partition, so sendWhole can check every one was acknowledged.
      createPartitioner: () => {
        const partition = Partitioners.DefaultPartitioner();
        return (args) => {
          this.partitionCounts.set(args.topic, args.partitionMetadata.length);
          const chosen = partition(args);
          this.assigned?.set(args.message, `${args.topic}\u0000${chosen}`);
          return chosen;
        };
      },
      idempotent: true,
      maxInFlightRequests: 1,
      // Bounded, so an outage surfaces as an error the caller can turn into 503 instead of a
      // request that hangs; duplicates a retry may cause are removed downstream by event id.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    });
  }

  partitionCount(topic: string): number | undefined {
    return this.partitionCounts.get(topic);
  }

  /** The producer's own choice (murmur2 of the key, as partitionMetadata of `count` partitions gives). */
  partitionFor(topic: string, key: string, count: number): number {
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [],
      isr: [],
      partitionErrorCode: 0,
    }));
    return this.keyPartitioner({ topic, partitionMetadata, message: { key, value: null } });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = null;
      throw error;
    });
    return this.connected;
  }

  async disconnect(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    while (this.queue.length > 0 || this.flushing) await this.flush();
    await this.producer.disconnect();
    this.connected = null;
  }

  publish(messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.queued + messages.length > this.options.maxQueuedMessages) {
      publishErrors.inc({ reason: 'overloaded' }, messages.length);
      return Promise.reject(new PublisherOverloadedError(this.queued));
    }
    const acknowledged = new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, bytes: sizeOf(messages), resolve, reject, started: performance.now() });
    });
    this.queued += messages.length;
    queueDepth.set(this.queued);
    if (this.queued >= this.options.maxBatchMessages) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs);
    return withTimeout(acknowledged, this.options.timeoutMs);
  }

  private async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        const messages = batch.flatMap((p) => p.messages);
        try {
          await this.sendChecked(messages);
          produceBatchSize.observe(messages.length);
          const now = performance.now();
          for (const p of batch) {
            publishLatency.observe((now - p.started) / 1000);
            p.resolve();
          }
        } catch (error) {
          publishErrors.inc({ reason: (error as Error).name ?? 'error' }, messages.length);
          this.logger.warn(`produce of ${messages.length} messages failed: ${(error as Error).message}`);
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Sends the messages and checks that the brokers acknowledged the partition of every one;
   * the ones that were not are sent again (a few times, then the publish fails). Why: after a
   * broker failure kafkajs' own retry re-sends only to brokers that have not answered yet,
   * computed on fresh metadata, so a partition that moved to a broker which had already answered
   * is never sent, and sendBatch still resolves (silent loss, found by the cluster suite;
   * kafkajs/src/producer/sendMessages.js, responsePerBroker). Errors are kafkajs' to retry.
   */
  private async sendChecked(messages: OutboundMessage[]): Promise<void> {
    let pending = messages;
    for (let attempt = 1; ; attempt++) {
      const built = pending.map((m) => ({ key: m.key, partition: m.partition, value: m.value, headers: m.headers }));
      await this.connect();
      this.assigned = new Map();
      let missing: OutboundMessage[];
      try {
        const acknowledged = await this.producer.sendBatch({
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages: groupByTopic(pending, built),
        });
        const partitions = new Set(acknowledged.map((r) => `${r.topicName}\u0000${r.partition}`));
        const assigned = this.assigned;
        missing = pending.filter((_, i) => !partitions.has(assigned.get(built[i]) ?? ''));
      } finally {
        this.assigned = null;
      }
      if (missing.length === 0) return;
      unacknowledged.inc(missing.length);
      this.logger.warn(
        `${missing.length} of ${pending.length} messages not acknowledged (their partitions moved during a broker failure): sending them again`,
      );
      if (attempt >= 5)
        throw new TransientError(`${missing.length} messages not acknowledged after ${attempt} attempts`);
      pending = missing;
    }
  }

  /** Whole publish() calls, up to maxBatchMessages and maxBatchBytes (at least one call). */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    let bytes = 0;
    while (
      this.queue.length > 0 &&
      (count === 0 ||
        (count + this.queue[0].messages.length <= this.options.maxBatchMessages &&
          bytes + this.queue[0].bytes <= this.options.maxBatchBytes))
    ) {
      const next = this.queue.shift()!;
      batch.push(next);
      count += next.messages.length;
      bytes += next.bytes;
    }
    this.queued -= count;
    queueDepth.set(this.queued);
    return batch;
  }
}

function sizeOf(messages: OutboundMessage[]): number {
  let bytes = 0;
  for (const m of messages) bytes += Buffer.byteLength(m.value) + (m.key ? Buffer.byteLength(m.key) : 0) + 64;
  return bytes;
}

function groupByTopic(
  messages: OutboundMessage[],
  built: { key: string | null; partition?: number; value: string; headers?: Record<string, string> }[],
) {
  const byTopic = new Map<string, typeof built>();
  messages.forEach((m, i) => {
    const list = byTopic.get(m.topic) ?? [];
    list.push(built[i]);
    byTopic.set(m.topic, list);
  });
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}

function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PublishTimeoutError(timeoutMs)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
