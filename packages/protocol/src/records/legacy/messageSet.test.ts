import { ErrorCode } from '../../errors';
import { Rng, seedFromEnv } from '../../testing/random';
import { compress, CompressionType } from '../compression';
import { kafkaErrorOf } from '../../testing/testHelpers';
import { xxh32 } from '../compression/xxhash32';
import { crc32 } from '../crc';
import {
  assignMessageSetOffsets,
  decodeMessageSet,
  encodeMessageSet,
  validateMessageSet,
  type LegacyRecord,
  type LegacyRecordInput,
} from '.';

const seed = seedFromEnv();
console.log(`legacy messageSet.test seed=${seed} (SAMSA_SEED=${seed} replays)`);
const rng = new Rng(seed);

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];
const MAGICS = [0, 1] as const;

function sampleRecords(n: number, firstOffset = 0): LegacyRecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    offset: firstOffset + i * 2, // gaps, as a compacted log has
    timestamp: 1_700_000_000_000 + rng.int(0, 100_000),
    key: rng.bool(0.2) ? null : Buffer.from(`key-${i}`),
    value: rng.bool(0.1) ? null : rng.bytes(rng.int(0, 300)),
  }));
}

const view = (r: LegacyRecord) => ({
  offset: r.offset,
  timestamp: r.timestamp,
  key: r.key === null ? null : r.key.toString('hex'),
  value: r.value === null ? null : r.value.toString('hex'),
});
const expectedView = (r: LegacyRecordInput, magic: 0 | 1) => ({
  offset: r.offset,
  timestamp: magic === 0 ? -1 : r.timestamp,
  key: r.key == null ? null : r.key.toString('hex'),
  value: r.value === null ? null : r.value.toString('hex'),
});

/** Rewrites the CRC of the entry at `pos` so that a deliberate change survives the CRC check. */
function fixCrc(buf: Buffer, pos = 0): Buffer {
  const end = pos + 12 + buf.readInt32BE(pos + 8);
  buf.writeUInt32BE(crc32(buf, pos + 16, end), pos + 12);
  return buf;
}

describe.each(MAGICS)('magic %i', (magic) => {
  describe.each(CODECS)('codec %i', (codec) => {
    it('round-trips records with gaps, null keys and null values', () => {
      const records = sampleRecords(20, 4242);
      const buf = encodeMessageSet(records, { magic, codec });
      const decoded = decodeMessageSet(buf);
      expect(decoded.map(view)).toEqual(records.map((r) => expectedView(r, magic)));
      for (const r of decoded) {
        expect(r.magic).toBe(magic);
        expect(r.codec).toBe(codec);
        expect(r.timestampType).toBe(magic === 0 ? -1 : 0);
      }
    });

    it('numbers records from baseOffset when they carry no offset', () => {
      const records = sampleRecords(3).map(({ offset: _o, ...r }) => r);
      const decoded = decodeMessageSet(encodeMessageSet(records, { magic, codec, baseOffset: 2 ** 40 }));
      expect(decoded.map((r) => r.offset)).toEqual([2 ** 40, 2 ** 40 + 1, 2 ** 40 + 2]);
    });

    it('stamps LogAppendTime (magic 1)', () => {
      const buf = encodeMessageSet(sampleRecords(4), { magic, codec, logAppendTimeMs: 1234 });
      const decoded = decodeMessageSet(buf);
      expect(decoded.map((r) => [r.timestamp, r.timestampType])).toEqual(
        decoded.map(() => (magic === 0 ? [-1, -1] : [1234, 1])),
      );
    });

    it('validates and assigns offsets', () => {
      const records = sampleRecords(7).map(({ offset: _o, ...r }) => r);
      const buf = encodeMessageSet(records, { magic, codec });
      const info = validateMessageSet(buf);
      const maxTimestamp = magic === 0 ? -1 : Math.max(...records.map((r) => r.timestamp!));
      expect(info).toMatchObject({ magic, codec, count: 7, firstOffset: 0, lastOffset: 6, maxTimestamp });
      const assigned = assignMessageSetOffsets(buf, 100);
      expect(assigned.inPlace).toBe(codec === CompressionType.None || magic === 1);
      expect(decodeMessageSet(assigned.records).map((r) => r.offset)).toEqual([
        100, 101, 102, 103, 104, 105, 106,
      ]);
      expect(assigned).toMatchObject({ count: 7, lastOffset: 106, maxTimestamp });
    });

    it('assigns offsets under LogAppendTime', () => {
      const buf = encodeMessageSet(sampleRecords(3), { magic, codec });
      const assigned = assignMessageSetOffsets(buf, 10, { logAppendTimeMs: 99 });
      const decoded = decodeMessageSet(assigned.records);
      expect(decoded.map((r) => [r.offset, r.timestamp, r.timestampType])).toEqual(
        magic === 0
          ? [
              [10, -1, -1],
              [11, -1, -1],
              [12, -1, -1],
            ]
          : [
              [10, 99, 1],
              [11, 99, 1],
              [12, 99, 1],
            ],
      );
      expect(assigned.maxTimestamp).toBe(magic === 0 ? -1 : 99);
    });

    it('ignores a trailing partial message at every cut, and never throws', () => {
      const buf = encodeMessageSet(sampleRecords(5), { magic, codec });
      const whole = decodeMessageSet(buf).map(view);
      for (let cut = 0; cut < buf.length; cut++) {
        const part = decodeMessageSet(buf.subarray(0, cut)).map(view);
        expect(whole.slice(0, part.length)).toEqual(part);
        if (codec !== CompressionType.None) expect(part).toEqual([]);
        expect(validateMessageSet(buf.subarray(0, cut)).count).toBe(part.length);
      }
    });

    it('refuses a flipped bit anywhere in a message with CORRUPT_MESSAGE', () => {
      // One uncompressed message: the next one's offset and size fields lie outside any CRC.
      const buf = encodeMessageSet(sampleRecords(codec === CompressionType.None ? 1 : 3), { magic, codec });
      for (let i = 0; i < 200; i++) {
        const mutated = Buffer.from(buf);
        // bytes 0..7 are the offset, outside the CRC; 8..11 the size (a partial or corrupt message)
        const pos = rng.int(12, mutated.length - 1);
        mutated[pos] ^= 1 << rng.int(0, 7);
        const err = kafkaErrorOf(() => decodeMessageSet(mutated));
        expect([pos, err?.code]).toEqual([pos, ErrorCode.CORRUPT_MESSAGE]);
      }
    });
  });
});

describe('corrupt message sets', () => {
  const one = () =>
    encodeMessageSet([{ key: Buffer.from('k'), value: Buffer.from('value'), timestamp: 5 }], { magic: 1 });

  it('refuses a message size below the minimum', () => {
    const buf = one();
    buf.writeInt32BE(13, 8);
    expect(kafkaErrorOf(() => decodeMessageSet(buf))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
    buf.writeInt32BE(-5, 8);
    expect(kafkaErrorOf(() => decodeMessageSet(buf))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses magic 2 and other magics', () => {
    for (const magic of [2, 3, -1]) {
      const buf = one();
      buf.writeInt8(magic, 16);
      expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(buf)))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
    }
  });

  it('refuses a magic 1 message too short for its timestamp', () => {
    const buf = encodeMessageSet([{ key: null, value: null }], { magic: 0 });
    buf.writeInt8(1, 16);
    expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(buf)))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses key and value lengths that are negative or run past the message', () => {
    for (const [field, value] of [
      [26, -2],
      [26, 2],
      [26, 1_000_000],
      [26, 0x7fffffff],
      [31, -7],
      [31, 6],
      [31, 4],
    ] as const) {
      const buf = one();
      buf.writeInt32BE(value, field);
      expect([field, value, kafkaErrorOf(() => decodeMessageSet(fixCrc(buf)))?.code]).toEqual([
        field,
        value,
        ErrorCode.CORRUPT_MESSAGE,
      ]);
    }
  });

  it('refuses a bad CRC', () => {
    const buf = one();
    buf[12] ^= 0x80;
    expect(kafkaErrorOf(() => decodeMessageSet(buf))?.message).toMatch(/CRC/);
  });

  it('refuses an unknown codec, a null wrapper value and corrupt compressed bytes', () => {
    const unknown = one();
    unknown[17] = 5;
    expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(unknown)))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);

    const nullValue = encodeMessageSet([{ key: null, value: null }], { magic: 1 });
    nullValue[17] = CompressionType.Gzip;
    expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(nullValue)))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);

    const garbage = encodeMessageSet([{ key: null, value: Buffer.from('not snappy at all') }], { magic: 1 });
    garbage[17] = CompressionType.Snappy;
    expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(garbage)))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses a wrapper around another compressed message, or an empty one, or a magic mismatch', () => {
    const inner = encodeMessageSet([{ value: Buffer.from('x') }], { magic: 1, codec: CompressionType.Gzip });
    const nested = encodeMessageSet([{ key: null, value: compress(CompressionType.Gzip, inner) }], {
      magic: 1,
    });
    nested[17] = CompressionType.Gzip;
    expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(nested)))?.message).toMatch(/another compressed/);

    const empty = encodeMessageSet([{ key: null, value: compress(CompressionType.Gzip, Buffer.alloc(0)) }], {
      magic: 1,
    });
    empty[17] = CompressionType.Gzip;
    expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(empty)))?.message).toMatch(/no messages/);

    const v0inner = encodeMessageSet([{ value: Buffer.from('x') }], { magic: 0 });
    const mismatch = encodeMessageSet([{ key: null, value: compress(CompressionType.Gzip, v0inner) }], {
      magic: 1,
    });
    mismatch[17] = CompressionType.Gzip;
    expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(mismatch)))?.message).toMatch(/magic 0 message/);
  });

  it('refuses a truncated inner message set', () => {
    const innerSet = encodeMessageSet([{ value: Buffer.from('hello') }, { value: Buffer.from('world') }], {
      magic: 1,
    });
    const wrapper = encodeMessageSet(
      [{ key: null, value: compress(CompressionType.Lz4, innerSet.subarray(0, innerSet.length - 3)) }],
      {
        magic: 1,
      },
    );
    wrapper[17] = CompressionType.Lz4;
    expect(kafkaErrorOf(() => decodeMessageSet(fixCrc(wrapper)))?.message).toMatch(/truncated inner/);
  });

  it('caps decompression per wrapper with MESSAGE_TOO_LARGE', () => {
    const buf = encodeMessageSet([{ value: Buffer.alloc(100_000) }], {
      magic: 1,
      codec: CompressionType.Zstd,
    });
    expect(kafkaErrorOf(() => decodeMessageSet(buf, { maxOutputBytes: 50_000 }))?.code).toBe(
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    expect(decodeMessageSet(buf, { maxOutputBytes: 200_000 }).length).toBe(1);
  });

  it('survives random mutations of whole sets with KafkaErrors only', () => {
    const sets = CODECS.flatMap((codec) =>
      MAGICS.map((magic) => encodeMessageSet(sampleRecords(4), { magic, codec })),
    );
    for (let i = 0; i < 2000; i++) {
      const mutated = Buffer.from(rng.pick(sets));
      for (let f = rng.int(1, 3); f > 0; f--) mutated[rng.int(0, mutated.length - 1)] = rng.int(0, 255);
      const err = kafkaErrorOf(() => assignMessageSetOffsets(mutated, 0));
      if (err !== null) expect([ErrorCode.CORRUPT_MESSAGE, ErrorCode.MESSAGE_TOO_LARGE]).toContain(err.code);
    }
  });
});

describe('magic 1 wrapper offsets', () => {
  it('are the absolute offset of the last inner message; a smaller one leaves inner offsets as they are', () => {
    const buf = encodeMessageSet(sampleRecords(3, 50), { magic: 1, codec: CompressionType.Gzip });
    expect(buf.readBigInt64BE(0)).toBe(54n);
    expect(decodeMessageSet(buf).map((r) => r.offset)).toEqual([50, 52, 54]);
    buf.writeBigInt64BE(1n, 0); // below the last inner offset (4): Kafka and kafka-python ignore it
    expect(decodeMessageSet(buf).map((r) => r.offset)).toEqual([0, 2, 4]);
  });

  it('are rebuilt when inner offsets are not 0..n-1', () => {
    const buf = encodeMessageSet(sampleRecords(3, 0), { magic: 1, codec: CompressionType.Snappy }); // inner 0, 2, 4
    const assigned = assignMessageSetOffsets(buf, 10);
    expect(assigned.inPlace).toBe(false);
    expect(decodeMessageSet(assigned.records).map((r) => r.offset)).toEqual([10, 11, 12]);
  });

  it('of several wrappers are rebuilt into one', () => {
    const a = encodeMessageSet(
      sampleRecords(2).map(({ offset: _o, ...r }) => r),
      { magic: 1, codec: CompressionType.Lz4 },
    );
    const b = encodeMessageSet(
      sampleRecords(3).map(({ offset: _o, ...r }) => r),
      { magic: 1, codec: CompressionType.Lz4 },
    );
    const assigned = assignMessageSetOffsets(Buffer.concat([a, b]), 0);
    expect(assigned.inPlace).toBe(false);
    expect(validateMessageSet(assigned.records)).toMatchObject({
      shallowCount: 1,
      count: 5,
      firstOffset: 0,
      lastOffset: 4,
    });
  });
});

describe('magic 0 with LZ4', () => {
  it('writes the pre-0.10 header checksum, as Kafka does for magic 0', () => {
    const buf = encodeMessageSet([{ value: Buffer.from('old consumer') }], {
      magic: 0,
      codec: CompressionType.Lz4,
    });
    const value = buf.subarray(26); // offset, size, crc, magic, attributes, key length (-1), value length
    expect(value[6]).toBe((xxh32(value, 0, 6) >>> 8) & 0xff);
  });
});

describe('empty input', () => {
  it('is an empty set', () => {
    expect(decodeMessageSet(Buffer.alloc(0))).toEqual([]);
    expect(validateMessageSet(Buffer.alloc(0))).toMatchObject({ magic: -1, count: 0, validBytes: 0 });
    expect(assignMessageSetOffsets(Buffer.alloc(0), 7)).toMatchObject({ count: 0, lastOffset: 6 });
    expect(encodeMessageSet([], { magic: 1, codec: CompressionType.Gzip }).length).toBe(0);
  });
});
