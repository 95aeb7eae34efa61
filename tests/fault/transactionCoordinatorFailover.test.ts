import { close, connectZk, waitFor, type ZkClient } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { errorName, kafkaTopics, waitForPartitionState } from './support';
import {
  addPartitions,
  endTxn,
  findTxnCoordinator,
  initProducerId,
  initProducerIdWhenReady,
  storedMarkers,
  transactionLogRecords,
  txnOverrides,
  txnPartitionOf,
} from '../integration/transactions/coordinatorSupport';

/**
 * Issue 15, coordinator failover, on three brokers: a transaction is committed (PrepareCommit
 * written) while the only replica of its partition is down, so no marker can be written; the
 * coordinator is killed -9. The broker that takes over its __transaction_state partition loads
 * PrepareCommit and resumes the commit (InitProducerId meanwhile: CONCURRENT_TRANSACTIONS); once
 * the partition is back the COMMIT marker is written with the new coordinator's epoch and
 * CompleteCommit follows. The last part NEEDS the WriteTxnMarkers handler (engineer C's); before
 * that merge the resumed commit never completes and the test times out at "CompleteCommit".
 */
jest.setTimeout(180_000);

const ID = 'failover-1';
const TOPIC = 'failover-data';
let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, overrides: txnOverrides(3) });
  zk = await connectZk(cluster.zkConnect);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
});

test('aNewCoordinatorResumesAPrepareCommitByResendingTheMarkers', async () => {
  const coordinator = await findTxnCoordinator(cluster, ID);
  const [dataLeader, successor] = cluster.brokers.filter((b) => b !== coordinator);
  const txnPartition = txnPartitionOf(ID);
  await waitForPartitionState(zk, '__transaction_state', txnPartition, (s) => s.isr.length === 3, 'a full ISR of the id partition', 60_000);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', String(dataLeader.brokerId)]);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === dataLeader.brokerId, `leader ${dataLeader.brokerId}`);

  const r = await initProducerIdWhenReady(coordinator, ID);
  const producer = { producerId: r.producerId as number, producerEpoch: r.producerEpoch as number };
  await waitFor(async () => (await addPartitions(coordinator, ID, producer, { [TOPIC]: [0] }))[`${TOPIC}-0`] === 'NONE', {
    timeoutMs: 30_000,
    what: 'the data partition added to the transaction',
  });

  // no marker can be written while the partition's only replica is down
  await dataLeader.stop();
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === -1, 'the data partition offline');
  expect(await endTxn(coordinator, ID, producer, true)).toBe('NONE');

  await coordinator.kill();
  const moved = await waitForPartitionState(
    zk,
    '__transaction_state',
    txnPartition,
    (s) => s.leader === successor.brokerId,
    `broker ${successor.brokerId} leading __transaction_state-${txnPartition}`,
    60_000,
  );
  expect(await findTxnCoordinator(cluster, ID)).toBe(successor);
  // the successor loaded PrepareCommit and is completing it
  await waitFor(async () => errorName((await initProducerId(successor, ID)).errorCode) === 'CONCURRENT_TRANSACTIONS', {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'the successor to answer CONCURRENT_TRANSACTIONS',
  });
  const loaded = (await transactionLogRecords(successor, txnPartition)).filter(([t]) => t === ID);
  expect(loaded.map(([, s]) => s)).toEqual(['Empty', 'Ongoing', 'PrepareCommit']);

  await dataLeader.restart();
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === dataLeader.brokerId, 'the data partition back');
  const records = await waitFor(
    async () => {
      const all = (await transactionLogRecords(successor, txnPartition)).filter(([t]) => t === ID);
      return all[all.length - 1][1] === 'CompleteCommit' ? all : null;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'CompleteCommit written by the successor' },
  );
  expect(records.map(([, s]) => s)).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
  const markers = (await storedMarkers(dataLeader, TOPIC, 0)).filter((m) => m.producerId === producer.producerId);
  expect(markers).toEqual([expect.objectContaining({ type: 'COMMIT', producerEpoch: 0, coordinatorEpoch: moved.leader_epoch })]);
  const next = await initProducerIdWhenReady(successor, ID);
  expect({ producerId: next.producerId, epoch: next.producerEpoch }).toEqual({ producerId: producer.producerId, epoch: 1 });
});
