import { ErrorCode, KafkaError } from '../errors';
import { crc32c } from './crc';

/**
 * Record batch v2 (magic 2), read and patched where it lies. The produce path never decodes
 * records: it checks each batch's header and CRC32C, then writes the base offset and partition
 * leader epoch in place — both lie before the CRC'd range, so no checksum is recomputed.
 *
 * Layout (offsets in bytes): baseOffset int64 @0, batchLength int32 @8 (bytes after this field),
 * partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17 (CRC-32C of bytes @21..end),
 * attributes int16 @21, lastOffsetDelta int32 @23, baseTimestamp int64 @27, maxTimestamp int64 @35,
 * producerId int64 @43, producerEpoch int16 @51, baseSequence int32 @53, recordsCount int32 @57,
 * records @61.
 */
export const BatchField = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
  RECORDS: 61,
} as const;

/** Bytes before batchLength counts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
export const RECORD_BATCH_OVERHEAD = 61;
export const CURRENT_MAGIC = 2;

/** Kafka's RecordBatch constants: a batch (or request) with no producer, epoch or sequence. */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
/** Short.MaxValue: the producer epoch is an int16 and is never bumped to it. */
export const MAX_PRODUCER_EPOCH = 32767;

export const Attribute = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
} as const;

export const enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

const TWO_32 = 4294967296;

function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

function writeInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * TWO_32, pos + 4);
}

export interface BatchHeader {
  readonly position: number;
  readonly baseOffset: number;
  readonly batchLength: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordsCount: number;
}

/** Whole size of the batch at `pos` (header included). */
export function batchSize(buf: Buffer, pos: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
}

export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  if (buf.length - pos < RECORD_BATCH_OVERHEAD) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch header truncated at ${pos}`);
  }
  return {
    position: pos,
    baseOffset: readInt64(buf, pos),
    batchLength: buf.readInt32BE(pos + 8),
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    magic: buf.readInt8(pos + 16),
    crc: buf.readUInt32BE(pos + 17),
    attributes: buf.readInt16BE(pos + 21),
    lastOffsetDelta: buf.readInt32BE(pos + 23),
    baseTimestamp: readInt64(buf, pos + 27),
    maxTimestamp: readInt64(buf, pos + 35),
    producerId: readInt64(buf, pos + 43),
    producerEpoch: buf.readInt16BE(pos + 51),
    baseSequence: buf.readInt32BE(pos + 53),
    recordsCount: buf.readInt32BE(pos + 57),
  };
}

export const compressionOf = (attributes: number): number => attributes & Attribute.COMPRESSION_MASK;
export const timestampTypeOf = (attributes: number): TimestampType =>
  attributes & Attribute.TIMESTAMP_TYPE ? TimestampType.LogAppendTime : TimestampType.CreateTime;
export const isTransactional = (attributes: number): boolean => (attributes & Attribute.TRANSACTIONAL) !== 0;
export const isControl = (attributes: number): boolean => (attributes & Attribute.CONTROL) !== 0;

/**
 * True when any whole record batch (magic 2) in `buf` has the TRANSACTIONAL attribute: what Kafka's
 * RequestUtils.hasTransactionalRecords asks of a Produce request before it checks the transactional
 * id. Legacy message sets and a trailing partial batch are skipped (validation refuses them later).
 */
export function hasTransactionalBatch(buf: Buffer | null): boolean {
  if (buf === null) return false;
  let found = false;
  forEachBatch(buf, (pos, size) => {
    if (size < RECORD_BATCH_OVERHEAD || magicAt(buf, pos) !== CURRENT_MAGIC) return true;
    found = isTransactional(buf.readInt16BE(pos + BatchField.ATTRIBUTES));
    return !found;
  });
  return found;
}

export function lastOffsetOf(h: BatchHeader): number {
  return h.baseOffset + h.lastOffsetDelta;
}

/** The magic byte of the batch or message at `pos` (the same offset, 16, in every format). */
export function magicAt(buf: Buffer, pos: number): number {
  return buf.readInt8(pos + BatchField.MAGIC);
}

export interface ValidationSummary {
  /** Number of batches. */
  readonly batches: number;
  /** Records over all batches. */
  readonly records: number;
  readonly maxTimestamp: number;
  /** Position of the batch carrying maxTimestamp's first offset delta (for the time index). */
  readonly shallowOffsetOfMaxTimestamp: number;
  /** Compression codec of the last batch (all batches of one produce share it in practice). */
  readonly compression: number;
}

export interface ValidateOptions {
  /** Refuse any batch larger than this (max.message.bytes) with MESSAGE_TOO_LARGE. */
  readonly maxBatchBytes?: number;
  /** Require lastOffsetDelta = recordsCount − 1 and recordsCount > 0, as for producer batches. */
  readonly fromClient?: boolean;
}

/**
 * Checks every batch in `buf`: complete, magic 2, lengths consistent, CRC32C right, within size.
 * Throws KafkaError with the code Kafka answers: CORRUPT_MESSAGE (truncated, bad CRC, bad length),
 * INVALID_RECORD (counts inconsistent), MESSAGE_TOO_LARGE (over maxBatchBytes).
 * Nothing is decompressed and no record is decoded.
 */
export function validateBatches(buf: Buffer, opts: ValidateOptions = {}): ValidationSummary {
  let pos = 0;
  let batches = 0;
  let records = 0;
  let maxTimestamp = -1;
  let shallowOffsetOfMaxTimestamp = -1;
  let compression = 0;
  const max = opts.maxBatchBytes ?? Infinity;
  if (buf.length === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
  while (pos < buf.length) {
    const left = buf.length - pos;
    if (left < RECORD_BATCH_OVERHEAD) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at ${pos} truncated: ${left} bytes left`);
    }
    const batchLength = buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
    const size = LOG_OVERHEAD + batchLength;
    if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at ${pos} has invalid length ${batchLength}`);
    }
    if (size > left) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at ${pos} claims ${size} bytes, ${left} present`);
    }
    if (size > max) {
      throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `record batch of ${size} bytes exceeds the maximum of ${max}`);
    }
    const magic = buf.readInt8(pos + BatchField.MAGIC);
    if (magic !== CURRENT_MAGIC) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at ${pos} has magic ${magic}, expected 2`);
    }
    const stored = buf.readUInt32BE(pos + BatchField.CRC);
    const computed = crc32c(buf, pos + BatchField.ATTRIBUTES, pos + size);
    if (stored !== computed) {
      throw new KafkaError(
        ErrorCode.CORRUPT_MESSAGE,
        `record batch at ${pos} fails its CRC: stored ${stored}, computed ${computed}`,
      );
    }
    const count = buf.readInt32BE(pos + BatchField.RECORDS_COUNT);
    const lastOffsetDelta = buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA);
    if (count < 0 || lastOffsetDelta < 0) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at ${pos} has negative counts`);
    }
    if (opts.fromClient && (count === 0 || lastOffsetDelta !== count - 1)) {
      throw new KafkaError(
        ErrorCode.INVALID_RECORD,
        `record batch at ${pos} has ${count} records but last offset delta ${lastOffsetDelta}`,
      );
    }
    const attributes = buf.readInt16BE(pos + BatchField.ATTRIBUTES);
    const ts = readInt64(buf, pos + BatchField.MAX_TIMESTAMP);
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      shallowOffsetOfMaxTimestamp = lastOffsetDelta;
    }
    compression = attributes & Attribute.COMPRESSION_MASK;
    records += count;
    batches++;
    pos += size;
  }
  return { batches, records, maxTimestamp, shallowOffsetOfMaxTimestamp, compression };
}

/**
 * Assigns offsets and the leader epoch to every batch in `buf`, in place, starting at `baseOffset`.
 * Returns the offset after the last record. Requires batches already validated.
 */
export function assignOffsets(buf: Buffer, baseOffset: number, partitionLeaderEpoch: number): number {
  let pos = 0;
  let next = baseOffset;
  while (pos < buf.length) {
    writeInt64(buf, pos + BatchField.BASE_OFFSET, next);
    buf.writeInt32BE(partitionLeaderEpoch, pos + BatchField.PARTITION_LEADER_EPOCH);
    next += buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA) + 1;
    pos += LOG_OVERHEAD + buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
  }
  return next;
}

/**
 * Stamps LogAppendTime on every batch (topic message.timestamp.type=LogAppendTime): sets the
 * timestamp-type bit and maxTimestamp, as Kafka does, then recomputes the CRC since both lie inside
 * the checksummed range. Record timestamp deltas are left alone; readers use maxTimestamp.
 */
export function setLogAppendTime(buf: Buffer, timestampMs: number): void {
  let pos = 0;
  while (pos < buf.length) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
    const attributes = buf.readInt16BE(pos + BatchField.ATTRIBUTES);
    buf.writeInt16BE(attributes | Attribute.TIMESTAMP_TYPE, pos + BatchField.ATTRIBUTES);
    writeInt64(buf, pos + BatchField.MAX_TIMESTAMP, timestampMs);
    buf.writeUInt32BE(crc32c(buf, pos + BatchField.ATTRIBUTES, pos + size), pos + BatchField.CRC);
    pos += size;
  }
}

/**
 * Walks whole batches from `start`, stopping at a trailing partial one (as a fetch cut by max bytes
 * leaves it). Calls `visit` with each batch's position and size; returns the end of the last whole
 * batch. Does not check CRCs.
 */
export function forEachBatch(
  buf: Buffer,
  visit: (position: number, size: number) => boolean | void,
  start = 0,
): number {
  let pos = start;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const batchLength = buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
    if (batchLength < 0) break;
    const size = LOG_OVERHEAD + batchLength;
    if (size > buf.length - pos) break;
    if (visit(pos, size) === false) return pos + size;
    pos += size;
  }
  return pos;
}
