import { CompressionTypes, Kafka, Producer } from 'kafkajs';

export interface CeilingResult {
  messages: number;
  bytes: number;
  elapsedMs: number;
  messagesPerSecond: number;
}

/**
 * The reference ceiling: the same messages through the same broker with bare kafkajs, one
 * producer sending batches (acks=all, a few in flight) and one consumer group reading them,
 * timed from the first send to the last message consumed.
 */
export async function measureCeiling(kafka: Kafka, topic: string, payloads: readonly string[], partitions: number): Promise<CeilingResult> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: false });
  // Metadata can lag the creation for a moment on a busy broker; poll instead of failing.
  for (let attempt = 0; ; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      if (offsets.length === partitions) break;
    } catch (error) {
      if (attempt >= 60) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await admin.disconnect();

  const consumer = kafka.consumer({ groupId: `${topic}.consumer`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let doneAt = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      consumed += batch.messages.length;
      if (consumed >= payloads.length && !doneAt) {
        doneAt = Date.now();
        resolveDone();
      }
    },
  });
  await joined;

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const startedAt = Date.now();
  await produceAll(producer, topic, payloads);
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('ceiling consumer timed out')), 60_000))]);
  await producer.disconnect();
  await consumer.disconnect();
  const elapsedMs = doneAt - startedAt;
  return {
    messages: payloads.length,
    bytes: payloads.reduce((sum, p) => sum + Buffer.byteLength(p), 0),
    elapsedMs,
    messagesPerSecond: (payloads.length / elapsedMs) * 1000,
  };
}

/**
 * The load generator of the ceiling and the hops floor: batches of 500, 4 in flight, acks=all,
 * through a connected producer (idempotent, one request in flight per broker, as the services').
 */
export async function produceAll(producer: Producer, topic: string, payloads: readonly string[]): Promise<void> {
  const batchSize = 500;
  let next = 0;
  const sender = async () => {
    for (;;) {
      const offset = next;
      next += batchSize;
      if (offset >= payloads.length) return;
      const messages = payloads.slice(offset, offset + batchSize).map((value, i) => ({ key: `k${(offset + i) % 997}`, value }));
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
}
