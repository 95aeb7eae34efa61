import { ErrorCode, KafkaError } from '../errors';

const TWO_32 = 4294967296;

/**
 * A bounds-checked cursor over one Buffer. Every read checks the remaining length first, and every
 * length read from the wire is checked against what is left before anything is sized by it, so a
 * hostile frame costs at most its own size. Errors are KafkaError(INVALID_REQUEST) carrying what was
 * being read; callers that decode something other than a request rethrow with their own code.
 */
export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(what: string): never {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `malformed input at byte ${this.pos}: ${what}`);
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) this.fail(`${what} needs ${n} bytes, ${this.end - this.pos} left`);
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    this.need(1, 'bool');
    return this.buf[this.pos++] !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a JS number: exact for |v| < 2^53 (offsets, timestamps, ids in practice). */
  int64(): number {
    this.need(8, 'int64');
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned LEB128 (flexible-version lengths and tags), at most 5 bytes. */
  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.fail('truncated unsigned varint');
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) this.fail('unsigned varint overflows 32 bits');
        return value;
      }
      shift += 7;
    }
    return this.fail('unsigned varint longer than 5 bytes');
  }

  /** Zigzag varint (record fields), 32-bit. */
  varint(): number {
    const raw = this.uvarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zigzag varlong (record timestamps and offsets deltas), as a number (exact below 2^53). */
  varlong(): number {
    let lo = 0;
    let hi = 0; // accumulate as a number; 10 bytes max
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varlong');
      const b = this.buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else hi += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        const raw = hi + (lo >>> 0);
        // zigzag decode without losing the sign: even → raw/2, odd → -(raw+1)/2
        return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      }
      shift += 7;
    }
    return this.fail('varlong longer than 10 bytes');
  }

  /** A view (no copy) of the next n bytes. */
  slice(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  utf8(n: number): string {
    this.need(n, 'string');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Checks an element count against the bytes left, given each element's minimum size. */
  checkCount(count: number, minElementBytes: number, what: string): void {
    if (count < 0) this.fail(`negative ${what} count ${count}`);
    const min = minElementBytes > 0 ? minElementBytes : 0;
    if (min > 0 ? count * min > this.remaining : count > this.remaining + 1024) {
      this.fail(`${what} count ${count} exceeds the ${this.remaining} bytes left`);
    }
  }
}
