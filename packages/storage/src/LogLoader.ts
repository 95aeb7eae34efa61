import * as path from 'node:path';
import { disk } from './disk';
import { CorruptCheckpointError, LeaderEpochCheckpointFile, type EpochEntry } from './checkpoints';
import { LeaderEpochFileCache } from './LeaderEpochFileCache';
import { LocalLog } from './LocalLog';
import { Log, type LogDeps } from './Log';
import type { LogConfig } from './LogConfig';
import {
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  LEADER_EPOCH_CHECKPOINT_FILE,
  PARTITION_METADATA_FILE,
  SWAP_FILE_SUFFIX,
  logFile,
  offsetIndexFile,
  parseSegmentFileName,
  timeIndexFile,
  transactionIndexFile,
} from './LogFiles';
import { LogSegment } from './LogSegment';
import { DEFAULT_PRODUCER_ID_EXPIRATION_MS, loadProducerState } from './producer/loadProducerState';
import { ProducerStateManager } from './producer/ProducerStateManager';
import type { TopicPartition } from '@samsa/common';

/**
 * Opens a partition directory as a Log (Kafka's Log.loadSegments and recoverLog):
 *
 * 1. Sweep: `.deleted` and `.cleaned` files are removed, `.swap` files remembered; files that are not
 *    ours are left alone with a warning.
 * 2. Every `<base>.log` becomes a segment; its indexes are checked when first used (rebuilt when
 *    missing or wrong).
 * 3. Interrupted swaps are finished: the swapped segment replaces those it covers.
 * 4. Without a clean shutdown, every segment from the one holding the recovery point on is scanned:
 *    length, magic, CRC and offsets of each batch; the first bad byte and everything after it are
 *    cut, and the indexes and leader epoch cache rebuilt from what remains.
 * 5. The last segment becomes the active one.
 */
export interface LoadLogParams extends LogDeps {
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  readonly config: LogConfig;
  /** From log-start-offset-checkpoint, or 0. */
  readonly logStartOffset: number;
  /** From recovery-point-offset-checkpoint, or 0. */
  readonly recoveryPoint: number;
  readonly hadCleanShutdown: boolean;
}

export interface LoadStats {
  segments: number;
  recoveredBytes: number;
  truncatedBytes: number;
}

export async function loadLog(p: LoadLogParams, stats?: LoadStats): Promise<Log> {
  const { dir, logger } = p;
  const name = path.basename(dir);
  const logDir = path.dirname(dir);
  const swapLogs = sweep(p);

  const segments: LogSegment[] = [];
  const entries = disk
    .readdir(dir)
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  const logBases = new Set<number>();
  for (const f of entries) {
    const parsed = parseSegmentFileName(f);
    if (parsed && parsed.suffix === '' && parsed.kind === 'log') logBases.add(parsed.baseOffset);
  }
  for (const f of entries) {
    const parsed = parseSegmentFileName(f);
    if (!parsed || parsed.suffix !== '') continue;
    if ((parsed.kind === 'index' || parsed.kind === 'timeindex' || parsed.kind === 'txnindex') && !logBases.has(parsed.baseOffset)) {
      logger.warn(
        `Found an orphaned index file ${path.join(dir, f)}, with no corresponding log file; deleting it`,
      );
      disk.unlink(path.join(dir, f));
    }
  }
  for (const base of [...logBases].sort((a, b) => a - b)) {
    segments.push(
      LogSegment.open(dir, base, p.config, p.time, {
        ...LocalLog.segmentOptions(p, logDir, name, false),
        fileAlreadyExists: true,
      }),
    );
  }

  for (const base of swapLogs) await completeSwap(p, segments, base, name);

  const epochCheckpoint = new LeaderEpochCheckpointFile(path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE));
  let epochEntries: EpochEntry[] = [];
  try {
    epochEntries = epochCheckpoint.read();
  } catch (e) {
    if (!(e instanceof CorruptCheckpointError)) throw e;
    logger.warn(`${e.message}; rebuilding the leader epoch cache of ${name} from the log`);
  }
  // One cache for recovery and for the log (its writes to the file are serialized): the log end it
  // measures against is the loader's until the Log exists, then the Log's.
  let logEnd = -1;
  let log: Log | null = null;
  const epochCache = new LeaderEpochFileCache(
    name,
    () => (log === null ? logEnd : log.logEndOffset),
    epochCheckpoint,
    logger,
    epochEntries,
  );

  let recoveryPoint = p.recoveryPoint;
  if (!p.hadCleanShutdown) {
    let from = segments.findIndex(
      (s, i) => i === segments.length - 1 || segments[i + 1].baseOffset > recoveryPoint,
    );
    if (from < 0) from = 0;
    for (let i = from; i < segments.length; i++) {
      const segment = segments[i];
      logger.info(`Recovering unflushed segment ${segment.baseOffset} of ${name}`);
      const size = segment.size;
      const truncated = await segment.recover(epochCache);
      if (stats) stats.recoveredBytes += size;
      if (truncated > 0) {
        if (stats) stats.truncatedBytes += truncated;
        const rest = segments.splice(i + 1);
        logger.warn(
          `Corruption found in segment ${segment.baseOffset} of ${name}; cut ${truncated} bytes, ` +
            `log ends at offset ${segment.readNextOffset()}` +
            (rest.length > 0 ? `; deleting ${rest.length} later segment(s)` : ''),
        );
        for (const r of rest) r.deleteIfExists();
        break;
      }
    }
  }

  let logStartOffset = p.logStartOffset;
  if (segments.length > 0) {
    logEnd = segments[segments.length - 1].readNextOffset();
    if (logEnd < logStartOffset) {
      logger.warn(
        `Deleting all segments of ${name} because logEndOffset (${logEnd}) is smaller than logStartOffset (${logStartOffset}). ` +
          'This could happen if segment files were deleted from the file system.',
      );
      for (const s of segments.splice(0)) s.deleteIfExists();
      epochCache.clearAndFlush();
    }
  }
  if (segments.length === 0) {
    segments.push(
      LogSegment.open(dir, logStartOffset, p.config, p.time, LocalLog.segmentOptions(p, logDir, name, true)),
    );
    logEnd = logStartOffset;
  }
  recoveryPoint = p.hadCleanShutdown ? logEnd : Math.min(recoveryPoint, logEnd);

  const active = segments[segments.length - 1];
  active.makeActive(p.config.segmentIndexBytes);
  logStartOffset = Math.max(logStartOffset, segments[0].baseOffset);
  epochCache.truncateFromEnd(logEnd);
  epochCache.truncateFromStart(logStartOffset);
  if (stats) stats.segments += segments.length;

  const producerStateManager = await loadProducerState({
    name,
    dir,
    segments,
    logStartOffset,
    logEndOffset: logEnd,
    recoveryPoint: p.recoveryPoint,
    hadCleanShutdown: p.hadCleanShutdown,
    maxProducerIdExpirationMs: p.maxProducerIdExpirationMs,
    time: p.time,
    logger,
  });
  // Recovery may have indexed markers of rolled segments again: their descriptors go once flushed.
  for (const s of segments.slice(0, -1)) s.txnIndex.onBecomeInactive();

  log = new Log({
    ...p,
    segments,
    logStartOffset,
    recoveryPoint,
    nextOffset: logEnd,
    leaderEpochCache: epochCache,
    producerStateManager,
  });
  return log;
}

/** Step 1: removes our temporary files, warns about foreign ones; returns bases of `.log.swap` files. */
function sweep(p: LoadLogParams): number[] {
  const swapLogs: number[] = [];
  for (const e of disk.readdir(p.dir)) {
    const full = path.join(p.dir, e.name);
    if (!e.isFile()) {
      p.logger.warn(
        `Ignoring ${full} in partition directory ${p.dir}: not a file Kafka writes (left in place)`,
      );
      continue;
    }
    if (e.name === LEADER_EPOCH_CHECKPOINT_FILE || e.name === PARTITION_METADATA_FILE) continue;
    if (e.name === `${LEADER_EPOCH_CHECKPOINT_FILE}.tmp`) {
      disk.unlink(full);
      continue;
    }
    const parsed = parseSegmentFileName(e.name);
    if (!parsed) {
      p.logger.warn(
        `Ignoring ${full} in partition directory ${p.dir}: not a file Kafka writes (left in place)`,
      );
      continue;
    }
    if (parsed.suffix === DELETED_FILE_SUFFIX || parsed.suffix === CLEANED_FILE_SUFFIX) {
      disk.unlink(full);
    } else if (parsed.suffix === SWAP_FILE_SUFFIX) {
      if (parsed.kind === 'log') swapLogs.push(parsed.baseOffset);
      // Index files of a swap are rebuilt, except its `.txnindex`: it was complete before the swap
      // began (the cleaner flushes it first) and recovery does not rebuild it.
      else if (parsed.kind !== 'txnindex') disk.unlink(full);
    }
  }
  return swapLogs.sort((a, b) => a - b);
}

/** Step 3: a `.swap` segment replaces the segments whose offsets it covers. */
async function completeSwap(
  p: LoadLogParams,
  segments: LogSegment[],
  base: number,
  name: string,
): Promise<void> {
  const logDir = path.dirname(p.dir);
  p.logger.info(
    `Found log file ${logFile(p.dir, base, SWAP_FILE_SUFFIX)} from an interrupted swap operation, repairing.`,
  );
  const swap = LogSegment.open(p.dir, base, p.config, p.time, {
    ...LocalLog.segmentOptions(p, logDir, name, false),
    suffix: SWAP_FILE_SUFFIX,
  });
  await swap.recover();
  const swapEnd = swap.readNextOffset();
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i];
    if (s.baseOffset >= swap.baseOffset && s.baseOffset < swapEnd && s.readNextOffset() > swap.baseOffset) {
      segments.splice(i, 1);
      s.deleteIfExists();
    }
  }
  for (const f of [logFile(p.dir, base), offsetIndexFile(p.dir, base), timeIndexFile(p.dir, base), transactionIndexFile(p.dir, base)])
    disk.unlink(f);
  swap.changeFileSuffixes(SWAP_FILE_SUFFIX, '');
  const at = segments.findIndex((s) => s.baseOffset > base);
  segments.splice(at < 0 ? segments.length : at, 0, swap);
}

export interface CreateLogParams extends LogDeps {
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  readonly config: LogConfig;
  /** The directory and empty files are there already (createLogFiles). */
  readonly filesCreated?: boolean;
}

/**
 * The directory and the empty files of a new log (what `createLog` makes), created on libuv's pool
 * several at a time: creating a file is a few hundred microseconds to milliseconds of file-system
 * latency, and a broker creating a thousand logs would otherwise spend seconds of its event loop
 * waiting in sequence. `createLog` then opens the files as its own new ones.
 */
export async function createLogFiles(dir: string): Promise<void> {
  await disk.mkdirsAsync(dir);
  await Promise.all(
    [logFile(dir, 0), offsetIndexFile(dir, 0), timeIndexFile(dir, 0), path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE)].map(
      (f) => disk.touchAsync(f),
    ),
  );
}

/** A new, empty log: its directory, one active segment at offset 0, an empty epoch checkpoint. */
export function createLog(p: CreateLogParams): Log {
  if (p.filesCreated !== true) disk.mkdirs(p.dir);
  const name = path.basename(p.dir);
  const segment = LogSegment.open(
    p.dir,
    0,
    p.config,
    p.time,
    LocalLog.segmentOptions(p, path.dirname(p.dir), name, true),
  );
  const checkpoint = new LeaderEpochCheckpointFile(path.join(p.dir, LEADER_EPOCH_CHECKPOINT_FILE));
  if (p.filesCreated !== true) checkpoint.file.createIfMissing();
  let log: Log | null = null;
  const cache = new LeaderEpochFileCache(name, () => log!.logEndOffset, checkpoint, p.logger, []);
  log = new Log({
    ...p,
    segments: [segment],
    logStartOffset: 0,
    recoveryPoint: 0,
    nextOffset: 0,
    leaderEpochCache: cache,
    producerStateManager: new ProducerStateManager({
      name,
      dir: p.dir,
      maxProducerIdExpirationMs: p.maxProducerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
      time: p.time,
      logger: p.logger,
      isNew: true,
    }),
  });
  return log;
}
