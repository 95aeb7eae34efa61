import { Reader } from '../codec/reader';
import { Writer } from '../codec/writer';
import { ErrorCode, KafkaError } from '../errors';
import {
  Attribute,
  BatchField,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
  type BatchHeader,
} from './batch';
import { compress, decompress } from './compression';
import { crc32c } from './crc';

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** One decoded record with absolute offset and timestamp. Only tools and tests decode records. */
export interface Record {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface DecodedBatch {
  readonly header: BatchHeader;
  readonly records: Record[];
}

export interface DecodeOptions {
  /** Cap on the decompressed size of one batch (defaults to 64 MiB). */
  readonly maxDecompressedBytes?: number;
  /** Verify the CRC before decoding (default true). */
  readonly verifyCrc?: boolean;
}

const DEFAULT_MAX_DECOMPRESSED = 64 * 1024 * 1024;

function corrupt(message: string): never {
  throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}

/** Decodes the records section of one v2 batch found at `pos` (its header included in `buf`). */
export function decodeBatch(buf: Buffer, pos = 0, opts: DecodeOptions = {}): DecodedBatch {
  const header = readBatchHeader(buf, pos);
  if (header.magic !== CURRENT_MAGIC) corrupt(`batch at ${pos} has magic ${header.magic}`);
  const size = LOG_OVERHEAD + header.batchLength;
  if (header.batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD || pos + size > buf.length) {
    corrupt(`batch at ${pos} has length ${header.batchLength} beyond the ${buf.length - pos} bytes present`);
  }
  if (opts.verifyCrc !== false) {
    const computed = crc32c(buf, pos + BatchField.ATTRIBUTES, pos + size);
    if (computed !== header.crc) corrupt(`batch at ${pos} fails its CRC`);
  }
  const codec = header.attributes & Attribute.COMPRESSION_MASK;
  let body = buf.subarray(pos + RECORD_BATCH_OVERHEAD, pos + size);
  if (codec !== 0) body = decompress(codec, body, opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED);
  const count = header.recordsCount;
  if (count < 0 || count > body.length) corrupt(`batch at ${pos} claims ${count} records in ${body.length} bytes`);
  const r = new Reader(body);
  const records: Record[] = new Array(count);
  try {
    for (let i = 0; i < count; i++) records[i] = readRecord(r, header);
  } catch (e) {
    if (e instanceof KafkaError && e.code !== ErrorCode.CORRUPT_MESSAGE) corrupt(`batch at ${pos}: ${e.message}`);
    throw e;
  }
  if (r.remaining !== 0) corrupt(`batch at ${pos} has ${r.remaining} bytes after its ${count} records`);
  return { header, records };
}

/** Reads the record at `r.pos` (its length varint first) and moves past it. */
export function readRecord(r: Reader, h: BatchHeader): Record {
  const length = r.varint();
  if (length < 0) r.fail('negative record length');
  const end = r.pos + length;
  r.need(length, 'record');
  const sub = new Reader(r.buf, r.pos, end);
  sub.int8(); // record attributes, unused
  const timestampDelta = sub.varlong();
  const offsetDelta = sub.varint();
  const keyLength = sub.varint();
  const key = keyLength < 0 ? null : sub.slice(keyLength, 'record key');
  const valueLength = sub.varint();
  const value = valueLength < 0 ? null : sub.slice(valueLength, 'record value');
  const headerCount = sub.varint();
  sub.checkCount(headerCount, 2, 'record headers');
  const headers: RecordHeader[] = new Array(headerCount);
  for (let i = 0; i < headerCount; i++) {
    const kLen = sub.varint();
    if (kLen < 0) sub.fail('null header key');
    const hKey = sub.utf8(kLen);
    const vLen = sub.varint();
    headers[i] = { key: hKey, value: vLen < 0 ? null : sub.slice(vLen, 'header value') };
  }
  if (sub.remaining !== 0) sub.fail(`record has ${sub.remaining} extra bytes`);
  r.pos = end;
  const logAppend = (h.attributes & Attribute.TIMESTAMP_TYPE) !== 0;
  return {
    offset: h.baseOffset + offsetDelta,
    timestamp: logAppend ? h.maxTimestamp : h.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

/** Decodes every whole batch in `buf` (a trailing partial batch is ignored, as clients do). */
export function decodeBatches(buf: Buffer, opts: DecodeOptions = {}): DecodedBatch[] {
  const out: DecodedBatch[] = [];
  let pos = 0;
  while (buf.length - pos >= RECORD_BATCH_OVERHEAD) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
    if (size > buf.length - pos) break;
    out.push(decodeBatch(buf, pos, opts));
    pos += size;
  }
  return out;
}

export interface RecordInput {
  readonly key?: Buffer | string | null;
  readonly value?: Buffer | string | null;
  readonly headers?: readonly { key: string; value: Buffer | string | null }[];
  /** Absolute timestamp; defaults to the batch's base timestamp. */
  readonly timestamp?: number;
  /** Offset delta; defaults to the record's index. */
  readonly offsetDelta?: number;
}

export interface BuildBatchOptions {
  readonly baseOffset?: number;
  readonly partitionLeaderEpoch?: number;
  readonly compression?: number;
  readonly timestampType?: 0 | 1;
  readonly baseTimestamp?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly isTransactional?: boolean;
  readonly isControl?: boolean;
}

const asBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v;

function writeRecord(w: Writer, rec: RecordInput, index: number, baseTimestamp: number): void {
  const body = new Writer(64);
  body.int8(0);
  body.varlong((rec.timestamp ?? baseTimestamp) - baseTimestamp);
  body.varint(rec.offsetDelta ?? index);
  const key = asBuffer(rec.key);
  const value = asBuffer(rec.value);
  if (key === null) body.varint(-1);
  else body.varint(key.length).raw(key);
  if (value === null) body.varint(-1);
  else body.varint(value.length).raw(value);
  const headers = rec.headers ?? [];
  body.varint(headers.length);
  for (const h of headers) {
    const hk = Buffer.from(h.key);
    body.varint(hk.length).raw(hk);
    const hv = asBuffer(h.value);
    if (hv === null) body.varint(-1);
    else body.varint(hv.length).raw(hv);
  }
  const bytes = body.toBuffer();
  w.varint(bytes.length).raw(bytes);
}

/**
 * Builds one v2 batch (the broker writes its own batches this way: __consumer_offsets, control
 * records, down-conversion tests). Producers' batches are never rebuilt.
 */
export function buildBatch(records: readonly RecordInput[], opts: BuildBatchOptions = {}): Buffer {
  if (records.length === 0) throw new Error('a record batch needs at least one record');
  const baseTimestamp = opts.baseTimestamp ?? records[0].timestamp ?? Date.now();
  const recordsWriter = new Writer(1024);
  let maxTimestamp = -1;
  let lastOffsetDelta = 0;
  records.forEach((rec, i) => {
    writeRecord(recordsWriter, rec, i, baseTimestamp);
    const ts = rec.timestamp ?? baseTimestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    lastOffsetDelta = Math.max(lastOffsetDelta, rec.offsetDelta ?? i);
  });
  const codec = opts.compression ?? 0;
  let body = recordsWriter.toBuffer();
  if (codec !== 0) body = compress(codec, body);

  let attributes = codec & Attribute.COMPRESSION_MASK;
  if (opts.timestampType === 1) attributes |= Attribute.TIMESTAMP_TYPE;
  if (opts.isTransactional) attributes |= Attribute.TRANSACTIONAL;
  if (opts.isControl) attributes |= Attribute.CONTROL;

  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length);
  const w = new Writer(RECORD_BATCH_OVERHEAD);
  w.int64(opts.baseOffset ?? 0)
    .int32(out.length - LOG_OVERHEAD)
    .int32(opts.partitionLeaderEpoch ?? -1)
    .int8(CURRENT_MAGIC)
    .uint32(0) // CRC, filled below
    .int16(attributes)
    .int32(lastOffsetDelta)
    .int64(baseTimestamp)
    .int64(maxTimestamp)
    .int64(opts.producerId ?? -1)
    .int16(opts.producerEpoch ?? -1)
    .int32(opts.baseSequence ?? -1)
    .int32(records.length);
  w.toBuffer().copy(out, 0);
  body.copy(out, RECORD_BATCH_OVERHEAD);
  out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
  return out;
}
