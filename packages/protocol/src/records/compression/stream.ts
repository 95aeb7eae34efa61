import { createGunzip } from 'node:zlib';
import * as binding from 'zstd-napi/binding';
import { CompressionType } from './CompressionType';
import { decompressLz4 } from './lz4';
import { asKafkaError, corrupt, tooLarge } from './limits';
import { decompressSnappy } from './snappy';

/**
 * Inflation a piece at a time, for readers that may stop early (Fetch v0–3 down-conversion reads
 * only as many records as the response has room for). The caller pulls chunks and stops pulling
 * when it has enough; what it never pulls is never inflated:
 * - gzip: zlib's stream, on libuv's pool (the event loop is free while a chunk inflates), with
 *   backpressure, so a 46 KB batch that inflates to hundreds of MiB costs only the chunks read;
 * - zstd: libzstd's streaming decoder, one chunk per call;
 * - none: slices of the input;
 * - snappy, lz4: the whole payload in one call, capped at `maxOutputBytes` (their formats bound the
 *   output per input byte: 22× for snappy, ~255× for lz4), then handed out in slices.
 * Corrupt input is CORRUPT_MESSAGE; output past `maxOutputBytes` is MESSAGE_TOO_LARGE.
 */
export interface InflateOptions {
  /** Bytes per chunk handed out (the last may be shorter). */
  readonly chunkBytes: number;
  /** Most output in all (one byte more is an error). */
  readonly maxOutputBytes: number;
}

export async function* inflateChunks(type: number, data: Buffer, opts: InflateOptions): AsyncGenerator<Buffer, void, undefined> {
  switch (type) {
    case CompressionType.None:
      yield* slices(data, opts.chunkBytes);
      return;
    case CompressionType.Gzip:
      yield* gunzipChunks(data, opts);
      return;
    case CompressionType.Zstd:
      yield* zstdChunks(data, opts);
      return;
    case CompressionType.Snappy:
      yield* slices(decompressSnappy(data, opts.maxOutputBytes), opts.chunkBytes);
      return;
    case CompressionType.Lz4:
      yield* slices(decompressLz4(data, opts.maxOutputBytes), opts.chunkBytes);
      return;
    default:
      throw corrupt('stream', `no codec for compression type ${type}`);
  }
}

function* slices(data: Buffer, chunkBytes: number): Generator<Buffer, void, undefined> {
  for (let pos = 0; pos < data.length; pos += chunkBytes) yield data.subarray(pos, Math.min(data.length, pos + chunkBytes));
}

async function* gunzipChunks(data: Buffer, opts: InflateOptions): AsyncGenerator<Buffer, void, undefined> {
  if (data.length === 0) throw corrupt('gzip', 'empty input');
  const gunzip = createGunzip({ chunkSize: Math.max(64, opts.chunkBytes) });
  gunzip.end(data);
  let total = 0;
  try {
    // Leaving the loop early (break, return, a throw) destroys the stream: inflation stops.
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > opts.maxOutputBytes) throw tooLarge('gzip', total, opts.maxOutputBytes);
      yield chunk;
    }
  } catch (err) {
    throw asKafkaError('gzip', err);
  } finally {
    gunzip.destroy();
  }
}

function* zstdChunks(data: Buffer, opts: InflateOptions): Generator<Buffer, void, undefined> {
  if (data.length === 0) throw corrupt('zstd', 'empty input');
  const ctx = new binding.DCtx();
  let input = data;
  let total = 0;
  let pending = 1;
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(1024, opts.chunkBytes));
      const [hint, written, consumed] = ctx.decompressStream(chunk, input);
      pending = hint;
      input = input.subarray(consumed);
      if (written > 0) {
        total += written;
        if (total > opts.maxOutputBytes) throw tooLarge('zstd', total, opts.maxOutputBytes);
        yield chunk.subarray(0, written);
      }
      if (written < chunk.length) {
        if (input.length === 0) break;
        if (consumed === 0 && written === 0) throw corrupt('zstd', 'decoder made no progress');
      }
    }
  } catch (err) {
    throw asKafkaError('zstd', err);
  }
  if (pending !== 0) throw corrupt('zstd', 'input ends inside a frame');
}
