import { Admin } from 'kafkajs';

export interface GroupLag {
  groupId: string;
  /** Sum over the partitions below. */
  lag: number;
  partitions: { topic: string; partition: number; committed: number; end: number; lag: number }[];
}

/**
 * Consumer lag from the broker's point of view (admin offsets, so it works for a group whose
 * members are down): per partition, the log-end offset minus the group's committed offset.
 * `topics` limits it to those topics; without it, every topic the group has committed offsets
 * for. A partition with no commit yet (offset -1) counts 0: the group either does not read it or
 * has not committed yet. Each topic's end offsets are fetched once for all groups.
 */
export async function consumerGroupLags(
  admin: Admin,
  groupIds: readonly string[],
  topics?: readonly string[],
): Promise<GroupLag[]> {
  const ends = new Map<string, Promise<Map<number, number>>>();
  const endsOf = (topic: string) => {
    let found = ends.get(topic);
    if (!found) {
      found = admin
        .fetchTopicOffsets(topic)
        .then((ps) => new Map(ps.map((p) => [p.partition, Number(p.high)])));
      ends.set(topic, found);
    }
    return found;
  };
  const out: GroupLag[] = [];
  for (const groupId of groupIds) {
    const committed = await admin.fetchOffsets(topics ? { groupId, topics: [...topics] } : { groupId });
    const group: GroupLag = { groupId, lag: 0, partitions: [] };
    for (const t of committed) {
      const topicEnds = await endsOf(t.topic);
      for (const p of t.partitions) {
        const offset = Number(p.offset);
        const end = topicEnds.get(p.partition) ?? 0;
        const lag = offset < 0 ? 0 : Math.max(0, end - offset);
        group.partitions.push({ topic: t.topic, partition: p.partition, committed: offset, end, lag });
        group.lag += lag;
      }
    }
    out.push(group);
  }
  return out;
}
