import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../harness';
import type { BrokerHandle } from '../harness/broker';
import { waitForPartitionState } from './support';
import { stopSingleBroker } from '../integration/hardening/support';
import { startReplicated, type Replicated } from '../integration/idempotence/support';
import { fetchFrom, latestOffset, produceTo, txnBatch, writeTxnMarker } from '../integration/transactions/support';

/**
 * Issue 15, failover of a partition leader with transactions: three brokers, an RF 3 partition
 * (min.insync.replicas 2, acks=all throughout). The followers build the transactions from what they
 * replicate — the open ones, and the aborted ones in their own `.txnindex` from the ABORT markers —
 * so after the leader is killed (kill -9) the new leader answers the same last stable offset and the
 * same aborted transactions, its `.txnindex` is the old leader's byte for byte, and the transaction
 * left open still ends with its marker there.
 *
 * WriteTxnMarkers is served by engineer C's handler (broker/src/api/writeTxnMarkers.ts): this file
 * runs once that is merged.
 */
jest.setTimeout(120_000);

const TOPIC = 'txn-rf3-kill';
const PID = 2000;
const OTHER = 2001;

let env: Replicated;

beforeAll(async () => {
  env = await startReplicated(TOPIC);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

const txnIndexOf = (b: BrokerHandle) => readFileSync(path.join(b.logDir, `${TOPIC}-0`, '00000000000000000000.txnindex'));

test('aNewLeaderAnswersTheSameLastStableOffsetAndAbortedTransactionsAndEndsTheOpenOne', async () => {
  const { cluster, leader, zk } = env;
  const ok = (r: { error: string; baseOffset: number }, at: number) => expect(r).toEqual({ error: 'NONE', baseOffset: at });
  ok(await produceTo(leader, TOPIC, txnBatch({ producerId: PID, baseSequence: 0, values: ['a1', 'a2'] })), 0);
  expect(await writeTxnMarker(leader, { producerId: PID, commit: false, topic: TOPIC })).toEqual(['NONE']); // 2
  ok(await produceTo(leader, TOPIC, txnBatch({ producerId: OTHER, baseSequence: 0, values: ['c1'] })), 3);
  expect(await writeTxnMarker(leader, { producerId: OTHER, commit: true, topic: TOPIC })).toEqual(['NONE']); // 4
  ok(await produceTo(leader, TOPIC, txnBatch({ producerId: PID, baseSequence: 2, values: ['x1'] })), 5); // left open

  expect([await latestOffset(leader, TOPIC, 0), await latestOffset(leader, TOPIC, 1)]).toEqual([6, 5]);
  const before = await fetchFrom(leader, TOPIC, 0, 1);
  expect(before.abortedTransactions).toEqual([{ producerId: PID, firstOffset: 0 }]);
  const index = txnIndexOf(leader);
  expect(index.length).toBe(34);

  await leader.kill();
  const moved = await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader >= 0 && s.leader !== leader.brokerId, 'a new leader');
  const successor = cluster.broker(moved.leader);
  // The new leader's high watermark reaches the log end once the other follower fetches again.
  await waitFor(
    async () => {
      try {
        return (await latestOffset(successor, TOPIC, 0)) === 6 ? true : null;
      } catch {
        return null; // not serving the partition yet
      }
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'the new leader to answer high watermark 6' },
  );
  expect(await latestOffset(successor, TOPIC, 1)).toBe(5);
  const after = await fetchFrom(successor, TOPIC, 0, 1);
  expect(after.abortedTransactions).toEqual(before.abortedTransactions);
  expect(after.batches).toEqual(before.batches);
  expect(txnIndexOf(successor)).toEqual(index);

  expect(await writeTxnMarker(successor, { producerId: PID, commit: false, topic: TOPIC })).toEqual(['NONE']); // 6
  expect([await latestOffset(successor, TOPIC, 0), await latestOffset(successor, TOPIC, 1)]).toEqual([7, 7]);
  expect((await fetchFrom(successor, TOPIC, 0, 1)).abortedTransactions).toEqual([
    { producerId: PID, firstOffset: 0 },
    { producerId: PID, firstOffset: 5 },
  ]);
});
