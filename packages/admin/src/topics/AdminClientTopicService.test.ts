import { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import type { AdminLike } from './AdminClientTopicService';
import { runTopicCommand } from './TopicCommand';

/**
 * kafka-topics --bootstrap-server against a stand-in for kafkajs' Admin answering what kafkajs
 * 2.2.4 returns (shapes from its typings and response decoders). The same commands against live
 * brokers belong to the broker's integration suite.
 */
type Calls = Array<[string, unknown]>;

function fakeAdmin(overrides: Partial<AdminLike> = {}): { admin: AdminLike; calls: Calls } {
  const calls: Calls = [];
  const record =
    <T>(name: string, result: T) =>
    async (arg?: unknown): Promise<T> => {
      calls.push([name, arg]);
      return result;
    };
  const admin: AdminLike = {
    connect: record('connect', undefined),
    disconnect: record('disconnect', undefined),
    listTopics: record('listTopics', ['segdemo', 'T', '__consumer_offsets']),
    createTopics: record('createTopics', true),
    deleteTopics: record('deleteTopics', undefined),
    createPartitions: record('createPartitions', true),
    fetchTopicMetadata: record('fetchTopicMetadata', {
      topics: [
        {
          name: 'T',
          partitions: [
            {
              partitionErrorCode: 0,
              partitionId: 2,
              leader: -1,
              replicas: [2, 0, 1],
              isr: [0, 1],
              offlineReplicas: [2],
            },
            {
              partitionErrorCode: 0,
              partitionId: 0,
              leader: 0,
              replicas: [0, 1, 2],
              isr: [0, 1],
              offlineReplicas: [],
            },
            {
              partitionErrorCode: 0,
              partitionId: 1,
              leader: 1,
              replicas: [1, 2, 0],
              isr: [1, 2, 0],
              offlineReplicas: [],
            },
          ],
        },
      ],
    }),
    describeConfigs: record('describeConfigs', {
      throttleTime: 0,
      resources: [
        {
          errorCode: 0,
          errorMessage: '',
          resourceName: 'T',
          resourceType: 2,
          configEntries: [
            {
              configName: 'cleanup.policy',
              configValue: 'delete',
              isDefault: true,
              configSource: 5,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [],
            },
            {
              configName: 'retention.ms',
              configValue: '3600000',
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [],
            },
            {
              configName: 'segment.bytes',
              configValue: '16384',
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [],
            },
          ],
        },
      ],
    }),
    describeCluster: record('describeCluster', {
      brokers: [
        { nodeId: 0, host: '127.0.0.1', port: 9092 },
        { nodeId: 1, host: '127.0.0.1', port: 9093 },
      ],
      controller: 0,
      clusterId: 'c',
    }),
    ...overrides,
  } as AdminLike;
  return { admin, calls };
}

async function run(args: string[], admin: AdminLike) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTopicCommand(
    ['--bootstrap-server', '127.0.0.1:9092', ...args],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { createAdmin: () => admin, timeoutMs: 1000 },
  );
  return { code, out, err };
}

const names = (calls: Calls) => calls.map(([n]) => n);

test('createSendsCreateTopicsWithConfigsAndPrintsTheKafka21Line', async () => {
  const { admin, calls } = fakeAdmin();
  const result = await run(
    [
      '--create',
      '--topic',
      'T',
      '--partitions',
      '3',
      '--replication-factor',
      '2',
      '--config',
      'retention.ms=1000',
    ],
    admin,
  );
  expect(result).toEqual({ code: 0, out: ['Created topic "T".'], err: [] });
  expect(calls).toContainEqual([
    'createTopics',
    {
      waitForLeaders: false,
      topics: [
        {
          topic: 'T',
          numPartitions: 3,
          replicationFactor: 2,
          configEntries: [{ name: 'retention.ms', value: '1000' }],
        },
      ],
    },
  ]);
  expect(names(calls)).toEqual(['connect', 'createTopics', 'disconnect']);
});

test('createWithAReplicaAssignmentSendsItInstead', async () => {
  const { admin, calls } = fakeAdmin();
  await run(['--create', '--topic', 'T', '--replica-assignment', '0:1,1:2'], admin);
  expect(calls.find(([n]) => n === 'createTopics')![1]).toEqual({
    waitForLeaders: false,
    topics: [
      {
        topic: 'T',
        replicaAssignment: [
          { partition: 0, replicas: [0, 1] },
          { partition: 1, replicas: [1, 2] },
        ],
        configEntries: [],
      },
    ],
  });
});

test('anExistingTopicIsAnErrorUnlessIfNotExists', async () => {
  const { admin } = fakeAdmin({ createTopics: async () => false });
  expect(
    await run(['--create', '--topic', 'T', '--partitions', '1', '--replication-factor', '1'], admin),
  ).toEqual({
    code: 1,
    out: [],
    err: ["Error while executing topic command : Topic 'T' already exists."],
  });
  expect(
    await run(
      ['--create', '--topic', 'T', '--partitions', '1', '--replication-factor', '1', '--if-not-exists'],
      admin,
    ),
  ).toEqual({ code: 0, out: [], err: [] });
});

test('aBrokerRefusalPrintsKafkajsCauseAndValuesAreCheckedFirst', async () => {
  const refusal = new KafkaJSAggregateError('Topic creation errors', [
    new KafkaJSProtocolError({
      name: 'KafkaJSProtocolError',
      message: 'Replication-factor is invalid',
      type: 'INVALID_REPLICATION_FACTOR',
      code: 38,
      retriable: false,
    } as unknown as Error),
  ]);
  let attempts = 0;
  const { admin } = fakeAdmin({
    createTopics: () => {
      attempts += 1;
      return Promise.reject(refusal);
    },
  });
  const args = ['--create', '--topic', 'T', '--partitions', '1', '--replication-factor'];
  expect((await run([...args, '9'], admin)).err).toEqual([
    'Error while executing topic command : Replication-factor is invalid',
  ]);
  expect((await run([...args, '0'], admin)).err).toEqual([
    'Error while executing topic command : The replication factor must be between 1 and 32767 inclusive',
  ]);
  expect(
    (await run(['--create', '--topic', 'T', '--partitions', '0', '--replication-factor', '1'], admin)).err,
  ).toEqual(['Error while executing topic command : The partitions must be greater than 0']);
  expect(
    (await run(['--create', '--topic', 'a b', '--partitions', '1', '--replication-factor', '1'], admin)).err,
  ).toEqual([
    `Error while executing topic command : Topic name "a b" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
  ]);
  expect(attempts).toBe(1);
});

test('listIsSortedAndHonoursExcludeInternal', async () => {
  const { admin } = fakeAdmin();
  expect((await run(['--list'], admin)).out).toEqual(['T', '__consumer_offsets', 'segdemo']);
  expect((await run(['--list', '--exclude-internal'], admin)).out).toEqual(['T', 'segdemo']);
});

test('describeShowsNonDefaultConfigsAndLeaderNone', async () => {
  const { admin, calls } = fakeAdmin();
  expect(await run(['--describe', '--topic', 'T'], admin)).toEqual({
    code: 0,
    err: [],
    out: [
      'Topic:T\tPartitionCount:3\tReplicationFactor:3\tConfigs:retention.ms=3600000,segment.bytes=16384',
      '\tTopic: T\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1',
      '\tTopic: T\tPartition: 1\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,2,0',
      '\tTopic: T\tPartition: 2\tLeader: none\tReplicas: 2,0,1\tIsr: 0,1',
    ],
  });
  expect(calls.find(([n]) => n === 'fetchTopicMetadata')![1]).toEqual({ topics: ['T'] });
  expect(calls.find(([n]) => n === 'describeConfigs')![1]).toEqual({
    resources: [{ type: 2, name: 'T' }],
    includeSynonyms: false,
  });
  expect((await run(['--describe', '--topic', 'T', '--unavailable-partitions'], admin)).out).toEqual([
    '\tTopic: T\tPartition: 2\tLeader: none\tReplicas: 2,0,1\tIsr: 0,1',
  ]);
  expect((await run(['--describe', '--topic', 'nope'], admin)).err).toEqual([
    "Error while executing topic command : Topic 'nope' does not exist as expected",
  ]);
});

test('alterSendsCreatePartitionsWithTheNewPartitionsAssignments', async () => {
  const { admin, calls } = fakeAdmin();
  const result = await run(
    ['--alter', '--topic', 'T', '--partitions', '5', '--replica-assignment', '0,1,2,0:1,1:2'],
    admin,
  );
  expect(result.out).toEqual([
    'WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected',
    'Adding partitions succeeded!',
  ]);
  expect(calls.find(([n]) => n === 'createPartitions')![1]).toEqual({
    topicPartitions: [
      {
        topic: 'T',
        count: 5,
        assignments: [
          [0, 1],
          [1, 2],
        ],
      },
    ],
  });
  const plain = fakeAdmin();
  await run(['--alter', '--topic', 'T', '--partitions', '4'], plain.admin);
  expect(plain.calls.find(([n]) => n === 'createPartitions')![1]).toEqual({
    topicPartitions: [{ topic: 'T', count: 4 }],
  });
});

test('deleteSendsDeleteTopicsAndRefusesInternalTopics', async () => {
  const { admin, calls } = fakeAdmin();
  expect((await run(['--delete', '--topic', 'T'], admin)).out).toEqual([
    'Topic T is marked for deletion.',
    'Note: This will have no impact if delete.topic.enable is not set to true.',
  ]);
  expect(calls).toContainEqual(['deleteTopics', { topics: ['T'] }]);
  expect((await run(['--delete', '--topic', '__consumer_offsets'], admin)).err).toEqual([
    'Error while executing topic command : Topic __consumer_offsets is a kafka internal topic and is not allowed to be marked for deletion.',
  ]);
  expect(await run(['--delete', '--topic', 'gone', '--if-exists'], admin)).toEqual({
    code: 0,
    out: [],
    err: [],
  });
});

test('anUnreachableClusterIsOneLineAndTheClientIsDisconnected', async () => {
  const { admin, calls } = fakeAdmin({
    connect: () =>
      Promise.reject(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')),
  });
  expect(await run(['--list'], admin)).toEqual({
    code: 1,
    out: [],
    err: ['Error while executing topic command : Connection error: connect ECONNREFUSED 127.0.0.1:9092'],
  });
  expect(names(calls)).toEqual(['disconnect']);
});
