import { Consumer, Kafka, logLevel } from 'kafkajs';
import { WATERMARK_HEADER } from '@vigil/kafka';
import { uniqueId } from './test-stack';
import { waitFor } from './wait-for';

export interface ProbedMessage<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  value: T;
}

/**
 * Reads topics from the beginning in the background and keeps what it saw, so a test can
 * assert on what a service published. JSON values are parsed; watermark records are skipped.
 */
export class TopicProbe<T = unknown> {
  readonly messages: ProbedMessage<T>[] = [];
  /** topic/partition/offset already kept: a rebalance of the probe's own group redelivers them. */
  private readonly seen = new Set<string>();
  private consumer: Consumer | null = null;

  private constructor(private readonly kafka: Kafka) {}

  static async start<T = unknown>(brokers: string[], topics: string[]): Promise<TopicProbe<T>> {
    const probe = new TopicProbe<T>(new Kafka({ clientId: 'topic-probe', brokers, logLevel: logLevel.NOTHING }));
    const consumer = probe.kafka.consumer({ groupId: uniqueId('probe'), maxWaitTimeInMs: 100 });
    probe.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const position = `${topic}/${partition}/${message.offset}`;
        if (probe.seen.has(position)) return;
        probe.seen.add(position);
        // Watermark records carry no event (docs/event-time.md): not something a service published for a test to see.
        if (message.headers?.[WATERMARK_HEADER] !== undefined) return;
        const text = message.value?.toString('utf8') ?? 'null';
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          value = text;
        }
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, v === undefined ? '' : String(v)]),
        );
        probe.messages.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, headers, value: value as T });
      },
    });
    await joined;
    return probe;
  }

  /** Waits until at least `count` messages match `predicate` and returns them. */
  async waitFor(count: number, predicate: (m: ProbedMessage<T>) => boolean = () => true, timeoutMs = 20_000) {
    return waitFor(
      `${count} matching message(s) (seen ${this.messages.filter(predicate).length})`,
      () => {
        const matching = this.messages.filter(predicate);
        return matching.length >= count ? matching : undefined;
      },
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
