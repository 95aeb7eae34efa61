import { crc32 as zlibCrc32 } from 'node:zlib';
import { Rng, seedFromEnv } from '../testing/random';
import { crc32, crc32c } from './crc';

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
});
