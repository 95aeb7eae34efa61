import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, type Struct } from '@samsa/protocol';
import { close, connectZk, getData, liveTrackedProcesses, waitFor, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { createTopic, errorName, rawRequest, runTool, waitForPartitionState } from '../../fault/support';
import { partitionFor } from '@samsa/coordinator';

/**
 * A group's coordinator follows the leadership of its __consumer_offsets partition: when the
 * leader moves (controlled shutdown), the new leader loads the partition and serves the group's
 * committed offsets; when it moves back (preferred leader election), the broker that lost it
 * unloads the group (NOT_COORDINATOR) and the preferred one loads everything committed meanwhile.
 */
jest.setTimeout(120_000);

const LEADER_ELECTION = path.resolve(__dirname, '..', '..', '..', 'bin', 'kafka-leader-election.sh');
const TOPIC = 'moves';
const GROUP = 'movers';
const OFFSETS_PARTITIONS = 4;
const OFFSETS_PARTITION = partitionFor(GROUP, OFFSETS_PARTITIONS);

let cluster: ClusterHandle;
let zk: ZkClient;
let kafka: Kafka;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    overrides: {
      'offsets.topic.replication.factor': 2,
      'offsets.topic.num.partitions': OFFSETS_PARTITIONS,
      'auto.leader.rebalance.enable': false,
    },
  });
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, 2, 2);
  kafka = new Kafka({
    clientId: 'groups-leadership-test',
    brokers: cluster.brokers.map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 15, initialRetryTime: 200 },
  });
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

async function produce(prefix: string, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}` })),
  });
  await producer.disconnect();
}

/** A consumer of the group reads `count` records, commits them, and leaves; returns what it read. */
async function consumeAndCommit(count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: GROUP, heartbeatInterval: 500 });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    autoCommitInterval: 100,
    eachMessage: async ({ message }) => void seen.push(message.value!.toString()),
  });
  await waitFor(() => seen.length >= count, { timeoutMs: 60_000, what: `${count} records` });
  await new Promise((r) => setTimeout(r, 1000)); // nothing beyond
  await consumer.disconnect(); // commits what it consumed
  return seen;
}

/** OffsetFetch v5 of the group at `broker`: its error, and the sum of its committed offsets. */
async function committedAt(broker: BrokerHandle): Promise<{ error: string; total: number }> {
  const body = await rawRequest(broker.port, ApiKey.OffsetFetch, 5, { groupId: GROUP, topics: null });
  const total = (body.topics as Struct[])
    .flatMap((t) => t.partitions as Struct[])
    .reduce((n, p) => n + Number(p.committedOffset), 0);
  return { error: errorName(body.errorCode), total };
}

async function preferredReplica(): Promise<number> {
  const assignment = JSON.parse((await getData(zk, '/brokers/topics/__consumer_offsets')).data!.toString());
  return assignment.partitions[String(OFFSETS_PARTITION)][0];
}

test('theCoordinatorMovesWithTheLeadershipOfTheGroupsOffsetsPartition', async () => {
  await produce('first', 10);
  expect((await consumeAndCommit(10)).sort()).toEqual(
    Array.from({ length: 10 }, (_, i) => `first-${i}`).sort(),
  );
  const preferredId = await preferredReplica();
  const preferred = cluster.broker(preferredId);
  const other = cluster.brokers.find((b) => b !== preferred)!;
  await waitForPartitionState(
    zk,
    '__consumer_offsets',
    OFFSETS_PARTITION,
    (s) => s.leader === preferredId && s.isr.length === 2,
    'both replicas in sync',
  );
  expect(await committedAt(preferred)).toEqual({ error: 'NONE', total: 10 });
  expect((await committedAt(other)).error).toBe('NOT_COORDINATOR');

  // 1. the coordinator stops: the other broker leads the partition and loads the group
  await preferred.stop();
  await waitForPartitionState(
    zk,
    '__consumer_offsets',
    OFFSETS_PARTITION,
    (s) => s.leader === other.brokerId,
    'leader moved',
  );
  await waitFor(async () => (await committedAt(other)).error === 'NONE', {
    timeoutMs: 30_000,
    what: 'the new coordinator to load',
  });
  expect((await committedAt(other)).total).toBe(10);
  await produce('second', 5);
  expect((await consumeAndCommit(5)).sort()).toEqual(
    Array.from({ length: 5 }, (_, i) => `second-${i}`).sort(),
  );
  expect((await committedAt(other)).total).toBe(15);

  // 2. it comes back and a preferred election hands it the partition: the other broker unloads
  await preferred.restart();
  await waitForPartitionState(
    zk,
    '__consumer_offsets',
    OFFSETS_PARTITION,
    (s) => s.isr.includes(preferredId),
    'back in the ISR',
  );
  expect((await committedAt(preferred)).error).toBe('NOT_COORDINATOR');
  const r = await runTool(LEADER_ELECTION, [
    '--bootstrap-server',
    cluster.bootstrap,
    '--election-type',
    'preferred',
    '--topic',
    '__consumer_offsets',
    '--partition',
    String(OFFSETS_PARTITION),
  ]);
  expect(r.code).toBe(0);
  await waitForPartitionState(
    zk,
    '__consumer_offsets',
    OFFSETS_PARTITION,
    (s) => s.leader === preferredId,
    'leader back on the preferred replica',
  );
  await waitFor(async () => (await committedAt(preferred)).error === 'NONE', {
    timeoutMs: 30_000,
    what: 'the preferred replica to load',
  });
  expect((await committedAt(preferred)).total).toBe(15);
  expect((await committedAt(other)).error).toBe('NOT_COORDINATOR');
  const found = await rawRequest(other.port, ApiKey.FindCoordinator, 2, { key: GROUP, keyType: 0 });
  expect(found.nodeId).toBe(preferredId);

  await produce('third', 3);
  expect((await consumeAndCommit(3)).sort()).toEqual(['third-0', 'third-1', 'third-2']);
});
