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
 * The offsets of one group (the offset half of Kafka's GroupMetadata): what is committed, and the
 * commits whose append to __consumer_offsets is still in flight. A pending commit becomes the
 * committed offset only when its append succeeds.
 */
export class GroupOffsets {
  private readonly offsets = new TopicPartitionMap<CommitRecordMetadataAndOffset>();
  private readonly pendingOffsetCommits = new TopicPartitionMap<OffsetAndMetadata>();

  initializeOffsets(offsets: Iterable<[TopicPartition, CommitRecordMetadataAndOffset]>): void {
    for (const [tp, commit] of offsets) this.offsets.set(tp, commit);
  }

  prepareOffsetCommit(
    offsets: Iterable<{ readonly tp: TopicPartition; readonly offsetAndMetadata: OffsetAndMetadata }>,
  ): void {
    for (const { tp, offsetAndMetadata } of offsets) this.pendingOffsetCommits.set(tp, offsetAndMetadata);
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
    return this.pendingOffsetCommits.has(tp);
  }

  removeAllOffsets(): OffsetsByPartition {
    return this.removeOffsets(this.offsets.keys());
  }

  /** Removes committed and pending offsets of `tps`; returns the committed ones removed. */
  removeOffsets(tps: readonly TopicPartition[]): OffsetsByPartition {
    const removed: OffsetsByPartition = new TopicPartitionMap();
    for (const tp of tps) {
      this.pendingOffsetCommits.delete(tp);
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
    return this.offsets.size > 0 || this.pendingOffsetCommits.size > 0;
  }
}
