import type { Protocol } from './MemberMetadata';

/** What the API handlers hand the coordinator. */

/** The APIs the coordinator validates group ids and its own state for (Kafka's ApiKeys). */
export type GroupApi =
  | 'JoinGroup'
  | 'SyncGroup'
  | 'Heartbeat'
  | 'LeaveGroup'
  | 'OffsetCommit'
  | 'TxnOffsetCommit'
  | 'OffsetFetch'
  | 'DescribeGroups'
  | 'DeleteGroups'
  | 'OffsetDelete';

export interface JoinGroupArgs {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** JoinGroup v4+ from a dynamic member: answer MEMBER_ID_REQUIRED to an unknown member (KIP-394). */
  readonly requireKnownMemberId: boolean;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly Protocol[];
}

export interface SyncGroupArgs {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly groupInstanceId: string | null;
  /** member id → assignment (the leader's) */
  readonly assignments: ReadonlyMap<string, Buffer>;
}
