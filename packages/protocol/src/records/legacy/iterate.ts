import { ErrorCode, KafkaError } from '../../errors';
import { compressionTypeName, decompress, isCompressionType } from '../compression';
import {
  ATTRIBUTE_LOG_APPEND_TIME,
  corruptMessage,
  CREATE_TIME,
  ENTRY_OVERHEAD,
  LOG_APPEND_TIME,
  type LegacyTimestampType,
  MESSAGE_OVERHEAD_V0,
  NO_TIMESTAMP_TYPE,
  readInt64,
  SIZE_FIELD,
} from './format';
import { MessageView, readMessage } from './message';

/**
 * Deep iteration over a message set: every record, whether it stands alone or sits inside a
 * compressed wrapper message. Compressed wrappers hold a whole inner message set as their value:
 * - magic 1: inner offsets are relative (0..n-1 as producers write them); the wrapper carries the
 *   absolute offset of the last inner message, so absolute = wrapper - lastInner + inner (when that
 *   base is not negative).
 * - magic 0: inner offsets are absolute.
 * A LogAppendTime wrapper's timestamp stands for all its inner messages.
 */

/** The record being visited. One cursor serves the whole scan: copy what you keep. */
export class RecordCursor {
  /** The message holding the record's key and value (an inner message when compressed). */
  message: MessageView = new MessageView();
  /** The compressed wrapper around it, or null. */
  wrapper: MessageView | null = null;
  /** Absolute offset. */
  offset = 0;
  /** Effective timestamp (the wrapper's under LogAppendTime), -1 for magic 0. */
  timestamp = 0;
  timestampType: LegacyTimestampType = NO_TIMESTAMP_TYPE;
  /** The wrapper's codec; NONE for a record that is not compressed. */
  codec = 0;
}

export interface ScanOptions {
  /** Cap on each wrapper's decompressed size; beyond it MESSAGE_TOO_LARGE. */
  readonly maxOutputBytes?: number;
  /**
   * Cap on the decompressed size of all wrappers together; beyond it MESSAGE_TOO_LARGE. Without it
   * a set of many small wrappers, each under `maxOutputBytes`, could still inflate without bound.
   */
  readonly maxTotalOutputBytes?: number;
  /** Wrappers' inner message sets already inflated (inflate.ts), by wrapper position in `buf`. */
  readonly inflated?: ReadonlyMap<number, Buffer>;
}

export interface ScanSummary {
  /** Bytes of whole messages; anything after is a trailing partial message. */
  readonly validBytes: number;
  /** Outer (shallow) messages: records standing alone plus compressed wrappers. */
  readonly shallowCount: number;
  /** Codec of the last compressed wrapper (Kafka's "source codec"), NONE if there is none. */
  readonly codec: number;
  /** Bit 0 set if a magic 0 message was seen, bit 1 for magic 1. */
  readonly magicsSeen: number;
}

export function forEachLegacyRecord(
  buf: Buffer,
  options: ScanOptions,
  visit: (record: RecordCursor) => void,
): ScanSummary {
  const outer = new MessageView();
  const inner = new MessageView();
  const cursor = new RecordCursor();
  let pos = 0;
  let shallowCount = 0;
  let codec = 0;
  let magicsSeen = 0;
  let inflatedLeft = options.maxTotalOutputBytes ?? Infinity;
  while (readMessage(buf, pos, buf.length, outer)) {
    shallowCount++;
    magicsSeen |= 1 << outer.magic;
    if (outer.codec === 0) {
      cursor.message = outer;
      cursor.wrapper = null;
      cursor.offset = outer.offset;
      cursor.timestamp = outer.timestamp;
      cursor.timestampType = timestampTypeOf(outer);
      cursor.codec = 0;
      visit(cursor);
    } else {
      codec = outer.codec;
      const cap = Math.min(options.maxOutputBytes ?? Infinity, inflatedLeft);
      const data =
        options.inflated?.get(outer.position) ?? innerMessageSet(outer, Number.isFinite(cap) ? cap : undefined);
      if (data.length > cap) {
        throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `compressed message at ${outer.position} inflates past ${cap} bytes`);
      }
      inflatedLeft -= data.length;
      forEachInnerRecord(outer, data, inner, cursor, visit);
    }
    pos = outer.end;
  }
  return { validBytes: pos, shallowCount, codec, magicsSeen };
}

export function timestampTypeOf(message: MessageView): LegacyTimestampType {
  if (message.magic === 0) return NO_TIMESTAMP_TYPE;
  return message.attributes & ATTRIBUTE_LOG_APPEND_TIME ? LOG_APPEND_TIME : CREATE_TIME;
}

/** Decompresses a wrapper's value: the inner message set, in a buffer of its own. */
export function innerMessageSet(wrapper: MessageView, maxOutputBytes: number | undefined): Buffer {
  const codec = wrapper.codec;
  if (!isCompressionType(codec)) {
    throw corruptMessage(`message at ${wrapper.position} has unknown codec ${compressionTypeName(codec)}`);
  }
  const value = wrapper.value();
  if (value === null) throw corruptMessage(`compressed message at ${wrapper.position} has a null value`);
  return decompress(codec, value, maxOutputBytes);
}

function forEachInnerRecord(
  wrapper: MessageView,
  data: Buffer,
  inner: MessageView,
  cursor: RecordCursor,
  visit: (record: RecordCursor) => void,
): void {
  const timestampType = timestampTypeOf(wrapper);
  // A wrapper offset below the last inner offset (a producer's wrapper says 0) leaves the inner
  // offsets as they are, as Kafka's and kafka-python's readers do.
  const base =
    wrapper.magic === 0 ? 0 : Math.max(0, wrapper.offset - lastEntryOffset(data, wrapper.position));
  if (data.length === 0) throw corruptMessage(`compressed message at ${wrapper.position} holds no messages`);
  for (let pos = 0; pos < data.length; pos = inner.end) {
    if (!readMessage(data, pos, data.length, inner)) {
      throw corruptMessage(`compressed message at ${wrapper.position} holds a truncated inner message`);
    }
    if (inner.magic !== wrapper.magic) {
      throw corruptMessage(
        `compressed message at ${wrapper.position} (magic ${wrapper.magic}) holds a magic ${inner.magic} message`,
      );
    }
    if (inner.codec !== 0)
      throw corruptMessage(`compressed message at ${wrapper.position} holds another compressed message`);
    cursor.message = inner;
    cursor.wrapper = wrapper;
    cursor.offset = base + inner.offset;
    cursor.timestamp = timestampType === LOG_APPEND_TIME ? wrapper.timestamp : inner.timestamp;
    cursor.timestampType = timestampType;
    cursor.codec = wrapper.codec;
    visit(cursor);
  }
}

/** Offset field of the last entry of a complete (decompressed) message set, walking sizes only. */
function lastEntryOffset(data: Buffer, wrapperPosition: number): number {
  let last = -1;
  for (let pos = 0; pos < data.length;) {
    const size = data.length - pos >= ENTRY_OVERHEAD ? data.readInt32BE(pos + SIZE_FIELD) : -1;
    if (size < MESSAGE_OVERHEAD_V0 || size > data.length - pos - ENTRY_OVERHEAD) {
      throw corruptMessage(`compressed message at ${wrapperPosition} holds a truncated inner message`);
    }
    last = pos;
    pos += ENTRY_OVERHEAD + size;
  }
  if (last < 0) throw corruptMessage(`compressed message at ${wrapperPosition} holds no messages`);
  return readInt64(data, last);
}
