import type { CompressionType } from '../compression';
import type { LegacyTimestampType } from './format';
import { forEachLegacyRecord, type ScanOptions } from './iterate';

/** One record of a legacy message set, offsets absolute. */
export interface LegacyRecord {
  readonly offset: number;
  /** -1 for magic 0 (and for magic 1 messages sent without a timestamp). */
  readonly timestamp: number;
  readonly timestampType: LegacyTimestampType;
  /** Views into the input, or into the decompressed inner set: copy them to keep them past the buffer. */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly magic: 0 | 1;
  /** Codec of the wrapper the record came in; NONE if it was not compressed. */
  readonly codec: CompressionType;
}

/**
 * Every record of a message set, through compressed wrappers. A trailing partial message (a fetch
 * cut at max bytes) is dropped silently; a bad CRC, magic or length is CORRUPT_MESSAGE. For the
 * fetch down-conversion path and tests: it builds one object per record.
 */
export function decodeMessageSet(buf: Buffer, options: ScanOptions = {}): LegacyRecord[] {
  const records: LegacyRecord[] = [];
  forEachLegacyRecord(buf, options, (r) => {
    records.push({
      offset: r.offset,
      timestamp: r.timestamp,
      timestampType: r.timestampType,
      key: r.message.key(),
      value: r.message.value(),
      magic: r.message.magic as 0 | 1,
      codec: r.codec,
    });
  });
  return records;
}
