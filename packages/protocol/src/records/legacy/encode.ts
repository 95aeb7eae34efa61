import { compress, compressLz4, CompressionType } from '../compression';
import { crc32 } from '../crc';
import {
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTES_FIELD,
  CRC_FIELD,
  ENTRY_OVERHEAD,
  keyLengthField,
  MAGIC_FIELD,
  messageOverhead,
  NO_TIMESTAMP,
  OFFSET_FIELD,
  SIZE_FIELD,
  TIMESTAMP_FIELD,
  writeInt64,
} from './format';

export interface LegacyRecordInput {
  /** Absolute offset; without one, `baseOffset` + the record's index. */
  readonly offset?: number;
  /** Magic 1 only; -1 (no timestamp) if absent. */
  readonly timestamp?: number;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
}

export interface EncodeMessageSetOptions {
  readonly magic: 0 | 1;
  readonly codec?: CompressionType;
  /** Offset of records given without one is baseOffset + index. Default 0. */
  readonly baseOffset?: number;
  /** Magic 1: stamp every record LogAppendTime with this time, as a broker does for such topics. */
  readonly logAppendTimeMs?: number;
}

/**
 * Writes records as a magic 0 or 1 message set (Fetch v0–3 down-conversion; tests). With a codec,
 * the records become one wrapper message, written as Kafka's MemoryRecordsBuilder does:
 * - magic 1: inner offsets relative to the first record; the wrapper carries the last record's
 *   absolute offset and the largest timestamp (or the log append time);
 * - magic 0: inner offsets absolute, wrapper offset = the last one; LZ4 with the old header
 *   checksum (what 0.8/0.9 consumers verify).
 * No records gives an empty buffer.
 */
export function encodeMessageSet(
  records: readonly LegacyRecordInput[],
  options: EncodeMessageSetOptions,
): Buffer {
  const { magic } = options;
  if (magic !== 0 && magic !== 1) throw new RangeError(`magic must be 0 or 1, got ${magic}`);
  const codec = options.codec ?? CompressionType.None;
  const baseOffset = options.baseOffset ?? 0;
  const logAppendTimeMs = magic === 1 ? options.logAppendTimeMs : undefined;
  if (codec === CompressionType.None || records.length === 0) {
    return writeMessages(records, magic, baseOffset, 0, logAppendTimeMs);
  }

  const firstOffset = records[0].offset ?? baseOffset;
  const lastOffset = records[records.length - 1].offset ?? baseOffset + records.length - 1;
  const inner = writeMessages(records, magic, baseOffset, magic === 1 ? firstOffset : 0, logAppendTimeMs);
  const value =
    magic === 0 && codec === CompressionType.Lz4
      ? compressLz4(inner, { legacyHeaderChecksum: true })
      : compress(codec, inner);
  let wrapperTimestamp = NO_TIMESTAMP;
  if (logAppendTimeMs !== undefined) {
    wrapperTimestamp = logAppendTimeMs;
  } else if (magic === 1) {
    for (const r of records) wrapperTimestamp = Math.max(wrapperTimestamp, r.timestamp ?? NO_TIMESTAMP);
  }
  const attributes = codec | (logAppendTimeMs !== undefined ? ATTRIBUTE_LOG_APPEND_TIME : 0);
  const out = Buffer.allocUnsafe(entrySize(magic, null, value));
  writeMessage(out, 0, lastOffset, magic, attributes, wrapperTimestamp, null, value);
  return out;
}

/** Bytes of one entry: offset, size, and the message. */
export function entrySize(magic: number, key: Buffer | null | undefined, value: Buffer | null): number {
  return ENTRY_OVERHEAD + messageOverhead(magic) + (key?.length ?? 0) + (value?.length ?? 0);
}

/**
 * Writes one entry at `pos` (the buffer must have room) and its CRC; returns the position after it.
 */
export function writeMessage(
  buf: Buffer,
  pos: number,
  offset: number,
  magic: number,
  attributes: number,
  timestamp: number,
  key: Buffer | null | undefined,
  value: Buffer | null,
): number {
  const size = entrySize(magic, key, value);
  writeInt64(buf, pos + OFFSET_FIELD, offset);
  buf.writeInt32BE(size - ENTRY_OVERHEAD, pos + SIZE_FIELD);
  buf.writeInt8(magic, pos + MAGIC_FIELD);
  buf.writeInt8(attributes, pos + ATTRIBUTES_FIELD);
  if (magic === 1) writeInt64(buf, pos + TIMESTAMP_FIELD, timestamp);
  let p = pos + keyLengthField(magic);
  p = writeBytes(buf, p, key ?? null);
  p = writeBytes(buf, p, value);
  buf.writeUInt32BE(crc32(buf, pos + MAGIC_FIELD, p), pos + CRC_FIELD);
  return p;
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buf.writeInt32BE(-1, pos);
    return pos + 4;
  }
  buf.writeInt32BE(bytes.length, pos);
  return pos + 4 + bytes.copy(buf, pos + 4);
}

/** Uncompressed entries; offsets written relative to `offsetBase` (0 for absolute). */
function writeMessages(
  records: readonly LegacyRecordInput[],
  magic: number,
  baseOffset: number,
  offsetBase: number,
  logAppendTimeMs: number | undefined,
): Buffer {
  let size = 0;
  for (const r of records) size += entrySize(magic, r.key, r.value);
  const out = Buffer.allocUnsafe(size);
  const attributes = logAppendTimeMs !== undefined ? ATTRIBUTE_LOG_APPEND_TIME : 0;
  let pos = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const offset = (r.offset ?? baseOffset + i) - offsetBase;
    const timestamp = logAppendTimeMs ?? r.timestamp ?? NO_TIMESTAMP;
    pos = writeMessage(out, pos, offset, magic, attributes, timestamp, r.key, r.value);
  }
  return out;
}
