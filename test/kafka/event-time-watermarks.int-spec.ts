import { Kafka, logLevel } from 'kafkajs';
import { register } from 'prom-client';
import { testStack, uniqueId, waitFor } from '@vigil/testing';
import { ensureTopics, EventTimeConsumerRunner, KafkaPublisher, PublishBatchStamper } from '@vigil/kafka';

interface TestEvent {
  id: string;
  tenant: string;
  t: number;
}

/**
 * Watermark records on a real broker (docs/event-time.md): a publish call's quiet partitions get
 * one each, so an event-time consumer releases the call's events without waiting for the other
 * partitions to go idle. The idle wait is set to a minute here, so only the records can explain
 * a prompt release.
 */
describe('watermark records (real Kafka)', () => {
  const { brokers } = testStack();
  const kafka = new Kafka({ clientId: 'watermarks-int-spec', brokers, logLevel: logLevel.NOTHING });
  const publisher = new KafkaPublisher(kafka, { lingerMs: 0 });
  let runner: EventTimeConsumerRunner<TestEvent> | undefined;

  afterEach(() => runner?.stop());
  afterAll(() => publisher.disconnect());

  it('a publish call with watermark records is released at once; one without waits for the idle partitions', async () => {
    const orders = uniqueId('orders');
    const accounts = uniqueId('accounts');
    await ensureTopics(kafka, [
      { topic: orders, partitions: 3 },
      { topic: accounts, partitions: 3 },
      { topic: `${orders}.dlq`, partitions: 1 },
    ]);
    const released: { event: TestEvent; late: boolean }[] = [];
    const groupId = uniqueId('group');
    runner = new EventTimeConsumerRunner<TestEvent>(kafka, publisher, {
      groupId,
      topics: [orders, accounts],
      deadLetterTopic: `${orders}.dlq`,
      fromBeginning: true,
      allowedLatenessMs: 60_000,
      idleMs: 60_000,
      decode: (m) => ({ ok: true, value: JSON.parse(m.value!.toString()) as TestEvent }),
      eventTime: (e) => ({ timeMs: e.t, id: e.id, stream: e.tenant }),
      handle: async (messages) => {
        for (const m of messages) released.push({ event: m.value, late: m.late });
      },
    });
    await runner.start();

    const withMarks = new PublishBatchStamper([orders, accounts], publisher);
    const withoutMarks = new PublishBatchStamper();
    const record = (tenant: string, n: number, topic = orders) => {
      const event = { id: `${tenant}-${n}`, tenant, t: 1_000 * n };
      return { topic, key: 'buyer-1', value: JSON.stringify(event), tenantId: tenant, timeMs: event.t };
    };
    // The producer learns the topics' partitions with its first request to them.
    await publisher.publish(withMarks.stamp([record('warm-up', 0), record('warm-up', 0, accounts)]));
    expect(publisher.partitionCount(orders)).toBe(3);

    const unmarked = withoutMarks.stamp([record('plain', 1)]);
    expect(unmarked).toHaveLength(1);
    await publisher.publish(unmarked);
    for (let n = 1; n <= 5; n++) {
      const stamped = withMarks.stamp([record('marked', n)]);
      expect(stamped).toHaveLength(6); // the event, and a watermark record on each of the 5 other partitions
      await publisher.publish(stamped);
    }
    const marked = await waitFor(
      'the 5 marked events released',
      () => {
        const mine = released.filter((r) => r.event.tenant === 'marked');
        return mine.length === 5 ? mine : undefined;
      },
      20_000,
    );
    expect(marked.map((r) => r.event.id)).toEqual(['marked-1', 'marked-2', 'marked-3', 'marked-4', 'marked-5']);
    expect(marked.every((r) => !r.late)).toBe(true);
    // Published before them, the tenant without watermark records still waits for its idle wait.
    expect(released.filter((r) => r.event.tenant === 'plain')).toEqual([]);
    // Partitions that carried only watermark records are committed to their end: no lag is left
    // behind on them. (buyer-1's partitions hold events still waiting: the unmarked one, and the
    // warm-up call's, stamped before the producer knew the partitions.)
    const eventPartition = publisher.partitionFor(orders, 'buyer-1', 3);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const behind = async () => {
        const out: string[] = [];
        for (const topic of [orders, accounts]) {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const ends = await admin.fetchTopicOffsets(topic);
          for (const end of ends) {
            if (end.partition === eventPartition) continue; // same count, same key: the same partition on both topics
            const at = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
            if (at !== end.high) out.push(`${topic}/${end.partition}: ${at} of ${end.high}`);
          }
        }
        return out;
      };
      await waitFor('watermark-only partitions committed to their end', async () => ((await behind()).length === 0 ? true : undefined), 20_000);
    } finally {
      await admin.disconnect();
    }
  });

  it('a consumer that pauses its partitions (its handler is the bottleneck) goes on as soon as they drain', async () => {
    const orders = uniqueId('orders');
    await ensureTopics(kafka, [
      { topic: orders, partitions: 2 },
      { topic: `${orders}.dlq`, partitions: 1 },
    ]);
    const stamper = new PublishBatchStamper([orders], publisher);
    let n = 0;
    const record = (key: string) => {
      const event = { id: `ev-${String(++n).padStart(4, '0')}`, tenant: 'backlog', t: 1_000 * n };
      return { topic: orders, key, value: JSON.stringify(event), tenantId: 'backlog', timeMs: event.t };
    };
    await publisher.publish(stamper.stamp([record('warm-up')])); // the producer learns the partitions
    // A backlog of 20 publish calls, each on both partitions.
    for (let call = 0; call < 20; call++) await publisher.publish(stamper.stamp(Array.from({ length: 10 }, (_, i) => record(`key-${i}`))));
    const released: string[] = [];
    const groupId = uniqueId('group');
    runner = new EventTimeConsumerRunner<TestEvent>(kafka, publisher, {
      groupId,
      topics: [orders],
      deadLetterTopic: `${orders}.dlq`,
      fromBeginning: true,
      allowedLatenessMs: 60_000,
      idleMs: 60_000,
      maxBytesPerPartition: 1024, // a few publish calls per fetch and partition
      maxBufferedPerPartition: 5, // so both partitions are paused again and again
      maxChunk: 10,
      decode: (m) => ({ ok: true, value: JSON.parse(m.value!.toString()) as TestEvent }),
      eventTime: (e) => ({ timeMs: e.t, id: e.id, stream: e.tenant }),
      handle: async (messages) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        for (const m of messages) released.push(m.value.id);
      },
    });
    await runner.start();
    // kafkajs sleeps maxWaitTimeInMs whenever every partition is paused: with its default (5 s)
    // this backlog took well over a minute; with the runner's 100 ms it is through in seconds.
    const all = await waitFor('the backlog of 201 events released', () => (released.length === 201 ? released : undefined), 30_000);
    expect(all).toEqual([...all].sort());
    // A stalled fetcher also left publish batches incomplete past their wait (2 s): given up,
    // their missing records would have come late.
    const givenUp = await register.getSingleMetric('vigil_stream_publish_batches_given_up_total')?.get();
    expect(givenUp?.values.filter((v) => v.labels['group'] === groupId).reduce((sum, v) => sum + v.value, 0) ?? 0).toBe(0);
  }, 40_000);
});
