import { buildBatch, decodeBatch } from './record';
import { batchRecordReader, firstRecordWithoutKey, RecordStreamReader } from './recordStream';
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

describe('firstRecordWithoutKey', () => {
  it('finds the first keyless record, or -1', () => {
    expect(firstRecordWithoutKey(batch, 1 << 20)).toBe(0);
    const keyed = buildBatch(records.map((r, i) => ({ ...r, key: `k${i}` })), { compression: CompressionType.Gzip });
    expect(firstRecordWithoutKey(keyed, 1 << 20)).toBe(-1);
    const late = buildBatch(records.map((r, i) => ({ ...r, key: i === 33 ? null : `k${i}` })), { compression: CompressionType.Lz4 });
    expect(firstRecordWithoutKey(late, 1 << 20)).toBe(33);
  });

  it('refuses a record whose length runs past the batch', () => {
    const cut = withLength(batch, RECORD_BATCH_OVERHEAD + 20); // 20 bytes of records, 40 claimed
    cut[RECORD_BATCH_OVERHEAD] = 0x7e; // the first record claims 63 bytes
    expect(() => firstRecordWithoutKey(cut, 1 << 20)).toThrow(/beyond/);
  });
});

/** `batch` cut to `size` bytes, its length field saying so. */
function withLength(b: Buffer, size: number): Buffer {
  const out = Buffer.from(b.subarray(0, size));
  out.writeInt32BE(size - 12, 8);
  return out;
}
