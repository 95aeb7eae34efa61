import { strict as assert } from 'node:assert';
import { OPEN_READ_WRITE_CREATE, disk } from './disk';

/**
 * What OffsetIndex and TimeIndex share (Kafka's AbstractIndex): a file of fixed-size entries keyed
 * by an offset relative to the segment's base offset, sorted, searched by binary search.
 *
 * Node has no mmap, so the entries live in a Buffer that is the image of the file's used part, and
 * each appended entry is also written through to the file at once (a few bytes per
 * `index.interval.bytes` of log). The file of the active segment is preallocated to
 * `segment.index.bytes` like Kafka's and trimmed to its entries on roll and close, so the layout on
 * disk is Kafka's byte for byte. An inactive index is read into memory on first use, checked, and
 * then kept; the descriptor is open only while the index is writable.
 */
export type IndexSearchType = 'key' | 'value';

export abstract class AbstractIndex {
  private _path: string;
  private fd = -1;
  private _length: number;
  /** Entries image; null until an existing file is first read. */
  protected mem: Buffer | null;
  protected _entries: number;
  protected _maxEntries: number;
  private _writable: boolean;
  private readonly openedLength: number;

  protected constructor(
    path: string,
    readonly baseOffset: number,
    readonly maxIndexSize: number,
    writable: boolean,
    protected readonly entrySize: number,
  ) {
    this._path = path;
    this._writable = writable;
    const st = disk.stat(path);
    this.openedLength = st ? st.size : 0;
    // An empty file of an index that takes entries is a new one (createLogFiles makes them ahead).
    if (st === null || (writable && st.size === 0)) {
      assert(maxIndexSize >= entrySize, `invalid max index size ${maxIndexSize}`);
      // Preallocated only when it will take entries (Kafka preallocates every new index file).
      this._length = writable ? roundDown(maxIndexSize, entrySize) : 0;
      this.fd = disk.open(path, OPEN_READ_WRITE_CREATE);
      disk.ftruncate(this.fd, this._length);
      this.mem = Buffer.alloc(0);
      this._entries = 0;
      if (!writable) this.closeHandler();
    } else {
      this._length = st.size;
      this.mem = null;
      this._entries = Math.floor(st.size / entrySize);
    }
    this._maxEntries = Math.floor(this._length / entrySize);
  }

  get path(): string {
    return this._path;
  }

  get entries(): number {
    return this._entries;
  }

  get maxEntries(): number {
    return this._maxEntries;
  }

  /** Length of the file (the preallocated size while active). */
  get length(): number {
    return this._length;
  }

  /** Bytes used by entries. */
  get sizeInBytes(): number {
    return this._entries * this.entrySize;
  }

  get isFull(): boolean {
    return this._entries >= this._maxEntries;
  }

  /** Whether the entries have been read into memory yet. */
  get isLoaded(): boolean {
    return this.mem !== null;
  }

  /** Reads the file's entries into memory (once); returns a reason when they are corrupt. */
  load(): string | null {
    if (this.mem === null) {
      const data = disk.readFile(this._path);
      const used = this._entries * this.entrySize;
      this.mem = data.subarray(0, Math.min(used, data.length));
      if (data.length < used) {
        this._entries = Math.floor(data.length / this.entrySize);
        return `index file ${this._path} shrank to ${data.length} bytes while open`;
      }
      if (this.openedLength % this.entrySize !== 0) {
        return `index file ${this._path} has ${this.openedLength} bytes, not a multiple of ${this.entrySize}`;
      }
    }
    this.afterEntriesChanged();
    return this.sanityCheck();
  }

  /** Entries as loaded, for subclasses (loads the file first if needed). */
  protected buf(): Buffer {
    if (this.mem === null) this.load();
    return this.mem!;
  }

  /** Checks the entries; a reason string when they cannot be trusted. */
  abstract sanityCheck(): string | null;

  /** Removes entries whose offset is >= `offset`. */
  abstract truncateTo(offset: number): void;

  /** Subclasses refresh their cached last entry. */
  protected abstract afterEntriesChanged(): void;

  protected abstract parseKey(buf: Buffer, n: number, type: IndexSearchType): number;

  relativeOffset(offset: number): number {
    const rel = offset - this.baseOffset;
    assert(
      rel >= 0 && rel <= 2147483647,
      `offset ${offset} does not fit index ${this._path} with base ${this.baseOffset}`,
    );
    return rel;
  }

  canAppendOffset(offset: number): boolean {
    const rel = offset - this.baseOffset;
    return rel >= 0 && rel <= 2147483647;
  }

  /** Writes one entry at the end (memory and file). */
  protected appendEntry(entry: Buffer): void {
    assert(this._writable, `append to read-only index ${this._path}`);
    const at = this._entries * this.entrySize;
    let mem = this.buf();
    if (mem.length < at + this.entrySize) {
      const cap = Math.max(4096, (at + this.entrySize) * 2);
      const grown = Buffer.allocUnsafe(Math.min(cap, Math.max(this._length, at + this.entrySize)));
      mem.copy(grown, 0, 0, at);
      mem = grown;
    }
    entry.copy(mem, at);
    this.mem = mem;
    if (this.fd < 0) this.fd = disk.open(this._path, OPEN_READ_WRITE_CREATE);
    disk.write(this.fd, entry, 0, this.entrySize, at);
    this._entries++;
  }

  /** Drops entries after the first `entries`. */
  protected truncateToEntries(entries: number): void {
    this._entries = entries;
    this.afterEntriesChanged();
  }

  /**
   * Sets the file length (rounded down to whole entries): to `segment.index.bytes` when the segment
   * becomes active, to its entries when it stops being active. True if the length changed.
   */
  resize(newSize: number): boolean {
    const rounded = roundDown(newSize, this.entrySize);
    if (this._length === rounded) return false;
    if (this.fd >= 0) disk.ftruncate(this.fd, rounded);
    else disk.truncate(this._path, rounded);
    this._length = rounded;
    this._maxEntries = rounded / this.entrySize;
    if (this._entries > this._maxEntries) this.truncateToEntries(this._maxEntries);
    return true;
  }

  trimToValidSize(): void {
    this.resize(this.entrySize * this._entries);
  }

  /** Removes all entries and preallocates the file again (recovery, becoming active). */
  reset(): void {
    this.mem = Buffer.alloc(0);
    this.truncateToEntries(0);
    this.resize(this.maxIndexSize);
  }

  /** The index is writable again (the active segment) or no longer. */
  set writable(w: boolean) {
    this._writable = w;
    if (!w) this.closeHandler();
  }

  get writable(): boolean {
    return this._writable;
  }

  async flush(): Promise<void> {
    if (this.fd >= 0) {
      await disk.fsync(this.fd);
      return;
    }
    if (!disk.exists(this._path)) return;
    const fd = disk.open(this._path, OPEN_READ_WRITE_CREATE);
    try {
      await disk.fsync(fd);
    } finally {
      disk.close(fd);
    }
  }

  renameTo(newPath: string): void {
    disk.rename(this._path, newPath);
    this.updatePath(newPath);
  }

  updatePath(newPath: string): void {
    this._path = newPath;
    if (this.fd >= 0) disk.renamedFd(this.fd, newPath);
  }

  /** Trims the file to its entries and closes it. */
  close(): void {
    this.trimToValidSize();
    this.closeHandler();
  }

  closeHandler(): void {
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      disk.close(fd);
    }
  }

  deleteIfExists(): boolean {
    this.closeHandler();
    return disk.unlink(this._path);
  }

  /**
   * The slot of the largest entry whose key (or value) is <= target, or -1 when the first entry is
   * already larger or the index is empty.
   */
  protected largestLowerBoundSlotFor(target: number, type: IndexSearchType): number {
    const n = this._entries;
    if (n === 0) return -1;
    const buf = this.buf();
    if (this.parseKey(buf, 0, type) > target) return -1;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const k = this.parseKey(buf, mid, type);
      if (k > target) hi = mid - 1;
      else if (k < target) lo = mid;
      else return mid;
    }
    return lo;
  }

  /** The slot of the smallest entry whose key (or value) is >= target, or -1. */
  protected smallestUpperBoundSlotFor(target: number, type: IndexSearchType): number {
    const n = this._entries;
    if (n === 0) return -1;
    const buf = this.buf();
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.parseKey(buf, mid, type) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo === n ? -1 : lo;
  }
}

export function roundDown(n: number, factor: number): number {
  return factor * Math.floor(n / factor);
}
