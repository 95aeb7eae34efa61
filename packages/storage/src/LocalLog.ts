import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ErrorCode, KafkaError } from '@samsa/protocol';
import { disk } from './disk';
import { RecordsSlice, type FetchDataInfo, type LogOffsetMetadata } from './FetchDataInfo';
import type { LogConfig } from './LogConfig';
import type { LogDirFailureChannel } from './LogDirFailureChannel';
import {
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  logFile,
  offsetIndexFile,
  timeIndexFile,
  transactionIndexFile,
} from './LogFiles';
import type { Logger } from '@samsa/common';
import { LogSegment, type SegmentOpenOptions } from './LogSegment';
import type { Scheduler } from './Scheduler';
import type { Time } from '@samsa/common';
import type { TopicPartition } from '@samsa/common';
import type { WriteMode } from './FileRecords';

/**
 * The segments of a partition and the file operations on them (Kafka 3's LocalLog, split out of
 * Log): the ordered segment list, roll, flush and the recovery point, reads of byte ranges,
 * truncation at the segment level, deletion of segment files (renamed `.deleted`, removed after
 * file.delete.delay.ms) and the cleaner's crash-safe swap. Offsets' meaning — high watermark, log
 * start offset, leader epochs — is Log's.
 *
 * Every operation that touches the disk runs through the directory's failure channel: an I/O error
 * takes the whole log directory offline and surfaces as KAFKA_STORAGE_ERROR.
 */
export interface LogDeps {
  readonly time: Time;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly failureChannel: LogDirFailureChannel;
  /** When appends are written (FileRecords); default 'adaptive'. */
  readonly writeMode?: WriteMode;
  /** transactional.id.expiration.ms: producer ids silent this long are forgotten (default 7 days). */
  readonly maxProducerIdExpirationMs?: number;
}

/** Why segments are being deleted (for the log line). */
export type SegmentDeletionReason =
  'retention.ms' | 'retention.bytes' | 'log start offset' | 'truncation' | 'roll' | 'cleaner';

export class LocalLog {
  private _dir: string;
  private segments: LogSegment[];
  recoveryPoint: number;
  nextOffsetMetadata: LogOffsetMetadata;
  lastFlushTime: number;
  private closed = false;
  /** Awaited by every flush after the segments are synced and before the recovery point moves (Log's hook). */
  beforeRecoveryPointMoves: () => Promise<void> = () => Promise.resolve();
  /** Bumped when segments are removed or rewritten; the cleaner aborts a swap across a change. */
  segmentsVersion = 0;

  constructor(
    dir: string,
    readonly topicPartition: TopicPartition,
    public config: LogConfig,
    segments: LogSegment[],
    recoveryPoint: number,
    nextOffset: number,
    readonly deps: LogDeps,
  ) {
    assert(segments.length > 0, 'a log has at least one segment');
    this._dir = dir;
    this.segments = segments;
    this.recoveryPoint = recoveryPoint;
    this.lastFlushTime = deps.time.milliseconds();
    this.nextOffsetMetadata = this.endMetadata(nextOffset);
  }

  /** Options for opening this log's segments (shared with the loader). */
  static segmentOptions(deps: LogDeps, logDir: string, name: string, active: boolean): SegmentOpenOptions {
    return {
      active,
      writeMode: deps.writeMode,
      logger: deps.logger,
      onAsyncError: (err) =>
        deps.failureChannel.maybeAddOfflineLogDir(logDir, `Error while writing to ${name}`, err),
    };
  }

  get dir(): string {
    return this._dir;
  }

  get parentDir(): string {
    return path.dirname(this._dir);
  }

  get name(): string {
    return path.basename(this._dir);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get logEndOffset(): number {
    return this.nextOffsetMetadata.messageOffset;
  }

  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  get numberOfSegments(): number {
    return this.segments.length;
  }

  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  io<T>(what: string, fn: () => T): T {
    return this.deps.failureChannel.maybeHandleIOException(
      this.parentDir,
      () => `${what} for ${this.name} in dir ${this.parentDir}`,
      fn,
    );
  }

  ioAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return this.deps.failureChannel.maybeHandleIOExceptionAsync(
      this.parentDir,
      () => `${what} for ${this.name} in dir ${this.parentDir}`,
      fn,
    );
  }

  checkOpen(): void {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.name} is closed`);
  }

  endMetadata(offset: number): LogOffsetMetadata {
    const a = this.activeSegment;
    return { messageOffset: offset, segmentBaseOffset: a.baseOffset, relativePositionInSegment: a.size };
  }

  /**
   * Where a read of `fetchSize` bytes from `start` ends, as an offset no smaller than the last one
   * read (Kafka's LogSegment.fetchUpperBoundOffset, then the next segment's base, then the log
   * end): the bound of the aborted transactions a read_committed fetch answers.
   */
  fetchUpperBoundOffset(start: LogOffsetMetadata, fetchSize: number): number {
    const idx = this.floorIndex(start.segmentBaseOffset);
    const segment = this.segments[idx];
    if (segment === undefined || segment.baseOffset !== start.segmentBaseOffset) return this.logEndOffset;
    const entry = segment.offsetIndex.fetchUpperBoundOffset(
      { offset: start.messageOffset, position: start.relativePositionInSegment },
      fetchSize,
    );
    if (entry !== null) return entry.offset;
    return this.segments[idx + 1]?.baseOffset ?? this.logEndOffset;
  }

  /** Index of the last segment with base offset <= offset, or -1. */
  floorIndex(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid].baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  segmentAt(index: number): LogSegment | undefined {
    return this.segments[index];
  }

  /** All segments, oldest first; or those holding offsets in [from, to). */
  logSegments(from?: number, to?: number): LogSegment[] {
    if (from === undefined) return [...this.segments];
    const end = to ?? Number.MAX_SAFE_INTEGER;
    if (from === end) return [];
    assert(from < end, `invalid segment range [${from}, ${end}) of ${this.name}`);
    const first = Math.max(0, this.floorIndex(from));
    return this.segments.slice(first).filter((s) => s.baseOffset < end);
  }

  /** Segments before the active one that hold offsets >= from. */
  nonActiveLogSegmentsFrom(from: number): LogSegment[] {
    if (from > this.activeSegment.baseOffset) return [];
    return this.logSegments(from, this.activeSegment.baseOffset);
  }

  /** Where `offset` is: segment and byte position of the batch holding it. */
  offsetMetadata(offset: number): LogOffsetMetadata {
    if (offset >= this.logEndOffset) return this.nextOffsetMetadata;
    for (let idx = Math.max(0, this.floorIndex(offset)); idx < this.segments.length; idx++) {
      const s = this.segments[idx];
      const found = s.translateOffset(offset);
      if (found)
        return {
          messageOffset: offset,
          segmentBaseOffset: s.baseOffset,
          relativePositionInSegment: found.position,
        };
    }
    return { ...this.nextOffsetMetadata, messageOffset: offset };
  }

  /**
   * Bytes from the batch holding `startOffset` (callers check the range), not past
   * `maxOffsetMetadata`; later segments are tried when a segment has nothing at or after it.
   */
  read(
    startOffset: number,
    maxLength: number,
    maxOffsetMetadata: LogOffsetMetadata,
    minOneMessage: boolean,
  ): FetchDataInfo {
    for (let idx = Math.max(0, this.floorIndex(startOffset)); idx < this.segments.length; idx++) {
      const segment = this.segments[idx];
      if (segment.baseOffset > maxOffsetMetadata.segmentBaseOffset) break;
      const maxPosition =
        maxOffsetMetadata.segmentBaseOffset === segment.baseOffset
          ? maxOffsetMetadata.relativePositionInSegment
          : segment.size;
      const info = segment.read(startOffset, maxLength, maxPosition, minOneMessage);
      if (info !== null) return info;
    }
    return {
      fetchOffsetMetadata: this.nextOffsetMetadata,
      records: RecordsSlice.EMPTY,
      firstEntryIncomplete: false,
    };
  }

  /** Starts a new active segment at the log end (or `expectedNextOffset` if larger). */
  roll(expectedNextOffset?: number): LogSegment {
    return this.io('Error while rolling log segment', () => {
      const start = this.deps.time.hiResMs();
      const newOffset = Math.max(expectedNextOffset ?? 0, this.logEndOffset);
      const active = this.activeSegment;
      if (active.baseOffset === newOffset) {
        assert(
          active.size === 0,
          `trying to roll ${this.name} to ${newOffset}, which exists and is not empty`,
        );
        this.deps.logger.warn(
          `Trying to roll a new log segment for ${this.name} with start offset ${newOffset} while it already exists and is empty`,
        );
        this.removeAndDeleteSegments([active], 'roll');
      } else {
        assert(
          newOffset > active.baseOffset,
          `trying to roll ${this.name} to ${newOffset}, below the active segment ${active.baseOffset}`,
        );
        for (const f of [
          logFile(this._dir, newOffset),
          offsetIndexFile(this._dir, newOffset),
          timeIndexFile(this._dir, newOffset),
          transactionIndexFile(this._dir, newOffset),
        ]) {
          if (disk.unlink(f))
            this.deps.logger.warn(`Newly rolled segment file ${f} already existed; deleted it first`);
        }
        active.onBecomeInactiveSegment();
      }
      // The new file is created only once the old one's queued writes are done: a crash leaves a
      // prefix. With none queued it is created now, so that appends to it are written (and become
      // visible to readers, Log.writtenEndOffset) at once rather than after a queued create.
      const segment = this.openSegment(newOffset, active.log.isIdle ? undefined : active.whenWritten());
      this.segments.push(segment);
      this.nextOffsetMetadata = this.endMetadata(this.logEndOffset);
      // Flush the segments before the new one in the background: the recovery point moves up.
      void this.flush(newOffset).catch((e) =>
        this.deps.logger.error(`Flush after roll of ${this.name} failed`, e),
      );
      const ms = (this.deps.time.hiResMs() - start).toFixed(1);
      this.deps.logger.info(`[Log ${this.name}] Rolled new log segment at offset ${newOffset} in ${ms} ms.`);
      return segment;
    });
  }

  private openSegment(baseOffset: number, after?: Promise<void>): LogSegment {
    const opts = LocalLog.segmentOptions(this.deps, this.parentDir, this.name, true);
    return LogSegment.open(this._dir, baseOffset, this.config, this.deps.time, { ...opts, after });
  }

  /** fsync of the segments holding offsets up to `offset`; moves the recovery point. */
  flush(offset: number): Promise<void> {
    return this.ioAsync('Error while flushing log', async () => {
      if (offset <= this.recoveryPoint) return;
      const segments = this.logSegments(this.recoveryPoint, offset);
      await Promise.all(segments.map((s) => s.flush()));
      await this.beforeRecoveryPointMoves();
      const reached = Math.min(offset, this.logEndOffset);
      if (reached > this.recoveryPoint) {
        this.recoveryPoint = reached;
        this.lastFlushTime = this.deps.time.milliseconds();
      }
    });
  }

  /**
   * Removes offsets >= targetOffset at the segment level (later segments deleted, the one holding
   * it cut and made active); the caller checked the range and fixes the log's offsets.
   */
  truncateTo(targetOffset: number): void {
    this.removeAndDeleteSegments(
      this.segments.filter((s) => s.baseOffset > targetOffset),
      'truncation',
    );
    this.activeSegment.truncateTo(targetOffset);
    this.segmentsVersion++;
    this.nextOffsetMetadata = this.endMetadata(targetOffset);
    this.recoveryPoint = Math.min(this.recoveryPoint, targetOffset);
  }

  /** Deletes every segment and starts an empty one at `newOffset`. */
  truncateFullyAndStartAt(newOffset: number): void {
    this.removeAndDeleteSegments([...this.segments], 'truncation');
    this.segments.push(this.openSegment(newOffset));
    this.nextOffsetMetadata = this.endMetadata(newOffset);
    this.recoveryPoint = Math.min(this.recoveryPoint, newOffset);
  }

  /** Takes segments out, renames their files `.deleted`, deletes them after file.delete.delay.ms. */
  removeAndDeleteSegments(toDelete: readonly LogSegment[], reason: SegmentDeletionReason): void {
    if (toDelete.length === 0) return;
    const gone = new Set(toDelete);
    this.segments = this.segments.filter((s) => !gone.has(s));
    this.segmentsVersion++;
    const offsets = toDelete.map((s) => s.baseOffset).join(',');
    this.deps.logger.info(`[Log ${this.name}] Deleting segments ${offsets} (${reason})`);
    for (const s of toDelete) s.changeFileSuffixes('', DELETED_FILE_SUFFIX);
    this.scheduleDelete(toDelete);
  }

  private scheduleDelete(segments: readonly LogSegment[]): void {
    this.deps.scheduler.schedule(
      'delete-file',
      () => {
        if (this.deps.failureChannel.isOffline(this.parentDir)) return;
        try {
          for (const s of segments) s.deleteIfExists();
        } catch (e) {
          this.deps.failureChannel.maybeAddOfflineLogDir(
            this.parentDir,
            `Error while deleting segments of ${this.name}`,
            e,
          );
        }
      },
      this.config.fileDeleteDelayMs,
    );
  }

  /**
   * Swaps a cleaned segment in for the segments it replaces, crash-safely (Kafka's
   * replaceSegments): `.cleaned` → `.swap`, old files → `.deleted`, `.swap` → final name. A crash in
   * between is finished by the loader.
   */
  replaceSegments(cleaned: LogSegment, oldSegments: readonly LogSegment[]): void {
    this.io('Error while replacing segments', () => {
      const present = oldSegments.filter((s) => this.segments.includes(s));
      cleaned.changeFileSuffixes(CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX);
      const gone = new Set(present);
      const kept = this.segments.filter((s) => !gone.has(s));
      const at = kept.findIndex((s) => s.baseOffset > cleaned.baseOffset);
      kept.splice(at < 0 ? kept.length : at, 0, cleaned);
      this.segments = kept;
      for (const s of present) s.changeFileSuffixes('', DELETED_FILE_SUFFIX);
      this.scheduleDelete(present);
      cleaned.changeFileSuffixes(SWAP_FILE_SUFFIX, '');
      this.segmentsVersion++;
    });
  }

  /** Closes every segment (the active one trims its indexes); no flush. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ioAsync('Error while closing log', async () => {
      for (const s of this.segments) await s.close();
    });
  }

  /** Closes descriptors without writing (the directory failed). */
  closeHandlers(): void {
    this.closed = true;
    for (const s of this.segments) s.closeHandlers();
  }

  /** Renames the partition directory (to `…-delete` before deletion). */
  renameDir(name: string): void {
    this.io('Error while renaming dir', () => {
      const target = path.join(this.parentDir, name);
      disk.rename(this._dir, target);
      this._dir = target;
      for (const s of this.segments) s.updateParentDir(target);
    });
  }

  /** Removes the directory and everything in it. */
  async delete(): Promise<void> {
    this.closeHandlers();
    await this.ioAsync('Error while deleting log', () => disk.removeTree(this._dir));
  }
}
