import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { waitForPartitionState } from './support';
import { startSingleBroker, stopSingleBroker, waitUntilServed, type SingleBroker } from '../integration/hardening/support';
import { fetchFrom, latestOffset, produceTo, txnBatch, writeTxnMarker, type FetchAnswer } from '../integration/transactions/support';

/**
 * Issue 15, acceptance item "Recovery": kill -9 the leader of a partition with an open transaction
 * (and aborted and committed ones before it, in two segments); after the restart the last stable
 * offset, the `.txnindex` files and the aborted transactions a read_committed Fetch answers are
 * what they were before. The recovery point checkpoint is written at a clean shutdown only here,
 * so the restart recovers every segment: the `.txnindex` is cut back to the recovery point and
 * rebuilt from the markers in the log, and the open transaction comes back from the log replay.
 * The open transaction still ends after the restart (its ABORT marker completes it from its first
 * offset).
 *
 * WriteTxnMarkers is served by engineer C's handler (broker/src/api/writeTxnMarkers.ts): this file
 * runs once that is merged.
 */
jest.setTimeout(120_000);

const TOPIC = 'txn-kill';
const PID = 1000;
const OTHER = 1001;

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(TOPIC, {
    // ~80-byte batches: a segment holds three, so markers and their transactions straddle segments.
    topicConfigs: ['segment.bytes=250'],
    overrides: { 'log.flush.offset.checkpoint.interval.ms': 3_600_000 },
  });
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

interface PartitionView {
  readonly lso: number;
  readonly hw: number;
  readonly committed: FetchAnswer;
  readonly txnIndexes: Record<string, string>;
}

function txnIndexes(): Record<string, string> {
  const dir = path.join(env.broker.logDir, `${TOPIC}-0`);
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.txnindex')) out[f] = readFileSync(path.join(dir, f)).toString('hex');
  }
  return out;
}

async function view(): Promise<PartitionView> {
  return {
    lso: await latestOffset(env.broker, TOPIC, 1),
    hw: await latestOffset(env.broker, TOPIC, 0),
    committed: await fetchFrom(env.broker, TOPIC, 0, 1),
    txnIndexes: txnIndexes(),
  };
}

test('afterAKill9WithAnOpenTransactionTheLsoTheTxnIndexAndTheAbortedListAreTheSame', async () => {
  const broker = env.broker;
  let seq = 0;
  let otherSeq = 0;
  const produce = async (pid: number, values: string[]) => {
    const baseSequence = pid === PID ? seq : otherSeq;
    if (pid === PID) seq += values.length;
    else otherSeq += values.length;
    const r = await produceTo(broker, TOPIC, txnBatch({ producerId: pid, baseSequence, values }));
    expect(r.error).toBe('NONE');
    return r.baseOffset;
  };
  const marker = async (pid: number, commit: boolean) =>
    expect(await writeTxnMarker(broker, { producerId: pid, commit, topic: TOPIC })).toEqual(['NONE']);

  await produce(PID, ['c1', 'c2']);
  await marker(PID, true);
  await produce(PID, ['a1']);
  await produce(OTHER, ['o1']);
  await produce(PID, ['a2']);
  await marker(PID, false); // aborts a1, a2 while OTHER is open: its LSO entry is OTHER's first offset
  await marker(OTHER, true);
  await produce(PID, ['x1']);
  const openAt = await produce(PID, ['x2']) - 1; // the open transaction starts at x1
  await produce(OTHER, ['o2']);
  await marker(OTHER, false);

  const before = await view();
  expect(before.lso).toBe(openAt);
  expect(before.hw).toBeGreaterThan(openAt);
  expect(before.committed.abortedTransactions).toEqual([
    { producerId: PID, firstOffset: 3 },
  ]);
  expect(Object.keys(before.txnIndexes).length).toBeGreaterThanOrEqual(1);

  await broker.kill();
  await broker.restart();
  await waitForPartitionState(env.zk, TOPIC, 0, (s) => s.leader === 0, 'leader 0 again');
  await waitUntilServed(broker, TOPIC);
  expect(broker.output()).toMatch(/Recovering unflushed segment/);

  const after = await view();
  expect(after.lso).toBe(before.lso);
  expect(after.hw).toBe(before.hw);
  expect(after.txnIndexes).toEqual(before.txnIndexes);
  expect(after.committed.abortedTransactions).toEqual(before.committed.abortedTransactions);
  expect(after.committed.batches).toEqual(before.committed.batches);

  // The open transaction came back: its ABORT marker ends it from its first offset.
  await marker(PID, false);
  const end = await latestOffset(broker, TOPIC, 0);
  expect(await latestOffset(broker, TOPIC, 1)).toBe(end);
  const final = await fetchFrom(broker, TOPIC, openAt, 1);
  expect(final.abortedTransactions).toContainEqual({ producerId: PID, firstOffset: openAt });
  expect(broker.output()).not.toMatch(/uncaught exception|unhandled rejection/i);
});
