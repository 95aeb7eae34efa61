import { strict as assert } from 'node:assert';
import { hash } from 'node:crypto';

/**
 * Key → latest offset for the cleaner (Kafka's SkimpyOffsetMap): an open-addressing table in one
 * Buffer of `log.cleaner.dedupe.buffer.size` bytes, each slot the MD5 of a key (16 bytes) and an
 * offset (8 bytes). No object per key, and memory is exactly what the config says. Two keys with
 * the same MD5 would be treated as one, as in Kafka.
 */
const HASH_SIZE = 16;
const ENTRY_SIZE = HASH_SIZE + 8;
/** Bytes zeroed between yields by clearInSlices. */
const CLEAR_SLICE_BYTES = 4 * 1024 * 1024;

export class OffsetMap {
  private readonly bytes: Buffer;
  readonly slots: number;
  private entries = 0;
  private _latestOffset = -1;
  /** Probes made and lookups done, for the cleaner's log line. */
  collisions = 0;
  lookups = 0;

  constructor(memoryBytes: number) {
    this.slots = Math.floor(memoryBytes / ENTRY_SIZE);
    assert(this.slots >= 2, `offset map of ${memoryBytes} bytes cannot hold a key`);
    this.bytes = Buffer.alloc(this.slots * ENTRY_SIZE);
  }

  get size(): number {
    return this.entries;
  }

  /** The highest offset put or declared seen. */
  get latestOffset(): number {
    return this._latestOffset;
  }

  updateLatestOffset(offset: number): void {
    if (offset > this._latestOffset) this._latestOffset = offset;
  }

  get utilization(): number {
    return this.entries / this.slots;
  }

  clear(): void {
    this.bytes.fill(0);
    this.resetCounts();
  }

  /**
   * `clear`, zeroing CLEAR_SLICE_BYTES at a time and awaiting `between` after each: the default
   * map is 128 MiB, and one fill of it held the event loop ~0.5 s on a loaded machine.
   */
  async clearInSlices(between: () => Promise<void>): Promise<void> {
    for (let pos = 0; pos < this.bytes.length; pos += CLEAR_SLICE_BYTES) {
      this.bytes.fill(0, pos, Math.min(this.bytes.length, pos + CLEAR_SLICE_BYTES));
      await between();
    }
    this.resetCounts();
  }

  private resetCounts(): void {
    this.entries = 0;
    this._latestOffset = -1;
    this.collisions = 0;
    this.lookups = 0;
  }

  put(key: Buffer, offset: number): void {
    assert(this.entries < this.slots, 'attempt to add a new entry to a full offset map');
    const h = hash('md5', key, 'buffer') as Buffer;
    const pos = this.find(h);
    if (this.isEmpty(pos)) {
      h.copy(this.bytes, pos);
      this.entries++;
    }
    this.bytes.writeDoubleBE(offset, pos + HASH_SIZE);
    this.updateLatestOffset(offset);
  }

  /** The offset last put for `key`, or -1. */
  get(key: Buffer): number {
    this.lookups++;
    const h = hash('md5', key, 'buffer') as Buffer;
    const pos = this.find(h);
    return this.isEmpty(pos) ? -1 : this.bytes.readDoubleBE(pos + HASH_SIZE);
  }

  /** The slot holding `h`, or the empty slot where it would go. */
  private find(h: Buffer): number {
    let slot = h.readUInt32BE(0) % this.slots;
    for (;;) {
      const pos = slot * ENTRY_SIZE;
      if (this.isEmpty(pos) || this.bytes.compare(h, 0, HASH_SIZE, pos, pos + HASH_SIZE) === 0) return pos;
      this.collisions++;
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
  }

  private isEmpty(pos: number): boolean {
    const b = this.bytes;
    return (
      b.readUInt32BE(pos) === 0 &&
      b.readUInt32BE(pos + 4) === 0 &&
      b.readUInt32BE(pos + 8) === 0 &&
      b.readUInt32BE(pos + 12) === 0
    );
  }
}
