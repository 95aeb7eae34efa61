import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { replicaAssignment, ZkError, type Broker, type ReplicaAssignment } from '@samsa/zk';
import { runReassignPartitionsCommand, type ReassignZk } from './ReassignPartitionsCommand';

const broker = (id: number): Broker => ({ id, endPoints: [], rack: null, features: {} });

class FakeZk implements ReassignZk {
  pending: TopicPartitionMap<number[]> | null = null;
  closed = false;
  /** /config/<type>/<name>, and the change notifications written. */
  readonly configs = new Map<string, Map<string, string>>();
  readonly notifications: string[] = [];
  readonly assignments = new TopicPartitionMap<ReplicaAssignment>([
    [{ topic: 'foo', partition: 0 }, replicaAssignment([0, 1])],
    [{ topic: 'foo', partition: 1 }, replicaAssignment([1, 2])],
  ]);

  async getAllBrokersInCluster() {
    return [0, 1, 2].map(broker);
  }
  async getAllTopicsInCluster() {
    return new Set(['foo']);
  }
  async getFullReplicaAssignmentForTopics(topics: Iterable<string>) {
    const wanted = new Set(topics);
    return new TopicPartitionMap(this.assignments.entries().filter(([tp]) => wanted.has(tp.topic)));
  }
  async getPartitionReassignment() {
    return new TopicPartitionMap(this.pending?.entries() ?? []);
  }
  async createPartitionReassignment(reassignment: Iterable<readonly [TopicPartition, readonly number[]]>) {
    if (this.pending !== null) throw new ZkError('NODEEXISTS', '/admin/reassign_partitions');
    this.pending = new TopicPartitionMap([...reassignment].map(([tp, r]) => [tp, [...r]] as const));
  }
  async getEntityConfigs(type: string, name: string) {
    return new Map(this.configs.get(`${type}/${name}`) ?? []);
  }
  async setOrCreateEntityConfigs(type: string, name: string, config: ReadonlyMap<string, string>) {
    this.configs.set(`${type}/${name}`, new Map(config));
  }
  async createConfigChangeNotification(path: string) {
    this.notifications.push(path);
    return path;
  }
  async close() {
    this.closed = true;
  }
}

async function run(args: string[], files: Record<string, string> = {}, zk = new FakeZk()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReassignPartitionsCommand(
    args,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    {
      connectZk: async () => zk,
      readFile: (p) => {
        if (!(p in files)) throw new Error('ENOENT');
        return files[p];
      },
    },
  );
  return { code, out, err, zk };
}

const zkArgs = ['--zookeeper', 'z:2181'];
const plan = (partitions: unknown[]) => JSON.stringify({ version: 1, partitions });

describe('kafka-reassign-partitions', () => {
  test.each([
    [[], 'This tool helps to move topic partitions between replicas. Missing arguments; see --help.'],
    [[...zkArgs], 'Command must include exactly one action: --generate, --execute or --verify'],
    [['--execute', '--reassignment-json-file', 'p'], 'Missing required argument "[zookeeper]"'],
    [[...zkArgs, '--execute'], 'Missing required argument "[reassignment-json-file]"'],
    [[...zkArgs, '--generate', '--broker-list', '0'], 'Missing required argument "[topics-to-move-json-file]"'],
    [[...zkArgs, '--execute', '--reassignment-json-file', 'missing'], 'Unable to read missing: ENOENT'],
  ])('usage error %j: one stderr line, exit 1', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([message]);
  });

  test.each([
    [plan([]), 'Partition reassignment data file is empty'],
    ['{', 'Partition reassignment data file is not valid JSON'],
    [
      plan([
        { topic: 'foo', partition: 0, replicas: [1] },
        { topic: 'foo', partition: 0, replicas: [2] },
      ]),
      'Partition reassignment contains duplicate topic partitions: foo-0',
    ],
    [plan([{ topic: 'foo', partition: 0, replicas: [1, 1] }]), 'Partition replica lists may not contain duplicate entries: foo-0 contains multiple entries for 1'],
    [plan([{ topic: 'foo', partition: 7, replicas: [1] }]), 'The proposed assignment contains non-existent partitions: foo-7'],
    [plan([{ topic: 'foo', partition: 0, replicas: [1, 9] }]), 'The proposed assignment contains non-existent brokerIDs: 9'],
  ])('bad reassignment file %s', async (json, message) => {
    const r = await run([...zkArgs, '--execute', '--reassignment-json-file', 'p'], { p: json });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([message]);
    expect(r.zk.pending).toBeNull();
  });

  test('executeWritesTheZNodeAndPrintsTheRollbackJson', async () => {
    const r = await run([...zkArgs, '--execute', '--reassignment-json-file', 'p'], {
      p: plan([{ topic: 'foo', partition: 0, replicas: [1, 2] }]),
    });
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'Current partition replica assignment',
      '',
      '{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[0,1],"log_dirs":["any","any"]}]}',
      '',
      'Save this to use as the --reassignment-json-file option during rollback',
      'Successfully started reassignment of partitions.',
    ]);
    expect(r.zk.pending!.entries()).toEqual([[{ topic: 'foo', partition: 0 }, [1, 2]]]);
    expect(r.zk.closed).toBe(true);
  });

  test('executeRefusesWhileAReassignmentRuns', async () => {
    const zk = new FakeZk();
    zk.pending = new TopicPartitionMap([[{ topic: 'foo', partition: 1 }, [0]]]);
    const r = await run([...zkArgs, '--execute', '--reassignment-json-file', 'p'], { p: plan([{ topic: 'foo', partition: 0, replicas: [1, 2] }]) }, zk);
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['There is an existing assignment running.']);
  });

  test('verifyReportsCompletedAndInProgressPartitions', async () => {
    const zk = new FakeZk();
    zk.assignments.set({ topic: 'foo', partition: 1 }, replicaAssignment([0, 2, 1], [0], [1]));
    const r = await run(
      [...zkArgs, '--verify', '--reassignment-json-file', 'p'],
      {
        p: plan([
          { topic: 'foo', partition: 0, replicas: [0, 1] },
          { topic: 'foo', partition: 1, replicas: [0, 2] },
        ]),
      },
      zk,
    );
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'Status of partition reassignment: ',
      'Reassignment of partition foo-0 completed successfully',
      'Reassignment of partition foo-1 is still in progress',
    ]);
  });

  test('executeWithThrottleWritesKafkasTopicAndBrokerThrottles', async () => {
    const r = await run([...zkArgs, '--execute', '--reassignment-json-file', 'p', '--throttle', '50000'], {
      p: plan([
        { topic: 'foo', partition: 0, replicas: [1, 2] },
        { topic: 'foo', partition: 1, replicas: [2, 0] },
      ]),
    });
    expect(r.code).toBe(0);
    expect(r.out.slice(4)).toEqual([
      'Save this to use as the --reassignment-json-file option during rollback',
      'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.',
      'The inter-broker throttle limit was set to 50000 B/s',
      'Successfully started reassignment of partitions.',
    ]);
    // leader: the current replicas (0,1 and 1,2); follower: the added ones (2 for foo-0, 0 for foo-1)
    expect(Object.fromEntries(r.zk.configs.get('topics/foo')!)).toEqual({
      'leader.replication.throttled.replicas': '0:0,0:1,1:1,1:2',
      'follower.replication.throttled.replicas': '0:2,1:0',
    });
    for (const id of [0, 1, 2]) {
      expect(Object.fromEntries(r.zk.configs.get(`brokers/${id}`)!)).toEqual({
        'leader.replication.throttled.rate': '50000',
        'follower.replication.throttled.rate': '50000',
      });
    }
    expect(r.zk.notifications).toEqual(['topics/foo', 'brokers/0', 'brokers/1', 'brokers/2']);
  });

  test('verifyOnceCompleteClearsTheThrottlesUnlessPreserved', async () => {
    const zk = new FakeZk();
    zk.configs.set('topics/foo', new Map([['leader.replication.throttled.replicas', '0:0'], ['retention.ms', '1000']]));
    zk.configs.set('brokers/1', new Map([['leader.replication.throttled.rate', '10'], ['follower.replication.throttled.rate', '10']]));
    const p = plan([{ topic: 'foo', partition: 0, replicas: [0, 1] }]);
    const kept = await run([...zkArgs, '--verify', '--reassignment-json-file', 'p', '--preserve-throttles'], { p }, zk);
    expect(kept.out).toEqual(['Status of partition reassignment: ', 'Reassignment of partition foo-0 completed successfully']);
    const r = await run([...zkArgs, '--verify', '--reassignment-json-file', 'p'], { p }, zk);
    expect(r.code).toBe(0);
    expect(r.out.slice(2)).toEqual(['Clearing broker-level throttles on brokers 0,1,2', 'Clearing topic-level throttles on topic foo']);
    expect(Object.fromEntries(zk.configs.get('topics/foo')!)).toEqual({ 'retention.ms': '1000' });
    expect(zk.configs.get('brokers/1')!.size).toBe(0);
    expect(zk.notifications).toEqual(['brokers/1', 'topics/foo']);
  });

  test('throttleOptionsOnlyWithTheirAction', async () => {
    const r = await run([...zkArgs, '--verify', '--reassignment-json-file', 'p', '--throttle', '10'], { p: plan([]) });
    expect(r.err).toEqual(['Option "[throttle]" can\'t be used with option "[verify]"']);
  });

  test('generatePrintsCurrentAndProposedAssignments', async () => {
    const r = await run([...zkArgs, '--generate', '--topics-to-move-json-file', 't', '--broker-list', '1,2'], {
      t: JSON.stringify({ version: 1, topics: [{ topic: 'foo' }] }),
    });
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('Current partition replica assignment');
    expect(r.out[1]).toBe(
      '{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[0,1],"log_dirs":["any","any"]},{"topic":"foo","partition":1,"replicas":[1,2],"log_dirs":["any","any"]}]}',
    );
    expect(r.out[3]).toBe('Proposed partition reassignment configuration');
    const proposed = JSON.parse(r.out[4]) as { partitions: Array<{ replicas: number[] }> };
    expect(proposed.partitions).toHaveLength(2);
    for (const p of proposed.partitions) expect([...p.replicas].sort()).toEqual([1, 2]);
  });

  test('generateRefusesDuplicateBrokers', async () => {
    const r = await run([...zkArgs, '--generate', '--topics-to-move-json-file', 't', '--broker-list', '1,1'], {
      t: JSON.stringify({ version: 1, topics: [{ topic: 'foo' }] }),
    });
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['Broker list contains duplicate entries: 1']);
  });
});
