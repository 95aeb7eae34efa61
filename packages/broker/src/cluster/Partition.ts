import { ErrorCode, KafkaError } from '@samsa/protocol';
import type { Log, LogAppendInfo } from '@samsa/storage';

/** The controller's word on a partition, as LeaderAndIsr carries it. */
export interface LeaderAndIsrState {
  readonly controllerEpoch: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly zkVersion: number;
  readonly replicas: readonly number[];
  readonly isNew: boolean;
}

/** What the leader knows of a follower from its fetches. */
interface FollowerState {
  logEndOffset: number;
  lastFetchTimeMs: number;
  lastCaughtUpTimeMs: number;
}

/**
 * One partition on this broker: its log, who leads it, its ISR and the high watermark rule
 * (the minimum log end offset over the ISR). Changed only by ReplicaManager on LeaderAndIsr, and by
 * appends and follower fetches.
 */
export class Partition {
  leaderId = -1;
  leaderEpoch = -1;
  controllerEpoch = -1;
  zkVersion = -1;
  isr: number[] = [];
  assignment: number[] = [];
  /** Log end offset when this broker became leader for `leaderEpoch` (-1 when not leader). */
  leaderEpochStartOffset = -1;
  /** An ISR write to ZooKeeper is on its way: propose no other until it is answered. */
  isrUpdateInFlight = false;
  private readonly followers = new Map<number, FollowerState>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly localBrokerId: number,
    public log: Log,
  ) {}

  get key(): string {
    return `${this.topic}-${this.partition}`;
  }

  get isLeader(): boolean {
    return this.leaderId === this.localBrokerId;
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  /**
   * Becomes leader for `state.leaderEpoch`:
   * 1. record leader, epoch, ISR, assignment and zkVersion;
   * 2. start a new epoch in the leader epoch cache at the log end offset;
   * 3. forget follower positions of an older epoch (they fetch again);
   * 4. move the high watermark if the ISR allows (an ISR of one is this broker alone).
   */
  makeLeader(state: LeaderAndIsrState, nowMs: number): void {
    this.applyState(state);
    this.leaderEpochStartOffset = this.log.logEndOffset;
    this.log.maybeAssignEpochStartOffset(state.leaderEpoch, this.log.logEndOffset);
    this.followers.clear();
    for (const id of state.replicas) {
      if (id !== this.localBrokerId) this.followers.set(id, { logEndOffset: -1, lastFetchTimeMs: 0, lastCaughtUpTimeMs: nowMs });
    }
    this.maybeIncrementHighWatermark();
  }

  /** Becomes a follower of `state.leader`. Returns true when the leader changed. */
  makeFollower(state: LeaderAndIsrState): boolean {
    const changed = this.leaderId !== state.leader;
    this.applyState(state);
    this.leaderEpochStartOffset = -1;
    this.followers.clear();
    return changed;
  }

  /**
   * The ISR to propose when follower `replicaId` has caught up (Kafka's maybeExpandIsr): it is an
   * assigned replica outside the ISR whose log end reached both the high watermark and the start of
   * this leader epoch. Null when there is nothing to propose (or a proposal is still in flight).
   */
  isrExpansionFor(replicaId: number): number[] | null {
    if (!this.isLeader || this.isrUpdateInFlight) return null;
    if (this.isr.includes(replicaId) || !this.assignment.includes(replicaId)) return null;
    const f = this.followers.get(replicaId);
    if (!f || f.logEndOffset < this.highWatermark || f.logEndOffset < this.leaderEpochStartOffset) return null;
    return [...this.isr, replicaId];
  }

  /** The ISR written to the partition state znode, now at `zkVersion`. Returns true if the HW moved. */
  applyIsrUpdate(isr: readonly number[], zkVersion: number): boolean {
    this.isr = [...isr];
    this.zkVersion = zkVersion;
    return this.maybeIncrementHighWatermark();
  }

  private applyState(state: LeaderAndIsrState): void {
    this.leaderId = state.leader;
    this.leaderEpoch = state.leaderEpoch;
    this.controllerEpoch = state.controllerEpoch;
    this.zkVersion = state.zkVersion;
    this.isr = [...state.isr];
    this.assignment = [...state.replicas];
  }

  /** The leader's checks before an append (Kafka's appendRecordsToLeader). */
  appendRecordsToLeader(records: Buffer, requiredAcks: number, minInsyncReplicas: number): LogAppendInfo {
    if (!this.isLeader) {
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `broker ${this.localBrokerId} does not lead ${this.key}`);
    }
    if (requiredAcks === -1 && this.isr.length < minInsyncReplicas) {
      throw new KafkaError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `the ISR of ${this.key} has ${this.isr.length} members, fewer than min.insync.replicas=${minInsyncReplicas}`,
      );
    }
    const info = this.log.appendAsLeader(records, this.leaderEpoch);
    this.maybeIncrementHighWatermark();
    return info;
  }

  /** A follower fetched from `fetchOffset`: it holds everything below it. */
  updateFollowerFetchState(replicaId: number, fetchOffset: number, nowMs: number): boolean {
    const f = this.followers.get(replicaId);
    if (!f) return false;
    f.logEndOffset = fetchOffset;
    f.lastFetchTimeMs = nowMs;
    if (fetchOffset >= this.log.logEndOffset) f.lastCaughtUpTimeMs = nowMs;
    return this.maybeIncrementHighWatermark();
  }

  /** High watermark = min log end offset over the ISR (never backwards). Returns true if it moved. */
  maybeIncrementHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let hw = this.log.logEndOffset;
    for (const id of this.isr) {
      if (id === this.localBrokerId) continue;
      const f = this.followers.get(id);
      hw = Math.min(hw, f ? Math.max(f.logEndOffset, 0) : 0);
    }
    return this.log.maybeIncrementHighWatermark(hw) !== undefined;
  }

  followerLogEndOffset(replicaId: number): number | undefined {
    return this.followers.get(replicaId)?.logEndOffset;
  }

  /** Followers whose last catch-up is older than `maxLagMs` (ISR shrink candidates). */
  outOfSyncReplicas(nowMs: number, maxLagMs: number): number[] {
    return this.isr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const f = this.followers.get(id);
      return !f || nowMs - f.lastCaughtUpTimeMs > maxLagMs;
    });
  }
}
