import { BatchField, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD } from '@samsa/protocol';
import type { FileRecords } from './FileRecords';

const TWO_32 = 4294967296;

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * TWO_32, pos + 4);
}

/** The smallest batchLength a v2 batch can have (header after the length field, no records). */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;

/**
 * Walks the batches of a segment file from `start`, through one reusable buffer: no object per
 * batch, the current batch's bytes are at `buf[offset …]`. `next(false)` guarantees only the
 * 61-byte header is in the buffer (offset and timestamp scans); `next(true)` the whole batch (CRC
 * checks, decoding). It stops at the end, at a partial batch (`partial`), or at a length that cannot
 * be a batch (`invalidReason`).
 */
export class BatchCursor {
  buf: Buffer;
  /** Where the current batch starts in `buf`. */
  offset = 0;
  /** File position of the current batch. */
  position = -1;
  /** Size of the current batch, header included. */
  size = 0;
  /** The walk stopped at bytes that cannot be a whole batch. */
  partial = false;
  invalidReason: string | null = null;

  private chunkPos = 0;
  private chunkLen = 0;
  private nextPos: number;
  private needPos = 0;
  private needLen = 0;
  private filledAt = -1;
  private fillLen = 0;

  constructor(
    private readonly file: FileRecords,
    start: number,
    private readonly end: number = file.size,
    private readonly chunkBytes = 64 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
    this.nextPos = start;
  }

  /** Position after the last batch returned (where a valid prefix ends). */
  get validEnd(): number {
    return this.nextPos;
  }

  /** True when the whole current batch is in `buf` (always after `next(true)`). */
  get hasWholeBatch(): boolean {
    return this.offset + this.size <= this.chunkLen;
  }

  /** Advances to the next batch, reading synchronously. */
  next(full: boolean): boolean {
    for (;;) {
      const r = this.step(full);
      if (r !== null) return r;
      this.prepareFill();
      this.chunkLen = this.file.readInto(this.buf, 0, this.chunkPos, this.fillLen);
    }
  }

  /** Advances to the next batch, reading on libuv's pool (recovery at startup). */
  async nextAsync(full: boolean): Promise<boolean> {
    for (;;) {
      const r = this.step(full);
      if (r !== null) return r;
      this.prepareFill();
      this.chunkLen = await this.file.readIntoAsync(this.buf, 0, this.chunkPos, this.fillLen);
    }
  }

  /** true/false as `next`, or null when bytes [needPos, needPos+needLen) must be read first. */
  private step(full: boolean): boolean | null {
    const pos = this.nextPos;
    const left = this.end - pos;
    if (left <= 0) return false;
    if (left < LOG_OVERHEAD) {
      this.partial = true;
      return false;
    }
    const head = this.have(pos, Math.min(RECORD_BATCH_OVERHEAD, left));
    if (head !== true) return head;
    const at = pos - this.chunkPos;
    const batchLength = this.buf.readInt32BE(at + BatchField.BATCH_LENGTH);
    if (batchLength < MIN_BATCH_LENGTH) {
      this.invalidReason = `batch length ${batchLength} at position ${pos} is below the minimum ${MIN_BATCH_LENGTH}`;
      return false;
    }
    const size = LOG_OVERHEAD + batchLength;
    if (size > left) {
      this.partial = true;
      return false;
    }
    const body = this.have(pos, full ? size : Math.min(RECORD_BATCH_OVERHEAD, size));
    if (body !== true) return body;
    this.offset = pos - this.chunkPos;
    this.position = pos;
    this.size = size;
    this.nextPos = pos + size;
    return true;
  }

  /** true when present; null to ask for a read; false (partial) when a read there came up short. */
  private have(pos: number, n: number): boolean | null {
    if (pos >= this.chunkPos && pos + n <= this.chunkPos + this.chunkLen) return true;
    if (this.filledAt === pos && this.fillLen >= n) {
      this.partial = true; // the file holds fewer bytes than its size says
      return false;
    }
    this.needPos = pos;
    this.needLen = n;
    return null;
  }

  private prepareFill(): void {
    const want = Math.min(Math.max(this.needLen, this.chunkBytes), this.end - this.needPos);
    if (this.buf.length < want)
      this.buf = Buffer.allocUnsafe(Math.max(want, Math.min(this.buf.length * 2, this.end - this.needPos)));
    this.chunkPos = this.needPos;
    this.filledAt = this.needPos;
    this.fillLen = want;
  }

  baseOffset(): number {
    return readInt64(this.buf, this.offset + BatchField.BASE_OFFSET);
  }

  lastOffset(): number {
    return this.baseOffset() + this.buf.readInt32BE(this.offset + BatchField.LAST_OFFSET_DELTA);
  }

  maxTimestamp(): number {
    return readInt64(this.buf, this.offset + BatchField.MAX_TIMESTAMP);
  }

  partitionLeaderEpoch(): number {
    return this.buf.readInt32BE(this.offset + BatchField.PARTITION_LEADER_EPOCH);
  }

  magic(): number {
    return this.buf.readInt8(this.offset + BatchField.MAGIC);
  }

  /** The current batch as a view (valid until the next call to `next`). */
  batch(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.size);
  }
}
