import { crc32c as crc32cRs } from '@node-rs/crc32';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Rng, seedFromEnv } from '../testing/random';
import { crc32, crc32c, crc32cAddonForTests, crc32cImplementation } from './crc';

/** records/crc.ts (kept here: this helper may only write under legacy/ and compression/). */

const seed = seedFromEnv();
const rng = new Rng(seed);

describe('crc', () => {
  const check = Buffer.from('123456789');

  it('gives the standard check values, unsigned', () => {
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32c(check)).toBe(0xe3069283);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    expect(crc32c(Buffer.alloc(100, 0xff))).toBe(3161799389); // high bit set: unsigned, not negative
  });

  it('checksums a range exactly as the sliced bytes', () => {
    const buf = rng.bytes(4096);
    for (let i = 0; i < 50; i++) {
      const start = rng.int(0, buf.length);
      const end = rng.int(start, buf.length);
      expect(crc32(buf, start, end)).toBe(zlibCrc32(buf.subarray(start, end)) >>> 0);
      expect(crc32c(buf, start, end)).toBe(crc32c(Buffer.from(buf.subarray(start, end))));
    }
  });

  it('defaults the end to the end of the buffer', () => {
    const buf = Buffer.concat([Buffer.from('xx'), check]);
    expect(crc32(buf, 2)).toBe(0xcbf43926);
    expect(crc32c(buf, 2)).toBe(0xe3069283);
  });

  describe('native CRC-32C addon', () => {
    const addon = crc32cAddonForTests;
    const reference = (b: Buffer) => crc32cRs(b) >>> 0;

    it('is built and loaded on Linux x86-64 (make build compiles it)', () => {
      if (process.platform !== 'linux' || process.arch !== 'x64' || process.env.SAMSA_CRC32C) return;
      expect(addon).not.toBeNull();
      expect(['vpclmulqdq', 'sse4.2']).toContain(crc32cImplementation);
    });

    const paths = addon
      ? ([
          ['fastest path', addon.crc32c],
          ['SSE4.2 path', addon.crc32cSse42],
        ] as const)
      : [];
    for (const [name, fn] of paths) {
      it(`${name}: equals @node-rs/crc32 for every length 0..2100 at odd offsets, and large inputs`, () => {
        const buf = rng.bytes(300_000);
        for (let len = 0; len <= 2100; len++) {
          const off = rng.int(0, 64);
          expect(fn(buf, off, off + len)).toBe(reference(buf.subarray(off, off + len)));
        }
        for (const len of [4095, 4096, 65_536, 65_537, 262_143, 299_990]) {
          const off = rng.int(0, buf.length - len);
          expect(fn(buf, off, off + len)).toBe(reference(buf.subarray(off, off + len)));
        }
        expect(fn(buf.subarray(5, 1005), 0, 1000)).toBe(reference(buf.subarray(5, 1005)));
      });

      it(`${name}: continues from an initial CRC`, () => {
        const buf = rng.bytes(100_000);
        const cut = rng.int(0, buf.length);
        expect(fn(buf, cut, buf.length, fn(buf, 0, cut))).toBe(reference(buf));
      });
    }

    it('refuses a range outside the bytes and a non-byte array, without crashing', () => {
      if (!addon) return;
      const buf = Buffer.alloc(10);
      expect(() => addon.crc32c(buf, 5, 11)).toThrow(/0 <= start <= end <= bytes.length/);
      expect(() => addon.crc32c(buf, 6, 5)).toThrow(/0 <= start <= end <= bytes.length/);
      expect(() => addon.crc32c(buf, -1, 5)).toThrow(/0 <= start <= end <= bytes.length/);
      expect(() => addon.crc32c(new Uint16Array(4) as unknown as Uint8Array, 0, 1)).toThrow(/Uint8Array/);
    });
  });
});
