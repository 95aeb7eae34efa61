import {
  Attribute,
  BatchField,
  crc32c,
  decompress,
  ErrorCode,
  KafkaError,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  RecordFrame,
  assignOffsets,
  buildBatch,
  decodeBatch,
  produceInflationLimitBytes,
  setLogAppendTime,
  validateBatches,
  walkRecords,
  withInflationLimit,
  type RecordError,
} from '@samsa/protocol';
import { readInt64 } from './BatchCursor';
import { LONG_MAX_VALUE, type LogConfig } from './LogConfig';
import { RecordValidationError } from './RecordValidationError';

/**
 * The leader's checks and rewrites of a produced record set (Kafka's LogValidator), on the raw
 * batches: header and CRC checks, refusal of what a client may not write, then every record's
 * framing walked where it lies (recordFraming.ts: lengths, the declared count, offset deltas
 * 0, 1, 2…, timestamps, headers, keys on compacted topics — a batch claiming 1,000 records that
 * holds one is refused, not given 1,000 offsets), a compressed batch inflated for that walk within
 * 8 × max.message.bytes (RECORD_LIST_TOO_LARGE past it; the codecs stop at the bound). Then
 * offsets and the leader epoch written in place (no checksum covers them), maxTimestamp corrected to
 * the records' as Kafka does, and LogAppendTime stamped when the topic asks for it. Records are
 * built into objects only for a broker-side `compression.type` that differs from the producer's.
 */
export type AppendOrigin = 'client' | 'coordinator' | 'replication';

export interface ValidationAndOffsetAssignResult {
  /** The batches to write (the input buffer, patched, unless recompressed). */
  readonly records: Buffer;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly shallowOffsetOfMaxTimestamp: number;
  /** The time stamped on the batches, or -1 for CreateTime. */
  readonly logAppendTime: number;
  readonly batchCount: number;
  readonly recordCount: number;
}

export interface ValidateOptions {
  readonly firstOffset: number;
  readonly now: number;
  readonly config: LogConfig;
  readonly leaderEpoch: number;
  readonly origin: AppendOrigin;
}

function invalidRecord(msg: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_RECORD, msg);
}

/** Walks the batches of a validated buffer. */
function eachBatch(buf: Buffer, visit: (pos: number, size: number) => void): void {
  let pos = 0;
  while (pos < buf.length) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
    visit(pos, size);
    pos += size;
  }
}

export function validateMessagesAndAssignOffsets(
  input: Buffer,
  opts: ValidateOptions,
): ValidationAndOffsetAssignResult {
  const { config, now } = opts;
  const fromClient = opts.origin === 'client';
  const summary = validateBatches(input, { maxBatchBytes: config.maxMessageBytes, fromClient });
  const logAppend = config.messageTimestampType === 'LogAppendTime';
  const target = config.targetCompression;
  let recompress = false;

  const check = recordsCheck;
  check.reset(config, now);
  const inflationLimit = produceInflationLimitBytes(config.maxMessageBytes);
  eachBatch(input, (pos, size) => {
    if (fromClient && readInt64(input, pos + BatchField.BASE_OFFSET) !== 0) {
      throw invalidRecord(
        `The baseOffset of the record batch should be 0, but it is ${readInt64(input, pos)}`,
      );
    }
    const attributes = input.readInt16BE(pos + BatchField.ATTRIBUTES);
    if (fromClient && attributes & Attribute.CONTROL)
      throw invalidRecord('Clients are not allowed to write control records');
    // A producer id needs a sequence: the idempotence checks would take -1 for "no state".
    if (fromClient && input.readInt32BE(pos + BatchField.PRODUCER_ID) >= 0 && input.readInt32BE(pos + BatchField.BASE_SEQUENCE) < 0) {
      throw invalidRecord(
        `Invalid sequence number ${input.readInt32BE(pos + BatchField.BASE_SEQUENCE)} in record batch with producerId ${readInt64(input, pos + BatchField.PRODUCER_ID)}`,
      );
    }
    const codec = attributes & Attribute.COMPRESSION_MASK;
    // Markers stay as the coordinator built them (never compressed; readers read them in place).
    if (target !== null && codec !== target && (attributes & Attribute.CONTROL) === 0) recompress = true;
    check.walkBatch(input, pos, size, attributes, inflationLimit);
  });
  check.throwIfAny();

  let records = input;
  if (recompress && target !== null) {
    records = recompressBatches(input, target, config);
    eachBatch(records, (_pos, size) => {
      if (size > config.maxMessageBytes) {
        throw new KafkaError(
          ErrorCode.MESSAGE_TOO_LARGE,
          `Message batch size is ${size} bytes after recompression, more than max.message.bytes ${config.maxMessageBytes}`,
        );
      }
    });
  }

  const nextOffset = assignOffsets(records, opts.firstOffset, opts.leaderEpoch);
  if (logAppend) setLogAppendTime(records, now);

  let maxTimestamp = -1;
  let shallowOffsetOfMaxTimestamp = opts.firstOffset;
  eachBatch(records, (pos) => {
    const ts = readInt64(records, pos + BatchField.MAX_TIMESTAMP);
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      shallowOffsetOfMaxTimestamp =
        readInt64(records, pos) + records.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA);
    }
  });
  if (logAppend) shallowOffsetOfMaxTimestamp = opts.firstOffset;

  return {
    records,
    firstOffset: opts.firstOffset,
    lastOffset: nextOffset - 1,
    maxTimestamp,
    shallowOffsetOfMaxTimestamp,
    logAppendTime: logAppend ? now : -1,
    batchCount: summary.batches,
    recordCount: summary.records,
  };
}

/** Rebuilds every batch with the topic's codec (compression.type other than `producer`). */
function recompressBatches(input: Buffer, codec: number, config: LogConfig): Buffer {
  const out: Buffer[] = [];
  eachBatch(input, (pos, size) => {
    const batch = input.subarray(pos, pos + size);
    const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
    if ((attributes & Attribute.COMPRESSION_MASK) === codec || (attributes & Attribute.CONTROL) !== 0) {
      out.push(batch);
      return;
    }
    const { header, records } = decodeBatch(batch, 0, {
      verifyCrc: false,
      maxDecompressedBytes: produceInflationLimitBytes(config.maxMessageBytes),
    });
    out.push(
      buildBatch(
        records.map((r) => ({
          key: r.key,
          value: r.value,
          headers: r.headers,
          timestamp: r.timestamp,
          offsetDelta: r.offset - header.baseOffset,
        })),
        {
          baseOffset: header.baseOffset,
          partitionLeaderEpoch: header.partitionLeaderEpoch,
          compression: codec,
          timestampType: header.attributes & Attribute.TIMESTAMP_TYPE ? 1 : 0,
          baseTimestamp: header.baseTimestamp,
          producerId: header.producerId,
          producerEpoch: header.producerEpoch,
          baseSequence: header.baseSequence,
          isTransactional: (header.attributes & Attribute.TRANSACTIONAL) !== 0,
          isControl: (header.attributes & Attribute.CONTROL) !== 0,
        },
      ),
    );
  });
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

/**
 * Kafka's validateRecord over one batch's records, as the framing walk visits them: offset deltas
 * 0, 1, 2… (a producer writes them so; anything else would give records offsets their batch does
 * not cover), a key on compacted topics, CreateTime timestamps within
 * message.timestamp.difference.max.ms, no LogAppendTime from a producer. Each refused record is
 * kept as a RecordError (batch_index is its index in its batch, as Kafka's), at most one per
 * record; all are thrown together after the walk (Kafka's processRecordErrors). One instance serves
 * every validation (they are synchronous): nothing is allocated per record or per batch unless a
 * record is refused.
 */
class RecordsCheck {
  private readonly frame = new RecordFrame();
  private compact = false;
  private timestampDifferenceMaxMs = LONG_MAX_VALUE;
  private checkTimestamps = false;
  private now = 0;
  private baseTimestamp = 0;
  private logAppendTimeBatch = false;
  private maxTimestamp = -1;
  private recordErrors: RecordError[] | null = null;
  private anyTimestampError = false;

  reset(config: LogConfig, now: number): void {
    this.compact = config.compact;
    this.checkTimestamps =
      config.messageTimestampType !== 'LogAppendTime' && config.messageTimestampDifferenceMaxMs < LONG_MAX_VALUE;
    this.timestampDifferenceMaxMs = config.messageTimestampDifferenceMaxMs;
    this.now = now;
    this.recordErrors = null;
    this.anyTimestampError = false;
  }

  /**
   * Walks the records of the batch at `pos` (inflating a compressed one within `inflationLimit`)
   * and corrects its maxTimestamp to its records' largest (CreateTime), as Kafka's setMaxTimestamp.
   */
  walkBatch(buf: Buffer, pos: number, size: number, attributes: number, inflationLimit: number): void {
    this.baseTimestamp = readInt64(buf, pos + BatchField.BASE_TIMESTAMP);
    this.logAppendTimeBatch = (attributes & Attribute.TIMESTAMP_TYPE) !== 0;
    this.maxTimestamp = -1;
    const count = buf.readInt32BE(pos + BatchField.RECORDS_COUNT);
    const codec = attributes & Attribute.COMPRESSION_MASK;
    if (codec === 0) {
      walkRecords(buf, pos + RECORD_BATCH_OVERHEAD, pos + size, count, this.frame, this.visit);
    } else {
      const compressed = buf.subarray(pos + RECORD_BATCH_OVERHEAD, pos + size);
      const body = withInflationLimit('record batch', inflationLimit, () =>
        decompress(codec, compressed, inflationLimit),
      );
      walkRecords(body, 0, body.length, count, this.frame, this.visit);
    }
    if (
      !this.logAppendTimeBatch &&
      this.recordErrors === null &&
      count > 0 &&
      readInt64(buf, pos + BatchField.MAX_TIMESTAMP) !== this.maxTimestamp
    ) {
      writeInt64(buf, pos + BatchField.MAX_TIMESTAMP, this.maxTimestamp);
      buf.writeUInt32BE(crc32c(buf, pos + BatchField.ATTRIBUTES, pos + size), pos + BatchField.CRC);
    }
  }

  throwIfAny(): void {
    if (this.recordErrors !== null) throw RecordValidationError.of(this.recordErrors, this.anyTimestampError);
  }

  private readonly visit = (f: RecordFrame): void => {
    if (f.offsetDelta !== f.index) {
      this.refuse(f.index, `Record ${f.index} has offset delta ${f.offsetDelta}: a batch's offset deltas must be 0, 1, 2…`);
      return;
    }
    if (this.compact && f.keyLength < 0) {
      this.refuse(f.index, 'Compacted topic cannot accept message without key.');
      return;
    }
    const timestamp = this.baseTimestamp + f.timestampDelta;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    if (this.checkTimestamps && timestamp !== -1 && Math.abs(timestamp - this.now) > this.timestampDifferenceMaxMs) {
      this.anyTimestampError = true;
      this.refuse(
        f.index,
        `Timestamp ${timestamp} of message with offset ${f.offsetDelta} is out of range. The timestamp should be within [${this.now - this.timestampDifferenceMaxMs}, ${this.now + this.timestampDifferenceMaxMs}]`,
      );
    } else if (this.logAppendTimeBatch) {
      this.anyTimestampError = true;
      this.refuse(f.index, 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.');
    }
  };

  private refuse(batchIndex: number, message: string): void {
    (this.recordErrors ??= []).push({ batchIndex, message });
  }
}

const recordsCheck = new RecordsCheck();

const TWO_32 = 4294967296;

function writeInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * TWO_32, pos + 4);
}

/**
 * A follower's check of fetched batches (Kafka's analyzeAndValidateRecords without the leader's
 * rules): whole batches only — a trailing partial batch, as a fetch cut by its byte limit leaves,
 * is dropped — each with a valid header and CRC, offsets increasing.
 */
export interface FollowerBatchesInfo {
  readonly records: Buffer;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly shallowOffsetOfMaxTimestamp: number;
  readonly batchCount: number;
  readonly recordCount: number;
  readonly monotonic: boolean;
}

export function analyzeFollowerBatches(input: Buffer): FollowerBatchesInfo | null {
  let end = 0;
  while (input.length - end >= LOG_OVERHEAD) {
    const size = LOG_OVERHEAD + input.readInt32BE(end + BatchField.BATCH_LENGTH);
    if (size < LOG_OVERHEAD || size > input.length - end) break;
    end += size;
  }
  if (end === 0) return null;
  const records = end === input.length ? input : input.subarray(0, end);
  const summary = validateBatches(records, {});
  let firstOffset = -1;
  let lastOffset = -1;
  let monotonic = true;
  let maxTimestamp = -1;
  let shallowOffsetOfMaxTimestamp = -1;
  eachBatch(records, (pos) => {
    const base = readInt64(records, pos);
    const last = base + records.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA);
    if (firstOffset < 0) firstOffset = base;
    if (base <= lastOffset || last < base) monotonic = false;
    lastOffset = last;
    const ts = readInt64(records, pos + BatchField.MAX_TIMESTAMP);
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      shallowOffsetOfMaxTimestamp = last;
    }
  });
  return {
    records,
    firstOffset,
    lastOffset,
    maxTimestamp,
    shallowOffsetOfMaxTimestamp,
    batchCount: summary.batches,
    recordCount: summary.records,
    monotonic,
  };
}
