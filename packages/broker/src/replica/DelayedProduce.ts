import { ErrorCode, type ProducePartitionResult } from '@samsa/protocol';
import type { DelayedOperation } from './DelayedOperationPurgatory';
import type { Partition } from './Partition';

/** One partition an acks=all produce appended to, and what it waits for there. */
export interface ProducePartitionStatus {
  readonly partition: Partition;
  /** The leader epoch the append was made in. */
  readonly leaderEpoch: number;
  readonly result: ProducePartitionResult;
  /** The offset of the append's first record. */
  readonly firstOffset: number;
  /** The high watermark that covers the append: its last offset + 1. */
  readonly requiredOffset: number;
}

/** Still waiting: no answer chosen for the partition yet. */
const PENDING = -1;

/**
 * An acks=all produce waiting in the produce purgatory (Kafka's DelayedProduce): it completes when,
 * for every partition it appended to, the high watermark has passed the append (NONE, or
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile) or the
 * broker lost that leadership (NOT_LEADER_OR_FOLLOWER); at its deadline the partitions still waiting
 * answer REQUEST_TIMED_OUT. Partitions that failed before waiting keep their own results.
 *
 * A new leader epoch alone is no reason to fail (Kafka's checkEnoughReplicasReachOffset asks only
 * whether this broker still leads): the controller bumps the epoch of a leader it keeps on an ISR
 * change or a reassignment, and failing then makes the producer send the records again —
 * duplicates. What the epoch check guarded against is this broker losing leadership and winning it
 * back in between, its log truncated and refilled by another leader: the same offsets could then
 * hold other records. So in a later epoch the append counts only while its records are still in
 * the log where they were put (Partition.holdsAppend: the leader epoch cache still gives the
 * append's epoch a range covering its offsets); otherwise NOT_LEADER_OR_FOLLOWER.
 */
export class DelayedProduce implements DelayedOperation {
  private readonly status = new Map<ProducePartitionStatus, number>();

  constructor(
    private readonly appended: readonly ProducePartitionStatus[],
    /** Every partition's result in request order, the appended ones among them. */
    private readonly results: readonly ProducePartitionResult[],
    /** The partition this broker holds now under a key (it may have been replaced since the append). */
    private readonly currentPartition: (key: string) => Partition | undefined,
    private readonly respond: (results: ProducePartitionResult[]) => void,
  ) {
    for (const a of appended) this.status.set(a, PENDING);
  }

  /** The topic-partition keys this operation watches. */
  keys(): string[] {
    return this.appended.map((a) => a.partition.key);
  }

  tryComplete(): boolean {
    for (const a of this.appended) {
      if (this.status.get(a) !== PENDING) continue;
      const p = a.partition;
      if (
        this.currentPartition(p.key) !== p ||
        !p.isLeader ||
        (p.leaderEpoch !== a.leaderEpoch && !p.holdsAppend(a.leaderEpoch, a.firstOffset, a.requiredOffset))
      ) {
        this.status.set(a, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      } else if (p.highWatermark >= a.requiredOffset) {
        const enough = p.maximalIsr.length >= p.log.config.minInsyncReplicas;
        this.status.set(a, enough ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
      }
    }
    for (const code of this.status.values()) if (code === PENDING) return false;
    this.complete();
    return true;
  }

  onExpiration(): void {
    this.complete();
  }

  private complete(): void {
    const byResult = new Map(this.appended.map((a) => [a.result, a]));
    this.respond(
      this.results.map((r) => {
        const a = byResult.get(r);
        if (!a) return r;
        const code = this.status.get(a)!;
        if (code === ErrorCode.NONE) return r;
        return { ...r, errorCode: code === PENDING ? ErrorCode.REQUEST_TIMED_OUT : code };
      }),
    );
  }
}
