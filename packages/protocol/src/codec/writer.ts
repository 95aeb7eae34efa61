const TWO_32 = 4294967296;
/** Raw byte runs at least this long are passed through by reference instead of copied. */
const ZERO_COPY_MIN_BYTES = 512;

/**
 * Accumulates an encoded message as a list of Buffers. Small fields are written into a growing
 * scratch buffer; large raw runs (record batches read from a segment) are appended by reference, so
 * a Fetch response carries its record bytes to the socket without copying them.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private regionStart = 0;
  private readonly chunks: Buffer[] = [];
  private flushedBytes = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushedBytes + (this.pos - this.regionStart);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flushRegion();
    this.buf = Buffer.allocUnsafe(Math.max(this.buf.length * 2, n, 256));
    this.pos = 0;
    this.regionStart = 0;
  }

  private flushRegion(): void {
    if (this.pos > this.regionStart) {
      this.chunks.push(this.buf.subarray(this.regionStart, this.pos));
      this.flushedBytes += this.pos - this.regionStart;
    }
    this.regionStart = this.pos;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.ensure(8);
    if (typeof v === 'bigint') {
      this.buf.writeBigInt64BE(v, this.pos);
    } else {
      const hi = Math.floor(v / TWO_32);
      this.buf.writeInt32BE(hi, this.pos);
      this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    }
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  uvarint(v: number): this {
    this.ensure(5);
    let value = v >>> 0;
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  varlong(v: number): this {
    // zigzag in floating point: exact for |v| < 2^52
    let raw = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(10);
    while (raw >= 0x80) {
      this.buf[this.pos++] = (raw % 0x80) | 0x80;
      raw = Math.floor(raw / 0x80);
    }
    this.buf[this.pos++] = raw;
    return this;
  }

  utf8(s: string, byteLength: number): this {
    this.ensure(byteLength);
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
    return this;
  }

  /** Appends bytes: copied when small, passed by reference when large. */
  raw(b: Buffer): this {
    if (b.length >= ZERO_COPY_MIN_BYTES) {
      this.flushRegion();
      this.chunks.push(b);
      this.flushedBytes += b.length;
      return this;
    }
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Appends `src[start, end)`, as `raw` does, without making a view of a small run first. */
  rawFrom(src: Buffer, start: number, end: number): this {
    const n = end - start;
    if (n >= ZERO_COPY_MIN_BYTES) return this.raw(src.subarray(start, end));
    this.ensure(n);
    src.copy(this.buf, this.pos, start, end);
    this.pos += n;
    return this;
  }

  /** The encoded bytes as a list of Buffers (the Writer must not be used afterwards). */
  chunksOut(): Buffer[] {
    this.flushRegion();
    return this.chunks;
  }

  /** The encoded bytes as one Buffer (copies when there is more than one chunk). */
  toBuffer(): Buffer {
    const chunks = this.chunksOut();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.flushedBytes);
  }
}
