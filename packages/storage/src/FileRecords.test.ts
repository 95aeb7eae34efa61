import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { disk } from './disk';
import { FileRecords } from './FileRecords';
import { tempDir } from './testing/helpers';

describe('FileRecords', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const bytes = (s: string) => Buffer.from(s);

  test('appendedBytesAreReadableAtOnceAndOnDiskWhenWritten', async () => {
    const p = path.join(dir, 'a.log');
    const f = FileRecords.open(p, true, { writeMode: 'write-behind' });
    const w1 = f.append(bytes('hello '));
    const w2 = f.append(bytes('world'));
    expect(f.size).toBe(11);
    expect(f.readSync(0, 100).toString()).toBe('hello world');
    expect((await f.read(6, 5)).toString()).toBe('world');
    await Promise.all([w1, w2]);
    expect(f.unwrittenBytes).toBe(0);
    expect(readFileSync(p).toString()).toBe('hello world');
    await f.flush();
    await f.close();
  });

  test('truncationDropsQueuedWritesAndCutsTheFileEvenWithAWriteRunning', async () => {
    const p = path.join(dir, 'b.log');
    const f = FileRecords.open(p, true, { writeMode: 'write-behind' });
    const big = Buffer.alloc(4 * 1024 * 1024, 1);
    void f.append(big);
    void f.append(bytes('tail'));
    expect(f.truncateTo(1000)).toBe(big.length + 4 - 1000);
    void f.append(bytes('new'));
    expect(f.readSync(998, 10)).toEqual(Buffer.concat([Buffer.from([1, 1]), bytes('new')]));
    await f.whenWritten();
    await f.flush();
    expect(statSync(p).size).toBe(1003);
    expect(readFileSync(p).subarray(1000).toString()).toBe('new');
    await f.close();
  });

  test('writesRunTwoAtOnceButResolveInQueueOrderAndAnFsyncWaitsForAll', async () => {
    const p = path.join(dir, 'p.log');
    const f = FileRecords.open(p, true, { writeMode: 'write-behind' });
    const mb = 1024 * 1024;
    const bufs = [1, 2, 3, 4].map((v) => Buffer.alloc(mb, v));
    const order: number[] = [];
    const written = bufs.map((b, i) => f.append(b).then(() => order.push(i)));
    const flushed = f.flush().then(() => order.push(99));
    const tail = f.append(bytes('tail')).then(() => order.push(100));
    await Promise.all([...written, flushed, tail]);
    expect(order).toEqual([0, 1, 2, 3, 99, 100]);
    const onDisk = readFileSync(p);
    expect(onDisk.length).toBe(4 * mb + 4);
    for (let i = 0; i < 4; i++) expect(onDisk[i * mb]).toBe(i + 1);
    expect(onDisk.subarray(4 * mb).toString()).toBe('tail');
    await f.close();
  });

  test('syncWritesCallWriteOnTheCallersStack', async () => {
    const p = path.join(dir, 'c.log');
    const f = FileRecords.open(p, true, { writeMode: 'sync' });
    void f.append(bytes('abc'));
    expect(readFileSync(p).toString()).toBe('abc');
    await f.close();
  });

  test('adaptiveWritesSynchronouslyUntilAWriteIsSlowThenQueues', async () => {
    const p = path.join(dir, 'ad.log');
    const f = FileRecords.open(p, true);
    void f.append(bytes('fast'));
    expect(f.unwrittenBytes).toBe(0);
    expect(readFileSync(p).toString()).toBe('fast'); // on disk when append returned
    disk.faultInjector = (op, file) => {
      if (op === 'write' && file === p) {
        const until = performance.now() + 8; // a write(2) stalled past SLOW_SYNC_WRITE_MS
        while (performance.now() < until);
      }
    };
    try {
      void f.append(bytes('-slow'));
      expect(readFileSync(p).toString()).toBe('fast-slow');
      const queued = f.append(bytes('-queued'));
      expect(f.unwrittenBytes).toBe('-queued'.length); // queued, not written on the caller's stack
      expect(f.readSync(0, 100).toString()).toBe('fast-slow-queued');
      await queued;
      expect(readFileSync(p).toString()).toBe('fast-slow-queued');
    } finally {
      disk.faultInjector = null;
      await f.close();
    }
  });

  test('anInactiveFileHoldsNoDescriptorUntilRead', async () => {
    const p = path.join(dir, 'd.log');
    const f = FileRecords.open(p, true);
    await f.append(bytes('0123456789'));
    f.makeImmutable();
    f.releaseFd();
    const before = disk.openFiles().filter((x) => x === p).length;
    expect(before).toBe(0);
    expect(f.readSync(2, 3).toString()).toBe('234');
    expect(f.canReleaseFd()).toBe(true);
    f.releaseFd();
    expect(disk.openFiles().includes(p)).toBe(false);
  });

  test('aFailedWriteReportsOnceAndFailsLaterAppends', async () => {
    const p = path.join(dir, 'e.log');
    const errors: unknown[] = [];
    const f = FileRecords.open(p, true, { onAsyncError: (e) => errors.push(e), writeMode: 'write-behind' });
    disk.faultInjector = (op, file) => {
      if (op === 'write' && file === p) {
        const e = new Error('ENOSPC: no space left on device') as NodeJS.ErrnoException;
        e.code = 'ENOSPC';
        e.syscall = 'write';
        throw e;
      }
    };
    try {
      await expect(f.append(bytes('x'))).rejects.toThrow(/ENOSPC/);
      expect(errors).toHaveLength(1);
      expect(() => f.append(bytes('y'))).toThrow(/ENOSPC/);
    } finally {
      disk.faultInjector = null;
      f.closeHandlers();
    }
  });
});

describe('FileRecords after a roll', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  test('aNewSegmentFileIsCreatedOnlyAfterThePreviousOnesWritesLanded', async () => {
    const a = FileRecords.open(path.join(dir, 'a.log'), true);
    void a.append(Buffer.alloc(32 * 1024 * 1024, 1));
    a.makeImmutable();
    const bPath = path.join(dir, 'b.log');
    const b = FileRecords.open(bPath, true, { after: a.whenWritten() });
    const written = b.append(Buffer.from('next'));
    expect(existsSync(bPath)).toBe(false);
    expect(b.readSync(0, 4).toString()).toBe('next'); // readable from memory meanwhile
    let sawHole = false;
    const watch = setInterval(() => {
      if (existsSync(bPath) && a.unwrittenBytes > 0) sawHole = true;
    }, 0);
    await written;
    clearInterval(watch);
    expect(sawHole).toBe(false);
    expect(readFileSync(bPath).toString()).toBe('next');
    await b.close();
  });

  test('closingANewSegmentBeforeItExistsStillCreatesIt', async () => {
    const a = FileRecords.open(path.join(dir, 'a.log'), true);
    void a.append(Buffer.alloc(1024));
    const bPath = path.join(dir, 'b.log');
    const b = FileRecords.open(bPath, true, { after: a.whenWritten() });
    await b.close();
    expect(existsSync(bPath)).toBe(true);
    const c = FileRecords.open(path.join(dir, 'c.log'), true, { after: a.whenWritten() });
    c.deleteIfExists();
    await a.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(path.join(dir, 'c.log'))).toBe(false);
  });
});
