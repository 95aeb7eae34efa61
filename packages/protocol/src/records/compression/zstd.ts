import { compress as zstdCompress } from 'zstd-napi';
import * as binding from 'zstd-napi/binding';
import { asKafkaError, checkOutputBytes, corrupt, MAX_OUTPUT_BYTES_DEFAULT } from './limits';

/**
 * ZSTD: one or more Zstandard frames (skippable frames allowed). Kafka's Java client writes frames
 * without a content size (ZstdOutputStream); librdkafka and zstd-napi write it.
 *
 * Two decode paths over one reusable native context:
 * - every frame declares its size: the sizes are checked (against the cap, and against what the
 *   frame's length can possibly hold) before the output is allocated once and filled in one call;
 * - otherwise: streaming, chunk by chunk, stopping as soon as the cap is passed.
 * libzstd's default window limit (2^27 bytes) bounds the decoder's own memory.
 */

const CODEC = 'zstd';

/**
 * Most output per input byte: a block is at least 3 header bytes + 1 (an RLE block) and yields at
 * most 128 KiB. A declared size beyond that is a lie, refused before allocating it.
 */
const MAX_BLOCK_BYTES = 128 * 1024;
const MIN_BLOCK_INPUT_BYTES = 3;

const CHUNK_BYTES_MIN = binding.dStreamOutSize();

let dctx: binding.DCtx | null = null;

export function compressZstd(data: Buffer): Buffer {
  // Level 3, libzstd's default and Kafka 2.8's (ZstdOutputStream with no level set).
  return zstdCompress(data);
}

export function decompressZstd(data: Buffer, maxOutputBytes = MAX_OUTPUT_BYTES_DEFAULT): Buffer {
  if (data.length === 0) throw corrupt(CODEC, 'empty input');
  dctx ??= new binding.DCtx();
  try {
    const declared = declaredContentBytes(data, maxOutputBytes);
    return declared >= 0
      ? decompressKnownSize(dctx, data, declared)
      : decompressStreaming(dctx, data, maxOutputBytes);
  } catch (err) {
    // A failed call can leave the context mid-frame; the next call must start clean.
    dctx.reset(binding.ResetDirective.sessionOnly);
    throw asKafkaError(CODEC, err);
  }
}

/** Sum of the frames' declared sizes, or -1 if some frame does not declare one. */
function declaredContentBytes(data: Buffer, maxOutputBytes: number): number {
  let total = 0;
  for (let pos = 0; pos < data.length;) {
    const frame = data.subarray(pos);
    const contentBytes = binding.getFrameContentSize(frame);
    if (contentBytes === null) return -1;
    const frameBytes = binding.findFrameCompressedSize(frame);
    if (contentBytes > (Math.floor(frameBytes / MIN_BLOCK_INPUT_BYTES) + 1) * MAX_BLOCK_BYTES) {
      throw corrupt(CODEC, `frame of ${frameBytes} bytes declares ${contentBytes} bytes of content`);
    }
    total += contentBytes;
    checkOutputBytes(CODEC, total, maxOutputBytes);
    pos += frameBytes;
  }
  return total;
}

function decompressKnownSize(ctx: binding.DCtx, data: Buffer, contentBytes: number): Buffer {
  const out = Buffer.allocUnsafe(contentBytes);
  const written = ctx.decompress(out, data);
  if (written !== contentBytes)
    throw corrupt(CODEC, `decoded ${written} bytes, frames declare ${contentBytes}`);
  return out;
}

function decompressStreaming(ctx: binding.DCtx, data: Buffer, maxOutputBytes: number): Buffer {
  ctx.reset(binding.ResetDirective.sessionOnly);
  const chunks: Buffer[] = [];
  let total = 0;
  let input = data;
  let pending = 1;
  for (;;) {
    // One byte past the cap is enough to know the cap was passed.
    const room = maxOutputBytes - total + 1;
    const chunk = Buffer.allocUnsafe(Math.min(room, Math.max(CHUNK_BYTES_MIN, input.length * 4)));
    const [hint, written, consumed] = ctx.decompressStream(chunk, input);
    pending = hint;
    input = input.subarray(consumed);
    if (written > 0) {
      chunks.push(written === chunk.length ? chunk : chunk.subarray(0, written));
      total += written;
      checkOutputBytes(CODEC, total, maxOutputBytes);
    }
    if (written < chunk.length) {
      if (input.length === 0) break;
      if (consumed === 0 && written === 0) throw corrupt(CODEC, 'decoder made no progress');
    }
  }
  if (pending !== 0) throw corrupt(CODEC, 'input ends inside a frame');
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}
