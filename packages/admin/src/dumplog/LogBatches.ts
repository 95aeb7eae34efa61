import {
  Attribute,
  compressionTypeName,
  crc32,
  crc32c,
  decodeBatch,
  forEachLegacyRecord,
  readBatchHeader,
  RECORD_BATCH_OVERHEAD,
  type BatchHeader,
} from '@samsa/protocol';

/**
 * A segment file's batches as Kafka's FileRecords.batches() walks them (FileLogInputStream): each
 * entry starts with offset int64 and size int32; a size below the smallest legacy message is
 * corruption; an entry running past the end stops the walk (what remains is "invalid bytes").
 * Magic 2 batches are read with @samsa/protocol's readBatchHeader/decodeBatch, magic 0/1 message
 * sets with its forEachLegacyRecord.
 */

const LOG_OVERHEAD = 12;
/** offset + size + crc + magic: bytes needed to know the magic (Kafka HEADER_SIZE_UP_TO_MAGIC). */
const HEADER_SIZE_UP_TO_MAGIC = 17;
/** Kafka's LegacyRecord.RECORD_OVERHEAD_V0: the smallest size field of any entry. */
const MIN_ENTRY_SIZE = 14;
/** Field positions of a legacy (magic 0/1) entry, from its first byte (see protocol records/legacy/format.ts). */
const LEGACY = { OFFSET: 0, CRC: 12, MAGIC: 16, ATTRIBUTES: 17, TIMESTAMP: 18 } as const;
const TWO_32 = 4294967296;

export class CorruptLogError extends Error {
  override readonly name = 'CorruptLogError';
}

/** One shallow entry: a v2 batch, or a legacy message (a compressed wrapper counts as one). */
export interface LogBatch {
  readonly position: number;
  /** Whole size, the 12-byte log overhead included. */
  readonly size: number;
  readonly magic: number;
  /** The v2 header; null for magic 0/1. */
  readonly header: BatchHeader | null;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  /** Kafka's TimestampType names: CreateTime, LogAppendTime, NoTimestampType (magic 0). */
  readonly timestampType: string;
  readonly isValid: boolean;
  readonly compression: number;
  readonly checksum: number;
}

export interface LogRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: string;
  readonly isValid: boolean;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly magic: number;
  readonly compression: number;
  /** Magic 2: the record's sequence (-1 without idempotence) and header keys. */
  readonly sequence: number;
  readonly headerKeys: readonly string[];
  /** Magic 0/1: the record's own CRC. */
  readonly checksum: number;
}

export interface LogScan {
  readonly batches: LogBatch[];
  /** Bytes of whole entries; the rest of the file is a partial entry. */
  readonly validBytes: number;
}

function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap at Int.MaxValue to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > 2147483647 - increment) return increment - (2147483647 - sequence) - 1;
  return sequence + increment;
}

function timestampTypeName(magic: number, attributes: number): string {
  if (magic === 0) return 'NoTimestampType';
  return attributes & Attribute.TIMESTAMP_TYPE ? 'LogAppendTime' : 'CreateTime';
}

/** Walks every whole entry of a segment file's bytes. Throws CorruptLogError as Kafka would. */
export function scanLog(buf: Buffer, fileName: string): LogScan {
  const batches: LogBatch[] = [];
  let pos = 0;
  while (pos + HEADER_SIZE_UP_TO_MAGIC < buf.length) {
    const sizeField = buf.readInt32BE(pos + 8);
    if (sizeField < MIN_ENTRY_SIZE) {
      throw new CorruptLogError(
        `Found record size ${sizeField} smaller than minimum record overhead (${MIN_ENTRY_SIZE}) in file ${fileName}.`,
      );
    }
    const size = LOG_OVERHEAD + sizeField;
    if (pos + size > buf.length) break;
    const magic = buf.readInt8(pos + LEGACY.MAGIC);
    batches.push(magic >= 2 ? v2Batch(buf, pos, size, fileName) : legacyBatch(buf, pos, size, magic));
    pos += size;
  }
  return { batches, validBytes: pos };
}

function v2Batch(buf: Buffer, pos: number, size: number, fileName: string): LogBatch {
  if (size < RECORD_BATCH_OVERHEAD)
    throw new CorruptLogError(`Record batch at position ${pos} of ${fileName} is only ${size} bytes`);
  const header = readBatchHeader(buf, pos);
  return {
    position: pos,
    size,
    magic: header.magic,
    header,
    lastOffset: header.baseOffset + header.lastOffsetDelta,
    maxTimestamp: header.maxTimestamp,
    timestampType: timestampTypeName(header.magic, header.attributes),
    isValid: crc32c(buf, pos + 21, pos + size) === header.crc,
    compression: header.attributes & Attribute.COMPRESSION_MASK,
    checksum: header.crc,
  };
}

function legacyBatch(buf: Buffer, pos: number, size: number, magic: number): LogBatch {
  const attributes = buf[pos + LEGACY.ATTRIBUTES];
  const checksum = buf.readUInt32BE(pos + LEGACY.CRC);
  return {
    position: pos,
    size,
    magic,
    header: null,
    lastOffset: readInt64(buf, pos + LEGACY.OFFSET),
    maxTimestamp: magic === 0 || size < LEGACY.TIMESTAMP + 8 ? -1 : readInt64(buf, pos + LEGACY.TIMESTAMP),
    timestampType: timestampTypeName(magic, attributes),
    isValid: crc32(buf, pos + LEGACY.MAGIC, pos + size) === checksum,
    compression: attributes & Attribute.COMPRESSION_MASK,
    checksum,
  };
}

/** The batch's v2 header fields Kafka prints: last sequence, count, flags. */
export function lastSequenceOf(h: BatchHeader): number {
  return h.baseSequence === -1 ? -1 : incrementSequence(h.baseSequence, h.lastOffsetDelta);
}

export const isTransactionalBatch = (b: LogBatch): boolean =>
  b.header !== null && (b.header.attributes & Attribute.TRANSACTIONAL) !== 0;
export const isControlBatch = (b: LogBatch): boolean =>
  b.header !== null && (b.header.attributes & Attribute.CONTROL) !== 0;

/** Deep iteration of one batch: its records (decompressed as needed). Throws on corruption. */
export function batchRecords(buf: Buffer, batch: LogBatch): LogRecord[] {
  if (batch.header !== null) {
    const h = batch.header;
    const { records } = decodeBatch(buf, batch.position, { verifyCrc: false });
    return records.map((r) => ({
      offset: r.offset,
      timestamp: r.timestamp,
      timestampType: batch.timestampType,
      isValid: true, // v2 records carry no checksum of their own; the batch's covers them
      key: r.key,
      value: r.value,
      magic: batch.magic,
      compression: batch.compression,
      sequence: h.baseSequence === -1 ? -1 : incrementSequence(h.baseSequence, r.offset - h.baseOffset),
      headerKeys: r.headers.map((x) => x.key),
      checksum: 0,
    }));
  }
  const out: LogRecord[] = [];
  const entry = buf.subarray(batch.position, batch.position + batch.size);
  forEachLegacyRecord(entry, {}, (c) => {
    out.push({
      offset: c.offset,
      timestamp: c.timestamp,
      timestampType: timestampTypeName(c.message.magic, c.timestampType === 1 ? Attribute.TIMESTAMP_TYPE : 0),
      isValid: true, // forEachLegacyRecord has checked every CRC
      key: c.message.key(),
      value: c.message.value(),
      magic: c.message.magic,
      compression: c.codec,
      sequence: -1,
      headerKeys: [],
      checksum: c.message.buf.readUInt32BE(c.message.position + LEGACY.CRC),
    });
  });
  return out;
}

/**
 * What a control record says (Kafka ControlRecordType / EndTransactionMarker): its key is version
 * int16 + type int16 (0 ABORT, 1 COMMIT); a marker's value is version int16 + coordinator epoch.
 */
export function describeControlRecord(record: LogRecord): string {
  const key = record.key;
  if (key === null || key.length < 4)
    throw new CorruptLogError(
      `Invalid value size found for end control record key. Must have at least 4 bytes, but found only ${key?.length ?? 0}`,
    );
  const version = key.readInt16BE(0);
  if (version < 0) throw new CorruptLogError(`Invalid version found for control record: ${version}`);
  const typeId = key.readInt16BE(2);
  if (typeId === 0 || typeId === 1) {
    const value = record.value;
    if (value === null || value.length < 6)
      throw new CorruptLogError(`Invalid end transaction marker value at offset ${record.offset}`);
    return ` endTxnMarker: ${typeId === 0 ? 'ABORT' : 'COMMIT'} coordinatorEpoch: ${value.readInt32BE(2)}`;
  }
  return ` controlType: UNKNOWN(${typeId})`;
}

export const codecName = compressionTypeName;
