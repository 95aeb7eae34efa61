import { crc32 as crc32Native, crc32c as crc32cNative } from '@node-rs/crc32';

/**
 * The two checksums Kafka's record formats use, over the SIMD implementations in @node-rs/crc32.
 * Both take a byte range of `buf` (end exclusive) and read it through a view, never a copy; both
 * return the checksum as an unsigned 32-bit number, the way it is written on the wire.
 */

/** CRC-32C (Castagnoli): record batch v2, bytes from attributes to the end of the batch. */
export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return crc32cNative(view) >>> 0;
}

/** CRC-32 (IEEE 802.3, zlib's): legacy messages v0/v1, bytes from magic to the end of the message. */
export function crc32(buf: Buffer, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return crc32Native(view) >>> 0;
}
