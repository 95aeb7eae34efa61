import { buildBatch, decodeBatch } from './record';
import { batchRecordReader, RecordStreamReader } from './recordStream';
import { CompressionType } from './compression';
import { RECORD_BATCH_OVERHEAD, readBatchHeader } from './batch';

const records = Array.from({ length: 40 }, (_, i) => ({
  key: i % 7 === 0 ? null : `key-${i}`,
  value: i % 5 === 0 ? null : 'v'.repeat(i * 13),
  headers: i % 3 === 0 ? [{ key: 'h', value: Buffer.from([i]) }] : [],
  offsetDelta: i,
}));
const batch = buildBatch(records, { baseOffset: 100 });
const body = batch.subarray(RECORD_BATCH_OVERHEAD);
const expected = decodeBatch(batch).records;

describe('RecordStreamReader', () => {
  it.each([1, 2, 3, 7, 64, 1000, body.length])('reads every record whatever the chunk size (%i bytes)', (chunkBytes) => {
    const reader = new RecordStreamReader(readBatchHeader(batch), 1 << 20);
    const got = [];
    for (let pos = 0; pos < body.length; pos += chunkBytes) {
      reader.push(body.subarray(pos, pos + chunkBytes));
      for (let r = reader.next(); r !== null; r = reader.next()) got.push(r);
    }
    expect(got).toEqual(expected);
    expect(reader.recordsRead).toBe(40);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('tells the next record size before its bytes are there, and refuses one past its cap', () => {
    const reader = new RecordStreamReader(readBatchHeader(batch), 100);
    reader.push(body.subarray(0, 2));
    expect(reader.nextRecordBytes()).toBeGreaterThan(0);
    const big = buildBatch([{ key: 'k', value: 'x'.repeat(500) }]);
    const bigReader = new RecordStreamReader(readBatchHeader(big), 100);
    bigReader.push(big.subarray(RECORD_BATCH_OVERHEAD, RECORD_BATCH_OVERHEAD + 3));
    expect(bigReader.nextRecordBytes()).toBeGreaterThan(500);
    expect(() => bigReader.next()).toThrow(/claims/);
  });

  it('batchRecordReader walks a compressed batch record by record, and checks the CRC', () => {
    const zstd = buildBatch(records, { baseOffset: 100, compression: CompressionType.Zstd });
    const reader = batchRecordReader(zstd);
    const got = [];
    for (let r = reader.next(); r !== null; r = reader.next()) got.push(r);
    expect(got).toEqual(decodeBatch(zstd).records);
    const bad = Buffer.from(zstd);
    bad[bad.length - 1] ^= 1;
    expect(() => batchRecordReader(bad)).toThrow(/CRC/);
  });
});
