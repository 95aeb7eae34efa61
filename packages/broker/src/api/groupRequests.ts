import type { TopicPartition } from '@samsa/common';
import type { RequestContext } from './types';

/**
 * Small helpers shared by the group API handlers (JoinGroup … OffsetDelete): how Kafka names the
 * client's host, and how per-partition answers are grouped back into topics.
 */

/** The client's address as Kafka's InetAddress.toString prints it: "/127.0.0.1". */
export function clientHost(ctx: RequestContext): string {
  const a = ctx.clientAddress;
  const colon = a.lastIndexOf(':');
  return `/${colon > 0 ? a.slice(0, colon) : a}`;
}

/** Per-partition results grouped by topic, topics and partitions in first-seen order. */
export function byTopic<T, P>(
  items: readonly { tp: TopicPartition; value: T }[],
  partition: (p: number, value: T) => P,
): { name: string; partitions: P[] }[] {
  const topics = new Map<string, P[]>();
  for (const { tp, value } of items) {
    let list = topics.get(tp.topic);
    if (!list) topics.set(tp.topic, (list = []));
    list.push(partition(tp.partition, value));
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }));
}

/** A request's topic entry: partitions as `partitionIndexes` (OffsetFetch) or `partitions[].partitionIndex`. */
export interface RequestedTopic {
  readonly name: string;
  readonly partitionIndexes?: readonly number[];
  readonly partitions?: readonly { readonly partitionIndex: number }[];
}

/** The topic-partitions of a request's `topics[].partitions[].partitionIndex` (or `partitionIndexes`). */
export function requestedPartitions(topics: readonly RequestedTopic[]): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const t of topics) {
    if (Array.isArray(t.partitionIndexes))
      for (const p of t.partitionIndexes) out.push({ topic: t.name, partition: p });
    else for (const p of t.partitions ?? []) out.push({ topic: t.name, partition: p.partitionIndex });
  }
  return out;
}
