import * as path from 'node:path';
import { readInt64 } from './BatchCursor';
import { disk, OPEN_READ_WRITE_CREATE } from './disk';

/**
 * One aborted transaction of a segment (Kafka's AbortedTxn): the producer, the offsets of its first
 * record and of its ABORT marker in this partition, and the last stable offset when the marker was
 * written (the first offset of the next open transaction, else the marker's offset + 1): a
 * read_committed fetch ending below it needs no index entry written later.
 */
export interface AbortedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly lastStableOffset: number;
}

/** What a segment's index holds for a fetch range (Kafka's TxnIndexSearchResult). */
export interface TxnIndexSearchResult {
  readonly abortedTransactions: AbortedTxn[];
  /** True when no later segment can hold an aborted transaction of the range. */
  readonly isComplete: boolean;
}

/** int16 version 0, then producerId, firstOffset, lastOffset, lastStableOffset (int64 each). */
export const ABORTED_TXN_SIZE = 34;
const CURRENT_VERSION = 0;

export class CorruptIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptIndexError';
  }
}

export function encodeAbortedTxn(t: AbortedTxn, buf = Buffer.alloc(ABORTED_TXN_SIZE), at = 0): Buffer {
  buf.writeInt16BE(CURRENT_VERSION, at);
  writeInt64(buf, at + 2, t.producerId);
  writeInt64(buf, at + 10, t.firstOffset);
  writeInt64(buf, at + 18, t.lastOffset);
  writeInt64(buf, at + 26, t.lastStableOffset);
  return buf;
}

/** The entries of a `.txnindex` file's bytes (a trailing partial entry is ignored, as Kafka does). */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let p = 0; p + ABORTED_TXN_SIZE <= buf.length; p += ABORTED_TXN_SIZE) {
    const version = buf.readInt16BE(p);
    if (version !== CURRENT_VERSION) {
      throw new CorruptIndexError(`Unexpected aborted transaction version ${version} at position ${p}`);
    }
    out.push({
      producerId: readInt64(buf, p + 2),
      firstOffset: readInt64(buf, p + 10),
      lastOffset: readInt64(buf, p + 18),
      lastStableOffset: readInt64(buf, p + 26),
    });
  }
  return out;
}

function writeInt64(buf: Buffer, at: number, v: number): void {
  buf.writeInt32BE(Math.floor(v / 4294967296), at);
  buf.writeUInt32BE(v >>> 0, at + 4);
}

/**
 * A segment's aborted transactions, `<base>.txnindex` (Kafka's TransactionIndex): one 34-byte entry
 * appended for each ABORT marker written to the segment, in marker order. The file is created on
 * the first entry only (most segments never see an abort). Entries are kept in memory once read:
 * they are few, and every read_committed fetch asks for them.
 *
 * Writes go to the OS synchronously; fsync comes with the segment's flush. After a crash the
 * index may hold entries for markers the log lost: the log's recovery cuts the index back to the
 * recovered end and replays the markers after it (LogLoader, rebuildProducerState).
 */
export class TransactionIndex {
  private entries: AbortedTxn[] | null = null;
  private fd: number | null = null;
  private dirty = false;
  /** The segment is no longer active: the descriptor goes once the entries are fsynced. */
  private closeWhenFlushed = false;

  constructor(
    readonly startOffset: number,
    private _path: string,
  ) {}

  get path(): string {
    return this._path;
  }

  private load(): AbortedTxn[] {
    if (this.entries === null) {
      this.entries = disk.exists(this._path) ? decodeAbortedTxns(disk.readFile(this._path)) : [];
    }
    return this.entries;
  }

  get allAbortedTxns(): readonly AbortedTxn[] {
    return this.load();
  }

  get isEmpty(): boolean {
    return this.load().length === 0;
  }

  /** Appends an entry; its marker must come after the last one's (Kafka throws the same). */
  append(t: AbortedTxn): void {
    const entries = this.load();
    const last = entries[entries.length - 1];
    if (last !== undefined && last.lastOffset >= t.lastOffset) {
      throw new Error(
        `The last offset of appended transactions must increase sequentially, but ${t.lastOffset} is not greater than current last offset ${last.lastOffset} of index ${this._path}`,
      );
    }
    this.fd ??= disk.open(this._path, OPEN_READ_WRITE_CREATE);
    disk.write(this.fd, encodeAbortedTxn(t), 0, ABORTED_TXN_SIZE, entries.length * ABORTED_TXN_SIZE);
    entries.push(t);
    this.dirty = true;
  }

  /**
   * The aborted transactions that overlap [fetchOffset, upperBoundOffset) (Kafka's
   * collectAbortedTxns); complete once an entry's last stable offset reaches the upper bound.
   */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    const found: AbortedTxn[] = [];
    for (const t of this.load()) {
      if (t.lastOffset >= fetchOffset && t.firstOffset < upperBoundOffset) found.push(t);
      if (t.lastStableOffset >= upperBoundOffset) return { abortedTransactions: found, isComplete: true };
    }
    return { abortedTransactions: found, isComplete: false };
  }

  /** Removes the entries whose marker is at or after `offset` (Kafka's truncateTo). */
  truncateTo(offset: number): void {
    const entries = this.load();
    const keep = entries.findIndex((t) => t.lastOffset >= offset);
    if (keep < 0) return;
    entries.length = keep;
    this.truncateFile(keep * ABORTED_TXN_SIZE);
  }

  /** Empties the index (a segment recovered from its start). */
  reset(): void {
    this.entries = [];
    this.truncateFile(0);
  }

  private truncateFile(size: number): void {
    if (this.fd !== null) disk.ftruncate(this.fd, size);
    else if (disk.exists(this._path)) disk.truncate(this._path, size);
    this.dirty = true;
  }

  /** Entries must lie within the segment (Kafka's sanityCheck). */
  sanityCheck(): void {
    for (const t of this.load()) {
      if (t.lastOffset < this.startOffset) {
        throw new CorruptIndexError(
          `Last offset of aborted transaction ${t.lastOffset} in index ${this._path} is less than start offset ${this.startOffset}`,
        );
      }
    }
  }

  async flush(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return;
    if (this.dirty) {
      this.dirty = false;
      await disk.fsync(fd);
    }
    if (this.closeWhenFlushed && this.fd === fd && !this.dirty) this.close();
  }

  /** The segment takes appends again (a truncation made it the active one). */
  onBecomeActive(): void {
    this.closeWhenFlushed = false;
  }

  /** The segment was rolled: no more appends, so its descriptor is released after the next flush. */
  onBecomeInactive(): void {
    this.closeWhenFlushed = true;
    if (!this.dirty) this.close();
  }

  close(): void {
    if (this.fd !== null) disk.close(this.fd);
    this.fd = null;
  }

  /** Closes the descriptor without writing (the directory failed). */
  closeHandler(): void {
    if (this.fd === null) return;
    try {
      disk.close(this.fd);
    } catch {
      // the directory is gone already
    }
    this.fd = null;
  }

  renameTo(target: string): void {
    this.close();
    if (disk.exists(this._path)) disk.rename(this._path, target);
    this._path = target;
  }

  /** The partition directory was renamed (the file went with it). */
  updatePath(dir: string): void {
    this.close();
    this._path = path.join(dir, path.basename(this._path));
  }

  deleteIfExists(): boolean {
    this.close();
    return disk.unlink(this._path);
  }

  setMtime(ms: number): void {
    if (disk.exists(this._path)) disk.setMtime(this._path, ms);
  }
}
