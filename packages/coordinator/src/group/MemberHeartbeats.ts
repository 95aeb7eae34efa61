import type { CoordinatorTimer } from './CoordinatorTimer';
import type { GroupMetadata } from './GroupMetadata';
import type { MemberMetadata } from './MemberMetadata';

/**
 * Member sessions (Kafka's DelayedHeartbeat): one timer per member, pushed back by every sign of
 * life (heartbeat, commit, JoinGroup and SyncGroup answers), and one per pending member (KIP-394).
 * What an expiry means is the caller's: `onMemberExpired` removes the member and rebalances,
 * `onPendingMemberExpired` forgets the member id handed out.
 */
export class MemberHeartbeats {
  constructor(
    private readonly timer: CoordinatorTimer,
    private readonly onMemberExpired: (group: GroupMetadata, member: MemberMetadata) => void,
    private readonly onPendingMemberExpired: (group: GroupMetadata, memberId: string) => void,
  ) {}

  completeAndScheduleNextHeartbeatExpiration(group: GroupMetadata, member: MemberMetadata): void {
    this.completeAndScheduleNextExpiration(group, member, member.sessionTimeoutMs);
  }

  /**
   * The member's previous timer is done with (it was alive); a new one expires it after
   * `timeoutMs` unless something shows it alive again. A member (not new) parked in JoinGroup or
   * SyncGroup counts as alive and gets no timer until it is answered; neither does a leaving one.
   * A pending member's timer ends too: it has joined.
   */
  completeAndScheduleNextExpiration(group: GroupMetadata, member: MemberMetadata, timeoutMs: number): void {
    this.cancelHeartbeat(member);
    this.cancelPendingMemberExpiration(group, member.memberId);
    member.heartbeatSatisfied = false;
    if (group.is('Dead') || !group.has(member.memberId) || member.hasSatisfiedHeartbeat || member.isLeaving)
      return;
    const t = this.timer.schedule(timeoutMs, () => {
      if (member.heartbeatTimer !== t) return;
      member.heartbeatTimer = null;
      // the member may have been replaced, removed or shown alive meanwhile
      if (group.is('Dead') || !group.has(member.memberId) || group.get(member.memberId) !== member) return;
      if (member.hasSatisfiedHeartbeat) return;
      this.onMemberExpired(group, member);
    });
    member.heartbeatTimer = t;
  }

  cancelHeartbeat(member: MemberMetadata): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = null;
  }

  removeHeartbeatForLeavingMember(member: MemberMetadata): void {
    member.isLeaving = true;
    this.cancelHeartbeat(member);
  }

  /** A pending member that does not come back within its session timeout is forgotten. */
  addPendingMemberExpiration(group: GroupMetadata, memberId: string, timeoutMs: number): void {
    this.cancelPendingMemberExpiration(group, memberId);
    const t = this.timer.schedule(timeoutMs, () => {
      if (group.pendingMemberTimers.get(memberId) !== t) return;
      group.pendingMemberTimers.delete(memberId);
      if (!group.is('Dead')) this.onPendingMemberExpired(group, memberId);
    });
    group.pendingMemberTimers.set(memberId, t);
  }

  cancelPendingMemberExpiration(group: GroupMetadata, memberId: string): void {
    group.pendingMemberTimers.get(memberId)?.cancel();
    group.pendingMemberTimers.delete(memberId);
  }

  /** Every session timer of the group (it is unloaded). */
  cancelAll(group: GroupMetadata): void {
    for (const m of group.allMemberMetadata) this.cancelHeartbeat(m);
    for (const t of group.pendingMemberTimers.values()) t.cancel();
    group.pendingMemberTimers.clear();
  }
}
