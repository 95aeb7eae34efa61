import { readdirSync, readFileSync } from 'node:fs';
import { buildBatch } from '@samsa/protocol';
import type { Log } from './Log';
import { LogCleaner } from './LogCleaner';
import { OffsetMap } from './OffsetMap';
import { config, newLog, readAll, tempDir, testEnv, type TestEnv } from './testing/helpers';

describe('LogCleaner', () => {
  let dir: string;
  let cleanup: () => void;
  let env: TestEnv;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    env = testEnv();
  });
  afterEach(() => cleanup());

  function cleanerFor(logs: Log[]): LogCleaner {
    return new LogCleaner({
      config: { enable: true, backoffMs: 1000, dedupeBufferSize: 1024 * 1024, dedupeBufferLoadFactor: 0.9 },
      logs: () => logs,
      time: env.time,
      logger: env.logger,
      scheduler: env.scheduler,
      failureChannel: env.failureChannel,
    });
  }

  function put(log: Log, key: string, value: string | null): number {
    return log.appendAsLeader(buildBatch([{ key, value }]), 0).firstOffset;
  }

  const compacted = (extra = {}) =>
    config({ cleanupPolicy: ['compact'], segmentBytes: 600, minCleanableDirtyRatio: 0.01, ...extra });

  test('keepsTheLatestRecordPerKeyWithOffsetsAndNeverTouchesTheActiveSegment', async () => {
    const log = newLog(dir, env, compacted());
    const latest = new Map<string, { offset: number; value: string }>();
    for (let round = 0; round < 8; round++) {
      for (let k = 0; k < 5; k++) {
        const value = `v${round}-${k}`;
        latest.set(`k${k}`, { offset: put(log, `k${k}`, value), value });
      }
    }
    log.highWatermark = log.logEndOffset;
    await log.whenWritten();
    const active = log.activeSegment;
    const activeBytes = readFileSync(active.log.path);
    const before = log.size;
    const cleaner = cleanerFor([log]);
    expect(await cleaner.cleanOnce()).toBe(true);
    expect(log.size).toBeLessThan(before);
    expect(log.activeSegment).toBe(active);
    expect(readFileSync(active.log.path)).toEqual(activeBytes);
    const records = await readAll(log);
    const inClean = records.filter((r) => r.offset < active.baseOffset);
    const keys = inClean.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length); // one record per key below the active segment
    for (const r of inClean) {
      const l = latest.get(r.key!)!;
      if (l.offset < active.baseOffset) expect(r).toEqual({ offset: l.offset, key: r.key, value: l.value });
    }
    // every latest value is still readable at its offset
    for (const [key, l] of latest) expect(records).toContainEqual({ offset: l.offset, key, value: l.value });
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.cleaned') || f.endsWith('.swap'))).toEqual([]);
    expect(readFileSync(`${log.parentDir}/cleaner-offset-checkpoint`, 'utf8')).toMatch(
      /^0\n1\ntest 0 \d+\n$/,
    );
  });

  test('tombstonesStayUntilTheirSegmentPassesTheDeleteHorizon', async () => {
    const log = newLog(dir, env, compacted({ deleteRetentionMs: 1000 }));
    for (let i = 0; i < 6; i++) put(log, 'a', `a${i}`);
    put(log, 'a', null);
    for (let i = 0; i < 12; i++) put(log, `b${i % 3}`, `b${i}`);
    log.highWatermark = log.logEndOffset;
    const cleaner = cleanerFor([log]);
    await cleaner.cleanOnce();
    let records = await readAll(log);
    expect(records.filter((r) => r.key === 'a')).toEqual([{ offset: 6, key: 'a', value: null }]);
    // The horizon is the last clean segment's mtime minus delete.retention.ms: make the tombstone's
    // segment older than that, add dirty data, clean again.
    const [first, second] = log.logSegments();
    first.lastModified = Date.now() - 10_000;
    second.lastModified = Date.now() - 5_000;
    for (let i = 0; i < 12; i++) put(log, `c${i % 3}`, `c${i}`);
    log.highWatermark = log.logEndOffset;
    await cleaner.cleanOnce();
    records = await readAll(log);
    expect(records.filter((r) => r.key === 'a')).toEqual([]);
    expect(records.filter((r) => r.key === 'b0').length).toBeGreaterThan(0);
  });

  test('aLogBelowMinCleanableDirtyRatioIsLeftAlone', async () => {
    const log = newLog(dir, env, compacted({ minCleanableDirtyRatio: 0.99 }));
    for (let i = 0; i < 40; i++) put(log, `k${i % 4}`, `v${i}`);
    log.highWatermark = log.logEndOffset;
    const cleaner = cleanerFor([log]);
    await cleaner.cleanOnce();
    const ltc = cleaner.grabFilthiestCompactedLog(env.time.milliseconds());
    expect(ltc).toBeNull();
    const deleteOnly = newLog(dir, env, config({ segmentBytes: 600 }), 'plain-0');
    for (let i = 0; i < 40; i++) put(deleteOnly, `k${i % 4}`, `v${i}`);
    expect(cleanerFor([deleteOnly]).grabFilthiestCompactedLog(env.time.milliseconds())).toBeNull();
  });

  test('aTruncationDuringCleaningAbortsItAndLeavesTheLogIntact', async () => {
    const log = newLog(dir, env, compacted());
    for (let i = 0; i < 60; i++) put(log, `k${i % 5}`, `v${i}`);
    log.highWatermark = log.logEndOffset;
    const cleaner = cleanerFor([log]);
    const running = cleaner.cleanOnce();
    log.truncateTo(30);
    expect(await running).toBe(false);
    expect(env.logger.matching(/changed during cleaning|aborted/).length).toBeGreaterThan(0);
    expect((await readAll(log)).map((r) => r.offset)).toEqual([...Array(30).keys()]);
    expect(readdirSync(log.dir).filter((f) => f.includes('.cleaned'))).toEqual([]);
  });

  test('anIdempotentProducersBatchesKeepTheirLastOffsetAndItsLastBatchStaysEvenWhenEmptied', async () => {
    const log = newLog(dir, env, compacted());
    const idem = (seq: number, keys: string[]) =>
      buildBatch(
        keys.map((key) => ({ key, value: `${key}@${seq}` })),
        { producerId: 33, producerEpoch: 0, baseSequence: seq },
      );
    // Producer 33: [a, b] at 0-1, then its last batch [c] at 2; others overwrite b and c later.
    log.appendAsLeader(idem(0, ['a', 'b']), 0);
    log.appendAsLeader(idem(2, ['c']), 0);
    for (let i = 0; i < 30; i++) put(log, i % 2 === 0 ? 'b' : 'c', `x${i}`);
    log.highWatermark = log.logEndOffset;
    await log.whenWritten();
    expect(await cleanerFor([log]).cleanOnce()).toBe(true);
    const headers: Array<{ base: number; last: number; count: number; pid: number }> = [];
    for (const segment of log.logSegments()) {
      const bytes = readFileSync(segment.log.path);
      for (let pos = 0; pos < bytes.length; pos += 12 + bytes.readInt32BE(pos + 8)) {
        const base = Number(bytes.readBigInt64BE(pos));
        headers.push({
          base,
          last: base + bytes.readInt32BE(pos + 23),
          count: bytes.readInt32BE(pos + 57),
          pid: Number(bytes.readBigInt64BE(pos + 43)),
        });
      }
    }
    const producer = headers.filter((h) => h.pid === 33);
    // [a, b] lost b but still ends at offset 1 (sequence 1); [c] lost c but stays as a header.
    expect(producer).toEqual([
      { base: 0, last: 1, count: 1, pid: 33 },
      { base: 2, last: 2, count: 0, pid: 33 },
    ]);
    // A replay of the cleaned log (what a restart or a new replica does) gives the same state.
    const before = log.producerStateManager.lastEntry(33)!;
    log.truncateTo(log.logEndOffset - 1);
    expect(log.producerStateManager.lastEntry(33)).toMatchObject({ lastSeq: before.lastSeq, lastDataOffset: 2 });
  });

  test('offsetMapRemembersTheLatestOffsetPerKeyInFixedMemory', () => {
    const map = new OffsetMap(24 * 100);
    expect(map.slots).toBe(100);
    for (let i = 0; i < 50; i++) map.put(Buffer.from(`key-${i % 10}`), i);
    expect(map.size).toBe(10);
    expect(map.get(Buffer.from('key-3'))).toBe(43);
    expect(map.get(Buffer.from('nope'))).toBe(-1);
    expect(map.latestOffset).toBe(49);
    map.clear();
    expect(map.size).toBe(0);
  });
});
