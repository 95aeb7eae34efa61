import { type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import type { CoordinatorTimer } from './CoordinatorTimer';
import { GroupMetadata } from './GroupMetadata';
import type { GroupMetadataManager, OffsetCommits } from './GroupMetadataManager';
import {
  joinError,
  syncError,
  UNKNOWN_MEMBER_ID,
  type GroupOverview,
  type GroupSummary,
  type LeaveGroupResult,
  type LeaveMemberResponse,
  type OffsetFetchPartitionData,
} from './GroupResults';
import type { GroupApi, JoinGroupArgs, SyncGroupArgs } from './GroupRequests';
import type { JoinCallback, SyncCallback } from './MemberMetadata';
import type { GroupConfig, OffsetConfig } from './OffsetConfig';
import { GroupAdmin, type DeleteOffsetsResult } from './GroupAdmin';
import { GroupRebalance } from './GroupRebalance';

/** TxnOffsetCommit v3's member fields; older versions send none (Kafka's defaults). */
export interface TxnCommitMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly generationId: number;
}

const NO_TXN_COMMIT_MEMBER: TxnCommitMember = {
  memberId: UNKNOWN_MEMBER_ID,
  groupInstanceId: null,
  generationId: -1,
};

export interface CoordinatorOptions {
  readonly brokerId: number;
  readonly groupConfig: GroupConfig;
  readonly offsetConfig: OffsetConfig;
  readonly groupManager: GroupMetadataManager;
  readonly timer: CoordinatorTimer;
  readonly logger: Logger;
}

/**
 * Group membership and offsets (Kafka's GroupCoordinator). Requests for a group are validated
 * (group id, coordinator active, partition loaded and owned here), then:
 * - JoinGroup/SyncGroup/Heartbeat/LeaveGroup move the group through its states; the rebalance
 *   mechanics (session timers, join and sync phases) are in GroupRebalance;
 * - OffsetCommit/OffsetFetch go through the GroupMetadataManager, which stores everything in
 *   __consumer_offsets; ListGroups, DescribeGroups, DeleteGroups, OffsetDelete are in GroupAdmin.
 * Callbacks are how answers leave (a JoinGroup may wait for the whole group); each is called once.
 */
export class GroupCoordinator {
  private isActive = false;
  readonly groupManager: GroupMetadataManager;
  private readonly rebalance: GroupRebalance;
  private readonly admin: GroupAdmin;
  private readonly logger: Logger;

  constructor(private readonly o: CoordinatorOptions) {
    this.groupManager = o.groupManager;
    this.logger = o.logger;
    this.rebalance = new GroupRebalance(o.groupConfig, o.groupManager, o.timer, o.logger);
    this.admin = new GroupAdmin(
      { isActive: () => this.isActive, validateGroupStatus: (g, api) => this.validateGroupStatus(g, api) },
      o.groupManager,
      o.logger,
    );
  }

  startup(offsetsTopicPartitionCount: number, enableMetadataExpiration = true): void {
    this.logger.info('Starting up.');
    this.groupManager.startup(offsetsTopicPartitionCount, enableMetadataExpiration);
    this.isActive = true;
    this.logger.info('Startup complete.');
  }

  /**
   * Stops serving: every group is unloaded (parked JoinGroup/SyncGroup requests are answered
   * NOT_COORDINATOR, all timers cancelled), and a load in progress stops.
   */
  async shutdown(): Promise<void> {
    this.logger.info('Shutting down.');
    this.isActive = false;
    for (const g of this.groupManager.currentGroups) this.rebalance.onGroupUnloaded(g);
    await this.groupManager.shutdown();
    this.logger.info('Shutdown complete.');
  }

  partitionFor(groupId: string): number {
    return this.groupManager.partitionFor(groupId);
  }

  // ---- validation ---------------------------------------------------------------------------------

  /**
   * OffsetCommit, OffsetFetch, DescribeGroups and DeleteGroups accept the empty group id (old
   * clients commit under it); the other APIs need a non-empty one.
   */
  private static isValidGroupId(groupId: string | null, api: GroupApi): boolean {
    if (groupId === null) return false;
    if (api === 'OffsetCommit' || api === 'OffsetFetch' || api === 'DescribeGroups' || api === 'DeleteGroups')
      return true;
    return groupId !== '';
  }

  /** The error for a request about `groupId`, or null when this coordinator serves it now. */
  validateGroupStatus(groupId: string | null, api: GroupApi): number | null {
    if (!GroupCoordinator.isValidGroupId(groupId, api)) return ErrorCode.INVALID_GROUP_ID;
    if (!this.isActive) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.groupManager.isGroupLoading(groupId!)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (!this.groupManager.isGroupLocal(groupId!)) return ErrorCode.NOT_COORDINATOR;
    return null;
  }

  // ---- JoinGroup ----------------------------------------------------------------------------------

  /** Can `memberId` join now, given group.max.size? */
  private acceptJoiningMember(group: GroupMetadata, memberId: string): boolean {
    const max = this.o.groupConfig.groupMaxSize;
    switch (group.currentState) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.has(memberId) && group.get(memberId).isAwaitingJoin) || group.numAwaiting < max;
      case 'CompletingRebalance':
      case 'Stable':
        return group.has(memberId) || group.size < max;
    }
  }

  handleJoinGroup(a: JoinGroupArgs, callback: JoinCallback): void {
    const error = this.validateGroupStatus(a.groupId, 'JoinGroup');
    if (error !== null) return callback(joinError(a.memberId, error));
    const { groupMinSessionTimeoutMs: min, groupMaxSessionTimeoutMs: max } = this.o.groupConfig;
    if (a.sessionTimeoutMs < min || a.sessionTimeoutMs > max)
      return callback(joinError(a.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));

    const isUnknownMember = a.memberId === UNKNOWN_MEMBER_ID;
    // A group is created by a member without id; a member with an id joining no group is unknown.
    const group = this.groupManager.getOrMaybeCreateGroup(a.groupId, isUnknownMember);
    if (!group) return callback(joinError(a.memberId, ErrorCode.UNKNOWN_MEMBER_ID));

    if (!this.acceptJoiningMember(group, a.memberId)) {
      group.remove(a.memberId);
      callback(joinError(UNKNOWN_MEMBER_ID, ErrorCode.GROUP_MAX_SIZE_REACHED));
    } else if (isUnknownMember) {
      this.doUnknownJoinGroup(group, a, callback);
    } else {
      this.doJoinGroup(group, a, callback);
    }
    if (group.is('PreparingRebalance')) this.rebalance.checkAndCompleteJoin(group);
  }

  private doUnknownJoinGroup(group: GroupMetadata, a: JoinGroupArgs, callback: JoinCallback): void {
    if (group.is('Dead')) {
      // removed from the cache meanwhile (migrated, or deleted): the member finds the coordinator again
      return callback(joinError(UNKNOWN_MEMBER_ID, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
    if (
      !group.supportsProtocols(
        a.protocolType,
        a.protocols.map((p) => p.name),
      )
    ) {
      return callback(joinError(UNKNOWN_MEMBER_ID, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const newMemberId = group.generateMemberId(a.clientId, a.groupInstanceId);
    if (a.groupInstanceId !== null && group.hasStaticMember(a.groupInstanceId)) {
      this.rebalance.updateStaticMemberAndRebalance(
        group,
        newMemberId,
        a.groupInstanceId,
        a.protocols,
        callback,
      );
    } else if (a.requireKnownMemberId) {
      // KIP-394: remember the id we hand out and have the member come back with it
      this.logger.debug(
        `Dynamic member with unknown member id joins group ${group.groupId} in ${group.currentState} state. Created a new member id ${newMemberId} and request the member to rejoin with this id.`,
      );
      group.addPendingMember(newMemberId);
      this.rebalance.heartbeats.addPendingMemberExpiration(group, newMemberId, a.sessionTimeoutMs);
      callback(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    } else {
      this.logger.info(
        `${a.groupInstanceId !== null ? 'Static' : 'Dynamic'} member with unknown member id joins group ${group.groupId} in ${group.currentState} state. Created a new member id ${newMemberId} for this member and add to the group.`,
      );
      this.rebalance.addMemberAndRebalance(group, newMemberId, a, callback);
    }
  }

  private doJoinGroup(group: GroupMetadata, a: JoinGroupArgs, callback: JoinCallback): void {
    const memberId = a.memberId;
    if (group.is('Dead')) return callback(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (
      !group.supportsProtocols(
        a.protocolType,
        a.protocols.map((p) => p.name),
      )
    ) {
      return callback(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (group.isPendingMember(memberId)) {
      // A pending member got its id from MEMBER_ID_REQUIRED, as a dynamic member: presenting it with
      // a group.instance.id is a client bug (Kafka fails the request with an IllegalStateException).
      if (a.groupInstanceId !== null) {
        this.logger.warn(
          `Static member ${a.groupInstanceId} presents the pending member id ${memberId} of group ${group.groupId}`,
        );
        return callback(joinError(memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
      }
      return this.rebalance.addMemberAndRebalance(group, memberId, a, callback);
    }
    if (group.isStaticMemberFenced(memberId, a.groupInstanceId)) {
      this.logger.error(
        `Member id ${memberId} is not the current one of static member ${a.groupInstanceId} of group ${group.groupId} (join-group)`,
      );
      return callback(joinError(memberId, ErrorCode.FENCED_INSTANCE_ID));
    }
    if (!group.has(memberId) || (a.groupInstanceId !== null && !group.hasStaticMember(a.groupInstanceId))) {
      // an unknown id, or an unknown group.instance.id: the member resets its id and rejoins
      return callback(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
    const member = group.get(memberId);
    switch (group.currentState) {
      case 'PreparingRebalance':
        return this.rebalance.updateMemberAndRebalance(
          group,
          member,
          a.protocols,
          `Member ${memberId} joining group during PreparingRebalance`,
          callback,
        );
      case 'CompletingRebalance':
        if (member.matches(a.protocols)) {
          // the member missed our JoinGroup answer: give it the current generation again
          return callback(this.rebalance.joinResult(group, member, group.isLeader(memberId)));
        }
        return this.rebalance.updateMemberAndRebalance(
          group,
          member,
          a.protocols,
          `Updating metadata for member ${memberId} during CompletingRebalance`,
          callback,
        );
      case 'Stable':
        if (group.isLeader(memberId)) {
          // the leader rejoins to have the assignment redone (e.g. the topics' partitions changed)
          return this.rebalance.updateMemberAndRebalance(
            group,
            member,
            a.protocols,
            `leader ${memberId} re-joining group during Stable`,
            callback,
          );
        }
        if (!member.matches(a.protocols)) {
          return this.rebalance.updateMemberAndRebalance(
            group,
            member,
            a.protocols,
            `Updating metadata for member ${memberId} during Stable`,
            callback,
          );
        }
        return callback(this.rebalance.joinResult(group, member, false));
      case 'Empty':
      case 'Dead':
        this.logger.warn(
          `Attempt to add rejoining member ${memberId} of group ${group.groupId} in unexpected group state ${group.currentState}`,
        );
        return callback(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  // ---- SyncGroup ----------------------------------------------------------------------------------

  handleSyncGroup(a: SyncGroupArgs, callback: SyncCallback): void {
    const error = this.validateGroupStatus(a.groupId, 'SyncGroup');
    // While loading, the rebalance in progress is lost: the member rejoins (older clients do not
    // expect COORDINATOR_LOAD_IN_PROGRESS from SyncGroup).
    if (error === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
      return callback(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    if (error !== null) return callback(syncError(error));
    const group = this.groupManager.getGroup(a.groupId);
    if (!group) return callback(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    this.doSyncGroup(group, a, callback);
  }

  private doSyncGroup(group: GroupMetadata, a: SyncGroupArgs, callback: SyncCallback): void {
    if (group.is('Dead')) return callback(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (group.isStaticMemberFenced(a.memberId, a.groupInstanceId))
      return callback(syncError(ErrorCode.FENCED_INSTANCE_ID));
    if (!group.has(a.memberId)) return callback(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (a.generationId !== group.generationId) return callback(syncError(ErrorCode.ILLEGAL_GENERATION));
    if (a.protocolType !== null && group.protocolType !== a.protocolType)
      return callback(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    if (a.protocolName !== null && group.protocolName !== a.protocolName)
      return callback(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    switch (group.currentState) {
      case 'Empty':
        return callback(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case 'PreparingRebalance':
        return callback(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance':
        group.get(a.memberId).parkSync(callback); // a SyncGroup already parked is answered too
        this.rebalance.removePendingSyncMember(group, a.memberId);
        if (group.isLeader(a.memberId)) this.rebalance.onLeaderAssignment(group, a.memberId, a.assignments);
        return;
      case 'Stable': {
        this.rebalance.removePendingSyncMember(group, a.memberId);
        const member = group.get(a.memberId);
        callback({
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          memberAssignment: member.assignment,
          error: ErrorCode.NONE,
        });
        this.rebalance.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, member);
        return;
      }
      case 'Dead':
        throw new Error(`programmer error: sync in Dead group ${group.groupId}`);
    }
  }

  // ---- LeaveGroup ---------------------------------------------------------------------------------

  handleLeaveGroup(
    groupId: string,
    leavingMembers: readonly { memberId: string; groupInstanceId: string | null }[],
    callback: (r: LeaveGroupResult) => void,
  ): void {
    const error = this.validateGroupStatus(groupId, 'LeaveGroup');
    if (error !== null) return callback({ topLevelError: error, memberResponses: [] });
    const answer = (
      m: { memberId: string; groupInstanceId: string | null },
      e: number,
    ): LeaveMemberResponse => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, error: e });
    const group = this.groupManager.getGroup(groupId);
    if (!group)
      return callback({
        topLevelError: ErrorCode.NONE,
        memberResponses: leavingMembers.map((m) => answer(m, ErrorCode.UNKNOWN_MEMBER_ID)),
      });
    if (group.is('Dead'))
      return callback({ topLevelError: ErrorCode.COORDINATOR_NOT_AVAILABLE, memberResponses: [] });
    const memberResponses = leavingMembers.map((leaving) => {
      const { memberId, groupInstanceId } = leaving;
      if (memberId !== UNKNOWN_MEMBER_ID && group.isStaticMemberFenced(memberId, groupInstanceId))
        return answer(leaving, ErrorCode.FENCED_INSTANCE_ID);
      if (group.isPendingMember(memberId)) {
        // pending members are dynamic (see doJoinGroup)
        if (groupInstanceId !== null) return answer(leaving, ErrorCode.UNKNOWN_SERVER_ERROR);
        this.logger.info(`Pending member ${memberId} is leaving group ${group.groupId}.`);
        this.rebalance.removePendingMemberAndUpdateGroup(group, memberId);
        return answer(leaving, ErrorCode.NONE);
      }
      if (!group.has(memberId) && !group.hasStaticMember(groupInstanceId))
        return answer(leaving, ErrorCode.UNKNOWN_MEMBER_ID);
      const member =
        groupInstanceId !== null && group.hasStaticMember(groupInstanceId)
          ? group.get(group.getStaticMemberId(groupInstanceId))
          : group.get(memberId);
      this.rebalance.heartbeats.removeHeartbeatForLeavingMember(member);
      this.logger.info(
        `Member[group.instance.id ${member.groupInstanceId}, member.id ${member.memberId}] in group ${group.groupId} has left, removing it from the group`,
      );
      this.rebalance.removeMemberAndUpdateGroup(group, member, `removing member ${memberId} on LeaveGroup`);
      return answer(leaving, ErrorCode.NONE);
    });
    callback({ topLevelError: ErrorCode.NONE, memberResponses });
  }

  // ---- Heartbeat ----------------------------------------------------------------------------------

  handleHeartbeat(
    groupId: string,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    callback: (error: number) => void,
  ): void {
    const error = this.validateGroupStatus(groupId, 'Heartbeat');
    // while loading, the member is told nothing is wrong: it will hear of the rebalance later
    if (error === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return callback(ErrorCode.NONE);
    if (error !== null) return callback(error);
    const group = this.groupManager.getGroup(groupId);
    if (!group) return callback(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is('Dead')) return callback(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(memberId, groupInstanceId)) return callback(ErrorCode.FENCED_INSTANCE_ID);
    if (!group.has(memberId)) return callback(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return callback(ErrorCode.ILLEGAL_GENERATION);
    switch (group.currentState) {
      case 'Empty':
        return callback(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'CompletingRebalance':
      case 'Stable':
        // (members may heartbeat between their JoinGroup and SyncGroup answers)
        this.rebalance.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, group.get(memberId));
        return callback(ErrorCode.NONE);
      case 'PreparingRebalance':
        this.rebalance.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, group.get(memberId));
        return callback(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Dead':
        throw new Error(`programmer error: heartbeat in Dead group ${groupId}`);
    }
  }

  // ---- offsets ------------------------------------------------------------------------------------

  /**
   * OffsetCommit v1+ (Kafka's handleCommitOffsets). A generation of -1 with no group (or an Empty
   * one) is a standalone commit: the group only stores offsets. Otherwise the member and generation
   * must be current; a commit during PreparingRebalance is allowed (the member learns of the
   * rebalance from its heartbeat), during CompletingRebalance it is REBALANCE_IN_PROGRESS.
   */
  handleCommitOffsets(
    groupId: string,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    offsets: OffsetCommits,
    callback: (errors: Map<string, number>) => void,
  ): void {
    const all = (e: number) => new Map([...offsets.keys()].map((k) => [k, e]));
    const error = this.validateGroupStatus(groupId, 'OffsetCommit');
    if (error !== null) return callback(all(error));
    let group = this.groupManager.getGroup(groupId);
    if (!group) {
      // no group management, or a member of a generation gone long ago
      if (generationId >= 0) return callback(all(ErrorCode.ILLEGAL_GENERATION));
      group = this.groupManager.addGroup(new GroupMetadata(groupId, 'Empty', () => this.o.timer.now()));
    }
    const store = (g: GroupMetadata) =>
      this.groupManager.storeOffsets(g, offsets).then(callback, (e) => {
        this.logger.error(`Storing offsets of group ${groupId} failed`, e);
        callback(all(ErrorCode.UNKNOWN_SERVER_ERROR));
      });
    if (group.is('Dead')) return callback(all(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (group.isStaticMemberFenced(memberId, groupInstanceId))
      return callback(all(ErrorCode.FENCED_INSTANCE_ID));
    if (generationId < 0 && group.is('Empty')) return void store(group);
    if (!group.has(memberId)) return callback(all(ErrorCode.UNKNOWN_MEMBER_ID));
    if (generationId !== group.generationId) return callback(all(ErrorCode.ILLEGAL_GENERATION));
    switch (group.currentState) {
      case 'Stable':
      case 'PreparingRebalance':
        this.rebalance.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, group.get(memberId));
        return void store(group);
      case 'CompletingRebalance':
        return callback(all(ErrorCode.REBALANCE_IN_PROGRESS));
      default:
        throw new Error(`programmer error: commit in group ${groupId} in state ${group.currentState}`);
    }
  }

  /**
   * TxnOffsetCommit (Kafka 2.8's handleTxnCommitOffsets): offsets a transactional producer commits
   * for `groupId` in its transaction. A group is created when none exists (the producer need not be
   * a member); v3's member id and generation, when given, must be current. The offsets are written
   * to __consumer_offsets as a transactional batch of the producer's id and epoch, and stay
   * invisible to OffsetFetch until the transaction's COMMIT marker is written there
   * (scheduleHandleTxnCompletion); an ABORT drops them.
   */
  handleTxnCommitOffsets(
    groupId: string,
    producerId: number,
    producerEpoch: number,
    offsets: OffsetCommits,
    callback: (errors: Map<string, number>) => void,
    member: TxnCommitMember = NO_TXN_COMMIT_MEMBER,
  ): void {
    const all = (e: number) => new Map([...offsets.keys()].map((k) => [k, e]));
    const error = this.validateGroupStatus(groupId, 'TxnOffsetCommit');
    if (error !== null) return callback(all(error));
    const group =
      this.groupManager.getGroup(groupId) ??
      this.groupManager.addGroup(new GroupMetadata(groupId, 'Empty', () => this.o.timer.now()));
    const { memberId, groupInstanceId, generationId } = member;
    if (group.is('Dead')) return callback(all(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (group.isStaticMemberFenced(memberId, groupInstanceId))
      return callback(all(ErrorCode.FENCED_INSTANCE_ID));
    if (memberId !== UNKNOWN_MEMBER_ID && !group.has(memberId))
      return callback(all(ErrorCode.UNKNOWN_MEMBER_ID));
    if (generationId >= 0 && generationId !== group.generationId)
      return callback(all(ErrorCode.ILLEGAL_GENERATION));
    this.groupManager.storeOffsets(group, offsets, { producerId, producerEpoch }).then(callback, (e) => {
      this.logger.error(`Storing transactional offsets of group ${groupId} failed`, e);
      callback(all(ErrorCode.UNKNOWN_SERVER_ERROR));
    });
  }

  /**
   * A COMMIT (`isCommit`) or ABORT marker of `producerId` was written to these partitions of
   * __consumer_offsets (WriteTxnMarkers): the producer's pending transactional offsets in their
   * groups become visible, or are dropped. Scheduled after any load in progress, as Kafka does.
   */
  scheduleHandleTxnCompletion(
    producerId: number,
    offsetsPartitions: readonly number[],
    isCommit: boolean,
  ): void {
    this.groupManager.scheduleHandleTxnCompletion(producerId, offsetsPartitions, isCommit);
  }

  /** OffsetFetch v1+: whatever the group's state (it may only store offsets). */
  handleFetchOffsets(
    groupId: string,
    requireStable: boolean,
    tps: readonly TopicPartition[] | null,
  ): { error: number; partitions: { tp: TopicPartition; data: OffsetFetchPartitionData }[] } {
    const error = this.validateGroupStatus(groupId, 'OffsetFetch');
    if (error !== null) return { error, partitions: [] };
    return { error: ErrorCode.NONE, partitions: this.groupManager.getOffsets(groupId, requireStable, tps) };
  }

  // ---- admin (GroupAdmin) -------------------------------------------------------------------------

  handleListGroups(states: readonly string[]): { error: number; groups: GroupOverview[] } {
    return this.admin.handleListGroups(states);
  }

  handleDescribeGroup(groupId: string): { error: number; summary: GroupSummary } {
    return this.admin.handleDescribeGroup(groupId);
  }

  handleDeleteGroups(groupIds: readonly string[]): Map<string, number> {
    return this.admin.handleDeleteGroups(groupIds);
  }

  handleDeleteOffsets(groupId: string, tps: readonly TopicPartition[]): DeleteOffsetsResult {
    return this.admin.handleDeleteOffsets(groupId, tps);
  }

  handleDeletedPartitions(tps: readonly TopicPartition[]): void {
    this.admin.handleDeletedPartitions(tps);
  }

  // ---- leadership of __consumer_offsets ----------------------------------------------------------

  /** This broker now leads `offsetsPartition`: load its groups. */
  onElection(offsetsPartition: number, coordinatorEpoch: number): void {
    this.logger.info(
      `Elected as the group coordinator for partition ${offsetsPartition} in epoch ${coordinatorEpoch}`,
    );
    this.groupManager.scheduleLoadGroupAndOffsets(offsetsPartition, coordinatorEpoch, (g) =>
      this.rebalance.onGroupLoaded(g),
    );
  }

  /** This broker no longer leads `offsetsPartition`: drop its groups. */
  onResignation(offsetsPartition: number, coordinatorEpoch: number | null): void {
    this.logger.info(
      `Resigned as the group coordinator for partition ${offsetsPartition} in epoch ${coordinatorEpoch}`,
    );
    this.groupManager.removeGroupsForPartition(offsetsPartition, coordinatorEpoch, (g) =>
      this.rebalance.onGroupUnloaded(g),
    );
  }

  /**
   * Kafka's onLeadershipChange, called after a LeaderAndIsr was applied: partitions of
   * __consumer_offsets this broker became leader of are loaded, those it now follows unloaded.
   */
  onLeadershipChange(
    updatedLeaders: readonly { topic: string; partition: number; leaderEpoch: number }[],
    updatedFollowers: readonly { topic: string; partition: number; leaderEpoch: number }[],
  ): void {
    for (const p of updatedLeaders)
      if (p.topic === GROUP_METADATA_TOPIC_NAME) this.onElection(p.partition, p.leaderEpoch);
    for (const p of updatedFollowers)
      if (p.topic === GROUP_METADATA_TOPIC_NAME) this.onResignation(p.partition, p.leaderEpoch);
  }
}
