import { ApiKey } from '@samsa/protocol';
import { close, connectZk, create, liveTrackedProcesses, waitFor, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import {
  controllerInfo,
  errorName,
  kafkaTopics,
  partitionState,
  rawRequest,
  recordBatch,
  waitForPartitionState,
} from '../../fault/support';
import { brokerPids, stillServes, waitUntilServed } from './support';

/**
 * Issue 13, row 11, on three real brokers: an acks=all produce waiting for a slow follower must not
 * fail because the controller bumped the leader epoch while keeping this broker as leader (Kafka
 * 2.8's DelayedProduce fails a partition only when it is no longer led here; failing it made the
 * producer send the records again: duplicates). A broker leads `bumped` (ISR: it and a follower
 * that is not the controller); the follower is SIGSTOPped, so the produce waits. A reassignment
 * adding the third broker makes the controller bump the leader epoch with the same leader (Kafka's
 * updateLeaderEpochAndSendRequest). The follower resumes: the produce answers NONE, and the record
 * is in the log once, at the offset it was given.
 */
jest.setTimeout(120_000);

const TOPIC = 'bumped';

let cluster: ClusterHandle;
let leader: BrokerHandle;
let slow: BrokerHandle;
let added: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    // the stopped follower stays in the ISR and keeps its session: only the epoch bump happens
    overrides: {
      'auto.create.topics.enable': false,
      'replica.lag.time.max.ms': 60_000,
      'zookeeper.session.timeout.ms': 30_000,
    },
  });
  pids = brokerPids(cluster);
  zk = await connectZk(cluster.zkConnect);
  // The stopped follower must not be the controller: the controller has to bump the epoch meanwhile.
  const controller = (await waitFor(() => controllerInfo(zk), { what: 'a controller' })).brokerId;
  slow = cluster.brokers.find((b) => b.brokerId !== controller)!;
  leader = cluster.brokers.find((b) => b !== slow)!;
  added = cluster.brokers.find((b) => b !== slow && b !== leader)!;
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', `${leader.brokerId}:${slow.brokerId}`]);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === leader.brokerId && s.isr.length === 2, 'the leader, ISR of 2');
});

afterAll(async () => {
  slow?.resume();
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/**
 * The leader's log end offset as a follower's ListOffsets v4 sees it, naming `currentLeaderEpoch`
 * (-1: none): UNKNOWN_LEADER_EPOCH until the leader has the controller's word on that epoch.
 */
async function leaderLogEnd(currentLeaderEpoch = -1): Promise<{ error: string; offset: number }> {
  const r = await rawRequest(leader.port, ApiKey.ListOffsets, 4, {
    replicaId: added.brokerId,
    isolationLevel: 0,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch, timestamp: -1 }] }],
  });
  const p = r.topics[0].partitions[0];
  return { error: errorName(p.errorCode), offset: Number(p.offset) };
}

test('anAcksAllProduceWaitingAcrossALeaderEpochBumpWithTheSameLeaderCompletesWithNone', async () => {
  await waitUntilServed(leader, TOPIC);
  const { offset: end } = await leaderLogEnd();
  const before = await partitionState(zk, TOPIC, 0);
  const value = `across-the-bump-${process.pid}`;

  slow.pause();
  let produced;
  try {
    const waiting = rawRequest(
      leader.port,
      ApiKey.Produce,
      7,
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 60_000,
        topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: recordBatch([value]) }] }],
      },
      90_000,
    );
    await waitFor(async () => (await leaderLogEnd()).offset === end + 1, { what: 'the produce to be appended on the leader' });

    await create(zk, '/admin/reassign_partitions', JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [leader.brokerId, slow.brokerId, added.brokerId] }] }));
    const bumped = await waitForPartitionState(
      zk,
      TOPIC,
      0,
      (s) => s.leader_epoch > before.leader_epoch,
      `a leader epoch above ${before.leader_epoch}`,
    );
    expect(bumped.leader).toBe(leader.brokerId);
    // The leader has the controller's LeaderAndIsr for the new epoch (before the fix, the produce
    // was answered NOT_LEADER_OR_FOLLOWER right there), while the follower is still stopped.
    await waitFor(async () => (await leaderLogEnd(bumped.leader_epoch)).error === 'NONE', {
      what: `broker ${leader.brokerId} to lead ${TOPIC}-0 at epoch ${bumped.leader_epoch}`,
      timeoutMs: 20_000,
    });
    slow.resume();
    produced = (await waiting).responses[0].partitionResponses[0];
  } finally {
    slow.resume();
  }
  expect({ error: errorName(produced.errorCode), baseOffset: Number(produced.baseOffset) }).toEqual({ error: 'NONE', baseOffset: end });

  const values = await stillServes(cluster, { pids, topic: TOPIC });
  expect(values.filter((v) => v === value)).toHaveLength(1);
  expect(values.indexOf(value)).toBe(end);
});
