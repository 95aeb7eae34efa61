import { topicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { TRANSACTION_STATE_TOPIC_NAME } from '@samsa/zk';
import { transactionLogBatch, transactionLogValue } from './TransactionLog';
import { settle, transactionHarness } from './testing/transactionHarness';

const T0 = topicPartition('txn', 0);
const T1 = topicPartition('txn', 1);
const ID = 'tx-1'; // __transaction_state partition 0 of 3, as in Kafka's sample

/** A coordinator leading partition 0 in epoch 0, loaded, with leaders for txn-0 (broker 1) and txn-1 (broker 2). */
async function ready(opts: Parameters<typeof transactionHarness>[0] = {}) {
  const h = transactionHarness(opts);
  h.store.store.lead(0);
  h.cluster.setLeader(T0, { brokerId: 1 }).setLeader(T1, { brokerId: 2 });
  h.coordinator.onElection(0, 0);
  await settle(h.timer);
  return h;
}

describe('TransactionCoordinator', () => {
  it('InitProducerId: a new id gets a producer id and epoch 0, written as Empty', async () => {
    const h = await ready();
    await expect(h.coordinator.handleInitProducerId(ID, 60000, null)).resolves.toEqual({
      errorCode: ErrorCode.NONE,
      producerId: 1000,
      producerEpoch: 0,
    });
    expect(h.store.records(0)).toEqual([[ID, 'Empty', 0]]);
    // again: the epoch is bumped, the producer id kept
    await expect(h.coordinator.handleInitProducerId(ID, 60000, null)).resolves.toEqual({
      errorCode: ErrorCode.NONE,
      producerId: 1000,
      producerEpoch: 1,
    });
  });

  it('InitProducerId refuses bad timeouts and empty ids; answers NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS', async () => {
    const h = transactionHarness({ config: { transactionMaxTimeoutMs: 900000 } });
    expect((await h.coordinator.handleInitProducerId(ID, 900001, null)).errorCode).toBe(
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    );
    expect((await h.coordinator.handleInitProducerId(ID, 0, null)).errorCode).toBe(
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    );
    expect((await h.coordinator.handleInitProducerId('', 1000, null)).errorCode).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect((await h.coordinator.handleInitProducerId(ID, 1000, null)).errorCode).toBe(
      ErrorCode.NOT_COORDINATOR,
    );
    h.store.store.lead(0);
    h.coordinator.onElection(0, 0);
    expect((await h.coordinator.handleInitProducerId(ID, 1000, null)).errorCode).toBe(
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    await settle(h.timer);
    expect((await h.coordinator.handleInitProducerId(ID, 1000, null)).errorCode).toBe(ErrorCode.NONE);
    h.coordinator.onResignation(0, 1);
    expect((await h.coordinator.handleInitProducerId(ID, 1000, null)).errorCode).toBe(
      ErrorCode.NOT_COORDINATOR,
    );
  });

  it('commit: Ongoing, PrepareCommit, markers to each leader, then CompleteCommit (the sample sequence)', async () => {
    const h = await ready();
    const { producerId, producerEpoch } = await h.coordinator.handleInitProducerId(ID, 60000, null);
    await expect(
      h.coordinator.handleAddPartitionsToTransaction(ID, producerId, producerEpoch, [T0, T1]),
    ).resolves.toBe(ErrorCode.NONE);
    // already in: nothing written
    await expect(
      h.coordinator.handleAddPartitionsToTransaction(ID, producerId, producerEpoch, [T1]),
    ).resolves.toBe(ErrorCode.NONE);
    await expect(h.coordinator.handleEndTransaction(ID, producerId, producerEpoch, 'COMMIT')).resolves.toBe(
      ErrorCode.NONE,
    );
    await settle(h.timer);
    expect(h.cluster.sent.map((s) => [s.brokerId, s.commit, s.producerEpoch, s.partitions])).toEqual([
      [1, true, 0, ['txn-0']],
      [2, true, 0, ['txn-1']],
    ]);
    expect(h.store.records(0).map(([, s]) => s)).toEqual([
      'Empty',
      'Ongoing',
      'PrepareCommit',
      'CompleteCommit',
    ]);
    // a retried EndTxn(commit) is answered NONE, an abort now INVALID_TXN_STATE
    await expect(h.coordinator.handleEndTransaction(ID, producerId, producerEpoch, 'COMMIT')).resolves.toBe(
      ErrorCode.NONE,
    );
    await expect(h.coordinator.handleEndTransaction(ID, producerId, producerEpoch, 'ABORT')).resolves.toBe(
      ErrorCode.INVALID_TXN_STATE,
    );
  });

  it('EndTxn and AddPartitions errors as Kafka answers them', async () => {
    const h = await ready();
    const { producerId, producerEpoch } = await h.coordinator.handleInitProducerId(ID, 60000, null);
    await expect(h.coordinator.handleEndTransaction(ID, producerId, producerEpoch, 'COMMIT')).resolves.toBe(
      ErrorCode.INVALID_TXN_STATE,
    );
    await expect(
      h.coordinator.handleEndTransaction('other', producerId, producerEpoch, 'COMMIT'),
    ).resolves.toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    await expect(
      h.coordinator.handleEndTransaction(ID, producerId + 1, producerEpoch, 'COMMIT'),
    ).resolves.toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    await expect(
      h.coordinator.handleAddPartitionsToTransaction(ID, producerId, producerEpoch + 1, [T0]),
    ).resolves.toBe(ErrorCode.PRODUCER_FENCED);
    await expect(
      h.coordinator.handleAddPartitionsToTransaction('', producerId, producerEpoch, [T0]),
    ).resolves.toBe(ErrorCode.INVALID_REQUEST);
    // while the markers are being written, the transaction is busy
    h.cluster.setLeader(T0, 'noNode');
    await h.coordinator.handleAddPartitionsToTransaction(ID, producerId, producerEpoch, [T0]);
    await expect(h.coordinator.handleEndTransaction(ID, producerId, producerEpoch, 'ABORT')).resolves.toBe(
      ErrorCode.NONE,
    );
    await expect(h.coordinator.handleEndTransaction(ID, producerId, producerEpoch, 'ABORT')).resolves.toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    // AddPartitions waits up to 50 ms for the completion, then answers as Kafka does
    const adding = h.coordinator.handleAddPartitionsToTransaction(ID, producerId, producerEpoch, [T1]);
    let answered: number | undefined;
    void adding.then((e) => (answered = e));
    await settle(h.timer, 40);
    expect(answered).toBeUndefined();
    await settle(h.timer, 10);
    expect(answered).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect((await h.coordinator.handleInitProducerId(ID, 60000, null)).errorCode).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    expect(h.coordinator.txnMarkerChannelManager.unknownDestinationQueueSize).toBe(1);
    // the leader appears: the marker goes out and the abort completes
    h.cluster.setLeader(T0, { brokerId: 1 });
    await settle(h.timer, 100);
    expect(h.store.records(0).map(([, s]) => s)).toEqual([
      'Empty',
      'Ongoing',
      'PrepareAbort',
      'CompleteAbort',
    ]);
  });

  it('a second InitProducerId fences the open transaction: aborted with the bumped epoch, CONCURRENT_TRANSACTIONS, then epoch + 2', async () => {
    const h = await ready();
    const first = await h.coordinator.handleInitProducerId(ID, 60000, null);
    await h.coordinator.handleAddPartitionsToTransaction(ID, first.producerId, first.producerEpoch, [T0]);
    expect((await h.coordinator.handleInitProducerId(ID, 60000, null)).errorCode).toBe(
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    await settle(h.timer);
    expect(h.cluster.sent.map((s) => [s.commit, s.producerEpoch])).toEqual([[false, 1]]);
    expect(h.store.records(0)).toEqual([
      [ID, 'Empty', 0],
      [ID, 'Ongoing', 0],
      [ID, 'PrepareAbort', 1],
      [ID, 'CompleteAbort', 1],
    ]);
    await expect(h.coordinator.handleInitProducerId(ID, 60000, null)).resolves.toEqual({
      errorCode: ErrorCode.NONE,
      producerId: 1000,
      producerEpoch: 2,
    });
    // the zombie is fenced everywhere
    await expect(
      h.coordinator.handleAddPartitionsToTransaction(ID, first.producerId, first.producerEpoch, [T1]),
    ).resolves.toBe(ErrorCode.PRODUCER_FENCED);
    await expect(
      h.coordinator.handleEndTransaction(ID, first.producerId, first.producerEpoch, 'COMMIT'),
    ).resolves.toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('KIP-360: InitProducerId with the producer id and epoch bumps, a retry answers the same, another epoch is fenced', async () => {
    const h = await ready();
    const a = await h.coordinator.handleInitProducerId(ID, 60000, null);
    const b = await h.coordinator.handleInitProducerId(ID, 60000, {
      producerId: a.producerId,
      epoch: a.producerEpoch,
    });
    expect(b).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 1 });
    // the answer was lost; the producer asks again with its old epoch
    const c = await h.coordinator.handleInitProducerId(ID, 60000, {
      producerId: a.producerId,
      epoch: a.producerEpoch,
    });
    expect(c).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 1 });
    expect(
      (await h.coordinator.handleInitProducerId(ID, 60000, { producerId: 1000, epoch: 7 })).errorCode,
    ).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await h.coordinator.handleInitProducerId(ID, 60000, { producerId: 5, epoch: 1 })).errorCode).toBe(
      ErrorCode.PRODUCER_FENCED,
    );
  });

  it('markers are retried on NOT_LEADER_OR_FOLLOWER and on a disconnect, dropped for a deleted partition', async () => {
    const h = await ready();
    const p = await h.coordinator.handleInitProducerId(ID, 60000, null);
    const gone = topicPartition('deleted', 0);
    await h.coordinator.handleAddPartitionsToTransaction(ID, p.producerId, p.producerEpoch, [T0, T1, gone]);
    h.cluster.answers.set('txn-0', [ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    h.cluster.disconnectNext = 1;
    await h.coordinator.handleEndTransaction(ID, p.producerId, p.producerEpoch, 'COMMIT');
    await settle(h.timer);
    expect(h.store.records(0).map(([, s]) => s)).toEqual(['Empty', 'Ongoing', 'PrepareCommit']);
    h.cluster.setLeader(T0, { brokerId: 3 });
    await settle(h.timer, 100);
    await settle(h.timer, 100);
    expect(h.store.records(0).map(([, s]) => s)).toEqual([
      'Empty',
      'Ongoing',
      'PrepareCommit',
      'CompleteCommit',
    ]);
    const toT0 = h.cluster.sent.filter((s) => s.partitions.includes('txn-0')).map((s) => s.brokerId);
    expect(toT0[toT0.length - 1]).toBe(3);
    expect(h.cluster.sent.some((s) => s.partitions.includes('deleted-0'))).toBe(false);
  });

  it("AddPartitions right after a commit is answered once the commit completes, not with CONCURRENT_TRANSACTIONS", async () => {
    const h = await ready();
    const p = await h.coordinator.handleInitProducerId(ID, 60000, null);
    await h.coordinator.handleAddPartitionsToTransaction(ID, p.producerId, p.producerEpoch, [T0]);
    await expect(h.coordinator.handleEndTransaction(ID, p.producerId, p.producerEpoch, 'COMMIT')).resolves.toBe(ErrorCode.NONE);
    // the markers are not written yet (they go out on the send loop's next turn): the request
    // arrives while the transaction is completing
    const state = h.coordinator.txnManager.getTransactionState(ID);
    expect(typeof state === 'object' && state?.transactionMetadata.state).toBe('PrepareCommit');
    const adding = h.coordinator.handleAddPartitionsToTransaction(ID, p.producerId, p.producerEpoch, [T1]);
    let answered: number | undefined;
    void adding.then((e) => (answered = e));
    await settle(h.timer); // the marker goes out, CompleteCommit is written: no time passes on the clock
    expect(answered).toBe(ErrorCode.NONE);
    expect(h.store.records(0).map(([, s]) => s)).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit', 'Ongoing']);
  });

  it('a marker whose partition has no leader waits with the retry backoff, not in a busy loop', async () => {
    const h = await ready();
    const p = await h.coordinator.handleInitProducerId(ID, 60000, null);
    await h.coordinator.handleAddPartitionsToTransaction(ID, p.producerId, p.producerEpoch, [T0]);
    h.cluster.setLeader(T0, 'noNode');
    let lookups = 0;
    const lookup = h.cluster.partitionLeader.bind(h.cluster);
    h.cluster.partitionLeader = (tp) => {
      lookups++;
      return lookup(tp);
    };
    await h.coordinator.handleEndTransaction(ID, p.producerId, p.producerEpoch, 'COMMIT');
    // one second of the mock clock in 100 ms steps: about one lookup per backoff (100 ms)
    for (let i = 0; i < 10; i++) await settle(h.timer, 100);
    expect(lookups).toBeGreaterThanOrEqual(5);
    expect(lookups).toBeLessThanOrEqual(25);
    expect(h.store.records(0).map(([, s]) => s)).toEqual(['Empty', 'Ongoing', 'PrepareCommit']);
    h.cluster.setLeader(T0, { brokerId: 1 });
    await settle(h.timer, 100);
    await settle(h.timer);
    expect(h.store.records(0).map(([, s]) => s)).toEqual([
      'Empty',
      'Ongoing',
      'PrepareCommit',
      'CompleteCommit',
    ]);
  });

  it('failover: a new coordinator loads PrepareCommit and completes it by resending the markers', async () => {
    const h = await ready();
    const p = await h.coordinator.handleInitProducerId(ID, 60000, null);
    await h.coordinator.handleAddPartitionsToTransaction(ID, p.producerId, p.producerEpoch, [T0, T1]);
    h.cluster.disconnectNext = 1000; // the old coordinator never gets its markers out
    await h.coordinator.handleEndTransaction(ID, p.producerId, p.producerEpoch, 'COMMIT');
    await settle(h.timer);
    h.coordinator.onResignation(0, 1);
    await h.coordinator.shutdown();
    h.cluster.disconnectNext = 0;
    h.cluster.sent.length = 0;

    const next = h.make();
    next.startup(3);
    next.onElection(0, 1);
    await settle(h.timer);
    expect(h.cluster.sent.map((s) => [s.commit, s.coordinatorEpoch, s.partitions])).toEqual([
      [true, 1, ['txn-0']],
      [true, 1, ['txn-1']],
    ]);
    expect(h.store.records(0).map(([, s]) => s)).toEqual([
      'Empty',
      'Ongoing',
      'PrepareCommit',
      'CompleteCommit',
    ]);
    const state = next.txnManager.getTransactionState(ID);
    expect(typeof state === 'object' && state?.transactionMetadata.state).toBe('CompleteCommit');
  });

  it("a retry of an earlier coordinator epoch's marker neither goes out nor cancels the current epoch's completion", async () => {
    const h = await ready();
    const p = await h.coordinator.handleInitProducerId(ID, 60000, null);
    await h.coordinator.handleAddPartitionsToTransaction(ID, p.producerId, p.producerEpoch, [T0]);
    // epoch 0's marker is refused once: its retry is due 100 ms later
    h.cluster.answers.set('txn-0', [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    await h.coordinator.handleEndTransaction(ID, p.producerId, p.producerEpoch, 'COMMIT');
    await settle(h.timer);
    // the partition is lost and regained (epoch 1) within that backoff; epoch 1's marker is refused once too
    h.coordinator.onResignation(0, 1);
    h.coordinator.onElection(0, 1);
    await settle(h.timer, 50);
    await settle(h.timer, 60); // epoch 0's retry is due now
    await settle(h.timer, 100); // and epoch 1's
    await settle(h.timer);
    expect(h.cluster.sent.filter((s) => s.coordinatorEpoch === 0).length).toBe(1);
    expect(h.store.records(0).map(([, s]) => s)).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
  });

  it('aborts a transaction past its timeout, fencing its producer', async () => {
    const h = await ready({ config: { abortTimedOutTransactionsIntervalMs: 1000 } });
    const p = await h.coordinator.handleInitProducerId(ID, 5000, null);
    await h.coordinator.handleAddPartitionsToTransaction(ID, p.producerId, p.producerEpoch, [T0]);
    await settle(h.timer, 4000);
    expect(h.cluster.sent).toEqual([]);
    await settle(h.timer, 2000);
    await settle(h.timer);
    expect(h.store.records(0).slice(2)).toEqual([
      [ID, 'PrepareAbort', 1],
      [ID, 'CompleteAbort', 1],
    ]);
    await expect(
      h.coordinator.handleEndTransaction(ID, p.producerId, p.producerEpoch, 'COMMIT'),
    ).resolves.toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('removes transactional ids idle for transactional.id.expiration.ms (tombstones)', async () => {
    const h = await ready({
      config: { transactionalIdExpirationMs: 10000, removeExpiredTransactionalIdsIntervalMs: 5000 },
    });
    await h.coordinator.handleInitProducerId(ID, 5000, null);
    await settle(h.timer, 5000);
    expect(h.coordinator.txnManager.getTransactionState(ID)).not.toBeNull();
    await settle(h.timer, 10000);
    await settle(h.timer);
    expect(h.coordinator.txnManager.getTransactionState(ID)).toBeNull();
    expect(h.store.records(0)).toEqual([
      [ID, 'Empty', 0],
      [ID, null, -1],
    ]);
    // a reload does not bring it back
    h.coordinator.onElection(0, 1);
    await settle(h.timer);
    expect(h.coordinator.txnManager.getTransactionState(ID)).toBeNull();
  });

  it('an append failure answers the mapped error and clears the pending state', async () => {
    const h = await ready();
    h.store.store.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect((await h.coordinator.handleInitProducerId(ID, 60000, null)).errorCode).toBe(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    h.store.store.failNext(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await h.coordinator.handleInitProducerId(ID, 60000, null)).errorCode).toBe(
      ErrorCode.NOT_COORDINATOR,
    );
    expect((await h.coordinator.handleInitProducerId(ID, 60000, null)).errorCode).toBe(ErrorCode.NONE);
  });

  it('an exhausted epoch rotates to a new producer id with epoch 0 (the last epoch kept for a KIP-360 retry)', async () => {
    const h = transactionHarness();
    h.store.store.lead(0);
    const value = transactionLogValue({
      producerId: 77,
      lastProducerId: -1,
      producerEpoch: 32766,
      lastProducerEpoch: -1,
      txnTimeoutMs: 60000,
      txnState: 'CompleteCommit',
      topicPartitions: [],
      txnStartTimestamp: 5,
      txnLastUpdateTimestamp: 6,
    });
    await h.store.appendRecords(1000, -1, [
      { topic: TRANSACTION_STATE_TOPIC_NAME, partition: 0, records: transactionLogBatch(ID, value, 7) },
    ]);
    h.coordinator.onElection(0, 3);
    await settle(h.timer);
    const r = await h.coordinator.handleInitProducerId(ID, 60000, { producerId: 77, epoch: 32766 });
    expect(r).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 0 });
    // the answer was lost: the retry with the old id and its exhausted epoch is not fenced
    const again = await h.coordinator.handleInitProducerId(ID, 60000, { producerId: 77, epoch: 32766 });
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(again.producerId).toBe(1000);
  });

  it('expiry never removes an id with an open transaction', async () => {
    const h = await ready({
      config: { transactionalIdExpirationMs: 10000, removeExpiredTransactionalIdsIntervalMs: 5000 },
    });
    const p = await h.coordinator.handleInitProducerId(ID, 900000, null);
    await h.coordinator.handleAddPartitionsToTransaction(ID, p.producerId, p.producerEpoch, [T0]);
    await settle(h.timer, 60000);
    await settle(h.timer);
    expect(h.coordinator.txnManager.getTransactionState(ID)).not.toBeNull();
    expect(h.store.records(0).map(([, s]) => s)).toEqual(['Empty', 'Ongoing']);
  });
});
