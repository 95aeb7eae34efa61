import * as fs from 'fs';
import * as path from 'path';
import { ApiKey, type Struct } from '@samsa/protocol';
import {
  create,
  exists,
  waitFor,
  type ZkClient,
} from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { createTopic, errorName, metadata, rawRequest, waitForPartitionState } from '../../fault/support';
import {
  brokerPids,
  startSingleBroker,
  stillServes,
  stopSingleBroker,
  waitUntilServed,
} from './support';

/**
 * Issue 13, row 18 (the ZooKeeper half): a deletion marker written straight into ZooKeeper,
 * /admin/delete_topics/__consumer_offsets — what an old `kafka-topics --zookeeper --delete` without
 * its internal-topic check, a script or zkCli would leave — must not delete the offsets topic.
 *
 * Kafka 2.8 refuses internal topics only in its clients (TopicCommand); its controller would act on
 * the marker. Samsa's controller refuses it, and handles it as Kafka's controller handles the
 * markers it will not act on (a topic that does not exist, delete.topic.enable=false): a log line,
 * and the marker is removed. Checked here through the real controller: the marker goes, the topic's
 * znodes, partition state and log stay, Metadata still serves it, and a committed offset is still
 * fetched afterwards. The broker is the same process and kcat still produces and consumes.
 */
jest.setTimeout(90_000);

const TOPIC = 'marker-victim';
const GROUP = 'marker-group';
const OFFSETS = '__consumer_offsets';

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

/** OffsetCommit v2 outside any generation (a standalone consumer's commit), to the coordinator. */
async function commit(offset: number): Promise<string> {
  const r = await rawRequest(broker.port, ApiKey.OffsetCommit, 2, {
    groupId: GROUP,
    generationId: -1,
    memberId: '',
    retentionTimeMs: -1,
    topics: [
      { name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: offset, committedMetadata: 'm' }] },
    ],
  });
  return errorName(r.topics[0].partitions[0].errorCode);
}

async function fetchCommitted(): Promise<{ offset: number; error: string }> {
  const r = await rawRequest(broker.port, ApiKey.OffsetFetch, 2, {
    groupId: GROUP,
    topics: [{ name: TOPIC, partitionIndexes: [0] }],
  });
  const p: Struct = r.topics[0].partitions[0];
  return { offset: p.committedOffset, error: errorName(p.errorCode) };
}

test('row18AMarkerWrittenToZooKeeperForConsumerOffsetsIsRemovedAndTheTopicAndItsOffsetsSurvive', async () => {
  // FindCoordinator creates __consumer_offsets; a standalone commit lands in it
  await waitFor(
    async () => {
      const r = await rawRequest(broker.port, ApiKey.FindCoordinator, 0, { key: GROUP });
      return r.errorCode === 0 ? true : null;
    },
    { timeoutMs: 20_000, what: 'a group coordinator (and __consumer_offsets)' },
  );
  await waitForPartitionState(zk, OFFSETS, 0, (s) => s.leader === 0, 'leader 0');
  await waitFor(async () => ((await commit(4242)) === 'NONE' ? true : null), {
    timeoutMs: 20_000,
    what: 'the coordinator to take a commit',
  });
  expect(await fetchCommitted()).toEqual({ offset: 4242, error: 'NONE' });
  const offsetsLog = path.join(broker.logDir, `${OFFSETS}-0`);
  expect(fs.existsSync(offsetsLog)).toBe(true);

  // what an old `kafka-topics --zookeeper --delete --topic __consumer_offsets` writes
  if (!(await exists(zk, '/admin/delete_topics'))) await create(zk, '/admin/delete_topics');
  await create(zk, `/admin/delete_topics/${OFFSETS}`);

  await waitFor(async () => ((await exists(zk, `/admin/delete_topics/${OFFSETS}`)) === null ? true : null), {
    timeoutMs: 20_000,
    what: 'the controller to remove the marker',
  });
  expect(broker.output()).toContain(`Ignoring request to delete internal topics ${OFFSETS}`);
  expect(broker.output()).not.toMatch(new RegExp(`Starting topic deletion for topics .*${OFFSETS}`));

  // Nothing of the topic went: its znodes, its partition's leader, its log, its offsets
  expect(await exists(zk, `/brokers/topics/${OFFSETS}`)).not.toBeNull();
  expect(await exists(zk, `/config/topics/${OFFSETS}`)).not.toBeNull();
  await waitForPartitionState(zk, OFFSETS, 0, (s) => s.leader === 0, 'leader 0 still');
  const md = await metadata(broker, [OFFSETS]);
  expect(md.topics.map((t: Struct) => [t.name, errorName(t.errorCode), t.partitions[0]?.leaderId])).toEqual([
    [OFFSETS, 'NONE', 0],
  ]);
  expect(fs.existsSync(offsetsLog)).toBe(true);
  expect(await fetchCommitted()).toEqual({ offset: 4242, error: 'NONE' });
  // and the coordinator still takes commits
  expect(await commit(4343)).toBe('NONE');
  expect(await fetchCommitted()).toEqual({ offset: 4343, error: 'NONE' });

  // an ordinary topic's marker is still acted on: deletion itself is not switched off
  await create(zk, `/admin/delete_topics/${TOPIC}`);
  await waitFor(async () => ((await exists(zk, `/brokers/topics/${TOPIC}`)) === null ? true : null), {
    timeoutMs: 30_000,
    what: `the controller to delete ${TOPIC}`,
  });
  await createTopic(cluster.zkConnect, TOPIC, 1, 1);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0, 'leader 0 again');
  await waitUntilServed(broker, TOPIC);
  await stillServes(cluster, { pids, topic: TOPIC });
});

test('row18AMarkerFoundByANewControllerAtFailoverIsRemovedToo', async () => {
  // (runs after the test above: __consumer_offsets exists and the group has a coordinator)
  await waitFor(async () => ((await commit(5555)) === 'NONE' ? true : null), {
    timeoutMs: 20_000,
    what: 'the coordinator to take a commit',
  });
  // the marker is written while no controller runs: the next one finds it when it starts
  await broker.stop();
  await waitFor(async () => ((await exists(zk, '/controller')) === null ? true : null), {
    timeoutMs: 30_000,
    what: 'the controller znode to go with the stopped broker',
  });
  await create(zk, `/admin/delete_topics/${OFFSETS}`);
  const outputBefore = broker.output().length;
  await broker.restart();
  pids = brokerPids(cluster);

  await waitFor(async () => ((await exists(zk, `/admin/delete_topics/${OFFSETS}`)) === null ? true : null), {
    timeoutMs: 30_000,
    what: 'the new controller to remove the marker',
  });
  const output = broker.output().slice(outputBefore);
  expect(output).toContain(`Ignoring request to delete internal topics ${OFFSETS}`);
  expect(output).not.toMatch(new RegExp(`Starting topic deletion for topics .*${OFFSETS}`));
  expect(await exists(zk, `/brokers/topics/${OFFSETS}`)).not.toBeNull();
  await waitForPartitionState(zk, OFFSETS, 0, (s) => s.leader === 0, 'leader 0 after the restart');
  expect(fs.existsSync(path.join(broker.logDir, `${OFFSETS}-0`))).toBe(true);
  // the restarted coordinator loads the group from the log it kept
  await waitFor(
    async () => {
      const c = await fetchCommitted().catch(() => null);
      return c !== null && c.error === 'NONE' && c.offset === 5555 ? c : null;
    },
    { timeoutMs: 30_000, what: 'the committed offset 5555 back from the reloaded __consumer_offsets' },
  );
  await waitUntilServed(broker, TOPIC);
  await stillServes(cluster, { pids, topic: TOPIC });
});
