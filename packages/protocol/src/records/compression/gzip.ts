import { constants as bufferConstants } from 'node:buffer';
import { gunzip, gunzipSync, gzipSync } from 'node:zlib';
import { asKafkaError, checkOutputBytes, corrupt, MAX_OUTPUT_BYTES_DEFAULT, tooLarge } from './limits';

/**
 * GZIP: an RFC 1952 stream, as Java's GZIPOutputStream, librdkafka and kafka-python write it.
 * zlib reads concatenated members (as GZIPInputStream does) and bounds its own output, so a
 * decompression bomb stops at the cap instead of allocating.
 */

const CODEC = 'gzip';

export function compressGzip(data: Buffer): Buffer {
  // zlib's default level (6), which is also Kafka's (Deflater.DEFAULT_COMPRESSION) and librdkafka's.
  return gzipSync(data);
}

export function decompressGzip(data: Buffer, maxOutputBytes = MAX_OUTPUT_BYTES_DEFAULT): Buffer {
  if (data.length === 0) throw corrupt(CODEC, 'empty input');
  try {
    const out = gunzipSync(data, {
      maxOutputLength: Math.min(Math.max(1, maxOutputBytes), bufferConstants.MAX_LENGTH),
    });
    checkOutputBytes(CODEC, out.length, maxOutputBytes);
    return out;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(CODEC, maxOutputBytes + 1, maxOutputBytes);
    }
    throw asKafkaError(CODEC, err);
  }
}

/**
 * `decompressGzip` on libuv's thread pool: the inflate work leaves the event loop, which only
 * collects the output chunks. For untrusted input where the bound is large enough that inflating
 * up to it would hold the loop for tens of ms (legacy produce wrappers).
 */
const ASYNC_CHUNK_BYTES = 256 * 1024;

export function decompressGzipAsync(data: Buffer, maxOutputBytes = MAX_OUTPUT_BYTES_DEFAULT): Promise<Buffer> {
  if (data.length === 0) return Promise.reject(corrupt(CODEC, 'empty input'));
  return new Promise((resolve, reject) => {
    gunzip(
      data,
      // Larger output chunks than zlib's 16 KiB: fewer callbacks and buffers on the event loop.
      { maxOutputLength: Math.min(Math.max(1, maxOutputBytes), bufferConstants.MAX_LENGTH), chunkSize: ASYNC_CHUNK_BYTES },
      (err, out) => {
        if (err === null) {
          if (out.length > maxOutputBytes) reject(tooLarge(CODEC, out.length, maxOutputBytes));
          else resolve(out);
        } else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          reject(tooLarge(CODEC, maxOutputBytes + 1, maxOutputBytes));
        } else {
          reject(asKafkaError(CODEC, err));
        }
      },
    );
  });
}
