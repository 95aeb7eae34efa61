import { ApiKey, decodeResponse } from '@samsa/protocol';
import { TestClient } from '../../../packages/broker/src/network/testing/TestClient';
import { waitFor, type ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { recordBatch } from '../../fault/support';
import {
  handBuiltBatch,
  handBuiltRecord,
  produceBody,
  requestFrame,
  startSingleBroker,
  stillServes,
  stopSingleBroker,
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
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC));
});

afterAll(() => stopSingleBroker({ cluster, zk }));

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
