import { ErrorCode, KafkaError } from '../../errors';
import { compressionTypeName, CompressionType } from './CompressionType';
import { compressGzip, decompressGzip, decompressGzipAsync } from './gzip';
import { checkOutputBytes, MAX_OUTPUT_BYTES_DEFAULT } from './limits';
import { compressLz4, decompressLz4 } from './lz4';
import { compressSnappy, decompressSnappy } from './snappy';
import { compressZstd, decompressZstd } from './zstd';

/**
 * The codecs of attribute bits 0–2, synchronous, one file each. Errors are KafkaErrors:
 * CORRUPT_MESSAGE for input that does not decode, MESSAGE_TOO_LARGE when the output would pass
 * `maxOutputBytes`, UNSUPPORTED_COMPRESSION_TYPE for an id outside 0–4. NONE is the identity (the
 * same buffer back).
 */

export {
  CompressionType,
  COMPRESSION_CODEC_MASK,
  compressionTypeForConfig,
  compressionTypeName,
  isCompressionType,
} from './CompressionType';
export {
  inflatedTooLarge,
  MAX_OUTPUT_BYTES_DEFAULT,
  PRODUCE_INFLATION_FACTOR,
  produceInflationLimitBytes,
  withInflationLimit,
} from './limits';
export { compressGzip, decompressGzip, decompressGzipAsync } from './gzip';
export { compressSnappy, decompressSnappy, isXerialSnappy, type SnappyCompressOptions } from './snappy';
export { compressLz4, decompressLz4, type Lz4CompressOptions } from './lz4';
export { compressZstd, decompressZstd } from './zstd';
export { inflateChunks, type InflateOptions } from './stream';

export function compress(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return compressGzip(data);
    case CompressionType.Snappy:
      return compressSnappy(data);
    case CompressionType.Lz4:
      return compressLz4(data);
    case CompressionType.Zstd:
      return compressZstd(data);
    default:
      throw unsupported(type);
  }
}

export function decompress(
  type: CompressionType,
  data: Buffer,
  maxOutputBytes = MAX_OUTPUT_BYTES_DEFAULT,
): Buffer {
  switch (type) {
    case CompressionType.None:
      checkOutputBytes('none', data.length, maxOutputBytes);
      return data;
    case CompressionType.Gzip:
      return decompressGzip(data, maxOutputBytes);
    case CompressionType.Snappy:
      return decompressSnappy(data, maxOutputBytes);
    case CompressionType.Lz4:
      return decompressLz4(data, maxOutputBytes);
    case CompressionType.Zstd:
      return decompressZstd(data, maxOutputBytes);
    default:
      throw unsupported(type);
  }
}

/**
 * `decompress`, with gzip inflated on the thread pool (decompressGzipAsync). The other codecs decode
 * at GB/s and stay synchronous; their errors arrive as a rejected promise all the same.
 */
export function decompressAsync(
  type: CompressionType,
  data: Buffer,
  maxOutputBytes = MAX_OUTPUT_BYTES_DEFAULT,
): Promise<Buffer> {
  if (type === CompressionType.Gzip) return decompressGzipAsync(data, maxOutputBytes);
  try {
    return Promise.resolve(decompress(type, data, maxOutputBytes));
  } catch (err) {
    return Promise.reject(err);
  }
}

function unsupported(type: number): KafkaError {
  return new KafkaError(
    ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    `no codec for compression type ${compressionTypeName(type)}`,
  );
}
