import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startSingleBroker, stopSingleBroker, type SingleBroker } from '../hardening/support';
import { fetchFrom, kcatConsumeIsolated, latestOffset, produceTo, txnBatch, writeTxnMarker } from './support';

/**
 * Issue 15, the partition side with markers (the coordinator's WriteTxnMarkers, hand-built): the
 * partition of transactions.txt (txn-0 of Kafka 2.1.1) written again — T1 committed (2 records),
 * T2 aborted (1 record), T4 left open, then aborted. Checked as Kafka answered: ListOffsets and
 * Fetch with both isolation levels, the aborted transactions a read_committed Fetch carries, the
 * `.txnindex` byte for byte as Kafka wrote it, a read_committed Fetch waiting at the last stable
 * offset woken by the marker that moves it, and the marker checks (zombie coordinator epoch,
 * zombie producer epoch).
 *
 * WriteTxnMarkers is served by engineer C's handler (broker/src/api/writeTxnMarkers.ts): this file
 * runs once that is merged.
 */
jest.setTimeout(120_000);

const TOPIC = 'txn';
const PID = 1000; // the sample's producer id: the .txnindex bytes are the sample's

/** xxd of txn-0/00000000000000000000.txnindex in transactions.txt, after T4's abort. */
const SAMPLE_INDEX =
  '0000 0000 0000 0000 03e8 0000 0000 0000 0003 0000 0000 0000 0004 0000 0000 0000 0005 ' +
  '0000 0000 0000 0000 03e8 0000 0000 0000 0005 0000 0000 0000 0006 0000 0000 0000 0007';
const sampleIndex = (entries: number) => Buffer.from(SAMPLE_INDEX.replace(/ /g, ''), 'hex').subarray(0, 34 * entries);

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(TOPIC);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

const txnIndexFile = () => path.join(env.broker.logDir, `${TOPIC}-0`, '00000000000000000000.txnindex');

test('readCommittedReadersSeeUpToTheLastStableOffsetWithTheAbortedTransactionsAsKafka', async () => {
  const broker = env.broker;
  const marker = (commit: boolean) => writeTxnMarker(broker, { producerId: PID, commit, topic: TOPIC });
  expect(await produceTo(broker, TOPIC, txnBatch({ producerId: PID, baseSequence: 0, values: ['commit-1', 'commit-3'] }))).toEqual({
    error: 'NONE',
    baseOffset: 0,
  });
  expect(await marker(true)).toEqual(['NONE']); // 2
  expect(await produceTo(broker, TOPIC, txnBatch({ producerId: PID, baseSequence: 2, values: ['abort-1'] }))).toEqual({
    error: 'NONE',
    baseOffset: 3,
  });
  expect(await marker(false)).toEqual(['NONE']); // 4
  expect(await produceTo(broker, TOPIC, txnBatch({ producerId: PID, baseSequence: 3, values: ['open-1'] }))).toEqual({
    error: 'NONE',
    baseOffset: 5,
  });

  // "T4 open": read_uncommitted 6 (the HW), read_committed 5 (the first offset of the open T4).
  expect([await latestOffset(broker, TOPIC, 0), await latestOffset(broker, TOPIC, 1)]).toEqual([6, 5]);
  expect(readFileSync(txnIndexFile())).toEqual(sampleIndex(1));
  const committed = await fetchFrom(broker, TOPIC, 0, 1);
  expect(committed).toMatchObject({ highWatermark: 6, lastStableOffset: 5, abortedTransactions: [{ producerId: PID, firstOffset: 3 }] });
  expect(committed.batches.map((b) => b.baseOffset)).toEqual([0, 2, 3, 4]);
  expect(await fetchFrom(broker, TOPIC, 0, 0)).toMatchObject({ lastStableOffset: 5, abortedTransactions: null });

  // A read_committed fetch waiting at the LSO is answered when the marker moves it, not at max wait.
  const maxWaitMs = 30_000;
  const started = Date.now();
  const waiting = fetchFrom(broker, TOPIC, 5, 1, { maxWaitMs, minBytes: 1 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await marker(false)).toEqual(['NONE']); // 6
  const woken = await waiting;
  expect(Date.now() - started).toBeLessThan(maxWaitMs - 5_000);
  expect(woken).toMatchObject({ lastStableOffset: 7, abortedTransactions: [{ producerId: PID, firstOffset: 5 }] });
  expect(woken.batches.map((b) => b.baseOffset)).toEqual([5, 6]);

  // "after T4 abort": both 7; the index holds both aborted transactions, byte for byte.
  expect([await latestOffset(broker, TOPIC, 0), await latestOffset(broker, TOPIC, 1)]).toEqual([7, 7]);
  expect(readFileSync(txnIndexFile())).toEqual(sampleIndex(2));
  expect((await fetchFrom(broker, TOPIC, 0, 1)).abortedTransactions).toEqual([
    { producerId: PID, firstOffset: 3 },
    { producerId: PID, firstOffset: 5 },
  ]);
  // Fetching after T2's marker: only T4 overlaps.
  expect((await fetchFrom(broker, TOPIC, 5, 1)).abortedTransactions).toEqual([{ producerId: PID, firstOffset: 5 }]);

  // Zombies: an older coordinator epoch, then an older producer epoch, are refused and write nothing.
  expect(await writeTxnMarker(broker, { producerId: PID, commit: true, topic: TOPIC, coordinatorEpoch: 5 })).toEqual(['NONE']); // 7
  expect(await writeTxnMarker(broker, { producerId: PID, commit: true, topic: TOPIC, coordinatorEpoch: 4 })).toEqual([
    'TRANSACTION_COORDINATOR_FENCED',
  ]);
  expect(await produceTo(broker, TOPIC, txnBatch({ producerId: PID, producerEpoch: 1, baseSequence: 0, values: ['e1'] }))).toEqual({
    error: 'NONE',
    baseOffset: 8,
  });
  expect(await writeTxnMarker(broker, { producerId: PID, producerEpoch: 0, commit: true, topic: TOPIC, coordinatorEpoch: 5 })).toEqual([
    'INVALID_PRODUCER_EPOCH',
  ]);
  expect([await latestOffset(broker, TOPIC, 0), await latestOffset(broker, TOPIC, 1)]).toEqual([9, 8]);

  // A real client (librdkafka): read_committed stops at the LSO and drops the aborted records, as
  // kcat did against Kafka 2.1.1; read_uncommitted sees every data record.
  expect(await kcatConsumeIsolated(env.cluster.bootstrap, TOPIC, 'read_committed')).toEqual(['commit-1', 'commit-3']);
  expect(await kcatConsumeIsolated(env.cluster.bootstrap, TOPIC, 'read_uncommitted')).toEqual([
    'commit-1',
    'commit-3',
    'abort-1',
    'open-1',
    'e1',
  ]);
  expect(broker.output()).not.toMatch(/uncaught exception|unhandled rejection/i);
});
