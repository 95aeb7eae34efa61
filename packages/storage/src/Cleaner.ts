import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Attribute, BatchField, RECORD_BATCH_OVERHEAD, LOG_OVERHEAD, batchRecordStream, buildBatch, crc32c, type Record as KafkaRecord } from '@samsa/protocol';
import { BatchCursor, readInt64 } from './BatchCursor';
import { CleanedTransactionMetadata } from './CleanedTransactionMetadata';
import { disk } from './disk';
import type { Log } from './Log';
import { CLEANED_FILE_SUFFIX, logFile, offsetIndexFile, timeIndexFile, transactionIndexFile } from './LogFiles';
import type { Logger } from '@samsa/common';
import { LogSegment } from './LogSegment';
import type { OffsetMap } from './OffsetMap';
import type { Time } from '@samsa/common';

/**
 * Compaction of one log (Kafka's Cleaner): keeps the latest record of every key.
 *
 * 1. Map every key of the dirty section [firstDirtyOffset, firstUncleanableOffset) to its latest
 *    offset (as much as the map holds; the rest waits for the next round).
 * 2. Rewrite the segments below the map's end in groups that fit one segment: a record stays if it
 *    is past the map, or is the latest for its key — and, when its value is null (a tombstone),
 *    only while its segment is newer than the delete horizon (last clean segment's mtime minus
 *    delete.retention.ms). Keyless records go. Offsets never change; a batch with every record kept
 *    is copied byte for byte, one with some removed is rebuilt with the same base offset, epoch,
 *    producer fields and codec.
 * 3. Swap each cleaned group in (`.cleaned` → `.swap` → final, crash-safe); the active segment is
 *    never touched.
 *
 * Transactions (Kafka 2.8): nothing at or past the first unstable offset is cleaned (LogCleaner
 * stops the dirty section there); records of aborted transactions are neither mapped nor kept;
 * markers stay while records of their transaction were seen in the pass, and after that until
 * the delete horizon (CleanedTransactionMetadata); the cleaned segment's `.txnindex` holds the
 * aborted transactions whose markers stayed. The last batch of each producer stays (emptied if
 * need be) — its last data batch, or its last marker when its epoch was bumped by one.
 *
 * It runs on the event loop and yields between batches, and inside a batch every
 * YIELD_AFTER_MS of work (a 1 MB zstd batch can hold a million records); a truncation, retention or deletion of the
 * log meanwhile aborts the round (the log's segmentsVersion moved) and leaves the log as it was.
 */
export interface LogToClean {
  readonly log: Log;
  readonly firstDirtyOffset: number;
  readonly firstUncleanableOffset: number;
  readonly cleanBytes: number;
  readonly cleanableBytes: number;
}

export class CleanerStats {
  bytesRead = 0;
  bytesWritten = 0;
  messagesRead = 0;
  messagesWritten = 0;
  mapMessagesRead = 0;
  invalidMessagesRead = 0;
}

export class LogCleaningAbortedError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'LogCleaningAbortedError';
  }
}

export interface CleanerOptions {
  readonly map: OffsetMap;
  readonly loadFactor: number;
  readonly time: Time;
  readonly logger: Logger;
  /** Throws LogCleaningAbortedError when cleaning must stop. */
  readonly checkDone: () => void;
  /** Called after each cleaned group is swapped in. */
  readonly onSegmentsReplaced?: () => void;
}

/** Bytes processed between yields to the event loop. */
const YIELD_EVERY_BYTES = 1024 * 1024;
/** Event-loop time spent inside one batch's records before letting other work run. */
const YIELD_AFTER_MS = 5;
/** Records handled between looks at the clock. */
const RECORDS_PER_CLOCK_CHECK = 1024;

export class Cleaner {
  private sinceYield = 0;
  private sliceStartMs = performance.now();

  constructor(private readonly o: CleanerOptions) {}

  /** Cleans; returns the offset the next round starts at (the new first dirty offset). */
  async clean(c: LogToClean): Promise<{ endOffset: number; stats: CleanerStats }> {
    const log = c.log;
    const stats = new CleanerStats();
    const clean = log.logSegments(0, c.firstDirtyOffset);
    const last = clean[clean.length - 1];
    const deleteHorizonMs = last ? last.lastModified - log.config.deleteRetentionMs : 0;

    await this.buildOffsetMap(log, c.firstDirtyOffset, c.firstUncleanableOffset, stats);
    const endOffset = this.o.map.latestOffset + 1;
    const groups = groupSegmentsBySize(
      log.logSegments(0, endOffset),
      log.config.segmentBytes,
      log.config.segmentIndexBytes,
      c.firstUncleanableOffset,
    );
    // One for the whole round, as Kafka's doClean: a marker in a later group must know the
    // transaction data an earlier group kept, or it would go while that data stays (and a replay
    // would find the transaction open for good).
    const txns = new CleanedTransactionMetadata();
    for (const group of groups) await this.cleanSegments(log, group, deleteHorizonMs, stats, txns);
    return { endOffset, stats };
  }

  private async maybeYield(bytes: number): Promise<void> {
    this.sinceYield += bytes;
    if (this.sinceYield >= YIELD_EVERY_BYTES || performance.now() - this.sliceStartMs >= YIELD_AFTER_MS) {
      this.sinceYield = 0;
      await yieldToEventLoop();
      this.sliceStartMs = performance.now();
    }
    this.o.checkDone();
  }

  /**
   * Inside a batch (called every RECORDS_PER_CLOCK_CHECK records, so that the other records cost
   * no await): yield if the slice is used up.
   */
  private async maybeYieldInBatch(): Promise<void> {
    if (performance.now() - this.sliceStartMs < YIELD_AFTER_MS) return;
    await yieldToEventLoop();
    this.sliceStartMs = performance.now();
    this.o.checkDone();
  }

  private async buildOffsetMap(log: Log, start: number, end: number, stats: CleanerStats): Promise<void> {
    const map = this.o.map;
    await map.clearInSlices(() => yieldToEventLoop());
    this.sliceStartMs = performance.now();
    const dirty = log.logSegments(start, end);
    const maxDesired = Math.floor(map.slots * this.o.loadFactor);
    const txns = new CleanedTransactionMetadata();
    txns.addAbortedTransactions(log.collectAbortedTransactions(start, end));
    for (let i = 0; i < dirty.length; i++) {
      const segment = dirty[i];
      const nextStart = i + 1 < dirty.length ? dirty[i + 1].baseOffset : end;
      const cursor = new BatchCursor(
        segment.log,
        segment.offsetIndex.lookup(start).position,
        segment.size,
        1024 * 1024,
      );
      while (cursor.next(true)) {
        const batch = cursor.batch();
        const lastOffset = cursor.lastOffset();
        if (lastOffset >= nextStart) break;
        const isControl = (batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.CONTROL) !== 0;
        if (isControl) txns.onControlBatchRead(batch, 0);
        // An aborted transaction's records must not shadow a committed value of their key.
        else if (!txns.onBatchRead(batch, 0)) {
          const stream = batchRecordStream(batch);
          const records = stream.reader;
          try {
            for (;;) {
              const r = records.next();
              if (r === null) {
                await this.maybeYield(0);
                if (await stream.more()) continue;
                break;
              }
              if (r.key !== null && r.offset >= start) {
                if (map.size >= maxDesired) return; // full: this round cleans up to what is mapped
                map.put(r.key, r.offset);
              }
              stats.mapMessagesRead++;
              if (records.recordsRead % RECORDS_PER_CLOCK_CHECK === 0) await this.maybeYieldInBatch();
            }
          } finally {
            await stream.close();
          }
        }
        if (lastOffset >= start) map.updateLatestOffset(lastOffset);
        await this.maybeYield(cursor.size);
      }
      map.updateLatestOffset(nextStart - 1);
    }
  }

  private async cleanSegments(
    log: Log,
    segments: LogSegment[],
    deleteHorizonMs: number,
    stats: CleanerStats,
    txns: CleanedTransactionMetadata,
  ): Promise<void> {
    const base = segments[0].baseOffset;
    for (const f of [
      logFile(log.dir, base, CLEANED_FILE_SUFFIX),
      offsetIndexFile(log.dir, base, CLEANED_FILE_SUFFIX),
      timeIndexFile(log.dir, base, CLEANED_FILE_SUFFIX),
      transactionIndexFile(log.dir, base, CLEANED_FILE_SUFFIX),
    ]) {
      disk.unlink(f);
    }
    const cleaned = LogSegment.open(log.dir, base, log.config, this.o.time, {
      suffix: CLEANED_FILE_SUFFIX,
      active: true,
      logger: this.o.logger,
    });
    // The last batch of each producer the log knows stays, emptied if need be: replaying the
    // cleaned log (a new replica, a restart) must rebuild the same producer state.
    const lastRecords = new Map<number, LastRecord>();
    for (const [producerId, entry] of log.producerStateManager.activeProducers) {
      lastRecords.set(producerId, { lastDataOffset: entry.isEmpty ? null : entry.lastDataOffset, producerEpoch: entry.producerEpoch });
    }
    txns.cleanedIndex = cleaned.txnIndex;
    try {
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        const upperBound = i + 1 < segments.length ? segments[i + 1].baseOffset : this.o.map.latestOffset + 1;
        txns.addAbortedTransactions(log.collectAbortedTransactions(segment.baseOffset, upperBound));
        const retainDeletes = segment.lastModified > deleteHorizonMs;
        await this.cleanInto(segment, cleaned, retainDeletes, stats, lastRecords, txns);
      }
      cleaned.onBecomeInactiveSegment();
      await cleaned.flush();
      cleaned.lastModified = segments[segments.length - 1].lastModified;
      this.o.checkDone();
      this.o.logger.info(
        `Swapping in cleaned segment ${cleaned} for segment(s) ${segments.map((s) => s.baseOffset).join(',')} in log ${log.name}`,
      );
      log.replaceSegments(cleaned, segments);
      this.o.onSegmentsReplaced?.();
    } catch (e) {
      cleaned.closeHandlers();
      cleaned.deleteIfExists();
      throw e;
    }
  }

  private async cleanInto(
    source: LogSegment,
    dest: LogSegment,
    retainDeletes: boolean,
    stats: CleanerStats,
    lastRecords: ReadonlyMap<number, LastRecord>,
    txns: CleanedTransactionMetadata,
  ): Promise<void> {
    const map = this.o.map;
    const cursor = new BatchCursor(source.log, 0, source.size, 1024 * 1024);
    while (cursor.next(true)) {
      const batch = cursor.batch();
      stats.bytesRead += cursor.size;
      const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
      const isControl = (attributes & Attribute.CONTROL) !== 0;
      // Kafka's checkBatchRetention: an aborted transaction's batch, or a marker no longer needed
      // past the delete horizon, goes whole — unless it is its producer's last.
      const discard = isControl ? txns.onControlBatchRead(batch, 0) && !retainDeletes : txns.onBatchRead(batch, 0);
      const keepAsLast = isLastRecordOfProducer(batch, isControl, lastRecords);
      let out: Buffer | null = batch;
      if (discard) {
        out = keepAsLast ? emptyBatchHeader(batch) : null;
        if (!isControl) stats.messagesRead += batch.readInt32BE(BatchField.RECORDS_COUNT);
      } else if (!isControl) {
        const stream = batchRecordStream(batch);
        const records = stream.reader;
        const header = records.header;
        const kept: KafkaRecord[] = [];
        try {
          for (;;) {
            const r = records.next();
            if (r === null) {
              await this.maybeYield(0);
              if (await stream.more()) continue;
              break;
            }
            const retain =
              r.offset > map.latestOffset ||
              (r.key !== null && r.offset >= map.get(r.key) && (r.value !== null || retainDeletes));
            if (r.key === null && r.offset <= map.latestOffset) stats.invalidMessagesRead++;
            if (retain) kept.push(r);
            if (records.recordsRead % RECORDS_PER_CLOCK_CHECK === 0) await this.maybeYieldInBatch();
          }
        } finally {
          await stream.close();
        }
        stats.messagesRead += records.recordsRead;
        stats.messagesWritten += kept.length;
        const lastOffsetDelta = batch.readInt32BE(BatchField.LAST_OFFSET_DELTA);
        if (kept.length === 0) {
          out = keepAsLast ? emptyBatchHeader(batch) : null;
        } else if (kept.length < records.recordsRead) {
          out = buildBatch(
            kept.map((r) => ({
              key: r.key,
              value: r.value,
              headers: r.headers,
              timestamp: r.timestamp,
              offsetDelta: r.offset - header.baseOffset,
            })),
            {
              baseOffset: header.baseOffset,
              partitionLeaderEpoch: header.partitionLeaderEpoch,
              compression: attributes & Attribute.COMPRESSION_MASK,
              timestampType: attributes & Attribute.TIMESTAMP_TYPE ? 1 : 0,
              producerId: header.producerId,
              producerEpoch: header.producerEpoch,
              baseSequence: header.baseSequence,
              isTransactional: (attributes & Attribute.TRANSACTIONAL) !== 0,
            },
          );
          // The batch keeps its last offset, so its last sequence stays the producer's (Kafka's
          // overrideLastOffset): a replay must not see a producer's sequence go back.
          out.writeInt32BE(lastOffsetDelta, BatchField.LAST_OFFSET_DELTA);
          out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
        } else out = Buffer.from(batch); // the cursor's buffer is reused
      } else out = Buffer.from(batch);
      if (out !== null) {
        const lastOffset =
          out.readInt32BE(BatchField.BASE_OFFSET) * 4294967296 +
          out.readUInt32BE(BatchField.BASE_OFFSET + 4) +
          out.readInt32BE(BatchField.LAST_OFFSET_DELTA);
        const maxTimestamp =
          out.readInt32BE(BatchField.MAX_TIMESTAMP) * 4294967296 +
          out.readUInt32BE(BatchField.MAX_TIMESTAMP + 4);
        void dest.append(lastOffset, maxTimestamp, lastOffset, out);
        stats.bytesWritten += out.length;
      }
      await this.maybeYield(cursor.size);
    }
  }
}

/** What the producer state says of a producer's last write (Kafka's LastRecord). */
interface LastRecord {
  /** Its last data batch's last offset; null when a marker bumped its epoch since. */
  readonly lastDataOffset: number | null;
  readonly producerEpoch: number;
}

/**
 * The batch keeps its producer's state on a replay (Kafka's isBatchLastRecordOfProducer): the
 * producer's last data batch, or, when its last write was a marker, a marker of its epoch.
 */
function isLastRecordOfProducer(batch: Buffer, isControl: boolean, lastRecords: ReadonlyMap<number, LastRecord>): boolean {
  if (batch.readInt32BE(BatchField.PRODUCER_ID) < 0) return false;
  const last = lastRecords.get(readInt64(batch, BatchField.PRODUCER_ID));
  if (last === undefined) return false;
  if (last.lastDataOffset !== null) {
    return readInt64(batch, BatchField.BASE_OFFSET) + batch.readInt32BE(BatchField.LAST_OFFSET_DELTA) === last.lastDataOffset;
  }
  return isControl && batch.readInt16BE(BatchField.PRODUCER_EPOCH) === last.producerEpoch;
}

/**
 * A batch whose records were all cleaned away, kept as its header alone (Kafka's writeEmptyHeader):
 * offsets, producer id, epoch and sequences as they were, no records, no compression.
 */
function emptyBatchHeader(batch: Buffer): Buffer {
  const out = Buffer.from(batch.subarray(0, RECORD_BATCH_OVERHEAD));
  out.writeInt32BE(RECORD_BATCH_OVERHEAD - LOG_OVERHEAD, BatchField.BATCH_LENGTH);
  out.writeInt16BE(out.readInt16BE(BatchField.ATTRIBUTES) & ~Attribute.COMPRESSION_MASK, BatchField.ATTRIBUTES);
  out.writeInt32BE(0, BatchField.RECORDS_COUNT);
  out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
  return out;
}

/**
 * Groups consecutive segments so that each group's log and indexes fit one segment and its offsets
 * fit the index's 32-bit relative offsets (Kafka's groupSegmentsBySize).
 */
export function groupSegmentsBySize(
  segments: LogSegment[],
  maxSize: number,
  maxIndexSize: number,
  firstUncleanableOffset: number,
): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let i = 0;
  while (i < segments.length) {
    const group = [segments[i]];
    let logSize = segments[i].size;
    let indexSize = segments[i].offsetIndex.sizeInBytes;
    let timeIndexSize = segments[i].timeIndex.sizeInBytes;
    i++;
    while (i < segments.length) {
      const s = segments[i];
      const lastOffsetOfCandidate =
        i + 1 < segments.length ? segments[i + 1].baseOffset - 1 : firstUncleanableOffset - 1;
      if (
        logSize + s.size > maxSize ||
        indexSize + s.offsetIndex.sizeInBytes > maxIndexSize ||
        timeIndexSize + s.timeIndex.sizeInBytes > maxIndexSize ||
        lastOffsetOfCandidate - group[0].baseOffset > 2147483647
      ) {
        break;
      }
      group.push(s);
      logSize += s.size;
      indexSize += s.offsetIndex.sizeInBytes;
      timeIndexSize += s.timeIndex.sizeInBytes;
      i++;
    }
    groups.push(group);
  }
  return groups;
}
