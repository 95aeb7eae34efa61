import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../errors';
import { Rng, seedFromEnv } from '../../testing/random';
import { compress, compressSnappy, CompressionType, compressionTypeName, decompress } from '.';
import { compressible, kafkaErrorOf } from '../../testing/testHelpers';

/**
 * Bad compressed input — truncated, bit-flipped, garbage — must come out as a KafkaError
 * (CORRUPT_MESSAGE, or MESSAGE_TOO_LARGE when a flipped length hits the cap), never as another
 * exception and never as a crash.
 */

const seed = seedFromEnv();
console.log(`corrupt.test seed=${seed} (SAMSA_SEED=${seed} replays)`);
const rng = new Rng(seed);
const CAP = 4 * 1024 * 1024;
const OK_CODES = [ErrorCode.CORRUPT_MESSAGE, ErrorCode.MESSAGE_TOO_LARGE];

const data = compressible(rng, 150_000);
const INPUTS: Array<[string, CompressionType, Buffer]> = [
  ['GZIP', CompressionType.Gzip, compress(CompressionType.Gzip, data)],
  ['SNAPPY raw', CompressionType.Snappy, compress(CompressionType.Snappy, data)],
  ['SNAPPY xerial', CompressionType.Snappy, compressSnappy(data, { xerial: true })],
  ['LZ4', CompressionType.Lz4, compress(CompressionType.Lz4, data)],
  ['ZSTD', CompressionType.Zstd, compress(CompressionType.Zstd, data)],
  [
    'ZSTD no content size',
    CompressionType.Zstd,
    readFileSync(join(__dirname, 'fixtures', 'zstd-no-content-size-text.bin')),
  ],
  [
    'LZ4 linked blocks',
    CompressionType.Lz4,
    readFileSync(join(__dirname, 'fixtures', 'lz4-linked-blocks-text.bin')),
  ],
];

describe.each(INPUTS)('%s', (_label, codec, packed) => {
  it('refuses every truncation with CORRUPT_MESSAGE (xerial: or yields a prefix at a block boundary)', () => {
    const cuts = new Set<number>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17, 20, packed.length - 1]);
    for (let i = 0; i < 200; i++) cuts.add(rng.int(0, packed.length - 1));
    const expected = decompress(codec, packed);
    for (const cut of cuts) {
      let out: Buffer | null = null;
      const err = kafkaErrorOf(() => (out = decompress(codec, packed.subarray(0, cut), CAP)));
      if (err !== null) {
        expect([cut, err.code]).toEqual([cut, ErrorCode.CORRUPT_MESSAGE]);
      } else {
        // xerial framing has no end mark: a cut between blocks is a shorter valid stream
        expect(_label).toBe('SNAPPY xerial');
        const prefix = out as unknown as Buffer;
        expect(expected.subarray(0, prefix.length).equals(prefix)).toBe(true);
      }
    }
  });

  it('survives bit flips with a KafkaError or a decode, nothing else', () => {
    for (let i = 0; i < 300; i++) {
      const mutated = Buffer.from(packed);
      const flips = rng.int(1, 4);
      for (let f = 0; f < flips; f++) mutated[rng.int(0, mutated.length - 1)] ^= 1 << rng.int(0, 7);
      const err = kafkaErrorOf(() => decompress(codec, mutated, CAP));
      if (err !== null) expect(OK_CODES).toContain(err.code);
    }
  });

  it('survives bit flips in the first bytes (headers and lengths)', () => {
    for (let i = 0; i < 300; i++) {
      const mutated = Buffer.from(packed);
      mutated[rng.int(0, Math.min(40, mutated.length - 1))] ^= 1 << rng.int(0, 7);
      const err = kafkaErrorOf(() => decompress(codec, mutated, CAP));
      if (err !== null) expect(OK_CODES).toContain(err.code);
    }
  });
});

describe.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])(
  'garbage as %s',
  (codec) => {
    it(`is refused with CORRUPT_MESSAGE (${compressionTypeName(codec)})`, () => {
      for (let i = 0; i < 200; i++) {
        const garbage = rng.bytes(rng.int(1, 2000));
        const err = kafkaErrorOf(() => decompress(codec, garbage, CAP));
        // a random buffer can, rarely, be a valid raw snappy block; it must still not throw anything else
        if (err !== null) expect(OK_CODES).toContain(err.code);
        else expect(codec).toBe(CompressionType.Snappy);
      }
    });

    it(`is refused when it starts like the real thing (${compressionTypeName(codec)})`, () => {
      const head = compress(codec, Buffer.from('a real payload, briefly')).subarray(0, 12);
      for (let i = 0; i < 200; i++) {
        const garbage = Buffer.concat([head, rng.bytes(rng.int(0, 500))]);
        const err = kafkaErrorOf(() => decompress(codec, garbage, CAP));
        if (err !== null) expect(OK_CODES).toContain(err.code);
      }
    });
  },
);
