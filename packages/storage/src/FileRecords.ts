import { strict as assert } from 'node:assert';
import { OPEN_READ_WRITE, OPEN_READ_WRITE_CREATE, disk } from './disk';
import { fdCache } from './FdCache';

/**
 * A segment's `.log` file: record batches back to back (Kafka's FileRecords).
 *
 * Writes are write-behind. `append` makes the bytes part of the file at once — `size` grows, reads
 * see them — and queues the physical write; queued writes run on libuv's pool, consecutive small
 * ones coalesced into one writev, two at a time so that the file never waits for the event loop to
 * pick up a completion. The event loop never waits for the page cache or for dirty-page
 * throttling, and the CRC check of the next batch overlaps the write of the previous one. A process
 * killed mid-write can leave a gap before the last bytes written; recovery truncates at the first
 * invalid batch, and what was flushed (fsync runs alone, after every earlier write) is whole. Reads of
 * bytes not yet written are served from the queued buffers. `flush()` queues an fsync behind the
 * writes.
 *
 * When writes go out is the `writeMode`. 'write-behind' always queues. 'sync' calls write(2) on
 * the caller's stack whenever nothing is queued. 'adaptive' (the default) writes synchronously
 * while that is fast — one copy into the page cache, no thread hand-off, which measured 0.90 of a
 * plain write loop against 0.80 for the queue — and switches to the queue for a while after a
 * write(2) took longer than SLOW_SYNC_WRITE_MS (dirty-page throttling, a slow disk), so that the
 * event loop never stalls on the page cache for long.
 *
 * The descriptor is opened lazily. A mutable (active) file keeps it; an inactive file's descriptor
 * lives in a small process-wide LRU (FdCache), so idle partitions hold no descriptors beyond their
 * active segment.
 */

/** A queued physical operation. */
interface Op {
  readonly kind: 'create' | 'write' | 'truncate' | 'fsync';
  position: number;
  bufs: Buffer[];
  bytes: number;
  truncateTo: number;
  /** Ran to completion (possibly before an earlier write: it resolves in queue order). */
  finished: boolean;
  readonly done: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

/** Bytes appended but not yet known to be written, readable from memory. */
interface Unwritten {
  readonly position: number;
  buf: Buffer;
  readonly op: Op;
}

const RESOLVED = Promise.resolve();

/** When appended bytes are written: see FileRecords. */
export type WriteMode = 'adaptive' | 'sync' | 'write-behind';
export const WRITE_MODES: readonly WriteMode[] = ['adaptive', 'sync', 'write-behind'];
/** Adaptive mode: a synchronous write(2) slower than this sends appends to the queue... */
const SLOW_SYNC_WRITE_MS = 5;
/** ...for this long, before trying synchronous writes again. */
const QUEUE_AFTER_SLOW_WRITE_MS = 10_000;
/**
 * Appends queued behind a running write are coalesced into one writev of at most this much. Not
 * more: on this kernel (6.x, ext4 with large folios) a single write of 2 MB or more into fresh
 * page cache sometimes runs 5–10× slower, all in system time, while writes of up to 1.5 MB never
 * did (BENCHMARKS.md, storage).
 */
const MAX_COALESCED_BYTES = 1024 * 1024;
/**
 * Writes running at once on libuv's pool: with two, the next write is already in the kernel when
 * one finishes, so the file is never idle while the event loop gets round to the completion.
 */
const MAX_PARALLEL_WRITES = 2;
/** IOV_MAX on Linux. */
const MAX_IOVECS = 1024;

function newOp(kind: Op['kind']): Op {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined); // failures reach the owner through onAsyncError; awaiting callers still see them
  return { kind, position: 0, bufs: [], bytes: 0, truncateTo: 0, finished: false, done, resolve, reject };
}

export interface FileRecordsOptions {
  /** Called once when a background write or fsync fails (the Log takes its directory offline). */
  readonly onAsyncError?: (err: unknown) => void;
  /** When appends are written (see the class comment); default 'adaptive'. */
  readonly writeMode?: WriteMode;
  /**
   * A new file of a log whose previous segment may still have queued writes: the file is created,
   * and written, only after `after` settles — so that what a crash leaves on disk is always a
   * prefix of the log, never a new segment after a hole.
   */
  readonly after?: Promise<void>;
}

export class FileRecords {
  private _path: string;
  private fd = -1;
  private _size: number;
  private writtenSize: number;
  private unwritten: Unwritten[] = [];
  private ops: Op[] = [];
  /** How many operations at the front of `ops` are running. */
  private running = 0;
  private asyncReaders = 0;
  private mutable: boolean;
  private closed = false;
  /** Close the descriptor as soon as queued writes are done (no reader asked for it). */
  private releaseWhenIdle = false;
  private failure: unknown = null;
  private readonly onAsyncError: (err: unknown) => void;
  private readonly writeMode: WriteMode;
  /** Adaptive mode: appends are queued until this time (ms, performance.now()). */
  private queueUntil = 0;
  /** False until the queue's 'create' operation made the file. */
  private created = true;
  private deleted = false;
  private after: Promise<void> = RESOLVED;

  private constructor(path: string, size: number, mutable: boolean, opts: FileRecordsOptions) {
    this._path = path;
    this._size = size;
    this.writtenSize = size;
    this.mutable = mutable;
    this.onAsyncError = opts.onAsyncError ?? (() => undefined);
    this.writeMode = opts.writeMode ?? 'adaptive';
  }

  /** Opens (creating when missing) the file at `path`; `mutable` for the active segment. */
  static open(path: string, mutable: boolean, opts: FileRecordsOptions = {}): FileRecords {
    const st = disk.stat(path);
    const fr = new FileRecords(path, st ? st.size : 0, mutable || !st, opts);
    if (!st && mutable && fr.writeMode !== 'sync' && opts.after) {
      // Created by the queue, behind the previous segment's writes.
      fr.created = false;
      const op = newOp('create');
      fr.after = opts.after;
      fr.ops.push(op);
      fr.pump();
    } else if (!st || mutable) fr.ensureFd();
    if (!mutable) fr.makeImmutable();
    return fr;
  }

  get path(): string {
    return this._path;
  }

  /** Size in bytes, including appended bytes still being written. */
  get size(): number {
    return this._size;
  }

  /** Bytes appended and not yet handed to the OS (back-pressure signal for the produce path). */
  get unwrittenBytes(): number {
    return this._size - this.writtenSize;
  }

  /** Nothing queued or running: every byte appended is in the OS. */
  get isIdle(): boolean {
    return this.ops.length === 0;
  }

  get isMutable(): boolean {
    return this.mutable;
  }

  /** Appends `buf` (kept by reference until written); resolves when the OS has the bytes. */
  append(buf: Buffer): Promise<void> {
    assert(
      this.mutable && !this.closed,
      `append to ${this.mutable ? 'closed' : 'immutable'} file ${this._path}`,
    );
    if (this.failure) throw this.failure;
    if (buf.length === 0) return RESOLVED;
    const position = this._size;
    if (this.ops.length === 0 && this.writesNow()) {
      const start = performance.now();
      try {
        disk.write(this.ensureFd(), buf, 0, buf.length, position);
      } catch (e) {
        this.failure = e; // later appends fail too; the caller's I/O funnel reports this one
        throw e;
      }
      const end = performance.now();
      if (end - start > SLOW_SYNC_WRITE_MS) this.queueUntil = end + QUEUE_AFTER_SLOW_WRITE_MS;
      this._size += buf.length;
      this.writtenSize = this._size;
      return RESOLVED;
    }
    this._size += buf.length;
    const last = this.ops[this.ops.length - 1];
    let op: Op;
    if (
      last &&
      last.kind === 'write' &&
      this.ops.length - 1 >= this.running &&
      last.bufs.length < MAX_IOVECS &&
      last.bytes + buf.length <= MAX_COALESCED_BYTES
    ) {
      op = last;
    } else {
      op = newOp('write');
      op.position = position;
      this.ops.push(op);
    }
    op.bufs.push(buf);
    op.bytes += buf.length;
    this.unwritten.push({ position, buf, op });
    this.pump();
    return op.done;
  }

  private writesNow(): boolean {
    if (this.writeMode === 'sync') return true;
    return this.writeMode === 'adaptive' && (this.queueUntil === 0 || performance.now() >= this.queueUntil);
  }

  /** Resolves when every write queued so far is in the OS and fsynced. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.mutable) this.releaseWhenIdle = true; // only readers keep an inactive file's descriptor
    const op = newOp('fsync');
    this.ops.push(op);
    this.pump();
    return op.done;
  }

  /** Resolves when every write queued so far is in the OS (no fsync). */
  whenWritten(): Promise<void> {
    const last = this.ops[this.ops.length - 1];
    return last ? last.done : RESOLVED;
  }

  /**
   * Cuts the file to `targetSize` bytes; returns how many were removed. Queued writes past the
   * cut are dropped; a write already running is followed by a second ftruncate so that its bytes
   * cannot outlive the cut.
   */
  truncateTo(targetSize: number): number {
    assert(
      targetSize >= 0 && targetSize <= this._size,
      `truncate ${this._path} to ${targetSize} of ${this._size}`,
    );
    if (this.failure) throw this.failure;
    const removed = this._size - targetSize;
    if (removed === 0) return 0;
    this._size = targetSize;
    this.writtenSize = Math.min(this.writtenSize, targetSize);
    // Forget unwritten bytes past the cut.
    const kept: Unwritten[] = [];
    for (const u of this.unwritten) {
      if (u.position >= targetSize) continue;
      if (u.position + u.buf.length > targetSize) u.buf = u.buf.subarray(0, targetSize - u.position);
      kept.push(u);
    }
    this.unwritten = kept;
    // Trim queued (not running) writes.
    for (let i = this.ops.length - 1; i >= this.running; i--) {
      const op = this.ops[i];
      if (op.kind !== 'write') continue;
      let pos = op.position;
      const bufs: Buffer[] = [];
      for (const b of op.bufs) {
        if (pos < targetSize) bufs.push(pos + b.length > targetSize ? b.subarray(0, targetSize - pos) : b);
        pos += b.length;
      }
      op.bufs = bufs;
      op.bytes = bufs.reduce((n, b) => n + b.length, 0);
      if (bufs.length === 0) {
        this.ops.splice(i, 1);
        op.resolve();
      }
    }
    if (this.created) {
      const fd = this.ensureFd();
      if (disk.fileSize(fd) > targetSize) disk.ftruncate(fd, targetSize);
      if (!this.mutable) this.releaseWhenIdle = true;
    }
    if (this.running > 0) {
      const op = newOp('truncate');
      op.truncateTo = targetSize;
      this.ops.push(op);
    }
    this.maybeReleaseFd();
    return removed;
  }

  /**
   * Copies bytes [position, position+length) into `out` at `outOffset`, from the file and, for the
   * unwritten tail, from memory. Returns the count copied (less at the end of the file).
   */
  readInto(out: Buffer, outOffset: number, position: number, length: number): number {
    if (this.failure) throw this.failure;
    const end = Math.min(this._size, position + length);
    if (end <= position) return 0;
    const fileEnd = Math.min(end, this.writtenSize);
    let n = 0;
    if (fileEnd > position) {
      n = disk.read(this.ensureFd(), out, outOffset, fileEnd - position, position);
      if (n < fileEnd - position) return n; // file shorter than we believe: let the caller see it
    }
    return n + this.copyUnwritten(out, outOffset + n, position + n, end);
  }

  /** `readInto` into a new buffer of the bytes present. */
  readSync(position: number, length: number): Buffer {
    const len = Math.max(0, Math.min(this._size, position + length) - position);
    const out = Buffer.allocUnsafe(len);
    const n = this.readInto(out, 0, position, len);
    return n === len ? out : out.subarray(0, n);
  }

  /**
   * Reads [position, position+length) on libuv's pool into a new buffer, or into one `alloc`
   * gives (at least the length asked; the result is its first bytes).
   */
  async read(position: number, length: number, alloc?: (size: number) => Buffer): Promise<Buffer> {
    const len = Math.max(0, Math.min(this._size, position + length) - position);
    const out = alloc ? alloc(len).subarray(0, len) : Buffer.allocUnsafe(len);
    const n = await this.readIntoAsync(out, 0, position, len);
    return n === len ? out : out.subarray(0, n);
  }

  /** `readInto` on libuv's pool; the unwritten tail is copied at call time. */
  async readIntoAsync(out: Buffer, outOffset: number, position: number, length: number): Promise<number> {
    if (this.failure) throw this.failure;
    const end = Math.min(this._size, position + length);
    if (end <= position) return 0;
    const fileEnd = Math.max(position, Math.min(end, this.writtenSize));
    const tail = this.copyUnwritten(out, outOffset + (fileEnd - position), fileEnd, end);
    if (fileEnd > position) {
      const fd = this.ensureFd();
      this.asyncReaders++;
      try {
        const n = await disk.readAsync(fd, out, outOffset, fileEnd - position, position);
        if (n < fileEnd - position) return n;
      } finally {
        this.asyncReaders--;
        this.maybeReleaseFd();
      }
    }
    return fileEnd - position + tail;
  }

  /** The active segment became inactive: no more appends; its descriptor is closed once writes drain. */
  makeImmutable(): void {
    this.mutable = false;
    this.releaseWhenIdle = true;
    this.maybeReleaseFd();
  }

  /** Makes the file the active one again (follower truncation back into an older segment). */
  makeMutable(): void {
    this.mutable = true;
    this.releaseWhenIdle = false;
    this.ensureFd();
    fdCache.forget(this);
  }

  renameTo(newPath: string): void {
    if (this.created) disk.rename(this._path, newPath);
    this._path = newPath;
    if (this.fd >= 0) disk.renamedFd(this.fd, newPath);
  }

  /** Updates the path after the parent directory was renamed. */
  updateParentDir(newPath: string): void {
    this._path = newPath;
    if (this.fd >= 0) disk.renamedFd(this.fd, newPath);
  }

  /** Waits for queued operations, then closes the descriptor. */
  async close(): Promise<void> {
    this.closed = true;
    this.mutable = false;
    while (this.ops.length > 0) {
      try {
        await this.ops[this.ops.length - 1]?.done;
      } catch {
        break;
      }
    }
    this.maybeReleaseFd(true);
  }

  /** Closes without writing anything more (the directory failed); in-flight work is abandoned. */
  closeHandlers(): void {
    this.closed = true;
    this.mutable = false;
    if (!this.failure) this.failure = new Error(`${this._path} closed after a directory failure`);
    for (const op of this.ops.splice(this.running)) op.reject(this.failure);
    this.unwritten = [];
    this.maybeReleaseFd(true);
  }

  /** Deletes the file (a descriptor still open keeps the inode alive for readers until closed). */
  deleteIfExists(): boolean {
    this.deleted = true;
    this.closed = true;
    this.mutable = false;
    for (const op of this.ops.splice(this.running)) op.resolve(); // nothing left to write to
    this.unwritten = [];
    this.maybeReleaseFd(true);
    return disk.unlink(this._path);
  }

  lastModified(): number {
    return disk.stat(this._path)?.mtimeMs ?? 0;
  }

  setLastModified(ms: number): void {
    disk.setMtime(this._path, ms);
  }

  /** For FdCache: may the descriptor be closed now? */
  canReleaseFd(): boolean {
    return (
      this.fd >= 0 && !this.mutable && this.ops.length === 0 && this.asyncReaders === 0
    );
  }

  /** For FdCache: close the descriptor (reopened on the next read). */
  releaseFd(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    fdCache.forget(this);
    disk.close(fd);
  }

  private maybeReleaseFd(now = false): void {
    if (this.fd < 0 || this.mutable) return;
    if (!(this.ops.length === 0 && this.asyncReaders === 0)) return;
    if (now || this.closed || this.releaseWhenIdle) {
      this.releaseWhenIdle = false;
      this.releaseFd();
    } else fdCache.touch(this);
  }

  private ensureFd(): number {
    if (this.fd >= 0) {
      if (!this.mutable) fdCache.touch(this);
      return this.fd;
    }
    // Read-write even when inactive: recovery and the cleaner's swap may still truncate it.
    this.fd = disk.open(this._path, this.mutable ? OPEN_READ_WRITE_CREATE : OPEN_READ_WRITE);
    if (!this.mutable) fdCache.touch(this);
    return this.fd;
  }

  private copyUnwritten(out: Buffer, outOffset: number, from: number, end: number): number {
    let copied = 0;
    for (const u of this.unwritten) {
      const uEnd = u.position + u.buf.length;
      if (uEnd <= from + copied) continue;
      if (u.position >= end) break;
      const start = from + copied;
      const s = start - u.position;
      const n = Math.min(uEnd, end) - start;
      u.buf.copy(out, outOffset + copied, s, s + n);
      copied += n;
      if (start + n >= end) break;
    }
    return copied;
  }

  /**
   * Starts what may run: any operation when nothing runs, or one more write beside running writes
   * (up to MAX_PARALLEL_WRITES). Writes go to explicit positions, so their order in the kernel does
   * not matter; a create, truncate or fsync runs alone. Operations complete, and their promises
   * resolve, in queue order.
   */
  private pump(): void {
    while (this.running < this.ops.length && !this.failure) {
      const op = this.ops[this.running];
      if (this.running > 0 && !(op.kind === 'write' && this.runningWritesOnly() && this.running < MAX_PARALLEL_WRITES))
        return;
      this.running++;
      void this.run(op).then(
        () => this.finished(op),
        (err) => this.failed(err),
      );
    }
  }

  private runningWritesOnly(): boolean {
    for (let i = 0; i < this.running; i++) if (this.ops[i].kind !== 'write') return false;
    return true;
  }

  private finished(op: Op): void {
    if (this.failure) return; // already rejected with the failure
    op.finished = true;
    while (this.running > 0 && this.ops[0].finished) {
      const first = this.ops.shift()!;
      this.running--;
      if (first.kind === 'write') this.markWritten(first);
      first.resolve();
    }
    this.pump();
    this.maybeReleaseFd();
  }

  private failed(err: unknown): void {
    if (this.failure) return;
    this.running = 0;
    this.failure = err;
    for (const o of this.ops.splice(0)) o.reject(err);
    this.onAsyncError(err);
    this.maybeReleaseFd();
  }

  private async run(op: Op): Promise<void> {
    if (op.kind === 'create') {
      await this.after.catch(() => undefined);
      if (this.deleted) return; // deleted before it was ever created
      if (this.fd < 0) {
        this.fd = disk.open(this._path, OPEN_READ_WRITE_CREATE);
        if (!this.mutable) fdCache.touch(this);
      }
      this.created = true;
      return;
    }
    const fd = this.ensureFd();
    switch (op.kind) {
      case 'write':
        if (op.bufs.length > 0) await disk.writev(fd, op.bufs, op.position);
        return;
      case 'truncate':
        if (disk.fileSize(fd) > op.truncateTo) disk.ftruncate(fd, op.truncateTo);
        return;
      case 'fsync':
        await disk.fsync(fd);
        return;
    }
  }

  private markWritten(op: Op): void {
    while (this.unwritten.length > 0 && this.unwritten[0].op === op) {
      const u = this.unwritten.shift()!;
      this.writtenSize = Math.max(this.writtenSize, u.position + u.buf.length);
    }
  }
}
