import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { decodeVersioned, encodeVersioned, internalMessages, peekVersion, type MessageSpec } from '@samsa/protocol';

const { ConsumerProtocolAssignment, ConsumerProtocolSubscription } = internalMessages;

/** The protocol type of Kafka's consumers in JoinGroup and SyncGroup. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * The version this client writes. Version 0 (topics and user data; an assignment's partitions and
 * user data) is what every consumer reads, and an eager member owns no partitions when it joins,
 * so version 1's ownedPartitions would say nothing.
 */
const WRITTEN_VERSION = 0;

/**
 * Kafka's ConsumerProtocol (clients/…/consumer/internals/ConsumerProtocol.java): the subscription
 * a member sends in JoinGroup and the assignment the leader hands it in SyncGroup, as versioned
 * ConsumerProtocolSubscription / ConsumerProtocolAssignment bytes. The console consumer writes
 * and reads them as a member; kafka-consumer-groups reads members' assignments from DescribeGroups.
 */
export function encodeSubscription(topics: readonly string[]): Buffer {
  return encodeVersioned(ConsumerProtocolSubscription, WRITTEN_VERSION, { topics: [...topics], userData: null });
}

/** The topics of a member's subscription (any version; a newer one is read as the newest known). */
export function decodeSubscription(bytes: Buffer): string[] {
  const { value } = decodeVersioned(ConsumerProtocolSubscription, asKnownVersion(ConsumerProtocolSubscription, bytes));
  return [...(value.topics as string[])];
}

/** A member's assignment, partitions grouped by topic in the order given. */
export function encodeAssignment(partitions: readonly TopicPartition[]): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return encodeVersioned(ConsumerProtocolAssignment, WRITTEN_VERSION, {
    assignedPartitions: [...byTopic].map(([topic, ids]) => ({ topic, partitions: ids })),
    userData: null,
  });
}

/**
 * The partitions in a member's assignment (as SyncGroup and DescribeGroups carry it). Empty bytes
 * are an empty assignment (a member that has not synced yet). As Kafka's ConsumerProtocol does, a
 * version newer than the newest known is read as the newest (later versions only add fields at
 * the end). Each partition once, in the bytes' order.
 */
export function decodeMemberAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length === 0) return [];
  const { value } = decodeVersioned(ConsumerProtocolAssignment, asKnownVersion(ConsumerProtocolAssignment, bytes));
  const partitions = new TopicPartitionMap<true>();
  for (const { topic, partitions: ids } of value.assignedPartitions as Array<{
    topic: string;
    partitions: number[];
  }>)
    for (const partition of ids) partitions.set({ topic, partition }, true);
  return partitions.keys();
}

/** The bytes with a version past the schema's newest rewritten to the newest (both schemas know 0-1). */
function asKnownVersion(spec: MessageSpec, bytes: Buffer): Buffer {
  const newest = Number(spec.validVersions.split('-').at(-1));
  if (peekVersion(bytes) <= newest) return bytes;
  const copy = Buffer.from(bytes);
  copy.writeInt16BE(newest, 0);
  return copy;
}
