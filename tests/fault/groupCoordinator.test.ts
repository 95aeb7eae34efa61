import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { close, connectZk, waitFor, type ZkClient } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { offsetsPartitionOf, startGroupMember, waitForBalancedAssignment, type GroupMember } from '../interop/groupMembers';
import { createTopic, kcatProduce, partitionState, rawRequest } from './support';

/**
 * kill -9 of a group's coordinator (the consumer-group issue's acceptance): the group moves to the
 * new leader of its __consumer_offsets partition, which loads it from the replicated log, and no
 * committed offset is lost — a member started afterwards reads only what came after the commits.
 */
jest.setTimeout(180_000);

const OFFSETS_PARTITIONS = 6;
const GROUP = 'coordinator-failover-group';
const TOPIC = 'coordinated';

let cluster: ClusterHandle;
let zk: ZkClient;
let admin: Admin;
const members: GroupMember[] = [];


async function findCoordinator(port: number): Promise<{ errorCode: number; nodeId: number }> {
  const r = await rawRequest(port, ApiKey.FindCoordinator, 1, { key: GROUP, keyType: 0 });
  return { errorCode: r.errorCode as number, nodeId: r.nodeId as number };
}

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    overrides: {
      'offsets.topic.replication.factor': 3,
      'offsets.topic.num.partitions': OFFSETS_PARTITIONS,
      'group.initial.rebalance.delay.ms': 0,
    },
  });
  zk = await connectZk(cluster.zkConnect);
}, 90_000);

afterAll(async () => {
  await Promise.all(members.map((m) => m.kill()));
  await admin?.disconnect();
  if (zk) await close(zk);
  await cluster?.stop();
});

test('kill -9 of the coordinator: the group moves to the new leader of its offsets partition with no committed offset lost', async () => {
  await createTopic(cluster.zkConnect, TOPIC, 4, 3);
  const before = Array.from({ length: 200 }, (_, i) => `before-${i}`);
  await kcatProduce(cluster.bootstrap, TOPIC, before);

  const first = startGroupMember('kafkajs-eachMessage', 'first', cluster.bootstrap, GROUP, TOPIC);
  members.push(first);
  await waitForBalancedAssignment([first], 4, 90_000);
  await waitFor(() => (first.records().length >= before.length ? true : null), {
    timeoutMs: 60_000,
    what: () => `the first member to consume ${before.length} records (has ${first.records().length})\n${first.diagnostics()}`,
  });
  // kafkajs commits every 500 ms (autoCommitInterval): wait for the last records' commit, then stop.
  admin = new Kafka({ clientId: 'failover-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const committedBefore = await waitFor(
    async () => {
      const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      const offsets = new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
      // -1: nothing committed for that partition (keyless records may all land on one partition)
      return [...offsets.values()].reduce((a, b) => a + Math.max(b, 0), 0) === before.length ? offsets : null;
    },
    { timeoutMs: 30_000, what: `the group's commits to cover all ${before.length} records` },
  );
  await admin.disconnect();
  expect(await first.stop()).toBe(0);

  // Where the group lives: FindCoordinator agrees with Kafka's formula over the offsets topic.
  const coordinator = await waitFor(
    async () => {
      const c = await findCoordinator(cluster.brokers[0].port);
      return c.errorCode === ErrorCode.NONE ? c : null;
    },
    { timeoutMs: 30_000, what: 'FindCoordinator to name a coordinator' },
  );
  const offsetsPartition = offsetsPartitionOf(GROUP, OFFSETS_PARTITIONS);
  const state = await partitionState(zk, '__consumer_offsets', offsetsPartition);
  expect(coordinator.nodeId).toBe(state.leader);

  await cluster.broker(coordinator.nodeId).kill();
  const live = cluster.brokers.filter((b) => b.brokerId !== coordinator.nodeId);
  const moved = await waitFor(
    async () => {
      const c = await findCoordinator(live[0].port);
      return c.errorCode === ErrorCode.NONE && c.nodeId !== coordinator.nodeId ? c : null;
    },
    { timeoutMs: 60_000, what: 'FindCoordinator to name a live broker' },
  );
  const newState = await partitionState(zk, '__consumer_offsets', offsetsPartition);
  expect(moved.nodeId).toBe(newState.leader);

  const liveBootstrap = live.map((b) => b.bootstrap).join(',');
  admin = new Kafka({ clientId: 'failover-test-2', brokers: live.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const committedAfter = await waitFor(
    async () => {
      const [r] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      return new Map(r.partitions.map((p) => [p.partition, Number(p.offset)]));
    },
    { timeoutMs: 30_000, what: 'the new coordinator to answer OffsetFetch' },
  );
  expect(committedAfter).toEqual(committedBefore);

  // The group works on its new coordinator and resumes where it was.
  const after = Array.from({ length: 50 }, (_, i) => `after-${i}`);
  await kcatProduce(liveBootstrap, TOPIC, after);
  const second = startGroupMember('kafkajs-eachMessage', 'second', liveBootstrap, GROUP, TOPIC);
  members.push(second);
  await waitFor(() => (second.records().length >= after.length ? true : null), {
    timeoutMs: 90_000,
    what: () => `the second member to consume ${after.length} records (has ${second.records().length})\n${second.diagnostics()}`,
  });
  await new Promise((r) => setTimeout(r, 1000));
  expect(second.records().length).toBe(after.length);
  expect(await second.stop()).toBe(0);
});
