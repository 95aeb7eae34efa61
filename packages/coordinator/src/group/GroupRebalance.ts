import { type Logger } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import type { CoordinatorTimer } from './CoordinatorTimer';
import type { GroupMetadata } from './GroupMetadata';
import type { GroupMetadataManager } from './GroupMetadataManager';
import { joinError, syncError, UNKNOWN_MEMBER_ID, type JoinGroupResult } from './GroupResults';
import { MemberMetadata, type JoinCallback, type Protocol } from './MemberMetadata';
import { MemberHeartbeats } from './MemberHeartbeats';
import type { GroupConfig } from './OffsetConfig';

/** How long a new member's JoinGroup may wait for the rebalance before it is dropped (it retries). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

/** What a joining member brings (the JoinGroup request's fields). */
export interface JoiningMember {
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly Protocol[];
}

/**
 * The rebalance protocol's moving parts, shared by the GroupCoordinator's request handlers:
 * - the join phase: PreparingRebalance until every known member has rejoined or the rebalance
 *   timeout (the longest of the members') ends — one timer per group (Kafka's DelayedJoin; a new
 *   group first waits group.initial.rebalance.delay.ms, extended while members keep arriving,
 *   Kafka's InitialDelayedJoin);
 * - the sync phase: after the JoinGroup answers, members that send no SyncGroup within the
 *   rebalance timeout — but never sooner than their session timeout — are removed (Kafka's
 *   DelayedSync, 2.8.1+), one timer per group;
 * - sessions (MemberHeartbeats): a member whose session expires is removed and the group
 *   rebalances; a pending member (KIP-394) that does not come back is forgotten.
 */
export class GroupRebalance {
  readonly heartbeats: MemberHeartbeats;

  constructor(
    private readonly groupConfig: GroupConfig,
    private readonly groupManager: GroupMetadataManager,
    private readonly timer: CoordinatorTimer,
    private readonly logger: Logger,
  ) {
    this.heartbeats = new MemberHeartbeats(
      timer,
      (group, member) => {
        this.logger.info(
          `Member ${member.memberId} in group ${group.groupId} has failed, removing it from the group`,
        );
        this.removeMemberAndUpdateGroup(
          group,
          member,
          `removing member ${member.memberId} on heartbeat expiration`,
        );
      },
      (group, memberId) => {
        this.logger.info(
          `Pending member ${memberId} in group ${group.groupId} has been removed after session timeout expiration.`,
        );
        this.removePendingMemberAndUpdateGroup(group, memberId);
      },
    );
  }

  private partitionName(group: GroupMetadata): string {
    return `__consumer_offsets-${this.groupManager.partitionFor(group.groupId)}`;
  }

  /** The JoinGroup answer of the current generation (members listed only for the leader). */
  joinResult(group: GroupMetadata, member: MemberMetadata, withMembers: boolean): JoinGroupResult {
    return {
      members: withMembers ? group.currentMemberMetadata() : [],
      memberId: member.memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderOrNull ?? '',
      error: ErrorCode.NONE,
    };
  }

  // ---- members joining and leaving ----------------------------------------------------------------

  addMemberAndRebalance(
    group: GroupMetadata,
    memberId: string,
    m: JoiningMember,
    callback: JoinCallback,
  ): void {
    const member = new MemberMetadata(
      memberId,
      m.groupInstanceId,
      m.clientId,
      m.clientHost,
      m.rebalanceTimeoutMs,
      m.sessionTimeoutMs,
      m.protocolType,
      m.protocols,
    );
    member.isNew = true;
    // a member joining a new group's first rebalance may extend the initial delay
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, callback);
    // A new member cannot heartbeat before its JoinGroup is answered; if it disconnects meanwhile
    // and retries, its old self must not stay forever: its JoinGroup times out instead.
    this.heartbeats.completeAndScheduleNextExpiration(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    if (member.groupInstanceId !== null) {
      this.logger.info(
        `Adding new static member ${member.groupInstanceId} to group ${group.groupId} with member id ${memberId}.`,
      );
      group.addStaticMember(member.groupInstanceId, memberId);
    } else {
      group.removePendingMember(memberId);
    }
    this.maybePrepareRebalance(
      group,
      `Adding new member ${memberId} with group instance id ${m.groupInstanceId}`,
    );
  }

  /**
   * A known static member rejoined without its member id: it gets a new one (the old one is fenced).
   * A Stable group whose protocol would not change keeps its generation: only the new member id is
   * stored; otherwise the group rebalances.
   */
  updateStaticMemberAndRebalance(
    group: GroupMetadata,
    newMemberId: string,
    groupInstanceId: string,
    protocols: readonly Protocol[],
    callback: JoinCallback,
  ): void {
    const oldMemberId = group.getStaticMemberId(groupInstanceId);
    this.logger.info(
      `Static member ${groupInstanceId} of group ${group.groupId} with unknown member id rejoins, assigning new member id ${newMemberId}, while old member id ${oldMemberId} will be removed.`,
    );
    const currentLeader = group.leaderOrNull ?? '';
    const member = group.replaceGroupInstance(oldMemberId, newMemberId, groupInstanceId);
    this.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, member);
    const oldProtocols = member.supportedProtocols;
    group.updateMember(member, protocols, callback);
    switch (group.currentState) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) {
          this.maybePrepareRebalance(
            group,
            `Group's selectedProtocol will change because static member ${newMemberId} with instance id ${groupInstanceId} joined with change of protocol`,
          );
          return;
        }
        const assignment = new Map(group.allMemberMetadata.map((x) => [x.memberId, x.assignment]));
        const generation = group.generationId;
        void this.groupManager.storeGroup(group, assignment).then((error) => {
          if (member.awaitingJoinCallback !== callback) return; // answered meanwhile (fenced, removed)
          if (error !== ErrorCode.NONE) {
            this.logger.warn(`Failed to persist metadata for group ${group.groupId}: error ${error}`);
            // undo: the static member keeps its old id
            group.updateMember(member, oldProtocols, null);
            const oldMember = group.replaceGroupInstance(newMemberId, oldMemberId, groupInstanceId);
            this.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, oldMember);
            callback({
              members: [],
              memberId: UNKNOWN_MEMBER_ID,
              generationId: generation,
              protocolType: group.protocolType,
              protocolName: group.protocolName,
              leaderId: currentLeader,
              error,
            });
          } else {
            // The old leader id is returned so that the current leader does not redo an assignment
            // a Stable group would not hand out.
            group.maybeInvokeJoinCallback(member, {
              members: [],
              memberId: newMemberId,
              generationId: group.generationId,
              protocolType: group.protocolType,
              protocolName: group.protocolName,
              leaderId: currentLeader,
              error: ErrorCode.NONE,
            });
          }
        });
        return;
      }
      case 'CompletingRebalance':
        // the leader may already have the old member id in its assignment: rebalance
        this.prepareRebalance(
          group,
          `Updating metadata for static member ${newMemberId} with instance id ${groupInstanceId}`,
        );
        return;
      case 'PreparingRebalance':
        return;
      case 'Empty':
      case 'Dead':
        throw new Error(
          `programmer error: group ${group.groupId} is ${group.currentState} while static member ${groupInstanceId} rejoins`,
        );
    }
  }

  updateMemberAndRebalance(
    group: GroupMetadata,
    member: MemberMetadata,
    protocols: readonly Protocol[],
    reason: string,
    callback: JoinCallback,
  ): void {
    group.updateMember(member, protocols, callback);
    this.maybePrepareRebalance(group, reason);
  }

  /** Removes a member (its parked JoinGroup answered UNKNOWN_MEMBER_ID) and rebalances. */
  removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string): void {
    // A new member may time out with its JoinGroup parked: answer it so that it can retry.
    group.maybeInvokeJoinCallback(member, joinError(UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID));
    this.heartbeats.cancelHeartbeat(member);
    group.remove(member.memberId);
    switch (group.currentState) {
      case 'Stable':
      case 'CompletingRebalance':
        return this.maybePrepareRebalance(group, reason);
      case 'PreparingRebalance':
        return this.checkAndCompleteJoin(group);
      default:
        return;
    }
  }

  removePendingMemberAndUpdateGroup(group: GroupMetadata, memberId: string): void {
    group.removePendingMember(memberId);
    this.heartbeats.cancelPendingMemberExpiration(group, memberId);
    if (group.is('PreparingRebalance')) this.checkAndCompleteJoin(group);
  }

  // ---- the join phase -----------------------------------------------------------------------------

  maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance) this.prepareRebalance(group, reason);
  }

  /**
   * Starts a join phase: members waiting on SyncGroup are told REBALANCE_IN_PROGRESS, the sync
   * phase is dropped, and the group waits for its members to rejoin (an Empty group first waits
   * group.initial.rebalance.delay.ms for more members).
   */
  prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.is('CompletingRebalance'))
      this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration(group);
    const wasEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance');
    this.logger.info(
      `Preparing to rebalance group ${group.groupId} in state ${group.currentState} with old generation ${group.generationId} (${this.partitionName(group)}) (reason: ${reason})`,
    );
    if (wasEmpty) {
      const delay = this.groupConfig.groupInitialRebalanceDelayMs;
      this.initialDelayedJoin(group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0));
    } else {
      this.delayedJoin(group, group.rebalanceTimeoutMs);
    }
  }

  /** Kafka's DelayedJoin: completes when every member rejoined, else at the rebalance timeout. */
  private delayedJoin(group: GroupMetadata, timeoutMs: number): void {
    this.cancelJoinTimer(group);
    if (group.hasAllMembersJoined) return this.onCompleteJoin(group);
    const t = this.timer.schedule(timeoutMs, () => {
      if (group.joinTimer !== handle) return;
      group.joinTimer = null;
      this.onCompleteJoin(group);
    });
    const handle = { initial: false, cancel: () => t.cancel() };
    group.joinTimer = handle;
  }

  /**
   * Kafka's InitialDelayedJoin: waits `delayMs` whatever joins; if members arrived meanwhile and
   * rebalance time remains, waits again (at most the configured delay, at most what remains).
   */
  private initialDelayedJoin(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    this.cancelJoinTimer(group);
    const configured = this.groupConfig.groupInitialRebalanceDelayMs;
    const t = this.timer.schedule(delayMs, () => {
      if (group.joinTimer !== handle) return;
      group.joinTimer = null;
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        this.initialDelayedJoin(group, Math.min(configured, remainingMs), Math.max(remainingMs - delayMs, 0));
      } else {
        this.onCompleteJoin(group);
      }
    });
    const handle = { initial: true, cancel: () => t.cancel() };
    group.joinTimer = handle;
  }

  private cancelJoinTimer(group: GroupMetadata): void {
    group.joinTimer?.cancel();
    group.joinTimer = null;
  }

  /** After a join or leave: ends the join phase early when everyone is in (not during the initial delay). */
  checkAndCompleteJoin(group: GroupMetadata): void {
    const t = group.joinTimer;
    if (t === null || t.initial || !group.hasAllMembersJoined) return;
    this.cancelJoinTimer(group);
    this.onCompleteJoin(group);
  }

  /**
   * The join phase ends (Kafka's onCompleteJoin):
   * 1. dynamic members that did not rejoin are removed (static ones stay, they may come back);
   * 2. nobody rejoined but members remain: another join phase, until their sessions expire;
   * 3. otherwise the next generation: Empty (stored as such), or CompletingRebalance with every
   *    JoinGroup answered (the leader gets the members' metadata) and the sync phase started.
   */
  onCompleteJoin(group: GroupMetadata): void {
    for (const m of group.notYetRejoinedMembers) {
      if (m.isStaticMember) continue;
      this.logger.info(`Group ${group.groupId} removed dynamic member ${m.memberId} who did not rejoin`);
      this.heartbeats.removeHeartbeatForLeavingMember(m);
      group.remove(m.memberId);
    }
    if (group.is('Dead')) {
      this.logger.info(`Group ${group.groupId} is dead, skipping rebalance stage`);
    } else if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      this.logger.error(`Group ${group.groupId} could not complete rebalance because no members rejoined`);
      this.delayedJoin(group, group.rebalanceTimeoutMs);
    } else {
      group.initNextGeneration();
      if (group.is('Empty')) {
        this.logger.info(
          `Group ${group.groupId} with generation ${group.generationId} is now empty (${this.partitionName(group)})`,
        );
        void this.groupManager.storeGroup(group, new Map()).then((error) => {
          // if the broker dies before the next rebalance, the previous generation comes back and times out
          if (error !== ErrorCode.NONE)
            this.logger.warn(`Failed to write empty metadata for group ${group.groupId}: error ${error}`);
        });
      } else {
        this.logger.info(
          `Stabilized group ${group.groupId} generation ${group.generationId} (${this.partitionName(group)}) with ${group.size} members`,
        );
        for (const member of group.allMemberMetadata) {
          group.maybeInvokeJoinCallback(
            member,
            this.joinResult(group, member, group.isLeader(member.memberId)),
          );
          this.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, member);
          member.isNew = false;
          group.addPendingSyncMember(member.memberId);
        }
        this.delayedSync(group);
      }
    }
  }

  // ---- the sync phase -----------------------------------------------------------------------------

  /**
   * The leader's SyncGroup: members without an assignment get an empty one; the group is stored,
   * then (if still CompletingRebalance in the same generation) every parked SyncGroup is answered
   * and the group is Stable — or, if storing failed, the members are told the error and rejoin.
   */
  onLeaderAssignment(group: GroupMetadata, leaderId: string, assignments: ReadonlyMap<string, Buffer>): void {
    this.logger.info(
      `Assignment received from leader ${leaderId} for group ${group.groupId} for generation ${group.generationId}. The group has ${group.size} members, ${group.allStaticMembers.length} of which are static.`,
    );
    const assignment = new Map(assignments);
    const missing = group.allMembers.filter((id) => !assignment.has(id));
    for (const id of missing) assignment.set(id, Buffer.alloc(0));
    if (missing.length > 0)
      this.logger.warn(
        `Setting empty assignments for members ${missing.join(', ')} of ${group.groupId} for generation ${group.generationId}`,
      );
    const generationId = group.generationId;
    void this.groupManager.storeGroup(group, assignment).then((error) => {
      // another member may have joined meanwhile: only the same generation, still completing, goes on
      if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
      if (error !== ErrorCode.NONE) {
        this.resetAndPropagateAssignmentError(group, error);
        this.maybePrepareRebalance(
          group,
          `error when storing group assignment during SyncGroup (member: ${leaderId})`,
        );
      } else {
        for (const m of group.allMemberMetadata) m.assignment = assignment.get(m.memberId) ?? Buffer.alloc(0);
        this.propagateAssignment(group, ErrorCode.NONE);
        group.transitionTo('Stable');
      }
    });
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, error: number): void {
    for (const m of group.allMemberMetadata) m.assignment = Buffer.alloc(0);
    this.propagateAssignment(group, error);
  }

  /** Answers every parked SyncGroup, and restarts the session of each member answered. */
  private propagateAssignment(group: GroupMetadata, error: number): void {
    for (const member of group.allMemberMetadata) {
      const result =
        error === ErrorCode.NONE
          ? {
              protocolType: group.protocolType,
              protocolName: group.protocolName,
              memberAssignment: member.assignment,
              error,
            }
          : syncError(error);
      if (member.assignment.length === 0 && error === ErrorCode.NONE) {
        this.logger.warn(
          `Sending empty assignment to member ${member.memberId} of ${group.groupId} for generation ${group.generationId} with no errors`,
        );
      }
      // A session that expired while the SyncGroup was parked was ignored: start a new one.
      if (group.maybeInvokeSyncCallback(member, result))
        this.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, member);
    }
  }

  /**
   * Kafka's DelayedSync (KAFKA-12890, in 2.8.1+): members that send no SyncGroup within the
   * rebalance timeout are removed, so a member that heartbeats but never syncs cannot hold the
   * group in CompletingRebalance forever. Kafka 2.8.0 had no such timer: a joined member lived
   * until its session timeout. Here the timer never fires before the members' session timeout, so
   * that 2.x promise holds even for clients that send a rebalance timeout of 0 (kafkajs's
   * Broker-level joinGroup does), whose SyncGroup would otherwise race an immediate expiry.
   */
  private delayedSync(group: GroupMetadata): void {
    this.removeSyncTimer(group);
    const generationId = group.generationId;
    if (this.tryCompletePendingSync(group, generationId)) return;
    const timeoutMs = group.allMemberMetadata.reduce(
      (t, m) => Math.max(t, m.sessionTimeoutMs),
      group.rebalanceTimeoutMs,
    );
    const t = this.timer.schedule(timeoutMs, () => {
      if (group.syncTimer !== handle) return;
      group.syncTimer = null;
      this.onExpirePendingSync(group, generationId);
    });
    const handle = { generationId, cancel: () => t.cancel() };
    group.syncTimer = handle;
  }

  private removeSyncTimer(group: GroupMetadata): void {
    group.syncTimer?.cancel();
    group.syncTimer = null;
  }

  private tryCompletePendingSync(group: GroupMetadata, generationId: number): boolean {
    if (generationId !== group.generationId) return true;
    switch (group.currentState) {
      case 'Dead':
      case 'Empty':
      case 'PreparingRebalance':
        return true;
      default:
        return group.hasReceivedSyncFromAllMembers;
    }
  }

  private maybeCompleteSyncExpiration(group: GroupMetadata): void {
    const t = group.syncTimer;
    if (t !== null && this.tryCompletePendingSync(group, t.generationId)) this.removeSyncTimer(group);
  }

  removePendingSyncMember(group: GroupMetadata, memberId: string): void {
    group.removePendingSyncMember(memberId);
    this.maybeCompleteSyncExpiration(group);
  }

  private removeSyncExpiration(group: GroupMetadata): void {
    group.clearPendingSyncMembers();
    this.maybeCompleteSyncExpiration(group);
  }

  private onExpirePendingSync(group: GroupMetadata, generationId: number): void {
    if (generationId !== group.generationId || !(group.is('CompletingRebalance') || group.is('Stable'))) {
      this.logger.error(
        `Unexpected sync expiration for group ${group.groupId} generation ${generationId} in state ${group.currentState} (generation ${group.generationId})`,
      );
      return;
    }
    if (group.hasReceivedSyncFromAllMembers) return;
    const pending = group.allPendingSyncMembers;
    for (const id of pending) {
      this.heartbeats.removeHeartbeatForLeavingMember(group.get(id));
      group.remove(id);
    }
    this.logger.debug(
      `Group ${group.groupId} removed members who haven't sent their sync request: ${pending.join(', ')}`,
    );
    this.prepareRebalance(group, `Removing ${pending.join(', ')} on pending sync request expiration`);
  }

  // ---- loading and unloading ----------------------------------------------------------------------

  /** A group read from the log: its members must heartbeat from now on (Kafka's onGroupLoaded). */
  onGroupLoaded(group: GroupMetadata): void {
    this.logger.info(`Loading group metadata for ${group.groupId} with generation ${group.generationId}`);
    if (group.size > this.groupConfig.groupMaxSize) {
      this.prepareRebalance(
        group,
        `Freshly-loaded group is over capacity (${this.groupConfig.groupMaxSize}). Rebalancing in order to give a chance for consumers to commit offsets`,
      );
    }
    for (const m of group.allMemberMetadata)
      this.heartbeats.completeAndScheduleNextHeartbeatExpiration(group, m);
  }

  /**
   * A group leaves this coordinator: it is Dead, parked JoinGroup and SyncGroup requests are
   * answered NOT_COORDINATOR (the members find the new coordinator), every timer is cancelled.
   */
  onGroupUnloaded(group: GroupMetadata): void {
    this.logger.info(`Unloading group metadata for ${group.groupId} with generation ${group.generationId}`);
    const previous = group.currentState;
    group.transitionTo('Dead');
    for (const m of group.allMemberMetadata) {
      if (previous === 'PreparingRebalance')
        group.maybeInvokeJoinCallback(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
      if (previous === 'Stable' || previous === 'CompletingRebalance')
        group.maybeInvokeSyncCallback(m, syncError(ErrorCode.NOT_COORDINATOR));
    }
    this.heartbeats.cancelAll(group);
    this.cancelJoinTimer(group);
    this.removeSyncExpiration(group);
    this.removeSyncTimer(group);
  }
}
