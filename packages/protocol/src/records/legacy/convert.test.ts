import { gzipSync } from 'node:zlib';
import { ErrorCode, KafkaError } from '../../errors';
import { Attribute, BatchField } from '../batch';
import { CompressionType } from '../compression';
import { crc32 } from '../crc';
import { buildBatch, decodeBatch } from '../record';
import { convertMessageSetToBatch } from './convert';
import { decodeMessageSet } from './decode';
import { encodeMessageSet } from './encode';
import { inflateLegacyWrappers } from './inflate';

const LIMIT = 1024 * 1024;

function codeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  return undefined;
}

/** What the produce path built before: one object per record through buildBatch. */
function viaObjects(set: Buffer): Buffer {
  const legacy = decodeMessageSet(set);
  const codec = [...legacy].reverse().find((r) => r.codec !== 0)?.codec ?? 0;
  return buildBatch(
    legacy.map((r, i) => ({ key: r.key, value: r.value, timestamp: r.timestamp, offsetDelta: i })),
    { compression: codec, baseTimestamp: legacy[0].timestamp, partitionLeaderEpoch: -1 },
  );
}

const records = Array.from({ length: 50 }, (_, i) => ({
  key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
  value: i % 7 === 0 ? null : Buffer.alloc(i * 40, i),
  timestamp: 1_700_000_000_000 + i * 13,
}));

describe('convertMessageSetToBatch', () => {
  test.each([
    ['magic 0, uncompressed', 0, CompressionType.None],
    ['magic 1, uncompressed', 1, CompressionType.None],
    ['magic 1, gzip', 1, CompressionType.Gzip],
    ['magic 0, snappy', 0, CompressionType.Snappy],
    ['magic 1, lz4', 1, CompressionType.Lz4],
  ] as const)('%s: the same bytes as building the batch from decoded records', (_name, magic, codec) => {
    const set = encodeMessageSet(records, { magic, codec });
    const batch = convertMessageSetToBatch(set, { maxInflatedBytes: LIMIT });
    expect(batch.equals(viaObjects(set))).toBe(true);
    const decoded = decodeBatch(batch);
    expect(decoded.header.attributes & Attribute.COMPRESSION_MASK).toBe(codec);
    expect(decoded.records.map((r) => [r.key?.toString() ?? null, r.value?.length ?? null])).toEqual(
      records.map((r) => [r.key?.toString() ?? null, r.value?.length ?? null]),
    );
  });

  test('aWrapperInflatingPastTheBoundIsRecordListTooLarge', () => {
    const set = encodeMessageSet([{ value: Buffer.alloc(2 * LIMIT) }], { magic: 1, codec: CompressionType.Gzip });
    expect(codeOf(() => convertMessageSetToBatch(set, { maxInflatedBytes: LIMIT }))).toBe(
      ErrorCode.RECORD_LIST_TOO_LARGE,
    );
  });

  test('manyWrappersEachUnderTheBoundButTogetherOverItAreRecordListTooLarge', () => {
    const one = encodeMessageSet([{ value: Buffer.alloc(LIMIT / 4) }], { magic: 1, codec: CompressionType.Gzip });
    const set = Buffer.concat(Array.from({ length: 5 }, () => one));
    expect(codeOf(() => convertMessageSetToBatch(set, { maxInflatedBytes: LIMIT }))).toBe(
      ErrorCode.RECORD_LIST_TOO_LARGE,
    );
    expect(codeOf(() => convertMessageSetToBatch(set, { maxInflatedBytes: 2 * LIMIT }))).toBeUndefined();
  });

  test('aGzipBombOfConcatenatedMembersStopsAtTheBound', () => {
    // One gzip member of 64 KiB of tiny magic 0 messages, repeated: inflates to 64 MiB.
    const inner = encodeMessageSet(
      Array.from({ length: 2521 }, () => ({ value: Buffer.from('x') })),
      { magic: 0 },
    );
    const member = gzipSync(inner, { level: 9 });
    const value = Buffer.concat(Array.from({ length: 1024 }, () => member));
    const bomb = legacyWrapperV0(value, CompressionType.Gzip);
    const started = process.hrtime.bigint();
    expect(codeOf(() => convertMessageSetToBatch(bomb, { maxInflatedBytes: LIMIT }))).toBe(
      ErrorCode.RECORD_LIST_TOO_LARGE,
    );
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  test('theConvertedBatchHasCountLastOffsetDeltaAndTimestampsOfItsRecords', () => {
    const set = encodeMessageSet(records, { magic: 1 });
    const batch = convertMessageSetToBatch(set, { maxInflatedBytes: LIMIT });
    expect(batch.readInt32BE(BatchField.RECORDS_COUNT)).toBe(records.length);
    expect(batch.readInt32BE(BatchField.LAST_OFFSET_DELTA)).toBe(records.length - 1);
    expect(decodeBatch(batch).header.maxTimestamp).toBe(records[records.length - 1].timestamp);
  });
});

/** A magic 0 wrapper message (offset 0) holding `value` with codec `codec`, CRC-32 computed here. */
function legacyWrapperV0(value: Buffer, codec: number): Buffer {
  const body = Buffer.alloc(1 + 1 + 4 + 4 + value.length);
  body[0] = 0; // magic
  body[1] = codec;
  body.writeInt32BE(-1, 2); // null key
  body.writeInt32BE(value.length, 6);
  value.copy(body, 10);
  const entry = Buffer.alloc(12 + 4 + body.length);
  entry.writeInt32BE(0, 0);
  entry.writeInt32BE(0, 4);
  entry.writeInt32BE(4 + body.length, 8);
  entry.writeUInt32BE(crc32(body, 0, body.length), 12);
  body.copy(entry, 16);
  return entry;
}

describe('inflateLegacyWrappers', () => {
  test('preInflatedWrappersConvertToTheSameBatch', async () => {
    const set = Buffer.concat([
      encodeMessageSet(records.slice(0, 20), { magic: 1, codec: CompressionType.Gzip }),
      encodeMessageSet(records.slice(20), { magic: 1, codec: CompressionType.Snappy }),
    ]);
    const inflated = await inflateLegacyWrappers(set, { maxInflatedBytes: LIMIT });
    expect(inflated.size).toBe(2);
    const batch = convertMessageSetToBatch(set, { maxInflatedBytes: LIMIT, inflated });
    expect(batch.equals(convertMessageSetToBatch(set, { maxInflatedBytes: LIMIT }))).toBe(true);
  });

  test('wrappersTogetherPastTheBoundAreRecordListTooLargeOffTheEventLoop', async () => {
    const one = encodeMessageSet([{ value: Buffer.alloc(LIMIT / 4) }], { magic: 1, codec: CompressionType.Gzip });
    const set = Buffer.concat(Array.from({ length: 5 }, () => one));
    await expect(inflateLegacyWrappers(set, { maxInflatedBytes: LIMIT })).rejects.toMatchObject({
      code: ErrorCode.RECORD_LIST_TOO_LARGE,
    });
  });

  test('aCorruptGzipWrapperIsCorruptMessage', async () => {
    const set = legacyWrapperV0(Buffer.from('not gzip at all'), CompressionType.Gzip);
    await expect(inflateLegacyWrappers(set, { maxInflatedBytes: LIMIT })).rejects.toMatchObject({
      code: ErrorCode.CORRUPT_MESSAGE,
    });
  });
});
