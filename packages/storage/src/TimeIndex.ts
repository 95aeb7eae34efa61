import { strict as assert } from 'node:assert';
import { AbstractIndex, type IndexSearchType } from './AbstractIndex';

/**
 * `<base>.timeindex`: 12-byte entries, int64 timestamp and int32 offset relative to the base
 * (Kafka's TimeIndex). Entry (t, o): the largest timestamp in the segment up to offset o is t.
 * Timestamps strictly grow, so "first offset with timestamp >= T" starts from lookup(T).
 */
export interface TimestampOffset {
  readonly timestamp: number;
  readonly offset: number;
}

export const TIME_INDEX_ENTRY_SIZE = 12;
/** RecordBatch.NO_TIMESTAMP */
export const NO_TIMESTAMP = -1;

const TWO_32 = 4294967296;

export class TimeIndex extends AbstractIndex {
  private _lastEntry: TimestampOffset;

  constructor(path: string, baseOffset: number, maxIndexSize: number, writable = true) {
    super(path, baseOffset, maxIndexSize, writable, TIME_INDEX_ENTRY_SIZE);
    this._lastEntry = { timestamp: NO_TIMESTAMP, offset: baseOffset };
    if (this.isLoaded) this.afterEntriesChanged();
  }

  /** One slot stays free for the entry written when the segment is rolled or closed. */
  override get isFull(): boolean {
    return this._entries >= this._maxEntries - 1;
  }

  get lastEntry(): TimestampOffset {
    if (!this.isLoaded) this.load();
    return this._lastEntry;
  }

  protected afterEntriesChanged(): void {
    this._lastEntry =
      this._entries === 0
        ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset }
        : this.parse(this.buf(), this._entries - 1);
  }

  protected parseKey(buf: Buffer, n: number, type: IndexSearchType): number {
    return type === 'key' ? readTimestamp(buf, n * 12) : this.baseOffset + buf.readInt32BE(n * 12 + 8);
  }

  private parse(buf: Buffer, n: number): TimestampOffset {
    return { timestamp: readTimestamp(buf, n * 12), offset: this.baseOffset + buf.readInt32BE(n * 12 + 8) };
  }

  entry(n: number): TimestampOffset {
    assert(
      n >= 0 && n < this._entries,
      `entry ${n} of time index ${this.path} with ${this._entries} entries`,
    );
    return this.parse(this.buf(), n);
  }

  /**
   * Appends (timestamp, offset) if the timestamp is larger than the last one. `skipFullCheck` on
   * roll and close, which use the reserved slot.
   */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck) assert(!this.isFull, `append to a full time index ${this.path}`);
    const last = this.lastEntry;
    assert(
      this._entries === 0 || offset >= last.offset,
      `time index ${this.path}: offset ${offset} below ${last.offset}`,
    );
    assert(
      this._entries === 0 || timestamp >= last.timestamp,
      `time index ${this.path}: timestamp ${timestamp} below ${last.timestamp}`,
    );
    if (timestamp > last.timestamp) {
      if (skipFullCheck && this._entries >= this._maxEntries) this.resize((this._entries + 1) * 12);
      const e = Buffer.allocUnsafe(12);
      const hi = Math.floor(timestamp / TWO_32);
      e.writeInt32BE(hi, 0);
      e.writeUInt32BE(timestamp - hi * TWO_32, 4);
      e.writeInt32BE(this.relativeOffset(offset), 8);
      this.appendEntry(e);
      this._lastEntry = { timestamp, offset };
    }
  }

  /** The entry with the largest timestamp <= target; (NO_TIMESTAMP, baseOffset) when none. */
  lookup(targetTimestamp: number): TimestampOffset {
    const slot = this.largestLowerBoundSlotFor(targetTimestamp, 'key');
    return slot === -1 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.parse(this.buf(), slot);
  }

  truncateTo(offset: number): void {
    const slot = this.largestLowerBoundSlotFor(offset, 'value');
    const entries = slot < 0 ? 0 : this.parse(this.buf(), slot).offset === offset ? slot : slot + 1;
    this.truncateToEntries(entries);
  }

  sanityCheck(): string | null {
    const buf = this.buf();
    let prevTs = -Infinity;
    let prevRel = -1;
    for (let i = 0; i < this._entries; i++) {
      const ts = readTimestamp(buf, i * 12);
      const rel = buf.readInt32BE(i * 12 + 8);
      if (ts <= prevTs || rel < prevRel || rel < 0 || ts < 0) {
        return `time index ${this.path}: entry ${i} (${ts}, ${rel}) does not follow (${prevTs}, ${prevRel})`;
      }
      prevTs = ts;
      prevRel = rel;
    }
    return null;
  }

  toArray(): TimestampOffset[] {
    const buf = this.buf();
    const out: TimestampOffset[] = [];
    for (let i = 0; i < this._entries; i++) out.push(this.parse(buf, i));
    return out;
  }
}

function readTimestamp(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}
