import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { replicaAssignment, ZkError, type Broker, type ReplicaAssignment } from '@samsa/zk';
import { runReassignPartitionsCommand, type ReassignZk } from './ReassignPartitionsCommand';

const broker = (id: number): Broker => ({ id, endPoints: [], rack: null, features: {} });

class FakeZk implements ReassignZk {
  pending: TopicPartitionMap<number[]> | null = null;
  closed = false;
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
