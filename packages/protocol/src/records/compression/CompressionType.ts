import { ErrorCode, KafkaError } from '../../errors';

/**
 * Compression codecs, by the id they carry in attribute bits 0–2 (record batch v2 and legacy
 * messages alike). Ids 5–7 are unassigned in Kafka 2.8.
 */
export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/** Mask of the codec bits in a batch's or message's attributes. */
export const COMPRESSION_CODEC_MASK = 0x07;

const NAMES: readonly string[] = ['NONE', 'GZIP', 'SNAPPY', 'LZ4', 'ZSTD'];

/** The name as Kafka prints it (kafka-dump-log's `compresscodec: GZIP`); `UNKNOWN(5)` for ids 5–7. */
export function compressionTypeName(type: number): string {
  return NAMES[type] ?? `UNKNOWN(${type})`;
}

export function isCompressionType(id: number): id is CompressionType {
  return Number.isInteger(id) && id >= CompressionType.None && id <= CompressionType.Zstd;
}

/**
 * The codec named by a `compression.type` config value as Kafka spells it: none, gzip, snappy, lz4,
 * zstd. Kafka's topic config also allows `uncompressed` (= none) and `producer` (keep the producer's
 * codec); `producer` has no codec of its own and returns null.
 */
export function compressionTypeForConfig(name: string): CompressionType | null {
  switch (name.toLowerCase()) {
    case 'none':
    case 'uncompressed':
      return CompressionType.None;
    case 'gzip':
      return CompressionType.Gzip;
    case 'snappy':
      return CompressionType.Snappy;
    case 'lz4':
      return CompressionType.Lz4;
    case 'zstd':
      return CompressionType.Zstd;
    case 'producer':
      return null;
    default:
      throw new KafkaError(ErrorCode.INVALID_CONFIG, `unknown compression.type ${name}`);
  }
}
