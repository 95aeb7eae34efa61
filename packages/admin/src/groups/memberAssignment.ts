import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { decodeVersioned, internalMessages, peekVersion } from '@samsa/protocol';

const { ConsumerProtocolAssignment } = internalMessages;
/** The newest ConsumerProtocolAssignment version this schema knows. */
const NEWEST_VERSION = 1;

/**
 * The partitions in a member's assignment as DescribeGroups carries it (consumer-protocol bytes,
 * versioned ConsumerProtocolAssignment). Empty bytes are an empty assignment (a member that has not
 * synced yet). As Kafka's ConsumerProtocol does, a version newer than the newest known is read as
 * the newest (later versions only add fields at the end). Each partition once, in the bytes' order.
 */
export function decodeMemberAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length === 0) return [];
  let buf = bytes;
  if (peekVersion(bytes) > NEWEST_VERSION) {
    buf = Buffer.from(bytes);
    buf.writeInt16BE(NEWEST_VERSION, 0);
  }
  const { value } = decodeVersioned(ConsumerProtocolAssignment, buf);
  const partitions = new TopicPartitionMap<true>();
  for (const { topic, partitions: ids } of value.assignedPartitions as Array<{
    topic: string;
    partitions: number[];
  }>)
    for (const partition of ids) partitions.set({ topic, partition }, true);
  return partitions.keys();
}
