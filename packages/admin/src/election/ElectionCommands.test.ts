import { type TopicPartition } from '@samsa/common';
import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { ZkError } from '@samsa/zk';
import type { BrokerAddress } from '@samsa/client';
import { parseElectionJson } from './ElectionJson';
import { runLeaderElectionCommand, type SendRequest } from './LeaderElectionCommand';
import { runPreferredReplicaElectionCommand, type PreferredElectionZk } from './PreferredReplicaElectionCommand';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

const ALL: TopicPartition[] = [
  { topic: 'T3', partition: 0 },
  { topic: 'T3', partition: 1 },
];

function fakeZk(pending: TopicPartition[] | null = null): PreferredElectionZk & { written: TopicPartition[][] } {
  const written: TopicPartition[][] = [];
  return {
    written,
    getAllPartitions: async () => ALL,
    createPreferredReplicaElection: async (partitions) => {
      if (pending !== null) throw new ZkError('NODEEXISTS', '/admin/preferred_replica_election');
      written.push([...partitions]);
    },
    getPreferredReplicaElection: async () => pending ?? [],
    close: async () => {},
  };
}

describe('kafka-preferred-replica-election', () => {
  test('allPartitionsByDefaultPrintsKafkasLines', async () => {
    const zk = fakeZk();
    const o = io();
    const code = await runPreferredReplicaElectionCommand(['--zookeeper', 'z:2181'], o.io, { connectZk: async () => zk });
    expect(code).toBe(0);
    expect(zk.written).toEqual([ALL]);
    expect(o.out).toEqual([
      'Created preferred replica election path with T3-0,T3-1',
      'Successfully started preferred replica election for partitions Set(T3-0, T3-1)',
    ]);
  });

  test('jsonFileUnknownPartitionsAreSkipped', async () => {
    const zk = fakeZk();
    const o = io();
    const code = await runPreferredReplicaElectionCommand(
      ['--zookeeper', 'z', '--path-to-json-file', 'f.json'],
      o.io,
      {
        connectZk: async () => zk,
        readFile: () => '{"partitions":[{"topic":"T3","partition":1},{"topic":"X","partition":0}]}',
      },
    );
    expect(code).toBe(0);
    expect(zk.written).toEqual([[{ topic: 'T3', partition: 1 }]]);
    expect(o.out[2]).toBe("Skipping preferred replica leader election for partition X-0 since it doesn't exist.");
  });

  test('pendingElectionFails', async () => {
    const o = io();
    const code = await runPreferredReplicaElectionCommand(['--zookeeper', 'z'], o.io, {
      connectZk: async () => fakeZk([ALL[0]]),
    });
    expect(code).toBe(1);
    expect(o.err).toEqual([
      'Error: Preferred replica leader election currently in progress for T3-0. Aborting operation',
    ]);
  });

  test.each([
    [[], 'Missing required argument "[zookeeper]"'],
    [['--zookeeper', 'z', '--path-to-json-file', 'f'], 'Error: Preferred replica election data contains duplicate partitions: T3-0'],
  ])('badInput %j is one stderr line', async (args, message) => {
    const o = io();
    const code = await runPreferredReplicaElectionCommand(args, o.io, {
      connectZk: async () => fakeZk(),
      readFile: () => '{"partitions":[{"topic":"T3","partition":0},{"topic":"T3","partition":0}]}',
    });
    expect(code).toBe(1);
    expect(o.err).toEqual([message]);
    expect(o.out).toEqual([]);
  });
});

describe('kafka-leader-election', () => {
  function fakeSend(results: Struct[]) {
    const sent: Array<{ target: BrokerAddress; apiKey: number; body: Struct }> = [];
    const send = async (target: BrokerAddress, apiKey: number, _v: number, body: Struct): Promise<Struct> => {
      sent.push({ target, apiKey, body });
      if (apiKey === ApiKey.Metadata)
        return { controllerId: 2, brokers: [{ nodeId: 2, host: 'c', port: 9094 }], topics: [] };
      return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: results };
    };
    // The fake answers with untyped bodies; the command reads them as the typed responses.
    return { sent, send: send as SendRequest };
  }

  test('preferredAllTopicPartitionsGoesToTheControllerAndPrintsPerPartition', async () => {
    const f = fakeSend([
      {
        topic: 't',
        partitionResult: [
          { partitionId: 0, errorCode: 0, errorMessage: null },
          { partitionId: 1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
          { partitionId: 2, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
        ],
      },
    ]);
    const o = io();
    const code = await runLeaderElectionCommand(
      ['--bootstrap-server', 'b:9092', '--election-type', 'preferred', '--all-topic-partitions'],
      o.io,
      { send: f.send },
    );
    expect(code).toBe(0);
    expect(f.sent.map((s) => [s.target.host, s.apiKey])).toEqual([
      ['b', ApiKey.Metadata],
      ['c', ApiKey.ElectLeaders],
    ]);
    expect(f.sent[1].body).toMatchObject({ electionType: 0, topicPartitions: null });
    expect(o.out).toEqual([
      'Successfully completed leader election (PREFERRED) for partitions t-0',
      'Valid replica already elected for partitions t-1, t-2',
    ]);
  });

  test('failedPartitionExitsOne', async () => {
    const f = fakeSend([
      {
        topic: 't',
        partitionResult: [
          { partitionId: 0, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'not in isr' },
        ],
      },
    ]);
    const o = io();
    const code = await runLeaderElectionCommand(
      ['--bootstrap-server', 'b:9092', '--election-type', 'unclean', '--topic', 't', '--partition', '0'],
      o.io,
      { send: f.send },
    );
    expect(code).toBe(1);
    expect(f.sent[1].body).toMatchObject({ electionType: 1, topicPartitions: [{ topic: 't', partitionId: [0] }] });
    expect(o.out).toEqual([
      'Error completing leader election (UNCLEAN) for partition: t-0: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: not in isr',
    ]);
    expect(o.err).toEqual(['Error: 1 replica(s) could not be elected']);
  });

  test.each([
    [['--election-type', 'preferred', '--all-topic-partitions'], 'Missing required option(s): bootstrap-server'],
    [['--bootstrap-server', 'b:1', '--election-type', 'preferred'], 'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file'],
    [['--bootstrap-server', 'b:1', '--election-type', 'preferred', '--topic', 't'], 'Missing required option(s): partition'],
    [['--bootstrap-server', 'b:1', '--election-type', 'x', '--all-topic-partitions'], 'Unknown election type: x; expected preferred or unclean'],
    [['--bootstrap-server', 'nohost', '--election-type', 'preferred', '--all-topic-partitions'], 'Invalid url in bootstrap.servers: nohost'],
  ])('badInput %j is one stderr line', async (args, message) => {
    const f = fakeSend([]);
    const o = io();
    expect(await runLeaderElectionCommand(args, o.io, { send: f.send })).toBe(1);
    expect(o.err).toEqual([message]);
    expect(f.sent).toEqual([]);
  });
});

describe('parseElectionJson', () => {
  test('readsKafkasFormat', () => {
    expect(parseElectionJson('{"partitions":[{"topic":"a","partition":3}]}', 'Replica election')).toEqual([
      { topic: 'a', partition: 3 },
    ]);
  });

  test.each([
    ['not json', 'Replica election data is empty'],
    ['{}', 'Replica election data is missing "partitions" field'],
    ['{"partitions":[{"topic":"a"}]}', 'Replica election data: every entry needs a non-negative integer "partition", got {"topic":"a"}'],
  ])('%s is refused', (json, message) => {
    expect(() => parseElectionJson(json, 'Replica election')).toThrow(message);
  });
});
