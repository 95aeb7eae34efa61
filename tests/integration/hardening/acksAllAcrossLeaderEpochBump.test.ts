import { ApiKey } from '@samsa/protocol';
import { close, connectZk, create, liveTrackedProcesses, waitFor, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import {
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
 * producer send the records again: duplicates). Broker 0 leads `bumped` (replicas 0,1, ISR 0,1);
 * broker 1 is SIGSTOPped, so the produce waits. A reassignment to [0,1,2] makes the controller bump
 * the leader epoch with broker 0 still leading (Kafka's updateLeaderEpochAndSendRequest). Broker 1
 * resumes: the produce answers NONE, and the record is in the log once, at the offset it was given.
 */
jest.setTimeout(120_000);

const TOPIC = 'bumped';

let cluster: ClusterHandle;
let leader: BrokerHandle;
let slow: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    // broker 1 stays in the ISR and keeps its session while stopped: only the epoch bump happens
    overrides: {
      'auto.create.topics.enable': false,
      'replica.lag.time.max.ms': 60_000,
      'zookeeper.session.timeout.ms': 30_000,
    },
  });
  [leader, slow] = [cluster.broker(0), cluster.broker(1)];
  pids = brokerPids(cluster);
  zk = await connectZk(cluster.zkConnect);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', '0:1']);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0 && s.isr.length === 2, 'leader 0, ISR 0,1');
});

afterAll(async () => {
  slow?.resume();
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/**
 * The leader's log end offset as a follower's ListOffsets v4 sees it, naming `currentLeaderEpoch`
 * (-1: none): UNKNOWN_LEADER_EPOCH until broker 0 has the controller's word on that epoch.
 */
async function leaderLogEnd(currentLeaderEpoch = -1): Promise<{ error: string; offset: number }> {
  const r = await rawRequest(leader.port, ApiKey.ListOffsets, 4, {
    replicaId: 2,
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
    await waitFor(async () => (await leaderLogEnd()).offset === end + 1, { what: 'the produce to be appended on broker 0' });

    await create(zk, '/admin/reassign_partitions', JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [0, 1, 2] }] }));
    const bumped = await waitForPartitionState(
      zk,
      TOPIC,
      0,
      (s) => s.leader_epoch > before.leader_epoch,
      `a leader epoch above ${before.leader_epoch}`,
    );
    expect(bumped.leader).toBe(0);
    // Broker 0 has the controller's LeaderAndIsr for the new epoch (before the fix, the produce was
    // answered NOT_LEADER_OR_FOLLOWER right there), while broker 1 is still stopped.
    await waitFor(async () => (await leaderLogEnd(bumped.leader_epoch)).error === 'NONE', {
      what: `broker 0 to lead ${TOPIC}-0 at epoch ${bumped.leader_epoch}`,
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
