import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode } from '@samsa/protocol';
import { disk } from './disk';
import { LogManager } from './LogManager';
import { batchOf, tempDir, testEnv, type TestEnv } from './testing/helpers';

/** Future logs: AlterReplicaLogDirs moving a partition's log to another of log.dirs. */
describe('LogManager future logs', () => {
  let root: string;
  let cleanup: () => void;
  let env: TestEnv;
  let dirs: string[];
  beforeEach(() => {
    ({ dir: root, cleanup } = tempDir());
    env = testEnv();
    dirs = [path.join(root, 'd1'), path.join(root, 'd2')];
  });
  afterEach(() => {
    disk.faultInjector = null;
    cleanup();
  });

  const manager = (): LogManager =>
    new LogManager({
      logDirs: dirs,
      brokerId: 1,
      clusterId: 'cluster-A',
      time: env.time,
      logger: env.logger,
      scheduler: env.scheduler,
      failureChannel: env.failureChannel,
      initialTaskDelayMs: 0,
      cleaner: { enable: false },
    });
  const tp = { topic: 'T', partition: 0 };
  const otherDir = (dir: string): string => dirs.find((d) => d !== dir)!;

  /** Copies what the current log holds past the future log's end, as the mover does. */
  async function copy(current: ReturnType<LogManager['getOrCreateLog']>, future: ReturnType<LogManager['getOrCreateLog']>): Promise<void> {
    await current.whenWritten();
    const info = current.read(future.logEndOffset, 1 << 20);
    const bytes = await info.records.read();
    if (bytes.length > 0) future.appendAsFollower(bytes);
    await future.whenWritten();
  }

  test('aFutureLogIsMadeInTheOtherDirFilledThenReplacesTheCurrentOne', async () => {
    const m = manager();
    await m.startup();
    const current = m.getOrCreateLog(tp);
    current.appendAsLeader(batchOf(5), 0);
    current.appendAsLeader(batchOf(3), 1);
    current.highWatermark = 8;
    const dest = otherDir(current.parentDir);

    expect(await m.getOrCreateFutureLog(tp, current.parentDir)).toBeUndefined();
    const future = (await m.getOrCreateFutureLog(tp, dest))!;
    expect(path.basename(future.dir)).toMatch(/^T-0\.[0-9a-f]{32}-future$/);
    expect(future.parentDir).toBe(path.resolve(dest));
    expect(await m.getOrCreateFutureLog(tp, dest)).toBe(future);
    expect(m.getFutureLog(tp)).toBe(future);
    // a topic config change during the move reaches the future log too
    m.updateConfig('T', { 'min.insync.replicas': '2' });
    expect(future.config.minInsyncReplicas).toBe(2);

    await copy(current, future);
    expect(future.logEndOffset).toBe(8);
    expect(future.leaderEpochCache.epochEntries().map((e) => e.epoch)).toEqual([0, 1]);
    const oldDir = current.dir;
    const replaced = m.replaceCurrentWithFutureLog(tp);
    expect(replaced).toBe(future);
    expect(m.getLog(tp)).toBe(future);
    expect(m.getFutureLog(tp)).toBeUndefined();
    expect(future.dir).toBe(path.join(path.resolve(dest), 'T-0'));
    expect(future.highWatermark).toBe(8);
    expect(existsSync(oldDir)).toBe(false);
    expect(readdirSync(current.parentDir).some((n) => /^T-0\.[0-9a-f]{32}-delete$/.test(n))).toBe(true);
    future.appendAsLeader(batchOf(2), 1);
    await m.shutdown();

    const again = manager();
    await again.startup();
    const log = again.getLog(tp)!;
    expect(log.parentDir).toBe(path.resolve(dest));
    expect(log.logEndOffset).toBe(10);
    expect(again.getFutureLog(tp)).toBeUndefined();
    await again.shutdown();
  });

  test('aFutureLogSurvivesARestartAndIsDeletedWithItsPartition', async () => {
    const m = manager();
    await m.startup();
    const current = m.getOrCreateLog(tp);
    current.appendAsLeader(batchOf(4), 0);
    const future = (await m.getOrCreateFutureLog(tp, otherDir(current.parentDir)))!;
    await copy(current, future);
    await m.shutdown();

    const again = manager();
    await again.startup();
    const reloaded = again.getFutureLog(tp)!;
    expect(reloaded.logEndOffset).toBe(4);
    expect(again.getLog(tp)!.parentDir).toBe(current.parentDir);
    await again.deleteLog(tp);
    expect(again.getFutureLog(tp)).toBeUndefined();
    expect(readdirSync(reloaded.parentDir).some((n) => n.endsWith('-future'))).toBe(false);
    await again.shutdown();
  });

  test('aPreferredDirIsWhereTheLogOfANewPartitionIsMade', async () => {
    const m = manager();
    await m.startup();
    m.getOrCreateLog({ topic: 'A', partition: 0 }); // the dirs are no longer equal: balancing would pick the other
    const busy = m.getLog({ topic: 'A', partition: 0 })!.parentDir;
    m.maybeUpdatePreferredLogDir(tp, busy);
    expect(m.getOrCreateLog(tp).parentDir).toBe(busy);
    await expect(m.getOrCreateFutureLog({ topic: 'none', partition: 0 }, busy)).rejects.toMatchObject({
      code: ErrorCode.NOT_LEADER_OR_FOLLOWER,
    });
    expect(m.hasLogDir(busy)).toBe(true);
    expect(m.hasLogDir(path.join(root, 'elsewhere'))).toBe(false);
    await m.shutdown();
  });
});
