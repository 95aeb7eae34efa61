import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import type { OffsetAndMetadata } from './GroupResults';

/**
 * A committed offset and the offset of the __consumer_offsets batch that holds it: of two commits
 * of one partition, the one in the later batch wins, also against commits replayed by a load.
 */
export interface CommitRecordMetadataAndOffset {
  readonly appendedBatchOffset: number;
  readonly offsetAndMetadata: OffsetAndMetadata;
}

/** Offsets by topic-partition (what a removal returns). */
export type OffsetsByPartition = TopicPartitionMap<OffsetAndMetadata>;

/**
 * A transactional commit of a producer (Kafka's CommitRecordMetadataAndOffset with an optional
 * batch offset): `appendedBatchOffset` is null until its record is in __consumer_offsets.
 */
export interface PendingTxnOffsetCommit {
  readonly appendedBatchOffset: number | null;
  readonly offsetAndMetadata: OffsetAndMetadata;
}

/** Pending transactional commits of one group, by producer id. */
export type PendingTxnOffsets = ReadonlyMap<number, TopicPartitionMap<PendingTxnOffsetCommit>>;

/**
 * The offsets of one group (the offset half of Kafka's GroupMetadata): what is committed, the
 * commits whose append to __consumer_offsets is still in flight, and the transactional commits
 * (TxnOffsetCommit) of each producer, which stay invisible until their transaction's COMMIT marker
 * is written and are dropped by its ABORT marker. A pending commit becomes the committed offset
 * only when its append succeeds.
 */
export class GroupOffsets {
  private readonly offsets = new TopicPartitionMap<CommitRecordMetadataAndOffset>();
  private readonly pendingOffsetCommits = new TopicPartitionMap<OffsetAndMetadata>();
  private readonly pendingTransactionalOffsetCommits = new Map<
    number,
    TopicPartitionMap<PendingTxnOffsetCommit>
  >();
  private receivedTransactionalOffsetCommits = false;
  private receivedConsumerOffsetCommits = false;

  initializeOffsets(
    offsets: Iterable<[TopicPartition, CommitRecordMetadataAndOffset]>,
    pendingTxnOffsets: PendingTxnOffsets = new Map(),
  ): void {
    for (const [tp, commit] of offsets) this.offsets.set(tp, commit);
    for (const [producerId, pending] of pendingTxnOffsets)
      this.pendingTransactionalOffsetCommits.set(producerId, pending);
  }

  prepareOffsetCommit(
    offsets: Iterable<{ readonly tp: TopicPartition; readonly offsetAndMetadata: OffsetAndMetadata }>,
  ): void {
    this.receivedConsumerOffsetCommits = true;
    for (const { tp, offsetAndMetadata } of offsets) this.pendingOffsetCommits.set(tp, offsetAndMetadata);
  }

  /** TxnOffsetCommit: the producer's commits, pending until its transaction ends. */
  prepareTxnOffsetCommit(
    producerId: number,
    offsets: Iterable<{ readonly tp: TopicPartition; readonly offsetAndMetadata: OffsetAndMetadata }>,
  ): void {
    this.receivedTransactionalOffsetCommits = true;
    let producerOffsets = this.pendingTransactionalOffsetCommits.get(producerId);
    if (!producerOffsets)
      this.pendingTransactionalOffsetCommits.set(producerId, (producerOffsets = new TopicPartitionMap()));
    for (const { tp, offsetAndMetadata } of offsets)
      producerOffsets.set(tp, { appendedBatchOffset: null, offsetAndMetadata });
  }

  /** A new generation: which kinds of commits it received starts over. */
  onNewGeneration(): void {
    this.receivedConsumerOffsetCommits = false;
    this.receivedTransactionalOffsetCommits = false;
  }

  /** Kafka's hasReceivedConsistentOffsetCommits: not both plain and transactional commits. */
  get hasReceivedConsistentOffsetCommits(): boolean {
    return !this.receivedConsumerOffsetCommits || !this.receivedTransactionalOffsetCommits;
  }

  /** The record of a transactional commit is in the log: remember its batch's offset. */
  onTxnOffsetCommitAppend(
    producerId: number,
    tp: TopicPartition,
    commit: CommitRecordMetadataAndOffset,
  ): void {
    const pending = this.pendingTransactionalOffsetCommits.get(producerId);
    // none: the partition moved away meanwhile, or the transaction already ended
    if (pending?.get(tp)?.offsetAndMetadata === commit.offsetAndMetadata) pending.set(tp, commit);
  }

  /** The record of a transactional commit was not written: the client is told and retries. */
  failPendingTxnOffsetCommit(producerId: number, tp: TopicPartition): void {
    const pending = this.pendingTransactionalOffsetCommits.get(producerId);
    if (!pending) return;
    pending.delete(tp);
    if (pending.size === 0) this.pendingTransactionalOffsetCommits.delete(producerId);
  }

  /**
   * The producer's transaction ended (its marker is written): on COMMIT its offsets become the
   * committed ones unless a later batch holds a newer commit; on ABORT they are dropped.
   */
  completePendingTxnOffsetCommit(producerId: number, isCommit: boolean): void {
    const pending = this.pendingTransactionalOffsetCommits.get(producerId);
    this.pendingTransactionalOffsetCommits.delete(producerId);
    if (!isCommit || !pending) return;
    for (const [tp, commit] of pending) {
      if (commit.appendedBatchOffset === null) {
        throw new Error(
          `Trying to complete a transactional offset commit for producerId ${producerId} even though the offset commit record itself hasn't been appended to the log.`,
        );
      }
      const current = this.offsets.get(tp);
      if (!current || current.appendedBatchOffset < commit.appendedBatchOffset)
        this.offsets.set(tp, {
          appendedBatchOffset: commit.appendedBatchOffset,
          offsetAndMetadata: commit.offsetAndMetadata,
        });
    }
  }

  /** Producers with transactional commits pending in this group (Kafka's activeProducers). */
  get activeProducers(): number[] {
    return [...this.pendingTransactionalOffsetCommits.keys()];
  }

  hasPendingOffsetCommitsFromProducer(producerId: number): boolean {
    return this.pendingTransactionalOffsetCommits.has(producerId);
  }

  /** A commit's append is done: it is the committed offset unless a later batch holds one. */
  onOffsetCommitAppend(tp: TopicPartition, commit: CommitRecordMetadataAndOffset): void {
    const pending = this.pendingOffsetCommits.get(tp);
    // no pending commit: the offsets were deleted meanwhile (DeleteGroups, OffsetDelete, topic deletion)
    if (!pending) return;
    const current = this.offsets.get(tp);
    if (!current || current.appendedBatchOffset < commit.appendedBatchOffset) this.offsets.set(tp, commit);
    if (pending === commit.offsetAndMetadata) this.pendingOffsetCommits.delete(tp);
  }

  failPendingOffsetWrite(tp: TopicPartition, offset: OffsetAndMetadata): void {
    if (this.pendingOffsetCommits.get(tp) === offset) this.pendingOffsetCommits.delete(tp);
  }

  hasPendingOffsetCommitsForTopicPartition(tp: TopicPartition): boolean {
    if (this.pendingOffsetCommits.has(tp)) return true;
    for (const pending of this.pendingTransactionalOffsetCommits.values()) if (pending.has(tp)) return true;
    return false;
  }

  removeAllOffsets(): OffsetsByPartition {
    return this.removeOffsets(this.offsets.keys());
  }

  /** Removes committed and pending offsets of `tps`; returns the committed ones removed. */
  removeOffsets(tps: readonly TopicPartition[]): OffsetsByPartition {
    const removed: OffsetsByPartition = new TopicPartitionMap();
    for (const tp of tps) {
      this.pendingOffsetCommits.delete(tp);
      for (const pending of this.pendingTransactionalOffsetCommits.values()) pending.delete(tp);
      const commit = this.offsets.get(tp);
      if (!commit) continue;
      this.offsets.delete(tp);
      removed.set(tp, commit.offsetAndMetadata);
    }
    return removed;
  }

  /**
   * Committed offsets past retention: not pending, not of a `subscribed` topic, and either `retentionMs`
   * after `base(commit)` or, for offsets committed with a retention time of their own, past their
   * expire timestamp.
   */
  expired(
    nowMs: number,
    retentionMs: number,
    base: (c: CommitRecordMetadataAndOffset) => number,
    subscribed: ReadonlySet<string>,
  ): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const [tp, commit] of this.offsets) {
      if (subscribed.has(tp.topic) || this.pendingOffsetCommits.has(tp)) continue;
      const expire = commit.offsetAndMetadata.expireTimestamp;
      if (expire === null ? nowMs - base(commit) >= retentionMs : nowMs >= expire) out.push(tp);
    }
    return out;
  }

  get allOffsets(): { tp: TopicPartition; offsetAndMetadata: OffsetAndMetadata }[] {
    return this.offsets
      .entries()
      .map(([tp, commit]) => ({ tp, offsetAndMetadata: commit.offsetAndMetadata }));
  }

  offset(tp: TopicPartition): OffsetAndMetadata | undefined {
    return this.offsets.get(tp)?.offsetAndMetadata;
  }

  offsetWithRecordMetadata(tp: TopicPartition): CommitRecordMetadataAndOffset | undefined {
    return this.offsets.get(tp);
  }

  get numOffsets(): number {
    return this.offsets.size;
  }

  get hasOffsets(): boolean {
    return (
      this.offsets.size > 0 ||
      this.pendingOffsetCommits.size > 0 ||
      this.pendingTransactionalOffsetCommits.size > 0
    );
  }
}
