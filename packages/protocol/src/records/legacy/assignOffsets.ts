import type { CompressionType } from '../compression';
import { crc32 } from '../crc';
import { decodeMessageSet } from './decode';
import { encodeMessageSet, type LegacyRecordInput } from './encode';
import {
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTES_FIELD,
  CRC_FIELD,
  ENTRY_OVERHEAD,
  MAGIC_FIELD,
  NO_TIMESTAMP,
  OFFSET_FIELD,
  SIZE_FIELD,
  TIMESTAMP_FIELD,
  writeInt64,
} from './format';
import { forEachLegacyRecord, type ScanOptions } from './iterate';
import type { MessageView } from './message';

export interface AssignOffsetsOptions extends ScanOptions {
  /** Stamp magic 1 messages LogAppendTime with this time (topics with message.timestamp.type=LogAppendTime). */
  readonly logAppendTimeMs?: number;
}

export interface AssignedMessageSet {
  /** The set with its new offsets: a view of the input when rewritten in place (trailing partial message trimmed), else a new buffer. */
  readonly records: Buffer;
  readonly inPlace: boolean;
  readonly magic: number;
  readonly codec: CompressionType;
  readonly count: number;
  /** baseOffset + count − 1 (baseOffset − 1 when there are no records). */
  readonly lastOffset: number;
  /** Largest timestamp (the log append time under LogAppendTime), -1 if none. */
  readonly maxTimestamp: number;
  /**
   * Shallow offset for the time index, as Kafka's LogValidator gives it: uncompressed, the offset of
   * the first record with the largest timestamp (the first offset under LogAppendTime; -1 when no
   * record has a timestamp); compressed, the wrapper's offset (= lastOffset), timestamps or not.
   */
  readonly shallowOffsetOfMaxTimestamp: number;
}

/**
 * Validates a Produce v0–2 message set and gives its records the offsets baseOffset.. (Kafka's
 * LogValidator for magic < 2):
 * - uncompressed: every entry's offset field is rewritten in place. The offset lies outside the
 *   CRC; only LogAppendTime (a new timestamp) costs a CRC per message.
 * - compressed magic 1, one wrapper whose inner offsets are 0..n-1 (what producers send): only the
 *   wrapper changes, in place: its offset becomes the last offset, and its timestamp becomes the
 *   largest inner timestamp (or the log append time) as Kafka sets it — that one rewrite, when the
 *   producer's wrapper timestamp differs (kafka-python sends 0), recomputes the wrapper's CRC.
 * - otherwise (magic 0 compressed, whose inner offsets are absolute; several wrappers; inner offsets
 *   not 0..n-1): decompress, and recompress as one wrapper with the same codec and the highest
 *   magic seen.
 */
export function assignMessageSetOffsets(
  buf: Buffer,
  baseOffset: number,
  options: AssignOffsetsOptions = {},
): AssignedMessageSet {
  const { logAppendTimeMs } = options;
  let count = 0;
  let maxTimestamp = NO_TIMESTAMP;
  let indexOfMaxTimestamp = -1;
  let innerOffsetsInOrder = true;
  let wrapper: MessageView | null = null;
  // Records are kept only from the first compressed wrapper on, in case the set must be rebuilt;
  // the uncompressed messages before it are decoded again from the input if it comes to that.
  let firstWrapperPosition = -1;
  const keptRecords: LegacyRecordInput[] = [];
  const summary = forEachLegacyRecord(buf, options, (r) => {
    if (r.timestamp > maxTimestamp) {
      maxTimestamp = r.timestamp;
      indexOfMaxTimestamp = count;
    }
    if (r.wrapper !== null) {
      if (firstWrapperPosition < 0) firstWrapperPosition = r.wrapper.position;
      wrapper = r.wrapper;
      if (r.message.offset !== count) innerOffsetsInOrder = false;
    }
    if (firstWrapperPosition >= 0) {
      keptRecords.push({ timestamp: r.timestamp, key: r.message.key(), value: r.message.value() });
    }
    count++;
  });
  const magic = summary.magicsSeen === 0 ? -1 : summary.magicsSeen & 2 ? 1 : 0;
  const lastOffset = baseOffset + count - 1;
  const stampLogAppendTime = logAppendTimeMs !== undefined && (summary.magicsSeen & 2) !== 0;
  const common = { magic, codec: summary.codec as CompressionType, count, lastOffset };

  if (summary.codec === 0) {
    const records = buf.subarray(0, summary.validBytes);
    rewriteUncompressed(records, baseOffset, stampLogAppendTime ? logAppendTimeMs : undefined);
    return {
      ...common,
      records,
      inPlace: true,
      maxTimestamp: stampLogAppendTime ? logAppendTimeMs : maxTimestamp,
      shallowOffsetOfMaxTimestamp: stampLogAppendTime
        ? baseOffset
        : indexOfMaxTimestamp < 0
          ? -1
          : baseOffset + indexOfMaxTimestamp,
    };
  }

  const finalMaxTimestamp = stampLogAppendTime ? logAppendTimeMs : maxTimestamp;
  const single = wrapper as MessageView | null;
  if (summary.shallowCount === 1 && magic === 1 && innerOffsetsInOrder && single !== null) {
    const records = buf.subarray(0, summary.validBytes);
    rewriteWrapper(records, single, lastOffset, finalMaxTimestamp, stampLogAppendTime);
    return {
      ...common,
      records,
      inPlace: true,
      maxTimestamp: finalMaxTimestamp,
      shallowOffsetOfMaxTimestamp: lastOffset,
    };
  }

  const leading = decodeMessageSet(buf.subarray(0, firstWrapperPosition)).map((r): LegacyRecordInput => ({
    timestamp: r.timestamp,
    key: r.key,
    value: r.value,
  }));
  const records = encodeMessageSet(leading.length === 0 ? keptRecords : leading.concat(keptRecords), {
    magic: magic as 0 | 1,
    codec: summary.codec,
    baseOffset,
    logAppendTimeMs: stampLogAppendTime ? logAppendTimeMs : undefined,
  });
  return {
    ...common,
    records,
    inPlace: false,
    maxTimestamp: finalMaxTimestamp,
    shallowOffsetOfMaxTimestamp: lastOffset,
  };
}

/** Offsets baseOffset.. into every entry; under LogAppendTime also the timestamp, attribute and CRC (magic 1). */
function rewriteUncompressed(records: Buffer, baseOffset: number, logAppendTimeMs: number | undefined): void {
  for (let pos = 0, offset = baseOffset; pos < records.length; offset++) {
    const end = pos + ENTRY_OVERHEAD + records.readInt32BE(pos + SIZE_FIELD);
    writeInt64(records, pos + OFFSET_FIELD, offset);
    if (logAppendTimeMs !== undefined && records[pos + MAGIC_FIELD] === 1) {
      stampTimestamp(records, pos, end, logAppendTimeMs, true);
    }
    pos = end;
  }
}

/** A compressed magic 1 wrapper keeps its value: new offset, and the timestamp Kafka gives it. */
function rewriteWrapper(
  records: Buffer,
  wrapper: MessageView,
  lastOffset: number,
  maxTimestamp: number,
  logAppendTime: boolean,
): void {
  writeInt64(records, wrapper.position + OFFSET_FIELD, lastOffset);
  const attributes = logAppendTime
    ? wrapper.attributes | ATTRIBUTE_LOG_APPEND_TIME
    : wrapper.attributes & ~ATTRIBUTE_LOG_APPEND_TIME;
  if (attributes !== wrapper.attributes || maxTimestamp !== wrapper.timestamp) {
    stampTimestamp(records, wrapper.position, wrapper.end, maxTimestamp, logAppendTime);
  }
}

function stampTimestamp(
  records: Buffer,
  pos: number,
  end: number,
  timestamp: number,
  logAppendTime: boolean,
): void {
  const attributes = records[pos + ATTRIBUTES_FIELD];
  records[pos + ATTRIBUTES_FIELD] = logAppendTime
    ? attributes | ATTRIBUTE_LOG_APPEND_TIME
    : attributes & ~ATTRIBUTE_LOG_APPEND_TIME;
  writeInt64(records, pos + TIMESTAMP_FIELD, timestamp);
  records.writeUInt32BE(crc32(records, pos + MAGIC_FIELD, end), pos + CRC_FIELD);
}
