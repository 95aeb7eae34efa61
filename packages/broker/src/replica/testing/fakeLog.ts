import { ErrorCode, KafkaError } from '@samsa/protocol';
import { LeaderEpochFileCache, RecordsSlice, type FetchDataInfo, type LeaderEpochCheckpointFile, type Log } from '@samsa/storage';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A Log stand-in for Partition and ReplicaManager unit tests: offsets only (no bytes), with a real
 * LeaderEpochFileCache (checkpoint kept in memory) so leader epoch answers are the storage's own.
 * Test support only.
 */
export class FakeLog {
  logEndOffset = 0;
  logStartOffset = 0;
  highWatermark = 0;
  config = { minInsyncReplicas: 1 };
  /** The log directory it lives in (ReplicaManager.handleLogDirFailure matches on it). */
  parentDir = '/fake/log-dir';
  /** Records at the end whose bytes are not written yet (Log.writtenEndOffset). */
  unwrittenRecords = 0;
  onWrittenEndIncrement: (() => void) | null = null;

  get writtenEndOffset(): number {
    return this.logEndOffset - this.unwrittenRecords;
  }

  whenWritten(): Promise<void> {
    return Promise.resolve();
  }
  readonly leaderEpochCache = new LeaderEpochFileCache(
    'fake-0',
    () => this.logEndOffset,
    { read: () => [], write() {}, writeAsync: () => Promise.resolve() } as unknown as LeaderEpochCheckpointFile,
    quiet,
  );

  /** `count` records appended as leader (or fetched) in `epoch`. */
  append(count: number, epoch: number): void {
    this.leaderEpochCache.assign(epoch, this.logEndOffset);
    this.logEndOffset += count;
  }

  appendAsLeader(records: Buffer, epoch: number) {
    const firstOffset = this.logEndOffset;
    this.append(records.length, epoch);
    return { firstOffset, lastOffset: this.logEndOffset - 1, logAppendTime: -1, logStartOffset: 0, written: Promise.resolve() };
  }

  /**
   * Log.read's range check (OFFSET_OUT_OF_RANGE outside [log start, log end]); no bytes are kept,
   * so every read in range is empty.
   */
  read(startOffset: number): FetchDataInfo {
    if (startOffset > this.logEndOffset || startOffset < this.logStartOffset) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${startOffset} outside ${this.logStartOffset}..${this.logEndOffset}`);
    }
    return { fetchOffsetMetadata: { messageOffset: startOffset, segmentBaseOffset: 0, relativePositionInSegment: 0 }, records: RecordsSlice.EMPTY, firstEntryIncomplete: false };
  }

  maybeIncrementHighWatermark(hw: number): number | undefined {
    if (hw <= this.highWatermark) return undefined;
    const old = this.highWatermark;
    this.highWatermark = hw;
    return old;
  }

  updateHighWatermark(hw: number): number {
    this.highWatermark = Math.min(Math.max(hw, this.logStartOffset), this.logEndOffset);
    return this.highWatermark;
  }

  maybeAssignEpochStartOffset(epoch: number, offset: number): void {
    this.leaderEpochCache.assign(epoch, offset);
  }

  get latestEpoch(): number | undefined {
    return this.leaderEpochCache.latestEpoch;
  }

  endOffsetForEpoch(epoch: number) {
    const r = this.leaderEpochCache.endOffsetFor(epoch);
    return r.endOffset === -1 ? null : r;
  }

  truncateTo(offset: number): boolean {
    this.leaderEpochCache.truncateFromEnd(Math.min(offset, this.logEndOffset));
    if (offset >= this.logEndOffset) return false;
    this.logEndOffset = offset;
    this.highWatermark = Math.min(this.highWatermark, offset);
    return true;
  }

  asLog(): Log {
    return this as unknown as Log;
  }
}
