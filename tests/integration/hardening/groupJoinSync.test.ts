import { encodeVersioned, internalMessages } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { createTopic, waitForPartitionState } from '../../fault/support';
import {
  createKafkaJsCluster,
  type KafkaJsBroker,
  type KafkaJsCluster,
} from '../../harness/kafkajsCluster';
import { brokerPids, stillServes, waitUntilServed } from './support';

/**
 * Issue 13, row 14: kafkajs's Broker-level joinGroup (what tools built on kafkajs's internals use)
 * sends a rebalance timeout of 0. Kafka 2.x keeps a joined member until its session timeout, so
 * its SyncGroup a second later, and then its OffsetCommit, succeed; the pending-sync timer must
 * not remove the member before its session ends. Afterwards the broker still serves kcat.
 */
jest.setTimeout(90_000);

const TOPIC = 'join-sync';
const GROUP = 'join-sync-group';

/** kafkajs 2.2.4's Broker group calls (internals without typings: the shapes used here). */
interface GroupBroker extends KafkaJsBroker {
  joinGroup(request: {
    groupId: string;
    sessionTimeout: number;
    rebalanceTimeout: number;
    groupProtocols: { name: string; metadata: Buffer }[];
  }): Promise<{ generationId: number; leaderId: string; memberId: string; groupProtocol: string }>;
  syncGroup(request: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupAssignment: { memberId: string; memberAssignment: Buffer }[];
  }): Promise<{ memberAssignment: Buffer }>;
  offsetCommit(
    request: Parameters<KafkaJsBroker['offsetCommit']>[0],
  ): Promise<{ responses: { topic: string; partitions: { partition: number; errorCode: number }[] }[] }>;
}

let cluster: ClusterHandle;
let zk: ZkClient;
let kafkajs: KafkaJsCluster | undefined;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 1,
    overrides: {
      'auto.create.topics.enable': false,
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 1,
    },
  });
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, 1, 1);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0, 'leader 0');
  await waitUntilServed(cluster.broker(0), TOPIC);
});

afterAll(async () => {
  await kafkajs?.disconnect().catch(() => undefined);
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

test('aMemberJoinedWithoutRebalanceTimeoutSyncsAndCommitsASecondLater', async () => {
  const pids = brokerPids(cluster);
  kafkajs = createKafkaJsCluster({
    brokers: [cluster.bootstrap],
    clientId: 'samsa-hardening',
    connectionTimeoutMs: 5000,
    requestTimeoutMs: 30_000,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 3000 },
  });
  await kafkajs.connect();
  await kafkajs.refreshMetadata();
  const broker = (await kafkajs.findGroupCoordinator({ groupId: GROUP })) as GroupBroker;

  const subscription = encodeVersioned(internalMessages.ConsumerProtocolSubscription, 0, {
    topics: [TOPIC],
    userData: null,
  });
  const joined = await broker.joinGroup({
    groupId: GROUP,
    sessionTimeout: 10_000,
    rebalanceTimeout: 0,
    groupProtocols: [{ name: 'range', metadata: subscription }],
  });
  expect(joined.leaderId).toBe(joined.memberId);
  expect(joined.groupProtocol).toBe('range');

  await new Promise((r) => setTimeout(r, 1000)); // past the rebalance timeout, within the session

  const synced = await broker.syncGroup({
    groupId: GROUP,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupAssignment: [{ memberId: joined.memberId, memberAssignment: Buffer.from('assigned') }],
  });
  expect(synced.memberAssignment.toString()).toBe('assigned');

  const committed = await broker.offsetCommit({
    groupId: GROUP,
    groupGenerationId: joined.generationId,
    memberId: joined.memberId,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '0', metadata: '' }] }],
  });
  expect(committed.responses).toEqual([{ topic: TOPIC, partitions: [{ partition: 0, errorCode: 0 }] }]);

  await stillServes(cluster, { pids, topic: TOPIC });
});
