import { createWriteStream, WriteStream } from 'node:fs';
import { Consumer } from 'kafkajs';
import { createKafka, KafkaSecurity } from '@vigil/kafka';

export interface AlertCollectorOptions {
  brokers: string[];
  topic: string;
  /** NDJSON file the message values are appended to, one per line. */
  outPath: string;
  clientId?: string;
  /** SASL/TLS of the brokers (the services' KAFKA_SASL_* and KAFKA_TLS* variables). */
  security?: KafkaSecurity;
}

/**
 * Collects every message published to a topic (fraud.alerts or fraud.signals) after `start()`.
 * It notes the partitions' end offsets first, then reads from the beginning with a fresh group
 * and keeps only what lies beyond those offsets: nothing published during the group join is
 * missed, and nothing from earlier runs is counted.
 */
export class AlertCollector {
  private consumer?: Consumer;
  private out?: WriteStream;
  private startOffsets = new Map<number, bigint>();
  private collectedCount = 0;
  private lastArrival = 0;

  constructor(private readonly options: AlertCollectorOptions) {}

  get collected(): number {
    return this.collectedCount;
  }

  /** Wall-clock time of the last collected message (0 when none yet). */
  get lastArrivalMs(): number {
    return this.lastArrival;
  }

  async start(): Promise<void> {
    const kafka = createKafka(this.options.brokers, this.options.clientId ?? 'vigil-replay', { security: this.options.security });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (topics.includes(this.options.topic)) {
        for (const { partition, high } of await admin.fetchTopicOffsets(this.options.topic)) this.startOffsets.set(partition, BigInt(high));
      }
      // A topic that does not exist yet has no earlier messages: every offset counts.
    } finally {
      await admin.disconnect();
    }
    this.out = createWriteStream(this.options.outPath, { flags: 'w' });
    // A group of its own per run (the wall clock only names it), so no committed offsets interfere.
    this.consumer = kafka.consumer({ groupId: `vigil-replay-${process.pid}-${Date.now()}`, allowAutoTopicCreation: false });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (BigInt(message.offset) < (this.startOffsets.get(partition) ?? 0n) || !message.value) return;
        this.out!.write(`${message.value.toString('utf8')}\n`);
        this.collectedCount++;
        this.lastArrival = Date.now();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    const out = this.out;
    if (out) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}
