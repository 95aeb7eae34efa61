import { TopicPartitionMap } from '@samsa/common';
import {
  ApiKey,
  encodeVersioned,
  ErrorCode,
  internalMessages,
  Reader,
  requestCodec,
  responseCodec,
  Writer,
} from '@samsa/protocol';
import { KafkaJSDeleteGroupsError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { KafkaApiError, NotConsumerGroupError } from './GroupErrors';
import { kafkaJsApiError, KafkaJsGroupAdmin, type KafkaJsAdminLike } from './KafkaJsGroupAdmin';
import type { KafkaJsBroker, KafkaJsCluster } from './kafkajsCoordinator';

/**
 * The kafkajs adapter against stand-ins for kafkajs 2.2.4's Admin and its cluster/broker objects,
 * answering with the shapes kafkajs returns (from its typings and response decoders).
 */
const assignment = (topics: Array<[string, number[]]>): Buffer =>
  encodeVersioned(internalMessages.ConsumerProtocolAssignment, 0, {
    assignedPartitions: topics.map(([topic, partitions]) => ({ topic, partitions })),
    userData: null,
  });

/** kafkajs' protocol error for a code (its table gives type and message). */
const protocolError = (code: number, type: string): KafkaJSProtocolError =>
  new KafkaJSProtocolError({ message: type, type, code, retriable: false } as unknown as Error);

interface Sent {
  request: { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> };
  response: { decode(payload: Buffer): Promise<unknown>; parse(decoded: unknown): Promise<unknown> };
}

function fakes(overrides: Partial<KafkaJsAdminLike> = {}) {
  const calls: Array<[string, unknown]> = [];
  const admin: KafkaJsAdminLike = {
    connect: async () => void calls.push(['connect', undefined]),
    disconnect: async () => void calls.push(['disconnect', undefined]),
    listGroups: async () => ({
      groups: [
        { groupId: 'app', protocolType: 'consumer' },
        { groupId: 'connect-cluster', protocolType: 'connect' },
        { groupId: 'offsets-only', protocolType: '' },
      ],
    }),
    describeGroups: async (groupIds) => {
      calls.push(['describeGroups', groupIds]);
      const all = [
        {
          groupId: 'offsets-only',
          members: [],
          protocol: '',
          protocolType: '',
          state: 'Empty' as const,
        },
        {
          groupId: 'app',
          protocol: 'RoundRobinAssigner',
          protocolType: 'consumer',
          state: 'Stable' as const,
          members: [
            {
              memberId: 'm-1',
              clientId: 'c-1',
              clientHost: '/10.0.0.1',
              memberMetadata: Buffer.alloc(0),
              memberAssignment: assignment([['t', [1, 0]]]),
            },
            {
              memberId: 'm-2',
              clientId: 'c-2',
              clientHost: '/10.0.0.2',
              memberMetadata: Buffer.alloc(0),
              memberAssignment: Buffer.alloc(0),
            },
          ],
        },
        {
          groupId: 'connect-cluster',
          members: [],
          protocol: 'sessioned',
          protocolType: 'connect',
          state: 'Stable' as const,
        },
      ];
      return { groups: all.filter((g) => groupIds.includes(g.groupId)) };
    },
    fetchOffsets: async (request) => {
      calls.push(['fetchOffsets', request]);
      return [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: '17', metadata: null },
            { partition: 1, offset: '-1', metadata: null },
          ],
        },
      ];
    },
    fetchTopicOffsets: async (topic) => {
      calls.push(['fetchTopicOffsets', topic]);
      return [
        { partition: 0, offset: '30', high: '30', low: '2' },
        { partition: 1, offset: '9007199254740993', high: '9007199254740993', low: '0' },
      ];
    },
    fetchTopicOffsetsByTimestamp: async (topic, timestamp) => {
      calls.push(['fetchTopicOffsetsByTimestamp', [topic, timestamp]]);
      return [
        { partition: 0, offset: '12' },
        { partition: 1, offset: '5' },
      ];
    },
    fetchTopicMetadata: async (request) => {
      const topic = request?.topics[0];
      if (topic === 'gone')
        throw new KafkaJSNumberOfRetriesExceeded(protocolError(3, 'UNKNOWN_TOPIC_OR_PARTITION'), {
          retryCount: 2,
          retryTime: 100,
        });
      return {
        topics: [
          {
            name: topic!,
            partitions: [1, 0].map((partitionId) => ({
              partitionErrorCode: 0,
              partitionId,
              leader: 0,
              replicas: [0],
              isr: [0],
              offlineReplicas: [],
            })),
          },
        ],
      };
    },
    deleteGroups: async (groupIds) => {
      calls.push(['deleteGroups', groupIds]);
      throw new KafkaJSDeleteGroupsError('Error in DeleteGroups', [
        { groupId: 'app', errorCode: ErrorCode.NON_EMPTY_GROUP, error: protocolError(68, 'NON_EMPTY_GROUP') },
      ]);
    },
    ...overrides,
  };
  const sent: Sent[] = [];
  let offsetDeleteAnswer = (body: Record<string, unknown>): Record<string, unknown> => ({
    errorCode: 0,
    throttleTimeMs: 0,
    topics: (body.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>).map(
      (t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: p.partitionIndex === 1 ? 86 : 0,
        })),
      }),
    ),
  });
  const broker: KafkaJsBroker = {
    versions: { [ApiKey.OffsetDelete]: { minVersion: 0, maxVersion: 0 } },
    connectionPool: {
      send: async (protocolRequest) => {
        const request = protocolRequest as unknown as Sent;
        sent.push(request);
        const encoder = await request.request.encode();
        const body = requestCodec(ApiKey.OffsetDelete, 0).decode(new Reader(encoder.buffer));
        const w = new Writer();
        responseCodec(ApiKey.OffsetDelete, 0).encode(w, offsetDeleteAnswer(body));
        return protocolRequest.response.parse(await protocolRequest.response.decode(w.toBuffer()));
      },
    },
    offsetCommit: async (request) => void calls.push(['offsetCommit', request]),
  };
  // As kafkajs's cluster: connected, it knows only the seed broker until metadata is refreshed.
  let brokersKnown = false;
  const cluster: KafkaJsCluster = {
    connect: async () => void calls.push(['cluster.connect', undefined]),
    refreshMetadata: async () => {
      brokersKnown = true;
    },
    disconnect: async () => void calls.push(['cluster.disconnect', undefined]),
    findGroupCoordinatorMetadata: async ({ groupId }) => {
      if (!brokersKnown) throw new Error('No brokers in the broker pool');
      calls.push(['findGroupCoordinatorMetadata', groupId]);
      return { coordinator: { nodeId: 2, host: 'broker-2', port: 29092 } };
    },
    findGroupCoordinator: async ({ groupId }) => {
      calls.push(['findGroupCoordinator', groupId]);
      return broker;
    },
  };
  const groupAdmin = new KafkaJsGroupAdmin('b1:9092, b2:9092', 5000, { admin, createCluster: () => cluster });
  return {
    groupAdmin,
    calls,
    sent,
    broker,
    answerOffsetDelete: (f: typeof offsetDeleteAnswer) => (offsetDeleteAnswer = f),
  };
}

test('listKeepsConsumerAndOffsetOnlyGroups', async () => {
  const { groupAdmin } = fakes();
  expect(await groupAdmin.listConsumerGroups()).toEqual([{ groupId: 'app' }, { groupId: 'offsets-only' }]);
  expect(await groupAdmin.listConsumerGroups({ withState: true })).toEqual([
    { groupId: 'app', state: 'Stable' },
    { groupId: 'offsets-only', state: 'Empty' },
  ]);
});

test('describeDecodesAssignmentsAndFindsTheCoordinator', async () => {
  const { groupAdmin, calls } = fakes();
  const [app, unknown] = await groupAdmin.describeConsumerGroups(['app', 'offsets-only']);
  expect(app).toEqual({
    groupId: 'app',
    partitionAssignor: 'RoundRobinAssigner',
    state: 'Stable',
    coordinator: { id: 2, host: 'broker-2', port: 29092 },
    members: [
      {
        consumerId: 'm-1',
        groupInstanceId: null,
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
  expect(unknown.state).toBe('Empty');
  expect(calls.filter(([n]) => n === 'findGroupCoordinatorMetadata').map(([, g]) => g)).toEqual([
    'app',
    'offsets-only',
  ]);
});

test('describeRefusesAGroupOfAnotherProtocolType', async () => {
  const { groupAdmin } = fakes();
  await expect(groupAdmin.describeConsumerGroups(['connect-cluster'])).rejects.toEqual(
    new NotConsumerGroupError('connect-cluster', 'connect'),
  );
});

test('describeErrorsBecomeKafkaApiErrors', async () => {
  const { groupAdmin } = fakes({
    describeGroups: async () => {
      throw new KafkaJSNumberOfRetriesExceeded(protocolError(15, 'GROUP_COORDINATOR_NOT_AVAILABLE'), {
        retryCount: 3,
        retryTime: 1,
      });
    },
  });
  const error = await groupAdmin.describeConsumerGroups(['app']).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KafkaApiError);
  expect(String(error)).toBe(
    'org.apache.kafka.common.errors.CoordinatorNotAvailableException: The coordinator is not available.',
  );
});

test('committedOffsetsLeaveOutPartitionsWithoutOne', async () => {
  const { groupAdmin, calls } = fakes();
  expect((await groupAdmin.listConsumerGroupOffsets('app')).entries()).toEqual([
    [{ topic: 't', partition: 0 }, 17n],
  ]);
  expect(calls).toContainEqual(['fetchOffsets', { groupId: 'app' }]);
});

test('listOffsetsAsksThePartitionLeadersPerTopic', async () => {
  const { groupAdmin, calls } = fakes();
  const one = [{ topic: 't', partition: 1 }];
  expect((await groupAdmin.listOffsets(one, { kind: 'latest' })).entries()).toEqual([
    [one[0], 9007199254740993n],
  ]);
  expect((await groupAdmin.listOffsets(one, { kind: 'earliest' })).entries()).toEqual([[one[0], 0n]]);
  expect((await groupAdmin.listOffsets(one, { kind: 'timestamp', timestampMs: 1234 })).entries()).toEqual([
    [one[0], 5n],
  ]);
  expect((await groupAdmin.listOffsets([{ topic: 't', partition: 7 }], { kind: 'latest' })).size).toBe(0);
  expect(calls).toContainEqual(['fetchTopicOffsetsByTimestamp', ['t', 1234]]);
  const before = calls.length;
  expect((await groupAdmin.listOffsets([], { kind: 'latest' })).size).toBe(0);
  expect(calls.length).toBe(before);
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
  const { groupAdmin, calls } = fakes();
  await groupAdmin.alterConsumerGroupOffsets(
    'app',
    new TopicPartitionMap([
      [{ topic: 't', partition: 0 }, 5n],
      [{ topic: 'u', partition: 2 }, 9007199254740993n],
      [{ topic: 't', partition: 1 }, 6n],
    ]),
  );
  expect(calls).toContainEqual(['findGroupCoordinator', 'app']);
  expect(calls).toContainEqual([
    'offsetCommit',
    {
      groupId: 'app',
      groupGenerationId: -1,
      memberId: '',
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: '5', metadata: '' },
            { partition: 1, offset: '6', metadata: '' },
          ],
        },
        { topic: 'u', partitions: [{ partition: 2, offset: '9007199254740993', metadata: '' }] },
      ],
    },
  ]);
});

test('alterOffsetsRetriesWhenTheCoordinatorMoved', async () => {
  const { groupAdmin, calls, broker } = fakes();
  let attempts = 0;
  broker.offsetCommit = async () => {
    attempts += 1;
    if (attempts === 1) throw protocolError(16, 'NOT_COORDINATOR_FOR_GROUP');
  };
  await groupAdmin.alterConsumerGroupOffsets(
    'app',
    new TopicPartitionMap([[{ topic: 't', partition: 0 }, 1n]]),
  );
  expect(attempts).toBe(2);
  expect(calls.filter(([n]) => n === 'findGroupCoordinator')).toHaveLength(2);
});

test('alterOffsetsReportsAPartitionError', async () => {
  const { groupAdmin, broker } = fakes();
  broker.offsetCommit = async () => {
    throw protocolError(25, 'UNKNOWN_MEMBER_ID');
  };
  await expect(
    groupAdmin.alterConsumerGroupOffsets('app', new TopicPartitionMap([[{ topic: 't', partition: 0 }, 1n]])),
  ).rejects.toEqual(new KafkaApiError(25));
});

test('deleteGroupsReportsEachGroup', async () => {
  const { groupAdmin } = fakes();
  const results = await groupAdmin.deleteConsumerGroups(['offsets-only', 'app']);
  expect(results.get('offsets-only')).toBeNull();
  expect(String(results.get('app'))).toBe(
    'org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.',
  );
});

test('deleteOffsetsSendsOffsetDeleteOnTheCoordinatorsConnection', async () => {
  const { groupAdmin, sent } = fakes();
  const result = await groupAdmin.deleteConsumerGroupOffsets('app', [
    { topic: 't', partition: 0 },
    { topic: 't', partition: 1 },
    { topic: 'u', partition: 0 },
  ]);
  expect(sent).toHaveLength(1);
  expect(sent[0].request).toMatchObject({ apiKey: 47, apiVersion: 0 });
  const body = requestCodec(ApiKey.OffsetDelete, 0).decode(
    new Reader((await sent[0].request.encode()).buffer),
  );
  expect(body).toEqual({
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
  const { groupAdmin, sent, answerOffsetDelete } = fakes();
  const codes = [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.GROUP_ID_NOT_FOUND];
  answerOffsetDelete(() => ({ errorCode: codes.shift(), throttleTimeMs: 0, topics: [] }));
  const result = await groupAdmin.deleteConsumerGroupOffsets('nobody', [{ topic: 't', partition: 0 }]);
  expect(result.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  expect(sent).toHaveLength(2);
});

test('deleteOffsetsNeedsABrokerThatHasIt', async () => {
  const { groupAdmin, broker } = fakes();
  (broker as { versions: KafkaJsBroker['versions'] }).versions = {};
  await expect(groupAdmin.deleteConsumerGroupOffsets('app', [])).rejects.toThrow(
    'The broker does not support OFFSET_DELETE',
  );
});

test('closeDisconnectsWhatWasConnected', async () => {
  const { groupAdmin, calls } = fakes();
  await groupAdmin.close();
  expect(calls).toEqual([]);
  await groupAdmin.describeConsumerGroups(['app']);
  await groupAdmin.close();
  expect(calls).toContainEqual(['disconnect', undefined]);
  expect(calls).toContainEqual(['cluster.disconnect', undefined]);
});

test('kafkaJsApiErrorFindsTheCodeInsideWrappers', () => {
  expect(kafkaJsApiError(new Error('plain'))).toBeUndefined();
  expect(kafkaJsApiError(Object.assign(new Error('socket'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  expect(kafkaJsApiError({ errors: [new Error('x'), protocolError(69, 'GROUP_ID_NOT_FOUND')] })?.code).toBe(
    69,
  );
});
