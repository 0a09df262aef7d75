import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { BatchConsumerRunner, BatchConsumerOptions, DeadLetterRecord, TransientError, KafkaPublisher, ensureTopics } from '@vigil/kafka';

/** Integration tests of the consumer runner and publisher against the real broker. */
describe('BatchConsumerRunner (real Kafka)', () => {
  const { brokers } = testStack();
  const kafka = new Kafka({ clientId: 'kafka-int-spec', brokers, logLevel: logLevel.NOTHING });
  const publisher = new KafkaPublisher(kafka);
  const runners: BatchConsumerRunner<unknown>[] = [];
  const probes: TopicProbe[] = [];
  let topic: string;
  let deadLetterTopic: string;

  beforeEach(async () => {
    topic = uniqueId('topic');
    deadLetterTopic = `${topic}.dlq`;
    await ensureTopics(kafka, [
      { topic, partitions: 2 },
      { topic: deadLetterTopic, partitions: 1 },
    ]);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await Promise.all(probes.splice(0).map((p) => p.stop()));
  });

  afterAll(() => publisher.disconnect());

  function runner<T>(options: Partial<BatchConsumerOptions<T>> & Pick<BatchConsumerOptions<T>, 'handle' | 'decode'>) {
    const r = new BatchConsumerRunner<T>(kafka, publisher, {
      groupId: uniqueId('group'),
      topics: [topic],
      deadLetterTopic,
      fromBeginning: true,
      initialBackoffMs: 20,
      maxBackoffMs: 200,
      ...options,
    });
    runners.push(r as BatchConsumerRunner<unknown>);
    return r;
  }

  const json = (m: { value: Buffer | null }) => {
    try {
      return { ok: true as const, value: JSON.parse(m.value!.toString()) as { n: number } };
    } catch (error) {
      return { ok: false as const, reason: `invalid JSON: ${(error as Error).message}` };
    }
  };

  async function publishNumbers(from: number, to: number) {
    const messages = [];
    for (let n = from; n < to; n++) messages.push({ topic, key: `k${n % 7}`, value: JSON.stringify({ n }) });
    await publisher.publish(messages);
  }

  async function committedTotal(groupId: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('hands whole batches to the handler and commits after it succeeded', async () => {
    await publishNumbers(0, 500);
    const seen: number[] = [];
    let batches = 0;
    const r = runner({
      decode: json,
      handle: async (messages) => {
        batches++;
        seen.push(...messages.map((m) => m.value.n));
      },
    });
    await r.start();
    await waitFor('all 500 messages', () => seen.length >= 500);
    expect(new Set(seen).size).toBe(500);
    expect(batches).toBeLessThan(500); // batched, not one call per message
    await waitFor('offsets committed', async () => (await committedTotal(r.groupId)) === 500);
  });

  it('dead-letters an undecodable message with the reason, its coordinates and the original payload', async () => {
    const dlq = await TopicProbe.start<DeadLetterRecord>(brokers, [deadLetterTopic]);
    probes.push(dlq);
    await publisher.publish([
      { topic, key: 'a', value: JSON.stringify({ n: 1 }) },
      { topic, key: 'a', value: '{"n": oops' },
      { topic, key: 'a', value: JSON.stringify({ n: 2 }) },
    ]);
    const handled: number[] = [];
    const r = runner({ decode: json, handle: async (ms) => void handled.push(...ms.map((m) => m.value.n)) });
    await r.start();
    const [dead] = await dlq.waitFor(1);
    expect(dead.value.reason).toMatch(/invalid JSON/);
    expect(dead.value.payload).toBe('{"n": oops');
    expect(dead.value.source).toMatchObject({ topic, key: 'a', offset: '1' });
    expect(dead.value.consumerGroup).toBe(r.groupId);
    await waitFor('valid messages handled', () => handled.length === 2);
    expect(handled.sort()).toEqual([1, 2]);
  });

  it('bounds a dead-letter record, and when the broker refuses even that, publishes it stripped instead of looping', async () => {
    // a dead-letter topic that takes 4 KB at most: the bounded record (up to 256 KB) is refused for good
    const smallDlq = `${topic}.small-dlq`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: smallDlq, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }] }], waitForLeaders: true });
    await admin.disconnect();
    const dlq = await TopicProbe.start<DeadLetterRecord>(brokers, [smallDlq]);
    probes.push(dlq);
    const hostile = '"\u0001'.repeat(60_000); // JSON-escaping grows it about fourfold
    await publisher.publish([
      { topic, key: 'a', value: hostile },
      { topic, key: 'a', value: JSON.stringify({ n: 7 }) },
    ]);
    const handled: number[] = [];
    const r = runner({ deadLetterTopic: smallDlq, decode: json, handle: async (ms) => void handled.push(...ms.map((m) => m.value.n)) });
    await r.start();
    const [dead] = await dlq.waitFor(1);
    expect(dead.value).toMatchObject({ payload: null, payloadTruncated: true, payloadBytes: Buffer.byteLength(hostile), source: { topic, offset: '0' } });
    expect(dead.value.reason).toMatch(/invalid JSON/);
    await waitFor('the next message handled', () => handled.includes(7));
    await waitFor('both committed', async () => (await committedTotal(r.groupId)) === 2);
  });

  it('isolates a message the handler keeps failing on and dead-letters only that one', async () => {
    const dlq = await TopicProbe.start<DeadLetterRecord>(brokers, [deadLetterTopic]);
    probes.push(dlq);
    await publishNumbers(0, 40);
    const handled = new Set<number>();
    const r = runner({
      decode: json,
      handle: async (ms) => {
        if (ms.some((m) => m.value.n === 13)) throw new Error('cannot process 13');
        ms.forEach((m) => handled.add(m.value.n));
      },
    });
    await r.start();
    const [dead] = await dlq.waitFor(1);
    expect(JSON.parse(dead.value.payload!)).toEqual({ n: 13 });
    expect(dead.value.reason).toMatch(/cannot process 13/);
    await waitFor('the other 39 handled', () => handled.size === 39);
    expect(handled.has(13)).toBe(false);
    await waitFor('all 40 committed', async () => (await committedTotal(r.groupId)) === 40);
    expect(dlq.messages).toHaveLength(1);
  });

  it('retries transient failures until they pass and dead-letters nothing', async () => {
    await publishNumbers(0, 10);
    let failuresLeft = 8; // more than maxAttempts: transient failures do not count towards it
    const handled: number[] = [];
    const r = runner({
      decode: json,
      maxAttempts: 2,
      handle: async (ms) => {
        if (failuresLeft-- > 0) throw new TransientError('redis is down');
        handled.push(...ms.map((m) => m.value.n));
      },
    });
    const dlq = await TopicProbe.start(brokers, [deadLetterTopic]);
    probes.push(dlq);
    await r.start();
    await waitFor('all handled after the outage', () => new Set(handled).size === 10);
    await waitFor('committed', async () => (await committedTotal(r.groupId)) === 10);
    expect(dlq.messages).toHaveLength(0);
  });

  it('stops gracefully: finishes the batch in hand, commits it and leaves the group', async () => {
    await publishNumbers(0, 20);
    let inHandler = false;
    const handled: number[] = [];
    const r = runner({
      decode: json,
      handle: async (ms) => {
        inHandler = true;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        handled.push(...ms.map((m) => m.value.n));
      },
    });
    await r.start();
    await waitFor('a batch in progress', () => inHandler);
    const countAtStop = handled.length;
    await r.stop();
    runners.splice(runners.indexOf(r as BatchConsumerRunner<unknown>), 1);
    expect(handled.length).toBeGreaterThan(countAtStop); // the batch in hand was finished
    expect(await committedTotal(r.groupId)).toBe(handled.length); // and committed
  });

  it('redelivers the batch of a member killed mid-batch to another member of the group', async () => {
    await publishNumbers(0, 30);
    const groupId = uniqueId('group');
    const child: ChildProcess = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join(__dirname, 'crashing-member.ts'), brokers.join(','), groupId, topic, deadLetterTopic],
      { env: { ...process.env, SWC_NODE_PROJECT: path.join(__dirname, '../../tsconfig.base.json') }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    try {
      await waitFor('the child member to receive a batch', () => output.includes('BATCH'), 45_000);
    } finally {
      child.kill('SIGKILL');
    }
    const offsetsInHand = output.split('\n').find((l) => l.startsWith('BATCH'))!.slice(6).split(',');
    expect(offsetsInHand.length).toBeGreaterThan(0);

    const handled = new Set<number>();
    const survivor = runner({
      groupId,
      decode: json,
      sessionTimeoutMs: 6000,
      handle: async (ms) => ms.forEach((m) => handled.add(m.value.n)),
    });
    await survivor.start();
    // The killed member's session expires, its partitions move here, nothing was committed.
    await waitFor('all 30 messages at the surviving member', () => handled.size === 30, 45_000);
    expect(await committedTotal(groupId)).toBe(30);
  }, 120_000);
});
