import { Admin } from 'kafkajs';

/** Total consumer lag (end offset - committed offset) of the given groups over the given topics. */
export async function totalLag(admin: Admin, groups: readonly string[], topics: readonly string[]): Promise<number> {
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, Number(p.high));
  }
  let lag = 0;
  for (const groupId of groups) {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const topic of committed) {
      for (const p of topic.partitions) {
        const end = ends.get(`${topic.topic}/${p.partition}`) ?? 0;
        const offset = Number(p.offset);
        // -1 = nothing committed: either the group does not read this topic or has not committed
        // yet; the caller also waits for the consumed counters to settle, which covers the latter.
        lag += offset < 0 ? 0 : Math.max(0, end - offset);
      }
    }
  }
  return lag;
}
