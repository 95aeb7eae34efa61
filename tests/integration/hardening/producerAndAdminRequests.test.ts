import { ApiKey, type Struct } from '@samsa/protocol';
import { exists, waitFor, type ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import {
  createTopic,
  errorName,
  KAFKA_TOPICS,
  metadata,
  rawRequest,
  recordBatch,
  runTool,
  waitForPartitionState,
} from '../../fault/support';
import {
  array,
  int32,
  produceBody,
  sendHandBuilt,
  startSingleBroker,
  stillServes,
  stopSingleBroker,
  string,
} from './support';

/**
 * Issue 13, rows 10, 18 and 21, against one real broker (the controller): a Produce with an acks
 * value Kafka does not define, DeleteTopics naming a topic twice, and the deletion of
 * __consumer_offsets by a client and by kafka-topics. Each request is written byte by byte; after
 * each, the broker process is the same and kcat still produces and consumes.
 */
jest.setTimeout(90_000);

const TOPIC = 'hardening';

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC, {
    overrides: { 'offsets.topic.replication.factor': 1, 'offsets.topic.num.partitions': 1 },
  }));
});

afterAll(() => stopSingleBroker({ cluster, zk }));

/** One hand-built request to the broker; the decoded answer. */
function sendBytes(apiKey: number, apiVersion: number, body: readonly Buffer[]): Promise<Struct> {
  return sendHandBuilt(broker, apiKey, apiVersion, body);
}

/** DeleteTopics v1 (names, timeout), as bytes. */
function deleteTopicsV1(names: readonly string[], timeoutMs: number): Buffer[] {
  return [array(names.map((n) => string(n))), int32(timeoutMs)];
}

function partitionCodes(body: Struct): [string, number, string][] {
  return body.responses.flatMap((t: Struct) =>
    t.partitionResponses.map(
      (p: Struct) => [t.name, p.index, errorName(p.errorCode)] as [string, number, string],
    ),
  );
}

test('row10ProduceWithAcksOutsideMinusOneZeroOneAnswersInvalidRequiredAcksAndAppendsNothing', async () => {
  for (const acks of [2, -2, 32767]) {
    const body = await sendBytes(
      ApiKey.Produce,
      7,
      produceBody(acks, [
        { name: TOPIC, partitions: [[0, recordBatch([`acks-${acks}`])]] },
        { name: 'no-such-topic', partitions: [[0, recordBatch(['x'])]] },
      ]),
    );
    // Kafka's order: an unknown partition keeps UNKNOWN_TOPIC_OR_PARTITION, the rest is refused.
    expect(partitionCodes(body)).toEqual([
      [TOPIC, 0, 'INVALID_REQUIRED_ACKS'],
      ['no-such-topic', 0, 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
    expect(Number(body.responses[0].partitionResponses[0].baseOffset)).toBe(-1);
  }
  const stored = await stillServes(cluster, { pids, topic: TOPIC });
  expect(stored.filter((v) => v.startsWith('acks-'))).toEqual([]);
});

test('row21DeleteTopicsNamingATopicTwiceAnswersItOnceWithInvalidRequestAndKeepsIt', async () => {
  await createTopic(cluster.zkConnect, 'named-twice', 1, 1);
  await createTopic(cluster.zkConnect, 'named-once', 1, 1);
  await waitFor(
    async () => {
      const md = await metadata(broker, ['named-twice', 'named-once']);
      return md.topics.every((t: Struct) => t.errorCode === 0) ? true : null;
    },
    { timeoutMs: 10_000, what: 'both topics in the broker metadata' },
  );

  const body = await sendBytes(
    ApiKey.DeleteTopics,
    1,
    deleteTopicsV1(['named-twice', 'named-once', 'named-twice'], 15_000),
  );
  expect(body.responses.map((r: Struct) => [r.name, errorName(r.errorCode)])).toEqual([
    ['named-twice', 'INVALID_REQUEST'],
    ['named-once', 'NONE'],
  ]);
  // The answer comes once the metadata drops the topic; the controller removes its znodes after.
  await waitFor(async () => ((await exists(zk, '/brokers/topics/named-once')) === null ? true : null), {
    timeoutMs: 10_000,
    what: 'named-once deleted',
  });
  expect(await exists(zk, '/brokers/topics/named-twice')).not.toBeNull();
  expect(await exists(zk, '/admin/delete_topics/named-twice')).toBeNull();
  const md = await metadata(broker, ['named-twice']);
  expect(errorName(md.topics[0].errorCode)).toBe('NONE');
  await stillServes(cluster, { pids, topic: TOPIC });
});

test('row18InternalTopicsCannotBeDeletedByDeleteTopicsNorByKafkaTopics', async () => {
  // FindCoordinator creates __consumer_offsets (one partition, RF 1 here).
  await waitFor(
    async () => {
      const r = await rawRequest(broker.port, ApiKey.FindCoordinator, 0, { key: 'hardening-group' });
      return r.errorCode === 0 ? true : null;
    },
    { timeoutMs: 20_000, what: 'a group coordinator (and __consumer_offsets)' },
  );
  await waitForPartitionState(zk, '__consumer_offsets', 0, (s) => s.leader === 0, 'leader 0');

  const body = await sendBytes(ApiKey.DeleteTopics, 1, deleteTopicsV1(['__consumer_offsets'], 5_000));
  expect(body.responses.map((r: Struct) => [r.name, errorName(r.errorCode)])).toEqual([
    ['__consumer_offsets', 'INVALID_TOPIC_EXCEPTION'],
  ]);

  const message =
    'Topic __consumer_offsets is a kafka internal topic and is not allowed to be marked for deletion.';
  for (const connect of [
    ['--zookeeper', cluster.zkConnect],
    ['--bootstrap-server', cluster.bootstrap],
  ]) {
    const r = await runTool(KAFKA_TOPICS, [...connect, '--delete', '--topic', '__consumer_offsets']);
    expect({ connect: connect[0], code: r.code }).toEqual({ connect: connect[0], code: 1 });
    expect(r.stdout + r.stderr).toContain(message);
  }

  expect(await exists(zk, '/admin/delete_topics/__consumer_offsets')).toBeNull();
  expect(await exists(zk, '/brokers/topics/__consumer_offsets')).not.toBeNull();
  const md = await metadata(broker, ['__consumer_offsets']);
  expect(errorName(md.topics[0].errorCode)).toBe('NONE');
  await stillServes(cluster, { pids, topic: TOPIC });
});
