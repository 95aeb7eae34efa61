/**
 * XXH32 (seed 0 by default), for the LZ4 frame's one-byte header checksum: a few bytes per frame,
 * so a plain TypeScript version costs nothing that matters. Not for bulk data.
 */

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

const round = (acc: number, lane: number): number =>
  Math.imul(rotl((acc + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);

/** XXH32 of `buf[start, end)`, unsigned. */
export function xxh32(buf: Buffer, start = 0, end = buf.length, seed = 0): number {
  let pos = start;
  const length = end - start;
  let h: number;
  if (length >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME1) | 0;
    for (const limit = end - 16; pos <= limit; pos += 16) {
      v1 = round(v1, buf.readUInt32LE(pos));
      v2 = round(v2, buf.readUInt32LE(pos + 4));
      v3 = round(v3, buf.readUInt32LE(pos + 8));
      v4 = round(v4, buf.readUInt32LE(pos + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + PRIME5) | 0;
  }
  h = (h + length) | 0;
  for (; pos + 4 <= end; pos += 4) {
    h = Math.imul(rotl((h + Math.imul(buf.readUInt32LE(pos), PRIME3)) | 0, 17), PRIME4);
  }
  for (; pos < end; pos++) {
    h = Math.imul(rotl((h + Math.imul(buf[pos], PRIME5)) | 0, 11), PRIME1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, PRIME2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME3);
  h ^= h >>> 16;
  return h >>> 0;
}
