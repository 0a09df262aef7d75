/*
 * A consumer group member in its own process, for the "killed mid-batch" test: it joins the
 * group, prints BATCH <offsets> when it receives a batch and then never finishes it, so the
 * test can SIGKILL it with the batch in hand and check another member gets the batch.
 */
import { Kafka, logLevel } from 'kafkajs';
import { BatchConsumerRunner } from '@vigil/kafka';
import { KafkaPublisher } from '@vigil/kafka';

const [brokers, groupId, topic, deadLetterTopic] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'crashing-member', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const runner = new BatchConsumerRunner<string>(kafka, new KafkaPublisher(kafka), {
  groupId,
  topics: [topic],
  deadLetterTopic,
  fromBeginning: true,
  sessionTimeoutMs: 6000,
  decode: (m) => ({ ok: true, value: m.value?.toString() ?? '' }),
  handle: async (messages) => {
    process.stdout.write(`BATCH ${messages.map((m) => m.message.offset).join(',')}\n`);
    await new Promise(() => undefined);
  },
});
runner.waitForAssignment().then(() => process.stdout.write('JOINED\n'));
void runner.start();
