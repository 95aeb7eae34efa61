import { ApiKey, type Struct } from '@samsa/protocol';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { waitFor } from '../../harness';
import { createTopic, errorName, expectEventually, rawRequest } from '../../fault/support';
import {
  addPartitions,
  endTxn,
  findTxnCoordinator,
  initProducerId,
  initProducerIdWhenReady,
  leaderOf,
  storedMarkers,
  transactionLogRecords,
  txnOverrides,
  txnPartitionOf,
  type TxnProducer,
} from './coordinatorSupport';

/**
 * The transaction coordinator's markers, end to end on two brokers: EndTxn, a fence or a timeout
 * makes the coordinator send WriteTxnMarkers v0 to each partition's leader, and once every marker
 * is written it writes CompleteCommit/CompleteAbort. NEEDS the WriteTxnMarkers handler (engineer C's
 * broker/src/api/writeTxnMarkers.ts): before that merge no marker is ever written and these tests
 * time out waiting for Complete*.
 */
jest.setTimeout(120_000);

const TOPIC = 'txn-markers';
let cluster: ClusterHandle;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    overrides: { ...txnOverrides(2), 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500 },
  });
  await createTopic(cluster.zkConnect, TOPIC, 2, 2);
  await expectEventually(async () => {
    const m = await rawRequest(cluster.brokers[0].port, ApiKey.Metadata, 1, { topics: [{ name: TOPIC }] });
    expect(errorName((m.topics as Struct[])[0].errorCode as number)).toBe('NONE');
  }, 30_000);
});

afterAll(async () => {
  await cluster?.stop();
});

async function producerOf(id: string) {
  const coordinator = await findTxnCoordinator(cluster, id);
  const r = await initProducerIdWhenReady(coordinator, id);
  expect(errorName(r.errorCode)).toBe('NONE');
  return { coordinator, producer: { producerId: r.producerId as number, producerEpoch: r.producerEpoch as number } as TxnProducer };
}

/** Waits until the id's last record in __transaction_state is `state`; its records. */
async function waitForState(id: string, state: string): Promise<[string, string | null, number][]> {
  const coordinator = await findTxnCoordinator(cluster, id);
  return waitFor(
    async () => {
      const records = (await transactionLogRecords(coordinator, txnPartitionOf(id))).filter(([t]) => t === id);
      return records.length > 0 && records[records.length - 1][1] === state ? records : null;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${id} to reach ${state}` },
  );
}

async function markersOn(partition: number) {
  const leader = cluster.broker(await leaderOf(cluster, TOPIC, partition));
  return storedMarkers(leader, TOPIC, partition);
}

test('commitWritesACommitMarkerOnEveryPartitionThenCompleteCommit', async () => {
  const id = 'markers-commit';
  const { coordinator, producer } = await producerOf(id);
  expect(Object.values(await addPartitions(coordinator, id, producer, { [TOPIC]: [0, 1] }))).toEqual(['NONE', 'NONE']);
  expect(await endTxn(coordinator, id, producer, true)).toBe('NONE');
  const records = await waitForState(id, 'CompleteCommit');
  expect(records.map(([, s]) => s)).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
  for (const partition of [0, 1]) {
    const ours = (await markersOn(partition)).filter((m) => m.producerId === producer.producerId);
    expect(ours).toEqual([expect.objectContaining({ type: 'COMMIT', producerEpoch: 0 })]);
  }
  // a retried EndTxn(commit) is answered NONE; the next InitProducerId bumps the epoch
  expect(await endTxn(coordinator, id, producer, true)).toBe('NONE');
  expect((await initProducerId(coordinator, id)).producerEpoch).toBe(1);
});

test('aFencedTransactionIsAbortedWithTheBumpedEpochAndTheNewProducerGetsTheNextOne', async () => {
  const id = 'markers-fence';
  const { coordinator, producer } = await producerOf(id);
  await addPartitions(coordinator, id, producer, { [TOPIC]: [1] });
  expect(errorName((await initProducerId(coordinator, id)).errorCode)).toBe('CONCURRENT_TRANSACTIONS');
  await waitForState(id, 'CompleteAbort');
  const retried = await initProducerIdWhenReady(coordinator, id);
  expect({ error: errorName(retried.errorCode), producerId: retried.producerId, epoch: retried.producerEpoch }).toEqual({
    error: 'NONE',
    producerId: producer.producerId,
    epoch: 2,
  });
  const ours = (await markersOn(1)).filter((m) => m.producerId === producer.producerId);
  expect(ours).toEqual([expect.objectContaining({ type: 'ABORT', producerEpoch: 1 })]);
  expect(await endTxn(coordinator, id, producer, true)).toBe('PRODUCER_FENCED');
});

test('aTransactionPastItsTimeoutIsAbortedAndItsProducerFenced', async () => {
  const id = 'markers-timeout';
  const coordinator = await findTxnCoordinator(cluster, id);
  const r = await initProducerIdWhenReady(coordinator, id);
  const producer = { producerId: r.producerId as number, producerEpoch: r.producerEpoch as number };
  // InitProducerId's timeout is the transaction's: 1 s, checked every 500 ms
  const short = await initProducerId(coordinator, id, 1000);
  const p = { producerId: short.producerId as number, producerEpoch: short.producerEpoch as number };
  expect(p.producerId).toBe(producer.producerId);
  await addPartitions(coordinator, id, p, { [TOPIC]: [0] });
  const records = await waitForState(id, 'CompleteAbort');
  expect(records.slice(-2)).toEqual([
    [id, 'PrepareAbort', p.producerEpoch + 1],
    [id, 'CompleteAbort', p.producerEpoch + 1],
  ]);
  expect(await endTxn(coordinator, id, p, true)).toBe('PRODUCER_FENCED');
  const ours = (await markersOn(0)).filter((m) => m.producerId === p.producerId);
  expect(ours).toEqual([expect.objectContaining({ type: 'ABORT', producerEpoch: p.producerEpoch + 1 })]);
});
