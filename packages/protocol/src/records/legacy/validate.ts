import type { CompressionType } from '../compression';
import { NO_TIMESTAMP } from './format';
import { forEachLegacyRecord, type ScanOptions } from './iterate';

/** What a broker needs to accept a Produce v0–2 message set. */
export interface MessageSetInfo {
  /** Highest magic among the messages; -1 if there are none. */
  readonly magic: number;
  /** Codec of the last compressed wrapper (Kafka's source codec); NONE if nothing is compressed. */
  readonly codec: CompressionType;
  /** Records, counted through compressed wrappers. */
  readonly count: number;
  /** Outer messages: uncompressed records plus compressed wrappers. */
  readonly shallowCount: number;
  /** Offsets as sent (absolute); -1 if there are no records. Producers send 0..n-1 or zeros. */
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** Largest record timestamp, and the (as sent) offset of the first record that has it; -1 if none. */
  readonly maxTimestamp: number;
  readonly offsetOfMaxTimestamp: number;
  /** Bytes of whole messages. Anything after is a trailing partial message, which Kafka trims. */
  readonly validBytes: number;
}

/**
 * Checks every message (size, magic, CRC, key/value lengths; compressed wrappers are decompressed
 * and their inner messages checked the same way) and sums up the set. Throws CORRUPT_MESSAGE, or
 * MESSAGE_TOO_LARGE past `maxOutputBytes` of decompressed data per wrapper.
 */
export function validateMessageSet(buf: Buffer, options: ScanOptions = {}): MessageSetInfo {
  let count = 0;
  let firstOffset = -1;
  let lastOffset = -1;
  let maxTimestamp = NO_TIMESTAMP;
  let offsetOfMaxTimestamp = -1;
  const summary = forEachLegacyRecord(buf, options, (r) => {
    if (count === 0) firstOffset = r.offset;
    lastOffset = r.offset;
    count++;
    if (r.timestamp > maxTimestamp) {
      maxTimestamp = r.timestamp;
      offsetOfMaxTimestamp = r.offset;
    }
  });
  return {
    magic: summary.magicsSeen === 0 ? -1 : summary.magicsSeen & 2 ? 1 : 0,
    codec: summary.codec,
    count,
    shallowCount: summary.shallowCount,
    firstOffset,
    lastOffset,
    maxTimestamp,
    offsetOfMaxTimestamp,
    validBytes: summary.validBytes,
  };
}
