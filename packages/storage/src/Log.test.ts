import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  BatchField,
  ErrorCode,
  KafkaError,
  buildBatch,
  decodeBatches,
  readBatchHeader,
} from '@samsa/protocol';
import { disk, ioError } from './disk';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, UnexpectedAppendOffsetError } from './Log';
import { batchOf, config, newLog, readAll, reopen, tempDir, testEnv, type TestEnv } from './testing/helpers';

function codeOf(fn: () => unknown): number | null {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  return null;
}

describe('Log', () => {
  let dir: string;
  let cleanup: () => void;
  let env: TestEnv;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    env = testEnv();
  });
  afterEach(() => cleanup());

  test('appendAsLeaderAssignsOffsetsAndLeaderEpochInPlace', async () => {
    const log = newLog(dir, env);
    const b1 = batchOf(3);
    const info1 = log.appendAsLeader(b1, 5);
    expect(info1).toMatchObject({
      firstOffset: 0,
      lastOffset: 2,
      batchCount: 1,
      recordCount: 3,
      logAppendTime: -1,
    });
    const info2 = log.appendAsLeader(batchOf(2), 5);
    expect(info2.firstOffset).toBe(3);
    await info2.written;
    expect(log.logEndOffset).toBe(5);
    const h = readBatchHeader(b1);
    expect(h.baseOffset).toBe(0);
    expect(h.partitionLeaderEpoch).toBe(5);
    const onDisk = readFileSync(path.join(dir, 'test-0', '00000000000000000000.log'));
    expect(onDisk.subarray(0, b1.length)).toEqual(b1); // the producer's bytes, patched, nothing else
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 5 });
    await log.leaderEpochCache.flushed();
    expect(readFileSync(path.join(dir, 'test-0', 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n5 0\n');
  });

  test('logAppendTimeTopicsStampTheBrokersTime', async () => {
    const log = newLog(dir, env, config({ messageTimestampType: 'LogAppendTime' }));
    const b = batchOf(2, { baseTimestamp: 1000 });
    const info = log.appendAsLeader(b, 0);
    expect(info.logAppendTime).toBe(env.time.milliseconds());
    const [decoded] = decodeBatches(await log.read(0, 10000).records.read());
    expect(decoded.header.maxTimestamp).toBe(env.time.milliseconds());
    expect(decoded.records[0].timestamp).toBe(env.time.milliseconds());
  });

  test('badBatchesAreRefusedAndNothingIsWritten', () => {
    const log = newLog(dir, env, config({ maxMessageBytes: 2000 }));
    const crc = batchOf(2);
    crc[crc.length - 1] ^= 0xff;
    expect(codeOf(() => log.appendAsLeader(crc, 0))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const magic = batchOf(2);
    magic.writeInt8(1, BatchField.MAGIC);
    expect(codeOf(() => log.appendAsLeader(magic, 0))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const length = batchOf(2);
    length.writeInt32BE(length.readInt32BE(BatchField.BATCH_LENGTH) + 10, BatchField.BATCH_LENGTH);
    expect(codeOf(() => log.appendAsLeader(length, 0))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => log.appendAsLeader(batchOf(1, { valueBytes: 3000 }), 0))).toBe(
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    expect(codeOf(() => log.appendAsLeader(batchOf(1, { baseOffset: 7 }), 0))).toBe(ErrorCode.INVALID_RECORD);
    expect(codeOf(() => log.appendAsLeader(batchOf(1, { isControl: true }), 0))).toBe(
      ErrorCode.INVALID_RECORD,
    );
    expect(log.logEndOffset).toBe(0);
    expect(log.size).toBe(0);
  });

  test('compactedTopicsRefuseRecordsWithoutKeys', () => {
    const log = newLog(dir, env, config({ cleanupPolicy: ['compact'] }));
    expect(codeOf(() => log.appendAsLeader(batchOf(1), 0))).toBe(ErrorCode.INVALID_RECORD);
    expect(log.appendAsLeader(batchOf(1, { keys: () => 'k' }), 0).lastOffset).toBe(0);
  });

  test('readReturnsRawSlicesUpToMaxBytesAndTheFirstBatchWhole', async () => {
    const log = newLog(dir, env);
    const sizes: number[] = [];
    for (let i = 0; i < 5; i++)
      sizes.push(log.appendAsLeader(batchOf(10, { valueBytes: 100 }), 0).validBytes);
    await log.whenWritten(); // readers see written bytes only (an adaptive log may queue on a loaded machine)
    const all = log.read(0, 1 << 20);
    expect(all.records.sizeInBytes).toBe(sizes.reduce((a, b) => a + b));
    const fromMiddle = log.read(25, 1 << 20);
    expect(fromMiddle.fetchOffsetMetadata.relativePositionInSegment).toBe(sizes[0] + sizes[1]);
    const one = log.read(0, 10);
    expect(one.records.sizeInBytes).toBe(sizes[0]);
    const strict = log.read(0, 10, { minOneMessage: false });
    expect(strict.records.sizeInBytes).toBe(10);
    expect(strict.firstEntryIncomplete).toBe(true);
    expect(decodeBatches(await fromMiddle.records.read())[0].header.baseOffset).toBe(20);
    expect(log.read(50, 100).records.sizeInBytes).toBe(0);
    expect(codeOf(() => log.read(51, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  test('consumersReadOnlyUpToTheHighWatermark', async () => {
    const log = newLog(dir, env);
    for (let i = 0; i < 4; i++) log.appendAsLeader(batchOf(5), 0);
    await log.whenWritten(); // readers see written bytes only (an adaptive log may queue on a loaded machine)
    expect(log.highWatermark).toBe(0);
    expect(log.read(0, 1 << 20, { isolation: 'highWatermark' }).records.sizeInBytes).toBe(0);
    log.highWatermark = 10;
    const r = decodeBatches(await log.read(0, 1 << 20, { isolation: 'highWatermark' }).records.read());
    expect(r.map((b) => b.header.baseOffset)).toEqual([0, 5]);
    const upTo15 = decodeBatches(await log.read(0, 1 << 20, { maxOffset: 15 }).records.read());
    expect(upTo15.map((b) => b.header.baseOffset)).toEqual([0, 5, 10]);
    log.highWatermark = 1000;
    expect(log.highWatermark).toBe(20);
    expect(log.maybeIncrementHighWatermark(15)).toBeUndefined();
  });

  test('rollsOnSegmentBytesAndNamesSegmentsByBaseOffset', async () => {
    const log = newLog(dir, env, config({ segmentBytes: 1500, indexIntervalBytes: 100 }));
    for (let i = 0; i < 20; i++) log.appendAsLeader(batchOf(2, { valueBytes: 100 }), 0);
    await log.whenWritten();
    expect(log.numberOfSegments).toBeGreaterThan(3);
    const files = readdirSync(log.dir).sort();
    const bases = log.logSegments().map((s) => String(s.baseOffset).padStart(20, '0'));
    for (const b of bases)
      expect(files).toEqual(expect.arrayContaining([`${b}.log`, `${b}.index`, `${b}.timeindex`]));
    for (const s of log.logSegments().slice(0, -1)) {
      expect(s.size).toBeLessThanOrEqual(1500);
      // rolled segments have indexes trimmed to their entries
      expect(statSync(s.offsetIndex.path).size).toBe(s.offsetIndex.entries * 8);
      expect(statSync(s.timeIndex.path).size).toBe(s.timeIndex.entries * 12);
    }
    expect(statSync(log.activeSegment.offsetIndex.path).size).toBe(10485760);
    expect((await readAll(log)).map((r) => r.offset)).toEqual([...Array(40).keys()]);
  });

  test('rollsOnSegmentMsMeasuredFromTheFirstBatchTimestamp', () => {
    const log = newLog(dir, env, config({ segmentMs: 1000 }));
    const t0 = env.time.milliseconds();
    log.appendAsLeader(batchOf(1, { baseTimestamp: t0 }), 0);
    log.appendAsLeader(batchOf(1, { baseTimestamp: t0 + 999 }), 0);
    expect(log.numberOfSegments).toBe(1);
    log.appendAsLeader(batchOf(1, { baseTimestamp: t0 + 1001 }), 0);
    expect(log.numberOfSegments).toBe(2);
    expect(log.activeSegment.baseOffset).toBe(2);
  });

  test('segmentJitterShortensTheRollTime', () => {
    const cfg = config({ segmentMs: 1000, segmentJitterMs: 1000 });
    const log = newLog(dir, env, cfg);
    const jitter = log.activeSegment.rollJitterMs;
    expect(jitter).toBeGreaterThanOrEqual(0);
    expect(jitter).toBeLessThan(1000);
    const t0 = env.time.milliseconds();
    log.appendAsLeader(batchOf(1, { baseTimestamp: t0 }), 0);
    log.appendAsLeader(batchOf(1, { baseTimestamp: t0 + 1000 - jitter + 1 }), 0);
    expect(log.numberOfSegments).toBe(2);
  });

  test('newConfigAppliesToALiveLog', () => {
    const log = newLog(dir, env);
    log.appendAsLeader(batchOf(1, { valueBytes: 500 }), 0);
    log.updateConfig(config({ segmentBytes: 600, maxMessageBytes: 700 }));
    expect(codeOf(() => log.appendAsLeader(batchOf(1, { valueBytes: 800 }), 0))).toBe(
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    log.appendAsLeader(batchOf(1, { valueBytes: 500 }), 0);
    expect(log.numberOfSegments).toBe(2);
  });

  test('truncateToRemovesLaterBatchesSegmentsAndEpochs', async () => {
    const log = newLog(dir, env, config({ segmentBytes: 1000 }));
    for (let i = 0; i < 10; i++) log.appendAsLeader(batchOf(2, { valueBytes: 100 }), i < 5 ? 1 : 2);
    log.highWatermark = 20;
    expect(log.numberOfSegments).toBeGreaterThan(2);
    expect(log.truncateTo(8)).toBe(true);
    expect(log.logEndOffset).toBe(8);
    expect(log.highWatermark).toBe(8);
    expect(log.latestEpoch).toBe(1);
    expect((await readAll(log)).map((r) => r.offset)).toEqual([...Array(8).keys()]);
    expect(log.appendAsLeader(batchOf(1), 3).firstOffset).toBe(8);
    expect(log.truncateTo(100)).toBe(false);
    // the removed segments are renamed .deleted and removed after file.delete.delay.ms
    expect(readdirSync(log.dir).some((f) => f.endsWith('.deleted'))).toBe(true);
    env.time.sleep(60_000);
    await env.scheduler.runDue();
    expect(readdirSync(log.dir).some((f) => f.endsWith('.deleted'))).toBe(false);
  });

  test('truncateFullyAndStartAtStartsEmptyAtTheOffset', () => {
    const log = newLog(dir, env);
    log.appendAsLeader(batchOf(5), 0);
    log.truncateFullyAndStartAt(1000);
    expect(log.logStartOffset).toBe(1000);
    expect(log.logEndOffset).toBe(1000);
    expect(log.activeSegment.baseOffset).toBe(1000);
    expect(existsSync(path.join(log.dir, '00000000000000001000.log'))).toBe(true);
    expect(log.appendAsLeader(batchOf(1), 0).firstOffset).toBe(1000);
    expect(log.leaderEpochCache.epochEntries()).toEqual([{ epoch: 0, startOffset: 1000 }]);
  });

  test('deleteRecordsBeforeMovesTheLogStartAndDeletesWholeSegmentsBelowIt', async () => {
    const log = newLog(dir, env, config({ segmentBytes: 500 }));
    for (let i = 0; i < 10; i++) log.appendAsLeader(batchOf(2, { valueBytes: 100 }), 0);
    await log.whenWritten(); // readers see written bytes only (an adaptive log may queue on a loaded machine)
    expect(codeOf(() => log.deleteRecordsBefore(5))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE); // above HW 0
    log.highWatermark = 20;
    expect(log.deleteRecordsBefore(7)).toBe(7);
    expect(codeOf(() => log.read(6, 100))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(log.read(7, 100).records.sizeInBytes).toBeGreaterThan(0);
    const before = log.numberOfSegments;
    expect(log.deleteOldSegments()).toBeGreaterThan(0);
    expect(log.numberOfSegments).toBeLessThan(before);
    expect(log.logSegments()[0].baseOffset).toBeLessThanOrEqual(7);
    expect(log.fetchOffsetByTimestamp(EARLIEST_TIMESTAMP)).toMatchObject({ offset: 7 });
  });

  test('fetchOffsetByTimestampFindsTheFirstRecordAtOrAfterIt', () => {
    const log = newLog(dir, env, config({ indexIntervalBytes: 1 }));
    for (let i = 0; i < 10; i++) {
      const ts = 10_000 + i * 100;
      log.appendAsLeader(
        buildBatch([
          { value: 'a', timestamp: ts },
          { value: 'b', timestamp: ts + 50 },
        ]),
        3,
      );
    }
    expect(log.fetchOffsetByTimestamp(10_000)).toEqual({ timestamp: 10_000, offset: 0, leaderEpoch: 3 });
    expect(log.fetchOffsetByTimestamp(10_020)).toEqual({ timestamp: 10_050, offset: 1, leaderEpoch: 3 });
    expect(log.fetchOffsetByTimestamp(10_451)).toEqual({ timestamp: 10_500, offset: 10, leaderEpoch: 3 });
    expect(log.fetchOffsetByTimestamp(99_999)).toBeNull();
    expect(log.fetchOffsetByTimestamp(LATEST_TIMESTAMP)).toEqual({
      timestamp: -1,
      offset: 20,
      leaderEpoch: 3,
    });
  });

  test('endOffsetForEpochAnswersOffsetsForLeaderEpoch', () => {
    const log = newLog(dir, env);
    log.appendAsLeader(batchOf(3), 1);
    log.appendAsLeader(batchOf(3), 2);
    log.appendAsLeader(batchOf(3), 4);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 3 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 6 });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 9 });
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 0 });
    expect(log.endOffsetForEpoch(5)).toBeNull();
  });

  test('appendAsFollowerKeepsOffsetsDropsAPartialTailAndRefusesGoingBack', () => {
    const leader = newLog(dir, env, config(), 'lead-0');
    for (let i = 0; i < 3; i++) leader.appendAsLeader(batchOf(2), 7);
    const fetched = leader.read(0, 1 << 20).records.readSync();
    const follower = newLog(dir, env, config(), 'follow-0');
    const info = follower.appendAsFollower(fetched.subarray(0, fetched.length - 5));
    expect(info).toMatchObject({ firstOffset: 0, lastOffset: 3, batchCount: 2 });
    expect(follower.logEndOffset).toBe(4);
    expect(follower.latestEpoch).toBe(7);
    expect(() => follower.appendAsFollower(fetched)).toThrow(UnexpectedAppendOffsetError);
    expect(follower.appendAsFollower(Buffer.alloc(0)).firstOffset).toBe(-1);
  });

  test('flushMessagesFlushesAndMovesTheRecoveryPoint', async () => {
    const log = newLog(dir, env, config({ flushMessages: 3 }));
    log.appendAsLeader(batchOf(2), 0);
    expect(log.recoveryPoint).toBe(0);
    log.appendAsLeader(batchOf(2), 0);
    // The flush runs in the background (an fsync on libuv's pool): wait for it rather than for a
    // fixed time, which a loaded machine overran. Nothing here calls flush().
    for (let waitedMs = 0; log.recoveryPoint !== 4 && waitedMs < 10_000; waitedMs += 10) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(log.recoveryPoint).toBe(4);
    log.appendAsLeader(batchOf(1), 0);
    await log.flush();
    expect(log.recoveryPoint).toBe(5);
  });

  test('theRecoveryPointMovesOnlyOnceTheEpochCheckpointHoldsTheEpochsBelowIt', async () => {
    const log = newLog(dir, env);
    const file = path.join(log.dir, 'leader-epoch-checkpoint');
    disk.faultInjector = (op, f) => {
      if (op === 'write' && f === `${file}.tmp`) throw ioError('EIO', op, f);
    };
    try {
      log.maybeAssignEpochStartOffset(3, 0); // written in the background: fails
      log.appendAsLeader(batchOf(4), 3);
      await expect(log.flush()).rejects.toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
      expect(log.recoveryPoint).toBe(0); // a crash now re-reads epoch 3 from the batches
      expect(env.failureChannel.isOffline(dir)).toBe(true);
    } finally {
      disk.faultInjector = null;
    }
  });

  test('flushWaitsForTheEpochCheckpointAndCloseLeavesItComplete', async () => {
    const log = newLog(dir, env);
    log.maybeAssignEpochStartOffset(1, 0);
    log.appendAsLeader(batchOf(2), 1);
    log.maybeAssignEpochStartOffset(4, 2);
    log.appendAsLeader(batchOf(1), 4);
    await log.flush();
    expect(log.recoveryPoint).toBe(3);
    expect(readFileSync(path.join(log.dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n1 0\n4 2\n');
    log.maybeAssignEpochStartOffset(6, 3);
    await log.appendAsLeader(batchOf(1), 6).written; // not flushed: close still waits for the file
    await log.close();
    expect(readFileSync(path.join(log.dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n3\n1 0\n4 2\n6 3\n');
  });

  test('aCrashBeforeTheEpochCheckpointIsWrittenLosesNoEpochAfterTheRecoveryPoint', async () => {
    const log = newLog(dir, env);
    log.maybeAssignEpochStartOffset(1, 0);
    log.appendAsLeader(batchOf(2), 1);
    await log.flush(); // recovery point 2, epoch 1 durable
    log.maybeAssignEpochStartOffset(3, 2);
    const info = log.appendAsLeader(batchOf(2), 3);
    await info.written;
    await log.leaderEpochCache.flushed();
    // The crash: the file still holds only what the last flush made durable.
    writeFileSync(path.join(log.dir, 'leader-epoch-checkpoint'), '0\n1\n1 0\n');
    log.closeHandlers();
    const again = await reopen(log.dir, env, { hadCleanShutdown: false, recoveryPoint: 2 });
    expect(again.leaderEpochCache.epochEntries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 2 },
    ]);
    expect(again.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2 });
    await again.close();
  });

  test('aLeaderSteppingDownWithoutRecordsDropsItsEpochWithoutAWriteAndAReopenAgrees', async () => {
    const log = newLog(dir, env);
    log.maybeAssignEpochStartOffset(1, 0);
    log.appendAsLeader(batchOf(2), 1);
    log.maybeAssignEpochStartOffset(2, 2); // leader again, nothing appended
    await log.flush();
    expect(log.truncateTo(2)).toBe(false); // follower now: the entry of epoch 2 goes
    expect(log.latestEpoch).toBe(1);
    expect(readFileSync(path.join(log.dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n1 0\n2 2\n');
    await log.close();
    const again = await reopen(log.dir, env, { hadCleanShutdown: true, recoveryPoint: 2 });
    expect(again.leaderEpochCache.epochEntries()).toEqual([{ epoch: 1, startOffset: 0 }]);
    await again.close();
  });

  test('anEpochWrittenWhileTheDirectoryIsRenamedLandsInTheNewOne', async () => {
    const log = newLog(dir, env);
    log.maybeAssignEpochStartOffset(2, 0); // write not finished when the directory moves
    log.appendAsLeader(batchOf(1), 2);
    log.renameDir('test-0.abc-delete');
    await log.close();
    expect(existsSync(path.join(dir, 'test-0'))).toBe(false);
    expect(readFileSync(path.join(dir, 'test-0.abc-delete', 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n2 0\n');
    expect(env.failureChannel.isOffline(dir)).toBe(false);
  });

  test('closeTrimsTheActiveIndexesAndAReopenSeesTheSameLog', async () => {
    const log = newLog(dir, env, config({ indexIntervalBytes: 50 }));
    for (let i = 0; i < 30; i++) log.appendAsLeader(batchOf(3, { valueBytes: 20 }), 2);
    await log.flush();
    const before = await readAll(log);
    await log.close();
    expect(statSync(path.join(log.dir, '00000000000000000000.index')).size).toBeLessThan(10485760);
    const again = await reopen(log.dir, env, { hadCleanShutdown: true, recoveryPoint: 90 });
    expect(again.logEndOffset).toBe(90);
    expect(again.latestEpoch).toBe(2);
    expect(await readAll(again)).toEqual(before);
    await again.close();
  });

  test('aTopicCompressionTypeRecompressesBatchesKeepingTheirRecords', async () => {
    const log = newLog(dir, env, config({ compressionType: 'gzip' }));
    log.appendAsLeader(batchOf(50, { prefix: 'compress-me' }), 0);
    const [b] = decodeBatches(await log.read(0, 1 << 20).records.read());
    expect(b.header.attributes & 0x07).toBe(1);
    expect(b.records.map((r) => r.value!.toString())).toEqual(
      [...Array(50).keys()].map((i) => `compress-me-${i}`),
    );
    expect(b.records[49].offset).toBe(49);
  });
});
