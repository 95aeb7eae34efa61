import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, KafkaError } from '@samsa/protocol';
import { disk, ioError } from './disk';
import { LogConfig } from './LogConfig';
import { LogManager, type LogManagerOptions } from './LogManager';
import { Scheduler } from './Scheduler';
import { batchOf, tempDir, testEnv, type TestEnv } from './testing/helpers';

describe('LogManager', () => {
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

  function manager(opts: Partial<LogManagerOptions> = {}): LogManager {
    return new LogManager({
      logDirs: dirs,
      brokerId: 1,
      clusterId: 'cluster-A',
      time: env.time,
      logger: env.logger,
      scheduler: env.scheduler,
      failureChannel: env.failureChannel,
      initialTaskDelayMs: 0,
      cleaner: { enable: false },
      ...opts,
    });
  }

  const tp = (topic: string, partition = 0) => ({ topic, partition });

  test('aLogDirLooksLikeKafkasAfterStartupAndCleanShutdown', async () => {
    const m = manager();
    await m.startup();
    const log = m.getOrCreateLog(tp('T'));
    log.appendAsLeader(batchOf(5), 0);
    log.highWatermark = 5;
    await m.shutdown();
    const d = log.parentDir;
    expect(readdirSync(d).sort()).toEqual(
      [
        '.kafka_cleanshutdown',
        '.lock',
        'T-0',
        'cleaner-offset-checkpoint',
        'log-start-offset-checkpoint',
        'meta.properties',
        'recovery-point-offset-checkpoint',
        'replication-offset-checkpoint',
      ].sort(),
    );
    expect(readFileSync(path.join(d, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\nT 0 5\n');
    expect(readFileSync(path.join(d, 'replication-offset-checkpoint'), 'utf8')).toBe('0\n1\nT 0 5\n');
    expect(readFileSync(path.join(d, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n0\n');
    expect(readFileSync(path.join(d, 'meta.properties'), 'utf8')).toMatch(
      /^#\n#.* UTC \d{4}\ncluster.id=cluster-A\nversion=0\nbroker.id=1\n$/,
    );
    expect(readdirSync(path.join(d, 'T-0')).sort()).toEqual([
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
      // Kafka's clean shutdown writes a producer snapshot at the log end (10 bytes: no producers).
      '00000000000000000005.snapshot',
      'leader-epoch-checkpoint',
    ]);
    expect(statSync(path.join(d, 'T-0', '00000000000000000005.snapshot')).size).toBe(10);
    expect(statSync(path.join(d, 'T-0', '00000000000000000000.index')).size).toBe(0);
    expect(statSync(path.join(d, 'T-0', '00000000000000000000.timeindex')).size).toBe(12);
  });

  test('aPeriodicCheckpointIsNotRewrittenWhileItsOffsetsStayTheSameAndIsWhenOneMoves', async () => {
    const m = manager();
    await m.startup();
    const log = m.getOrCreateLog(tp('T'));
    log.appendAsLeader(batchOf(5), 0);
    log.highWatermark = 3;
    const file = path.join(log.parentDir, 'replication-offset-checkpoint');
    await m.checkpointHighWatermarks();
    expect(readFileSync(file, 'utf8')).toBe('0\n1\nT 0 3\n');
    // unchanged: not written again (the file an operator removed stays removed)
    rmSync(file);
    await m.checkpointHighWatermarks();
    expect(existsSync(file)).toBe(false);
    log.highWatermark = 5;
    await m.checkpointHighWatermarks();
    expect(readFileSync(file, 'utf8')).toBe('0\n1\nT 0 5\n');
    // a new partition changes its directory's set
    const u = m.getOrCreateLog(tp('U'));
    await m.checkpointHighWatermarks();
    expect(readFileSync(path.join(u.parentDir, 'replication-offset-checkpoint'), 'utf8')).toContain('U 0 0\n');
    // the shutdown's checkpoint is always written
    rmSync(file);
    await m.shutdown();
    expect(readFileSync(file, 'utf8')).toContain('T 0 5\n');
  });

  test('restartAfterCleanShutdownSkipsRecoveryAndRestoresOffsets', async () => {
    const m = manager();
    await m.startup();
    const log = m.getOrCreateLog(tp('T', 3));
    for (let i = 0; i < 4; i++) log.appendAsLeader(batchOf(2), 1);
    log.highWatermark = 6;
    await m.shutdown();
    const m2 = manager({ scheduler: new Scheduler({ time: env.time, useTimers: false }) });
    await m2.startup();
    const again = m2.getLog(tp('T', 3))!;
    expect(again.logEndOffset).toBe(8);
    expect(again.highWatermark).toBe(6);
    expect(again.recoveryPoint).toBe(8);
    expect(existsSync(path.join(again.parentDir, '.kafka_cleanshutdown'))).toBe(false);
    expect(env.logger.matching(/Recovering unflushed segment/)).toHaveLength(0);
    await m2.shutdown();
  });

  test('restartAfterACrashRecoversFromTheRecoveryPoint', async () => {
    const m = manager();
    await m.startup();
    const log = m.getOrCreateLog(tp('T'));
    for (let i = 0; i < 4; i++) await log.appendAsLeader(batchOf(2), 1).written;
    // no shutdown: the process "dies"
    const m2 = manager({
      failureChannel: undefined,
      scheduler: new Scheduler({ time: env.time, useTimers: false }),
    });
    await m2.startup();
    expect(env.logger.matching(/Attempting recovery for all logs/).length).toBeGreaterThan(0);
    expect(m2.getLog(tp('T'))!.logEndOffset).toBe(8);
    expect(m2.lastStartupStats!.recoveredBytes).toBeGreaterThan(0);
    await m2.shutdown();
    log.closeHandlers();
  });

  test('newLogsGoToTheDirectoryWithFewestLogs', async () => {
    const m = manager();
    await m.startup();
    const parents = [0, 1, 2, 3].map((p) => m.getOrCreateLog(tp('X', p)).parentDir);
    expect(parents.filter((p) => p === path.resolve(dirs[0]))).toHaveLength(2);
    expect(parents.filter((p) => p === path.resolve(dirs[1]))).toHaveLength(2);
    expect(m.getOrCreateLog(tp('X', 0))).toBe(m.getLog(tp('X', 0)));
    await m.shutdown();
  });

  test('retentionDeletesOldSegmentsAsynchronously', async () => {
    const m = manager({
      defaultConfig: LogConfig.of({ segmentBytes: 400, retentionMs: 10_000, fileDeleteDelayMs: 5_000 }),
      retentionCheckMs: 1000,
    });
    await m.startup();
    const log = m.getOrCreateLog(tp('R'));
    const t0 = env.time.milliseconds();
    for (let i = 0; i < 10; i++) log.appendAsLeader(batchOf(2, { valueBytes: 80, baseTimestamp: t0 }), 0);
    log.highWatermark = log.logEndOffset;
    const segments = log.numberOfSegments;
    expect(segments).toBeGreaterThan(3);
    env.time.sleep(10_001);
    await env.scheduler.runDue();
    expect(log.numberOfSegments).toBe(1);
    expect(log.logStartOffset).toBe(log.activeSegment.baseOffset);
    // every segment had expired, the active one too: a new empty one was rolled first
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.log.deleted'))).toHaveLength(segments);
    env.time.sleep(5_000);
    await env.scheduler.runDue();
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.deleted'))).toHaveLength(0);
    await m.shutdown();
  });

  test('retentionBytesKeepsTheLogUnderItsLimit', async () => {
    const m = manager({ defaultConfig: LogConfig.of({ segmentBytes: 400 }) });
    await m.startup();
    const log = m.getOrCreateLog(tp('B'));
    for (let i = 0; i < 20; i++) log.appendAsLeader(batchOf(2, { valueBytes: 80 }), 0);
    log.highWatermark = log.logEndOffset;
    m.updateConfig('B', { 'retention.bytes': '1000' });
    expect(m.cleanupLogs()).toBeGreaterThan(0);
    expect(log.size - log.activeSegment.size).toBeLessThanOrEqual(1000);
    await m.shutdown();
  });

  test('updateConfigAppliesToLiveLogsAndRefusesBadValues', async () => {
    const m = manager();
    await m.startup();
    const log = m.getOrCreateLog(tp('C'));
    expect(() => m.updateConfig('C', { 'segment.bytes': 'many' })).toThrow(KafkaError);
    m.updateConfig('C', { 'segment.bytes': '300', 'message.timestamp.type': 'LogAppendTime' });
    expect(log.config.segmentBytes).toBe(300);
    for (let i = 0; i < 5; i++) log.appendAsLeader(batchOf(2, { valueBytes: 80 }), 0);
    expect(log.numberOfSegments).toBeGreaterThan(1);
    expect(log.appendAsLeader(batchOf(1), 0).logAppendTime).toBe(env.time.milliseconds());
    expect(m.getOrCreateLog(tp('C', 1)).config.segmentBytes).toBe(300);
    await m.shutdown();
  });

  test('deleteLogRenamesTheDirectoryAndRemovesItLater', async () => {
    const m = manager({ defaultConfig: LogConfig.of({ fileDeleteDelayMs: 1000 }) });
    await m.startup();
    const log = m.getOrCreateLog(tp('D'));
    log.appendAsLeader(batchOf(1), 0);
    const parent = log.parentDir;
    await m.deleteLog(tp('D'));
    expect(m.getLog(tp('D'))).toBeUndefined();
    const marked = readdirSync(parent).filter((f) => /^D-0\.[0-9a-f]{32}-delete$/.test(f));
    expect(marked).toHaveLength(1);
    env.time.sleep(1000);
    await env.scheduler.runDue();
    expect(readdirSync(parent).filter((f) => f.startsWith('D-0'))).toHaveLength(0);
    await m.shutdown();
  });

  test('logsCreatedConcurrentlyOffTheEventLoopAreTheSameAsSynchronousOnes', async () => {
    const m = manager({ logDirs: [dirs[0]] });
    await m.startup();
    const sync = m.getOrCreateLog(tp('S'));
    const first = m.getOrCreateLogAsync(tp('A', 0));
    const again = m.getOrCreateLogAsync(tp('A', 0)); // shares the creation
    const others = await Promise.all([1, 2, 3].map((p) => m.getOrCreateLogAsync(tp('A', p))));
    const a0 = await first;
    expect(await again).toBe(a0);
    expect(await m.getOrCreateLogAsync(tp('S'))).toBe(sync);
    for (const log of [sync, a0, ...others]) {
      log.maybeAssignEpochStartOffset(0, 0);
      await log.appendAsLeader(batchOf(3), 0).written;
      await log.leaderEpochCache.flushed();
    }
    expect(readdirSync(a0.dir).sort()).toEqual(readdirSync(sync.dir).sort());
    // preallocated like a new index, not read as an existing one of 10 MiB of entries
    expect(statSync(path.join(a0.dir, '00000000000000000000.index')).size).toBe(
      statSync(path.join(sync.dir, '00000000000000000000.index')).size,
    );
    expect(a0.activeSegment.offsetIndex.entries).toBe(0);
    await m.shutdown();
    for (const log of [sync, a0])
      expect(
        readdirSync(log.dir)
          .sort()
          .map((f) => [f, statSync(path.join(log.dir, f)).size]),
      ).toEqual(
        readdirSync(sync.dir)
          .sort()
          .map((f) => [f, statSync(path.join(sync.dir, f)).size]),
      );
  });

  test('aLogCreatedOffTheEventLoopInAFailingDirectoryGoesToTheOtherOne', async () => {
    const m = manager();
    await m.startup();
    const bad = dirs[0];
    disk.faultInjector = (op, file) => {
      if (file.startsWith(bad + path.sep) && op === 'mkdir') throw ioError('EIO', op, file);
    };
    const log = await m.getOrCreateLogAsync(tp('X'));
    expect(log.parentDir).toBe(dirs[1]);
    expect(m.offlineLogDirs).toEqual([bad]);
    disk.faultInjector = null;
    await m.shutdown();
  });

  test('logsCreatedAtOnceOffTheEventLoopSpreadOverTheDirectories', async () => {
    const m = manager();
    await m.startup();
    const logs = await Promise.all([0, 1, 2, 3, 4, 5].map((p) => m.getOrCreateLogAsync(tp('Spread', p))));
    const perDir = dirs.map((d) => logs.filter((l) => l.parentDir === d).length);
    expect(perDir).toEqual([3, 3]);
    await m.shutdown();
  });

  test('anIOErrorTakesOneDirectoryOfflineAndTheOtherKeepsWorking', async () => {
    const m = manager({ writeMode: 'write-behind' });
    await m.startup();
    const a = m.getOrCreateLog(tp('A'));
    const b = m.getOrCreateLog(tp('B'));
    expect(a.parentDir).not.toBe(b.parentDir);
    a.appendAsLeader(batchOf(1), 0);
    const bad = a.parentDir;
    disk.faultInjector = (op, file) => {
      if (file.startsWith(bad + path.sep) && op !== 'stat') throw ioError('EIO', op, file);
    };
    const info = a.appendAsLeader(batchOf(1), 0);
    await expect(info.written).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(() => a.appendAsLeader(batchOf(1), 0)).toThrow(
      expect.objectContaining({ code: ErrorCode.KAFKA_STORAGE_ERROR }),
    );
    expect(() => a.read(0, 100)).toThrow(expect.objectContaining({ code: ErrorCode.KAFKA_STORAGE_ERROR }));
    expect(m.offlineLogDirs).toEqual([bad]);
    expect(m.getLog(tp('A'))).toBeUndefined();
    expect(m.isPartitionOffline(tp('A'))).toBe(true);
    expect(env.logger.matching(/is now OFFLINE/)).toHaveLength(1);
    // the other directory is unaffected
    await b.appendAsLeader(batchOf(2), 0).written;
    expect(b.logEndOffset).toBe(2);
    await m.checkpointLogRecoveryOffsets();
    expect(env.logger.matching(/is now OFFLINE/)).toHaveLength(1);
    disk.faultInjector = null;
    await m.shutdown();
    expect(existsSync(path.join(bad, '.kafka_cleanshutdown'))).toBe(false);
    expect(existsSync(path.join(b.parentDir, '.kafka_cleanshutdown'))).toBe(true);
  });

  test('aWriteErrorOnTheCallersStackFailsThatAppendAtOnce', async () => {
    const m = manager({ logDirs: [dirs[0]] }); // adaptive: writes synchronously while they are fast
    await m.startup();
    const log = m.getOrCreateLog(tp('S'));
    await log.appendAsLeader(batchOf(1), 0).written;
    disk.faultInjector = (op, file) => {
      if (op === 'write' && file.endsWith('.log')) throw ioError('EIO', op, file);
    };
    expect(() => log.appendAsLeader(batchOf(1), 0)).toThrow(
      expect.objectContaining({ code: ErrorCode.KAFKA_STORAGE_ERROR }),
    );
    expect(m.offlineLogDirs).toEqual([dirs[0]]);
    expect(env.logger.matching(/is now OFFLINE/)).toHaveLength(1);
    disk.faultInjector = null;
    await m.shutdown();
  });

  test('aFullDiskIsAStorageErrorToo', async () => {
    const m = manager({ logDirs: [dirs[0]], writeMode: 'write-behind' });
    await m.startup();
    const log = m.getOrCreateLog(tp('F'));
    disk.faultInjector = (op, file) => {
      if (op === 'write' && file.endsWith('.log')) throw ioError('ENOSPC', op, file);
    };
    await expect(log.appendAsLeader(batchOf(1), 0).written).rejects.toMatchObject({
      code: ErrorCode.KAFKA_STORAGE_ERROR,
    });
    expect(m.offlineLogDirs).toHaveLength(1);
    disk.faultInjector = null;
    await m.shutdown();
  });

  test('filesThatAreNotOursAreIgnoredWithAWarning', async () => {
    mkdirSync(dirs[0], { recursive: true });
    writeFileSync(path.join(dirs[0], 'README'), 'hello');
    mkdirSync(path.join(dirs[0], 'lost+found'));
    mkdirSync(path.join(dirs[0], 'backup'));
    const m = manager();
    await m.startup();
    expect(existsSync(path.join(dirs[0], 'README'))).toBe(true);
    expect(existsSync(path.join(dirs[0], 'lost+found'))).toBe(true);
    expect(existsSync(path.join(dirs[0], 'backup'))).toBe(true);
    expect(env.logger.matching(/Ignoring/).length).toBe(3);
    await m.shutdown();
  });

  test('aDirectoryOfAnotherBrokerIsRefused', async () => {
    const m = manager();
    await m.startup();
    await m.shutdown();
    await expect(manager({ brokerId: 2 }).startup()).rejects.toThrow(/doesn't match stored broker.id 1/);
    await expect(manager({ clusterId: 'other' }).startup()).rejects.toThrow(/Cluster ID other doesn't match/);
  });

  test('flushMsFlushesDirtyLogsAndTheRecoveryPointIsCheckpointed', async () => {
    const m = manager({
      defaultConfig: LogConfig.of({ flushMs: 1000 }),
      flushCheckMs: 500,
      flushRecoveryOffsetCheckpointMs: 2000,
    });
    await m.startup();
    const log = m.getOrCreateLog(tp('W'));
    log.appendAsLeader(batchOf(3), 0);
    expect(log.recoveryPoint).toBe(0);
    env.time.sleep(1000);
    await env.scheduler.runDue();
    expect(log.recoveryPoint).toBe(3);
    env.time.sleep(2000);
    await env.scheduler.runDue();
    expect(readFileSync(path.join(log.parentDir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe(
      '0\n1\nW 0 3\n',
    );
    await m.shutdown();
  });

  test('idlePartitionsHoldNoDescriptorsBeyondTheirActiveSegment', async () => {
    const m = manager({ defaultConfig: LogConfig.of({ segmentBytes: 300 }) });
    await m.startup();
    const logs = [0, 1, 2].map((p) => m.getOrCreateLog(tp('I', p)));
    for (const log of logs)
      for (let i = 0; i < 10; i++) await log.appendAsLeader(batchOf(2, { valueBytes: 60 }), 0).written;
    await Promise.all(logs.map((l) => l.flush()));
    // Old segments close their handles once their background writes and flushes drain: allow that
    // a moment under load, then require it.
    const strayHandles = () =>
      logs.flatMap((log) =>
        disk
          .openFiles()
          .filter((f) => f.startsWith(log.dir + path.sep))
          .filter((f) => !f.startsWith(path.join(log.dir, String(log.activeSegment.baseOffset).padStart(20, '0')))),
      );
    for (let i = 0; i < 100 && strayHandles().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    for (const log of logs) expect(log.logSegments().slice(0, -1).length).toBeGreaterThan(2);
    // the active segment's .log, and at most its two index files once written
    expect(strayHandles()).toEqual([]);
    expect(env.scheduler.pending).toBeLessThan(10); // no timer per partition
    await m.shutdown();
    expect(disk.openFiles().filter((f) => f.startsWith(root))).toEqual([]);
  });

  test('theCleanerCompactsCompactedTopicsOnItsScheduleAndRetentionSparesThem', async () => {
    const m = manager({
      cleaner: { enable: true, backoffMs: 1000, dedupeBufferSize: 1024 * 1024 },
      topicConfigs: {
        C: {
          'cleanup.policy': 'compact',
          'segment.bytes': '500',
          'min.cleanable.dirty.ratio': '0.01',
          'retention.ms': '1000',
        },
        CD: { 'cleanup.policy': 'compact,delete', 'segment.bytes': '500', 'retention.ms': '1000' },
      },
      retentionCheckMs: 1000,
    });
    await m.startup();
    const c = m.getOrCreateLog(tp('C'));
    const cd = m.getOrCreateLog(tp('CD'));
    const t0 = env.time.milliseconds();
    for (const log of [c, cd]) {
      for (let i = 0; i < 30; i++)
        log.appendAsLeader(batchOf(1, { keys: () => `k${i % 3}`, baseTimestamp: t0 }), 0);
      log.highWatermark = log.logEndOffset;
      await log.whenWritten();
    }
    const sizeBefore = c.size;
    env.time.sleep(1001);
    await env.scheduler.runDue();
    await m.cleaner!.cleanOnce();
    expect(c.size).toBeLessThan(sizeBefore); // compacted
    expect(c.logStartOffset).toBe(0); // but time retention does not apply to compact-only topics
    expect(cd.logStartOffset).toBe(cd.activeSegment.baseOffset); // compact,delete: retention too
    await m.shutdown();
  });
  test('theProducerExpirationCheckFirstRunsOneIntervalAfterStartupNotAfterTheInitialTaskDelay', async () => {
    const m = manager({ initialTaskDelayMs: 30_000, producerIdExpirationMs: 1_000, producerIdExpirationCheckIntervalMs: 500 });
    await m.startup();
    const log = m.getOrCreateLog(tp('P'));
    const baseTimestamp = env.time.milliseconds();
    log.appendAsLeader(batchOf(1, { producerId: 7, producerEpoch: 0, baseSequence: 0, baseTimestamp }), 0);
    expect([...log.producerStateManager.activeProducers.keys()]).toEqual([7]);
    env.time.sleep(1_000);
    await env.scheduler.runDue();
    expect([...log.producerStateManager.activeProducers.keys()]).toEqual([]); // Kafka: first check after 500 ms, not 30 s
    await m.shutdown();
  });
});
