import { ErrorCode, KafkaError } from '../../errors';
import { Rng, seedFromEnv } from '../../testing/random';
import { Compressor } from 'zstd-napi';
import {
  compress,
  compressLz4,
  compressSnappy,
  CompressionType,
  compressionTypeForConfig,
  compressionTypeName,
  decompress,
  decompressLz4,
  decompressSnappy,
  decompressZstd,
  isXerialSnappy,
} from '.';
import { compressible, kafkaErrorOf } from '../../testing/testHelpers';
import { xxh32 } from './xxhash32';

const seed = seedFromEnv();
console.log(`codecs.test seed=${seed} (SAMSA_SEED=${seed} replays)`);
const rng = new Rng(seed);

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const MB = 1024 * 1024;
const SAMPLES: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['1 byte', Buffer.from([0x2a])],
  ['64 KiB + 1 compressible', compressible(rng, 64 * 1024 + 1)],
  ['1 MB random', rng.bytes(MB)],
  ['1 MB compressible', compressible(rng, MB)],
  ['1 MB zeros', Buffer.alloc(MB)],
];

describe.each(CODECS.map((c) => [compressionTypeName(c), c] as const))('%s', (_name, codec) => {
  it.each(SAMPLES)('round-trips %s', (_label, data) => {
    const packed = compress(codec, data);
    const unpacked = decompress(codec, packed);
    expect(unpacked.length).toBe(data.length);
    expect(unpacked.equals(data)).toBe(true);
  });

  it('shrinks compressible data', () => {
    const data = SAMPLES[4][1];
    expect(compress(codec, data).length).toBeLessThan(data.length / 2);
  });

  it('stops at the output cap with MESSAGE_TOO_LARGE, and accepts exactly the cap', () => {
    const data = Buffer.alloc(MB, 7);
    const packed = compress(codec, data);
    expect(decompress(codec, packed, MB).length).toBe(MB);
    const err = kafkaErrorOf(() => decompress(codec, packed, MB - 1));
    expect(err?.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(kafkaErrorOf(() => decompress(codec, packed, 0))?.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('refuses empty input as CORRUPT_MESSAGE', () => {
    expect(kafkaErrorOf(() => decompress(codec, Buffer.alloc(0)))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('compression types', () => {
  it('prints names as Kafka does', () => {
    expect([0, 1, 2, 3, 4].map(compressionTypeName)).toEqual(['NONE', 'GZIP', 'SNAPPY', 'LZ4', 'ZSTD']);
    expect(compressionTypeName(6)).toBe('UNKNOWN(6)');
  });

  it('reads compression.type config values', () => {
    expect(compressionTypeForConfig('lz4')).toBe(CompressionType.Lz4);
    expect(compressionTypeForConfig('uncompressed')).toBe(CompressionType.None);
    expect(compressionTypeForConfig('producer')).toBeNull();
    expect(kafkaErrorOf(() => compressionTypeForConfig('brotli'))?.code).toBe(ErrorCode.INVALID_CONFIG);
  });

  it('treats NONE as the identity', () => {
    const data = Buffer.from('plain');
    expect(compress(CompressionType.None, data)).toBe(data);
    expect(decompress(CompressionType.None, data)).toBe(data);
  });

  it('refuses ids 5-7 with UNSUPPORTED_COMPRESSION_TYPE', () => {
    for (const id of [5, 6, 7]) {
      expect(kafkaErrorOf(() => compress(id, Buffer.from('x')))?.code).toBe(
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      );
      expect(kafkaErrorOf(() => decompress(id, Buffer.from('x')))?.code).toBe(
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      );
    }
  });
});

describe('snappy', () => {
  it('writes raw blocks by default and xerial framing on request', () => {
    const data = compressible(rng, 100_000);
    const raw = compressSnappy(data);
    const xerial = compressSnappy(data, { xerial: true });
    expect(isXerialSnappy(raw)).toBe(false);
    expect(isXerialSnappy(xerial)).toBe(true);
    expect(xerial.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
    expect(decompressSnappy(raw).equals(data)).toBe(true);
    expect(decompressSnappy(xerial).equals(data)).toBe(true);
  });

  it('reads xerial streams concatenated with their headers', () => {
    const a = compressible(rng, 40_000);
    const b = compressible(rng, 3_000);
    const joined = Buffer.concat([compressSnappy(a, { xerial: true }), compressSnappy(b, { xerial: true })]);
    expect(decompressSnappy(joined).equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('refuses a declared length the block cannot hold, before allocating it', () => {
    // varint 0xffffffff: 4 GiB from 6 bytes
    const lie = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
    expect(kafkaErrorOf(() => decompressSnappy(lie))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
    const xerial = Buffer.concat([
      compressSnappy(Buffer.alloc(0), { xerial: true }),
      Buffer.from([0, 0, 0, 6]),
      lie,
    ]);
    expect(kafkaErrorOf(() => decompressSnappy(xerial))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('checks the xerial cap before decoding any block', () => {
    const packed = compressSnappy(Buffer.alloc(200_000), { xerial: true });
    expect(kafkaErrorOf(() => decompressSnappy(packed, 100_000))?.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });
});

describe('lz4', () => {
  it("writes Kafka's framing: independent 64 KiB blocks, no content size, no checksums", () => {
    const packed = compressLz4(compressible(rng, 200_000));
    expect(packed.subarray(0, 7).toString('hex')).toBe('04224d18604082');
    expect(packed.subarray(packed.length - 4).toString('hex')).toBe('00000000');
  });

  it("writes and reads the pre-0.10 header checksum (Kafka's magic 0 framing)", () => {
    const data = compressible(rng, 10_000);
    const legacy = compressLz4(data, { legacyHeaderChecksum: true });
    const modern = compressLz4(data);
    expect(legacy[6]).not.toBe(modern[6]);
    expect(legacy.subarray(7).equals(modern.subarray(7))).toBe(true);
    expect(decompressLz4(legacy).equals(data)).toBe(true);
  });

  it('refuses a header checksum that matches neither form', () => {
    const packed = compressLz4(Buffer.from('hello hello hello'));
    packed[6] ^= 0x55;
    expect(kafkaErrorOf(() => decompressLz4(packed))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('stores incompressible blocks uncompressed', () => {
    const data = rng.bytes(70_000);
    const packed = compressLz4(data);
    expect(packed.readUInt32LE(7) >>> 31).toBe(1);
    expect(decompressLz4(packed).equals(data)).toBe(true);
  });

  it('refuses a declared content size over the cap before decoding', () => {
    // FLG with content size (0x68), BD 64 KiB, content size 2^40, HC, then an end mark
    const header = Buffer.from('04224d18' + '68' + '40' + '0000000000010000', 'hex');
    const frame = Buffer.concat([header, Buffer.from([0]), Buffer.alloc(4)]);
    frame[header.length] = fixHeaderChecksum(frame, header.length);
    expect(kafkaErrorOf(() => decompressLz4(frame, MB))?.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('skips skippable frames', () => {
    const data = Buffer.from('between the skippable frames');
    const skippable = Buffer.from('502a4d1803000000616263', 'hex');
    expect(decompressLz4(Buffer.concat([skippable, compressLz4(data), skippable])).equals(data)).toBe(true);
  });
});

describe('zstd', () => {
  const noSize = new Compressor();
  noSize.setParameters({ contentSizeFlag: false });

  it('reads frames without a content size, bounded by the cap', () => {
    const data = compressible(rng, 300_000);
    const packed = noSize.compress(data);
    expect(decompressZstd(packed).equals(data)).toBe(true);
    expect(kafkaErrorOf(() => decompressZstd(packed, 1000))?.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('reads concatenated frames, with and without content sizes', () => {
    const a = compressible(rng, 5_000);
    const b = compressible(rng, 70_000);
    const sized = Buffer.concat([compress(CompressionType.Zstd, a), compress(CompressionType.Zstd, b)]);
    const mixed = Buffer.concat([noSize.compress(a), compress(CompressionType.Zstd, b)]);
    expect(decompressZstd(sized).equals(Buffer.concat([a, b]))).toBe(true);
    expect(decompressZstd(mixed).equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('refuses a declared content size the frame cannot hold', () => {
    // frame header: magic, FHD 0xa0 (single segment, 8-byte content size), size 2^40; one empty raw last block
    const lie = Buffer.from('28b52ffd' + 'e0' + '0000000000010000' + '010000', 'hex');
    expect(kafkaErrorOf(() => decompressZstd(lie))?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('keeps working after a corrupt frame', () => {
    const data = compressible(rng, 100_000);
    const packed = noSize.compress(data);
    expect(kafkaErrorOf(() => decompressZstd(packed.subarray(0, packed.length - 10)))?.code).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
    expect(decompressZstd(packed).equals(data)).toBe(true);
  });
});

describe('errors', () => {
  it('are KafkaErrors that name the codec', () => {
    const err = kafkaErrorOf(() => decompress(CompressionType.Gzip, Buffer.from('not gzip at all')));
    expect(err).toBeInstanceOf(KafkaError);
    expect(err?.code).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(err?.message).toMatch(/^gzip: /);
  });
});

function fixHeaderChecksum(frame: Buffer, hcPos: number): number {
  return (xxh32(frame, 4, hcPos) >>> 8) & 0xff;
}
