import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ErrorCode, KafkaError } from '@samsa/protocol';
import { readInt64 } from './BatchCursor';
import { LeaderEpochCheckpointFile } from './checkpoints';
import { disk } from './disk';
import { RecordsSlice, type FetchDataInfo, type LogOffsetMetadata } from './FetchDataInfo';
import { LeaderEpochFileCache, UNDEFINED_EPOCH_OFFSET, type EpochAndOffset } from './LeaderEpochFileCache';
import { LocalLog, type LogDeps, type SegmentDeletionReason } from './LocalLog';
import type { LogConfig } from './LogConfig';
import { LEADER_EPOCH_CHECKPOINT_FILE } from './LogFiles';
import type { LogSegment, TimestampAndOffset } from './LogSegment';
import { analyzeFollowerBatches, validateMessagesAndAssignOffsets, type AppendOrigin } from './LogValidator';
import { deleteOldSegments } from './retention';
import type { TopicPartition } from '@samsa/common';
import { UnexpectedAppendOffsetError, type LogAppendInfo } from './LogAppendInfo';
import { batchFirstOffset, type BatchMetadata } from './producer/ProducerStateEntry';
import type { CompletedTxnListener, ProducerStateManager } from './producer/ProducerStateManager';
import { rebuildProducerState } from './producer/rebuildProducerState';
import type { AbortedTxn } from './TransactionIndex';

/**
 * A partition's log (Kafka's Log): appends — the leader's, with offsets and the leader epoch
 * assigned; the follower's, as fetched — reads up to the log end or the high watermark, the log
 * start offset (DeleteRecords, retention), follower truncation, offset lookups by timestamp and the
 * leader epoch cache. The segments and their files are its LocalLog's.
 *
 * Node runs one thing at a time, so there is no lock: every method runs to completion, except
 * `flush` and `close`, which wait for the disk and stay correct across a truncation meanwhile.
 */
export interface LogParams extends LogDeps {
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  readonly config: LogConfig;
  readonly segments: LogSegment[];
  readonly logStartOffset: number;
  readonly recoveryPoint: number;
  readonly nextOffset: number;
  readonly leaderEpochCache: LeaderEpochFileCache;
  /** Loaded up to `nextOffset` (LogLoader's loadProducerState). */
  readonly producerStateManager: ProducerStateManager;
}

/**
 * How far a read goes (Kafka's FetchIsolation): the log end (followers), the high watermark
 * (read_uncommitted consumers) or the last stable offset (read_committed consumers, whose reads
 * also answer the aborted transactions of the range).
 */
export type Isolation = 'logEnd' | 'highWatermark' | 'txnCommitted';

export interface ReadOptions {
  /** Up to the log end (followers), the high watermark or the last stable offset (consumers). Default logEnd. */
  readonly isolation?: Isolation;
  /** Not past this offset (Kafka 2.1's maxOffset); overrides `isolation`. */
  readonly maxOffset?: number;
  /** Return the first batch whole even when it is larger than maxLength. Default true. */
  readonly minOneMessage?: boolean;
}

/** ListOffsets' special timestamps. */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

export type { LogDeps, SegmentDeletionReason, LogAppendInfo };
export { UnexpectedAppendOffsetError };

export class Log {
  readonly local: LocalLog;
  private _logStartOffset: number;
  private _highWatermark: number;
  private hwMetadata: LogOffsetMetadata | null = null;
  private hwMetadataVersion = -1;
  /**
   * The earliest first offset of a transaction still open (or whose marker is not yet below the
   * high watermark), at least the log start; null when none (Kafka's firstUnstableOffsetMetadata).
   */
  private _firstUnstableOffset: number | null = null;
  private lsoMetadata: LogOffsetMetadata | null = null;
  private lsoMetadataVersion = -1;
  /** Writes the `.txnindex` entry of an aborted transaction to the segment its marker went to. */
  private readonly onCompletedTxn: CompletedTxnListener = (txn, lastStableOffset) =>
    this.activeSegment.updateTxnIndex(txn, lastStableOffset);
  private _leaderEpochCache: LeaderEpochFileCache;
  /** The producers' state (idempotent produce); its map end is the log end. */
  readonly producerStateManager: ProducerStateManager;
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  /**
   * The written end (see `writtenEndOffset`) and where it is, taken when that append was made;
   * `writtenEndVersion` is the segments version it was taken at (a rewrite moves positions).
   */
  private writtenEnd: LogOffsetMetadata;
  private writtenEndVersion: number;
  /** Bumped by truncation: writes that complete afterwards for appends before it move nothing. */
  private writeGeneration = 0;
  private writtenNotifyQueued = false;
  /** The write of the last append still pending (null when none is). */
  private lastPendingWrite: Promise<void> | null = null;
  /**
   * Told (once per burst of completions, in a microtask) when the written end moved on after the
   * append returned: a queued write came back. The ReplicaManager moves the high watermark and wakes
   * the fetches and produces waiting on the partition.
   */
  onWrittenEndIncrement: (() => void) | null = null;
  /**
   * Told when the log start offset moved (DeleteRecords, retention, a leader's increment copied by
   * a follower): readers holding on to what they last answered (fetch sessions) look again.
   */
  onLogStartOffsetIncrement: (() => void) | null = null;

  constructor(p: LogParams) {
    this.local = new LocalLog(
      p.dir,
      p.topicPartition,
      p.config,
      p.segments,
      p.recoveryPoint,
      p.nextOffset,
      p,
    );
    this._logStartOffset = p.logStartOffset;
    this._leaderEpochCache = p.leaderEpochCache;
    this.producerStateManager = p.producerStateManager;
    this.watchEpochCheckpoint(this._leaderEpochCache);
    this._highWatermark = p.logStartOffset;
    // What the log was loaded with is in the file.
    this.writtenEnd = this.local.nextOffsetMetadata;
    this.writtenEndVersion = this.local.segmentsVersion;
    // Epoch entries before the recovery point are not rebuilt by recovery: the checkpoint must hold
    // them before the recovery point passes them (see LeaderEpochFileCache).
    this.local.beforeRecoveryPointMoves = () => this._leaderEpochCache.flushed();
    this.updateFirstUnstableOffset();
  }

  /** A failed background write of the epoch checkpoint takes the directory offline. */
  private watchEpochCheckpoint(cache: LeaderEpochFileCache): void {
    cache.onFlushError = (error) =>
      this.deps.failureChannel.maybeAddOfflineLogDir(
        this.parentDir,
        `Error while writing the leader epoch checkpoint of ${this.name}`,
        error,
      );
  }

  get deps(): LogDeps {
    return this.local.deps;
  }
  get topicPartition(): TopicPartition {
    return this.local.topicPartition;
  }
  get dir(): string {
    return this.local.dir;
  }
  /** The log directory this partition lives in. */
  get parentDir(): string {
    return this.local.parentDir;
  }
  get name(): string {
    return this.local.name;
  }
  get config(): LogConfig {
    return this.local.config;
  }
  get leaderEpochCache(): LeaderEpochFileCache {
    return this._leaderEpochCache;
  }
  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get logEndOffset(): number {
    return this.local.logEndOffset;
  }
  get logEndOffsetMetadata(): LogOffsetMetadata {
    return this.local.nextOffsetMetadata;
  }
  /**
   * The log end offset whose bytes write(2) has returned for: the end a follower or a consumer may
   * see (reads stop there; the leader's high watermark counts it, not the log end). Appends take
   * their offsets at once and, in the write-behind and adaptive modes, may have their bytes queued
   * for a while; a kill -9 meanwhile loses them and a restart gives their offsets to other records.
   * Bytes handed to the OS survive the process, so whatever a reader saw is still there after one.
   */
  get writtenEndOffset(): number {
    return this.writtenEnd.messageOffset;
  }
  get recoveryPoint(): number {
    return this.local.recoveryPoint;
  }
  get activeSegment(): LogSegment {
    return this.local.activeSegment;
  }
  get numberOfSegments(): number {
    return this.local.numberOfSegments;
  }
  /** Bytes in all segments. */
  get size(): number {
    return this.local.size;
  }
  get lastFlushTime(): number {
    return this.local.lastFlushTime;
  }
  get unflushedMessages(): number {
    return this.logEndOffset - this.local.recoveryPoint;
  }
  /** Bytes appended and not yet in the OS (back-pressure for the produce path). */
  get unwrittenBytes(): number {
    return this.activeSegment.log.unwrittenBytes;
  }
  get isClosed(): boolean {
    return this.local.isClosed;
  }
  /** Bumped when segments are removed or rewritten (the cleaner watches it). */
  get segmentsVersion(): number {
    return this.local.segmentsVersion;
  }
  logSegments(from?: number, to?: number): LogSegment[] {
    return this.local.logSegments(from, to);
  }
  nonActiveLogSegmentsFrom(from: number): LogSegment[] {
    return this.local.nonActiveLogSegmentsFrom(from);
  }

  /** Applies new topic config to the live log: next append, next roll, next retention check. */
  updateConfig(config: LogConfig): void {
    this.local.config = config;
    this.activeSegment.indexIntervalBytes = config.indexIntervalBytes;
  }

  get highWatermark(): number {
    return this._highWatermark;
  }

  /** Sets the high watermark, kept within [log start, log end]. */
  set highWatermark(hw: number) {
    this.updateHighWatermark(hw);
  }

  updateHighWatermark(hw: number): number {
    const bounded = Math.min(Math.max(hw, this._logStartOffset), this.logEndOffset);
    this._highWatermark = bounded;
    this.producerStateManager.onHighWatermarkUpdated(bounded);
    this.updateFirstUnstableOffset();
    return bounded;
  }

  /** Recomputes the first unstable offset after the producer state or the log start changed. */
  private updateFirstUnstableOffset(): void {
    const first = this.producerStateManager.firstUnstableOffset;
    this._firstUnstableOffset = first === null ? null : Math.max(first, this._logStartOffset);
  }

  /** The first offset of the earliest unstable transaction, or null (the cleaner stops there). */
  get firstUnstableOffset(): number | null {
    return this._firstUnstableOffset;
  }

  /**
   * The last stable offset (Kafka's Log.lastStableOffset): below it every transaction is decided
   * and its marker replicated; what read_committed consumers may read. The first unstable offset,
   * or the high watermark when that is lower or no transaction is unstable.
   */
  get lastStableOffset(): number {
    const first = this._firstUnstableOffset;
    return first !== null && first < this._highWatermark ? first : this._highWatermark;
  }

  /** How far the LSO is behind the high watermark (Kafka's lastStableOffsetLag, a Partition gauge). */
  get lastStableOffsetLag(): number {
    return this._highWatermark - this.lastStableOffset;
  }

  private fetchLastStableOffsetMetadata(lso: number): LogOffsetMetadata {
    if (lso === this._highWatermark) return this.fetchHighWatermarkMetadata();
    const cached = this.lsoMetadata;
    if (cached === null || cached.messageOffset !== lso || this.lsoMetadataVersion !== this.local.segmentsVersion) {
      this.lsoMetadata = this.local.offsetMetadata(lso);
      this.lsoMetadataVersion = this.local.segmentsVersion;
    }
    return this.lsoMetadata!;
  }

  /**
   * The aborted transactions overlapping [startOffset, upperBoundOffset), in marker order (Kafka's
   * collectAbortedTransactions): the `.txnindex` of the segment holding startOffset and of the
   * segments after it, until an entry's last stable offset reaches the upper bound.
   */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (let i = Math.max(0, this.local.floorIndex(startOffset)); ; i++) {
      const segment = this.local.segmentAt(i);
      if (segment === undefined) break;
      const r = segment.collectAbortedTxns(startOffset, upperBoundOffset);
      for (const t of r.abortedTransactions) out.push(t);
      if (r.isComplete) break;
    }
    return out;
  }

  /** Raises the high watermark (never lowers it); returns the old value when it moved. */
  maybeIncrementHighWatermark(hw: number): number | undefined {
    assert(
      hw <= this.logEndOffset,
      `high watermark ${hw} above log end offset ${this.logEndOffset} of ${this.name}`,
    );
    const old = this._highWatermark;
    if (hw <= old) return undefined;
    this.updateHighWatermark(hw);
    return old;
  }

  private fetchHighWatermarkMetadata(): LogOffsetMetadata {
    const hw = this._highWatermark;
    if (hw === this.logEndOffset) return this.local.nextOffsetMetadata;
    const cached = this.hwMetadata;
    if (
      cached === null ||
      cached.messageOffset !== hw ||
      this.hwMetadataVersion !== this.local.segmentsVersion
    ) {
      this.hwMetadata = this.local.offsetMetadata(hw);
      this.hwMetadataVersion = this.local.segmentsVersion;
    }
    return this.hwMetadata!;
  }

  /**
   * A producer's (or the group coordinator's) batches: validated, offsets from the log end and
   * `leaderEpoch` written into them, producer ids' epochs and sequences checked, appended. A retry
   * of one of a producer's last five batches is answered with that batch's offsets and writes
   * nothing. Throws KafkaError — CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE,
   * RECORD_LIST_TOO_LARGE, INVALID_TIMESTAMP, INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER,
   * KAFKA_STORAGE_ERROR — with nothing written.
   */
  appendAsLeader(records: Buffer, leaderEpoch: number, origin: AppendOrigin = 'client'): LogAppendInfo {
    return this.local.io('Error while appending records', () => {
      this.local.checkOpen();
      if (records.length === 0) return this.nothingAppended();
      const now = this.deps.time.milliseconds();
      const v = validateMessagesAndAssignOffsets(records, {
        firstOffset: this.logEndOffset,
        now,
        config: this.config,
        leaderEpoch,
        origin,
      });
      this.checkSegmentSize(v.records.length);
      const producers = this.producerStateManager.analyzeAppend(v.records, origin);
      if (producers?.duplicate) return this.duplicateAppended(producers.duplicate);
      if (leaderEpoch >= 0) this.maybeAssignEpochStartOffset(leaderEpoch, v.firstOffset);
      const segment = this.maybeRoll(v.records.length, v.maxTimestamp, v.lastOffset, v.firstOffset, now);
      const previousEnd = this.logEndOffset;
      const written = segment.append(v.lastOffset, v.maxTimestamp, v.shallowOffsetOfMaxTimestamp, v.records);
      this.updateLogEndOffset(v.lastOffset + 1);
      this.producerStateManager.applyAppend(producers, v.lastOffset + 1, this.onCompletedTxn);
      if (producers !== null) this.updateFirstUnstableOffset();
      this.trackWritten(written, previousEnd);
      return this.appended(v, v.shallowOffsetOfMaxTimestamp, v.logAppendTime, written);
    });
  }

  /**
   * Batches fetched from the leader, offsets and epochs as they are. A trailing partial batch is
   * dropped; offsets must increase and start at or after the log end (else UnexpectedAppendOffsetError,
   * which the fetcher answers by truncating).
   */
  appendAsFollower(records: Buffer): LogAppendInfo {
    return this.local.io('Error while appending records', () => {
      this.local.checkOpen();
      const info = analyzeFollowerBatches(records);
      if (info === null) return this.nothingAppended();
      if (!info.monotonic) {
        throw new KafkaError(
          ErrorCode.UNKNOWN_SERVER_ERROR,
          `Out of order offsets found in append to ${this.name}`,
        );
      }
      if (info.firstOffset < this.logEndOffset) {
        throw new UnexpectedAppendOffsetError(
          `Unexpected offset in append to ${this.name}. First offset ${info.firstOffset} is less than the next offset ${this.logEndOffset}`,
          info.firstOffset,
          info.lastOffset,
        );
      }
      const buf = info.records;
      this.checkSegmentSize(buf.length);
      const producers = this.producerStateManager.analyzeAppend(buf, 'replication');
      for (let pos = 0; pos < buf.length; pos += 12 + buf.readInt32BE(pos + 8)) {
        const epoch = buf.readInt32BE(pos + 12);
        if (epoch >= 0) this.maybeAssignEpochStartOffset(epoch, readInt64(buf, pos));
      }
      const now = this.deps.time.milliseconds();
      const segment = this.maybeRoll(buf.length, info.maxTimestamp, info.lastOffset, info.firstOffset, now);
      const previousEnd = this.logEndOffset;
      const written = segment.append(
        info.lastOffset,
        info.maxTimestamp,
        info.shallowOffsetOfMaxTimestamp,
        buf,
      );
      this.updateLogEndOffset(info.lastOffset + 1);
      this.producerStateManager.applyAppend(producers, info.lastOffset + 1, this.onCompletedTxn);
      if (producers !== null) this.updateFirstUnstableOffset();
      this.trackWritten(written, previousEnd);
      return this.appended(info, info.shallowOffsetOfMaxTimestamp, -1, written);
    });
  }

  private appended(
    v: {
      firstOffset: number;
      lastOffset: number;
      maxTimestamp: number;
      batchCount: number;
      recordCount: number;
      records: Buffer;
    },
    offsetOfMaxTimestamp: number,
    logAppendTime: number,
    written: Promise<void>,
  ): LogAppendInfo {
    if (this.unflushedMessages >= this.config.flushMessages) this.requestFlush();
    const surfaced = written.catch((e) => {
      throw new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `Error while writing to ${this.name}: ${(e as Error).message}`,
      );
    });
    surfaced.catch(() => undefined);
    return {
      firstOffset: v.firstOffset,
      lastOffset: v.lastOffset,
      maxTimestamp: v.maxTimestamp,
      offsetOfMaxTimestamp,
      logAppendTime,
      logStartOffset: this._logStartOffset,
      batchCount: v.batchCount,
      recordCount: v.recordCount,
      validBytes: v.records.length,
      written: surfaced,
    };
  }

  /**
   * A produce that retries a batch already in the log: answered with that batch's offsets (Kafka
   * also gives its timestamp as the log append time), once the log so far is written.
   */
  private duplicateAppended(duplicate: BatchMetadata): LogAppendInfo {
    return {
      firstOffset: batchFirstOffset(duplicate),
      lastOffset: duplicate.lastOffset,
      maxTimestamp: duplicate.timestamp,
      offsetOfMaxTimestamp: duplicate.lastOffset,
      logAppendTime: duplicate.timestamp,
      logStartOffset: this._logStartOffset,
      batchCount: 0,
      recordCount: 0,
      validBytes: 0,
      written: this.whenWritten(),
    };
  }

  private nothingAppended(): LogAppendInfo {
    return {
      firstOffset: -1,
      lastOffset: -1,
      maxTimestamp: -1,
      offsetOfMaxTimestamp: -1,
      logAppendTime: -1,
      logStartOffset: this._logStartOffset,
      batchCount: 0,
      recordCount: 0,
      validBytes: 0,
      written: Promise.resolve(),
    };
  }

  private checkSegmentSize(bytes: number): void {
    if (bytes > this.config.segmentBytes) {
      throw new KafkaError(
        ErrorCode.RECORD_LIST_TOO_LARGE,
        `Message batch size is ${bytes} bytes in append to partition ${this.name}, which exceeds the maximum configured segment size of ${this.config.segmentBytes}.`,
      );
    }
  }

  private maybeRoll(
    size: number,
    maxTimestamp: number,
    maxOffset: number,
    firstOffset: number,
    now: number,
  ): LogSegment {
    const segment = this.activeSegment;
    const roll = segment.shouldRoll({
      maxSegmentMs: this.config.maxSegmentMs,
      maxSegmentBytes: this.config.segmentBytes,
      maxTimestampInMessages: maxTimestamp,
      maxOffsetInMessages: maxOffset,
      messagesSize: size,
      now,
    });
    return roll ? this.roll(firstOffset) : segment;
  }

  /**
   * Starts a new active segment at the log end (or `expectedNextOffset` if larger), with a producer
   * snapshot named after it: recovering the segment starts from that snapshot.
   */
  roll(expectedNextOffset?: number): LogSegment {
    const segment = this.local.roll(expectedNextOffset);
    this.local.io('Error while writing a producer snapshot', () => {
      this.producerStateManager.updateMapEndOffset(segment.baseOffset);
      this.producerStateManager.takeSnapshot();
      this.producerStateManager.updateMapEndOffset(this.logEndOffset);
    });
    return segment;
  }

  /**
   * Moves the written end to the log end once `written` (this append's write) and every earlier
   * append's have resolved; at once when they all have — a synchronous write(2) with nothing
   * queued before it, which is the adaptive and sync modes' usual case and costs no promise.
   */
  private trackWritten(written: Promise<void>, previousEnd: number): void {
    const end = this.local.nextOffsetMetadata;
    if (this.activeSegment.log.unwrittenBytes === 0 && this.writtenEnd.messageOffset >= previousEnd) {
      this.writtenEnd = end;
      this.writtenEndVersion = this.local.segmentsVersion;
      return;
    }
    const generation = this.writeGeneration;
    const version = this.local.segmentsVersion;
    // Writes of one file complete in order, but a new segment's may not wait for the last one's
    // (sync mode): chain on the previous pending append.
    const all = this.lastPendingWrite ? this.lastPendingWrite.then(() => written) : written;
    this.lastPendingWrite = all;
    all.then(
      () => {
        if (this.lastPendingWrite === all) this.lastPendingWrite = null;
        this.advanceWrittenEnd(generation, end, version);
      },
      () => undefined, // the directory goes offline (FileRecords' onAsyncError); nothing more is visible
    );
  }

  private advanceWrittenEnd(generation: number, end: LogOffsetMetadata, version: number): void {
    if (generation !== this.writeGeneration || end.messageOffset <= this.writtenEnd.messageOffset) return;
    this.writtenEnd = end;
    this.writtenEndVersion = version;
    if (this.writtenNotifyQueued) return;
    this.writtenNotifyQueued = true;
    queueMicrotask(() => {
      this.writtenNotifyQueued = false;
      this.onWrittenEndIncrement?.();
    });
  }

  /** Where the written end is, for reads. */
  private writtenEndMetadata(): LogOffsetMetadata {
    if (this.writtenEnd.messageOffset >= this.logEndOffset) return this.local.nextOffsetMetadata;
    if (this.writtenEndVersion !== this.local.segmentsVersion) {
      this.writtenEnd = this.local.offsetMetadata(this.writtenEnd.messageOffset);
      this.writtenEndVersion = this.local.segmentsVersion;
    }
    return this.writtenEnd;
  }

  /**
   * After a truncation: the written end is at most the new log end; bytes kept below the cut that
   * are still queued make it move there once written.
   */
  private resetWrittenEnd(): void {
    this.writeGeneration++;
    this.lastPendingWrite = null;
    if (this.writtenEnd.messageOffset >= this.logEndOffset || this.activeSegment.log.unwrittenBytes === 0) {
      this.writtenEnd = this.local.nextOffsetMetadata;
      this.writtenEndVersion = this.local.segmentsVersion;
      return;
    }
    const generation = this.writeGeneration;
    const end = this.local.nextOffsetMetadata;
    const version = this.local.segmentsVersion;
    const pending = this.whenWritten();
    this.lastPendingWrite = pending;
    pending.then(
      () => {
        if (this.lastPendingWrite === pending) this.lastPendingWrite = null;
        this.advanceWrittenEnd(generation, end, version);
      },
      () => undefined,
    );
  }

  private updateLogEndOffset(offset: number): void {
    this.local.nextOffsetMetadata = this.local.endMetadata(offset);
    if (this._highWatermark > offset) this._highWatermark = offset;
    if (this.local.recoveryPoint > offset) this.local.recoveryPoint = offset;
  }

  /** fsync up to `offset` (default: the log end); the recovery point moves there. */
  flush(offset: number = this.logEndOffset): Promise<void> {
    return this.local.flush(offset);
  }

  /** Starts a flush to the log end, or asks the running one to go again when it is done (flush.messages). */
  requestFlush(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = this.flush()
      .catch((e) => this.deps.logger.error(`Flush of ${this.name} failed`, e))
      .finally(() => {
        this.flushing = null;
        if (this.flushAgain) {
          this.flushAgain = false;
          this.requestFlush();
        }
      });
  }

  /** Resolves when every append so far is in the OS, and `writtenEndOffset` says so. */
  whenWritten(): Promise<void> {
    const segment = this.activeSegment.whenWritten();
    const pending = this.lastPendingWrite;
    // `pending`'s own callback, registered first, moves the written end before this one runs.
    return pending ? pending.then(() => segment) : segment;
  }

  maybeAssignEpochStartOffset(leaderEpoch: number, startOffset: number): void {
    this._leaderEpochCache.assign(leaderEpoch, startOffset);
  }

  get latestEpoch(): number | undefined {
    return this._leaderEpochCache.latestEpoch;
  }

  /** OffsetsForLeaderEpoch: the end offset of `leaderEpoch` here, or null when unknown. */
  endOffsetForEpoch(leaderEpoch: number): EpochAndOffset | null {
    const r = this._leaderEpochCache.endOffsetFor(leaderEpoch);
    return r.endOffset === UNDEFINED_EPOCH_OFFSET ? null : r;
  }

  /**
   * Raises the log start offset (DeleteRecords, retention); OFFSET_OUT_OF_RANGE above the high
   * watermark. True when it moved.
   */
  maybeIncrementLogStartOffset(newLogStartOffset: number, reason: string): boolean {
    const moved = this.local.io('Error while increasing log start offset', () => {
      if (newLogStartOffset > this._highWatermark) {
        throw new KafkaError(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          `Cannot increment the log start offset to ${newLogStartOffset} of partition ${this.name} since it is larger than the high watermark ${this._highWatermark}`,
        );
      }
      if (newLogStartOffset <= this._logStartOffset) return false;
      this._logStartOffset = newLogStartOffset;
      if (this.local.recoveryPoint < newLogStartOffset) this.local.recoveryPoint = newLogStartOffset;
      this.deps.logger.info(
        `[Log ${this.name}] Incremented log start offset to ${newLogStartOffset} due to ${reason}`,
      );
      this._leaderEpochCache.truncateFromStart(newLogStartOffset);
      this.producerStateManager.onLogStartOffsetIncremented(newLogStartOffset);
      this.updateFirstUnstableOffset();
      return true;
    });
    if (moved) this.onLogStartOffsetIncrement?.();
    return moved;
  }

  /**
   * DeleteRecords: records before `offset` (-1: the high watermark) are gone for readers at once;
   * whole segments below go at the next retention check. Returns the new low watermark.
   */
  deleteRecordsBefore(offset: number): number {
    const target = offset === -1 ? this._highWatermark : offset;
    if (target < 0) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Cannot delete records of ${this.name} before offset ${offset}`,
      );
    }
    this.maybeIncrementLogStartOffset(target, 'client record deletion');
    return this._logStartOffset;
  }

  /**
   * Reads from `startOffset`: at most `maxLength` bytes (the first batch whole if minOneMessage),
   * not past the log end or the high watermark. OFFSET_OUT_OF_RANGE outside [log start, log end].
   */
  read(startOffset: number, maxLength: number, opts: ReadOptions = {}): FetchDataInfo {
    return this.local.io('Exception while reading', () => {
      this.local.checkOpen();
      const endOffset = this.logEndOffset;
      if (
        startOffset > endOffset ||
        startOffset < this._logStartOffset ||
        this.local.floorIndex(startOffset) < 0
      ) {
        throw new KafkaError(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          `Received request for offset ${startOffset} for partition ${this.name}, but we only have log segments in the range ${this._logStartOffset} to ${endOffset}.`,
        );
      }
      // Nobody reads past the written end (see writtenEndOffset), whatever the isolation.
      const written = this.writtenEndOffset;
      const isolation = opts.isolation;
      const max =
        opts.maxOffset !== undefined
          ? this.local.offsetMetadata(Math.min(opts.maxOffset, endOffset, written))
          : isolation === 'highWatermark' && this._highWatermark <= written
            ? this.fetchHighWatermarkMetadata()
            : isolation === 'txnCommitted' && this.lastStableOffset <= written
              ? this.fetchLastStableOffsetMetadata(this.lastStableOffset)
              : this.writtenEndMetadata();
      if (startOffset >= max.messageOffset) {
        const at = startOffset === max.messageOffset ? max : this.local.offsetMetadata(startOffset);
        const empty = { fetchOffsetMetadata: at, records: RecordsSlice.EMPTY, firstEntryIncomplete: false };
        return isolation === 'txnCommitted' ? { ...empty, abortedTransactions: [] } : empty;
      }
      const info = this.local.read(startOffset, maxLength, max, opts.minOneMessage ?? true);
      if (isolation !== 'txnCommitted' || opts.maxOffset !== undefined) return info;
      // The aborted transactions of what was read (Kafka's addAbortedTransactions): up to the
      // offset index entry past the bytes read, else the next segment's base, else the log end.
      // Bounded by the LSO alone, a consumer catching up would get every aborted transaction of
      // the rest of the log with each fetch.
      const upperBound = Math.min(
        this.local.fetchUpperBoundOffset(info.fetchOffsetMetadata, info.records.sizeInBytes),
        max.messageOffset,
      );
      return { ...info, abortedTransactions: this.collectAbortedTransactions(startOffset, upperBound) };
    });
  }

  /**
   * ListOffsets: EARLIEST (-2) → log start, LATEST (-1) → log end, else the first record with a
   * timestamp >= the target (null when there is none).
   */
  fetchOffsetByTimestamp(targetTimestamp: number): TimestampAndOffset | null {
    return this.local.io('Error while fetching offset by timestamp', () => {
      if (targetTimestamp === EARLIEST_TIMESTAMP) {
        const earliest = this._leaderEpochCache.earliestEntry;
        const epoch = earliest && earliest.startOffset <= this._logStartOffset ? earliest.epoch : undefined;
        return {
          timestamp: -1,
          offset: this._logStartOffset,
          ...(epoch !== undefined ? { leaderEpoch: epoch } : {}),
        };
      }
      if (targetTimestamp === LATEST_TIMESTAMP) {
        const epoch = this._leaderEpochCache.latestEpoch;
        return {
          timestamp: -1,
          offset: this.logEndOffset,
          ...(epoch !== undefined ? { leaderEpoch: epoch } : {}),
        };
      }
      const target = this.logSegments().find((s) => s.largestTimestamp >= targetTimestamp);
      return target ? target.findOffsetByTimestamp(targetTimestamp, this._logStartOffset) : null;
    });
  }

  /** Retention (time, size, log start offset); returns the number of segments deleted. */
  deleteOldSegments(): number {
    return this.local.io('Error while deleting segments', () => deleteOldSegments(this));
  }

  /** Deletes segments from the start (rolling first if all would go) and moves the log start. */
  deleteSegments(deletable: LogSegment[], reason: SegmentDeletionReason): number {
    if (deletable.length === 0) return 0;
    if (deletable.length === this.numberOfSegments) this.roll();
    this.local.removeAndDeleteSegments(deletable, reason);
    this.maybeIncrementLogStartOffset(this.logSegments()[0].baseOffset, `segment deletion (${reason})`);
    return deletable.length;
  }

  /**
   * Follower truncation: removes offsets >= targetOffset (the whole batch holding it). True when
   * anything was removed.
   */
  truncateTo(targetOffset: number): boolean {
    assert(targetOffset >= 0, `cannot truncate ${this.name} to a negative offset (${targetOffset})`);
    return this.local.io('Error while truncating log', () => {
      if (targetOffset >= this.logEndOffset) {
        // A conflicting epoch entry may have been written at the end with nothing appended after it.
        this._leaderEpochCache.truncateFromEndInMemory(this.logEndOffset);
        return false;
      }
      this.deps.logger.info(`[Log ${this.name}] Truncating to offset ${targetOffset}`);
      if (this.logSegments()[0].baseOffset > targetOffset) {
        this.truncateFullyAndStartAt(targetOffset);
        return true;
      }
      this.local.truncateTo(targetOffset);
      this._leaderEpochCache.truncateFromEnd(targetOffset);
      this._logStartOffset = Math.min(targetOffset, this._logStartOffset);
      this.resetWrittenEnd();
      this.reloadProducerState();
      // after the reload, as Kafka's completeTruncation: the high watermark update also drops the
      // transactions the replay completed below it from the unreplicated ones (else the LSO falls
      // back to their first offsets until the high watermark next moves)
      this.updateHighWatermark(Math.min(this._highWatermark, targetOffset));
      this.updateFirstUnstableOffset();
      return true;
    });
  }

  /** Deletes everything and starts empty at `newOffset` (a follower far behind the leader's start). */
  truncateFullyAndStartAt(newOffset: number): void {
    this.local.io('Error while truncating the entire log', () => {
      this.local.truncateFullyAndStartAt(newOffset);
      this._leaderEpochCache.clearAndFlush();
      this.producerStateManager.truncateFullyAndStartAt(newOffset);
      this._logStartOffset = newOffset;
      this.updateHighWatermark(Math.min(this._highWatermark, newOffset));
      this.updateFirstUnstableOffset();
      this.resetWrittenEnd();
    });
  }

  /**
   * After a truncation: the producer state from the latest snapshot at or below the new end, then
   * the log replayed from there, synchronously (Kafka's loadProducerState; at most the segments
   * since the last roll's snapshot).
   */
  private reloadProducerState(): void {
    const psm = this.producerStateManager;
    const end = this.logEndOffset;
    // No producer before the truncation: none after it, and nothing to read (Kafka's
    // isEmptyBeforeTruncation; the case of every log that never saw an idempotent producer).
    const wasEmpty = psm.isEmpty && psm.mapEndOffset >= end;
    psm.truncateAndReload(this._logStartOffset, end, this.deps.time.milliseconds());
    if (wasEmpty || psm.mapEndOffset >= end) {
      psm.updateMapEndOffset(end);
      return;
    }
    // The `.txnindex` entries below the new end are still there (LogSegment.truncateTo cut the rest).
    rebuildProducerState(psm, this.local.logSegments(psm.mapEndOffset, end), end);
  }

  /** Forgets producers silent for transactional.id.expiration.ms; returns how many. */
  removeExpiredProducers(now: number): number {
    return this.producerStateManager.removeExpiredProducers(now);
  }

  /** The cleaner's swap (see LocalLog.replaceSegments). */
  replaceSegments(cleaned: LogSegment, oldSegments: readonly LogSegment[]): void {
    this.local.replaceSegments(cleaned, oldSegments);
  }

  /**
   * Closes every segment, once the leader epoch checkpoint is written; no flush of the segments
   * (LogManager flushes first).
   */
  async close(): Promise<void> {
    try {
      const snapshot = this.local.io('Error while writing a producer snapshot', () => {
        this.producerStateManager.updateMapEndOffset(this.logEndOffset);
        return this.producerStateManager.takeSnapshot();
      });
      if (snapshot !== null) {
        await this.local.ioAsync('Error while writing a producer snapshot', () => disk.fsyncFile(snapshot));
      }
      await this._leaderEpochCache.flushed(this.logEndOffset);
    } finally {
      await this.local.close();
    }
  }

  /** Closes descriptors without writing (the directory failed). */
  closeHandlers(): void {
    this.local.closeHandlers();
  }

  /** Renames the partition directory (to `…-delete` before deletion). */
  renameDir(name: string): void {
    this.local.renameDir(name);
    this.producerStateManager.updateParentDir(this.dir);
    const checkpoint = new LeaderEpochCheckpointFile(path.join(this.dir, LEADER_EPOCH_CHECKPOINT_FILE));
    this._leaderEpochCache = this._leaderEpochCache.movedTo(checkpoint, () => this.logEndOffset);
    this.watchEpochCheckpoint(this._leaderEpochCache);
  }

  /** Removes the directory and everything in it. */
  delete(): Promise<void> {
    this._leaderEpochCache.stop();
    return this.local.delete();
  }

  toString(): string {
    return `Log(dir=${this.dir}, logStartOffset=${this._logStartOffset}, logEndOffset=${this.logEndOffset}, highWatermark=${this._highWatermark})`;
  }
}
