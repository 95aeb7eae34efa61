import { crc32 } from '../crc';
import {
  ATTRIBUTES_FIELD,
  corruptMessage,
  CRC_FIELD,
  ENTRY_OVERHEAD,
  keyLengthField,
  MAGIC_FIELD,
  MESSAGE_OVERHEAD_V0,
  messageOverhead,
  NO_TIMESTAMP,
  OFFSET_FIELD,
  readInt64,
  SIZE_FIELD,
  TIMESTAMP_FIELD,
} from './format';

/**
 * One message's fields, read where they lie. A scan reuses one view for every message, so reading
 * a message set allocates nothing per message; key and value are positions in `buf`.
 */
export class MessageView {
  buf: Buffer = EMPTY;
  /** First byte of the entry (its offset field) and the position after it. */
  position = 0;
  end = 0;
  offset = 0;
  magic = 0;
  attributes = 0;
  timestamp = NO_TIMESTAMP;
  keyStart = 0;
  /** -1 for a null key. */
  keyLength = -1;
  valueStart = 0;
  /** -1 for a null value. */
  valueLength = -1;

  get codec(): number {
    return this.attributes & 0x07;
  }

  key(): Buffer | null {
    return this.keyLength < 0 ? null : this.buf.subarray(this.keyStart, this.keyStart + this.keyLength);
  }

  value(): Buffer | null {
    return this.valueLength < 0
      ? null
      : this.buf.subarray(this.valueStart, this.valueStart + this.valueLength);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads the entry at `pos` into `view`, checking its size, magic, CRC and key/value lengths.
 * Returns false when the bytes up to `end` hold only part of the entry: the trailing partial
 * message a fetch cut at max bytes (Kafka's ByteBufferLogInputStream does the same). Throws
 * CORRUPT_MESSAGE for anything else that is wrong.
 */
export function readMessage(buf: Buffer, pos: number, end: number, view: MessageView): boolean {
  if (end - pos < ENTRY_OVERHEAD) return false;
  const size = buf.readInt32BE(pos + SIZE_FIELD);
  if (size < MESSAGE_OVERHEAD_V0) {
    throw corruptMessage(`message at ${pos} has size ${size}, below the minimum ${MESSAGE_OVERHEAD_V0}`);
  }
  if (end - pos - ENTRY_OVERHEAD < size) return false;
  const messageEnd = pos + ENTRY_OVERHEAD + size;
  const magic = buf.readInt8(pos + MAGIC_FIELD);
  if (magic !== 0 && magic !== 1)
    throw corruptMessage(`message at ${pos} has magic ${magic}, expected 0 or 1`);
  if (size < messageOverhead(magic)) {
    throw corruptMessage(
      `magic ${magic} message at ${pos} has size ${size}, below the minimum ${messageOverhead(magic)}`,
    );
  }
  const crc = buf.readUInt32BE(pos + CRC_FIELD);
  const computed = crc32(buf, pos + MAGIC_FIELD, messageEnd);
  if (crc !== computed) {
    throw corruptMessage(`message at ${pos} fails its CRC (stored ${crc}, computed ${computed})`);
  }

  let p = pos + keyLengthField(magic);
  const keyLength = buf.readInt32BE(p);
  p += 4;
  if (keyLength < -1 || keyLength > messageEnd - p - 4) {
    throw corruptMessage(
      `message at ${pos} has key length ${keyLength}, ${messageEnd - p - 4} bytes available`,
    );
  }
  const keyStart = p;
  if (keyLength > 0) p += keyLength;
  const valueLength = buf.readInt32BE(p);
  p += 4;
  if (valueLength < -1 || valueLength > messageEnd - p) {
    throw corruptMessage(
      `message at ${pos} has value length ${valueLength}, ${messageEnd - p} bytes available`,
    );
  }
  const valueStart = p;
  if (valueLength > 0) p += valueLength;
  if (p !== messageEnd) throw corruptMessage(`message at ${pos} has ${messageEnd - p} bytes after its value`);

  view.buf = buf;
  view.position = pos;
  view.end = messageEnd;
  view.offset = readInt64(buf, pos + OFFSET_FIELD);
  view.magic = magic;
  view.attributes = buf[pos + ATTRIBUTES_FIELD];
  view.timestamp = magic === 0 ? NO_TIMESTAMP : readInt64(buf, pos + TIMESTAMP_FIELD);
  view.keyStart = keyStart;
  view.keyLength = keyLength;
  view.valueStart = valueStart;
  view.valueLength = valueLength;
  return true;
}
