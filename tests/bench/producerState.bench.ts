/**
 * Producer state (issue 14, benchmark section), at the storage level:
 *  1. memory per active producer id: heap held by a partition's ProducerStateManager per producer,
 *     with one and with five retained batches each (the most a producer keeps);
 *  2. the leader's append of idempotent batches against the same batches without a producer id
 *     (1 MB batches of 1000-byte and of 100-byte records, alternating, event-loop time per append,
 *     the first 100 rounds of 900 unmeasured):
 *     what the idempotence checks cost the broker itself, free of the client's pipelining;
 *  3. load time of the producer state of 10k producer ids after an unclean stop: the partition's
 *     loadLog with (a) a snapshot at the last roll below the recovery point and the batches after it
 *     replayed, (b) no snapshot it may trust (recovery point 0): every batch header replayed, and,
 *     for comparison, (c) after a clean close (snapshot at the log end).
 * Run: npx tsc -b && node --expose-gc --import tsx tests/bench/producerState.bench.ts
 *      (or `node --import tsx tests/bench/run.ts producerState`).
 */
import { MockTime } from '@samsa/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildBatch, crc32c } from '@samsa/protocol';
import {
  LogConfig,
  LogDirFailureChannel,
  ProducerStateManager,
  Scheduler,
  createLog,
  loadLog,
  type Log,
} from '@samsa/storage';

const root = mkdtempSync(path.join(process.env.SAMSA_BENCH_DIR ?? tmpdir(), 'samsa-producer-bench-'));
const lines: string[] = [];
const logger = { debug() {}, info: (m: string) => lines.push(m), warn() {}, error: (m: string, e?: unknown) => console.error(m, e) };
const time = new MockTime(Date.now());
const deps = {
  time,
  logger,
  scheduler: new Scheduler({ time, logger, useTimers: false }),
  failureChannel: new LogDirFailureChannel(logger),
};
const PRODUCERS = Number(process.env.SAMSA_BENCH_PRODUCERS ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function idem(pid: number, seq: number): Buffer {
  return buildBatch([{ value: Buffer.alloc(100, 97) }], {
    producerId: pid,
    producerEpoch: 0,
    baseSequence: seq,
    baseTimestamp: time.milliseconds(),
  });
}

function memoryPerProducer(batches: number): number {
  const psm = new ProducerStateManager({
    name: 'mem-0',
    dir: root,
    maxProducerIdExpirationMs: 604_800_000,
    time,
    logger,
    isNew: true,
  });
  const before = heap();
  let offset = 0;
  for (let b = 0; b < batches; b++) {
    for (let pid = 0; pid < PRODUCERS * 10; pid++) {
      const info = psm.prepareUpdate(pid, 'replication');
      info.appendDataBatch(0, b, b, time.milliseconds(), offset, offset, false);
      psm.update(info);
      offset++;
    }
  }
  const bytes = (heap() - before) / (PRODUCERS * 10);
  if (psm.activeProducers.size !== PRODUCERS * 10) throw new Error('producers missing');
  return bytes;
}

async function open(dir: string, hadCleanShutdown: boolean, recoveryPoint: number): Promise<{ log: Log; ms: number }> {
  lines.length = 0;
  const start = performance.now();
  const log = await loadLog({
    ...deps,
    dir,
    topicPartition: { topic: 'p', partition: 0 },
    config: LogConfig.of({ segmentBytes: 512 * 1024 }),
    logStartOffset: 0,
    recoveryPoint,
    hadCleanShutdown,
  });
  return { log, ms: performance.now() - start };
}

async function loadTimes(): Promise<Record<string, number>> {
  const dir = path.join(root, 'p-0');
  const log = createLog({
    ...deps,
    dir,
    topicPartition: { topic: 'p', partition: 0 },
    config: LogConfig.of({ segmentBytes: 512 * 1024 }),
  });
  for (let pid = 0; pid < PRODUCERS; pid++) log.appendAsLeader(idem(pid, 0), -1); // no leader epoch: no checkpoint writes racing the reopenings below
  await log.flush();
  const end = log.logEndOffset;
  const lastRoll = log.activeSegment.baseOffset;
  const segments = log.numberOfSegments;
  log.closeHandlers(); // a crash: no snapshot at the end
  const results: Record<string, number> = { segments, batches: end };
  const runs = (n: number, f: () => Promise<number>) =>
    Array.from({ length: n }).reduce<Promise<number[]>>(async (acc) => [...(await acc), await f()], Promise.resolve([]));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const check = (log: Log) => {
    if (log.producerStateManager.activeProducers.size !== PRODUCERS) throw new Error('state incomplete');
    log.closeHandlers();
  };
  results.uncleanFromSnapshotMs = median(
    await runs(5, async () => {
      const { log, ms } = await open(dir, false, lastRoll);
      check(log);
      return ms;
    }),
  );
  results.uncleanNoSnapshotMs = median(
    await runs(5, async () => {
      // Recovery point 0: no snapshot is trusted, every segment is recovered and every header replayed.
      const { log, ms } = await open(dir, false, 0);
      check(log);
      return ms;
    }),
  );
  const { log: last } = await open(dir, true, end);
  await last.close();
  results.cleanMs = median(
    await runs(5, async () => {
      const { log, ms } = await open(dir, true, end);
      check(log);
      return ms;
    }),
  );
  return results;
}

/**
 * µs of appendAsLeader per 1 MB batch, idempotent and plain, alternating rounds (median). The
 * batches are built once and reused with their offsets (and the idempotent ones' sequence and CRC)
 * patched, so that no garbage of the benchmark's own lands its collection in the measured appends.
 */
function appendCost(recordBytes: number): { plainUs: number; idempotentUs: number } {
  const records = Math.floor((1024 * 1024) / (recordBytes + 12));
  const value = Buffer.alloc(recordBytes, 98);
  const build = (idempotent: boolean) =>
    buildBatch(
      Array.from({ length: records }, () => ({ value })),
      idempotent ? { producerId: 5, producerEpoch: 0, baseSequence: 0 } : {},
    );
  const pool = { plain: Array.from({ length: 8 }, () => build(false)), idempotent: Array.from({ length: 8 }, () => build(true)) };
  const log = createLog({
    ...deps,
    writeMode: 'write-behind',
    dir: path.join(root, `append-${recordBytes}`),
    topicPartition: { topic: 'append', partition: recordBytes },
    config: LogConfig.of({ segmentBytes: 1024 * 1024 * 1024 }),
  });
  let seq = 0;
  const samples = { plain: [] as number[], idempotent: [] as number[] };
  for (let round = 0; round < 900; round++) {
    for (const kind of round % 2 === 0 ? (['plain', 'idempotent'] as const) : (['idempotent', 'plain'] as const)) {
      const b = pool[kind][round % 8];
      b.writeBigInt64BE(0n, 0);
      if (kind === 'idempotent') {
        b.writeInt32BE(seq, 53);
        seq += records;
      }
      // Both kinds get their CRC computed here, so both come to the append equally warm in cache.
      b.writeUInt32BE(crc32c(b, 21, b.length), 17);
      const start = performance.now();
      log.appendAsLeader(b, -1);
      if (round >= 100) samples[kind].push((performance.now() - start) * 1000); // the first 100 warm up
    }
  }
  log.closeHandlers();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { plainUs: +med(samples.plain).toFixed(1), idempotentUs: +med(samples.idempotent).toFixed(1) };
}

async function main(): Promise<void> {
  if (!gc) console.warn('run with --expose-gc for the memory figures');
  const one = memoryPerProducer(1);
  const five = memoryPerProducer(5);
  const append1000 = appendCost(1000);
  const append100 = appendCost(100);
  const load = await loadTimes();
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      producers: PRODUCERS,
      bytesPerProducerOneBatch: Math.round(one),
      bytesPerProducerFiveBatches: Math.round(five),
      appendOf1MBBatch1000BRecords: append1000,
      appendOf1MBBatch100BRecords: append100,
      ...load,
    }),
  );
  rmSync(root, { recursive: true, force: true });
}

void main();
