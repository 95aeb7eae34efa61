import { ErrorCode, KafkaError } from '../errors';

/**
 * The framing of the records inside a v2 batch, walked where the bytes lie (Kafka's
 * DefaultRecord.readFrom without building a record). A record is
 *
 *   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint (-1 null) | key | valueLength varint (-1 null) | value |
 *   headerCount varint | { headerKeyLength varint | headerKey | headerValueLength varint | value }*
 *
 * and `length` counts every byte after itself. The leader walks every record of every produced
 * batch with this (LogValidator), so it allocates nothing: one `RecordFrame` is reused for every
 * record, and varints are read with plain arithmetic. Anything that does not frame is Kafka's
 * InvalidRecordException: INVALID_RECORD.
 */

/** The record being visited: positions and decoded fields of one record, reused for the next. */
export class RecordFrame {
  /** Index of the record in its batch (Kafka's batch_index in Produce record_errors). */
  index = 0;
  /** First byte of the record's length field, and the position after the record. */
  position = 0;
  end = 0;
  attributes = 0;
  timestampDelta = 0;
  offsetDelta = 0;
  keyStart = 0;
  /** -1 for a null key. */
  keyLength = -1;
  valueStart = 0;
  /** -1 for a null value. */
  valueLength = -1;
  headerCount = 0;
}

function invalidRecord(detail: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_RECORD, detail);
}

/** Position after the last varint read (the varint readers' second result, to allocate nothing). */
let next = 0;

/**
 * Zigzag varint at `pos`, 32-bit, as Kafka's ByteUtils.readVarint; bounded by `end`. Sets `next`.
 * One-byte values (most lengths and deltas of small records) take the first branch.
 */
function varintAt(buf: Buffer, pos: number, end: number): number {
  if (pos < end) {
    const b = buf[pos];
    if (b < 0x80) {
      next = pos + 1;
      return (b >>> 1) ^ -(b & 1);
    }
  }
  let raw = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end) throw invalidRecord('Found invalid record structure: truncated varint');
    const b = buf[pos++];
    raw |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw invalidRecord('Found invalid record structure: varint longer than 5 bytes');
  }
  next = pos;
  return (raw >>> 1) ^ -(raw & 1);
}

/** Zigzag varlong at `pos` as a number (exact below 2^53: timestamps and deltas). Sets `next`. */
function varlongAt(buf: Buffer, pos: number, end: number): number {
  if (pos < end) {
    const b = buf[pos];
    if (b < 0x80) {
      next = pos + 1;
      return (b >>> 1) ^ -(b & 1);
    }
  }
  let raw = 0;
  let scale = 1;
  for (let i = 0; ; i++) {
    if (pos >= end) throw invalidRecord('Found invalid record structure: truncated varlong');
    if (i === 10) throw invalidRecord('Found invalid record structure: varlong longer than 10 bytes');
    const b = buf[pos++];
    raw += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) break;
    scale *= 128;
  }
  next = pos;
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
}

/**
 * A varint's (or, with `long`, a varlong's) one- and two-byte forms — lengths and deltas of records
 * up to 8 KiB — small enough for the JIT to inline into the walk; longer ones go to varintAt or
 * varlongAt. Sets `next`.
 */
function smallVarint(buf: Buffer, pos: number, end: number, long = false): number {
  if (pos < end) {
    const b0 = buf[pos];
    if (b0 < 0x80) {
      next = pos + 1;
      return (b0 >>> 1) ^ -(b0 & 1);
    }
    if (pos + 1 < end) {
      const b1 = buf[pos + 1];
      if (b1 < 0x80) {
        const raw = (b0 & 0x7f) | (b1 << 7);
        next = pos + 2;
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
  }
  return long ? varlongAt(buf, pos, end) : varintAt(buf, pos, end);
}

/**
 * Walks the `count` records in `buf[start, end)` (an uncompressed batch's records section, or a
 * compressed batch's inflated one), calling `visit` with each record's frame. Throws INVALID_RECORD
 * when a record does not frame, when the bytes end before `count` records ("premature EOF", a batch
 * claiming more records than it holds), or when bytes remain after them. `visit` may throw to stop.
 */
export function walkRecords(
  buf: Buffer,
  start: number,
  end: number,
  count: number,
  frame: RecordFrame,
  visit: (frame: RecordFrame) => void,
): void {
  let pos = start;
  for (let i = 0; i < count; i++) {
    if (pos >= end) {
      throw invalidRecord(`Incorrect declared batch size, premature EOF reached: ${count} records declared, ${i} present`);
    }
    const position = pos;
    const length = smallVarint(buf, pos, end);
    pos = next;
    if (length < 1 || length > end - pos) {
      throw invalidRecord(
        `Invalid record size: expected ${length} bytes in record payload, but the batch has only ${end - pos} remaining bytes`,
      );
    }
    const recordEnd = pos + length;
    frame.attributes = buf[pos++];
    frame.timestampDelta = smallVarint(buf, pos, recordEnd, true);
    pos = next;
    frame.offsetDelta = smallVarint(buf, pos, recordEnd);
    pos = next;
    const keyLength = smallVarint(buf, pos, recordEnd);
    pos = next;
    if (keyLength < -1 || keyLength > recordEnd - pos) {
      throw invalidRecord(`Found invalid record structure: key length ${keyLength} with ${recordEnd - pos} bytes left`);
    }
    frame.keyStart = pos;
    frame.keyLength = keyLength;
    if (keyLength > 0) pos += keyLength;
    const valueLength = smallVarint(buf, pos, recordEnd);
    pos = next;
    if (valueLength < -1 || valueLength > recordEnd - pos) {
      throw invalidRecord(`Found invalid record structure: value length ${valueLength} with ${recordEnd - pos} bytes left`);
    }
    frame.valueStart = pos;
    frame.valueLength = valueLength;
    if (valueLength > 0) pos += valueLength;
    const headerCount = smallVarint(buf, pos, recordEnd);
    pos = next;
    if (headerCount < 0) throw invalidRecord(`Found invalid number of record headers ${headerCount}`);
    // Each header takes at least two bytes: a count beyond that cannot frame (and is not looped over).
    if (headerCount > (recordEnd - pos) / 2) {
      throw invalidRecord(`Found invalid record structure: ${headerCount} headers in ${recordEnd - pos} bytes`);
    }
    for (let h = 0; h < headerCount; h++) {
      const headerKeyLength = smallVarint(buf, pos, recordEnd);
      pos = next;
      if (headerKeyLength < 0 || headerKeyLength > recordEnd - pos) {
        throw invalidRecord(`Invalid header key size ${headerKeyLength} with ${recordEnd - pos} bytes left`);
      }
      pos += headerKeyLength;
      const headerValueLength = smallVarint(buf, pos, recordEnd);
      pos = next;
      if (headerValueLength < -1 || headerValueLength > recordEnd - pos) {
        throw invalidRecord(
          `Found invalid record structure: header value length ${headerValueLength} with ${recordEnd - pos} bytes left`,
        );
      }
      if (headerValueLength > 0) pos += headerValueLength;
    }
    if (pos !== recordEnd) {
      throw invalidRecord(
        `Invalid record size: expected to read ${length} bytes in record payload, but instead read ${length - (recordEnd - pos)}`,
      );
    }
    frame.headerCount = headerCount;
    frame.index = i;
    frame.position = position;
    frame.end = recordEnd;
    visit(frame);
  }
  if (pos !== end) {
    throw invalidRecord(`Incorrect declared batch size, records still remaining in file: ${end - pos} bytes after ${count} records`);
  }
}

/** Bytes of `v` as a zigzag varint (Kafka's ByteUtils.sizeOfVarint). */
export function sizeOfVarint(v: number): number {
  let raw = ((v << 1) ^ (v >> 31)) >>> 0;
  let bytes = 1;
  while (raw >= 0x80) {
    raw >>>= 7;
    bytes++;
  }
  return bytes;
}

/** Bytes of `v` as a zigzag varlong (exact for |v| < 2^52, as the Writer's varlong). */
export function sizeOfVarlong(v: number): number {
  let raw = v >= 0 ? v * 2 : -v * 2 - 1;
  let bytes = 1;
  while (raw >= 0x80) {
    raw = Math.floor(raw / 0x80);
    bytes++;
  }
  return bytes;
}
