import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionType, decompress } from '.';
import { xxh32 } from './xxhash32';

/**
 * Bytes compressed by kafka-python 2.0.2's codec functions and the libraries under them
 * (gen-fixtures.sh regenerates them); each must decompress to the payload the manifest describes.
 */

interface Fixture {
  readonly file: string;
  readonly codec: 'gzip' | 'snappy' | 'lz4' | 'zstd';
  readonly payload: string;
  readonly note: string;
  readonly length: number;
  readonly sha256: string;
}

const dir = join(__dirname, 'fixtures');
const manifest: Fixture[] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const CODEC_IDS = {
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
} as const;

describe('fixtures from kafka-python', () => {
  it('cover every codec and every payload', () => {
    expect(new Set(manifest.map((f) => f.codec))).toEqual(new Set(Object.keys(CODEC_IDS)));
    expect(manifest.length).toBeGreaterThanOrEqual(30);
  });

  it.each(manifest.map((f) => [f.file, f] as const))('%s decodes', (_file, f) => {
    const out = decompress(CODEC_IDS[f.codec], readFileSync(join(dir, f.file)));
    expect(out.length).toBe(f.length);
    expect(createHash('sha256').update(out).digest('hex')).toBe(f.sha256);
  });
});

describe('xxh32', () => {
  const vectors: Array<{ hex: string; seed: number; xxh32: number }> = JSON.parse(
    readFileSync(join(dir, 'xxh32-vectors.json'), 'utf8'),
  );

  it("matches libxxhash's XXH32 on every length up to 39 and beyond", () => {
    for (const v of vectors) {
      const buf = Buffer.from(v.hex, 'hex');
      expect([v.hex.length / 2, v.seed, xxh32(buf, 0, buf.length, v.seed)]).toEqual([
        buf.length,
        v.seed,
        v.xxh32,
      ]);
    }
  });

  it('hashes a range of a larger buffer', () => {
    const v = vectors.find((x) => x.hex.length === 2 * 20 && x.seed === 0)!;
    const padded = Buffer.concat([Buffer.from('pre'), Buffer.from(v.hex, 'hex'), Buffer.from('post')]);
    expect(xxh32(padded, 3, 23)).toBe(v.xxh32);
  });
});
