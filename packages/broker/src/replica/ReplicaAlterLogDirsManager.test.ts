import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MemoryLogger, MockTime } from '@samsa/common';
import { buildBatch } from '@samsa/protocol';
import { LogDirFailureChannel, LogManager, Scheduler, type Log } from '@samsa/storage';
import { Partition } from './Partition';
import { ReplicaAlterLogDirsManager } from './ReplicaAlterLogDirsManager';
import type { ReplicationQuotaManager } from './ReplicationQuotaManager';

const batch = (n: number, prefix: string): Buffer =>
  buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: `${prefix}-${i}` })));

describe('ReplicaAlterLogDirsManager', () => {
  let root: string;
  let manager: LogManager;
  const logger = new MemoryLogger();
  const tp = { topic: 'T', partition: 0 };

  beforeEach(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'samsa-alterdirs-'));
    const time = new MockTime();
    manager = new LogManager({
      logDirs: [path.join(root, 'a'), path.join(root, 'b')],
      brokerId: 0,
      clusterId: 'c',
      time,
      logger,
      scheduler: new Scheduler({ time, logger, useTimers: false }),
      failureChannel: new LogDirFailureChannel(logger),
      initialTaskDelayMs: 0,
      cleaner: { enable: false },
    });
    await manager.startup();
  });
  afterEach(async () => {
    await manager.shutdown();
    rmSync(root, { recursive: true, force: true });
  });

  function mover(replaced: Partition[]): ReplicaAlterLogDirsManager {
    return new ReplicaAlterLogDirsManager({
      logManager: manager,
      logger,
      maxBytesPerStep: 200,
      onReplaced: (p) => void replaced.push(p),
    });
  }

  const otherDir = (log: Log): string => [path.join(root, 'a'), path.join(root, 'b')].find((d) => d !== log.parentDir)!;

  test('copiesTheLogInSmallStepsThenSwapsItInAndAppendsGoOnInTheNewDir', async () => {
    const current = manager.getOrCreateLog(tp);
    for (let i = 0; i < 20; i++) current.appendAsLeader(batch(3, `v${i}`), i < 10 ? 0 : 1);
    const p = new Partition('T', 0, 0, current);
    const target = otherDir(current);
    await manager.getOrCreateFutureLog(tp, target);
    const replaced: Partition[] = [];
    const m = mover(replaced);
    m.addPartition(p);
    expect(m.isMoving(p.key)).toBe(true);
    const deadline = Date.now() + 10_000;
    while (replaced.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(replaced).toEqual([p]);
    expect(m.isMoving(p.key)).toBe(false);
    expect(p.log).not.toBe(current);
    expect(p.log.parentDir).toBe(path.resolve(target));
    expect(p.log.logEndOffset).toBe(60);
    expect(p.log.leaderEpochCache.epochEntries().map((e) => [e.epoch, e.startOffset])).toEqual([
      [0, 0],
      [1, 30],
    ]);
    expect(p.appendGate).toBeNull();
    p.log.appendAsLeader(batch(1, 'after'), 1);
    expect(p.log.logEndOffset).toBe(61);
  });

  test('theFutureLogIsCutWhereTheCurrentLogWasTruncatedAndRefilled', async () => {
    const current = manager.getOrCreateLog(tp);
    current.appendAsLeader(batch(5, 'x'), 0);
    current.appendAsLeader(batch(5, 'y'), 1);
    const future = (await manager.getOrCreateFutureLog(tp, otherDir(current)))!;
    await current.whenWritten();
    future.appendAsFollower(await current.read(0, 1 << 20).records.read());
    expect(future.logEndOffset).toBe(10);
    // the current log, a follower, is truncated to 5 and gets other records in epoch 2
    current.truncateTo(5);
    current.appendAsFollower(buildBatch([{ key: null, value: 'z' }], { baseOffset: 5, partitionLeaderEpoch: 2 }));
    const p = new Partition('T', 0, 0, current);
    const replaced: Partition[] = [];
    mover(replaced).addPartition(p);
    const deadline = Date.now() + 10_000;
    while (replaced.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(p.log).toBe(future);
    expect(future.logEndOffset).toBe(6);
    expect(future.leaderEpochCache.epochEntries().map((e) => e.epoch)).toEqual([0, 2]);
  });

  test('whileTheAlterLogDirsQuotaIsExceededNothingIsCopiedAndEveryCopiedByteIsRecorded', async () => {
    const current = manager.getOrCreateLog(tp);
    // past the final step's 256 KiB: the copy before it is what the quota paces
    for (let i = 0; i < 40; i++) current.appendAsLeader(batch(50, `q${i}-${'x'.repeat(200)}`), 0);
    const future = (await manager.getOrCreateFutureLog(tp, otherDir(current)))!;
    let exceeded = true;
    let recorded = 0;
    const quota = { isQuotaExceeded: () => exceeded, record: (bytes: number) => void (recorded += bytes) };
    const replaced: Partition[] = [];
    const p = new Partition('T', 0, 0, current);
    new ReplicaAlterLogDirsManager({
      logManager: manager,
      logger,
      maxBytesPerStep: 4096,
      quota: quota as unknown as ReplicationQuotaManager,
      onReplaced: (r) => void replaced.push(r),
    }).addPartition(p);
    await new Promise((r) => setTimeout(r, 300));
    expect(future.logEndOffset).toBe(0);
    exceeded = false;
    const deadline = Date.now() + 10_000;
    while (replaced.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(p.log).toBe(future);
    expect(future.logEndOffset).toBe(2000);
    expect(recorded).toBe(future.size);
  });
});

