import { ErrorCode, KafkaError } from '../../errors';

/**
 * Legacy message sets, magic 0 and 1 (Kafka < 0.11). A message set is a run of entries:
 *
 *   offset int64 | messageSize int32 | crc uint32 | magic int8 | attributes int8 |
 *   [timestamp int64, magic 1 only] | keyLength int32 (-1 null) | key | valueLength int32 | value
 *
 * messageSize counts from crc to the end; crc is CRC-32 (IEEE) from magic to the end. Attributes:
 * bits 0–2 codec, bit 3 timestamp type (magic 1; 0 CreateTime, 1 LogAppendTime). Positions below are
 * relative to the entry's first byte.
 */

export const OFFSET_FIELD = 0;
export const SIZE_FIELD = 8;
export const CRC_FIELD = 12;
export const MAGIC_FIELD = 16;
export const ATTRIBUTES_FIELD = 17;
export const TIMESTAMP_FIELD = 18;
export const KEY_LENGTH_FIELD_V0 = 18;
export const KEY_LENGTH_FIELD_V1 = 26;

/** offset + messageSize, before every message. */
export const ENTRY_OVERHEAD = 12;
/** Smallest message (crc + magic + attributes + key and value lengths), by magic. */
export const MESSAGE_OVERHEAD_V0 = 14;
export const MESSAGE_OVERHEAD_V1 = 22;

export const ATTRIBUTE_CODEC_MASK = 0x07;
export const ATTRIBUTE_LOG_APPEND_TIME = 0x08;

/** Kafka's TimestampType ids: NO_TIMESTAMP_TYPE (magic 0), CREATE_TIME, LOG_APPEND_TIME. */
export type LegacyTimestampType = -1 | 0 | 1;
export const NO_TIMESTAMP_TYPE = -1;
export const CREATE_TIME = 0;
export const LOG_APPEND_TIME = 1;
/** Timestamp of magic 0 messages, and of magic 1 messages sent without one. */
export const NO_TIMESTAMP = -1;

export const messageOverhead = (magic: number): number =>
  magic === 0 ? MESSAGE_OVERHEAD_V0 : MESSAGE_OVERHEAD_V1;
export const keyLengthField = (magic: number): number =>
  magic === 0 ? KEY_LENGTH_FIELD_V0 : KEY_LENGTH_FIELD_V1;

const TWO_32 = 4294967296;

/** int64 as a JS number: exact for |v| < 2^53 (offsets and timestamps in practice). */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * TWO_32, pos + 4);
}

export function corruptMessage(detail: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, `message set: ${detail}`);
}
