import * as fs from 'node:fs';
import * as path from 'node:path';
import { OffsetIndex, TimeIndex } from '@samsa/storage';
import type { DumpErrors } from './DumpErrors';
import { batchRecords, scanLog, type LogBatch } from './LogBatches';
import type { Emit } from './LogDump';

/**
 * kafka-dump-log of `.index` and `.timeindex` files (Kafka 2.1 DumpLogSegments.dumpIndex and
 * dumpTimeIndex), read with @samsa/storage's OffsetIndex and TimeIndex opened read-only. Each entry
 * is checked against the segment's `.log` beside it. Like Kafka, an index is read to the end of the
 * file: the zero-filled slots of an active segment's preallocated index look like entries, which is
 * why the offset index stops at the first repeated zero entry.
 */
export interface IndexDumpOptions {
  readonly indexSanityOnly: boolean;
  readonly verifyOnly: boolean;
  readonly json: boolean;
}

export class SanityCheckError extends Error {
  override readonly name = 'SanityCheckError';
}

/** The segment's log beside an index file, scanned once, with per-batch lookups. */
class SegmentLog {
  private readonly buf: Buffer;
  private readonly batches: LogBatch[];
  private readonly maxTimestamps = new Map<number, number>();

  constructor(logFile: string) {
    this.buf = fs.readFileSync(logFile);
    this.batches = scanLog(this.buf, path.basename(logFile)).batches;
  }

  /** Index of the first batch starting at or after `position`. */
  private firstAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid].position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Offset of the first record of the batches from `position` (Kafka: slice.records.iterator.next()). */
  firstRecordOffsetAt(position: number): number | null {
    for (let i = this.firstAtOrAfter(position); i < this.batches.length; i++) {
      const records = batchRecords(this.buf, this.batches[i]);
      if (records.length > 0) return records[0].offset;
    }
    return null;
  }

  /** The first batch from `position` whose last offset is >= `offset`. */
  findBatch(position: number, offset: number): LogBatch | null {
    for (let i = this.firstAtOrAfter(position); i < this.batches.length; i++) {
      if (this.batches[i].lastOffset >= offset) return this.batches[i];
    }
    return null;
  }

  /** The largest record timestamp in the batch. */
  maxRecordTimestamp(batch: LogBatch): number {
    let max = this.maxTimestamps.get(batch.position);
    if (max === undefined) {
      max = batchRecords(this.buf, batch).reduce((m, r) => Math.max(m, r.timestamp), -1);
      this.maxTimestamps.set(batch.position, max);
    }
    return max;
  }
}

function companion(file: string, suffix: string): string {
  const name = path.basename(file);
  return path.join(path.dirname(path.resolve(file)), name.split('.')[0] + suffix);
}

function sanityCheck(index: OffsetIndex | TimeIndex, file: string, out: Emit, json: boolean): void {
  const problem = index.load();
  if (problem !== null) throw new SanityCheckError(problem);
  out(json ? JSON.stringify({ type: 'sanityCheck', file, passed: true }) : `${file} passed sanity check.`);
}

export function dumpIndex(
  file: string,
  baseOffset: number,
  opts: IndexDumpOptions,
  errors: DumpErrors,
  out: Emit,
): void {
  const log = new SegmentLog(companion(file, '.log'));
  const index = new OffsetIndex(file, baseOffset, fs.statSync(file).size, false);
  if (opts.indexSanityOnly) return sanityCheck(index, file, out, opts.json);
  const absolute = path.resolve(file);
  for (let i = 0; i < index.entries; i++) {
    const entry = index.entry(i);
    const firstOffset = log.firstRecordOffsetAt(entry.position) ?? -1;
    if (firstOffset !== entry.offset) errors.recordIndexMismatch(absolute, entry.offset, firstOffset);
    // a sparse file: after a crash there may be many zero entries; stop at the first one
    if (entry.offset === baseOffset && i > 0) return;
    if (!opts.verifyOnly) {
      out(
        opts.json
          ? JSON.stringify({ type: 'index', offset: entry.offset, position: entry.position })
          : `offset: ${entry.offset} position: ${entry.position}`,
      );
    }
  }
}

export function dumpTimeIndex(
  file: string,
  baseOffset: number,
  opts: IndexDumpOptions,
  errors: DumpErrors,
  out: Emit,
): void {
  const log = new SegmentLog(companion(file, '.log'));
  const indexFile = companion(file, '.index');
  // Kafka opens (and so creates) a missing offset index; an absent one is an empty one here.
  const index = fs.existsSync(indexFile)
    ? new OffsetIndex(indexFile, baseOffset, fs.statSync(indexFile).size, false)
    : null;
  const timeIndex = new TimeIndex(file, baseOffset, fs.statSync(file).size, false);
  if (opts.indexSanityOnly) return sanityCheck(timeIndex, file, out, opts.json);
  const absolute = path.resolve(file);
  let prevTimestamp = -1;
  for (let i = 0; i < timeIndex.entries; i++) {
    const entry = timeIndex.entry(i);
    const position = index === null ? 0 : index.lookup(entry.offset).position;
    const batch = log.findBatch(position, entry.offset);
    if (batch === null) {
      errors.recordShallowOffsetNotFound(absolute, entry.offset, -1);
    } else if (batch.lastOffset !== entry.offset) {
      errors.recordShallowOffsetNotFound(absolute, entry.offset, batch.lastOffset);
    } else {
      const maxTimestamp = log.maxRecordTimestamp(batch);
      if (maxTimestamp !== entry.timestamp)
        errors.recordMismatchTimeIndex(absolute, entry.timestamp, maxTimestamp);
      if (prevTimestamp >= entry.timestamp)
        errors.recordOutOfOrderIndexTimestamp(absolute, entry.timestamp, prevTimestamp);
      if (entry.offset === baseOffset && i > 0) return;
    }
    if (!opts.verifyOnly) {
      out(
        opts.json
          ? JSON.stringify({ type: 'timeindex', timestamp: entry.timestamp, offset: entry.offset })
          : `timestamp: ${entry.timestamp} offset: ${entry.offset}`,
      );
    }
    prevTimestamp = entry.timestamp;
  }
}
