import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { BatchField, decodeBatch } from '@samsa/protocol';
import { BatchCursor, readInt64 } from './BatchCursor';
import { disk } from './disk';
import { RecordsSlice, type FetchDataInfo } from './FetchDataInfo';
import { FileRecords, type WriteMode } from './FileRecords';
import type { LeaderEpochFileCache } from './LeaderEpochFileCache';
import type { LogConfig } from './LogConfig';
import { logFile, offsetIndexFile, timeIndexFile, transactionIndexFile } from './LogFiles';
import type { Logger } from '@samsa/common';
import { OffsetIndex } from './OffsetIndex';
import type { Time } from '@samsa/common';
import { TimeIndex } from './TimeIndex';
import { TransactionIndex, type TxnIndexSearchResult } from './TransactionIndex';
import { IndexBuilder, checkBatch } from './segmentRecovery';

/**
 * One segment of a log (Kafka's LogSegment): the `.log` file and its two indexes, all named by the
 * segment's base offset. The last segment of a log is the active one — it takes appends, keeps its
 * descriptors and its preallocated indexes; the others are read-only and hold nothing open.
 *
 * Indexes are never trusted: an index file that is missing, or whose entries fail the checks when it
 * is first read, is rebuilt from the log before use.
 */
export interface RollParams {
  readonly maxSegmentMs: number;
  readonly maxSegmentBytes: number;
  readonly maxTimestampInMessages: number;
  readonly maxOffsetInMessages: number;
  readonly messagesSize: number;
  readonly now: number;
}

/** A batch found by offset: its last offset, position and size. */
export interface LogOffsetPosition {
  readonly offset: number;
  readonly position: number;
  readonly size: number;
}

export interface TimestampAndOffset {
  readonly timestamp: number;
  readonly offset: number;
  /** Partition leader epoch of the batch, when it has one. */
  readonly leaderEpoch?: number;
}

export interface SegmentOpenOptions {
  readonly fileAlreadyExists?: boolean;
  /** '' or '.cleaned' / '.swap' for segments in transit. */
  readonly suffix?: string;
  /** The active segment: writable, descriptors kept, indexes preallocated. */
  readonly active?: boolean;
  readonly writeMode?: WriteMode;
  readonly onAsyncError?: (err: unknown) => void;
  /** A new active segment's file is created after the previous segment's queued writes. */
  readonly after?: Promise<void>;
  readonly logger: Logger;
}

const SCAN_CHUNK_BYTES = 16 * 1024;
const RECOVERY_CHUNK_BYTES = 8 * 1024 * 1024;

export class LogSegment {
  private created: number;
  private bytesSinceLastIndexEntry = 0;
  private rollingBasedTimestamp: number | undefined;
  private _maxTimestampSoFar: number | undefined;
  private _offsetOfMaxTimestampSoFar: number | undefined;
  private indexesVerified: boolean;
  private pendingRebuild: boolean;

  private constructor(
    readonly log: FileRecords,
    private readonly _offsetIndex: OffsetIndex,
    private readonly _timeIndex: TimeIndex,
    /** The segment's aborted transactions (`.txnindex`, created on the first ABORT marker). */
    readonly txnIndex: TransactionIndex,
    readonly baseOffset: number,
    /** Kept per segment like Kafka's, but updated when the topic's config changes. */
    public indexIntervalBytes: number,
    readonly rollJitterMs: number,
    private readonly time: Time,
    private readonly logger: Logger,
    needsRebuild: boolean,
  ) {
    this.created = time.milliseconds();
    this.pendingRebuild = needsRebuild;
    this.indexesVerified = !needsRebuild && _offsetIndex.isLoaded && _timeIndex.isLoaded;
  }

  static open(
    dir: string,
    baseOffset: number,
    config: LogConfig,
    time: Time,
    opts: SegmentOpenOptions,
  ): LogSegment {
    const suffix = opts.suffix ?? '';
    const active = opts.active ?? false;
    const logPath = logFile(dir, baseOffset, suffix);
    const indexPath = offsetIndexFile(dir, baseOffset, suffix);
    const timeIndexPath = timeIndexFile(dir, baseOffset, suffix);
    const missingIndex =
      opts.fileAlreadyExists === true && (!disk.exists(indexPath) || !disk.exists(timeIndexPath));
    const log = FileRecords.open(logPath, active, {
      writeMode: opts.writeMode,
      onAsyncError: opts.onAsyncError,
      after: opts.after,
    });
    const offsetIndex = new OffsetIndex(indexPath, baseOffset, config.segmentIndexBytes, active);
    const timeIndex = new TimeIndex(timeIndexPath, baseOffset, config.segmentIndexBytes, active);
    const txnIndex = new TransactionIndex(baseOffset, transactionIndexFile(dir, baseOffset, suffix));
    return new LogSegment(
      log,
      offsetIndex,
      timeIndex,
      txnIndex,
      baseOffset,
      config.indexIntervalBytes,
      config.randomSegmentJitter(),
      time,
      opts.logger,
      missingIndex,
    );
  }

  get offsetIndex(): OffsetIndex {
    this.verifyIndexes();
    return this._offsetIndex;
  }

  get timeIndex(): TimeIndex {
    this.verifyIndexes();
    return this._timeIndex;
  }

  get size(): number {
    return this.log.size;
  }

  get maxTimestampSoFar(): number {
    if (this._maxTimestampSoFar === undefined) this._maxTimestampSoFar = this.timeIndex.lastEntry.timestamp;
    return this._maxTimestampSoFar;
  }

  get offsetOfMaxTimestampSoFar(): number {
    if (this._offsetOfMaxTimestampSoFar === undefined)
      this._offsetOfMaxTimestampSoFar = this.timeIndex.lastEntry.offset;
    return this._offsetOfMaxTimestampSoFar;
  }

  /**
   * Reads and checks both indexes the first time they are needed; rebuilds them from the log when
   * a file was missing or its entries are inconsistent (with each other or with the log).
   */
  verifyIndexes(): void {
    if (this.indexesVerified) return;
    this.indexesVerified = true;
    let reason: string | null = this.pendingRebuild ? `index files of ${this.log.path} are missing` : null;
    reason ??= this._offsetIndex.load() ?? this._timeIndex.load() ?? this.crossCheckIndexes();
    this.pendingRebuild = false;
    if (reason !== null) {
      this.logger.warn(`${reason}; rebuilding the indexes of segment ${this.log.path} from the log`);
      this.rebuildIndexes();
    }
  }

  /** The last offset-index entry must point at a batch that starts at or before its offset. */
  private crossCheckIndexes(): string | null {
    const n = this._offsetIndex.entries;
    if (n > 0) {
      const last = this._offsetIndex.entry(n - 1);
      if (last.position >= this.log.size)
        return `index ${this._offsetIndex.path} points past the end of its log`;
      const head = this.log.readSync(last.position, BatchField.RECORDS);
      if (head.length < BatchField.RECORDS || readInt64(head, BatchField.BASE_OFFSET) > last.offset) {
        return `index ${this._offsetIndex.path} entry (${last.offset}, ${last.position}) does not match its log`;
      }
    }
    const t = this._timeIndex.entries;
    if (t > 0 && this._timeIndex.lastEntry.offset < this.baseOffset)
      return `time index ${this._timeIndex.path} is below its base offset`;
    return null;
  }

  /** Makes this the active segment: writable files, indexes preallocated for new entries. */
  makeActive(maxIndexSize: number): void {
    this.verifyIndexes();
    this.txnIndex.onBecomeActive();
    this.log.makeMutable();
    this._offsetIndex.writable = true;
    this._timeIndex.writable = true;
    this.resizeIndexes(maxIndexSize);
  }

  resizeIndexes(size: number): void {
    this._offsetIndex.resize(size);
    this._timeIndex.resize(size);
  }

  canConvertToRelativeOffset(offset: number): boolean {
    return this._offsetIndex.canAppendOffset(offset);
  }

  shouldRoll(p: RollParams): boolean {
    const reachedRollMs =
      this.timeWaitedForRoll(p.now, p.maxTimestampInMessages) > p.maxSegmentMs - this.rollJitterMs;
    return (
      this.size > p.maxSegmentBytes - p.messagesSize ||
      (this.size > 0 && reachedRollMs) ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      !this.canConvertToRelativeOffset(p.maxOffsetInMessages)
    );
  }

  /**
   * Appends validated batches whose offsets end at `largestOffset`; adds an index entry when more
   * than `index.interval.bytes` were appended since the last one. Resolves when the bytes are in
   * the OS.
   */
  append(
    largestOffset: number,
    largestTimestamp: number,
    shallowOffsetOfMaxTimestamp: number,
    records: Buffer,
  ): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const physicalPosition = this.log.size;
    if (physicalPosition === 0) this.rollingBasedTimestamp = largestTimestamp;
    assert(
      this.canConvertToRelativeOffset(largestOffset),
      `offset ${largestOffset} overflows segment ${this.baseOffset}`,
    );
    const written = this.log.append(records);
    if (largestTimestamp > this.maxTimestampSoFar) {
      this._maxTimestampSoFar = largestTimestamp;
      this._offsetOfMaxTimestampSoFar = shallowOffsetOfMaxTimestamp;
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(largestOffset, physicalPosition);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += records.length;
    return written;
  }

  /** An ABORT marker was appended here: its transaction goes into the `.txnindex` (Kafka's updateTxnIndex). */
  updateTxnIndex(completedTxn: { producerId: number; firstOffset: number; lastOffset: number; isAborted: boolean }, lastStableOffset: number): void {
    if (!completedTxn.isAborted) return;
    this.txnIndex.append({
      producerId: completedTxn.producerId,
      firstOffset: completedTxn.firstOffset,
      lastOffset: completedTxn.lastOffset,
      lastStableOffset,
    });
  }

  /** The aborted transactions of this segment that overlap [fetchOffset, upperBoundOffset). */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    return this.txnIndex.collectAbortedTxns(fetchOffset, upperBoundOffset);
  }

  /** The first batch whose last offset is >= `offset`, searching from the index's hint. */
  translateOffset(offset: number, startingFilePosition = 0): LogOffsetPosition | null {
    const mapping = this.offsetIndex.lookup(offset);
    const cursor = new BatchCursor(
      this.log,
      Math.max(mapping.position, startingFilePosition),
      this.log.size,
      SCAN_CHUNK_BYTES,
    );
    while (cursor.next(false)) {
      const last = cursor.lastOffset();
      if (last >= offset) return { offset: last, position: cursor.position, size: cursor.size };
    }
    return null;
  }

  /**
   * Reads from the batch holding `startOffset`, at most `maxSize` bytes and not past `maxPosition`
   * (the first batch whole when `minOneMessage`). Null when the offset is past this segment.
   */
  read(
    startOffset: number,
    maxSize: number,
    maxPosition = this.size,
    minOneMessage = false,
  ): FetchDataInfo | null {
    assert(maxSize >= 0, `invalid max size ${maxSize} for a read of segment ${this.log.path}`);
    const start = this.translateOffset(startOffset);
    if (start === null) return null;
    const fetchOffsetMetadata = {
      messageOffset: startOffset,
      segmentBaseOffset: this.baseOffset,
      relativePositionInSegment: start.position,
    };
    const adjustedMaxSize = minOneMessage ? Math.max(maxSize, start.size) : maxSize;
    if (adjustedMaxSize === 0)
      return { fetchOffsetMetadata, records: RecordsSlice.EMPTY, firstEntryIncomplete: false };
    const fetchSize = Math.max(0, Math.min(maxPosition - start.position, adjustedMaxSize));
    return {
      fetchOffsetMetadata,
      records: new RecordsSlice(this.log, start.position, fetchSize),
      firstEntryIncomplete: adjustedMaxSize < start.size,
    };
  }

  /**
   * Recovery (unclean shutdown): reads every batch from the start, checks length, magic, CRC and
   * offsets, rebuilds both indexes (and the leader epoch cache), and cuts the file after the last
   * valid batch. Returns the number of bytes cut.
   */
  async recover(leaderEpochCache?: LeaderEpochFileCache): Promise<number> {
    const writable = this._offsetIndex.writable;
    this._offsetIndex.writable = true;
    this._timeIndex.writable = true;
    this._offsetIndex.reset();
    this._timeIndex.reset();
    this.indexesVerified = true;
    this.pendingRebuild = false;
    const scan = new IndexBuilder(this);
    const cursor = new BatchCursor(this.log, 0, this.log.size, RECOVERY_CHUNK_BYTES);
    let invalid: string | null = null;
    while (await cursor.nextAsync(true)) {
      invalid = checkBatch(cursor, this.baseOffset, scan.lastOffset, this);
      if (invalid !== null) break;
      scan.add(cursor);
      const epoch = cursor.partitionLeaderEpoch();
      if (leaderEpochCache && epoch >= 0) {
        const latest = leaderEpochCache.latestEpoch;
        if (latest === undefined || epoch > latest) leaderEpochCache.assign(epoch, cursor.baseOffset());
      }
    }
    invalid ??= cursor.invalidReason;
    if (invalid !== null)
      this.logger.warn(
        `Found invalid messages in log segment ${this.log.path} at byte offset ${scan.validBytes}: ${invalid}`,
      );
    const truncated = this.log.size - scan.validBytes;
    this.log.truncateTo(scan.validBytes);
    scan.finish();
    this._offsetIndex.writable = writable;
    this._timeIndex.writable = writable;
    return truncated;
  }

  /** Rebuilds both indexes from batch headers, without changing the log (index missing or corrupt). */
  private rebuildIndexes(): void {
    const writable = this._offsetIndex.writable;
    this._offsetIndex.writable = true;
    this._timeIndex.writable = true;
    this._offsetIndex.reset();
    this._timeIndex.reset();
    const scan = new IndexBuilder(this);
    const cursor = new BatchCursor(this.log, 0, this.log.size, 1024 * 1024);
    while (cursor.next(false)) {
      const base = cursor.baseOffset();
      if (
        base <= scan.lastOffset ||
        base < this.baseOffset ||
        !this.canConvertToRelativeOffset(cursor.lastOffset())
      )
        break;
      scan.add(cursor);
    }
    if (scan.validBytes < this.log.size) {
      this.logger.warn(
        `Indexes of ${this.log.path} cover the first ${scan.validBytes} of ${this.log.size} bytes; the rest is not a valid batch`,
      );
    }
    scan.finish();
    if (writable) this.resizeIndexes(this._offsetIndex.maxIndexSize);
    else {
      this._offsetIndex.writable = false;
      this._timeIndex.writable = false;
    }
  }

  /** @internal used by IndexBuilder */
  setMaxTimestamp(ts: number, offset: number): void {
    this._maxTimestampSoFar = ts;
    this._offsetOfMaxTimestampSoFar = offset;
  }

  /**
   * Removes offsets >= `offset` (the whole batch holding it); the segment becomes the active one.
   * Returns the bytes removed.
   */
  truncateTo(offset: number): number {
    const mapping = this.translateOffset(offset);
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    this.makeActive(this._offsetIndex.maxIndexSize);
    const bytesTruncated = mapping === null ? 0 : this.log.truncateTo(mapping.position);
    if (this.log.size === 0) {
      this.created = this.time.milliseconds();
      this.rollingBasedTimestamp = undefined;
    }
    this.bytesSinceLastIndexEntry = 0;
    if (this.maxTimestampSoFar >= 0) this.loadLargestTimestamp();
    return bytesTruncated;
  }

  private loadLargestTimestamp(): void {
    const last = this.timeIndex.lastEntry;
    this._maxTimestampSoFar = last.timestamp;
    this._offsetOfMaxTimestampSoFar = last.offset;
    const from = this.offsetIndex.lookup(last.offset).position;
    const cursor = new BatchCursor(this.log, from, this.log.size, SCAN_CHUNK_BYTES);
    while (cursor.next(false)) {
      const ts = cursor.maxTimestamp();
      if (ts > this._maxTimestampSoFar) {
        this._maxTimestampSoFar = ts;
        this._offsetOfMaxTimestampSoFar = cursor.lastOffset();
      }
    }
  }

  /** The offset after the last batch (the base offset when empty). */
  readNextOffset(): number {
    const from = this.offsetIndex.lookup(this.offsetIndex.lastOffset).position;
    const cursor = new BatchCursor(this.log, from, this.log.size, SCAN_CHUNK_BYTES);
    let next = this.baseOffset;
    while (cursor.next(false)) next = cursor.lastOffset() + 1;
    return next;
  }

  /** fsync of the log and both indexes. */
  async flush(): Promise<void> {
    await Promise.all([this.log.flush(), this._offsetIndex.flush(), this._timeIndex.flush(), this.txnIndex.flush()]);
  }

  /** Resolves when appended bytes are in the OS. */
  whenWritten(): Promise<void> {
    return this.log.whenWritten();
  }

  /** The segment was rolled: final time index entry, files trimmed, descriptors released. */
  onBecomeInactiveSegment(): void {
    this.verifyIndexes();
    this._timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    this._offsetIndex.trimToValidSize();
    this._timeIndex.trimToValidSize();
    this._offsetIndex.writable = false;
    this._timeIndex.writable = false;
    this.txnIndex.onBecomeInactive();
    this.log.makeImmutable();
  }

  private loadFirstBatchTimestamp(): void {
    if (this.rollingBasedTimestamp !== undefined) return;
    const cursor = new BatchCursor(this.log, 0, this.log.size, 4096);
    if (cursor.next(false)) this.rollingBasedTimestamp = cursor.maxTimestamp();
  }

  /**
   * How long this segment has waited to be rolled: by the first batch's timestamp when it has one,
   * else by the wall clock since the segment was created.
   */
  timeWaitedForRoll(now: number, messageTimestamp: number): number {
    this.loadFirstBatchTimestamp();
    const t = this.rollingBasedTimestamp;
    return t !== undefined && t >= 0 ? messageTimestamp - t : now - this.created;
  }

  getFirstBatchTimestamp(): number {
    this.loadFirstBatchTimestamp();
    const t = this.rollingBasedTimestamp;
    return t !== undefined && t >= 0 ? t : Number.MAX_SAFE_INTEGER;
  }

  /**
   * The first record with timestamp >= `timestamp` and offset >= `startingOffset`, or null when
   * every record here is earlier.
   */
  findOffsetByTimestamp(timestamp: number, startingOffset = this.baseOffset): TimestampAndOffset | null {
    const ts = this.timeIndex.lookup(timestamp);
    const position = this.offsetIndex.lookup(Math.max(ts.offset, startingOffset)).position;
    const cursor = new BatchCursor(this.log, position, this.log.size, SCAN_CHUNK_BYTES);
    while (cursor.next(false)) {
      if (cursor.maxTimestamp() < timestamp || cursor.lastOffset() < startingOffset) continue;
      const batch = this.log.readSync(cursor.position, cursor.size);
      const epoch = batch.readInt32BE(BatchField.PARTITION_LEADER_EPOCH);
      for (const r of decodeBatch(batch).records) {
        if (r.timestamp >= timestamp && r.offset >= startingOffset) {
          return { timestamp: r.timestamp, offset: r.offset, ...(epoch >= 0 ? { leaderEpoch: epoch } : {}) };
        }
      }
    }
    return null;
  }

  /** Closes files; the active segment first writes its final time index entry and trims. */
  async close(): Promise<void> {
    if (this._offsetIndex.writable && this.indexesVerified) {
      this._timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    }
    if (this._offsetIndex.writable) {
      this._offsetIndex.close();
      this._timeIndex.close();
    }
    this.txnIndex.close();
    await this.log.close();
  }

  /** Closes descriptors without writing (the directory failed). */
  closeHandlers(): void {
    this.log.closeHandlers();
    this._offsetIndex.closeHandler();
    this._timeIndex.closeHandler();
    this.txnIndex.closeHandler();
  }

  deleteIfExists(): void {
    this.log.deleteIfExists();
    this._offsetIndex.deleteIfExists();
    this._timeIndex.deleteIfExists();
    this.txnIndex.deleteIfExists();
  }

  /** Renames the three files from `oldSuffix` to `newSuffix` ('.deleted', '.cleaned', '.swap'). */
  changeFileSuffixes(oldSuffix: string, newSuffix: string): void {
    const swap = (p: string) =>
      oldSuffix === '' ? p + newSuffix : p.slice(0, p.length - oldSuffix.length) + newSuffix;
    this.log.renameTo(swap(this.log.path));
    this._offsetIndex.renameTo(swap(this._offsetIndex.path));
    this._timeIndex.renameTo(swap(this._timeIndex.path));
    this.txnIndex.renameTo(swap(this.txnIndex.path));
  }

  /** The partition directory was renamed. */
  updateParentDir(dir: string): void {
    const move = (p: string) => path.join(dir, path.basename(p));
    this.log.updateParentDir(move(this.log.path));
    this._offsetIndex.updatePath(move(this._offsetIndex.path));
    this._timeIndex.updatePath(move(this._timeIndex.path));
    this.txnIndex.updatePath(dir);
  }

  get lastModified(): number {
    return this.log.lastModified();
  }

  set lastModified(ms: number) {
    this.log.setLastModified(ms);
    disk.setMtime(this._offsetIndex.path, ms);
    disk.setMtime(this._timeIndex.path, ms);
    this.txnIndex.setMtime(ms);
  }

  /** The largest record timestamp, or undefined when there is none. */
  get largestRecordTimestamp(): number | undefined {
    return this.maxTimestampSoFar >= 0 ? this.maxTimestampSoFar : undefined;
  }

  /** The largest record timestamp, or the file's mtime when records carry none (retention). */
  get largestTimestamp(): number {
    return this.maxTimestampSoFar >= 0 ? this.maxTimestampSoFar : this.lastModified;
  }

  toString(): string {
    return `LogSegment(baseOffset=${this.baseOffset}, size=${this.size})`;
  }
}
