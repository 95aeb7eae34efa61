import { topicPartitionKey } from '@samsa/common';
import { ErrorCode, KafkaError, type LeaderAndIsrPartitionState } from '@samsa/protocol';
import { UnexpectedAppendOffsetError, type AppendOrigin, type Log, type LogAppendInfo } from '@samsa/storage';

/** The controller's word on a partition, as LeaderAndIsr carries it (what Partition keeps of it). */
export type LeaderAndIsrState = Pick<
  LeaderAndIsrPartitionState,
  'controllerEpoch' | 'leader' | 'leaderEpoch' | 'isr' | 'zkVersion' | 'replicas' | 'isNew'
>;

/**
 * The time of a fetch session's latest fetch (KIP-227). An incremental fetch names only the
 * partitions whose fetch offset moved, and the leader reads only those and the ones that changed
 * since it last answered: a follower caught up on an idle partition is not looked at again, yet is
 * caught up as of each fetch of its session. So its caught-up time is this session time for as long
 * as it stays attached to it (see Partition.updateFollowerFetchState and detachFollowerSession).
 */
export interface SessionFetchTime {
  lastFetchMs: number;
}

/** What the leader knows of a follower from its fetches. */
interface FollowerState {
  logEndOffset: number;
  lastFetchTimeMs: number;
  /** The leader's log end offset when this follower last fetched. */
  lastFetchLeaderLogEndOffset: number;
  lastCaughtUpTimeMs: number;
  /**
   * Set while the follower is at the leader's log end `sessionLeaderEnd` and fetches through a
   * session that no longer names this partition: each of that session's fetches is a fetch of this
   * partition at the same offset, so caught up as of `session.lastFetchMs`.
   */
  session: SessionFetchTime | null;
  sessionLeaderEnd: number;
}

/** What the leader answers to OffsetForLeaderEpoch for one partition. */
export interface EpochEndOffset {
  readonly errorCode: number;
  readonly leaderEpoch: number;
  readonly endOffset: number;
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
  /**
   * The ISR of a write to ZooKeeper on its way (null when none): propose no other until it is
   * answered. While it is out, the high watermark counts the union of both ISRs (Kafka's maximal
   * ISR), so nothing is committed that a member of either might lack.
   */
  pendingIsr: number[] | null = null;
  /**
   * While set, nothing appends to this partition's log (leader appends wait for it, follower
   * fetches drop their data and fetch it again): the moment a future log replaces the current one
   * (ReplicaAlterLogDirsManager), a few milliseconds.
   */
  appendGate: Promise<void> | null = null;
  private readonly followers = new Map<number, FollowerState>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly localBrokerId: number,
    public log: Log,
  ) {}

  get key(): string {
    return topicPartitionKey(this);
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
      if (id === this.localBrokerId) continue;
      // Kafka's resetLastCaughtUpTime: ISR members get a full lag period to fetch from the new leader.
      this.followers.set(id, {
        logEndOffset: -1,
        lastFetchTimeMs: 0,
        lastFetchLeaderLogEndOffset: -1,
        lastCaughtUpTimeMs: state.isr.includes(id) ? nowMs : 0,
        session: null,
        sessionLeaderEnd: -1,
      });
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

  /**
   * The ISR to propose without the followers that fell behind (Kafka's maybeShrinkIsr): ISR members
   * other than the leader whose log end differs from the leader's and who last caught up more than
   * `maxLagMs` ago. Null when there is nothing to propose (or a proposal is still in flight).
   */
  isrShrink(nowMs: number, maxLagMs: number): number[] | null {
    if (!this.isLeader || this.isrUpdateInFlight) return null;
    const out = this.outOfSyncReplicas(nowMs, maxLagMs);
    if (out.length === 0) return null;
    return this.isr.filter((id) => !out.includes(id));
  }

  get isrUpdateInFlight(): boolean {
    return this.pendingIsr !== null;
  }

  /** A proposed ISR is being written (see `pendingIsr`). */
  beginIsrUpdate(isr: readonly number[]): number[] {
    this.pendingIsr = [...isr];
    return this.pendingIsr;
  }

  /** The write of the proposed ISR is answered (written or not). Returns true if the HW moved. */
  endIsrUpdate(): boolean {
    this.pendingIsr = null;
    return this.maybeIncrementHighWatermark();
  }

  /** The ISR written to the partition state znode, now at `zkVersion`. Returns true if the HW moved. */
  applyIsrUpdate(isr: readonly number[], zkVersion: number): boolean {
    this.isr = [...isr];
    this.zkVersion = zkVersion;
    this.pendingIsr = null;
    return this.maybeIncrementHighWatermark();
  }

  /** The ISR counted for the high watermark: the current one plus any member of a pending proposal. */
  get maximalIsr(): number[] {
    if (!this.pendingIsr) return this.isr;
    return [...new Set([...this.isr, ...this.pendingIsr])];
  }

  private applyState(state: LeaderAndIsrState): void {
    this.leaderId = state.leader;
    this.leaderEpoch = state.leaderEpoch;
    this.controllerEpoch = state.controllerEpoch;
    this.zkVersion = state.zkVersion;
    this.isr = [...state.isr];
    this.assignment = [...state.replicas];
    this.pendingIsr = null;
  }

  /** The leader's checks before an append (Kafka's appendRecordsToLeader). */
  appendRecordsToLeader(
    records: Buffer,
    requiredAcks: number,
    minInsyncReplicas: number,
    origin: AppendOrigin = 'client',
  ): LogAppendInfo {
    if (!this.isLeader) {
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `broker ${this.localBrokerId} does not lead ${this.key}`);
    }
    if (requiredAcks === -1 && this.isr.length < minInsyncReplicas) {
      throw new KafkaError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `the ISR of ${this.key} has ${this.isr.length} members, fewer than min.insync.replicas=${minInsyncReplicas}`,
      );
    }
    const endBefore = this.log.logEndOffset;
    const info = this.log.appendAsLeader(records, this.leaderEpoch, origin);
    // The log end moved: followers caught up through their sessions were so until now. A refused
    // append (it threw) or a duplicate (the end stays) leaves them attached: still at the end.
    if (this.log.logEndOffset !== endBefore) for (const f of this.followers.values()) detachSession(f);
    this.maybeIncrementHighWatermark();
    return info;
  }

  /**
   * Appends fetched batches as follower (Kafka's appendRecordsToFollowerOrFutureReplica). An empty
   * log (end = start) whose first fetched batch starts below its end and reaches it restarts at the
   * batch's base offset: the leader's log start fell inside that batch (DeleteRecords), and a
   * follower that started over at the leader's log start is sent the whole batch holding it.
   */
  appendRecordsToFollower(records: Buffer): LogAppendInfo {
    return appendAsFollowerOrFuture(this.log, records);
  }

  /**
   * Whether the records appended at [firstOffset, endOffset) in `leaderEpoch` are still in this
   * log at those offsets: the leader epoch cache still has `leaderEpoch` starting at or before the
   * append (or before the log start, moved up by DeleteRecords) and ending at or after its end.
   * Records of one epoch come from its one leader, which gives each offset once, so a range of that
   * epoch over the offsets holds those very records. A log truncated into the append and refilled
   * by another leader has a later epoch from the cut on.
   */
  holdsAppend(leaderEpoch: number, firstOffset: number, endOffset: number): boolean {
    if (this.log.logEndOffset < endOffset) return false;
    const entries = this.log.leaderEpochCache.epochEntries();
    const i = entries.findIndex((e) => e.epoch === leaderEpoch);
    if (i < 0) return false;
    const start = entries[i].startOffset;
    const end = i + 1 < entries.length ? entries[i + 1].startOffset : this.log.logEndOffset;
    return start <= Math.max(firstOffset, this.log.logStartOffset) && end >= endOffset;
  }

  /**
   * Whether `replicaId` is one of this leader's assigned followers (Kafka's getReplica: the
   * assignment less this broker). Only their fetches move follower state.
   */
  isFollowerReplica(replicaId: number): boolean {
    return this.followers.has(replicaId);
  }

  /**
   * A follower fetched from `fetchOffset`: it holds everything below it. It is caught up as of now
   * when it reached the leader's log end, and as of its previous fetch when it reached what was the
   * leader's log end then (Kafka's Replica.updateFetchState: under steady writes a follower is never
   * exactly at the end, yet never more than one fetch behind).
   *
   * ReplicaManager calls this only after the read at `fetchOffset` succeeded (Kafka records a
   * follower's position only from an error-free read), so an offset past the leader's log end was
   * already answered OFFSET_OUT_OF_RANGE. It is checked again here because the high watermark rests
   * on it: a fetch naming another broker's id and an offset beyond the log end must never count as
   * that follower holding records it does not have. Returns true when the high watermark moved.
   */
  updateFollowerFetchState(replicaId: number, fetchOffset: number, nowMs: number, session?: SessionFetchTime): boolean {
    const f = this.followers.get(replicaId);
    if (!f) return false;
    // The end a follower can reach: reads stop at the written end.
    const leaderEnd = this.log.writtenEndOffset;
    if (fetchOffset < 0 || fetchOffset > leaderEnd) return false;
    detachSession(f);
    if (fetchOffset >= leaderEnd) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, nowMs);
    else if (f.lastFetchLeaderLogEndOffset >= 0 && fetchOffset >= f.lastFetchLeaderLogEndOffset) {
      f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    }
    f.logEndOffset = fetchOffset;
    f.lastFetchTimeMs = nowMs;
    f.lastFetchLeaderLogEndOffset = leaderEnd;
    // At the log end and fetching through a session: its next fetches may skip this partition
    // (an idle one) and still count as fetches of it, until the log end moves or it is named again.
    if (session && fetchOffset >= leaderEnd && leaderEnd === this.log.logEndOffset) {
      f.session = session;
      f.sessionLeaderEnd = leaderEnd;
    }
    return this.maybeIncrementHighWatermark();
  }

  /**
   * Follower `replicaId`'s session stopped fetching this partition (it was forgotten): it counts as
   * fetched up to the session's latest fetch, and no longer after.
   */
  detachFollowerSession(replicaId: number): void {
    const f = this.followers.get(replicaId);
    if (f) detachSession(f);
  }

  /**
   * High watermark = min log end offset over the ISR (never backwards); this broker's own counts
   * only as far as its bytes are written (Log.writtenEndOffset). Returns true if it moved.
   */
  maybeIncrementHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let hw = this.log.writtenEndOffset;
    for (const id of this.maximalIsr) {
      if (id === this.localBrokerId) continue;
      const f = this.followers.get(id);
      hw = Math.min(hw, f ? Math.max(f.logEndOffset, 0) : 0);
    }
    return this.log.maybeIncrementHighWatermark(hw) !== undefined;
  }

  /** What this leader knows of each assigned follower (KIP-392's replica views). */
  remoteReplicaStates(): { brokerId: number; logEndOffset: number; lastCaughtUpTimeMs: number }[] {
    return [...this.followers].map(([brokerId, f]) => ({ brokerId, logEndOffset: f.logEndOffset, lastCaughtUpTimeMs: caughtUpTimeMs(f, this.log.logEndOffset) }));
  }

  followerLogEndOffset(replicaId: number): number | undefined {
    return this.followers.get(replicaId)?.logEndOffset;
  }

  /**
   * Whether this leader's record of follower `replicaId` says it fetches at `fetchOffset` through a
   * session that keeps it caught up (attached at that log end): only then may its session stop
   * reading the partition. After a reset of the follower's state (a new leader epoch) or a fetch
   * the record missed, the partition must be read again so that the record is brought up to date.
   */
  followerAttachedAt(replicaId: number, fetchOffset: number): boolean {
    const f = this.followers.get(replicaId);
    return f !== undefined && f.session !== null && f.logEndOffset === fetchOffset && f.sessionLeaderEnd === fetchOffset;
  }

  /**
   * ISR followers out of sync (Kafka's getOutOfSyncReplicas): log end not at the leader's, and last
   * caught up more than `maxLagMs` ago. A follower at the leader's log end is in sync however long
   * ago it fetched (an idle partition shrinks nothing). Empty while an ISR write is in flight.
   */
  outOfSyncReplicas(nowMs: number, maxLagMs: number): number[] {
    if (this.isrUpdateInFlight) return [];
    const leaderEnd = this.log.writtenEndOffset;
    return this.isr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const f = this.followers.get(id);
      if (!f) return true;
      return f.logEndOffset !== leaderEnd && nowMs - caughtUpTimeMs(f, this.log.logEndOffset) > maxLagMs;
    });
  }

  /**
   * OffsetForLeaderEpoch for this partition (Kafka's lastOffsetForLeaderEpoch): the requester's
   * current leader epoch (-1: not given) is checked against ours — older → FENCED_LEADER_EPOCH,
   * newer → UNKNOWN_LEADER_EPOCH; only a leader answers when `leaderOnly`; then the end offset of
   * the largest epoch ≤ `leaderEpoch` from the leader epoch cache, or -1/-1 when unknown.
   */
  lastOffsetForLeaderEpoch(currentLeaderEpoch: number, leaderEpoch: number, leaderOnly: boolean): EpochEndOffset {
    const error = (errorCode: number): EpochEndOffset => ({ errorCode, leaderEpoch: -1, endOffset: -1 });
    if (currentLeaderEpoch >= 0) {
      if (currentLeaderEpoch < this.leaderEpoch) return error(ErrorCode.FENCED_LEADER_EPOCH);
      if (currentLeaderEpoch > this.leaderEpoch) return error(ErrorCode.UNKNOWN_LEADER_EPOCH);
    }
    if (leaderOnly && !this.isLeader) return error(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const found = this.log.endOffsetForEpoch(leaderEpoch);
    if (!found) return error(ErrorCode.NONE);
    return { errorCode: ErrorCode.NONE, leaderEpoch: found.epoch, endOffset: found.endOffset };
  }
}

/**
 * When a follower last caught up, counting the fetches of the session it is attached to (only while
 * the leader's log end is where it was when attached: a move the attachment missed counts nothing).
 */
function caughtUpTimeMs(f: FollowerState, leaderEnd: number): number {
  if (!f.session || f.logEndOffset !== f.sessionLeaderEnd || leaderEnd !== f.sessionLeaderEnd) return f.lastCaughtUpTimeMs;
  return Math.max(f.lastCaughtUpTimeMs, f.session.lastFetchMs);
}

/**
 * Ends a follower's attachment to its session: its state becomes what the session's latest fetch
 * would have recorded (a fetch at the leader's log end of then, caught up then).
 */
function detachSession(f: FollowerState): void {
  const session = f.session;
  if (!session) return;
  f.session = null;
  const at = session.lastFetchMs;
  if (at <= f.lastFetchTimeMs || f.logEndOffset !== f.sessionLeaderEnd) return;
  f.lastFetchTimeMs = at;
  f.lastFetchLeaderLogEndOffset = f.sessionLeaderEnd;
  f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, at);
}

/**
 * Appends copied batches to a follower's log or a future log (Kafka's
 * appendRecordsToFollowerOrFutureReplica). An empty log (end = start) whose first batch starts
 * below its end and reaches it restarts at the batch's base offset: the source's log start fell
 * inside that batch (DeleteRecords), and a copy that started over at that log start is sent the
 * whole batch holding it.
 */
export function appendAsFollowerOrFuture(log: Log, records: Buffer): LogAppendInfo {
  try {
    return log.appendAsFollower(records);
  } catch (e) {
    const end = log.logEndOffset;
    if (!(e instanceof UnexpectedAppendOffsetError) || end !== log.logStartOffset || e.firstOffset >= end || e.lastOffset < end) {
      throw e;
    }
    log.truncateFullyAndStartAt(e.firstOffset);
    return log.appendAsFollower(records);
  }
}
