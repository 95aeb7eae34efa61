import * as path from 'node:path';
import { Cleaner, LogCleaningAbortedError, type CleanerStats, type LogToClean } from './Cleaner';
import { CorruptCheckpointError, OffsetCheckpointFile } from './checkpoints';
import type { Log } from './Log';
import type { LogDirFailureChannel } from './LogDirFailureChannel';
import { isIOError } from './LogDirFailureChannel';
import { CLEANER_OFFSET_CHECKPOINT_FILE } from './LogFiles';
import type { Logger } from '@samsa/common';
import { OffsetMap } from './OffsetMap';
import type { Scheduler, ScheduledTask } from './Scheduler';
import type { Time } from '@samsa/common';
import { topicPartitionKey, type TopicPartition } from '@samsa/common';

/**
 * Schedules compaction (Kafka's LogCleaner and LogCleanerManager): every log.cleaner.backoff.ms it
 * picks the compacted log with the highest dirty ratio above min.cleanable.dirty.ratio (or one
 * whose dirty records are older than max.compaction.lag.ms), cleans it, and records where the clean
 * section ends in the directory's `cleaner-offset-checkpoint`. Partitions can be paused (while a
 * truncation or deletion runs) and a failing partition is marked uncleanable rather than retried.
 */
export interface CleanerConfig {
  /** log.cleaner.enable */
  readonly enable: boolean;
  /** log.cleaner.backoff.ms */
  readonly backoffMs: number;
  /** log.cleaner.dedupe.buffer.size: bytes of the key → offset map. */
  readonly dedupeBufferSize: number;
  /** log.cleaner.io.buffer.load.factor */
  readonly dedupeBufferLoadFactor: number;
}

export const DEFAULT_CLEANER_CONFIG: CleanerConfig = {
  enable: true,
  backoffMs: 15_000,
  dedupeBufferSize: 128 * 1024 * 1024,
  dedupeBufferLoadFactor: 0.9,
};

export interface LogCleanerDeps {
  readonly config: CleanerConfig;
  /** Every current log (LogManager's). */
  readonly logs: () => Iterable<Log>;
  readonly time: Time;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly failureChannel: LogDirFailureChannel;
}

export class LogCleaner {
  private readonly checkpoints = new Map<string, Map<string, number>>();
  private readonly paused = new Set<string>();
  private readonly uncleanable = new Set<string>();
  private inProgress: { key: string; aborted: boolean } | null = null;
  private running: Promise<boolean> | null = null;
  private task: ScheduledTask | null = null;
  private map: OffsetMap | null = null;
  /** Stats of the last cleaning, for tests and metrics. */
  lastStats: CleanerStats | null = null;

  constructor(private readonly d: LogCleanerDeps) {}

  startup(): void {
    this.task = this.d.scheduler.schedule(
      'kafka-log-cleaner',
      () => this.cleanOnce().then(() => undefined),
      this.d.config.backoffMs,
      this.d.config.backoffMs,
    );
  }

  async shutdown(): Promise<void> {
    this.task?.cancel();
    if (this.inProgress) this.inProgress.aborted = true;
    await this.running?.catch(() => undefined);
  }

  private checkpointFile(logDir: string): OffsetCheckpointFile {
    return new OffsetCheckpointFile(path.join(logDir, CLEANER_OFFSET_CHECKPOINT_FILE));
  }

  /** The clean offsets of a directory, read once from its checkpoint. */
  allCleanerCheckpoints(logDir: string): Map<string, number> {
    let m = this.checkpoints.get(logDir);
    if (!m) {
      try {
        m = this.checkpointFile(logDir).read();
      } catch (e) {
        if (!(e instanceof CorruptCheckpointError)) throw e;
        this.d.logger.warn(`${e.message}; cleaning starts from the log start offsets`);
        m = new Map();
      }
      this.checkpoints.set(logDir, m);
    }
    return m;
  }

  /** Stops cleaning `tp` (a running cleaning of it is aborted) until resumed. */
  abortAndPauseCleaning(tp: TopicPartition): void {
    const key = topicPartitionKey(tp);
    this.paused.add(key);
    if (this.inProgress?.key === key) this.inProgress.aborted = true;
  }

  resumeCleaning(tp: TopicPartition): void {
    this.paused.delete(topicPartitionKey(tp));
  }

  isCleaning(tp: TopicPartition): boolean {
    return this.inProgress?.key === topicPartitionKey(tp);
  }

  /** Forgets `tp` in its directory's checkpoint (the log was deleted). */
  async removePartition(logDir: string, tp: TopicPartition): Promise<void> {
    const m = this.allCleanerCheckpoints(logDir);
    if (m.delete(topicPartitionKey(tp))) await this.checkpointFile(logDir).writeAsync(m);
  }

  /** A truncated log's clean offset must not stay past its end. */
  maybeTruncateCheckpoint(logDir: string, tp: TopicPartition, offset: number): void {
    const m = this.allCleanerCheckpoints(logDir);
    const key = topicPartitionKey(tp);
    const cur = m.get(key);
    if (cur !== undefined && cur > offset) {
      m.set(key, offset);
      void this.checkpointFile(logDir)
        .writeAsync(m)
        .catch((e) => this.d.logger.error(`Cannot write cleaner checkpoint in ${logDir}`, e));
    }
  }

  /** Offsets to clean: from the checkpoint (or log start) to the first uncleanable offset. */
  cleanableOffsets(
    log: Log,
    lastCleanOffset: number | undefined,
    now: number,
  ): { firstDirtyOffset: number; firstUncleanableOffset: number } {
    let firstDirtyOffset = lastCleanOffset ?? log.logStartOffset;
    if (firstDirtyOffset < log.logStartOffset || firstDirtyOffset > log.logEndOffset)
      firstDirtyOffset = log.logStartOffset;
    let uncleanable = log.activeSegment.baseOffset;
    const minLag = Math.max(log.config.minCompactionLagMs, 0);
    if (minLag > 0) {
      const young = log
        .nonActiveLogSegmentsFrom(firstDirtyOffset)
        .find((s) => s.largestTimestamp > now - minLag);
      if (young && young.baseOffset < uncleanable) uncleanable = young.baseOffset;
    }
    // Nothing at or past the first unstable offset: its transactions are not decided (Kafka 2.8
    // stops at the last stable offset).
    const unstable = log.firstUnstableOffset;
    if (unstable !== null && unstable < uncleanable) uncleanable = unstable;
    return { firstDirtyOffset, firstUncleanableOffset: Math.max(firstDirtyOffset, uncleanable) };
  }

  /** The compacted log most in need of cleaning, or null. */
  grabFilthiestCompactedLog(now: number): LogToClean | null {
    let best: { ltc: LogToClean; ratio: number } | null = null;
    for (const log of this.d.logs()) {
      const key = topicPartitionKey(log.topicPartition);
      if (!log.config.compact || log.isClosed || this.paused.has(key) || this.uncleanable.has(key)) continue;
      if (this.d.failureChannel.isOffline(log.parentDir)) continue;
      const last = this.allCleanerCheckpoints(log.parentDir).get(key);
      const { firstDirtyOffset, firstUncleanableOffset } = this.cleanableOffsets(log, last, now);
      const uncleanableSegment = log.nonActiveLogSegmentsFrom(firstUncleanableOffset)[0] ?? log.activeSegment;
      const end = uncleanableSegment.baseOffset;
      const sum = (from: number, to: number) =>
        from >= to ? 0 : log.logSegments(from, to).reduce((n, s) => n + s.size, 0);
      const cleanBytes = sum(log.logSegments()[0].baseOffset, firstDirtyOffset);
      const cleanableBytes = sum(Math.min(firstDirtyOffset, end), end);
      const total = cleanBytes + cleanableBytes;
      if (total === 0 || cleanableBytes === 0) continue;
      const ratio = cleanableBytes / total;
      const lagMs = log.config.maxCompactionLagMs;
      const firstDirty = log.logSegments(firstDirtyOffset, end)[0];
      const overdue =
        firstDirty !== undefined &&
        lagMs < Number.MAX_SAFE_INTEGER &&
        now - firstDirty.getFirstBatchTimestamp() > lagMs;
      if (ratio <= log.config.minCleanableDirtyRatio && !overdue) continue;
      const score = overdue ? 2 + ratio : ratio;
      if (!best || score > best.ratio) {
        best = {
          ltc: { log, firstDirtyOffset, firstUncleanableOffset: end, cleanBytes, cleanableBytes },
          ratio: score,
        };
      }
    }
    return best?.ltc ?? null;
  }

  /** One round: cleans the filthiest log if any; true when something was cleaned. */
  cleanOnce(): Promise<boolean> {
    if (this.running) return this.running;
    this.running = this.doCleanOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async doCleanOnce(): Promise<boolean> {
    const now = this.d.time.milliseconds();
    const ltc = this.grabFilthiestCompactedLog(now);
    if (!ltc) return false;
    const log = ltc.log;
    const key = topicPartitionKey(log.topicPartition);
    const progress = { key, aborted: false };
    this.inProgress = progress;
    const map = (this.map ??= new OffsetMap(this.d.config.dedupeBufferSize));
    let version = log.segmentsVersion;
    const checkDone = () => {
      if (progress.aborted || log.isClosed || this.paused.has(key))
        throw new LogCleaningAbortedError(`cleaning of ${log.name} aborted`);
      if (log.segmentsVersion !== version)
        throw new LogCleaningAbortedError(`segments of ${log.name} changed during cleaning`);
    };
    const cleaner = new Cleaner({
      map,
      loadFactor: this.d.config.dedupeBufferLoadFactor,
      time: this.d.time,
      logger: this.d.logger,
      checkDone,
      // The cleaner's own swaps move the version too.
      onSegmentsReplaced: () => {
        version = log.segmentsVersion;
      },
    });
    const start = this.d.time.hiResMs();
    try {
      this.d.logger.info(
        `Beginning cleaning of log ${log.name} (dirty section [${ltc.firstDirtyOffset}, ${ltc.firstUncleanableOffset}))`,
      );
      const { endOffset, stats } = await cleaner.clean(ltc);
      this.lastStats = stats;
      const m = this.allCleanerCheckpoints(log.parentDir);
      m.set(key, endOffset);
      await this.checkpointFile(log.parentDir).writeAsync(m);
      this.d.logger.info(
        `Log cleaner cleaned log ${log.name} (dirty section = [${ltc.firstDirtyOffset}, ${endOffset})): ` +
          `${stats.bytesRead} bytes, ${stats.messagesRead} messages read; ${stats.bytesWritten} bytes, ${stats.messagesWritten} messages kept ` +
          `in ${(this.d.time.hiResMs() - start).toFixed(0)} ms`,
      );
      return true;
    } catch (e) {
      if (e instanceof LogCleaningAbortedError) {
        this.d.logger.info(e.message);
      } else if (isIOError(e)) {
        this.d.failureChannel.maybeAddOfflineLogDir(
          log.parentDir,
          `Failed to clean up log for ${log.name} due to an I/O error`,
          e,
        );
      } else {
        this.uncleanable.add(key);
        this.d.logger.warn(`Unexpected exception when cleaning log ${log.name}; marking it uncleanable`, e);
      }
      return false;
    } finally {
      this.inProgress = null;
    }
  }
}
