import { ApiKey, decodeResponse } from '@samsa/protocol';
import { TestClient } from '../../../packages/broker/src/network/testing/TestClient';
import { close, connectZk, liveTrackedProcesses, waitFor, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { createTopic, recordBatch, waitForPartitionState } from '../../fault/support';
import {
  brokerPids,
  handBuiltBatch,
  handBuiltRecord,
  produceBody,
  requestFrame,
  stillServes,
  waitUntilServed,
} from './support';

/**
 * Issue 13, row 10 (the rest): a Produce with acks=0 gets no response, so when a partition fails
 * the broker cannot answer; Kafka 2.8's handleProduceRequest closes the connection instead, and
 * the producer learns of the error by the close (and refreshes its metadata). Checked on one real
 * broker with requests written byte by byte: an unknown topic and a batch whose records do not frame
 * each close the connection without a response; a good acks=0 produce leaves it open (the next
 * request on it, ApiVersions, is the first thing answered). Afterwards kcat still works against the
 * same process.
 */
jest.setTimeout(90_000);

const TOPIC = 'acks-zero';

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': false } });
  broker = cluster.broker(0);
  pids = brokerPids(cluster);
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, 1, 1);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0, 'leader 0');
  await waitUntilServed(broker, TOPIC);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** Sends one acks=0 Produce v7 on a fresh connection, then an ApiVersions v0 on the same one. */
async function acksZeroThenApiVersions(topic: string, batch: Buffer): Promise<TestClient> {
  const client = await TestClient.connect(broker.port);
  client.sendFrame(requestFrame(ApiKey.Produce, 7, 1, produceBody(0, [{ name: topic, partitions: [[0, batch]] }])));
  client.sendFrame(requestFrame(ApiKey.ApiVersions, 0, 2, []));
  return client;
}

test('row10AcksZeroProduceToAnUnknownTopicClosesTheConnectionUnanswered', async () => {
  const client = await acksZeroThenApiVersions('no-such-topic', recordBatch(['x']));
  await waitFor(() => client.isClosed || null, { timeoutMs: 15_000, what: 'the broker closes the connection' });
  expect(client.frames).toEqual([]);
});

test('row10AcksZeroProduceOfABatchThatDoesNotFrameClosesTheConnectionUnanswered', async () => {
  const oneRecord = handBuiltRecord({ offsetDelta: 0, value: Buffer.from('v') });
  const client = await acksZeroThenApiVersions(TOPIC, handBuiltBatch({ records: oneRecord, count: 1000 }));
  await waitFor(() => client.isClosed || null, { timeoutMs: 15_000, what: 'the broker closes the connection' });
  expect(client.frames).toEqual([]);
});

test('row10AGoodAcksZeroProduceKeepsTheConnectionAndIsNotAnswered', async () => {
  const client = await acksZeroThenApiVersions(TOPIC, recordBatch(['acks-zero-ok']));
  try {
    await client.waitFrames(1, 15_000);
    expect(client.isClosed).toBe(false);
    expect(client.frames).toHaveLength(1);
    expect(decodeResponse(ApiKey.ApiVersions, 0, client.frames[0]!).correlationId).toBe(2);
  } finally {
    client.close();
  }
  const stored = await stillServes(cluster, { pids, topic: TOPIC });
  expect(stored[0]).toBe('acks-zero-ok');
  expect(stored).toHaveLength(2);
});
