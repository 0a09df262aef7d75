/*
 * One process of the hops floor (hops-floor.ts): the Kafka hops an event takes through Vigil,
 * with the services' client settings (idempotent producer, acks=all, eachBatch over 4 partitions
 * at once, capped fetches) and no detection work: each message is parsed and re-serialised, which
 * every hop does at least.
 *   relay <brokers> <group> <from-topic> <to-topic>   ingestion's shape: consume, republish
 *   sink  <brokers> <group> <from-topic> <expected>   velocity's and review-analysis's: consume
 * Prints one JSON line per state change on stdout: {"ready":true}, {"done":<ms since epoch>}.
 */
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

const [role, brokers, groupId, fromTopic, last] = process.argv.slice(2);
const kafka = new Kafka({ clientId: `hops-floor-${role}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 512 * 1024, maxBytes: 2 * 1024 * 1024 });
  const producer = role === 'relay' ? kafka.producer({ idempotent: true, maxInFlightRequests: 1 }) : undefined;
  await producer?.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: fromTopic, fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => say({ ready: true }));
  const expected = role === 'sink' ? Number(last) : 0;
  let consumed = 0;
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      const values = batch.messages.map((m) => JSON.stringify(JSON.parse(String(m.value))));
      if (producer) {
        await producer.send({
          topic: last,
          acks: -1,
          compression: CompressionTypes.None,
          messages: batch.messages.map((m, i) => ({ key: m.key, value: values[i] })),
        });
      }
      consumed += values.length;
      if (expected && consumed >= expected) say({ done: Date.now() });
    },
  });
}

process.on('SIGTERM', () => process.exit(0));
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
