import {
  appendFileSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  mkdirSync,
  copyFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { batchOf, config, newLog, readAll, reopen, tempDir, testEnv, type TestEnv } from './testing/helpers';
import type { Log } from './Log';

/** Offset → (segment base, position) for every offset, and timestamp lookups: what indexes answer. */
function indexAnswers(log: Log): string[] {
  const out: string[] = [];
  for (let o = log.logStartOffset; o < log.logEndOffset; o++) {
    const m = log.read(o, 1).fetchOffsetMetadata;
    out.push(`${o}:${m.segmentBaseOffset}/${m.relativePositionInSegment}`);
  }
  for (const s of log.logSegments()) {
    out.push(
      `seg ${s.baseOffset} next=${s.readNextOffset()} maxTs=${s.maxTimestampSoFar}@${s.offsetOfMaxTimestampSoFar}`,
    );
  }
  return out;
}

describe('LogLoader (recovery)', () => {
  let dir: string;
  let cleanup: () => void;
  let env: TestEnv;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    env = testEnv();
  });
  afterEach(() => cleanup());

  async function filledLog(
    n = 20,
    cfg = config({ segmentBytes: 2000, indexIntervalBytes: 100 }),
  ): Promise<Log> {
    const log = newLog(dir, env, cfg);
    for (let i = 0; i < n; i++)
      log.appendAsLeader(batchOf(3, { valueBytes: 40, baseTimestamp: 1000 + i }), i < n / 2 ? 1 : 2);
    await log.flush();
    return log;
  }

  test('uncleanShutdownTruncatesATornTailAndKeepsEveryWholeBatch', async () => {
    const log = await filledLog();
    const before = await readAll(log);
    const active = log.activeSegment.log.path;
    log.closeHandlers();
    const size = statSync(active).size;
    truncateSync(active, size - 7); // the last batch is cut short
    const again = await reopen(log.dir, env, { recoveryPoint: 0 });
    const after = await readAll(again);
    expect(after).toEqual(before.slice(0, before.length - 3));
    expect(again.logEndOffset).toBe(before.length - 3);
    await again.close();
  });

  test('aCorruptBatchCutsItsSegmentThereAndLaterSegmentsAreDropped', async () => {
    const log = await filledLog(40);
    const segments = log.logSegments();
    expect(segments.length).toBeGreaterThan(3);
    const victim = segments[1];
    const victimPath = victim.log.path;
    const victimEnd = victim.readNextOffset();
    log.closeHandlers();
    // flip a byte in the middle of segment 1: its CRC fails there, the rest of the log is dropped
    const bytes = readFileSync(victimPath);
    const corruptAt = Math.floor(bytes.length / 2);
    bytes[corruptAt] ^= 0xff;
    writeFileSync(victimPath, bytes);
    const again = await reopen(log.dir, env, { recoveryPoint: segments[1].baseOffset });
    expect(again.numberOfSegments).toBe(2);
    expect(again.logEndOffset).toBeLessThan(victimEnd);
    expect(again.logEndOffset).toBeGreaterThan(segments[1].baseOffset);
    expect(env.logger.matching(/Found invalid messages/).length).toBe(1);
    expect(again.latestEpoch).toBe(again.logEndOffset > 60 ? 2 : 1);
    await again.close();
  });

  test('appendedGarbageIsTruncatedAndIndexesEqualAFreshRebuild', async () => {
    const log = await filledLog(40);
    const active = log.activeSegment.log.path;
    log.closeHandlers();
    appendFileSync(active, Buffer.from('this is not a record batch at all, not even close'));
    const again = await reopen(log.dir, env, { recoveryPoint: 0 });
    const answers = indexAnswers(again);
    await again.close();
    for (const f of readdirSync(log.dir))
      if (f.endsWith('.index') || f.endsWith('.timeindex')) unlinkSync(path.join(log.dir, f));
    const rebuilt = await reopen(log.dir, env, { hadCleanShutdown: true });
    expect(indexAnswers(rebuilt)).toEqual(answers);
    expect(env.logger.matching(/rebuilding the indexes/).length).toBeGreaterThan(0);
    await rebuilt.close();
  });

  test('aCorruptIndexIsRebuiltNotTrusted', async () => {
    const log = await filledLog(30);
    const answers = indexAnswers(log);
    const first = log.logSegments()[0];
    await log.close();
    const idx = first.offsetIndex.path;
    expect(statSync(idx).size).toBeGreaterThan(8);
    const b = readFileSync(idx);
    b.writeInt32BE(0x7fffff00, b.length - 4); // last entry points far past the log
    writeFileSync(idx, b);
    const again = await reopen(log.dir, env, { hadCleanShutdown: true });
    expect(indexAnswers(again)).toEqual(answers);
    expect(env.logger.matching(/points past the end|does not follow/).length).toBe(1);
    await again.close();
  });

  test('cleanShutdownSkipsRecoveryAndTrustsTheRecoveryPoint', async () => {
    const log = await filledLog();
    const end = log.logEndOffset;
    await log.close();
    const again = await reopen(log.dir, env, { hadCleanShutdown: true, recoveryPoint: 3 });
    expect(again.recoveryPoint).toBe(end);
    expect(env.logger.matching(/Recovering unflushed segment/)).toHaveLength(0);
    await again.close();
  });

  test('temporaryFilesAreRemovedAndForeignFilesLeftAlone', async () => {
    const log = await filledLog();
    await log.close();
    writeFileSync(path.join(log.dir, '00000000000000000099.log.deleted'), 'x');
    writeFileSync(path.join(log.dir, '00000000000000000099.log.cleaned'), 'x');
    writeFileSync(path.join(log.dir, 'notes.txt'), 'mine');
    mkdirSync(path.join(log.dir, 'subdir'));
    const again = await reopen(log.dir, env, { hadCleanShutdown: true });
    const files = readdirSync(log.dir);
    expect(files).not.toContain('00000000000000000099.log.deleted');
    expect(files).not.toContain('00000000000000000099.log.cleaned');
    expect(files).toContain('notes.txt');
    expect(files).toContain('subdir');
    expect(env.logger.matching(/Ignoring .*notes.txt/)).toHaveLength(1);
    await again.close();
  });

  test('anInterruptedSwapIsCompleted', async () => {
    const log = await filledLog(30);
    const segs = log.logSegments();
    const records = await readAll(log);
    await log.close();
    // Simulate a crash mid-swap: the cleaned segment replacing segment 0 is at .swap, the old one still there.
    const base = segs[0].baseOffset;
    const name = String(base).padStart(20, '0');
    copyFileSync(path.join(log.dir, `${name}.log`), path.join(log.dir, `${name}.log.swap`));
    const again = await reopen(log.dir, env, { hadCleanShutdown: true });
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.swap'))).toHaveLength(0);
    expect(await readAll(again)).toEqual(records);
    await again.close();
  });

  test('aLogWhoseFilesVanishedStartsAtItsLogStartOffset', async () => {
    const log = await filledLog();
    await log.close();
    for (const f of readdirSync(log.dir))
      if (/\.(log|index|timeindex)$/.test(f)) unlinkSync(path.join(log.dir, f));
    const again = await reopen(log.dir, env, { logStartOffset: 500, recoveryPoint: 500 });
    expect(again.logStartOffset).toBe(500);
    expect(again.logEndOffset).toBe(500);
    await again.close();
  });

  test('recoveryRebuildsTheLeaderEpochCacheFromBatches', async () => {
    const log = await filledLog();
    log.closeHandlers();
    unlinkSync(path.join(log.dir, 'leader-epoch-checkpoint'));
    const again = await reopen(log.dir, env, { recoveryPoint: 0 });
    expect(again.leaderEpochCache.epochEntries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 30 },
    ]);
    await again.close();
  });
});
