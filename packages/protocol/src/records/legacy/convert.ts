import { Writer } from '../../codec/writer';
import { ErrorCode, KafkaError } from '../../errors';
import { Attribute, BatchField, CURRENT_MAGIC, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD } from '../batch';
import { compress, CompressionType, inflatedTooLarge } from '../compression';
import { crc32c } from '../crc';
import { sizeOfVarint, sizeOfVarlong } from '../recordFraming';
import { forEachLegacyRecord, type RecordCursor } from './iterate';

/**
 * A produced legacy message set (Produce v0–2, magic 0/1) as the one v2 batch the log stores —
 * Kafka's LogValidator converting to the current magic. Every record, standalone or inside a
 * compressed wrapper, becomes one v2 record (offset delta = its index, its effective timestamp,
 * key and value; no headers) written straight into the batch body: no object per record, and the
 * inflated bytes of all wrappers together are bounded by `maxInflatedBytes` (RECORD_LIST_TOO_LARGE
 * past it, each wrapper's codec stopping at what is left of the bound), so a gzip bomb costs at most
 * that much inflate work and memory. The batch is compressed with the set's codec (Kafka's source
 * codec: the last compressed wrapper's) and carries CreateTime, no producer id, leader epoch -1.
 */
export interface ConvertMessageSetOptions {
  /** Bound on the decompressed bytes of all compressed wrappers together. */
  readonly maxInflatedBytes: number;
  /** The wrappers already inflated by `inflateLegacyWrappers` (else inflated here, synchronously). */
  readonly inflated?: ReadonlyMap<number, Buffer>;
}

export function convertMessageSetToBatch(buf: Buffer, options: ConvertMessageSetOptions): Buffer {
  const body = new Writer(Math.min(64 * 1024, buf.length * 2));
  let count = 0;
  let baseTimestamp = 0;
  let maxTimestamp = -1;
  const visit = (r: RecordCursor): void => {
    if (count === 0) baseTimestamp = r.timestamp;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    writeRecord(body, r, count, baseTimestamp);
    count++;
  };
  let summary;
  try {
    summary = forEachLegacyRecord(
      buf,
      {
        maxOutputBytes: options.maxInflatedBytes,
        maxTotalOutputBytes: options.maxInflatedBytes,
        inflated: options.inflated,
      },
      visit,
    );
  } catch (err) {
    if (err instanceof KafkaError && err.code === ErrorCode.MESSAGE_TOO_LARGE) {
      throw inflatedTooLarge('legacy message set', options.maxInflatedBytes);
    }
    throw err;
  }
  if (count === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'message set holds no whole message');
  const codec = summary.codec as CompressionType;
  let records = body.toBuffer();
  if (codec !== CompressionType.None) records = compress(codec, records);

  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + records.length);
  out.writeInt32BE(0, BatchField.BASE_OFFSET);
  out.writeInt32BE(0, BatchField.BASE_OFFSET + 4);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BatchField.BATCH_LENGTH);
  out.writeInt32BE(-1, BatchField.PARTITION_LEADER_EPOCH);
  out.writeInt8(CURRENT_MAGIC, BatchField.MAGIC);
  out.writeInt16BE(codec & Attribute.COMPRESSION_MASK, BatchField.ATTRIBUTES);
  out.writeInt32BE(count - 1, BatchField.LAST_OFFSET_DELTA);
  writeInt64(out, BatchField.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(out, BatchField.MAX_TIMESTAMP, maxTimestamp);
  writeInt64(out, BatchField.PRODUCER_ID, -1);
  out.writeInt16BE(-1, BatchField.PRODUCER_EPOCH);
  out.writeInt32BE(-1, BatchField.BASE_SEQUENCE);
  out.writeInt32BE(count, BatchField.RECORDS_COUNT);
  records.copy(out, RECORD_BATCH_OVERHEAD);
  out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
  return out;
}

function writeRecord(w: Writer, r: RecordCursor, index: number, baseTimestamp: number): void {
  const m = r.message;
  const timestampDelta = r.timestamp - baseTimestamp;
  const keyBytes = m.keyLength < 0 ? 0 : m.keyLength;
  const valueBytes = m.valueLength < 0 ? 0 : m.valueLength;
  const length =
    1 +
    sizeOfVarlong(timestampDelta) +
    sizeOfVarint(index) +
    sizeOfVarint(m.keyLength) +
    keyBytes +
    sizeOfVarint(m.valueLength) +
    valueBytes +
    1;
  w.varint(length).int8(0).varlong(timestampDelta).varint(index);
  w.varint(m.keyLength);
  if (keyBytes > 0) w.rawFrom(m.buf, m.keyStart, m.keyStart + keyBytes);
  w.varint(m.valueLength);
  if (valueBytes > 0) w.rawFrom(m.buf, m.valueStart, m.valueStart + valueBytes);
  w.varint(0);
}

const TWO_32 = 4294967296;

function writeInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * TWO_32, pos + 4);
}
