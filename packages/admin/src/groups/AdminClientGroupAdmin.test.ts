import { TopicPartitionMap } from '@samsa/common';
import { ApiKey, encodeVersioned, ErrorCode, internalMessages, type Struct } from '@samsa/protocol';
import { FakeClusterClient, type FakeAnswer, type SentRequest } from '../client/testing/FakeClusterClient';
import { AdminClientGroupAdmin } from './AdminClientGroupAdmin';
import { KafkaApiError, NotConsumerGroupError } from './GroupErrors';

/**
 * The group admin over the tools' wire client, against a fake cluster of three brokers answering
 * at the request level: the tests see which broker each request went to and its typed body.
 * Broker 0 and 1 each host some groups; broker 2 coordinates every group.
 */
const assignment = (topics: Array<[string, number[]]>): Buffer =>
  encodeVersioned(internalMessages.ConsumerProtocolAssignment, 0, {
    assignedPartitions: topics.map(([topic, partitions]) => ({ topic, partitions })),
    userData: null,
  });

const member = (memberId: string, clientId: string, clientHost: string, memberAssignment: Buffer, groupInstanceId: string | null = null) => ({
  memberId,
  groupInstanceId,
  clientId,
  clientHost,
  memberMetadata: Buffer.alloc(0),
  memberAssignment,
});

const GROUPS: Record<string, Struct> = {
  app: {
    groupState: 'Stable',
    protocolType: 'consumer',
    protocolData: 'RoundRobinAssigner',
    members: [member('m-1', 'c-1', '/10.0.0.1', assignment([['t', [1, 0]]]), 'static-1'), member('m-2', 'c-2', '/10.0.0.2', Buffer.alloc(0))],
  },
  'offsets-only': { groupState: 'Empty', protocolType: '', protocolData: '', members: [] },
  'connect-cluster': { groupState: 'Stable', protocolType: 'connect', protocolData: 'sessioned', members: [] },
};

const COORDINATOR = 2;

/** Success answers; `overrides` by api key. */
function answers(overrides: Partial<Record<number, FakeAnswer>>): FakeAnswer {
  return (request, state) => {
    const override = overrides[request.apiKey];
    if (override !== undefined) return override(request, state);
    const body = request.body;
    switch (request.apiKey) {
      case ApiKey.ListGroups:
        return {
          errorCode: 0,
          groups:
            request.nodeId === 0
              ? [{ groupId: 'app', protocolType: 'consumer' }, { groupId: 'connect-cluster', protocolType: 'connect' }]
              : request.nodeId === 1
                ? [{ groupId: 'offsets-only', protocolType: '' }]
                : [],
        };
      case ApiKey.FindCoordinator:
        return { errorCode: 0, errorMessage: null, nodeId: COORDINATOR, host: '127.0.0.1', port: 9092 + COORDINATOR };
      case ApiKey.DescribeGroups:
        return {
          groups: (body.groups as string[]).map((groupId) => ({ errorCode: 0, groupId, authorizedOperations: 0, ...GROUPS[groupId] })),
        };
      case ApiKey.OffsetFetch:
        return {
          errorCode: 0,
          topics: [
            {
              name: 't',
              partitions: [
                { partitionIndex: 0, committedOffset: 17, metadata: null, errorCode: 0 },
                { partitionIndex: 1, committedOffset: -1, metadata: null, errorCode: 0 },
              ],
            },
          ],
        };
      case ApiKey.ListOffsets: {
        const offsets: Record<number, [number, number]> = { 0: [2, 30], 1: [0, 9000] };
        return {
          topics: (body.topics as Struct[]).map((t) => ({
            name: t.name,
            partitions: (t.partitions as Struct[]).map((p) => {
              const ts = p.timestamp as number;
              const [low, high] = offsets[p.partitionIndex as number]!;
              return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset: ts === -2 ? low : ts === -1 ? high : 5 };
            }),
          })),
        };
      }
      case ApiKey.OffsetCommit:
        return {
          topics: (body.topics as Struct[]).map((t) => ({
            name: t.name,
            partitions: (t.partitions as Struct[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })),
          })),
        };
      case ApiKey.DeleteGroups:
        return {
          results: (body.groupsNames as string[]).map((groupId) => ({ groupId, errorCode: groupId === 'app' ? ErrorCode.NON_EMPTY_GROUP : 0 })),
        };
      case ApiKey.ApiVersions:
        return { errorCode: 0, apiKeys: [{ apiKey: ApiKey.OffsetDelete, minVersion: 0, maxVersion: 0 }] };
      case ApiKey.OffsetDelete:
        return {
          errorCode: 0,
          topics: (body.topics as Struct[]).map((t) => ({
            name: t.name,
            partitions: (t.partitions as Struct[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode: p.partitionIndex === 1 ? 86 : 0 })),
          })),
        };
      default:
        throw new Error(`unexpected api key ${request.apiKey}`);
    }
  };
}

function fakes(overrides: Partial<Record<number, FakeAnswer>> = {}) {
  const client = new FakeClusterClient(
    {
      brokers: [0, 1, 2],
      controllerId: 0,
      topics: new Map([
        [
          't',
          [
            { partition: 1, leader: 1, replicas: [1], isr: [1] },
            { partition: 0, leader: 0, replicas: [0], isr: [0] },
          ],
        ],
      ]),
    },
    answers(overrides),
  );
  return { client, groupAdmin: new AdminClientGroupAdmin(client, 5000) };
}

const to = (sent: SentRequest[]) => sent.map((r) => r.nodeId);

test('listAsksEveryBrokerAndKeepsConsumerAndOffsetOnlyGroups', async () => {
  const { client, groupAdmin } = fakes();
  expect(await groupAdmin.listConsumerGroups()).toEqual([{ groupId: 'app' }, { groupId: 'offsets-only' }]);
  expect(to(client.sentOf(ApiKey.ListGroups))).toEqual([0, 1, 2]);
  expect(await groupAdmin.listConsumerGroups({ withState: true })).toEqual([
    { groupId: 'app', state: 'Stable' },
    { groupId: 'offsets-only', state: 'Empty' },
  ]);
});

test('aBrokersListGroupsErrorFailsTheListing', async () => {
  const { groupAdmin } = fakes({ [ApiKey.ListGroups]: () => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, groups: [] }) });
  await expect(groupAdmin.listConsumerGroups()).rejects.toEqual(new KafkaApiError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED));
});

test('aBrokerStillLoadingItsGroupsIsAskedAgain', async () => {
  const loading = [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE];
  const { client, groupAdmin } = fakes({
    [ApiKey.ListGroups]: (request) =>
      request.nodeId === 1 && loading.length > 0
        ? { errorCode: loading.shift(), groups: [] }
        : { errorCode: 0, groups: request.nodeId === 1 ? [{ groupId: 'offsets-only', protocolType: '' }] : [] },
  });
  expect(await groupAdmin.listConsumerGroups()).toEqual([{ groupId: 'offsets-only' }]);
  expect(to(client.sentOf(ApiKey.ListGroups)).sort()).toEqual([0, 1, 1, 1, 2]);
});

test('metadataWithoutBrokersIsReadAgainNotAnEmptyListing', async () => {
  const { client, groupAdmin } = fakes();
  const brokers = client.state.brokers;
  client.state.brokers = [];
  setTimeout(() => {
    client.state.brokers = brokers;
  }, 150);
  expect(await groupAdmin.listConsumerGroups()).toEqual([{ groupId: 'app' }, { groupId: 'offsets-only' }]);
});

test('metadataWithoutBrokersUntilTheDeadlineTimesOut', async () => {
  const { client } = fakes();
  client.state.brokers = [];
  const groupAdmin = new AdminClientGroupAdmin(client, 250);
  await expect(groupAdmin.listConsumerGroups()).rejects.toThrow(/^Call\(callName=findAllBrokers, .*timed out at .* after \d+ attempt\(s\)/);
});

test('describeDecodesAssignmentsOnTheCoordinator', async () => {
  const { client, groupAdmin } = fakes();
  const [app, offsetsOnly] = await groupAdmin.describeConsumerGroups(['app', 'offsets-only']);
  expect(app).toEqual({
    groupId: 'app',
    partitionAssignor: 'RoundRobinAssigner',
    state: 'Stable',
    coordinator: { id: 2, host: '127.0.0.1', port: 9094 },
    members: [
      {
        consumerId: 'm-1',
        groupInstanceId: 'static-1',
        clientId: 'c-1',
        host: '/10.0.0.1',
        assignment: [
          { topic: 't', partition: 1 },
          { topic: 't', partition: 0 },
        ],
      },
      { consumerId: 'm-2', groupInstanceId: null, clientId: 'c-2', host: '/10.0.0.2', assignment: [] },
    ],
  });
  expect(offsetsOnly!.state).toBe('Empty');
  expect(client.sentOf(ApiKey.FindCoordinator).map((r) => r.body)).toEqual([
    { key: 'app', keyType: 0 },
    { key: 'offsets-only', keyType: 0 },
  ]);
  expect(to(client.sentOf(ApiKey.DescribeGroups))).toEqual([2, 2]);
});

test('describeRefusesAGroupOfAnotherProtocolType', async () => {
  const { groupAdmin } = fakes();
  await expect(groupAdmin.describeConsumerGroups(['connect-cluster'])).rejects.toEqual(
    new NotConsumerGroupError('connect-cluster', 'connect'),
  );
});

test('describeErrorsBecomeKafkaApiErrors', async () => {
  const { groupAdmin } = fakes({
    [ApiKey.DescribeGroups]: (request) => ({
      groups: (request.body.groups as string[]).map((groupId) => ({
        errorCode: 30,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
      })),
    }),
  });
  const error = await groupAdmin.describeConsumerGroups(['app']).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KafkaApiError);
  expect(String(error)).toBe('org.apache.kafka.common.errors.GroupAuthorizationException: Group authorization failed.');
});

test('aLoadingCoordinatorIsAskedAgainUntilTheDeadlineThenReported', async () => {
  let calls = 0;
  const { client, groupAdmin } = fakes({
    [ApiKey.FindCoordinator]: () => {
      calls += 1;
      return calls < 3
        ? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null, nodeId: -1, host: '', port: -1 }
        : { errorCode: 0, errorMessage: null, nodeId: 1, host: '127.0.0.1', port: 9093 };
    },
  });
  expect((await groupAdmin.describeConsumerGroups(['app']))[0]!.coordinator.id).toBe(1);
  expect(client.sentOf(ApiKey.FindCoordinator)).toHaveLength(3);

  const never = fakes({
    [ApiKey.FindCoordinator]: () => ({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null, nodeId: -1, host: '', port: -1 }),
  });
  const quick = new AdminClientGroupAdmin(never.client, 300);
  const error = await quick.describeConsumerGroups(['app']).catch((e: unknown) => e);
  expect(String(error)).toBe('org.apache.kafka.common.errors.CoordinatorNotAvailableException: The coordinator is not available.');
});

test('committedOffsetsLeaveOutPartitionsWithoutOne', async () => {
  const { client, groupAdmin } = fakes();
  expect((await groupAdmin.listConsumerGroupOffsets('app')).entries()).toEqual([[{ topic: 't', partition: 0 }, 17n]]);
  const [sent] = client.sentOf(ApiKey.OffsetFetch);
  expect(sent).toMatchObject({ nodeId: 2, body: { groupId: 'app', topics: null } });
});

test('listOffsetsAsksThePartitionLeaders', async () => {
  const { client, groupAdmin } = fakes();
  const one = [{ topic: 't', partition: 1 }];
  expect((await groupAdmin.listOffsets(one, { kind: 'latest' })).entries()).toEqual([[one[0], 9000n]]);
  expect((await groupAdmin.listOffsets(one, { kind: 'earliest' })).entries()).toEqual([[one[0], 0n]]);
  expect((await groupAdmin.listOffsets(one, { kind: 'timestamp', timestampMs: 1234 })).entries()).toEqual([[one[0], 5n]]);
  expect((await groupAdmin.listOffsets([{ topic: 't', partition: 7 }], { kind: 'latest' })).size).toBe(0);
  const sent = client.sentOf(ApiKey.ListOffsets);
  expect(to(sent)).toEqual([1, 1, 1]);
  expect(sent.map((r) => (r.body.topics as Struct[])[0]!.partitions)).toEqual([
    [{ partitionIndex: 1, timestamp: -1 }],
    [{ partitionIndex: 1, timestamp: -2 }],
    [{ partitionIndex: 1, timestamp: 1234 }],
  ]);
  const before = client.sent.length;
  expect((await groupAdmin.listOffsets([], { kind: 'latest' })).size).toBe(0);
  expect(client.sent.length).toBe(before);
});

test('describeTopicsGivesPartitionsOrTheTopicsError', async () => {
  const { groupAdmin } = fakes();
  const described = await groupAdmin.describeTopics(['t', 'gone']);
  expect(described.get('t')).toEqual([0, 1]);
  expect(String(described.get('gone'))).toBe(
    'org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
  );
});

test('alterOffsetsCommitsWithoutAMemberOnTheCoordinator', async () => {
  const { client, groupAdmin } = fakes();
  await groupAdmin.alterConsumerGroupOffsets(
    'app',
    new TopicPartitionMap([
      [{ topic: 't', partition: 0 }, 5n],
      [{ topic: 'u', partition: 2 }, 70n],
      [{ topic: 't', partition: 1 }, 6n],
    ]),
  );
  const [sent] = client.sentOf(ApiKey.OffsetCommit);
  expect(sent!.nodeId).toBe(COORDINATOR);
  expect(sent!.body).toEqual({
    groupId: 'app',
    generationId: -1,
    memberId: '',
    retentionTimeMs: -1,
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: 5n, committedMetadata: '' },
          { partitionIndex: 1, committedOffset: 6n, committedMetadata: '' },
        ],
      },
      { name: 'u', partitions: [{ partitionIndex: 2, committedOffset: 70n, committedMetadata: '' }] },
    ],
  });
});

test('anOffsetPast2To53IsCommittedExactly', async () => {
  const { client, groupAdmin } = fakes();
  await groupAdmin.alterConsumerGroupOffsets('app', new TopicPartitionMap([[{ topic: 't', partition: 0 }, 2n ** 53n + 1n]]));
  const [sent] = client.sentOf(ApiKey.OffsetCommit);
  expect((sent!.body.topics as Struct[])[0]!.partitions).toEqual([{ partitionIndex: 0, committedOffset: 9007199254740993n, committedMetadata: '' }]);
});

const commitAnswer = (errorCode: () => number): FakeAnswer => (request) => ({
  topics: (request.body.topics as Struct[]).map((t) => ({
    name: t.name,
    partitions: (t.partitions as Struct[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorCode() })),
  })),
});

test('alterOffsetsRetriesWhenTheCoordinatorMoved', async () => {
  const codes = [ErrorCode.NOT_COORDINATOR];
  const { client, groupAdmin } = fakes({ [ApiKey.OffsetCommit]: commitAnswer(() => codes.shift() ?? 0) });
  await groupAdmin.alterConsumerGroupOffsets('app', new TopicPartitionMap([[{ topic: 't', partition: 0 }, 1n]]));
  expect(client.sentOf(ApiKey.OffsetCommit)).toHaveLength(2);
  expect(client.sentOf(ApiKey.FindCoordinator)).toHaveLength(2);
});

test('alterOffsetsReportsAPartitionError', async () => {
  const { groupAdmin } = fakes({ [ApiKey.OffsetCommit]: commitAnswer(() => 25) });
  await expect(
    groupAdmin.alterConsumerGroupOffsets('app', new TopicPartitionMap([[{ topic: 't', partition: 0 }, 1n]])),
  ).rejects.toEqual(new KafkaApiError(25));
});

test('deleteGroupsReportsEachGroup', async () => {
  const { client, groupAdmin } = fakes();
  const results = await groupAdmin.deleteConsumerGroups(['offsets-only', 'app']);
  expect(results.get('offsets-only')).toBeNull();
  expect(String(results.get('app'))).toBe('org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.');
  expect(to(client.sentOf(ApiKey.DeleteGroups))).toEqual([2, 2]);
});

test('deleteOffsetsSendsOffsetDeleteToTheCoordinator', async () => {
  const { client, groupAdmin } = fakes();
  const result = await groupAdmin.deleteConsumerGroupOffsets('app', [
    { topic: 't', partition: 0 },
    { topic: 't', partition: 1 },
    { topic: 'u', partition: 0 },
  ]);
  const sent = client.sentOf(ApiKey.OffsetDelete);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ nodeId: COORDINATOR, apiVersion: 0 });
  expect(sent[0]!.body).toEqual({
    groupId: 'app',
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] },
      { name: 'u', partitions: [{ partitionIndex: 0 }] },
    ],
  });
  expect(result.errorCode).toBe(0);
  expect(result.partitions.entries()).toEqual([
    [{ topic: 't', partition: 0 }, 0],
    [{ topic: 't', partition: 1 }, 86],
    [{ topic: 'u', partition: 0 }, 0],
  ]);
});

test('deleteOffsetsGivesTheGroupErrorAndRetriesACoordinatorError', async () => {
  const codes = [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.GROUP_ID_NOT_FOUND];
  const { client, groupAdmin } = fakes({ [ApiKey.OffsetDelete]: () => ({ errorCode: codes.shift(), topics: [] }) });
  const result = await groupAdmin.deleteConsumerGroupOffsets('nobody', [{ topic: 't', partition: 0 }]);
  expect(result.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  expect(client.sentOf(ApiKey.OffsetDelete)).toHaveLength(2);
});

test('deleteOffsetsNeedsABrokerThatHasIt', async () => {
  const { client, groupAdmin } = fakes({ [ApiKey.ApiVersions]: () => ({ errorCode: 0, apiKeys: [] }) });
  await expect(groupAdmin.deleteConsumerGroupOffsets('app', [])).rejects.toThrow('The broker does not support OFFSET_DELETE');
  expect(client.sentOf(ApiKey.OffsetDelete)).toHaveLength(0);
});

test('closeClosesTheClient', async () => {
  const { client, groupAdmin } = fakes();
  let closed = 0;
  client.close = () => {
    closed += 1;
  };
  await groupAdmin.close();
  expect(closed).toBe(1);
});
