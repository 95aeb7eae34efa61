/**
 * Storage hot paths (issue "Storage engine: Kafka's log on disk", benchmark section):
 *  1. append of 1 MB batches through Log.appendAsLeader vs a plain sequential fs write of the same
 *     bytes, same run, same directory — goal ratio ≥ 0.9;
 *  2. read of 1 MB slices from the page cache — goal ≥ 1 GB/s;
 *  3. recovery of a 1 GB log after an unclean stop (LogManager.startup without the clean-shutdown
 *     marker): time and MB/s;
 *  4. offset and timestamp lookups with 10k index entries: µs per lookup.
 * Also: small (1 KB) batches; the default adaptive writes (write(2) on the event loop while fast) against the write-behind queue.
 * Each append, and each write of the plain baseline, runs in its own macrotask, as produce requests
 * arrive; figures are medians over rounds whose order rotates, each run starting after `sync`.
 * Run: npx tsc -b packages/storage && make bench BENCH=storage
 *      (= node --import tsx tests/bench/run.ts storage; @samsa/* resolve to the built dist).
 * SAMSA_BENCH_DIR picks the directory (default: the OS temp dir).
 */
import { MockTime } from '@samsa/common';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildBatch, crc32c } from '@samsa/protocol';
import { LogConfig, LogManager, Scheduler, type Log, type WriteMode } from '@samsa/storage';

const MB = 1024 * 1024;
const root = mkdtempSync(path.join(process.env.SAMSA_BENCH_DIR ?? tmpdir(), 'samsa-storage-bench-'));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function batchOf(totalBytes: number, recordBytes: number, baseTimestamp = Date.now()): Buffer {
  const n = Math.max(1, Math.floor(totalBytes / (recordBytes + 12)));
  const value = Buffer.alloc(recordBytes);
  for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff;
  return buildBatch(
    Array.from({ length: n }, () => ({ value })),
    { baseTimestamp },
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const gbps = (bytes: number, ms: number) => bytes / (ms / 1000) / 1e9;

async function newManager(
  dir: string,
  config: Partial<ConstructorParameters<typeof LogManager>[0]> = {},
): Promise<LogManager> {
  const m = new LogManager({
    logDirs: [dir],
    brokerId: 0,
    logger: quiet,
    cleaner: { enable: false },
    initialTaskDelayMs: 3_600_000,
    ...config,
  });
  await m.startup();
  return m;
}

/** Buffers the producers would send: distinct, reused only once their previous append is written. */
class BatchRing {
  private readonly bufs: Buffer[];
  private readonly written: Promise<void>[];
  private i = 0;
  constructor(count: number, make: () => Buffer) {
    this.bufs = Array.from({ length: count }, make);
    this.written = this.bufs.map(() => Promise.resolve());
  }
  get batchBytes(): number {
    return this.bufs[0].length;
  }
  async next(): Promise<{ buf: Buffer; slot: number }> {
    const slot = this.i++ % this.bufs.length;
    await this.written[slot];
    const buf = this.bufs[slot];
    buf.writeBigInt64BE(0n, 0); // a producer's batch starts at offset 0
    return { buf, slot };
  }
  done(slot: number, written: Promise<void>): void {
    this.written[slot] = written;
  }
  all(): Buffer[] {
    return this.bufs;
  }
}

/** The next produce request arrives as a new macrotask: completions of earlier writes run first. */
const nextRequest = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Event-loop time spent inside appendAsLeader, per run (what the single-threaded broker pays). */
const loopMs: Record<string, number[]> = {};

async function appendRun(log: Log, ring: BatchRing, totalBytes: number, label = ''): Promise<number> {
  const start = performance.now();
  let bytes = 0;
  let inAppend = 0;
  while (bytes < totalBytes) {
    await nextRequest();
    const { buf, slot } = await ring.next();
    const t = performance.now();
    const info = log.appendAsLeader(buf, 0);
    inAppend += performance.now() - t;
    ring.done(slot, info.written);
    bytes += info.validBytes;
  }
  await log.whenWritten();
  if (label) (loopMs[label] ??= []).push(inAppend);
  return performance.now() - start;
}

async function plainWriteRun(
  file: string,
  bufs: Buffer[],
  totalBytes: number,
  withCrc = false,
): Promise<number> {
  const fd = openSync(file, 'w');
  const start = performance.now();
  let pos = 0;
  let i = 0;
  while (pos < totalBytes) {
    await nextRequest();
    const b = bufs[i++ % bufs.length];
    if (withCrc) crc32c(b, 21, b.length);
    let off = 0;
    while (off < b.length) off += writeSync(fd, b, off, b.length - off, pos + off);
    pos += b.length;
  }
  const ms = performance.now() - start;
  closeSync(fd);
  return ms;
}

/** Starts each run from the same page-cache state: earlier files gone, dirty pages written back. */
function settle(): void {
  spawnSync('sync');
}

async function benchAppend(): Promise<void> {
  const total = 512 * MB;
  const ring = new BatchRing(32, () => batchOf(MB, 1024));
  const runs: Record<'plain' | 'crc' | WriteMode, number[]> = { plain: [], crc: [], adaptive: [], sync: [], 'write-behind': [] };
  const modes = ['plain', 'crc', 'write-behind', 'adaptive'] as const;
  const rounds = 8;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(round + k) % modes.length]; // rotate the order between rounds
      const dir = path.join(root, `append-${mode}-${round}`);
      mkdirSync(dir, { recursive: true });
      settle();
      if (mode === 'plain' || mode === 'crc') {
        runs[mode].push(
          await plainWriteRun(path.join(dir, '00000000000000000000.log'), ring.all(), total, mode === 'crc'),
        );
      } else {
        const m = await newManager(dir, { writeMode: mode });
        const log = m.getOrCreateLog({ topic: 'bench', partition: 0 });
        runs[mode].push(await appendRun(log, ring, total, mode));
        // No fsync, as for the plain file: a shutdown would fsync 512 MB and the deletion of fsynced
        // blocks (this disk is mounted with `discard`) slows whatever runs next.
        log.closeHandlers();
        await m.scheduler.shutdown();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // This VM's page cache is noisy (a plain write(2) loop ranges 0.5–5 GB/s from run to run), so
  // both the median and the best run (least disturbed) are shown, and ratios for both.
  const fmt = (xs: number[]) => xs.map((x) => gbps(total, x).toFixed(2)).join(' ');
  const best = (xs: number[]) => Math.min(...xs);
  const line = (label: string, xs: number[]) => {
    const ratio = (base: number[], pick: (v: number[]) => number) => (pick(base) / pick(xs)).toFixed(2);
    const ratios =
      xs === runs.plain || xs === runs.crc
        ? ''
        : `  ratio to plain ${ratio(runs.plain, median)} (best ${ratio(runs.plain, best)}), to CRC+write ${ratio(runs.crc, median)} (best ${ratio(runs.crc, best)})`;
    console.log(
      `  ${label.padEnd(38)}: median ${gbps(total, median(xs)).toFixed(2)} GB/s, best ${gbps(total, best(xs)).toFixed(2)} GB/s  [${fmt(xs)}]${ratios}`,
    );
  };
  console.log(
    `append 1 MB batches (${(ring.batchBytes / MB).toFixed(2)} MB, 1 KB records), ${total / MB} MB per run, ${rounds} rounds:`,
  );
  line('plain fs.writeSync of the same bytes', runs.plain);
  line('plain CRC32C then fs.writeSync', runs.crc);
  line('Log.appendAsLeader (write-behind)', runs['write-behind']);
  line('Log.appendAsLeader (adaptive, default)', runs.adaptive);
  const perMb = (label: string) => ((median(loopMs[label]) * 1000) / (total / MB)).toFixed(0);
  console.log(
    `  event-loop time inside appendAsLeader per MB: write-behind ${perMb('write-behind')} µs, adaptive ${perMb('adaptive')} µs`,
  );
}

async function benchSmallAppends(): Promise<void> {
  for (const writeMode of ['write-behind', 'adaptive'] as const) {
    const dir = path.join(root, `small-${writeMode}`);
    const m = await newManager(dir, { writeMode });
    const log = m.getOrCreateLog({ topic: 'small', partition: 0 });
    const ring = new BatchRing(256, () => batchOf(1024, 100));
    const n = 100_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      if (i % 16 === 0) await nextRequest();
      const { buf, slot } = await ring.next();
      ring.done(slot, log.appendAsLeader(buf, 0).written);
    }
    await log.whenWritten();
    const ms = performance.now() - start;
    log.closeHandlers();
    console.log(
      `append 1 KB batches (${writeMode}): ${((n / ms) * 1000).toFixed(0)} appends/s, ${((ms * 1000) / n).toFixed(1)} µs each`,
    );
    await m.scheduler.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchReadAndRecovery(): Promise<void> {
  const dir = path.join(root, 'gig');
  let m = await newManager(dir);
  const log = m.getOrCreateLog({ topic: 'gig', partition: 0 });
  const ring = new BatchRing(32, () => batchOf(MB, 1024));
  const total = 1024 * MB;
  await appendRun(log, ring, total);
  await log.flush();
  const size = log.size;

  // Reads of 1 MB slices, from the page cache.
  for (const how of ['read() async', 'readSync()'] as const) {
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      let offset = 0;
      let bytes = 0;
      while (offset < log.logEndOffset) {
        const info = log.read(offset, MB);
        const data = how === 'readSync()' ? info.records.readSync() : await info.records.read();
        bytes += data.length;
        offset = info.fetchOffsetMetadata.messageOffset + data.readInt32BE(57); // records in the (single) batch
      }
      runs.push(gbps(bytes, performance.now() - start));
    }
    console.log(
      `read 1 MB slices, ${how}: ${median(runs).toFixed(2)} GB/s  [${runs.map((x) => x.toFixed(2)).join(' ')}]`,
    );
  }

  // Unclean stop: descriptors closed, no clean-shutdown marker, no recovery point checkpointed.
  log.closeHandlers();
  await m.scheduler.shutdown();
  for (const f of ['recovery-point-offset-checkpoint']) rmSync(path.join(dir, f), { force: true });
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    m = await newManager(dir);
    const stats = m.lastStartupStats!;
    runs.push(stats.durationMs);
    const again = m.getLog({ topic: 'gig', partition: 0 })!;
    if (again.logEndOffset !== log.logEndOffset || stats.recoveredBytes !== size)
      throw new Error('recovery lost data');
    again.closeHandlers();
    await m.scheduler.shutdown();
    rmSync(path.join(dir, 'recovery-point-offset-checkpoint'), { force: true });
  }
  const ms = median(runs);
  console.log(
    `recovery of ${(size / MB).toFixed(0)} MB after an unclean stop (page cache warm): ${ms.toFixed(0)} ms, ` +
      `${(size / MB / (ms / 1000)).toFixed(0)} MB/s  [${runs.map((x) => x.toFixed(0)).join(' ')} ms]`,
  );
  rmSync(dir, { recursive: true, force: true });
}

async function benchLookups(): Promise<void> {
  const dir = path.join(root, 'lookups');
  const time = new MockTime(1_700_000_000_000);
  const m = await newManager(dir, {
    defaultConfig: LogConfig.of({ indexIntervalBytes: 0 }),
    time,
    scheduler: new Scheduler({ time, useTimers: false }),
  });
  const log = m.getOrCreateLog({ topic: 'lookups', partition: 0 });
  const entries = 10_000;
  for (let i = 0; i <= entries; i++) {
    log.appendAsLeader(batchOf(400, 10, 1_700_000_000_000 + i * 10), 0);
  }
  await log.whenWritten();
  const seg = log.activeSegment;
  console.log(
    `lookups: ${seg.offsetIndex.entries} offset index entries, ${seg.timeIndex.entries} time index entries, ${log.logEndOffset} offsets`,
  );
  const n = 200_000;
  const offsets = Array.from({ length: n }, (_, i) => (i * 7919) % log.logEndOffset);
  const stamps = offsets.map((o) => 1_700_000_000_000 + Math.floor(o / 30) * 10 + 3);
  const time1 = (label: string, count: number, fn: (i: number) => unknown) => {
    for (let i = 0; i < 1000; i++) fn(i);
    const start = performance.now();
    for (let i = 0; i < count; i++) fn(i);
    console.log(`  ${label}: ${(((performance.now() - start) * 1000) / count).toFixed(2)} µs per lookup`);
  };
  time1('OffsetIndex.lookup (binary search)', n, (i) => seg.offsetIndex.lookup(offsets[i]));
  time1('TimeIndex.lookup (binary search)', n, (i) => seg.timeIndex.lookup(stamps[i]));
  time1('Log.read(offset) position (index + batch header scan)', 50_000, (i) => log.read(offsets[i], 1));
  time1('Log.fetchOffsetByTimestamp (index + scan + decode one batch)', 50_000, (i) =>
    log.fetchOffsetByTimestamp(stamps[i]),
  );
  await m.shutdown();
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`directory: ${root}`);
  try {
    await benchAppend();
    await benchSmallAppends();
    await benchReadAndRecovery();
    await benchLookups();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
