import { gzipSync } from 'node:zlib';
import {
  Attribute,
  BatchField,
  buildBatch,
  CompressionType,
  crc32c,
  ErrorCode,
  KafkaError,
  RECORD_BATCH_OVERHEAD,
} from '@samsa/protocol';
import { LogConfig } from './LogConfig';
import { validateMessagesAndAssignOffsets } from './LogValidator';
import { RecordValidationError } from './RecordValidationError';

const NOW = 1_700_000_000_000;

function validate(batch: Buffer, config: Parameters<typeof LogConfig.of>[0] = {}) {
  return validateMessagesAndAssignOffsets(batch, {
    firstOffset: 100,
    now: NOW,
    config: LogConfig.of(config),
    leaderEpoch: 3,
    origin: 'client',
  });
}

function errorOf(f: () => unknown): KafkaError {
  try {
    f();
  } catch (e) {
    if (e instanceof KafkaError) return e;
    throw e;
  }
  throw new Error('no error');
}

/** Rewrites the batch's records section (and counts) and recomputes its CRC: valid CRC, bad content. */
function withRecords(batch: Buffer, records: Buffer, count: number, attributes?: number): Buffer {
  const out = Buffer.concat([batch.subarray(0, RECORD_BATCH_OVERHEAD), records]);
  out.writeInt32BE(out.length - 12, BatchField.BATCH_LENGTH);
  out.writeInt32BE(count, BatchField.RECORDS_COUNT);
  out.writeInt32BE(count - 1, BatchField.LAST_OFFSET_DELTA);
  if (attributes !== undefined) out.writeInt16BE(attributes, BatchField.ATTRIBUTES);
  out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
  return out;
}

const records = (n: number, key: (i: number) => string | null = (i) => `k${i}`) =>
  Array.from({ length: n }, (_, i) => ({ key: key(i), value: `v${i}`, timestamp: NOW + i }));

describe('validateMessagesAndAssignOffsets walks every record', () => {
  test.each([CompressionType.None, CompressionType.Gzip, CompressionType.Lz4, CompressionType.Zstd])(
    'aProducersBatchIsAcceptedAndGetsItsOffsets (codec %s)',
    (compression) => {
      const v = validate(buildBatch(records(10), { compression, baseTimestamp: NOW }));
      expect([v.firstOffset, v.lastOffset, v.recordCount, v.maxTimestamp]).toEqual([100, 109, 10, NOW + 9]);
    },
  );

  test('aBatchClaimingAThousandRecordsThatHoldsOneIsInvalidRecord', () => {
    const one = buildBatch(records(1), { baseTimestamp: NOW });
    const forged = withRecords(one, one.subarray(RECORD_BATCH_OVERHEAD), 1000);
    expect(errorOf(() => validate(forged)).code).toBe(ErrorCode.INVALID_RECORD);
  });

  test('aCompressedBatchWhoseRecordsDoNotFrameIsInvalidRecord', () => {
    const two = buildBatch(records(2), { baseTimestamp: NOW });
    const forged = withRecords(two, gzipSync(two.subarray(RECORD_BATCH_OVERHEAD)), 3, CompressionType.Gzip);
    expect(errorOf(() => validate(forged)).code).toBe(ErrorCode.INVALID_RECORD);
  });

  test('aGzipBatchInflatingPastEightTimesMaxMessageBytesIsRecordListTooLarge', () => {
    const one = buildBatch(records(1), { baseTimestamp: NOW });
    const bomb = withRecords(one, gzipSync(Buffer.alloc(9 * 1024 * 1024)), 1, CompressionType.Gzip);
    expect(errorOf(() => validate(bomb, { maxMessageBytes: 1024 * 1024 })).code).toBe(ErrorCode.RECORD_LIST_TOO_LARGE);
  });

  test('offsetDeltasOutOfSequenceAreRefusedWithTheRecordsIndexes', () => {
    const batch = buildBatch(
      records(4).map((r, i) => ({ ...r, offsetDelta: [0, 1, 1, 3][i] })),
      { baseTimestamp: NOW },
    );
    const e = errorOf(() => validate(withRecords(batch, batch.subarray(RECORD_BATCH_OVERHEAD), 4)));
    expect(e).toBeInstanceOf(RecordValidationError);
    expect(e.code).toBe(ErrorCode.INVALID_RECORD);
    expect((e as RecordValidationError).recordErrors.map((r) => r.batchIndex)).toEqual([2]);
  });

  test('aCompactedTopicRefusesRecordsWithoutKeyNamingEach', () => {
    const batch = buildBatch(records(5, (i) => (i % 2 ? null : `k${i}`)), { baseTimestamp: NOW });
    const e = errorOf(() => validate(batch, { cleanupPolicy: ['compact'] })) as RecordValidationError;
    expect(e.code).toBe(ErrorCode.INVALID_RECORD);
    expect(e.message).toBe('One or more records have been rejected');
    expect(e.recordErrors).toEqual([
      { batchIndex: 1, message: 'Compacted topic cannot accept message without key.' },
      { batchIndex: 3, message: 'Compacted topic cannot accept message without key.' },
    ]);
  });

  test('aRecordTimestampOutOfRangeIsInvalidTimestampNamingTheRecord', () => {
    const batch = buildBatch(
      [
        { value: 'a', timestamp: NOW },
        { value: 'b', timestamp: NOW + 3_600_000 },
      ],
      { baseTimestamp: NOW },
    );
    const e = errorOf(() => validate(batch, { messageTimestampDifferenceMaxMs: 60_000 })) as RecordValidationError;
    expect(e.code).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(e.recordErrors.map((r) => r.batchIndex)).toEqual([1]);
  });

  test('aProducerMayNotSendLogAppendTime', () => {
    const batch = buildBatch(records(2), { baseTimestamp: NOW, timestampType: 1 });
    expect(errorOf(() => validate(batch)).code).toBe(ErrorCode.INVALID_TIMESTAMP);
  });

  test('aMaxTimestampThatIsNotTheRecordsIsCorrectedWithItsCrc', () => {
    const batch = buildBatch(records(3), { baseTimestamp: NOW });
    batch.writeInt32BE(0, BatchField.MAX_TIMESTAMP);
    batch.writeInt32BE(5, BatchField.MAX_TIMESTAMP + 4);
    batch.writeUInt32BE(crc32c(batch, BatchField.ATTRIBUTES, batch.length), BatchField.CRC);
    const v = validate(batch);
    expect(v.maxTimestamp).toBe(NOW + 2);
    expect(v.records.readUInt32BE(BatchField.CRC)).toBe(crc32c(v.records, BatchField.ATTRIBUTES, v.records.length));
    expect(v.records.readInt16BE(BatchField.ATTRIBUTES) & Attribute.TIMESTAMP_TYPE).toBe(0);
  });

  test('theUncompressedWalkAllocatesNoObjectPerRecord', () => {
    const batch = buildBatch(
      Array.from({ length: 20_000 }, (_, i) => ({ key: null, value: 'v', timestamp: NOW + (i % 7) })),
      { baseTimestamp: NOW },
    );
    const opts = { firstOffset: 0, now: NOW, config: LogConfig.DEFAULT, leaderEpoch: 0, origin: 'client' as const };
    for (let i = 0; i < 50; i++) validateMessagesAndAssignOffsets(batch, opts); // warm up the JIT
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20; i++) validateMessagesAndAssignOffsets(batch, opts);
    // 400k records walked: an object per record (≥ 40 bytes each) would be ≥ 16 MB of garbage
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
  });
});
