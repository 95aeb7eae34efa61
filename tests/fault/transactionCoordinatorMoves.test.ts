import { close, connectZk, type ZkClient } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { errorName, waitForPartitionState } from './support';
import {
  findTxnCoordinator,
  initProducerId,
  initProducerIdWhenReady,
  transactionLogRecords,
  txnOverrides,
  txnPartitionOf,
} from '../integration/transactions/coordinatorSupport';

/**
 * Issue 15: a transactional id's coordinator moves with the leadership of its __transaction_state
 * partition. The coordinator shuts down cleanly (controlled shutdown hands the partition to the
 * other broker), the other broker loads the partition and answers for the id with the state it
 * read back: the same producer id, the epoch bumped past the one written before. The first broker,
 * back as a follower, answers NOT_COORDINATOR. Runs without the WriteTxnMarkers handler: no
 * transaction is open, so no marker is needed.
 */
jest.setTimeout(180_000);

const ID = 'moves-1';
let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: txnOverrides(2) });
  zk = await connectZk(cluster.zkConnect);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
});

test('theCoordinatorMovesWithItsPartitionAndTheIdKeepsItsProducerIdAndEpochs', async () => {
  const first = await findTxnCoordinator(cluster, ID);
  const second = cluster.brokers.find((b) => b !== first)!;
  const partition = txnPartitionOf(ID);
  await waitForPartitionState(zk, '__transaction_state', partition, (s) => s.isr.length === 2, 'both brokers in the ISR', 60_000);
  const a = await initProducerIdWhenReady(first, ID);
  expect(errorName(a.errorCode)).toBe('NONE');

  await first.stop();
  await waitForPartitionState(zk, '__transaction_state', partition, (s) => s.leader === second.brokerId, `broker ${second.brokerId} leading`, 60_000);
  expect(await findTxnCoordinator(cluster, ID)).toBe(second);
  const b = await initProducerIdWhenReady(second, ID);
  expect({ error: errorName(b.errorCode), producerId: b.producerId, epoch: b.producerEpoch }).toEqual({
    error: 'NONE',
    producerId: a.producerId,
    epoch: (a.producerEpoch as number) + 1,
  });

  await first.restart();
  await waitForPartitionState(zk, '__transaction_state', partition, (s) => s.isr.length === 2, 'broker back in the ISR', 60_000);
  // the second broker stays the coordinator until leadership moves back; the first answers NOT_COORDINATOR
  expect(errorName((await initProducerId(first, ID)).errorCode)).toBe('NOT_COORDINATOR');
  const records = (await transactionLogRecords(second, partition)).filter(([t]) => t === ID);
  expect(records).toEqual([
    [ID, 'Empty', a.producerEpoch],
    [ID, 'Empty', (a.producerEpoch as number) + 1],
  ]);
});
