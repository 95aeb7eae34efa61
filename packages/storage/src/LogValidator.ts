import {
  Attribute,
  BatchField,
  ErrorCode,
  KafkaError,
  LOG_OVERHEAD,
  assignOffsets,
  buildBatch,
  decodeBatch,
  firstRecordWithoutKey,
  setLogAppendTime,
  validateBatches,
} from '@samsa/protocol';
import { readInt64 } from './BatchCursor';
import { LONG_MAX_VALUE, type LogConfig } from './LogConfig';

/**
 * The leader's checks and rewrites of a produced record set (Kafka's LogValidator), on the raw
 * batches: header and CRC checks, refusal of what a client may not write, then offsets and the
 * leader epoch written in place (no checksum covers them) and LogAppendTime stamped when the topic
 * asks for it. Records are decoded only where Kafka also must: keys on compacted topics, and a
 * broker-side `compression.type` that differs from the producer's.
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

/** Inflated bytes of one batch the compacted-topic key check reads (decodeBatch's default cap). */
const COMPACTED_KEY_CHECK_MAX_INFLATED_BYTES = 64 * 1024 * 1024;

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

  eachBatch(input, (pos) => {
    if (fromClient && readInt64(input, pos + BatchField.BASE_OFFSET) !== 0) {
      throw invalidRecord(
        `The baseOffset of the record batch should be 0, but it is ${readInt64(input, pos)}`,
      );
    }
    const attributes = input.readInt16BE(pos + BatchField.ATTRIBUTES);
    if (fromClient && attributes & Attribute.CONTROL)
      throw invalidRecord('Clients are not allowed to write control records');
    if (!logAppend && config.messageTimestampDifferenceMaxMs < LONG_MAX_VALUE) {
      for (const field of [BatchField.BASE_TIMESTAMP, BatchField.MAX_TIMESTAMP]) {
        const ts = readInt64(input, pos + field);
        if (Math.abs(ts - now) > config.messageTimestampDifferenceMaxMs) {
          throw new KafkaError(
            ErrorCode.INVALID_TIMESTAMP,
            `Timestamp ${ts} of a record batch is out of range: more than ${config.messageTimestampDifferenceMaxMs} ms from now (${now})`,
          );
        }
      }
    }
    if (target !== null && (attributes & Attribute.COMPRESSION_MASK) !== target) recompress = true;
  });

  if (config.compact) {
    // The framing only, no record objects: a 0.93 MB zstd batch of 1.1M tiny records took seconds
    // of the event loop as a million decoded records.
    eachBatch(input, (pos, size) => {
      if (firstRecordWithoutKey(input.subarray(pos, pos + size), COMPACTED_KEY_CHECK_MAX_INFLATED_BYTES) >= 0) {
        throw invalidRecord('Compacted topic cannot accept message without key');
      }
    });
  }

  let records = input;
  if (recompress && target !== null) {
    records = recompressBatches(input, target);
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
function recompressBatches(input: Buffer, codec: number): Buffer {
  const out: Buffer[] = [];
  eachBatch(input, (pos, size) => {
    const batch = input.subarray(pos, pos + size);
    if ((batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK) === codec) {
      out.push(batch);
      return;
    }
    const { header, records } = decodeBatch(batch, 0, { verifyCrc: false });
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
