import { topicPartitionKey } from '@samsa/common';
import { decodeVersioned, internalMessages, peekVersion } from '@samsa/protocol';
import { CorruptLogError, type LogRecord } from './LogBatches';

/**
 * How kafka-dump-log --print-data-log shows a record's key and payload (Kafka DumpLogSegments'
 * MessageParser): as UTF-8 strings by default, or decoded as __consumer_offsets records with
 * --offsets-decoder. A record without a value shows neither.
 */
export interface ParsedRecord {
  readonly key: string | null;
  readonly payload: string | null;
}

export type MessageParser = (record: LogRecord) => ParsedRecord;

const NOTHING: ParsedRecord = { key: null, payload: null };

/** Kafka's StringDecoder for key and value. */
export const stringMessageParser: MessageParser = (record) => {
  if (record.value === null) return NOTHING;
  return {
    key: record.key === null ? null : record.key.toString('utf8'),
    payload: record.value.toString('utf8'),
  };
};

/**
 * Kafka 2.1's OffsetsMessageParser: an offset commit prints `offset::<group>:<topic>:<partition>`
 * and `<offset>` (or `<offset>:<metadata>`); group metadata prints {"metadata":"<group>"} and a JSON
 * object of protocolType, protocol, generationId and the members' assignments.
 */
export const offsetsMessageParser: MessageParser = (record) => {
  if (record.value === null) return NOTHING;
  if (record.key === null)
    throw new CorruptLogError(
      'Failed to decode message using offset topic decoder (message had a missing key)',
    );
  const keyVersion = peekVersion(record.key);
  if (keyVersion <= 1) {
    const key = decodeVersioned(internalMessages.OffsetCommitKey, record.key).value;
    const value = decodeVersioned(internalMessages.OffsetCommitValue, record.value).value;
    const metadata = value.metadata;
    return {
      key: `offset::${key.group}:${key.topic}:${key.partition}`,
      payload: metadata === '' ? String(value.offset) : `${value.offset}:${metadata}`,
    };
  }
  if (keyVersion === 2) {
    const groupId = decodeVersioned(internalMessages.GroupMetadataKey, record.key).value.group;
    const group = decodeVersioned(internalMessages.GroupMetadataValue, record.value).value;
    const protocolType = group.protocolType ?? '';
    const assignment = group.members
      .map((member) => `${member.memberId}=${memberAssignment(protocolType, member.assignment)}`)
      .join(',');
    return {
      key: JSON.stringify({ metadata: groupId }),
      payload: JSON.stringify({
        protocolType,
        protocol: group.protocol ?? null,
        generationId: group.generation,
        assignment: `{${assignment}}`,
      }),
    };
  }
  throw new CorruptLogError(`Unknown version ${keyVersion} for group metadata message`);
};

/** A consumer member's partitions as Java prints a List<TopicPartition>, then its user data in hex. */
function memberAssignment(protocolType: string, assignment: Buffer): string {
  if (protocolType !== 'consumer') return hex(assignment);
  const decoded = decodeVersioned(internalMessages.ConsumerProtocolAssignment, assignment).value;
  const partitions = decoded.assignedPartitions.flatMap((t) =>
    t.partitions.map((partition) => topicPartitionKey({ topic: t.topic, partition })),
  );
  const userData = hex(decoded.userData ?? Buffer.alloc(0));
  return `[${partitions.join(', ')}]${userData === '' ? '' : `:${userData}`}`;
}

/** Scala's "%X".format(BigInt(1, bytes)): upper-case hex without leading zeros; "" for no bytes. */
function hex(bytes: Buffer): string {
  if (bytes.length === 0) return '';
  const digits = bytes.toString('hex').toUpperCase().replace(/^0+/, '');
  return digits === '' ? '0' : digits;
}
