/**
 * What the coordinator hands back to the API handlers (Kafka's JoinGroupResult, SyncGroupResult,
 * LeaveGroupResult, GroupSummary, GroupOverview). Errors are Kafka error codes.
 */
import { ErrorCode } from '@samsa/protocol';

export const UNKNOWN_MEMBER_ID = '';
export const NO_GENERATION = -1;
export const NO_LEADER = '';
export const NO_PROTOCOL = '';
export const NO_PROTOCOL_TYPE = '';

export interface JoinGroupResponseMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

export interface JoinGroupResult {
  readonly members: readonly JoinGroupResponseMember[];
  readonly memberId: string;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leaderId: string;
  readonly error: number;
}

export function joinError(memberId: string, error: number): JoinGroupResult {
  return {
    members: [],
    memberId,
    generationId: NO_GENERATION,
    protocolType: null,
    protocolName: null,
    leaderId: NO_LEADER,
    error,
  };
}

export interface SyncGroupResult {
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly memberAssignment: Buffer;
  readonly error: number;
}

export function syncError(error: number): SyncGroupResult {
  return { protocolType: null, protocolName: null, memberAssignment: Buffer.alloc(0), error };
}

export interface LeaveMemberResponse {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly error: number;
}

export interface LeaveGroupResult {
  readonly topLevelError: number;
  readonly memberResponses: readonly LeaveMemberResponse[];
}

export interface MemberSummary {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly metadata: Buffer;
  readonly assignment: Buffer;
}

export interface GroupSummary {
  readonly state: string;
  readonly protocolType: string;
  readonly protocol: string;
  readonly members: readonly MemberSummary[];
}

/** DescribeGroups of a group this coordinator does not have: it is Dead (Kafka's DeadGroup). */
export const DEAD_GROUP: GroupSummary = { state: 'Dead', protocolType: '', protocol: '', members: [] };
/** DescribeGroups answered with an error (Kafka's EmptyGroup: no state at all). */
export const NO_GROUP: GroupSummary = { state: '', protocolType: '', protocol: '', members: [] };

export interface GroupOverview {
  readonly groupId: string;
  readonly protocolType: string;
  readonly state: string;
}

/** One committed offset as the coordinator keeps it (Kafka's OffsetAndMetadata). */
export interface OffsetAndMetadata {
  readonly offset: number;
  /** -1 when the committer did not say. */
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: number;
  /** Only commits that carried a retention time (OffsetCommit v2–4) or old records have one. */
  readonly expireTimestamp: number | null;
}

/** What OffsetFetch answers per partition. */
export interface OffsetFetchPartitionData {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly error: number;
}

export const INVALID_OFFSET = -1;

export function noOffset(error: number = ErrorCode.NONE): OffsetFetchPartitionData {
  return { offset: INVALID_OFFSET, leaderEpoch: -1, metadata: '', error };
}
