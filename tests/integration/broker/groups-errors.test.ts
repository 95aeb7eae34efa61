import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { ApiKey, encodeVersioned, ErrorCode, internalMessages, type Struct } from '@samsa/protocol';
import {
  close,
  connectZk,
  exists,
  getChildren,
  getData,
  liveTrackedProcesses,
  waitFor,
  type ZkClient,
} from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { createTopic, errorName, rawProduce, rawRequest, recordBatch } from '../../fault/support';

/**
 * The group APIs against two real brokers, with bad input: every bad request gets Kafka's error
 * code, and afterwards a kafkajs consumer group that runs through the whole suite still consumes.
 * Raw requests go to the group's coordinator (found with FindCoordinator) unless the test is about
 * asking the wrong broker. __consumer_offsets has 6 partitions of replication factor 1, so both
 * brokers coordinate some groups.
 */
jest.setTimeout(90_000);

const TOPIC = 'events';
const STEADY = 'steady';

let cluster: ClusterHandle;
let zk: ZkClient;
let kafka: Kafka;
let producer: Producer;
let consumer: Consumer;
const seen: string[] = [];
let sent = 0;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    overrides: { 'offsets.topic.num.partitions': 6, 'auto.create.topics.enable': false },
  });
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, 2, 2);
  kafka = new Kafka({
    clientId: 'groups-errors-test',
    brokers: cluster.brokers.map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  });
  // kafka-topics writes ZooKeeper; the brokers learn of the topic from the controller a little later.
  const admin = kafka.admin();
  await admin.connect();
  await waitFor(async () => (await admin.fetchTopicOffsets(TOPIC)).length === 2, {
    timeoutMs: 60_000,
    what: `${TOPIC} to be served`,
  });
  await admin.disconnect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  consumer = kafka.consumer({ groupId: STEADY, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await expectGroupStillConsumes();
});

afterAll(async () => {
  await consumer?.disconnect().catch(() => undefined);
  await producer?.disconnect().catch(() => undefined);
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

afterEach(async () => {
  for (const b of cluster.brokers)
    expect(b.output()).not.toMatch(/uncaught exception|unhandled rejection|programmer error/i);
  await expectGroupStillConsumes();
});

/** The steady group consumes a new record (it kept its members and assignment). */
async function expectGroupStillConsumes(): Promise<void> {
  const value = `still-consuming-${sent++}`;
  await producer.send({ topic: TOPIC, messages: [{ value }] });
  await waitFor(() => seen.includes(value), {
    timeoutMs: 30_000,
    what: `the ${STEADY} group to consume ${value}`,
  });
}

/** The broker coordinating `groupId`, and the other one. */
async function coordinatorOf(groupId: string): Promise<{ coordinator: BrokerHandle; other: BrokerHandle }> {
  const body = await waitFor(
    async () => {
      const r = await rawRequest(cluster.brokers[0].port, ApiKey.FindCoordinator, 2, {
        key: groupId,
        keyType: 0,
      });
      return r.errorCode === ErrorCode.NONE ? r : null;
    },
    { timeoutMs: 20_000, what: `a coordinator for ${groupId}` },
  );
  const coordinator = cluster.broker(body.nodeId);
  return { coordinator, other: cluster.brokers.find((b) => b !== coordinator)! };
}

async function at(groupId: string, apiKey: number, version: number, body: Struct): Promise<Struct> {
  const { coordinator } = await coordinatorOf(groupId);
  return rawRequest(coordinator.port, apiKey, version, body);
}

const subscription = (...topics: string[]) =>
  encodeVersioned(internalMessages.ConsumerProtocolSubscription, 0, { topics, userData: null });

function joinBody(groupId: string, extra: Struct = {}): Struct {
  return {
    groupId,
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 10000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(TOPIC) }],
    ...extra,
  };
}

/** The steady group's one member and generation, from DescribeGroups and its own JoinGroup answer. */
async function steadyMember(): Promise<{ memberId: string }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([STEADY]);
    expect(groups[0].state).toBe('Stable');
    return { memberId: groups[0].members[0].memberId };
  } finally {
    await admin.disconnect();
  }
}

test('theGroupApisAreAdvertisedWithKafka28ClientVersions', async () => {
  const body = await rawRequest(cluster.brokers[0].port, ApiKey.ApiVersions, 2, {});
  const ranges = Object.fromEntries(
    (body.apiKeys as Struct[]).map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]),
  );
  expect({
    OffsetCommit: ranges[ApiKey.OffsetCommit],
    OffsetFetch: ranges[ApiKey.OffsetFetch],
    FindCoordinator: ranges[ApiKey.FindCoordinator],
    JoinGroup: ranges[ApiKey.JoinGroup],
    Heartbeat: ranges[ApiKey.Heartbeat],
    LeaveGroup: ranges[ApiKey.LeaveGroup],
    SyncGroup: ranges[ApiKey.SyncGroup],
    DescribeGroups: ranges[ApiKey.DescribeGroups],
    ListGroups: ranges[ApiKey.ListGroups],
    DeleteGroups: ranges[ApiKey.DeleteGroups],
    OffsetDelete: ranges[ApiKey.OffsetDelete],
  }).toEqual({
    OffsetCommit: [0, 7],
    OffsetFetch: [0, 7],
    FindCoordinator: [0, 2],
    JoinGroup: [0, 5],
    Heartbeat: [0, 3],
    LeaveGroup: [0, 3],
    SyncGroup: [0, 3],
    DescribeGroups: [0, 4],
    ListGroups: [0, 2],
    DeleteGroups: [0, 1],
    OffsetDelete: [0, 0],
  });
});

test('theOffsetsTopicWasCreatedOnTheFirstFindCoordinatorAsACompactedTopic', async () => {
  const config = JSON.parse((await getData(zk, '/config/topics/__consumer_offsets')).data!.toString());
  expect(config.config).toEqual({
    'cleanup.policy': 'compact',
    'compression.type': 'producer',
    'segment.bytes': '104857600',
  });
  const assignment = JSON.parse((await getData(zk, '/brokers/topics/__consumer_offsets')).data!.toString());
  expect(Object.keys(assignment.partitions)).toHaveLength(6);
  // FindCoordinator v0 (kafka-python) has no key type; transactions have no coordinator here
  const v0 = await rawRequest(cluster.brokers[1].port, ApiKey.FindCoordinator, 0, { key: STEADY });
  expect(errorName(v0.errorCode)).toBe('NONE');
  expect(cluster.broker(v0.nodeId).port).toBe(v0.port);
  const txn = await rawRequest(cluster.brokers[0].port, ApiKey.FindCoordinator, 2, { key: 'tx', keyType: 1 });
  expect(errorName(txn.errorCode)).toBe('COORDINATOR_NOT_AVAILABLE');
  expect(txn.nodeId).toBe(-1);
});

test('clientsCannotWriteToTheOffsetsTopic', async () => {
  const { coordinator } = await coordinatorOf(STEADY);
  const p = await waitFor(
    async () => {
      const body = await rawRequest(coordinator.port, ApiKey.Metadata, 1, {
        topics: [{ name: '__consumer_offsets' }],
      });
      return (body.topics[0].partitions as Struct[]).find((x) => x.leaderId === coordinator.brokerId);
    },
    { what: 'an offsets partition led by the coordinator' },
  );
  const r = await rawProduce(
    coordinator.port,
    '__consumer_offsets',
    p.partitionIndex,
    recordBatch(['garbage']),
  );
  expect(errorName(r.errorCode)).toBe('INVALID_TOPIC_EXCEPTION');
});

test('joinGroupBadInputGetsKafkaErrorCodes', async () => {
  const { other } = await coordinatorOf(STEADY);
  const join = (groupId: string, extra: Struct = {}, version = 5) =>
    at(groupId, ApiKey.JoinGroup, version, joinBody(groupId, extra));
  expect(errorName((await rawRequest(other.port, ApiKey.JoinGroup, 5, joinBody('', {}))).errorCode)).toBe(
    'INVALID_GROUP_ID',
  );
  expect(errorName((await join('fresh', { sessionTimeoutMs: 1000 })).errorCode)).toBe(
    'INVALID_SESSION_TIMEOUT',
  );
  expect(errorName((await join('fresh', { sessionTimeoutMs: 1_800_001 })).errorCode)).toBe(
    'INVALID_SESSION_TIMEOUT',
  );
  expect(errorName((await join('nobody-here', { memberId: 'ghost' })).errorCode)).toBe('UNKNOWN_MEMBER_ID');
  expect(errorName((await join(STEADY, { protocolType: 'connect' })).errorCode)).toBe(
    'INCONSISTENT_GROUP_PROTOCOL',
  );
  expect(errorName((await rawRequest(other.port, ApiKey.JoinGroup, 5, joinBody(STEADY))).errorCode)).toBe(
    'NOT_COORDINATOR',
  );
  // v4+: a member without id is handed one to come back with (KIP-394); v3 joins at once
  const required = await join('fresh');
  expect(errorName(required.errorCode)).toBe('MEMBER_ID_REQUIRED');
  expect(required.memberId).toMatch(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('heartbeatAndSyncWithStaleIdentitiesAreRefused', async () => {
  const { memberId } = await steadyMember();
  const hb = (member: string, generationId: number) =>
    at(STEADY, ApiKey.Heartbeat, 3, {
      groupId: STEADY,
      generationId,
      memberId: member,
      groupInstanceId: null,
    });
  expect(errorName((await hb('ghost', 1)).errorCode)).toBe('UNKNOWN_MEMBER_ID');
  expect(errorName((await hb(memberId, 9999)).errorCode)).toBe('ILLEGAL_GENERATION');
  const sync = await at(STEADY, ApiKey.SyncGroup, 3, {
    groupId: STEADY,
    generationId: 9999,
    memberId,
    groupInstanceId: null,
    assignments: [],
  });
  expect(errorName(sync.errorCode)).toBe('ILLEGAL_GENERATION');
  expect(
    errorName((await at(STEADY, ApiKey.Heartbeat, 0, { groupId: '', generationId: 1, memberId })).errorCode),
  ).toBe('INVALID_GROUP_ID');
});

test('aStaticMemberPresentingAnotherMemberIdIsFenced', async () => {
  const group = 'statics';
  const joined = await at(group, ApiKey.JoinGroup, 5, joinBody(group, { groupInstanceId: 'instance-1' }));
  expect(errorName(joined.errorCode)).toBe('NONE');
  expect(joined.leader).toBe(joined.memberId);
  const synced = await at(group, ApiKey.SyncGroup, 3, {
    groupId: group,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: 'instance-1',
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('mine') }],
  });
  expect(errorName(synced.errorCode)).toBe('NONE');
  expect(Buffer.from(synced.assignment).toString()).toBe('mine');
  const fenced = await at(group, ApiKey.Heartbeat, 3, {
    groupId: group,
    generationId: joined.generationId,
    memberId: 'impostor',
    groupInstanceId: 'instance-1',
  });
  expect(errorName(fenced.errorCode)).toBe('FENCED_INSTANCE_ID');
  const left = await at(group, ApiKey.LeaveGroup, 3, {
    groupId: group,
    members: [
      { memberId: joined.memberId, groupInstanceId: 'instance-1' },
      { memberId: 'ghost', groupInstanceId: null },
    ],
  });
  expect(left.members.map((m: Struct) => errorName(m.errorCode))).toEqual(['NONE', 'UNKNOWN_MEMBER_ID']);
});

test('offsetCommitBadInputGetsKafkaErrorCodesPerPartition', async () => {
  const group = 'standalone';
  const commit = (partitions: [string, number, string][], extra: Struct = {}) =>
    at(group, ApiKey.OffsetCommit, 7, {
      groupId: group,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [...new Set(partitions.map((p) => p[0]))].map((name) => ({
        name,
        partitions: partitions
          .filter((p) => p[0] === name)
          .map(([, partitionIndex, committedMetadata]) => ({
            partitionIndex,
            committedOffset: 17,
            committedLeaderEpoch: -1,
            committedMetadata,
          })),
      })),
      ...extra,
    });
  const r = await commit([
    ['nope', 0, ''],
    [TOPIC, 7, ''],
    [TOPIC, 0, 'x'.repeat(5000)],
    [TOPIC, 1, 'fine'],
  ]);
  expect(
    r.topics.flatMap((t: Struct) =>
      t.partitions.map((p: Struct) => `${t.name}-${p.partitionIndex} ${errorName(p.errorCode)}`),
    ),
  ).toEqual([
    'nope-0 UNKNOWN_TOPIC_OR_PARTITION',
    `${TOPIC}-7 UNKNOWN_TOPIC_OR_PARTITION`,
    `${TOPIC}-0 OFFSET_METADATA_TOO_LARGE`,
    `${TOPIC}-1 NONE`,
  ]);
  // fetched back: v5 for all partitions (topics null), v1 per partition (errors would be per partition)
  const all = await at(group, ApiKey.OffsetFetch, 5, { groupId: group, topics: null });
  expect(errorName(all.errorCode)).toBe('NONE');
  expect(all.topics).toEqual([
    {
      name: TOPIC,
      partitions: [
        { partitionIndex: 1, committedOffset: 17, committedLeaderEpoch: -1, metadata: 'fine', errorCode: 0 },
      ],
    },
  ]);
  const v1 = await at(group, ApiKey.OffsetFetch, 1, {
    groupId: group,
    topics: [{ name: TOPIC, partitionIndexes: [0, 1] }],
  });
  expect(v1.topics[0].partitions.map((p: Struct) => [p.partitionIndex, p.committedOffset])).toEqual([
    [0, -1],
    [1, 17],
  ]);
  // a member of the steady group with a generation that is not the current one
  const { memberId } = await steadyMember();
  const stale = await at(STEADY, ApiKey.OffsetCommit, 5, {
    groupId: STEADY,
    generationId: 9999,
    memberId,
    topics: [
      { name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: null }] },
    ],
  });
  expect(errorName(stale.topics[0].partitions[0].errorCode)).toBe('ILLEGAL_GENERATION');
  const { other } = await coordinatorOf(group);
  const notHere = await rawRequest(other.port, ApiKey.OffsetFetch, 5, { groupId: group, topics: null });
  expect(errorName(notHere.errorCode)).toBe('NOT_COORDINATOR');
});

test('offsetCommitV0AndOffsetFetchV0UseZooKeeperAsKafka2Does', async () => {
  const group = 'zk-group';
  const r = await rawRequest(cluster.brokers[0].port, ApiKey.OffsetCommit, 0, {
    groupId: group,
    topics: [
      { name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: '' }] },
    ],
  });
  expect(errorName(r.topics[0].partitions[0].errorCode)).toBe('NONE');
  expect((await getData(zk, `/consumers/${group}/offsets/${TOPIC}/0`)).data!.toString()).toBe('42');
  const f = await rawRequest(cluster.brokers[1].port, ApiKey.OffsetFetch, 0, {
    groupId: group,
    topics: [{ name: TOPIC, partitionIndexes: [0, 1] }],
  });
  expect(
    f.topics[0].partitions.map((p: Struct) => [p.partitionIndex, p.committedOffset, errorName(p.errorCode)]),
  ).toEqual([
    [0, 42, 'NONE'],
    [1, -1, 'UNKNOWN_TOPIC_OR_PARTITION'],
  ]);
});

test('deleteGroupsAndOffsetDeleteAnswerPerGroupAndPartition', async () => {
  const deleteGroup = async (groupId: string) =>
    errorName((await at(groupId, ApiKey.DeleteGroups, 1, { groupsNames: [groupId] })).results[0].errorCode);
  expect(await deleteGroup(STEADY)).toBe('NON_EMPTY_GROUP');
  expect(await deleteGroup('never-used')).toBe('GROUP_ID_NOT_FOUND');
  await at('to-delete', ApiKey.OffsetCommit, 2, {
    groupId: 'to-delete',
    generationId: -1,
    memberId: '',
    retentionTimeMs: -1,
    topics: [
      { name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 3, committedMetadata: null }] },
    ],
  });
  expect(await deleteGroup('to-delete')).toBe('NONE');
  const gone = await at('to-delete', ApiKey.OffsetFetch, 5, {
    groupId: 'to-delete',
    topics: [{ name: TOPIC, partitionIndexes: [0] }],
  });
  expect(gone.topics[0].partitions[0].committedOffset).toBe(-1);

  const del = await at(STEADY, ApiKey.OffsetDelete, 0, {
    groupId: STEADY,
    topics: [
      { name: TOPIC, partitions: [{ partitionIndex: 0 }] },
      { name: 'nope', partitions: [{ partitionIndex: 0 }] },
    ],
  });
  expect(errorName(del.errorCode)).toBe('NONE');
  expect(
    del.topics
      .flatMap((t: Struct) =>
        t.partitions.map((p: Struct) => `${t.name}-${p.partitionIndex} ${errorName(p.errorCode)}`),
      )
      .sort(),
  ).toEqual([`${TOPIC}-0 GROUP_SUBSCRIBED_TO_TOPIC`, 'nope-0 UNKNOWN_TOPIC_OR_PARTITION']);
  expect(
    errorName(
      (await at('never-used', ApiKey.OffsetDelete, 0, { groupId: 'never-used', topics: [] })).errorCode,
    ),
  ).toBe('GROUP_ID_NOT_FOUND');
});

test('kafkajsAdminListsAndDescribesTheGroups', async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    expect(groups).toEqual(expect.arrayContaining([{ groupId: STEADY, protocolType: 'consumer' }]));
    const described = (await admin.describeGroups([STEADY, 'never-used'])).groups;
    expect(described.map((g) => [g.groupId, g.state, g.protocol, g.members.length])).toEqual([
      [STEADY, 'Stable', 'RoundRobinAssigner', 1],
      ['never-used', 'Dead', '', 0],
    ]);
    expect(described[0].members[0].clientHost).toBe('/127.0.0.1');
  } finally {
    await admin.disconnect();
  }
});

describe('with fewer live brokers than offsets.topic.replication.factor', () => {
  let small: ClusterHandle;
  let smallZk: ZkClient;
  beforeAll(async () => {
    small = await startCluster({ brokers: 1, overrides: { 'offsets.topic.replication.factor': 3 } });
    smallZk = await connectZk(small.zkConnect);
  });
  afterAll(async () => {
    if (smallZk) await close(smallZk);
    await small?.stop();
  });

  test('findCoordinatorAnswersCoordinatorNotAvailableAndCreatesNoTopic', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await rawRequest(small.brokers[0].port, ApiKey.FindCoordinator, 2, { key: 'g', keyType: 0 });
      expect(errorName(r.errorCode)).toBe('COORDINATOR_NOT_AVAILABLE');
    }
    expect(await exists(smallZk, '/brokers/topics/__consumer_offsets')).toBeNull();
    expect(await getChildren(smallZk, '/brokers/topics')).toEqual([]);
  });
});
