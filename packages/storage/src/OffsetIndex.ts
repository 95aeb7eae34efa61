import { strict as assert } from 'node:assert';
import { AbstractIndex, type IndexSearchType } from './AbstractIndex';

/**
 * `<base>.index`: 8-byte entries, int32 offset relative to the segment's base offset and int32
 * position in the `.log` file (Kafka's OffsetIndex). An entry (o, p) says "the batches holding
 * offsets up to o start at or after p", so a lookup gives a place to start scanning, never more.
 */
export interface OffsetPosition {
  readonly offset: number;
  readonly position: number;
}

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export class OffsetIndex extends AbstractIndex {
  private _lastOffset: number;

  constructor(path: string, baseOffset: number, maxIndexSize: number, writable = true) {
    super(path, baseOffset, maxIndexSize, writable, OFFSET_INDEX_ENTRY_SIZE);
    this._lastOffset = baseOffset;
    if (this.isLoaded) this.afterEntriesChanged();
  }

  /** The largest offset in the index (the base offset when empty). */
  get lastOffset(): number {
    if (!this.isLoaded) this.load();
    return this._lastOffset;
  }

  protected afterEntriesChanged(): void {
    this._lastOffset =
      this._entries === 0 ? this.baseOffset : this.parse(this.buf(), this._entries - 1).offset;
  }

  protected parseKey(buf: Buffer, n: number, type: IndexSearchType): number {
    return type === 'key' ? this.baseOffset + buf.readInt32BE(n * 8) : buf.readInt32BE(n * 8 + 4);
  }

  private parse(buf: Buffer, n: number): OffsetPosition {
    return { offset: this.baseOffset + buf.readInt32BE(n * 8), position: buf.readInt32BE(n * 8 + 4) };
  }

  /**
   * The entry with the largest offset <= targetOffset; (baseOffset, 0) when there is none.
   */
  lookup(targetOffset: number): OffsetPosition {
    const slot = this.largestLowerBoundSlotFor(targetOffset, 'key');
    return slot === -1 ? { offset: this.baseOffset, position: 0 } : this.parse(this.buf(), slot);
  }

  /** An entry whose position is past `fetchOffset.position + fetchSize`, if any. */
  fetchUpperBoundOffset(fetchOffset: OffsetPosition, fetchSize: number): OffsetPosition | null {
    const slot = this.smallestUpperBoundSlotFor(fetchOffset.position + fetchSize, 'value');
    return slot === -1 ? null : this.parse(this.buf(), slot);
  }

  entry(n: number): OffsetPosition {
    assert(n >= 0 && n < this._entries, `entry ${n} of index ${this.path} with ${this._entries} entries`);
    return this.parse(this.buf(), n);
  }

  /** Adds (offset, position); offsets must grow. */
  append(offset: number, position: number): void {
    assert(!this.isFull, `append to a full index ${this.path} (${this._entries} entries)`);
    assert(
      this._entries === 0 || offset > this.lastOffset,
      `index ${this.path}: offset ${offset} is not larger than the last offset ${this._lastOffset}`,
    );
    const e = Buffer.allocUnsafe(8);
    e.writeInt32BE(this.relativeOffset(offset), 0);
    e.writeInt32BE(position, 4);
    this.appendEntry(e);
    this._lastOffset = offset;
  }

  truncateTo(offset: number): void {
    const slot = this.largestLowerBoundSlotFor(offset, 'key');
    // none <= offset: drop all; an entry for exactly offset: drop it and later; else keep up to slot
    const entries = slot < 0 ? 0 : this.parse(this.buf(), slot).offset === offset ? slot : slot + 1;
    this.truncateToEntries(entries);
  }

  sanityCheck(): string | null {
    const buf = this.buf();
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < this._entries; i++) {
      const rel = buf.readInt32BE(i * 8);
      const pos = buf.readInt32BE(i * 8 + 4);
      if (rel <= prevRel || rel < 0 || pos <= prevPos || pos < 0) {
        return `index ${this.path}: entry ${i} (${rel}, ${pos}) does not follow (${prevRel}, ${prevPos})`;
      }
      prevRel = rel;
      prevPos = pos;
    }
    return null;
  }

  /** Every entry, for tools (kafka-dump-log). */
  toArray(): OffsetPosition[] {
    const buf = this.buf();
    const out: OffsetPosition[] = [];
    for (let i = 0; i < this._entries; i++) out.push(this.parse(buf, i));
    return out;
  }
}
