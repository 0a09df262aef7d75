import { AssignerProtocol, PartitionAssigner } from 'kafkajs';

/*
 * Gives every partition of the group to ONE member (the longest-running) and none to the others,
 * which stay hot standbys: a rebalance after the active member dies hands everything to the next.
 *
 * Why: an event-time-ordered consumer (EventTimeConsumerRunner) is deterministic because one
 * member sees all the partitions whose events share state (the per-device, per-card counters are
 * fed from every partition). Two active members would each order only their own partitions and
 * race on the shared counters. Spreading one tenant's evaluation over instances needs a
 * repartition stage per deciding entity; until then more instances mean failover, not throughput.
 */
export const SINGLE_ACTIVE_ASSIGNER_NAME = 'VigilSingleActive';

export const SingleActiveAssigner: PartitionAssigner = ({ cluster }) => {
  // Per consumer: the member that joined first stays active when another joins.
  const startedAt = Date.now();
  return {
    name: SINGLE_ACTIVE_ASSIGNER_NAME,
    version: 1,

    async assign({ members, topics }) {
      const ranked = members
        .map((m) => {
          const userData = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData;
          const since =
            userData && userData.length > 0 ? Number(userData.toString('utf8')) : Number.MAX_SAFE_INTEGER;
          return { memberId: m.memberId, since: Number.isFinite(since) ? since : Number.MAX_SAFE_INTEGER };
        })
        .sort((a, b) => a.since - b.since || (a.memberId < b.memberId ? -1 : 1));
      const active = ranked[0]?.memberId;
      const everything: Record<string, number[]> = {};
      for (const topic of topics)
        everything[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: m.memberId === active ? everything : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },

    protocol({ topics }) {
      return {
        name: SINGLE_ACTIVE_ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: Buffer.from(String(startedAt)),
        }),
      };
    },
  };
};
