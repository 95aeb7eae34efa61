import { compressSync, uncompressSync } from 'lz4-napi';
import { asKafkaError, checkOutputBytes, corrupt, MAX_OUTPUT_BYTES_DEFAULT } from './limits';
import { xxh32 } from './xxhash32';

/**
 * LZ4 in Kafka is the LZ4 *frame* format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md):
 * magic 0x184D2204 (LE), FLG, BD, [content size u64], [dict id u32], HC, then blocks
 * { u32 LE size (high bit: stored uncompressed), data, [u32 checksum] }*, u32 0 end mark,
 * [u32 content checksum].
 *
 * We walk the frame here and hand each block to lz4_flex (native), which lets us:
 * - bound the output: every block is at most the frame's block maximum, so the cap is checked
 *   between blocks and a bomb stops within one block of it;
 * - accept Kafka's old broken header checksum. Kafka before 0.10 (magic 0 messages,
 *   KafkaLZ4BlockOutputStream) hashed the magic bytes too; Kafka 0.10+ reads magic 0 LZ4 ignoring
 *   the checksum and still writes the broken one when it down-converts to magic 0. We accept either
 *   the correct or the broken checksum whatever the magic; the message CRC protects the bytes anyway;
 * - decode linked blocks (python-lz4's default; Kafka's Java reader refuses them) and concatenated
 *   frames, and skip skippable frames.
 * Block and content checksums are skipped, not verified (the batch or message CRC covers these
 * bytes). Dictionary ids are refused (no Kafka client uses them).
 *
 * We write what Kafka's KafkaLZ4BlockOutputStream writes: 64 KiB independent blocks, no content
 * size, no checksums.
 */

const CODEC = 'lz4';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC = 0x184d2a50;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;

const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_RESERVED = 0x8f;

const BLOCK_UNCOMPRESSED = 0x80000000;
/** Linked blocks may refer back this far into earlier output. */
const LINKED_WINDOW_BYTES = 64 * 1024;

const WRITE_BLOCK_BYTES = 64 * 1024;
const WRITE_FLG = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE;
/** BD with block maximum id 4 = 64 KiB. */
const WRITE_BD = 4 << 4;

export interface Lz4CompressOptions {
  /**
   * Write the header checksum the way Kafka < 0.10 computed it (over the magic bytes too). Kafka
   * does this for magic 0 messages, so that 0.8/0.9 consumers accept them.
   */
  readonly legacyHeaderChecksum?: boolean;
}

export function compressLz4(data: Buffer, options?: Lz4CompressOptions): Buffer {
  const header = Buffer.allocUnsafe(7);
  header.writeUInt32LE(FRAME_MAGIC, 0);
  header[4] = WRITE_FLG;
  header[5] = WRITE_BD;
  header[6] = headerChecksum(header, options?.legacyHeaderChecksum ? 0 : 4, 6);
  const parts: Buffer[] = [header];
  let total = header.length + 4;
  for (let pos = 0; pos < data.length; pos += WRITE_BLOCK_BYTES) {
    const chunk = data.subarray(pos, Math.min(data.length, pos + WRITE_BLOCK_BYTES));
    // lz4_flex prefixes the block with its uncompressed size (u32 LE); that slot becomes the
    // frame's block size field, so the block is not copied again.
    const block = compressSync(chunk);
    const blockBytes = block.length - 4;
    if (blockBytes < chunk.length) {
      block.writeUInt32LE(blockBytes, 0);
      parts.push(block);
    } else {
      const size = Buffer.allocUnsafe(4);
      size.writeUInt32LE((BLOCK_UNCOMPRESSED | chunk.length) >>> 0, 0);
      parts.push(size, chunk);
    }
    total += 4 + Math.min(blockBytes, chunk.length);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts, total);
}

export function decompressLz4(data: Buffer, maxOutputBytes = MAX_OUTPUT_BYTES_DEFAULT): Buffer {
  if (data.length === 0) throw corrupt(CODEC, 'empty input');
  const out: FrameOutput = { chunks: [], bytes: 0, maxOutputBytes, scratch: null };
  let pos = 0;
  while (pos < data.length) {
    if (data.length - pos < 4) throw corrupt(CODEC, `${data.length - pos} stray bytes after the last frame`);
    const magic = data.readUInt32LE(pos);
    if (magic === FRAME_MAGIC) {
      pos = readFrame(data, pos, out);
    } else if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (data.length - pos < 8) throw corrupt(CODEC, 'skippable frame truncated');
      const skip = data.readUInt32LE(pos + 4);
      if (skip > data.length - pos - 8) throw corrupt(CODEC, 'skippable frame truncated');
      pos += 8 + skip;
    } else {
      throw corrupt(CODEC, `bad frame magic 0x${magic.toString(16)} at ${pos}`);
    }
  }
  return out.chunks.length === 1 ? out.chunks[0] : Buffer.concat(out.chunks, out.bytes);
}

interface FrameOutput {
  /** Decoded blocks, each a buffer of its own (never a view of the input). */
  readonly chunks: Buffer[];
  bytes: number;
  readonly maxOutputBytes: number;
  /** Reused to give lz4_flex its size-prefixed input. */
  scratch: Buffer | null;
}

/** Reads one frame at `pos` (its magic already checked); returns the position after it. */
function readFrame(data: Buffer, frameStart: number, out: FrameOutput): number {
  const descriptorStart = frameStart + 4;
  if (data.length - descriptorStart < 3) throw corrupt(CODEC, 'frame header truncated');
  const flg = data[descriptorStart];
  const bd = data[descriptorStart + 1];
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01)
    throw corrupt(CODEC, `unsupported frame version in FLG 0x${flg.toString(16)}`);
  if (flg & FLG_RESERVED || bd & BD_RESERVED)
    throw corrupt(CODEC, 'reserved bits set in the frame descriptor');
  if (flg & FLG_DICT_ID) throw corrupt(CODEC, 'frames with a dictionary id are not supported');
  const blockMaxId = (bd >>> 4) & 0x07;
  if (blockMaxId < 4) throw corrupt(CODEC, `bad block maximum size id ${blockMaxId}`);
  const blockMaxBytes = 1 << (2 * blockMaxId + 8);

  const descriptorEnd = descriptorStart + 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0);
  if (data.length - descriptorEnd < 1) throw corrupt(CODEC, 'frame header truncated');
  const hc = data[descriptorEnd];
  if (
    hc !== headerChecksum(data, descriptorStart, descriptorEnd) &&
    hc !== headerChecksum(data, frameStart, descriptorEnd)
  ) {
    throw corrupt(CODEC, 'frame header checksum mismatch');
  }
  let contentBytes = -1;
  if (flg & FLG_CONTENT_SIZE) {
    contentBytes = data.readUInt32LE(descriptorStart + 2) + data.readUInt32LE(descriptorStart + 6) * 2 ** 32;
    checkOutputBytes(CODEC, out.bytes + contentBytes, out.maxOutputBytes);
  }

  const linked = (flg & FLG_BLOCK_INDEPENDENCE) === 0;
  const blockTrailerBytes = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
  const frameFirstChunk = out.chunks.length;
  const frameStartBytes = out.bytes;
  let pos = descriptorEnd + 1;
  for (;;) {
    if (data.length - pos < 4) throw corrupt(CODEC, 'frame truncated before its end mark');
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const blockBytes = word & ~BLOCK_UNCOMPRESSED;
    if (blockBytes > blockMaxBytes)
      throw corrupt(CODEC, `block of ${blockBytes} bytes exceeds the frame's maximum ${blockMaxBytes}`);
    if (data.length - pos < blockBytes + blockTrailerBytes) throw corrupt(CODEC, 'block truncated');
    let block: Buffer;
    if (word & BLOCK_UNCOMPRESSED) {
      checkOutputBytes(CODEC, out.bytes + blockBytes, out.maxOutputBytes);
      block = Buffer.from(data.subarray(pos, pos + blockBytes));
    } else {
      const dictionary =
        linked && out.chunks.length > frameFirstChunk ? recentOutput(out.chunks, frameFirstChunk) : null;
      block = decodeBlock(data, pos, blockBytes, blockMaxBytes, dictionary, out);
      checkOutputBytes(CODEC, out.bytes + block.length, out.maxOutputBytes);
    }
    out.chunks.push(block);
    out.bytes += block.length;
    pos += blockBytes + blockTrailerBytes;
  }
  if (flg & FLG_CONTENT_CHECKSUM) {
    if (data.length - pos < 4) throw corrupt(CODEC, 'content checksum truncated');
    pos += 4;
  }
  if (contentBytes >= 0 && out.bytes - frameStartBytes !== contentBytes) {
    throw corrupt(CODEC, `frame declares ${contentBytes} bytes but holds ${out.bytes - frameStartBytes}`);
  }
  return pos;
}

/** lz4_flex reads `u32 LE capacity` + block; the capacity bounds its output (it returns the real size). */
function decodeBlock(
  data: Buffer,
  pos: number,
  blockBytes: number,
  blockMaxBytes: number,
  dictionary: Buffer | null,
  out: FrameOutput,
): Buffer {
  if (out.scratch === null || out.scratch.length < blockBytes + 4)
    out.scratch = Buffer.allocUnsafe(blockBytes + 4);
  const input = out.scratch.subarray(0, blockBytes + 4);
  input.writeUInt32LE(blockMaxBytes, 0);
  data.copy(input, 4, pos, pos + blockBytes);
  try {
    return dictionary === null ? uncompressSync(input) : uncompressSync(input, dictionary);
  } catch (err) {
    throw asKafkaError(CODEC, err);
  }
}

/** The last 64 KiB decoded in this frame: what a linked block may copy from. */
function recentOutput(chunks: Buffer[], frameFirstChunk: number): Buffer {
  const last = chunks[chunks.length - 1];
  if (last.length >= LINKED_WINDOW_BYTES) return last.subarray(last.length - LINKED_WINDOW_BYTES);
  const parts: Buffer[] = [];
  let bytes = 0;
  for (let i = chunks.length - 1; i >= frameFirstChunk && bytes < LINKED_WINDOW_BYTES; i--) {
    parts.unshift(chunks[i]);
    bytes += chunks[i].length;
  }
  const window = Buffer.concat(parts, bytes);
  return bytes > LINKED_WINDOW_BYTES ? window.subarray(bytes - LINKED_WINDOW_BYTES) : window;
}

/** Second byte of XXH32 over the descriptor (`start` = FLG), or over magic + descriptor (Kafka's old bug). */
function headerChecksum(buf: Buffer, start: number, end: number): number {
  return (xxh32(buf, start, end) >>> 8) & 0xff;
}
