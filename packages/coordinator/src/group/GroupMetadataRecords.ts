import { type TopicPartition } from '@samsa/common';
import { decodeVersioned, encodeVersioned, internalMessages, peekVersion } from '@samsa/protocol';
import { GroupMetadata } from './GroupMetadata';
import type { OffsetAndMetadata } from './GroupResults';
import { MemberMetadata } from './MemberMetadata';

/**
 * The records of __consumer_offsets in Kafka's own schemas (protocol-matrix.md §11.1): the key's
 * version says what the record is — 0 or 1 a committed offset, 2 a group's metadata — and a null
 * value is a tombstone. Written as Kafka 2.8 with the latest inter-broker protocol writes them:
 * offset key v1, offset value v3 (v1 when the commit carried an expire timestamp), group key v2,
 * group value v3.
 */
const { OffsetCommitKey, OffsetCommitValue, GroupMetadataKey, GroupMetadataValue } = internalMessages;

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_VERSION = 3;

export function offsetCommitKey(groupId: string, tp: TopicPartition): Buffer {
  return encodeVersioned(OffsetCommitKey, OFFSET_COMMIT_KEY_VERSION, {
    group: groupId,
    topic: tp.topic,
    partition: tp.partition,
  });
}

export function groupMetadataKey(groupId: string): Buffer {
  return encodeVersioned(GroupMetadataKey, GROUP_METADATA_KEY_VERSION, { group: groupId });
}

export function offsetCommitValue(o: OffsetAndMetadata): Buffer {
  const version = o.expireTimestamp !== null ? 1 : 3;
  return encodeVersioned(OffsetCommitValue, version, {
    offset: o.offset,
    leaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    commitTimestamp: o.commitTimestamp,
    expireTimestamp: o.expireTimestamp ?? -1,
  });
}

/**
 * A group's metadata with the assignment of each member. A non-empty group must have a protocol and
 * an assignment for every member (a programmer error otherwise, as in Kafka).
 */
export function groupMetadataValue(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): Buffer {
  const protocol = group.protocolName;
  const members = group.allMemberMetadata.map((m) => {
    if (protocol === null)
      throw new Error(`programmer error: non-empty group ${group.groupId} has no protocol`);
    const a = assignment.get(m.memberId);
    if (a === undefined)
      throw new Error(`programmer error: member ${m.memberId} of ${group.groupId} has no assignment`);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadata(protocol),
      assignment: a,
    };
  });
  return encodeVersioned(GroupMetadataValue, GROUP_METADATA_VALUE_VERSION, {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol,
    leader: group.leaderOrNull,
    currentStateTimestamp: group.currentStateTimestamp ?? -1,
    members,
  });
}

export type MessageKey =
  | { readonly kind: 'offset'; readonly groupId: string; readonly tp: TopicPartition }
  | { readonly kind: 'group'; readonly groupId: string };

/** What a record of __consumer_offsets is about; an unknown key version is CORRUPT_MESSAGE. */
export function readMessageKey(key: Buffer): MessageKey {
  if (peekVersion(key) === GROUP_METADATA_KEY_VERSION) {
    return { kind: 'group', groupId: decodeVersioned(GroupMetadataKey, key).value.group };
  }
  const { value } = decodeVersioned(OffsetCommitKey, key);
  return { kind: 'offset', groupId: value.group, tp: { topic: value.topic, partition: value.partition } };
}

/** A committed offset, or null for a tombstone. */
export function readOffsetMessageValue(value: Buffer | null): OffsetAndMetadata | null {
  if (value === null) return null;
  const v = decodeVersioned(OffsetCommitValue, value).value;
  return {
    offset: v.offset,
    leaderEpoch: v.leaderEpoch,
    metadata: v.metadata,
    commitTimestamp: v.commitTimestamp,
    expireTimestamp: v.expireTimestamp === -1 ? null : v.expireTimestamp,
  };
}

/** A group as its metadata record describes it (Stable with members, or Empty), or null for a tombstone. */
export function readGroupMessageValue(
  groupId: string,
  value: Buffer | null,
  now: () => number,
): GroupMetadata | null {
  if (value === null) return null;
  const { version, value: v } = decodeVersioned(GroupMetadataValue, value);
  const members = v.members.map((m) => {
    const member = new MemberMetadata(
      m.memberId,
      m.groupInstanceId ?? null,
      m.clientId,
      m.clientHost,
      version === 0 ? m.sessionTimeout : m.rebalanceTimeout,
      m.sessionTimeout,
      v.protocolType,
      [{ name: v.protocol ?? '', metadata: m.subscription }],
    );
    member.assignment = m.assignment;
    return member;
  });
  return GroupMetadata.loadGroup(
    groupId,
    {
      generationId: v.generation,
      protocolType: v.protocolType,
      protocolName: v.protocol,
      leaderId: v.leader,
      currentStateTimestamp: v.currentStateTimestamp === -1 ? null : v.currentStateTimestamp,
      members,
    },
    now,
  );
}
