import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  buildEndTxnMarkerBatch,
  ControlRecordType,
  decodeBatches,
  ErrorCode,
  KafkaError,
} from '@samsa/protocol';
import { disk } from './disk';
import type { Log } from './Log';
import { batchOf, config, newLog, reopen, tempDir, testEnv, type TestEnv } from './testing/helpers';
import { decodeAbortedTxns, encodeAbortedTxn, TransactionIndex } from './TransactionIndex';

const PID = 1000;

/** A transactional batch of producer `pid` (values `${prefix}-i`). */
function txn(seq: number, n = 1, o: { pid?: number; epoch?: number; prefix?: string } = {}): Buffer {
  return batchOf(n, {
    producerId: o.pid ?? PID,
    producerEpoch: o.epoch ?? 0,
    baseSequence: seq,
    isTransactional: true,
    prefix: o.prefix,
  });
}

function marker(type: 0 | 1, o: { pid?: number; epoch?: number; coordinatorEpoch?: number } = {}): Buffer {
  return buildEndTxnMarkerBatch({
    type,
    producerId: o.pid ?? PID,
    producerEpoch: o.epoch ?? 0,
    coordinatorEpoch: o.coordinatorEpoch ?? 0,
    timestamp: 1796623921871,
  });
}

/** `batch` with its base offset set to `offset` (what a follower receives from its leader). */
function buildBatchAt(offset: number, batch: Buffer): Buffer {
  batch.writeBigInt64BE(BigInt(offset), 0);
  return batch;
}

const COMMIT = ControlRecordType.COMMIT;
const ABORT = ControlRecordType.ABORT;

function codeOf(fn: () => unknown): number | null {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  return null;
}

/** The `.txnindex` bytes of the sample (transactions.txt, txn-0 after T4 was aborted). */
const SAMPLE_TXN0_HEX =
  '0000000000000000' +
  '03e8000000000000' +
  '0003000000000000' +
  '0004000000000000' +
  '0005' +
  '0000000000000000' +
  '03e8000000000000' +
  '0005000000000000' +
  '0006000000000000' +
  '0007';

describe('TransactionIndex', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  test("entries are Kafka 2.1.1's 34 bytes (transactions.txt, txn-1 while T4 was open)", () => {
    const bytes = encodeAbortedTxn({ producerId: 1000, firstOffset: 2, lastOffset: 3, lastStableOffset: 4 });
    expect(bytes.toString('hex')).toBe(
      '0000' + '00000000000003e8' + '0000000000000002' + '0000000000000003' + '0000000000000004',
    );
    expect(decodeAbortedTxns(Buffer.from(SAMPLE_TXN0_HEX, 'hex'))).toEqual([
      { producerId: 1000, firstOffset: 3, lastOffset: 4, lastStableOffset: 5 },
      { producerId: 1000, firstOffset: 5, lastOffset: 6, lastStableOffset: 7 },
    ]);
  });

  test('collects the entries overlapping a range, complete once an entry is stable past its end', () => {
    const index = new TransactionIndex(0, path.join(dir, '00000000000000000000.txnindex'));
    index.append({ producerId: 1, firstOffset: 0, lastOffset: 10, lastStableOffset: 11 });
    index.append({ producerId: 2, firstOffset: 5, lastOffset: 20, lastStableOffset: 12 });
    index.append({ producerId: 3, firstOffset: 30, lastOffset: 40, lastStableOffset: 41 });
    expect(index.collectAbortedTxns(11, 25).abortedTransactions.map((t) => t.producerId)).toEqual([2]);
    expect(index.collectAbortedTxns(0, 12)).toMatchObject({ isComplete: true });
    expect(index.collectAbortedTxns(0, 100)).toMatchObject({ isComplete: false });
    expect(() =>
      index.append({ producerId: 4, firstOffset: 1, lastOffset: 40, lastStableOffset: 41 }),
    ).toThrow();
    index.truncateTo(20);
    expect(index.allAbortedTxns.map((t) => t.producerId)).toEqual([1]);
    index.close();
    expect(readFileSync(index.path).length).toBe(34);
    expect(new TransactionIndex(0, index.path).allAbortedTxns).toEqual([
      { producerId: 1, firstOffset: 0, lastOffset: 10, lastStableOffset: 11 },
    ]);
  });
});

describe('transactions in the log', () => {
  let dir: string;
  let cleanup: () => void;
  let env: TestEnv;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    env = testEnv();
  });
  afterEach(() => cleanup());
  const partDir = () => path.join(dir, 'test-0');
  const txnIndexOf = (base = 0) => path.join(partDir(), `${String(base).padStart(20, '0')}.txnindex`);

  /** The sample's txn-0: T1 (2 records) committed, T2 (1) aborted, T4 (1) open. */
  function sampleTxn0(log: Log): void {
    log.appendAsLeader(txn(0, 2), 0); // 0-1
    log.appendAsLeader(marker(COMMIT), 0, 'coordinator'); // 2
    log.appendAsLeader(txn(2), 0); // 3
    log.appendAsLeader(marker(ABORT), 0, 'coordinator'); // 4
    log.appendAsLeader(txn(3), 0); // 5, left open
    log.highWatermark = log.logEndOffset;
  }

  test("the sample's partition: .txnindex byte for byte, LSO at the open transaction, aborted list", async () => {
    const log = newLog(dir, env);
    expect(existsSync(txnIndexOf())).toBe(false);
    sampleTxn0(log);
    expect(readFileSync(txnIndexOf()).toString('hex')).toBe(SAMPLE_TXN0_HEX.slice(0, 68));
    expect([log.highWatermark, log.lastStableOffset]).toEqual([6, 5]);
    log.appendAsLeader(marker(ABORT), 0, 'coordinator'); // 6 aborts T4
    expect(log.lastStableOffset).toBe(5); // the marker is not below the high watermark yet
    log.highWatermark = log.logEndOffset;
    expect(log.lastStableOffset).toBe(7);
    expect(readFileSync(txnIndexOf()).toString('hex')).toBe(SAMPLE_TXN0_HEX);
    expect(log.collectAbortedTransactions(0, 7)).toEqual([
      { producerId: PID, firstOffset: 3, lastOffset: 4, lastStableOffset: 5 },
      { producerId: PID, firstOffset: 5, lastOffset: 6, lastStableOffset: 7 },
    ]);
    expect(log.collectAbortedTransactions(5, 7).map((t) => t.firstOffset)).toEqual([5]);
    await log.close();
  });

  test('read_committed reads stop at the last stable offset and carry the aborted transactions', async () => {
    const log = newLog(dir, env);
    sampleTxn0(log);
    await log.whenWritten();
    const committed = log.read(0, 1 << 20, { isolation: 'txnCommitted' });
    const batches = decodeBatches(await committed.records.read());
    expect(batches.map((b) => b.header.baseOffset)).toEqual([0, 2, 3, 4]);
    expect(committed.abortedTransactions).toEqual([
      { producerId: PID, firstOffset: 3, lastOffset: 4, lastStableOffset: 5 },
    ]);
    const uncommitted = log.read(0, 1 << 20, { isolation: 'highWatermark' });
    expect(uncommitted.abortedTransactions).toBeUndefined();
    expect(decodeBatches(await uncommitted.records.read()).length).toBe(5);
    expect(log.read(5, 1 << 20, { isolation: 'txnCommitted' })).toMatchObject({ abortedTransactions: [] });
    await log.close();
  });

  test("Kafka's producer state checks on transactional appends and markers", () => {
    const log = newLog(dir, env);
    log.appendAsLeader(txn(0), 0);
    // A plain batch from a producer with an open transaction.
    const plain = batchOf(1, { producerId: PID, producerEpoch: 0, baseSequence: 1 });
    expect(codeOf(() => log.appendAsLeader(plain, 0))).toBe(ErrorCode.INVALID_TXN_STATE);
    // Clients never write markers.
    expect(codeOf(() => log.appendAsLeader(marker(COMMIT), 0))).toBe(ErrorCode.INVALID_RECORD);
    log.appendAsLeader(marker(COMMIT, { coordinatorEpoch: 3 }), 0, 'coordinator');
    expect(log.producerStateManager.lastEntry(PID)).toMatchObject({
      coordinatorEpoch: 3,
      currentTxnFirstOffset: null,
    });
    // A zombie coordinator, then a zombie producer epoch.
    expect(codeOf(() => log.appendAsLeader(marker(ABORT, { coordinatorEpoch: 2 }), 0, 'coordinator'))).toBe(
      ErrorCode.TRANSACTION_COORDINATOR_FENCED,
    );
    log.appendAsLeader(txn(0, 1, { epoch: 1 }), 0);
    expect(
      codeOf(() => log.appendAsLeader(marker(ABORT, { epoch: 0, coordinatorEpoch: 3 }), 0, 'coordinator')),
    ).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // A follower takes what the leader wrote.
    expect(log.logEndOffset).toBe(3);
    log.appendAsLeader(marker(ABORT, { epoch: 1, coordinatorEpoch: 3 }), 0, 'coordinator');
    log.highWatermark = log.logEndOffset;
    expect(log.lastStableOffset).toBe(4);
    expect(log.producerStateManager.openTransactions.size).toBe(0);
  });

  test('a marker with no open transaction ends an empty one; other producers hold the LSO back', () => {
    const log = newLog(dir, env);
    log.appendAsLeader(txn(0, 1, { pid: 7 }), 0); // 0, producer 7 opens
    log.appendAsLeader(txn(0), 0); // 1, producer 1000 opens
    log.appendAsLeader(marker(ABORT), 0, 'coordinator'); // 2
    log.appendAsLeader(marker(ABORT), 0, 'coordinator'); // 3: nothing open for 1000, empty txn
    log.highWatermark = log.logEndOffset;
    expect(log.lastStableOffset).toBe(0);
    expect(log.collectAbortedTransactions(0, 4)).toEqual([
      { producerId: PID, firstOffset: 1, lastOffset: 2, lastStableOffset: 0 },
      { producerId: PID, firstOffset: 3, lastOffset: 3, lastStableOffset: 0 },
    ]);
    log.appendAsLeader(marker(COMMIT, { pid: 7 }), 0, 'coordinator');
    log.highWatermark = log.logEndOffset;
    expect(log.lastStableOffset).toBe(5);
  });

  test('truncation below a marker opens its transaction again and cuts its .txnindex entry', async () => {
    const log = newLog(dir, env);
    sampleTxn0(log);
    log.truncateTo(4);
    expect(log.collectAbortedTransactions(0, 10)).toEqual([]);
    expect(readFileSync(txnIndexOf()).length).toBe(0);
    log.highWatermark = log.logEndOffset;
    expect(log.lastStableOffset).toBe(3);
    await log.close();
  });

  test('markers in a rolled segment go to its own .txnindex; snapshots keep open transactions', async () => {
    const log = newLog(dir, env);
    log.appendAsLeader(txn(0), 0);
    log.roll();
    log.appendAsLeader(marker(ABORT, { coordinatorEpoch: 7 }), 0, 'coordinator'); // 1, in segment 1
    log.appendAsLeader(txn(1), 0); // 2, open
    log.highWatermark = log.logEndOffset;
    expect(existsSync(txnIndexOf(0))).toBe(false);
    expect(decodeAbortedTxns(readFileSync(txnIndexOf(1)))).toEqual([
      { producerId: PID, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 },
    ]);
    await log.flush();
    await log.close();
    const again = await reopen(partDir(), env, { hadCleanShutdown: true, recoveryPoint: 3 });
    again.highWatermark = 3;
    expect(again.lastStableOffset).toBe(2);
    expect(again.producerStateManager.lastEntry(PID)).toMatchObject({
      currentTxnFirstOffset: 2,
      coordinatorEpoch: 7,
    });
    // The snapshot's coordinator epoch still fences a zombie coordinator.
    expect(codeOf(() => again.appendAsLeader(marker(ABORT, { coordinatorEpoch: 6 }), 0, 'coordinator'))).toBe(
      ErrorCode.TRANSACTION_COORDINATOR_FENCED,
    );
    expect(again.collectAbortedTransactions(0, 3)).toHaveLength(1);
    await again.close();
  });

  test('a crash with an open transaction: LSO, .txnindex and aborted list are the same after recovery', async () => {
    const log = newLog(dir, env);
    sampleTxn0(log);
    log.appendAsLeader(txn(4, 1, { pid: 9 }), 0); // 6, another producer's open transaction
    log.appendAsLeader(marker(ABORT), 0, 'coordinator'); // 7 aborts T4 (5)
    log.highWatermark = log.logEndOffset;
    const before = {
      lso: log.lastStableOffset,
      index: readFileSync(txnIndexOf()).toString('hex'),
      aborted: log.collectAbortedTransactions(0, log.logEndOffset),
    };
    expect(before.lso).toBe(6);
    await log.whenWritten();
    log.closeHandlers();
    // The index lost its last entry and a stray one is in its place: recovery cuts and rebuilds it.
    const torn = Buffer.from(before.index, 'hex');
    writeFileSync(
      txnIndexOf(),
      Buffer.concat([
        torn.subarray(0, 34),
        encodeAbortedTxn({ producerId: 5, firstOffset: 6, lastOffset: 99, lastStableOffset: 100 }),
      ]),
    );
    const again = await reopen(partDir(), env, { hadCleanShutdown: false, recoveryPoint: 5 });
    again.highWatermark = again.logEndOffset;
    expect(again.lastStableOffset).toBe(before.lso);
    expect(readFileSync(txnIndexOf()).toString('hex')).toBe(before.index);
    expect(again.collectAbortedTransactions(0, again.logEndOffset)).toEqual(before.aborted);
    again.closeHandlers();
    // With no snapshot and the index gone: rebuilt from the whole log.
    unlinkSync(txnIndexOf());
    for (const f of ['00000000000000000008.snapshot'])
      if (existsSync(path.join(partDir(), f))) unlinkSync(path.join(partDir(), f));
    // (A fresh environment: the handlers closed under the first two logs' feet take theirs offline.)
    const third = await reopen(partDir(), testEnv(), { hadCleanShutdown: false, recoveryPoint: 0 });
    third.highWatermark = third.logEndOffset;
    expect(third.lastStableOffset).toBe(before.lso);
    expect(readFileSync(txnIndexOf()).toString('hex')).toBe(before.index);
    await third.close();
  });

  test('a .txnindex goes with its segment: retention deletes it, a renamed directory takes it along', async () => {
    const log = newLog(dir, env, config({ fileDeleteDelayMs: 0 }));
    log.appendAsLeader(txn(0), 0);
    log.appendAsLeader(marker(ABORT), 0, 'coordinator'); // 1: indexed in segment 0
    log.roll();
    log.appendAsLeader(txn(1), 0); // 2
    log.appendAsLeader(marker(ABORT), 0, 'coordinator'); // 3: indexed in segment 2
    log.highWatermark = log.logEndOffset;
    expect(existsSync(txnIndexOf(0))).toBe(true);
    log.deleteRecordsBefore(2);
    expect(log.deleteOldSegments()).toBe(1);
    await env.scheduler.runDue();
    expect(existsSync(txnIndexOf(0))).toBe(false);
    expect(existsSync(`${txnIndexOf(0)}.deleted`)).toBe(false);
    expect(log.collectAbortedTransactions(2, 4)).toEqual([
      { producerId: PID, firstOffset: 2, lastOffset: 3, lastStableOffset: 4 },
    ]);
    log.renameDir('test-0.abc-delete');
    expect(existsSync(path.join(dir, 'test-0.abc-delete', '00000000000000000002.txnindex'))).toBe(true);
    log.appendAsLeader(txn(2), 0); // 4
    log.appendAsLeader(marker(ABORT), 0, 'coordinator'); // 5: appended to the moved file
    expect(
      decodeAbortedTxns(readFileSync(path.join(dir, 'test-0.abc-delete', '00000000000000000002.txnindex'))),
    ).toHaveLength(2);
    await log.close();
  });

  test('a topic with compression.type gzip keeps markers as built (never recompressed) and reads them', async () => {
    const log = newLog(dir, env, config({ compressionType: 'gzip' }));
    log.appendAsLeader(txn(0), 0);
    log.appendAsLeader(marker(ABORT), 0, 'coordinator');
    log.highWatermark = log.logEndOffset;
    await log.whenWritten();
    const [data, control] = decodeBatches(await log.read(0, 1 << 20).records.read());
    expect([
      data.header.attributes & 7,
      control.header.attributes & 7,
      control.header.attributes & 0x20,
    ]).toEqual([1, 0, 0x20]);
    expect(log.lastStableOffset).toBe(2);
    expect(log.collectAbortedTransactions(0, 2)).toHaveLength(1);
    await log.close();
  });

  test("a rolled segment's .txnindex is fsynced with it, then its descriptor released", async () => {
    const log = newLog(dir, env);
    log.appendAsLeader(txn(0), 0);
    log.appendAsLeader(marker(ABORT), 0, 'coordinator');
    expect(disk.openFiles()).toContain(txnIndexOf(0));
    log.roll();
    await log.flush();
    expect(disk.openFiles()).not.toContain(txnIndexOf(0));
    expect(decodeAbortedTxns(readFileSync(txnIndexOf(0)))).toHaveLength(1);
    log.truncateTo(1); // segment 0 active again: the entry goes, appends reopen the file
    log.appendAsLeader(marker(ABORT), 0, 'coordinator');
    expect(decodeAbortedTxns(readFileSync(txnIndexOf(0)))).toEqual([
      { producerId: PID, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 },
    ]);
    await log.close();
    expect(disk.openFiles()).not.toContain(txnIndexOf(0));
  });

  test('a follower replays markers as written (no checks) and writes the same .txnindex', async () => {
    const leader = newLog(dir, env);
    sampleTxn0(leader);
    await leader.whenWritten();
    const bytes = await leader.read(0, 1 << 20).records.read();
    const follower = newLog(dir, env, config(), 'test-1');
    follower.appendAsFollower(bytes);
    follower.highWatermark = follower.logEndOffset;
    expect(follower.lastStableOffset).toBe(5);
    expect(readFileSync(path.join(dir, 'test-1', '00000000000000000000.txnindex')).toString('hex')).toBe(
      SAMPLE_TXN0_HEX.slice(0, 68),
    );
    await leader.close();
    await follower.close();
  });
  test('a small read_committed read answers the aborted transactions of what it read, not of the rest of the log', async () => {
    const log = newLog(dir, env, config({ segmentBytes: 4000 }));
    for (let i = 0; i < 200; i++) {
      log.appendAsLeader(txn(i), 0);
      log.appendAsLeader(marker(ABORT), 0, 'coordinator');
    }
    log.highWatermark = log.logEndOffset;
    await log.whenWritten();
    expect(log.numberOfSegments).toBeGreaterThan(5);
    const secondSegmentBase = log.logSegments()[1].baseOffset;
    const info = log.read(0, 100, { isolation: 'txnCommitted', minOneMessage: true });
    // Kafka's bound: the offset index entry past the bytes read, else the next segment's base
    const aborted = info.abortedTransactions ?? [];
    expect(aborted.length).toBeGreaterThan(0);
    expect(aborted.length).toBeLessThanOrEqual(secondSegmentBase / 2 + 1);
    expect(aborted.every((t) => t.firstOffset < secondSegmentBase)).toBe(true);
    await log.close();
  });

  test("a follower's truncation keeps the LSO at the high watermark when every transaction below it ended", async () => {
    const log = newLog(dir, env);
    log.appendAsFollower(buildBatchAt(0, txn(0)));
    log.appendAsFollower(buildBatchAt(1, marker(COMMIT)));
    for (let i = 2; i < 8; i++) log.appendAsFollower(buildBatchAt(i, batchOf(1)));
    await log.whenWritten();
    log.highWatermark = 5;
    expect(log.lastStableOffset).toBe(5);
    log.truncateTo(6);
    expect([log.highWatermark, log.lastStableOffset]).toEqual([5, 5]);
    await log.close();
  });
});
