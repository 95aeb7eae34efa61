import type { TopicPartition } from '@samsa/common';

/** The assignor's name in JoinGroup (Kafka's RangeAssignor.RANGE_ASSIGNOR_NAME). */
export const RANGE_ASSIGNOR_NAME = 'range';

/** A member as the leader sees it in the JoinGroup answer. */
export interface GroupMemberSubscription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly topics: readonly string[];
}

/**
 * Kafka's RangeAssignor: topic by topic, the members subscribed to it are put in order (static
 * members by group instance id first, then the others by member id) and each takes a run of consecutive
 * partitions, the first `partitions % members` of them one more. A topic absent from
 * `partitionCounts` (unknown to the cluster) is assigned to nobody. Every member of `members` has
 * an entry, empty if it gets nothing.
 */
export function rangeAssign(
  partitionCounts: ReadonlyMap<string, number>,
  members: readonly GroupMemberSubscription[],
): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic);
    if (count === undefined) continue;
    const subscribers = members.filter((m) => m.topics.includes(topic)).sort(memberOrder);
    const perMember = Math.floor(count / subscribers.length);
    const withExtra = count % subscribers.length;
    subscribers.forEach((m, i) => {
      const start = perMember * i + Math.min(i, withExtra);
      const length = perMember + (i < withExtra ? 1 : 0);
      for (let partition = start; partition < start + length; partition++) out.get(m.memberId)!.push({ topic, partition });
    });
  }
  return out;
}

/** Kafka's MemberInfo.compareTo: static members (by group instance id) before dynamic ones (by member id). */
function memberOrder(a: GroupMemberSubscription, b: GroupMemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compare(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compare(a.memberId, b.memberId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
