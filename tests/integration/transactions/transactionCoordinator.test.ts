import { ApiKey, type Struct } from '@samsa/protocol';
import { close, connectZk, getData, waitFor, type ZkClient } from '../../harness';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { createTopic, errorName, expectEventually, kafkaTopics, rawRequest } from '../../fault/support';
import {
  addOffsets,
  addPartitions,
  endTxn,
  findTxnCoordinator,
  initProducerId,
  initProducerIdWhenReady,
  transactionLogRecords,
  txnOverrides,
  txnPartitionOf,
} from './coordinatorSupport';

/**
 * The transaction coordinator on the wire (issue 15), two brokers, requests built by hand:
 * FindCoordinator key type 1 creates __transaction_state (Kafka's topic configs) and then names the
 * leader of the id's partition; InitProducerId hands a producer id and bumps the epoch; AddPartitionsToTxn,
 * AddOffsetsToTxn and EndTxn write Ongoing and PrepareCommit/PrepareAbort to __transaction_state in
 * Kafka's record format; a second producer with the same transactional id fences the first. Nothing
 * here needs the WriteTxnMarkers handler (engineer C's): what happens after the markers is in
 * transactionMarkers.test.ts.
 */
jest.setTimeout(120_000);

const TOPIC = 'txn-coord';
let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: txnOverrides(2) });
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, 2, 2);
  await expectEventually(async () => {
    const m = await rawRequest(cluster.brokers[0].port, ApiKey.Metadata, 1, { topics: [{ name: TOPIC }] });
    expect(errorName((m.topics as Struct[])[0].errorCode as number)).toBe('NONE');
  }, 30_000);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
});

test('findCoordinatorKeyType1CreatesTheTransactionStateTopicThenNamesTheLeaderOfTheIdsPartition', async () => {
  const first = await rawRequest(cluster.brokers[1].port, ApiKey.FindCoordinator, 2, { key: 'find-me', keyType: 1 });
  expect(errorName(first.errorCode)).toBe('COORDINATOR_NOT_AVAILABLE');
  const config = JSON.parse((await getData(zk, '/config/topics/__transaction_state')).data!.toString());
  expect(config.config).toEqual({
    'cleanup.policy': 'compact',
    'compression.type': 'uncompressed',
    'min.insync.replicas': '1',
    'segment.bytes': '104857600',
    'unclean.leader.election.enable': 'false',
  });
  const assignment = JSON.parse((await getData(zk, '/brokers/topics/__transaction_state')).data!.toString());
  expect(Object.keys(assignment.partitions)).toHaveLength(3);
  const coordinator = await findTxnCoordinator(cluster, 'find-me');
  const m = await rawRequest(coordinator.port, ApiKey.Metadata, 1, { topics: [{ name: '__transaction_state' }] });
  const p = ((m.topics as Struct[])[0].partitions as Struct[]).find((x) => x.partitionIndex === txnPartitionOf('find-me'))!;
  expect(p.leaderId).toBe(coordinator.brokerId);
});

test('initProducerIdHandsAProducerIdThenBumpsItsEpochAndOnlyTheCoordinatorAnswers', async () => {
  const id = 'init-1';
  const coordinator = await findTxnCoordinator(cluster, id);
  const other = cluster.brokers.find((b) => b !== coordinator)!;
  const a = await initProducerIdWhenReady(coordinator, id);
  expect(errorName(a.errorCode)).toBe('NONE');
  expect(a.producerEpoch).toBe(0);
  const b = await initProducerId(coordinator, id);
  expect({ error: errorName(b.errorCode), producerId: b.producerId, epoch: b.producerEpoch }).toEqual({
    error: 'NONE',
    producerId: a.producerId,
    epoch: 1,
  });
  expect(errorName((await initProducerId(other, id)).errorCode)).toBe('NOT_COORDINATOR');
  expect(errorName((await initProducerId(coordinator, id, 900_001)).errorCode)).toBe('INVALID_TRANSACTION_TIMEOUT');
  expect(await transactionLogRecords(coordinator, txnPartitionOf(id))).toEqual(
    expect.arrayContaining([
      [id, 'Empty', 0],
      [id, 'Empty', 1],
    ]),
  );
});

test('addPartitionsAddOffsetsAndEndTxnWriteOngoingThenPrepareCommitAndUnknownPartitionsAreRefused', async () => {
  const id = 'commit-1';
  const coordinator = await findTxnCoordinator(cluster, id);
  const p = await initProducerIdWhenReady(coordinator, id);
  const producer = { producerId: p.producerId as number, producerEpoch: p.producerEpoch as number };
  expect(await addPartitions(coordinator, id, producer, { [TOPIC]: [0], nope: [0] })).toEqual({
    [`${TOPIC}-0`]: 'OPERATION_NOT_ATTEMPTED',
    'nope-0': 'UNKNOWN_TOPIC_OR_PARTITION',
  });
  // v3 is the flexible encoding (Kafka 2.8 serves it)
  expect(await addPartitions(coordinator, id, producer, { [TOPIC]: [0, 1] }, 3)).toEqual({
    [`${TOPIC}-0`]: 'NONE',
    [`${TOPIC}-1`]: 'NONE',
  });
  expect(await addOffsets(coordinator, id, producer, 'a-group', 3)).toBe('NONE');
  // a wrong epoch is fenced; v1 says so with INVALID_PRODUCER_EPOCH (KIP-588)
  expect(await addPartitions(coordinator, id, { ...producer, producerEpoch: 9 }, { [TOPIC]: [0] })).toEqual({ [`${TOPIC}-0`]: 'PRODUCER_FENCED' });
  expect(await addPartitions(coordinator, id, { ...producer, producerEpoch: 9 }, { [TOPIC]: [0] }, 1)).toEqual({ [`${TOPIC}-0`]: 'INVALID_PRODUCER_EPOCH' });
  expect(await endTxn(coordinator, id, producer, true, 3)).toBe('NONE');
  // while the markers are written the transaction is busy (CONCURRENT_TRANSACTIONS); once
  // complete, an abort is INVALID_TXN_STATE and a retried commit NONE
  expect(['CONCURRENT_TRANSACTIONS', 'INVALID_TXN_STATE']).toContain(await endTxn(coordinator, id, producer, false));
  expect(['NONE', 'CONCURRENT_TRANSACTIONS']).toContain(await endTxn(coordinator, id, producer, true));
  const states = (await transactionLogRecords(coordinator, txnPartitionOf(id))).filter(([t]) => t === id).map(([, s]) => s);
  expect(states.slice(0, 4)).toEqual(['Empty', 'Ongoing', 'Ongoing', 'PrepareCommit']);
});

test('aSecondProducerWithTheSameTransactionalIdFencesTheFirst', async () => {
  const id = 'fence-1';
  const coordinator = await findTxnCoordinator(cluster, id);
  const a = await initProducerIdWhenReady(coordinator, id);
  const first = { producerId: a.producerId as number, producerEpoch: a.producerEpoch as number };
  expect(Object.values(await addPartitions(coordinator, id, first, { [TOPIC]: [1] }))).toEqual(['NONE']);
  // the new producer's InitProducerId aborts the open transaction with the epoch bumped
  expect(errorName((await initProducerId(coordinator, id)).errorCode)).toBe('CONCURRENT_TRANSACTIONS');
  expect(await addPartitions(coordinator, id, first, { [TOPIC]: [0] })).toEqual({ [`${TOPIC}-0`]: 'PRODUCER_FENCED' });
  expect(await endTxn(coordinator, id, first, true)).toBe('PRODUCER_FENCED');
  expect(await endTxn(coordinator, id, first, true, 1)).toBe('INVALID_PRODUCER_EPOCH');
  const records = (await transactionLogRecords(coordinator, txnPartitionOf(id))).filter(([t]) => t === id);
  expect(records.slice(0, 3)).toEqual([
    [id, 'Empty', 0],
    [id, 'Ongoing', 0],
    [id, 'PrepareAbort', 1],
  ]);
});

test('aTransactionWhosePartitionsWereDeletedCompletesWithoutMarkers', async () => {
  const id = 'deleted-1';
  const doomed = 'txn-doomed';
  await createTopic(cluster.zkConnect, doomed, 1, 2);
  const coordinator = await findTxnCoordinator(cluster, id);
  const p = await initProducerIdWhenReady(coordinator, id);
  const producer = { producerId: p.producerId as number, producerEpoch: p.producerEpoch as number };
  await waitFor(async () => (await addPartitions(coordinator, id, producer, { [doomed]: [0] }))[`${doomed}-0`] === 'NONE', {
    timeoutMs: 30_000,
    what: `${doomed}-0 added to the transaction`,
  });
  await kafkaTopics(cluster.zkConnect, ['--delete', '--topic', doomed]);
  await expectEventually(async () => {
    const m = await rawRequest(coordinator.port, ApiKey.Metadata, 1, { topics: [{ name: doomed }] });
    expect(errorName((m.topics as Struct[])[0].errorCode as number)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  }, 30_000);
  expect(await endTxn(coordinator, id, producer, true)).toBe('NONE');
  // no leader to write a marker to: the partition is skipped and the commit completes
  const states = await waitFor(
    async () => {
      const s = (await transactionLogRecords(coordinator, txnPartitionOf(id))).filter(([t]) => t === id).map(([, x]) => x);
      return s[s.length - 1] === 'CompleteCommit' ? s : null;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'CompleteCommit' },
  );
  expect(states).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
});
