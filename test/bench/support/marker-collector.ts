import { Consumer, Kafka } from 'kafkajs';

/** The hops of a marker's path: its event on the wallets topic, velocity's signal, alerting's alert. */
export const HOPS = ['event', 'signal', 'alert'] as const;
export type Hop = (typeof HOPS)[number];

export interface MarkerTimes {
  /** Kafka record timestamp (set by the producing service when it sent the record), per hop. */
  produced: Partial<Record<Hop, number>>;
  /** Wall clock when this collector received the marker's first alert. */
  alertReceived?: number;
}

const MARKER_SUBJECT = /mk-wal-([A-Za-z0-9-]+)/;

/**
 * Follows every marker through the pipeline: the first record naming its wallet on the wallets
 * topic (ingestion's publish), the signals topic (velocity) and the alerts topic (alerting),
 * with each record's producer timestamp, so the end-to-end latency splits into the hops' costs.
 * All processes share this machine's clock.
 */
export class MarkerCollector {
  readonly markers = new Map<string, MarkerTimes>();
  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, topics: Record<Hop, string>, groupId: string): Promise<MarkerCollector> {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 20, sessionTimeout: 10_000 });
    const collector = new MarkerCollector(consumer);
    const hopOf = new Map<string, Hop>(HOPS.map((hop) => [topics[hop], hop]));
    await consumer.connect();
    await consumer.subscribe({ topics: Object.values(topics), fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ topic, message }) => {
        const receivedAt = Date.now();
        const marker = message.value ? MARKER_SUBJECT.exec(message.value.toString())?.[1] : undefined;
        if (!marker) return;
        const hop = hopOf.get(topic)!;
        const times = collector.markers.get(marker) ?? { produced: {} };
        collector.markers.set(marker, times);
        times.produced[hop] ??= Number(message.timestamp);
        if (hop === 'alert') times.alertReceived ??= receivedAt;
      },
    });
    await joined;
    return collector;
  }

  alertReceivedAt(marker: string): number | undefined {
    return this.markers.get(marker)?.alertReceived;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
