import * as path from 'node:path';
import { crc32 as crc32Native, crc32c as crc32cRs } from '@node-rs/crc32';

/**
 * The two checksums Kafka's record formats use. Both take a byte range of `buf` (end exclusive),
 * never copy it, and return the checksum as an unsigned 32-bit number, the way it is written on
 * the wire.
 *
 * CRC-32C runs on every produced byte, so it comes from our addon (native/crc32c.c: AVX-512
 * carry-less folding where the CPU has it, else SSE4.2), built by scripts/build-native.mjs; where
 * it is not built (another platform, no compiler) @node-rs/crc32 computes it instead.
 */

interface Crc32cAddon {
  crc32c(bytes: Uint8Array, start: number, end: number, initial?: number): number;
  crc32cSse42(bytes: Uint8Array, start: number, end: number, initial?: number): number;
  readonly implementation: string;
}

function loadAddon(): Crc32cAddon | null {
  if (process.env.SAMSA_CRC32C === 'node-rs') return null;
  try {
    // src/records and dist/records are both two levels under the package.
    return require(path.join(__dirname, '..', '..', 'native', 'build', 'crc32c.node')) as Crc32cAddon;
  } catch {
    return null;
  }
}

const addon = loadAddon();

/** Which CRC-32C code runs: "vpclmulqdq", "sse4.2" (our addon) or "@node-rs/crc32". */
export const crc32cImplementation: string = addon ? addon.implementation : '@node-rs/crc32';

/** CRC-32C (Castagnoli): record batch v2, bytes from attributes to the end of the batch. */
export const crc32c: (buf: Buffer, start?: number, end?: number) => number = addon
  ? (buf, start = 0, end = buf.length) => addon.crc32c(buf, start, end)
  : (buf, start = 0, end = buf.length) =>
      crc32cRs(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0;

/** The addon itself, for tests that check each of its paths against @node-rs/crc32. */
export const crc32cAddonForTests: Crc32cAddon | null = addon;

/** CRC-32 (IEEE 802.3, zlib's): legacy messages v0/v1, bytes from magic to the end of the message. */
export function crc32(buf: Buffer, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return crc32Native(view) >>> 0;
}
