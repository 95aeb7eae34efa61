import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../errors';
import {
  assignOffsets,
  BatchField,
  forEachBatch,
  hasTransactionalBatch,
  readBatchHeader,
  setLogAppendTime,
  validateBatches,
} from './batch';
import { buildBatch, decodeBatch, decodeBatches } from './record';
import { crc32c } from './crc';

/** A segment written by Apache Kafka 2.1.1 (two batches: 2 records with headers, 3 without). */
const kafkaLog = readFileSync(join(__dirname, 'fixtures', 'kafka-2.1-T-0.log'));

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  return undefined;
}

describe('record batch v2 on bytes Kafka wrote', () => {
  it('reads both headers as kafka-dump-log printed them', () => {
    const first = readBatchHeader(kafkaLog, 0);
    expect(first).toMatchObject({ baseOffset: 0, lastOffsetDelta: 1, recordsCount: 2, crc: 482532756, magic: 2 });
    expect(first.baseTimestamp).toBe(1795302842251);
    const positions: number[] = [];
    forEachBatch(kafkaLog, (pos, size) => void positions.push(pos, size));
    expect(positions).toEqual([0, 109, 109, 94]);
    expect(readBatchHeader(kafkaLog, 109)).toMatchObject({ baseOffset: 2, lastOffsetDelta: 2, crc: 3205407593 });
  });

  it('validates: CRC32C of Kafka batches matches', () => {
    expect(validateBatches(kafkaLog)).toMatchObject({ batches: 2, records: 5, compression: 0 });
  });

  it('decodes the records, headers and payloads', () => {
    const [a, b] = decodeBatches(kafkaLog);
    expect(a.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString()])).toEqual([
      [0, 'key3', 'value-3'],
      [1, 'key4', 'value-4'],
    ]);
    expect(a.records[0].headers).toEqual([{ key: 'h1', value: Buffer.from('v1') }]);
    expect(b.records.map((r) => [r.offset, r.key, r.value?.toString()])).toEqual([
      [2, null, 'p0-a'],
      [3, null, 'p0-b'],
      [4, null, 'p0-c'],
    ]);
  });

  it('rebuilding the first batch from its records gives Kafka bytes exactly', () => {
    const { header, records } = decodeBatch(kafkaLog, 0);
    const rebuilt = buildBatch(
      records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
      { baseOffset: 0, partitionLeaderEpoch: header.partitionLeaderEpoch, baseTimestamp: header.baseTimestamp },
    );
    expect(rebuilt.equals(kafkaLog.subarray(0, 109))).toBe(true);
  });
});

describe('produce-path checks', () => {
  const batch = () => buildBatch([{ key: 'k', value: 'v1' }, { value: 'v2' }], { baseTimestamp: 1000 });

  it('assignOffsets patches base offset and epoch in place without touching the CRC', () => {
    const buf = Buffer.concat([batch(), batch()]);
    const crcBefore = [buf.readUInt32BE(BatchField.CRC), buf.readUInt32BE(buf.length / 2 + BatchField.CRC)];
    expect(assignOffsets(buf, 100, 7)).toBe(104);
    expect(readBatchHeader(buf, 0)).toMatchObject({ baseOffset: 100, partitionLeaderEpoch: 7 });
    expect(readBatchHeader(buf, buf.length / 2)).toMatchObject({ baseOffset: 102, partitionLeaderEpoch: 7 });
    expect([buf.readUInt32BE(BatchField.CRC), buf.readUInt32BE(buf.length / 2 + BatchField.CRC)]).toEqual(crcBefore);
    expect(validateBatches(buf).records).toBe(4);
    expect(decodeBatches(buf)[1].records.map((r) => r.offset)).toEqual([102, 103]);
  });

  it('offsets beyond 2^32 are written exactly', () => {
    const buf = batch();
    assignOffsets(buf, 2 ** 40 + 5, 0);
    expect(readBatchHeader(buf).baseOffset).toBe(2 ** 40 + 5);
  });

  it('a flipped byte inside the CRC range is CORRUPT_MESSAGE', () => {
    const buf = batch();
    buf[buf.length - 1] ^= 0xff;
    expect(codeOf(() => validateBatches(buf))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('a truncated batch, a bad length and a wrong magic are CORRUPT_MESSAGE', () => {
    const buf = batch();
    expect(codeOf(() => validateBatches(buf.subarray(0, buf.length - 1)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => validateBatches(buf.subarray(0, 30)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const badLen = Buffer.from(buf);
    badLen.writeInt32BE(3, BatchField.BATCH_LENGTH);
    expect(codeOf(() => validateBatches(badLen))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const badMagic = Buffer.from(buf);
    badMagic.writeInt8(1, BatchField.MAGIC);
    expect(codeOf(() => validateBatches(badMagic))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => validateBatches(Buffer.alloc(0)))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('a batch over max.message.bytes is MESSAGE_TOO_LARGE', () => {
    const buf = batch();
    expect(codeOf(() => validateBatches(buf, { maxBatchBytes: buf.length - 1 }))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(codeOf(() => validateBatches(buf, { maxBatchBytes: buf.length }))).toBeUndefined();
  });

  it('a client batch whose count disagrees with its offset delta is INVALID_RECORD', () => {
    const buf = batch();
    buf.writeInt32BE(5, BatchField.LAST_OFFSET_DELTA);
    buf.writeUInt32BE(crc32c(buf, BatchField.ATTRIBUTES, buf.length), BatchField.CRC);
    expect(codeOf(() => validateBatches(buf, { fromClient: true }))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('LogAppendTime stamps maxTimestamp, sets the attribute bit and keeps the CRC valid', () => {
    const buf = batch();
    setLogAppendTime(buf, 123456);
    expect(validateBatches(buf).maxTimestamp).toBe(123456);
    expect(decodeBatch(buf).records.map((r) => r.timestamp)).toEqual([123456, 123456]);
  });
});

describe('every codec in a batch', () => {
  const values = Array.from({ length: 200 }, (_, i) => `value-${i}-${'x'.repeat(i % 50)}`);
  it.each([0, 1, 2, 3, 4])('codec %i builds, validates and decodes', (compression) => {
    const buf = buildBatch(
      values.map((v, i) => ({ key: `k${i}`, value: v, timestamp: 5000 + i })),
      { compression, baseTimestamp: 5000 },
    );
    expect(validateBatches(buf, { fromClient: true })).toMatchObject({ records: 200, compression, maxTimestamp: 5199 });
    const { records } = decodeBatch(buf);
    expect(records.map((r) => r.value?.toString())).toEqual(values);
    expect(records[199]).toMatchObject({ offset: 199, timestamp: 5199 });
  });

  it('a corrupt compressed body with a correct CRC is CORRUPT_MESSAGE on decode', () => {
    const buf = buildBatch([{ value: 'y'.repeat(1000) }], { compression: 1 });
    buf.fill(0x41, 61 + 10, 61 + 20);
    buf.writeUInt32BE(crc32c(buf, BatchField.ATTRIBUTES, buf.length), BatchField.CRC);
    expect(codeOf(() => decodeBatch(buf))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('hasTransactionalBatch', () => {
  const plain = buildBatch([{ key: null, value: Buffer.from('v'), timestamp: 0, offsetDelta: 0 }], {});
  const txn = buildBatch([{ key: null, value: Buffer.from('v'), timestamp: 0, offsetDelta: 0 }], {
    producerId: 1,
    producerEpoch: 0,
    baseSequence: 0,
    isTransactional: true,
  });
  test('finds a transactional batch anywhere in the set, and none in plain or partial bytes', () => {
    expect(hasTransactionalBatch(null)).toBe(false);
    expect(hasTransactionalBatch(plain)).toBe(false);
    expect(hasTransactionalBatch(Buffer.concat([plain, txn]))).toBe(true);
    expect(hasTransactionalBatch(txn.subarray(0, txn.length - 1))).toBe(false);
  });
});
