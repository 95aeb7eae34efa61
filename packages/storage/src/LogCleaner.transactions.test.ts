import { buildBatch, buildEndTxnMarkerBatch, ControlRecordType, decodeBatches } from '@samsa/protocol';
import type { Log } from './Log';
import { LogCleaner } from './LogCleaner';
import { config, newLog, readAll, tempDir, testEnv, type TestEnv } from './testing/helpers';

/** The cleaner's transactional rules (Kafka 2.8's CleanedTransactionMetadata, LogCleanerManager). */
describe('LogCleaner with transactions', () => {
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

  const seqs = new Map<number, number>();
  function txnPut(log: Log, pid: number, key: string, value: string): void {
    const seq = seqs.get(pid) ?? 0;
    seqs.set(pid, seq + 1);
    log.appendAsLeader(
      buildBatch([{ key, value }], {
        producerId: pid,
        producerEpoch: 0,
        baseSequence: seq,
        isTransactional: true,
      }),
      0,
    );
  }
  function end(log: Log, pid: number, type: 0 | 1): void {
    log.appendAsLeader(
      buildEndTxnMarkerBatch({
        type,
        producerId: pid,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        timestamp: env.time.milliseconds(),
      }),
      0,
      'coordinator',
    );
  }
  function put(log: Log, key: string, value: string): void {
    log.appendAsLeader(buildBatch([{ key, value }]), 0);
  }

  const compacted = () =>
    config({ cleanupPolicy: ['compact'], segmentBytes: 400, minCleanableDirtyRatio: 0.01 });

  beforeEach(() => seqs.clear());

  test('an aborted value never shadows a committed one; the aborted records go, the markers stay (horizon)', async () => {
    const log = newLog(dir, env, compacted());
    txnPut(log, 1, 'k', 'committed'); // 0
    end(log, 1, ControlRecordType.COMMIT); // 1
    txnPut(log, 2, 'k', 'aborted'); // 2
    txnPut(log, 2, 'j', 'aborted-j'); // 3
    end(log, 2, ControlRecordType.ABORT); // 4
    for (let i = 0; i < 12; i++) put(log, `other${i}`, `v${i}`); // rolls segments past the markers
    log.highWatermark = log.logEndOffset;
    await log.whenWritten();
    expect(log.numberOfSegments).toBeGreaterThan(2);
    expect(await cleanerFor([log]).cleanOnce()).toBe(true);
    const records = await readAll(log);
    expect(records).toContainEqual({ offset: 0, key: 'k', value: 'committed' });
    expect(records.find((r) => r.value === 'aborted' || r.value === 'aborted-j')).toBeUndefined();
    // Producer 2's last data batch (offset 3) stays as an empty header; both markers stay (the
    // delete horizon keeps them, and records of their transactions were seen in this pass).
    const bytes = await log.read(0, 1 << 20).records.read();
    const batches = decodeBatches(bytes).filter((b) => b.header.baseOffset <= 4);
    expect(batches.map((b) => [b.header.baseOffset, b.records.length])).toEqual([
      [0, 1],
      [1, 1],
      [3, 0],
      [4, 1],
    ]);
    // The ABORT marker stayed: its transaction is in the cleaned segment's .txnindex.
    expect(log.collectAbortedTransactions(0, log.logEndOffset)).toEqual([
      { producerId: 2, firstOffset: 2, lastOffset: 4, lastStableOffset: 5 },
    ]);
  });

  test('a COMMIT marker in a later group than its kept data stays, across rounds (one transaction metadata per round)', async () => {
    const log = newLog(
      dir,
      env,
      config({
        cleanupPolicy: ['compact'],
        segmentBytes: 400,
        minCleanableDirtyRatio: 0.01,
        deleteRetentionMs: 0,
      }),
    );
    for (let i = 0; i < 3; i++) put(log, `a${i}`, 'v'); // 0-2
    txnPut(log, 1, 't', 'committed'); // 3: the transaction's data, in the first segment
    for (let i = 0; i < 3; i++) put(log, `b${i}`, 'v'); // 4-6: the first segment fills up
    end(log, 1, ControlRecordType.COMMIT); // 7: in a later segment
    for (let i = 0; i < 10; i++) put(log, `c${i}`, 'v'); // more segments after it
    // the producer's later transaction: the first marker is not its last batch (that one always stays)
    txnPut(log, 1, 'u', 'later');
    end(log, 1, ControlRecordType.COMMIT);
    for (let i = 10; i < 20; i++) put(log, `c${i}`, 'v');
    log.highWatermark = log.logEndOffset;
    await log.whenWritten();
    const segmentOf = (offset: number) => log.logSegments().filter((sg) => sg.baseOffset <= offset).length;
    expect(segmentOf(7)).toBeGreaterThan(segmentOf(3));
    const cleaner = cleanerFor([log]);
    const allBatches = async () => {
      const out = [];
      for (let at = log.logStartOffset; at < log.logEndOffset;) {
        const batches = decodeBatches(await log.read(at, 1 << 20).records.read());
        if (batches.length === 0) break;
        out.push(...batches);
        const last = batches[batches.length - 1].header;
        at = last.baseOffset + last.lastOffsetDelta + 1;
      }
      return out;
    };
    expect(await cleaner.cleanOnce()).toBe(true);
    // new dirty records, so the second round cleans again: past the delete horizon now
    for (let i = 0; i < 20; i++) put(log, `c${i}`, 'w');
    log.highWatermark = log.logEndOffset;
    await log.whenWritten();
    expect(await cleaner.cleanOnce()).toBe(true);
    const batches = await allBatches();
    // the data stays (its key is live), so its marker must too
    expect(batches.some((b) => b.header.baseOffset === 3 && b.records.length === 1)).toBe(true);
    expect(batches.some((b) => b.header.baseOffset === 7 && (b.header.attributes & 0x20) !== 0)).toBe(true);
    expect(log.lastStableOffset).toBe(log.highWatermark);
  });

  test('nothing at or past the first unstable offset is cleaned', async () => {
    const log = newLog(dir, env, compacted());
    put(log, 'k', 'old'); // 0
    txnPut(log, 7, 'x', 'open'); // 1: left open
    for (let i = 0; i < 12; i++) put(log, 'k', `v${i}`);
    log.highWatermark = log.logEndOffset;
    await log.whenWritten();
    expect(log.firstUnstableOffset).toBe(1);
    const cleaner = cleanerFor([log]);
    const { firstUncleanableOffset } = cleaner.cleanableOffsets(log, undefined, env.time.milliseconds());
    expect(firstUncleanableOffset).toBeLessThanOrEqual(1);
    await cleaner.cleanOnce();
    const records = await readAll(log);
    expect(records).toContainEqual({ offset: 0, key: 'k', value: 'old' });
    expect(records).toContainEqual({ offset: 1, key: 'x', value: 'open' });
  });
});
