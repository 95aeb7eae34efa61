import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { parseTopicPartitionKey, topicPartitionKey, type TopicPartition } from '@samsa/common';

/**
 * Kafka's names on disk (the `Log` companion object): segment files named by their base offset in
 * 20 digits, the suffixes of files in transit, partition directory names, per-dir file names.
 */
export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
export const TXN_INDEX_FILE_SUFFIX = '.txnindex';
export const PRODUCER_SNAPSHOT_FILE_SUFFIX = '.snapshot';
/** Segments being deleted: renamed first, removed after file.delete.delay.ms. */
export const DELETED_FILE_SUFFIX = '.deleted';
/** Output of the cleaner before it is swapped in. */
export const CLEANED_FILE_SUFFIX = '.cleaned';
/** Cleaned segments being swapped in; completed on recovery if a crash interrupts. */
export const SWAP_FILE_SUFFIX = '.swap';
export const DELETE_DIR_SUFFIX = '-delete';
export const FUTURE_DIR_SUFFIX = '-future';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const LOCK_FILE = '.lock';
export const META_PROPERTIES_FILE = 'meta.properties';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT_FILE = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';
export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
export const PARTITION_METADATA_FILE = 'partition.metadata';

/** The files a log directory's top level may hold besides partition directories. */
export const LOG_DIR_FILES: ReadonlySet<string> = new Set([
  CLEAN_SHUTDOWN_FILE,
  LOCK_FILE,
  META_PROPERTIES_FILE,
  RECOVERY_POINT_CHECKPOINT_FILE,
  REPLICATION_OFFSET_CHECKPOINT_FILE,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  CLEANER_OFFSET_CHECKPOINT_FILE,
  `${META_PROPERTIES_FILE}.tmp`,
  `${RECOVERY_POINT_CHECKPOINT_FILE}.tmp`,
  `${REPLICATION_OFFSET_CHECKPOINT_FILE}.tmp`,
  `${LOG_START_OFFSET_CHECKPOINT_FILE}.tmp`,
  `${CLEANER_OFFSET_CHECKPOINT_FILE}.tmp`,
]);

/** 20-digit, zero-padded base offset: the name of a segment's files. */
export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export const logFile = (dir: string, offset: number, suffix = '') =>
  path.join(dir, filenamePrefixFromOffset(offset) + LOG_FILE_SUFFIX + suffix);
export const offsetIndexFile = (dir: string, offset: number, suffix = '') =>
  path.join(dir, filenamePrefixFromOffset(offset) + INDEX_FILE_SUFFIX + suffix);
export const timeIndexFile = (dir: string, offset: number, suffix = '') =>
  path.join(dir, filenamePrefixFromOffset(offset) + TIME_INDEX_FILE_SUFFIX + suffix);
export const transactionIndexFile = (dir: string, offset: number, suffix = '') =>
  path.join(dir, filenamePrefixFromOffset(offset) + TXN_INDEX_FILE_SUFFIX + suffix);
/** Producer state as of `offset` (every batch below it), written at a roll and at a clean close. */
export const producerSnapshotFile = (dir: string, offset: number, suffix = '') =>
  path.join(dir, filenamePrefixFromOffset(offset) + PRODUCER_SNAPSHOT_FILE_SUFFIX + suffix);

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex|txnindex|snapshot)((?:\.deleted|\.cleaned|\.swap)?)$/;

export interface SegmentFileName {
  readonly baseOffset: number;
  readonly kind: 'log' | 'index' | 'timeindex' | 'txnindex' | 'snapshot';
  /** '', '.deleted', '.cleaned' or '.swap'. */
  readonly suffix: string;
}

/** Parses a file name of a partition directory, or null when it is not one of ours. */
export function parseSegmentFileName(name: string): SegmentFileName | null {
  const m = SEGMENT_FILE.exec(name);
  if (!m) return null;
  return { baseOffset: Number(m[1]), kind: m[2] as SegmentFileName['kind'], suffix: m[3] };
}

export function logDirName(tp: TopicPartition): string {
  return topicPartitionKey(tp);
}

/**
 * The directory of `tp`'s log under the log dir `parent`, or null when `tp` can have none there: a
 * topic name outside Kafka's legal ones, a partition that is not a non-negative integer, or a name
 * that would resolve anywhere but directly inside `parent`. The one place a partition's directory
 * is made from its name, so no name a request brings can reach outside log.dirs.
 */
export function partitionDirIn(parent: string, tp: TopicPartition): string | null {
  if (!isLegalTopicName(tp.topic) || !Number.isSafeInteger(tp.partition) || tp.partition < 0) return null;
  const root = path.resolve(parent);
  const dir = path.resolve(root, logDirName(tp));
  return path.dirname(dir) === root && path.basename(dir) === logDirName(tp) ? dir : null;
}

/** `<topic>-<partition>.<32 hex>-delete`: a partition directory waiting to be removed. */
export function logDeleteDirName(tp: TopicPartition): string {
  return markedDirName(tp, DELETE_DIR_SUFFIX);
}

/** `<topic>-<partition>.<32 hex>-future`: a partition's log being filled in another log dir (AlterReplicaLogDirs). */
export function logFutureDirName(tp: TopicPartition): string {
  return markedDirName(tp, FUTURE_DIR_SUFFIX);
}

function markedDirName(tp: TopicPartition, marker: string): string {
  const suffix = `-${tp.partition}.${randomUUID().replace(/-/g, '')}${marker}`;
  // Kafka shortens the topic so that the name stays within 255 bytes.
  const prefixLength = Math.min(tp.topic.length, 255 - suffix.length);
  return tp.topic.slice(0, prefixLength) + suffix;
}

export interface ParsedLogDirName {
  readonly tp: TopicPartition;
  readonly kind: 'current' | 'delete' | 'future';
}

const MARKED_DIR = /^(\S+)-(\d+)\.([0-9a-f]{32})-(delete|future)$/;

/** Parses a partition directory's name; null when it is not one (a stray directory). */
export function parseLogDirName(name: string): ParsedLogDirName | null {
  const marked = MARKED_DIR.exec(name);
  if (marked) {
    return {
      tp: { topic: marked[1], partition: Number(marked[2]) },
      kind: marked[4] === 'delete' ? 'delete' : 'future',
    };
  }
  if (name.endsWith(DELETE_DIR_SUFFIX) || name.endsWith(FUTURE_DIR_SUFFIX)) return null;
  const tp = parseTopicPartitionKey(name);
  if (!tp || !isLegalTopicName(tp.topic)) return null;
  return { tp, kind: 'current' };
}

/** Kafka's topic name rule: 1–249 characters of [a-zA-Z0-9._-], not "." or "..". */
export function isLegalTopicName(topic: string): boolean {
  return (
    topic.length > 0 &&
    topic.length <= 249 &&
    topic !== '.' &&
    topic !== '..' &&
    /^[a-zA-Z0-9._-]+$/.test(topic)
  );
}
