import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { BrokerMetadataCheckpoint, javaDateString, parseProperties } from './BrokerMetadataCheckpoint';
import { CorruptCheckpointError, LeaderEpochCheckpointFile, OffsetCheckpointFile } from './checkpoints';
import { disk, ioError } from './disk';
import { LeaderEpochFileCache } from './LeaderEpochFileCache';
import { MemoryLogger } from '@samsa/common';
import { tempDir } from './testing/helpers';

describe('checkpoint files', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  test('offsetCheckpointIsKafkasTextFormat', async () => {
    const p = path.join(dir, 'replication-offset-checkpoint');
    const f = new OffsetCheckpointFile(p);
    f.write(
      new Map([
        ['T-2', 3],
        ['T-1', 4],
        ['my-topic.x-0', 5],
      ]),
    );
    expect(readFileSync(p, 'utf8')).toBe('0\n3\nT 2 3\nT 1 4\nmy-topic.x 0 5\n');
    expect(f.read()).toEqual(
      new Map([
        ['T-2', 3],
        ['T-1', 4],
        ['my-topic.x-0', 5],
      ]),
    );
    await f.writeAsync(new Map());
    expect(readFileSync(p, 'utf8')).toBe('0\n0\n');
    expect(existsSync(`${p}.tmp`)).toBe(false);
  });

  test('kafkaWrittenFilesAreRead', () => {
    const p = path.join(dir, 'recovery-point-offset-checkpoint');
    writeFileSync(p, '0\n3\nT 2 0\nT 1 0\nT 0 0\n');
    expect(new OffsetCheckpointFile(p).read().get('T-1')).toBe(0);
    writeFileSync(p, ''); // cleaner-offset-checkpoint before the cleaner ran
    expect(new OffsetCheckpointFile(p).read().size).toBe(0);
    expect(new OffsetCheckpointFile(path.join(dir, 'missing')).read().size).toBe(0);
  });

  test('malformedContentIsACorruptCheckpointNotAnIOError', () => {
    const p = path.join(dir, 'bad');
    for (const text of ['1\n0\n', '0\n2\nT 0 1\n', '0\n1\nT zero 1\n', '0\nx\n']) {
      writeFileSync(p, text);
      expect(() => new OffsetCheckpointFile(p).read()).toThrow(CorruptCheckpointError);
    }
  });

  test('aFailedWriteLeavesTheOldFile', () => {
    const p = path.join(dir, 'log-start-offset-checkpoint');
    const f = new OffsetCheckpointFile(p);
    f.write(new Map([['T-0', 1]]));
    disk.faultInjector = (op, file) => {
      if (op === 'fsync' && file === `${p}.tmp`)
        throw Object.assign(new Error('EIO'), { code: 'EIO', syscall: 'fsync' });
    };
    try {
      expect(() => f.write(new Map([['T-0', 2]]))).toThrow(/EIO/);
    } finally {
      disk.faultInjector = null;
    }
    expect(f.read().get('T-0')).toBe(1);
  });

  test('leaderEpochCheckpointMatchesKafka', () => {
    const p = path.join(dir, 'leader-epoch-checkpoint');
    new LeaderEpochCheckpointFile(p).write([{ epoch: 0, startOffset: 0 }]);
    expect(readFileSync(p, 'utf8')).toBe('0\n1\n0 0\n');
    expect(readFileSync(p).length).toBe(8);
  });

  test('metaPropertiesRoundTripsAndReadsKafkas', () => {
    const p = path.join(dir, 'meta.properties');
    writeFileSync(p, '#\n#Sat Nov 21 23:13:38 UTC 2026\nbroker.id=0\nversion=0\n');
    expect(new BrokerMetadataCheckpoint(p).read()).toEqual({ brokerId: 0 });
    new BrokerMetadataCheckpoint(p).write(
      { brokerId: 2, clusterId: 'Fkl_NzYORkGdLcAVksecNg' },
      Date.UTC(2026, 10, 21, 23, 13, 38),
    );
    const text = readFileSync(p, 'utf8');
    expect(text).toBe(
      '#\n#Sat Nov 21 23:13:38 UTC 2026\ncluster.id=Fkl_NzYORkGdLcAVksecNg\nversion=0\nbroker.id=2\n',
    );
    expect(new BrokerMetadataCheckpoint(p).read()).toEqual({
      brokerId: 2,
      clusterId: 'Fkl_NzYORkGdLcAVksecNg',
    });
    expect(parseProperties('a = b\n# c=d\nx:y').get('x')).toBe('y');
    expect(javaDateString(0)).toBe('Thu Jan 01 00:00:00 UTC 1970');
  });
});

describe('LeaderEpochFileCache', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  function cache(leo: () => number): LeaderEpochFileCache {
    return new LeaderEpochFileCache(
      't-0',
      leo,
      new LeaderEpochCheckpointFile(path.join(dir, 'leader-epoch-checkpoint')),
      new MemoryLogger(),
    );
  }

  test('assignKeepsTheFirstOffsetOfEachEpochAndFlushes', async () => {
    const c = cache(() => 100);
    c.assign(0, 0);
    c.assign(0, 5); // same epoch later: no change
    c.assign(2, 10);
    expect(c.epochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
    ]);
    await c.flushed();
    expect(cache(() => 100).epochEntries()).toEqual(c.epochEntries()); // reloaded from the file
  });

  test('changesReachTheFileInTheBackgroundAndTheLastOneWins', async () => {
    const file = path.join(dir, 'leader-epoch-checkpoint');
    const c = cache(() => 1000);
    for (let epoch = 0; epoch < 50; epoch++) c.assign(epoch, epoch * 10);
    c.truncateFromEnd(200);
    expect(existsSync(file)).toBe(false); // nothing written on the caller's stack
    await c.flushed();
    const reloaded = cache(() => 1000).epochEntries();
    expect(reloaded).toHaveLength(20);
    expect(reloaded[19]).toEqual({ epoch: 19, startOffset: 190 });
  });

  test('closingLeavesEntriesDroppedAtTheLogEndInTheFileTheLoaderDropsThem', async () => {
    const file = path.join(dir, 'leader-epoch-checkpoint');
    const c = cache(() => 10);
    c.assign(1, 0);
    c.assign(2, 10); // a leader that appended nothing in epoch 2
    await c.flushed();
    c.truncateFromEndInMemory(10);
    expect(c.epochEntries()).toEqual([{ epoch: 1, startOffset: 0 }]);
    await c.flushed(10);
    expect(readFileSync(file, 'utf8')).toBe('0\n2\n1 0\n2 10\n');
  });

  test('closingWritesDroppedEntriesOnceRecordsWereAppendedPastThem', async () => {
    const file = path.join(dir, 'leader-epoch-checkpoint');
    const c = cache(() => 15);
    c.assign(1, 0);
    c.assign(2, 10);
    await c.flushed();
    c.truncateFromEndInMemory(10);
    // records of epoch 1 then went to 10..14: (2, 10) in the file would now be wrong
    await c.flushed(15);
    expect(readFileSync(file, 'utf8')).toBe('0\n1\n1 0\n');
  });

  test('theBarrierBeforeTheRecoveryPointMovesWritesDroppedEntriesOut', async () => {
    const file = path.join(dir, 'leader-epoch-checkpoint');
    const c = cache(() => 15);
    c.assign(1, 0);
    c.assign(3, 15);
    await c.flushed();
    c.truncateFromEndInMemory(15);
    await c.flushed();
    expect(readFileSync(file, 'utf8')).toBe('0\n1\n1 0\n');
  });

  test('closingCancelsAQueuedWriteTheFileDoesNotNeed', async () => {
    // Another cache's write holds the process-wide queue.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const blocker = new LeaderEpochFileCache(
      'b-0',
      () => 0,
      { read: () => [], writeAsync: () => held } as unknown as LeaderEpochCheckpointFile,
      new MemoryLogger(),
    );
    blocker.assign(0, 0);
    const file = path.join(dir, 'leader-epoch-checkpoint');
    const c = cache(() => 0);
    c.assign(0, 0); // a new leader of an empty partition: queued behind the blocker
    await c.flushed(0); // closing at log end 0: does not wait for the queue
    release();
    await blocker.flushed();
    await new Promise((r) => setImmediate(r));
    expect(existsSync(file)).toBe(false);
  });

  test('aFailedBackgroundWriteIsReportedAndRejectsFlushed', async () => {
    const c = cache(() => 100);
    const reported: unknown[] = [];
    c.onFlushError = (e) => reported.push(e);
    disk.faultInjector = (op, file) => {
      if (op === 'write' && file.endsWith('leader-epoch-checkpoint.tmp')) throw ioError('EIO', op, file);
    };
    try {
      c.assign(1, 0);
      await expect(c.flushed()).rejects.toMatchObject({ code: 'EIO' });
      expect(reported).toHaveLength(1);
    } finally {
      disk.faultInjector = null;
    }
    c.assign(2, 5);
    await c.flushed(); // a later write that succeeds clears the error
    expect(cache(() => 100).epochEntries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 5 },
    ]);
  });

  test('aConflictingEntryRemovesLaterEpochs', () => {
    const logger = new MemoryLogger();
    const c = new LeaderEpochFileCache(
      't-0',
      () => 50,
      new LeaderEpochCheckpointFile(path.join(dir, 'x')),
      logger,
    );
    c.assign(1, 0);
    c.assign(2, 20);
    c.assign(3, 30);
    c.assign(2, 15);
    expect(c.epochEntries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 15 },
    ]);
    expect(logger.matching(/caused truncation of conflicting entries/)).toHaveLength(1);
  });

  test('endOffsetForFollowsKafka', () => {
    const c = cache(() => 100);
    c.assign(1, 10);
    c.assign(3, 40);
    expect(c.endOffsetFor(3)).toEqual({ epoch: 3, endOffset: 100 });
    expect(c.endOffsetFor(2)).toEqual({ epoch: 1, endOffset: 40 });
    expect(c.endOffsetFor(1)).toEqual({ epoch: 1, endOffset: 40 });
    expect(c.endOffsetFor(0)).toEqual({ epoch: 0, endOffset: 10 });
    expect(c.endOffsetFor(4)).toEqual({ epoch: -1, endOffset: -1 });
    expect(c.endOffsetFor(-1)).toEqual({ epoch: -1, endOffset: -1 });
  });

  test('truncationFromBothEnds', async () => {
    const c = cache(() => 100);
    c.assign(1, 10);
    c.assign(2, 20);
    c.assign(3, 30);
    c.truncateFromEnd(25);
    expect(c.latestEpoch).toBe(2);
    c.truncateFromStart(22);
    expect(c.epochEntries()).toEqual([{ epoch: 2, startOffset: 22 }]);
    c.clearAndFlush();
    await c.flushed();
    expect(readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n0\n');
  });
});
