import { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Topic-level settings, e.g. { 'retention.ms': '1209600000' }. */
  config?: Record<string, string>;
}

/** Creates missing topics; replication follows the cluster size (1 locally, 3 on a 3-broker cluster). */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return [];
    const { brokers } = await admin.describeCluster();
    const replicationFactor = Math.min(3, brokers.length);
    // kafkajs' waitForLeaders asks a broker whose KRaft metadata may still lag and then fails
    // with UNKNOWN_TOPIC_OR_PARTITION, so create without it and poll for leaders ourselves.
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor,
        configEntries: [
          ...(replicationFactor > 1 ? [{ name: 'min.insync.replicas', value: '2' }] : []),
          ...Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        ],
      })),
    });
    const names = missing.map((s) => s.topic);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: names });
        if (topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return names;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics ${names.join(', ')} have no leaders after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
