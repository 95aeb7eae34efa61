import * as path from 'path';
import { close, connectZk, exists, getData, liveTrackedProcesses, waitFor, type ZkClient } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { createTopic, partitionState, runTool, waitForPartitionState } from './support';

/**
 * Preferred leader election on a three-broker cluster with an RF3 topic of three partitions. Each
 * scenario first moves one partition's leadership away from its preferred (first assigned)
 * replica: SIGTERM that broker (controlled shutdown moves the leadership), restart it, wait until
 * it is back in the ISR. Then:
 *   (a) bin/kafka-preferred-replica-election.sh --zookeeper moves it back through
 *       /admin/preferred_replica_election, which the controller removes;
 *   (b) bin/kafka-leader-election.sh --bootstrap-server --election-type preferred
 *       --all-topic-partitions elects it and answers per partition;
 *   (c) with auto.leader.rebalance.enable and a 2 s imbalance check, it moves back by itself.
 * (a) and (b) run with auto rebalance off, so only the tool can move the leader.
 */
jest.setTimeout(90_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PREFERRED_ELECTION = path.join(REPO_ROOT, 'bin', 'kafka-preferred-replica-election.sh');
const LEADER_ELECTION = path.join(REPO_ROOT, 'bin', 'kafka-leader-election.sh');
const TOPIC = 'preferred';
const PARTITIONS = 3;

async function createElectionTopic(cluster: ClusterHandle, zk: ZkClient): Promise<void> {
  await createTopic(cluster.zkConnect, TOPIC, PARTITIONS, 3);
  for (let p = 0; p < PARTITIONS; p++)
    await waitForPartitionState(zk, TOPIC, p, (s) => s.leader >= 0 && s.isr.length === 3, 'full ISR');
}

async function preferredReplica(zk: ZkClient, partition: number): Promise<number> {
  const { data } = await getData(zk, `/brokers/topics/${TOPIC}`);
  const assignment = JSON.parse(data!.toString('utf8')) as { partitions: Record<string, number[]> };
  return assignment.partitions[String(partition)][0];
}

/** SIGTERMs the preferred replica of `partition`, restarts it and waits for it to rejoin the ISR. */
async function moveLeadershipAway(cluster: ClusterHandle, zk: ZkClient, partition: number): Promise<number> {
  const preferred = await preferredReplica(zk, partition);
  await waitForPartitionState(zk, TOPIC, partition, (s) => s.leader === preferred, 'preferred leader');
  await cluster.broker(preferred).stop();
  await waitForPartitionState(zk, TOPIC, partition, (s) => s.leader >= 0 && s.leader !== preferred, 'leader moved');
  await cluster.broker(preferred).restart();
  await waitForPartitionState(zk, TOPIC, partition, (s) => s.isr.includes(preferred), 'preferred back in ISR');
  return preferred;
}

describe('manual preferred election (auto rebalance off)', () => {
  let cluster: ClusterHandle;
  let zk: ZkClient;

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      overrides: {
        'auto.create.topics.enable': false,
        'auto.leader.rebalance.enable': false,
        'controlled.shutdown.retry.backoff.ms': 500,
      },
    });
    zk = await connectZk(cluster.zkConnect);
    await createElectionTopic(cluster, zk);
  });

  afterAll(async () => {
    if (zk) await close(zk);
    await cluster?.stop();
  });

  test('kafkaPreferredReplicaElectionMovesLeadershipBackAndTheZnodeIsRemoved', async () => {
    const preferred = await moveLeadershipAway(cluster, zk, 0);
    expect((await partitionState(zk, TOPIC, 0)).leader).not.toBe(preferred);

    const r = await runTool(PREFERRED_ELECTION, ['--zookeeper', cluster.zkConnect]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Created preferred replica election path with /);
    expect(lines[0].split(' with ')[1].split(',').sort()).toEqual(['preferred-0', 'preferred-1', 'preferred-2']);
    expect(lines[1]).toMatch(/^Successfully started preferred replica election for partitions Set\(.*preferred-0.*\)$/);

    await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === preferred, 'leader back on the preferred replica');
    await waitFor(async () => ((await exists(zk, '/admin/preferred_replica_election')) === null ? true : null), {
      timeoutMs: 10_000,
      what: '/admin/preferred_replica_election to be removed',
    });
  });

  test('kafkaLeaderElectionPreferredAllTopicPartitionsAnswersPerPartition', async () => {
    const preferred = await moveLeadershipAway(cluster, zk, 1);
    expect((await partitionState(zk, TOPIC, 1)).leader).not.toBe(preferred);

    const r = await runTool(LEADER_ELECTION, [
      '--bootstrap-server',
      cluster.bootstrap,
      '--election-type',
      'preferred',
      '--all-topic-partitions',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain('Successfully completed leader election (PREFERRED) for partitions preferred-1');
    const noop = lines.find((l) => l.startsWith('Valid replica already elected for partitions '));
    expect(noop?.replace('Valid replica already elected for partitions ', '').split(', ').sort()).toEqual([
      'preferred-0',
      'preferred-2',
    ]);
    expect((await partitionState(zk, TOPIC, 1)).leader).toBe(preferred);

    // A second run has nothing to do; a bad election type is one stderr line and exit 1.
    const again = await runTool(LEADER_ELECTION, [
      '--bootstrap-server',
      cluster.bootstrap,
      '--election-type',
      'preferred',
      '--topic',
      TOPIC,
      '--partition',
      '1',
    ]);
    expect(again.stdout.trimEnd()).toBe('Valid replica already elected for partitions preferred-1');
    const bad = await runTool(LEADER_ELECTION, ['--bootstrap-server', cluster.bootstrap, '--election-type', 'nope', '--all-topic-partitions']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('automatic leader rebalance', () => {
  let cluster: ClusterHandle;
  let zk: ZkClient;

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      overrides: {
        'auto.create.topics.enable': false,
        'auto.leader.rebalance.enable': true,
        'leader.imbalance.check.interval.seconds': 2,
        'controlled.shutdown.retry.backoff.ms': 500,
      },
    });
    zk = await connectZk(cluster.zkConnect);
    await createElectionTopic(cluster, zk);
  });

  afterAll(async () => {
    if (zk) await close(zk);
    await cluster?.stop();
    expect(liveTrackedProcesses()).toEqual([]);
  });

  test('leadershipReturnsToThePreferredReplicaByItself', async () => {
    const preferred = await moveLeadershipAway(cluster, zk, 2);
    await waitForPartitionState(zk, TOPIC, 2, (s) => s.leader === preferred, 'automatic rebalance', 20_000);
  });
});
