import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, KafkaError } from '@samsa/protocol';
import type { Log } from '../Log';
import {
  batchOf,
  config,
  newLog as createTestLog,
  reopen as reopenTestLog,
  tempDir,
  testEnv,
  type TestEnv,
} from '../testing/helpers';
import { decodeProducerSnapshot, encodeProducerSnapshot, CorruptSnapshotError } from './ProducerSnapshot';
import { ProducerStateEntry } from './ProducerStateEntry';
import { decrementSequence, incrementSequence, INT32_MAX } from './sequences';

/** A producer's batch of `n` records from sequence `seq`. */
function idem(pid: number, epoch: number, seq: number, n = 3, timestamp?: number): Buffer {
  return batchOf(n, { producerId: pid, producerEpoch: epoch, baseSequence: seq, baseTimestamp: timestamp });
}

function codeOf(fn: () => unknown): number | null {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  return null;
}

const snapshotsIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.snapshot'))
    .sort();

describe('producer snapshot file', () => {
  test('writes Kafka 2.1.1 bytes exactly (idempotence.txt, 00000000000000000009.snapshot)', () => {
    const entry = new ProducerStateEntry(2, 0, -1, 1796623795702, null);
    entry.addBatch(0, 8, 8, 2, 1796623795702);
    const bytes = encodeProducerSnapshot([entry]);
    expect(bytes.toString('hex')).toBe(
      '00016802' +
        '6c170000' +
        '00010000' +
        '00000000' +
        '00020000' +
        '00000008' +
        '00000000' +
        '00000008' +
        '00000002' +
        '000001a2' +
        '4f1f85f6' +
        'ffffffff' +
        'ffffffff' +
        'ffffffff',
    );
    const [back] = decodeProducerSnapshot(bytes);
    expect(back).toMatchObject({
      producerId: 2,
      producerEpoch: 0,
      coordinatorEpoch: -1,
      currentTxnFirstOffset: null,
    });
    expect(back.batchMetadata).toEqual([
      { lastSeq: 8, lastOffset: 8, offsetDelta: 2, timestamp: 1796623795702 },
    ]);
    expect(back.firstSeq).toBe(6);
  });

  test('refuses a wrong CRC, version or length', () => {
    const good = encodeProducerSnapshot([new ProducerStateEntry(7, 1, -1, 5, null)]);
    const badCrc = Buffer.from(good);
    badCrc[good.length - 1] ^= 1;
    const badVersion = Buffer.from(good);
    badVersion.writeInt16BE(2, 0);
    for (const b of [badCrc, badVersion, good.subarray(0, good.length - 2), good.subarray(0, 4)]) {
      expect(() => decodeProducerSnapshot(b)).toThrow(CorruptSnapshotError);
    }
  });

  test('sequence arithmetic wraps at Int.MaxValue', () => {
    expect(incrementSequence(INT32_MAX - 1, 3)).toBe(1);
    expect(decrementSequence(1, 3)).toBe(INT32_MAX - 1);
    expect(incrementSequence(5, 2)).toBe(7);
  });
});

describe('ProducerStateManager in the log', () => {
  let dir: string;
  let cleanup: () => void;
  let env: TestEnv;
  /**
   * Every log a test opens is closed before its directory goes: a write still queued would
   * otherwise land while rmSync walks the directory (ENOTEMPTY, a CI failure once).
   */
  let opened: Log[] = [];
  const newLog = (...args: Parameters<typeof createTestLog>): Log => {
    const log = createTestLog(...args);
    opened.push(log);
    return log;
  };
  const reopen = async (...args: Parameters<typeof reopenTestLog>): Promise<Log> => {
    const log = await reopenTestLog(...args);
    opened.push(log);
    return log;
  };
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    env = testEnv();
    opened = [];
  });
  afterEach(async () => {
    await Promise.all(opened.filter((l) => !l.isClosed).map((l) => l.close()));
    cleanup();
  });
  const partDir = (): string => path.join(dir, 'test-0');

  test('in-sequence batches append; a retry of one of the last five is answered with its offsets and writes nothing', () => {
    const log = newLog(dir, env);
    const offsets = [0, 3, 6, 9, 12, 15].map((seq) => log.appendAsLeader(idem(1000, 0, seq), 0).firstOffset);
    expect(offsets).toEqual([0, 3, 6, 9, 12, 15]);
    const end = log.logEndOffset;
    for (const seq of [3, 6, 9, 12, 15]) {
      const dup = log.appendAsLeader(idem(1000, 0, seq), 0);
      expect([dup.firstOffset, dup.lastOffset, dup.recordCount]).toEqual([seq, seq + 2, 0]);
    }
    expect(log.logEndOffset).toBe(end);
    // The sixth batch back is no longer retained: its sequence is simply out of order now.
    expect(codeOf(() => log.appendAsLeader(idem(1000, 0, 0), 0))).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    // A retry with a different range is not a duplicate either.
    expect(codeOf(() => log.appendAsLeader(idem(1000, 0, 15, 2), 0))).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
  });

  test('a gap answers OUT_OF_ORDER_SEQUENCE_NUMBER and appends nothing; an old epoch INVALID_PRODUCER_EPOCH', () => {
    const log = newLog(dir, env);
    log.appendAsLeader(idem(7, 0, 0), 0);
    expect(codeOf(() => log.appendAsLeader(idem(7, 0, 4), 0))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.logEndOffset).toBe(3);
    // Epoch bump: a new epoch starts at sequence 0 only.
    expect(codeOf(() => log.appendAsLeader(idem(7, 1, 3), 0))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.appendAsLeader(idem(7, 1, 0), 0).firstOffset).toBe(3);
    // The fenced epoch cannot write, not even its next sequence.
    expect(codeOf(() => log.appendAsLeader(idem(7, 0, 3), 0))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(log.logEndOffset).toBe(6);
    expect(log.producerStateManager.lastEntry(7)).toMatchObject({ producerEpoch: 1, lastSeq: 2 });
  });

  test('an unknown producer may start at any sequence (Kafka 2.8: no UNKNOWN_PRODUCER_ID)', () => {
    const log = newLog(dir, env);
    expect(log.appendAsLeader(idem(9, 3, 500), 0).firstOffset).toBe(0);
    expect(codeOf(() => log.appendAsLeader(idem(9, 3, 504), 0))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.appendAsLeader(idem(9, 3, 503), 0).firstOffset).toBe(3);
  });

  test('a client batch with a producer id and no sequence is INVALID_RECORD; plain batches cost nothing', () => {
    const log = newLog(dir, env);
    expect(codeOf(() => log.appendAsLeader(idem(9, 0, -1), 0))).toBe(ErrorCode.INVALID_RECORD);
    log.appendAsLeader(batchOf(3), 0);
    expect(log.producerStateManager.isEmpty).toBe(true);
    expect(log.producerStateManager.mapEndOffset).toBe(3);
  });

  test('a follower builds the same state from replicated batches: after becoming leader it recognises retries', () => {
    const leader = newLog(dir, env, config(), 'lead-0');
    const follower = newLog(dir, env, config(), 'test-0');
    for (const seq of [0, 3, 6]) {
      const b = idem(42, 2, seq);
      leader.appendAsLeader(b, 4);
      follower.appendAsFollower(b); // the bytes with the leader's offsets
    }
    expect(follower.producerStateManager.lastEntry(42)).toMatchObject({
      producerEpoch: 2,
      lastSeq: 8,
      lastDataOffset: 8,
    });
    const retry = follower.appendAsLeader(idem(42, 2, 6), 5);
    expect([retry.firstOffset, follower.logEndOffset]).toEqual([6, 9]);
    expect(follower.appendAsLeader(idem(42, 2, 9), 5).firstOffset).toBe(9);
  });

  test('roll writes <base>.snapshot of the state below it; a clean close one at the end; reload resumes', async () => {
    // One batch per segment, as in Kafka's capture.
    const oneBatch = config({ segmentBytes: idem(2, 0, 0).length + 1 });
    const log = newLog(dir, env, oneBatch);
    for (const seq of [0, 3, 6]) log.appendAsLeader(idem(2, 0, seq, 3, 1796623795000 + seq), 0);
    expect(log.logSegments().map((s) => s.baseOffset)).toEqual([0, 3, 6]);
    expect(snapshotsIn(partDir())).toEqual([
      '00000000000000000003.snapshot',
      '00000000000000000006.snapshot',
    ]);
    const at6 = decodeProducerSnapshot(readFileSync(path.join(partDir(), '00000000000000000006.snapshot')));
    expect(at6.map((e) => [e.producerId, e.firstSeq, e.lastSeq, e.lastDataOffset])).toEqual([[2, 3, 5, 5]]);
    await log.flush();
    await log.close();
    expect(snapshotsIn(partDir())).toContain('00000000000000000009.snapshot');
    const again = await reopen(partDir(), env, {
      config: oneBatch,
      hadCleanShutdown: true,
      recoveryPoint: 9,
    });
    expect(again.producerStateManager.lastEntry(2)).toMatchObject({ lastSeq: 8, lastDataOffset: 8 });
    expect(again.appendAsLeader(idem(2, 0, 6, 3, 1796623795006), 0).firstOffset).toBe(6); // the last batch: a retry
    expect(codeOf(() => again.appendAsLeader(idem(2, 0, 10), 0))).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(again.appendAsLeader(idem(2, 0, 9), 0).firstOffset).toBe(9);
  });

  test('after a crash: snapshots above the recovery point are not trusted; the log after the chosen one is replayed', async () => {
    const log = newLog(dir, env, config({ segmentBytes: 200 }));
    for (const [pid, seq] of [
      [5, 0],
      [5, 3],
      [6, 0],
      [6, 3],
    ])
      log.appendAsLeader(idem(pid, 0, seq), 0);
    await log.whenWritten();
    // A snapshot that lies (as one describing bytes a power loss took could): trusted, it would
    // drop producer 5 and invent 77. It lies above the recovery point, so it must not be used.
    writeFileSync(
      path.join(partDir(), '00000000000000000009.snapshot'),
      encodeProducerSnapshot([new ProducerStateEntry(77, 0, -1, Date.now(), null)]),
    );
    const again = await reopen(partDir(), env, {
      config: config({ segmentBytes: 200 }),
      hadCleanShutdown: false,
      recoveryPoint: 3,
    });
    expect(again.logEndOffset).toBe(12);
    expect(again.producerStateManager.lastEntry(77)).toBeUndefined();
    expect(again.producerStateManager.lastEntry(5)).toMatchObject({ lastSeq: 5, lastDataOffset: 5 });
    expect(again.producerStateManager.lastEntry(6)).toMatchObject({ lastSeq: 5, lastDataOffset: 11 });
    expect(again.appendAsLeader(idem(6, 0, 3), 0).firstOffset).toBe(9);
    expect(again.appendAsLeader(idem(5, 0, 6), 0).firstOffset).toBe(12);
  });

  test('a corrupt snapshot is deleted and an older one used', async () => {
    const log = newLog(dir, env, config({ segmentBytes: 200 }));
    for (const seq of [0, 3, 6]) log.appendAsLeader(idem(5, 0, seq), 0);
    await log.flush();
    await log.close();
    const latest = path.join(partDir(), '00000000000000000009.snapshot');
    const bytes = readFileSync(latest);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(latest, bytes);
    const again = await reopen(partDir(), env, {
      config: config({ segmentBytes: 200 }),
      hadCleanShutdown: true,
      recoveryPoint: 9,
    });
    expect(existsSync(latest)).toBe(true); // rewritten at the end after the replay
    expect(again.producerStateManager.lastEntry(5)).toMatchObject({ lastSeq: 8 });
    expect(env.logger.lines.some((l) => l.includes('Failed to load producer snapshot'))).toBe(true);
  });

  test('truncation rolls the state back to the new end', () => {
    const log = newLog(dir, env, config({ segmentBytes: 200 }));
    for (const seq of [0, 3, 6, 9]) log.appendAsLeader(idem(5, 0, seq), 0);
    log.truncateTo(6);
    expect(log.producerStateManager.lastEntry(5)).toMatchObject({ lastSeq: 5, lastDataOffset: 5 });
    expect(snapshotsIn(partDir()).every((f) => Number(f.slice(0, 20)) <= 6)).toBe(true);
    expect(log.appendAsLeader(idem(5, 0, 6), 0).firstOffset).toBe(6);
    log.truncateFullyAndStartAt(100);
    expect(log.producerStateManager.isEmpty).toBe(true);
    expect(snapshotsIn(partDir())).toEqual([]);
  });

  test("DeleteRecords past a producer's last batch forgets it; so does expiry", () => {
    const log = newLog(dir, env);
    log.appendAsLeader(idem(1, 0, 0), 0);
    log.appendAsLeader(idem(2, 0, 0), 0);
    log.highWatermark = log.logEndOffset;
    log.deleteRecordsBefore(3);
    expect([...log.producerStateManager.activeProducers.keys()]).toEqual([2]);
    // Producer 1 may go on at any sequence (its state is gone: KIP-360).
    expect(log.appendAsLeader(idem(1, 0, 3), 0).firstOffset).toBe(6);
    const ts = log.producerStateManager.lastEntry(2)!.lastTimestamp;
    expect(log.removeExpiredProducers(ts + 604_800_000 - 1)).toBe(0);
    expect(log.removeExpiredProducers(ts + 604_800_000 + 10_000_000)).toBe(2);
    expect(log.producerStateManager.isEmpty).toBe(true);
  });

  test("DeleteRecords inside a producer's batch, then a crash: the replay keeps that batch, its retry is recognised", async () => {
    const log = newLog(dir, env);
    log.appendAsLeader(idem(1, 0, 0), 0);
    log.highWatermark = log.logEndOffset;
    log.deleteRecordsBefore(1);
    await log.whenWritten();
    log.closeHandlers();
    const again = await reopen(partDir(), env, {
      hadCleanShutdown: false,
      recoveryPoint: 0,
      logStartOffset: 1,
    });
    expect(again.producerStateManager.lastEntry(1)).toMatchObject({ lastSeq: 2, lastDataOffset: 2 });
    const retry = again.appendAsLeader(idem(1, 0, 0), 0);
    expect([retry.firstOffset, again.logEndOffset]).toEqual([0, 3]);
  });

  test('a transactional batch opens its producer\'s transaction; a plain batch from it meanwhile is INVALID_TXN_STATE', () => {
    const log = newLog(dir, env);
    const txn = batchOf(2, { producerId: 4, producerEpoch: 0, baseSequence: 0, isTransactional: true });
    log.appendAsLeader(txn, 0);
    expect(log.producerStateManager.lastEntry(4)).toMatchObject({ currentTxnFirstOffset: 0 });
    const plain = batchOf(1, { producerId: 4, producerEpoch: 0, baseSequence: 2 });
    expect(codeOf(() => log.appendAsLeader(plain, 0))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(log.logEndOffset).toBe(2);
  });

  test('a log closed cleanly before producer state existed gets empty snapshots at its last two segments and its end', async () => {
    const small = config({ segmentBytes: batchOf(3).length + 1 });
    const log = newLog(dir, env, small);
    for (let i = 0; i < 4; i++) log.appendAsLeader(batchOf(3), 0);
    await log.flush();
    await log.close();
    for (const f of snapshotsIn(partDir())) unlinkSync(path.join(partDir(), f));
    const again = await reopen(partDir(), env, { config: small, hadCleanShutdown: true, recoveryPoint: 12 });
    expect(snapshotsIn(partDir())).toEqual([
      '00000000000000000006.snapshot',
      '00000000000000000009.snapshot',
      '00000000000000000012.snapshot',
    ]);
    again.appendAsLeader(idem(8, 0, 0), 0);
    again.truncateTo(10);
    expect(again.producerStateManager.isEmpty).toBe(true);
    expect(again.producerStateManager.mapEndOffset).toBe(10);
  });
});
