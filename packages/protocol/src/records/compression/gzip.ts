import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';
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
