import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Every file-system call storage makes goes through `disk`, the bottom of the I/O funnel (the top
 * is LogDirFailureChannel, which turns a failure here into an offline log directory). Keeping the
 * calls in one place gives three things: a fault injector for tests (an I/O error or a full disk on
 * one directory), a count of open descriptors (idle partitions must not hold any beyond their
 * active segment), and one place that knows which calls block the event loop.
 *
 * Synchronous calls are used where the work is small and bounded (metadata, index entries, short
 * reads); data-sized writes, fsync and fetch reads have asynchronous forms that run on libuv's pool.
 */

/** Called before each operation with its name and path; throw to simulate a failure. */
export type FaultInjector = (op: string, filePath: string) => void;

/** An error shaped like Node's own system errors (code + syscall + path). */
export function ioError(code: string, op: string, filePath: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: injected failure, ${op} '${filePath}'`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = op;
  e.path = filePath;
  return e;
}

class Disk {
  /** Tests set this to make chosen operations fail. */
  faultInjector: FaultInjector | null = null;
  private readonly fdPaths = new Map<number, string>();

  private check(op: string, p: string): void {
    if (this.faultInjector) this.faultInjector(op, p);
  }

  private pathOf(fd: number): string {
    return this.fdPaths.get(fd) ?? `fd:${fd}`;
  }

  /** Open descriptors held by storage right now. */
  get openFileCount(): number {
    return this.fdPaths.size;
  }

  /** Paths of open descriptors (for tests and diagnostics). */
  openFiles(): string[] {
    return [...this.fdPaths.values()];
  }

  open(p: string, flags: string | number): number {
    this.check('open', p);
    const fd = fs.openSync(p, flags);
    this.fdPaths.set(fd, p);
    return fd;
  }

  /** The descriptor now refers to a file at another path (after rename). */
  renamedFd(fd: number, p: string): void {
    if (this.fdPaths.has(fd)) this.fdPaths.set(fd, p);
  }

  close(fd: number): void {
    this.fdPaths.delete(fd);
    fs.closeSync(fd);
  }

  /** Writes all of buf[off, off+len) at `position`, looping over short writes. */
  write(fd: number, buf: Buffer, off: number, len: number, position: number): void {
    this.check('write', this.pathOf(fd));
    let done = 0;
    while (done < len) {
      done += fs.writeSync(fd, buf, off + done, len - done, position + done);
    }
  }

  /** Asynchronous positional write of several buffers, looping over short writes. */
  async writev(fd: number, bufs: Buffer[], position: number): Promise<void> {
    this.check('write', this.pathOf(fd));
    let total = 0;
    for (const b of bufs) total += b.length;
    let written = await new Promise<number>((resolve, reject) =>
      fs.writev(fd, bufs, position, (err, n) => (err ? reject(err) : resolve(n))),
    );
    while (written < total) {
      const rest = Buffer.concat(bufs).subarray(written);
      written += await new Promise<number>((resolve, reject) =>
        fs.write(fd, rest, 0, rest.length, position + written, (err, n) => (err ? reject(err) : resolve(n))),
      );
    }
  }

  /** Reads up to len bytes at position; returns the count (short only at end of file). */
  read(fd: number, buf: Buffer, off: number, len: number, position: number): number {
    this.check('read', this.pathOf(fd));
    let done = 0;
    while (done < len) {
      const n = fs.readSync(fd, buf, off + done, len - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  async readAsync(fd: number, buf: Buffer, off: number, len: number, position: number): Promise<number> {
    this.check('read', this.pathOf(fd));
    let done = 0;
    while (done < len) {
      const n = await new Promise<number>((resolve, reject) =>
        fs.read(fd, buf, off + done, len - done, position + done, (err, count) =>
          err ? reject(err) : resolve(count),
        ),
      );
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  fsync(fd: number): Promise<void> {
    this.check('fsync', this.pathOf(fd));
    return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  }

  fsyncSync(fd: number): void {
    this.check('fsync', this.pathOf(fd));
    fs.fsyncSync(fd);
  }

  /** fsync of a directory, so that a rename or create in it survives a power loss. */
  fsyncDir(dir: string): void {
    this.check('fsync', dir);
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  fsyncDirAsync(dir: string): Promise<void> {
    return this.fsyncFile(dir);
  }

  ftruncate(fd: number, len: number): void {
    this.check('truncate', this.pathOf(fd));
    fs.ftruncateSync(fd, len);
  }

  truncate(p: string, len: number): void {
    this.check('truncate', p);
    fs.truncateSync(p, len);
  }

  fileSize(fd: number): number {
    this.check('stat', this.pathOf(fd));
    return fs.fstatSync(fd).size;
  }

  /** Size and mtime of a path, or null when it does not exist. */
  stat(p: string): fs.Stats | null {
    this.check('stat', p);
    try {
      return fs.statSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  exists(p: string): boolean {
    return this.stat(p) !== null;
  }

  setMtime(p: string, ms: number): void {
    this.check('utimes', p);
    const t = new Date(ms);
    fs.utimesSync(p, t, t);
  }

  readdir(dir: string): fs.Dirent[] {
    this.check('readdir', dir);
    return fs.readdirSync(dir, { withFileTypes: true });
  }

  mkdirs(dir: string): void {
    this.check('mkdir', dir);
    fs.mkdirSync(dir, { recursive: true });
  }

  async mkdirsAsync(dir: string): Promise<void> {
    this.check('mkdir', dir);
    await fs.promises.mkdir(dir, { recursive: true });
  }

  rename(from: string, to: string): void {
    this.check('rename', from);
    fs.renameSync(from, to);
  }

  /** Deletes a file; false when it was already gone. */
  unlink(p: string): boolean {
    this.check('unlink', p);
    try {
      fs.unlinkSync(p);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /** Deletes a directory tree (a partition directory being removed). */
  async removeTree(dir: string): Promise<void> {
    this.check('rmdir', dir);
    await fs.promises.rm(dir, { recursive: true, force: true });
  }

  readFile(p: string): Buffer {
    this.check('read', p);
    return fs.readFileSync(p);
  }

  /**
   * Writes `data` as the whole of `p` in place, without fsync (small files such as producer
   * snapshots, where a torn file fails its own CRC; `fsyncFile` makes one durable).
   */
  writeFile(p: string, data: Buffer): void {
    this.check('write', p);
    const fd = fs.openSync(p, 'w');
    try {
      let done = 0;
      while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** fsync of the file (or directory) at `p`, on libuv's pool. */
  async fsyncFile(p: string): Promise<void> {
    this.check('fsync', p);
    const h = await fs.promises.open(p, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  }

  /** Creates an empty file if missing (markers such as .lock and .kafka_cleanshutdown). */
  touch(p: string): void {
    this.check('open', p);
    fs.closeSync(fs.openSync(p, 'a'));
  }

  /** touch on libuv's pool (the callback API: no FileHandle per file). */
  touchAsync(p: string): Promise<void> {
    this.check('open', p);
    return new Promise((resolve, reject) =>
      fs.open(p, 'a', (err, fd) => {
        if (err) return reject(err);
        fs.close(fd, (closeErr) => (closeErr ? reject(closeErr) : resolve()));
      }),
    );
  }

  /**
   * Replaces `p` with `data` atomically: write `p.tmp`, fsync it, rename over `p`, fsync the
   * directory (Kafka's CheckpointFile.write and Utils.atomicMoveWithFallback).
   */
  writeFileAtomic(p: string, data: Buffer): void {
    const tmp = `${p}.tmp`;
    this.check('write', tmp);
    const fd = fs.openSync(tmp, 'w');
    try {
      let done = 0;
      while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
      this.check('fsync', tmp);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.rename(tmp, p);
    this.fsyncDir(path.dirname(p));
  }

  async writeFileAtomicAsync(p: string, data: Buffer): Promise<void> {
    const tmp = `${p}.tmp`;
    this.check('write', tmp);
    const h = await fs.promises.open(tmp, 'w');
    try {
      await h.writeFile(data);
      this.check('fsync', tmp);
      await h.sync();
    } finally {
      await h.close();
    }
    this.check('rename', tmp);
    await fs.promises.rename(tmp, p);
    await this.fsyncDirAsync(path.dirname(p));
  }
}

/** Read-write, created when missing, never O_APPEND (positional writes must land where asked). */
export const OPEN_READ_WRITE_CREATE = fs.constants.O_RDWR | fs.constants.O_CREAT;
export const OPEN_READ_WRITE = fs.constants.O_RDWR;
export const OPEN_READ = fs.constants.O_RDONLY;

/** The process-wide funnel. */
export const disk = new Disk();
export type { Disk };
