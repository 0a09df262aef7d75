import { Consumer, Kafka } from 'kafkajs';

/** Records when the first alert for each marker buyer arrives on fraud.alerts (wall clock). */
export class MarkerAlertCollector {
  readonly firstAlertAt = new Map<string, number>();
  alertsSeen = 0;
  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, topic: string, groupId: string, subjectToMarker: (id: string) => string | undefined) {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 20, sessionTimeout: 10_000 });
    const collector = new MarkerAlertCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const receivedAt = Date.now();
        collector.alertsSeen++;
        if (!message.value) return;
        const alert = JSON.parse(message.value.toString()) as { subject?: { id?: string } };
        const marker = alert.subject?.id ? subjectToMarker(alert.subject.id) : undefined;
        if (marker && !collector.firstAlertAt.has(marker)) collector.firstAlertAt.set(marker, receivedAt);
      },
    });
    await joined;
    return collector;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
