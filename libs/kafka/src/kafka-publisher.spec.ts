import { Kafka, ProducerConfig, RecordMetadata } from 'kafkajs';
import { KafkaPublisher } from './kafka-publisher';

type Partitioner = (args: {
  topic: string;
  partitionMetadata: { partitionId: number; leader: number }[];
  message: { key: string | null };
}) => number;
type Sent = { topic: string; messages: { key: string | null; value: string }[] }[];

/**
 * A producer that answers like kafkajs after a broker failure: sendBatch resolves, but the
 * partitions listed in `dropOnce` are missing from the acknowledgements the first time.
 */
function fakeKafka(dropOnce: Set<number>) {
  const sent: { topic: string; partition: number; value: string }[] = [];
  let partitioner: Partitioner;
  const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1 }));
  const kafka = {
    producer: (config: ProducerConfig) => {
      partitioner = (config.createPartitioner as unknown as () => Partitioner)();
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async ({ topicMessages }: { topicMessages: Sent }): Promise<RecordMetadata[]> => {
          const acknowledged = new Map<string, RecordMetadata>();
          for (const { topic, messages } of topicMessages) {
            for (const message of messages) {
              const partition = partitioner({ topic, partitionMetadata, message });
              if (dropOnce.has(partition)) continue; // never sent, as kafkajs' partial retry does
              sent.push({ topic, partition, value: message.value });
              acknowledged.set(`${topic}:${partition}`, {
                topicName: topic,
                partition,
                errorCode: 0,
              } as RecordMetadata);
            }
          }
          dropOnce.clear();
          return [...acknowledged.values()];
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, sent };
}

describe('KafkaPublisher', () => {
  it('sends again the messages whose partition no broker acknowledged', async () => {
    const { kafka, sent } = fakeKafka(new Set([1, 3]));
    const publisher = new KafkaPublisher(kafka, { lingerMs: 0 });
    const messages = Array.from({ length: 40 }, (_, i) => ({
      topic: 'events.orders',
      key: `acc-${i}`,
      value: `event-${i}`,
    }));
    await publisher.publish(messages);
    // every message reached a partition once: the dropped ones were sent in a second request
    expect(sent.map((s) => s.value).sort()).toEqual(messages.map((m) => m.value).sort());
    expect(new Set(sent.map((s) => s.partition))).toEqual(new Set([0, 1, 2, 3]));
    await publisher.disconnect();
  });

  it('knows each topic partition count from its metadata and predicts the partition the producer chooses for a key', async () => {
    const { kafka, sent } = fakeKafka(new Set());
    const publisher = new KafkaPublisher(kafka, { lingerMs: 0 });
    expect(publisher.partitionCount('events.orders')).toBeUndefined(); // before any metadata
    const messages = Array.from({ length: 40 }, (_, i) => ({ topic: 'events.orders', key: `acc-${i}`, value: `event-${i}` }));
    await publisher.publish([...messages, { topic: 'events.orders', key: null, partition: 2, value: 'mark' }]);
    expect(publisher.partitionCount('events.orders')).toBe(4);
    for (const m of messages) {
      expect(sent.find((s) => s.value === m.value)?.partition).toBe(publisher.partitionFor('events.orders', m.key, 4));
    }
    expect(sent.find((s) => s.value === 'mark')?.partition).toBe(2); // an explicit partition is kept
    await publisher.disconnect();
  });
});
