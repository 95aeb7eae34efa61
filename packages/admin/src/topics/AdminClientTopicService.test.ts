import { ApiKey, errorInfo, type Struct } from '@samsa/protocol';
import { FakeClusterClient, type FakeAnswer, type FakeClusterState } from '../client/testing/FakeClusterClient';
import { runTopicCommand } from './TopicCommand';

/**
 * kafka-topics --bootstrap-server over the tools' wire client, against a fake three-broker cluster
 * answering at the request level (ToolClient.send): the tests see the typed request bodies and
 * which broker each went to. The same commands against live brokers belong to the integration suite.
 */
function cluster(): FakeClusterState {
  return {
    brokers: [0, 1],
    controllerId: 1,
    topics: new Map([
      [
        'T',
        [
          { partition: 2, leader: -1, replicas: [2, 0, 1], isr: [0, 1] },
          { partition: 0, leader: 0, replicas: [0, 1, 2], isr: [0, 1] },
          { partition: 1, leader: 1, replicas: [1, 2, 0], isr: [1, 2, 0] },
        ],
      ],
      ['segdemo', [{ partition: 0, leader: 0, replicas: [0], isr: [0] }]],
      ['__consumer_offsets', [{ partition: 0, leader: 0, replicas: [0], isr: [0] }]],
    ]),
  };
}

const config = (name: string, value: string, configSource: number) => ({
  name,
  value,
  readOnly: false,
  configSource,
  isSensitive: false,
  synonyms: [],
});

/** What the brokers answer: success everywhere, T's non-default configs; `overrides` by api key. */
function answers(overrides: Partial<Record<number, FakeAnswer>> = {}): FakeAnswer {
  return (request, state) => {
    const override = overrides[request.apiKey];
    if (override !== undefined) return override(request, state);
    const body = request.body as Struct;
    switch (request.apiKey) {
      case ApiKey.CreateTopics:
        return { throttleTimeMs: 0, topics: (body.topics as Struct[]).map((t) => ({ name: t.name, errorCode: 0, errorMessage: null })) };
      case ApiKey.CreatePartitions:
        return { throttleTimeMs: 0, results: (body.topics as Struct[]).map((t) => ({ name: t.name, errorCode: 0, errorMessage: null })) };
      case ApiKey.DeleteTopics:
        return { throttleTimeMs: 0, responses: (body.topicNames as string[]).map((name) => ({ name, errorCode: 0 })) };
      case ApiKey.DescribeConfigs:
        return {
          throttleTimeMs: 0,
          results: (body.resources as Struct[]).map((r) => ({
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: r.resourceName,
            configs:
              r.resourceName === 'T'
                ? [config('cleanup.policy', 'delete', 5), config('retention.ms', '3600000', 1), config('segment.bytes', '16384', 1)]
                : [],
          })),
        };
      default:
        throw new Error(`unexpected api key ${request.apiKey}`);
    }
  };
}

function fakeClient(overrides: Partial<Record<number, FakeAnswer>> = {}): FakeClusterClient {
  return new FakeClusterClient(cluster(), answers(overrides));
}

async function run(args: string[], client: FakeClusterClient) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTopicCommand(
    ['--bootstrap-server', '127.0.0.1:9092', ...args],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    // The command closes its client: a later run of the same test gets a new one of the same cluster.
    { createClient: () => (client.isClosed ? client.sibling() : client), timeoutMs: 1000 },
  );
  return { code, out, err };
}

const only = (client: FakeClusterClient, apiKey: number) => {
  const sent = client.sentOf(apiKey);
  expect(sent).toHaveLength(1);
  return sent[0]!;
};

test('createSendsCreateTopicsWithConfigsToTheControllerAndPrintsTheKafka21Line', async () => {
  const client = fakeClient();
  const result = await run(
    ['--create', '--topic', 'T2', '--partitions', '3', '--replication-factor', '2', '--config', 'retention.ms=1000'],
    client,
  );
  expect(result).toEqual({ code: 0, out: ['Created topic "T2".'], err: [] });
  const sent = only(client, ApiKey.CreateTopics);
  expect(sent.nodeId).toBe(1);
  expect(sent.body).toEqual({
    topics: [
      { name: 'T2', numPartitions: 3, replicationFactor: 2, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
});

test('createWithAReplicaAssignmentSendsItInstead', async () => {
  const client = fakeClient();
  await run(['--create', '--topic', 'T2', '--replica-assignment', '0:1,1:2'], client);
  expect(only(client, ApiKey.CreateTopics).body.topics).toEqual([
    {
      name: 'T2',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [
        { partitionIndex: 0, brokerIds: [0, 1] },
        { partitionIndex: 1, brokerIds: [1, 2] },
      ],
      configs: [],
    },
  ]);
});

test('aMovedControllerIsLookedUpAgainAndTheRequestRetried', async () => {
  let first = true;
  const client = fakeClient({
    [ApiKey.CreateTopics]: (request, state) => {
      if (first) {
        first = false;
        state.controllerId = 0;
        return { throttleTimeMs: 0, topics: [{ name: 'T2', errorCode: 41, errorMessage: null }] };
      }
      return { throttleTimeMs: 0, topics: [{ name: 'T2', errorCode: 0, errorMessage: null }] };
    },
  });
  expect(await run(['--create', '--topic', 'T2', '--partitions', '1', '--replication-factor', '1'], client)).toEqual({
    code: 0,
    out: ['Created topic "T2".'],
    err: [],
  });
  expect(client.sentOf(ApiKey.CreateTopics).map((r) => r.nodeId)).toEqual([1, 0]);
});

test('aCreateTopicsAnswerWithoutTheTopicIsAnErrorNotCreated', async () => {
  const client = fakeClient({ [ApiKey.CreateTopics]: () => ({ throttleTimeMs: 0, topics: [] }) });
  expect(await run(['--create', '--topic', 'T2', '--partitions', '1', '--replication-factor', '1'], client)).toEqual({
    code: 1,
    out: [],
    err: ['Error while executing topic command : The controller response did not contain a result for topic T2'],
  });
});

const refuse = (errorCode: number, errorMessage: string | null): FakeAnswer => (request) => ({
  throttleTimeMs: 0,
  topics: [{ name: (request.body.topics as Struct[])[0]!.name, errorCode, errorMessage }],
});

test('anExistingTopicIsAnErrorUnlessIfNotExists', async () => {
  const client = fakeClient({ [ApiKey.CreateTopics]: refuse(36, "Topic 'T' already exists.") });
  expect(await run(['--create', '--topic', 'T', '--partitions', '1', '--replication-factor', '1'], client)).toEqual({
    code: 1,
    out: [],
    err: ["Error while executing topic command : Topic 'T' already exists."],
  });
  expect(
    await run(['--create', '--topic', 'T', '--partitions', '1', '--replication-factor', '1', '--if-not-exists'], client),
  ).toEqual({ code: 0, out: [], err: [] });
});

test('aBrokerRefusalPrintsTheBrokersMessageAndValuesAreCheckedFirst', async () => {
  const client = fakeClient({
    [ApiKey.CreateTopics]: refuse(38, 'Replication factor: 9 larger than available brokers: 2.'),
  });
  const args = ['--create', '--topic', 'T', '--partitions', '1', '--replication-factor'];
  expect((await run([...args, '9'], client)).err).toEqual([
    'Error while executing topic command : Replication factor: 9 larger than available brokers: 2.',
  ]);
  expect((await run([...args, '0'], client)).err).toEqual([
    'Error while executing topic command : The replication factor must be between 1 and 32767 inclusive',
  ]);
  expect(
    (await run(['--create', '--topic', 'T', '--partitions', '0', '--replication-factor', '1'], client)).err,
  ).toEqual(['Error while executing topic command : The partitions must be greater than 0']);
  expect(
    (await run(['--create', '--topic', 'a b', '--partitions', '1', '--replication-factor', '1'], client)).err,
  ).toEqual([
    `Error while executing topic command : Topic name "a b" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
  ]);
  expect(client.sentOf(ApiKey.CreateTopics)).toHaveLength(1);
  const noMessage = fakeClient({ [ApiKey.CreateTopics]: refuse(38, null) });
  expect((await run([...args, '9'], noMessage)).err).toEqual([
    `Error while executing topic command : ${errorInfo(38).message}`,
  ]);
});

test('listIsSortedAndHonoursExcludeInternal', async () => {
  const client = fakeClient();
  expect((await run(['--list'], client)).out).toEqual(['T', '__consumer_offsets', 'segdemo']);
  expect((await run(['--list', '--exclude-internal'], client)).out).toEqual(['T', 'segdemo']);
});

test('describeShowsNonDefaultConfigsAndLeaderNone', async () => {
  const client = fakeClient();
  expect(await run(['--describe', '--topic', 'T'], client)).toEqual({
    code: 0,
    err: [],
    out: [
      'Topic:T\tPartitionCount:3\tReplicationFactor:3\tConfigs:retention.ms=3600000,segment.bytes=16384',
      '\tTopic: T\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1',
      '\tTopic: T\tPartition: 1\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,2,0',
      '\tTopic: T\tPartition: 2\tLeader: none\tReplicas: 2,0,1\tIsr: 0,1',
    ],
  });
  expect(client.sentOf(ApiKey.Metadata).map((r) => r.body.topics)).toContainEqual([{ name: 'T' }]);
  expect(only(client, ApiKey.DescribeConfigs).body).toEqual({
    resources: [{ resourceType: 2, resourceName: 'T', configurationKeys: null }],
    includeSynonyms: false,
  });
  expect((await run(['--describe', '--topic', 'T', '--unavailable-partitions'], client)).out).toEqual([
    '\tTopic: T\tPartition: 2\tLeader: none\tReplicas: 2,0,1\tIsr: 0,1',
  ]);
  expect((await run(['--describe', '--topic', 'nope'], client)).err).toEqual([
    "Error while executing topic command : Topic 'nope' does not exist as expected",
  ]);
});

test('alterSendsCreatePartitionsWithTheNewPartitionsAssignmentsToTheController', async () => {
  const client = fakeClient();
  const result = await run(['--alter', '--topic', 'T', '--partitions', '5', '--replica-assignment', '0,1,2,0:1,1:2'], client);
  expect(result.out).toEqual([
    'WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected',
    'Adding partitions succeeded!',
  ]);
  const sent = only(client, ApiKey.CreatePartitions);
  expect(sent.nodeId).toBe(1);
  expect(sent.body).toEqual({
    topics: [{ name: 'T', count: 5, assignments: [{ brokerIds: [0, 1] }, { brokerIds: [1, 2] }] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  const plain = fakeClient();
  await run(['--alter', '--topic', 'T', '--partitions', '4'], plain);
  expect(only(plain, ApiKey.CreatePartitions).body.topics).toEqual([{ name: 'T', count: 4, assignments: null }]);
  const refused = fakeClient({
    [ApiKey.CreatePartitions]: () => ({
      throttleTimeMs: 0,
      results: [{ name: 'T', errorCode: 37, errorMessage: 'Topic currently has 3 partitions, which is higher than the requested 2.' }],
    }),
  });
  expect((await run(['--alter', '--topic', 'T', '--partitions', '2'], refused)).err).toEqual([
    'Error while executing topic command : Topic currently has 3 partitions, which is higher than the requested 2.',
  ]);
});

test('deleteSendsDeleteTopicsToTheControllerAndRefusesInternalTopics', async () => {
  const client = fakeClient();
  expect((await run(['--delete', '--topic', 'T'], client)).out).toEqual([
    'Topic T is marked for deletion.',
    'Note: This will have no impact if delete.topic.enable is not set to true.',
  ]);
  const sent = only(client, ApiKey.DeleteTopics);
  expect(sent).toMatchObject({ nodeId: 1, body: { topicNames: ['T'], timeoutMs: 1000 } });
  expect((await run(['--delete', '--topic', '__consumer_offsets'], client)).err).toEqual([
    'Error while executing topic command : Topic __consumer_offsets is a kafka internal topic and is not allowed to be marked for deletion.',
  ]);
  expect(await run(['--delete', '--topic', 'gone', '--if-exists'], client)).toEqual({ code: 0, out: [], err: [] });
});

test('anUnreachableClusterIsOneLineAndTheClientIsClosed', async () => {
  const client = fakeClient();
  client.send = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9092'));
  let closed = false;
  client.close = () => {
    closed = true;
  };
  expect(await run(['--list'], client)).toEqual({
    code: 1,
    out: [],
    err: ['Error while executing topic command : connect ECONNREFUSED 127.0.0.1:9092'],
  });
  expect(closed).toBe(true);
});
