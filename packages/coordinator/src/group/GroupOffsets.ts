import { tpKey, type OffsetAndMetadata, type TopicPartition } from './GroupResults';

/**
 * A committed offset and the offset of the __consumer_offsets batch that holds it: of two commits
 * of one partition, the one in the later batch wins, also against commits replayed by a load.
 */
export interface CommitRecordMetadataAndOffset {
  readonly appendedBatchOffset: number;
  readonly offsetAndMetadata: OffsetAndMetadata;
}

/** Offsets keyed by tpKey, each with its topic-partition. */
export type OffsetsByPartition = Map<string, { tp: TopicPartition; offsetAndMetadata: OffsetAndMetadata }>;

/**
 * The offsets of one group (the offset half of Kafka's GroupMetadata): what is committed, and the
 * commits whose append to __consumer_offsets is still in flight. A pending commit becomes the
 * committed offset only when its append succeeds.
 */
export class GroupOffsets {
  private readonly offsets = new Map<string, { tp: TopicPartition; commit: CommitRecordMetadataAndOffset }>();
  private readonly pendingOffsetCommits = new Map<
    string,
    { tp: TopicPartition; offsetAndMetadata: OffsetAndMetadata }
  >();

  initializeOffsets(offsets: Iterable<[TopicPartition, CommitRecordMetadataAndOffset]>): void {
    for (const [tp, commit] of offsets) this.offsets.set(tpKey(tp.topic, tp.partition), { tp, commit });
  }

  prepareOffsetCommit(offsets: OffsetsByPartition): void {
    for (const [k, v] of offsets) this.pendingOffsetCommits.set(k, v);
  }

  /** A commit's append is done: it is the committed offset unless a later batch holds one. */
  onOffsetCommitAppend(tp: TopicPartition, commit: CommitRecordMetadataAndOffset): void {
    const k = tpKey(tp.topic, tp.partition);
    const pending = this.pendingOffsetCommits.get(k);
    // no pending commit: the offsets were deleted meanwhile (DeleteGroups, OffsetDelete, topic deletion)
    if (!pending) return;
    const current = this.offsets.get(k);
    if (!current || current.commit.appendedBatchOffset < commit.appendedBatchOffset)
      this.offsets.set(k, { tp, commit });
    if (pending.offsetAndMetadata === commit.offsetAndMetadata) this.pendingOffsetCommits.delete(k);
  }

  failPendingOffsetWrite(tp: TopicPartition, offset: OffsetAndMetadata): void {
    const k = tpKey(tp.topic, tp.partition);
    if (this.pendingOffsetCommits.get(k)?.offsetAndMetadata === offset) this.pendingOffsetCommits.delete(k);
  }

  hasPendingOffsetCommitsForTopicPartition(tp: TopicPartition): boolean {
    return this.pendingOffsetCommits.has(tpKey(tp.topic, tp.partition));
  }

  removeAllOffsets(): OffsetsByPartition {
    return this.removeOffsets([...this.offsets.values()].map((e) => e.tp));
  }

  /** Removes committed and pending offsets of `tps`; returns the committed ones removed. */
  removeOffsets(tps: readonly TopicPartition[]): OffsetsByPartition {
    const removed: OffsetsByPartition = new Map();
    for (const tp of tps) {
      const k = tpKey(tp.topic, tp.partition);
      this.pendingOffsetCommits.delete(k);
      const e = this.offsets.get(k);
      if (!e) continue;
      this.offsets.delete(k);
      removed.set(k, { tp: e.tp, offsetAndMetadata: e.commit.offsetAndMetadata });
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
    for (const [k, { tp, commit }] of this.offsets) {
      if (subscribed.has(tp.topic) || this.pendingOffsetCommits.has(k)) continue;
      const expire = commit.offsetAndMetadata.expireTimestamp;
      if (expire === null ? nowMs - base(commit) >= retentionMs : nowMs >= expire) out.push(tp);
    }
    return out;
  }

  get allOffsets(): { tp: TopicPartition; offsetAndMetadata: OffsetAndMetadata }[] {
    return [...this.offsets.values()].map((e) => ({
      tp: e.tp,
      offsetAndMetadata: e.commit.offsetAndMetadata,
    }));
  }

  offset(tp: TopicPartition): OffsetAndMetadata | undefined {
    return this.offsets.get(tpKey(tp.topic, tp.partition))?.commit.offsetAndMetadata;
  }

  offsetWithRecordMetadata(tp: TopicPartition): CommitRecordMetadataAndOffset | undefined {
    return this.offsets.get(tpKey(tp.topic, tp.partition))?.commit;
  }

  get numOffsets(): number {
    return this.offsets.size;
  }

  get hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingOffsetCommits.size > 0;
  }
}
