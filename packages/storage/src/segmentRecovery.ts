import { BatchField, CURRENT_MAGIC, crc32c } from '@samsa/protocol';
import type { BatchCursor } from './BatchCursor';
import type { LogSegment } from './LogSegment';
import { NO_TIMESTAMP } from './TimeIndex';

/**
 * The per-batch work of segment recovery (Kafka's LogSegment.recover): what makes a stored batch
 * valid, and how both indexes are rebuilt from a walk over the batches.
 */

/** Builds both indexes from a sequence of batches, as LogSegment.recover does in Kafka. */
export class IndexBuilder {
  validBytes = 0;
  lastOffset: number;
  private lastIndexEntry = 0;
  private maxTimestamp = NO_TIMESTAMP;
  private offsetOfMaxTimestamp: number;

  constructor(private readonly segment: LogSegment) {
    this.lastOffset = segment.baseOffset - 1;
    this.offsetOfMaxTimestamp = segment.baseOffset;
  }

  add(cursor: BatchCursor): void {
    const last = cursor.lastOffset();
    const ts = cursor.maxTimestamp();
    if (ts > this.maxTimestamp) {
      this.maxTimestamp = ts;
      this.offsetOfMaxTimestamp = last;
    }
    if (this.validBytes - this.lastIndexEntry > this.segment.indexIntervalBytes) {
      this.segment.offsetIndex.append(last, this.validBytes);
      this.segment.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.lastIndexEntry = this.validBytes;
    }
    this.validBytes += cursor.size;
    this.lastOffset = last;
  }

  finish(): void {
    const s = this.segment;
    s.setMaxTimestamp(this.maxTimestamp, this.offsetOfMaxTimestamp);
    s.offsetIndex.trimToValidSize();
    // A segment closed normally always ends its time index with its largest timestamp; so does this.
    s.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true);
    s.timeIndex.trimToValidSize();
  }
}

/** Why the batch under the cursor is not valid in this segment, or null. */
export function checkBatch(
  cursor: BatchCursor,
  segmentBase: number,
  prevLastOffset: number,
  segment: LogSegment,
): string | null {
  const magic = cursor.magic();
  if (magic !== CURRENT_MAGIC) return `batch at position ${cursor.position} has magic ${magic}`;
  const at = cursor.offset;
  const stored = cursor.buf.readUInt32BE(at + BatchField.CRC);
  const computed = crc32c(cursor.buf, at + BatchField.ATTRIBUTES, at + cursor.size);
  if (stored !== computed)
    return `batch at position ${cursor.position} fails its CRC (stored ${stored}, computed ${computed})`;
  const base = cursor.baseOffset();
  const delta = cursor.buf.readInt32BE(at + BatchField.LAST_OFFSET_DELTA);
  if (delta < 0) return `batch at position ${cursor.position} has last offset delta ${delta}`;
  if (base < segmentBase || base <= prevLastOffset) {
    return `batch at position ${cursor.position} has base offset ${base} after offset ${prevLastOffset} in segment ${segmentBase}`;
  }
  if (!segment.canConvertToRelativeOffset(base + delta))
    return `batch at position ${cursor.position} overflows the segment's offsets`;
  return null;
}
