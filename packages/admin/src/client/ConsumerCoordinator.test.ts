import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { ConsumerCoordinator, NO_GENERATION } from './ConsumerCoordinator';
import { decodeMemberAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './ConsumerProtocol';
import { FakeClusterClient, type FakeClusterState, type SentRequest } from './testing/FakeClusterClient';

/**
 * The membership state machine against a scripted coordinator: each JoinGroup, SyncGroup and
 * Heartbeat is answered by the next scripted answer of its API (else the default: success), and
 * FindCoordinator names the broker in `coordinatorIds` (the next one after each lookup).
 */
class FakeCoordinator {
  readonly script = new Map<number, Array<(request: SentRequest) => Struct>>();
  coordinatorIds = [1];
  readonly client: FakeClusterClient;

  constructor() {
    const state: FakeClusterState = {
      brokers: [0, 1],
      controllerId: 0,
      topics: new Map([['t', [0, 1, 2, 3].map((partition) => ({ partition, leader: 0, replicas: [0], isr: [0] }))]]),
    };
    this.client = new FakeClusterClient(state, (request) => this.answer(request));
  }

  then(apiKey: number, ...answers: Array<(request: SentRequest) => Struct>): this {
    this.script.set(apiKey, [...(this.script.get(apiKey) ?? []), ...answers]);
    return this;
  }

  sentOf(apiKey: number): SentRequest[] {
    return this.client.sentOf(apiKey);
  }

  private answer(request: SentRequest): Struct {
    if (request.apiKey === ApiKey.FindCoordinator) {
      const nodeId = this.coordinatorIds.length > 1 ? this.coordinatorIds.shift()! : this.coordinatorIds[0]!;
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId, host: '127.0.0.1', port: 9092 + nodeId };
    }
    const scripted = this.script.get(request.apiKey)?.shift();
    if (scripted !== undefined) return scripted(request);
    switch (request.apiKey) {
      case ApiKey.Heartbeat:
      case ApiKey.LeaveGroup:
        return { throttleTimeMs: 0, errorCode: 0, members: [] };
      default:
        throw new Error(`nothing scripted for api ${request.apiKey}`);
    }
  }
}

/** A JoinGroup answer: this member (`memberId`) in generation `generationId`, led by `leader`. */
const joined =
  (generationId: number, memberId: string, leader: string, members: string[] = []) =>
  (): Struct => ({
    throttleTimeMs: 0,
    errorCode: 0,
    generationId,
    protocolName: 'range',
    leader,
    memberId,
    members: members.map((m) => ({ memberId: m, groupInstanceId: null, metadata: encodeSubscription(['t']) })),
  });
const joinError = (errorCode: number, memberId = '') => (): Struct => ({
  throttleTimeMs: 0,
  errorCode,
  generationId: -1,
  protocolName: '',
  leader: '',
  memberId,
  members: [],
});
const synced = (partitions: number[]) => (): Struct => ({
  throttleTimeMs: 0,
  errorCode: 0,
  assignment: encodeAssignment(partitions.map((partition) => ({ topic: 't', partition }))),
});
/** The leader's own assignment, as the coordinator hands it back. */
const syncedAsSent = (request: SentRequest): Struct => {
  const mine = (request.body.assignments as Array<{ memberId: string; assignment: Buffer }>).find((a) => a.memberId === request.body.memberId);
  return { throttleTimeMs: 0, errorCode: 0, assignment: mine?.assignment ?? Buffer.alloc(0) };
};
const errorAnswer = (errorCode: number) => (): Struct => ({ throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) });

const members: ConsumerCoordinator[] = [];
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()));
});

function member(fake: FakeCoordinator, overrides: { groupInstanceId?: string } = {}): ConsumerCoordinator {
  const m = new ConsumerCoordinator({
    client: fake.client,
    groupId: 'g',
    groupInstanceId: overrides.groupInstanceId ?? null,
    topics: ['t'],
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    heartbeatIntervalMs: 10,
    retryBackoffMs: 1,
    requestTimeoutMs: 1000,
  });
  members.push(m);
  return m;
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in 2 s');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const partitionsOf = (tps: Array<{ partition: number }> | null) => (tps === null ? null : tps.map((tp) => tp.partition));

test('memberIdRequiredJoinsAgainWithTheGivenIdAndTheLeaderAssignsRanges', async () => {
  const fake = new FakeCoordinator()
    .then(ApiKey.JoinGroup, joinError(ErrorCode.MEMBER_ID_REQUIRED, 'm1'), joined(1, 'm1', 'm1', ['m2', 'm1', 'm3']))
    .then(ApiKey.SyncGroup, syncedAsSent);
  const m = member(fake);
  expect(m.rejoinNeeded).toBe(true);
  expect(partitionsOf(await m.ensureActiveGroup())).toEqual([0, 1]);
  expect(m.rejoinNeeded).toBe(false);
  expect(m.generation).toEqual({ generationId: 1, memberId: 'm1' });

  const joins = fake.sentOf(ApiKey.JoinGroup).map((r) => r.body);
  expect(joins.map((j) => j.memberId)).toEqual(['', 'm1']);
  const protocols = joins[1]!.protocols as Array<{ name: string; metadata: Buffer }>;
  expect(joins[1]!.protocolType).toBe('consumer');
  expect(protocols.map((p) => [p.name, decodeSubscription(p.metadata)])).toEqual([['range', ['t']]]);
  // Kafka's RangeAssignor over 4 partitions and 3 members by member id: m1 [0,1], m2 [2], m3 [3]
  const sync = fake.sentOf(ApiKey.SyncGroup)[0]!.body;
  expect(sync.generationId).toBe(1);
  const assignments = sync.assignments as Array<{ memberId: string; assignment: Buffer }>;
  expect(new Map(assignments.map((a) => [a.memberId, partitionsOf(decodeMemberAssignment(a.assignment))]))).toEqual(
    new Map([
      ['m1', [0, 1]],
      ['m2', [2]],
      ['m3', [3]],
    ]),
  );
});

test('aFollowerSendsNoAssignmentsAndHeartbeatsWithItsGeneration', async () => {
  const fake = new FakeCoordinator().then(ApiKey.JoinGroup, joined(4, 'm2', 'm1')).then(ApiKey.SyncGroup, synced([2, 3]));
  const m = member(fake);
  expect(partitionsOf(await m.ensureActiveGroup())).toEqual([2, 3]);
  expect(fake.sentOf(ApiKey.SyncGroup)[0]!.body.assignments).toEqual([]);
  await until(() => fake.sentOf(ApiKey.Heartbeat).length >= 2);
  expect(fake.sentOf(ApiKey.Heartbeat)[0]).toMatchObject({ nodeId: 1, body: { groupId: 'g', generationId: 4, memberId: 'm2' } });
  expect(m.rejoinNeeded).toBe(false);
});

test('heartbeatRebalanceInProgressRejoinsWithTheSameMemberId', async () => {
  const fake = new FakeCoordinator()
    .then(ApiKey.JoinGroup, joined(1, 'm2', 'm1'), joined(2, 'm2', 'm1'))
    .then(ApiKey.SyncGroup, synced([2, 3]), synced([1]))
    .then(ApiKey.Heartbeat, errorAnswer(ErrorCode.REBALANCE_IN_PROGRESS));
  const m = member(fake);
  await m.ensureActiveGroup();
  await until(() => m.rejoinNeeded);
  const heartbeatsBefore = fake.sentOf(ApiKey.Heartbeat).length;
  await new Promise((r) => setTimeout(r, 40));
  expect(fake.sentOf(ApiKey.Heartbeat)).toHaveLength(heartbeatsBefore); // no heartbeats while waiting to rejoin
  expect(partitionsOf(await m.ensureActiveGroup())).toEqual([1]);
  expect(fake.sentOf(ApiKey.JoinGroup).map((r) => r.body.memberId)).toEqual(['', 'm2']);
  expect(m.generation).toEqual({ generationId: 2, memberId: 'm2' });
});

test.each([
  ['UNKNOWN_MEMBER_ID', ErrorCode.UNKNOWN_MEMBER_ID],
  ['ILLEGAL_GENERATION', ErrorCode.ILLEGAL_GENERATION],
])('heartbeat %s rejoins with a fresh member id', async (_name, code) => {
  const fake = new FakeCoordinator()
    .then(ApiKey.JoinGroup, joined(1, 'm2', 'm1'), joined(3, 'm9', 'm1'))
    .then(ApiKey.SyncGroup, synced([2, 3]), synced([3]))
    .then(ApiKey.Heartbeat, errorAnswer(code));
  const m = member(fake);
  await m.ensureActiveGroup();
  await until(() => m.rejoinNeeded);
  expect(m.generation).toEqual(NO_GENERATION);
  expect(partitionsOf(await m.ensureActiveGroup())).toEqual([3]);
  expect(fake.sentOf(ApiKey.JoinGroup).map((r) => r.body.memberId)).toEqual(['', '']);
  expect(m.generation).toEqual({ generationId: 3, memberId: 'm9' });
});

test('heartbeatNotCoordinatorFindsTheCoordinatorAgainWithoutRejoining', async () => {
  const fake = new FakeCoordinator().then(ApiKey.JoinGroup, joined(1, 'm2', 'm1')).then(ApiKey.SyncGroup, synced([0])).then(ApiKey.Heartbeat, errorAnswer(ErrorCode.NOT_COORDINATOR));
  fake.coordinatorIds = [1, 0];
  const m = member(fake);
  await m.ensureActiveGroup();
  await until(() => fake.sentOf(ApiKey.Heartbeat).some((r) => r.nodeId === 0));
  expect(fake.sentOf(ApiKey.FindCoordinator)).toHaveLength(2);
  expect(fake.sentOf(ApiKey.Heartbeat)[0]!.nodeId).toBe(1);
  expect(m.rejoinNeeded).toBe(false);
  expect(fake.sentOf(ApiKey.JoinGroup)).toHaveLength(1);
});

test('syncRebalanceInProgressJoinsAgainAndSyncUnknownMemberStartsAfresh', async () => {
  const fake = new FakeCoordinator()
    .then(ApiKey.JoinGroup, joined(1, 'm2', 'm1'), joined(2, 'm2', 'm1'), joined(3, 'm5', 'm1'))
    .then(ApiKey.SyncGroup, errorAnswer(ErrorCode.REBALANCE_IN_PROGRESS), errorAnswer(ErrorCode.UNKNOWN_MEMBER_ID), synced([1, 2]));
  const m = member(fake);
  expect(partitionsOf(await m.ensureActiveGroup())).toEqual([1, 2]);
  expect(fake.sentOf(ApiKey.JoinGroup).map((r) => r.body.memberId)).toEqual(['', 'm2', '']);
  expect(fake.sentOf(ApiKey.SyncGroup).map((r) => r.body.generationId)).toEqual([1, 2, 3]);
});

test('joinNotCoordinatorFindsTheCoordinatorAgainAndJoinsThere', async () => {
  const fake = new FakeCoordinator().then(ApiKey.JoinGroup, joinError(ErrorCode.NOT_COORDINATOR), joined(1, 'm1', 'm1', ['m1'])).then(ApiKey.SyncGroup, syncedAsSent);
  fake.coordinatorIds = [1, 0];
  const m = member(fake);
  expect(partitionsOf(await m.ensureActiveGroup())).toEqual([0, 1, 2, 3]);
  expect(fake.sentOf(ApiKey.JoinGroup).map((r) => r.nodeId)).toEqual([1, 0]);
});

test('refusalsNoRejoinCuresAreThrownAsKafkasExceptions', async () => {
  const refused = new FakeCoordinator().then(ApiKey.JoinGroup, joinError(ErrorCode.GROUP_AUTHORIZATION_FAILED));
  await expect(member(refused).ensureActiveGroup()).rejects.toThrow(/^org\.apache\.kafka\.common\.errors\.GroupAuthorizationFailedException/);

  const fenced = new FakeCoordinator().then(ApiKey.JoinGroup, joined(1, 'm1', 'm0')).then(ApiKey.SyncGroup, synced([0])).then(ApiKey.Heartbeat, errorAnswer(ErrorCode.FENCED_INSTANCE_ID));
  const m = member(fenced, { groupInstanceId: 'i1' });
  await m.ensureActiveGroup();
  await until(() => {
    try {
      return m.rejoinNeeded && false;
    } catch {
      return true;
    }
  });
  expect(() => m.rejoinNeeded).toThrow(/FencedInstanceIdException/);
});

test('closeLeavesTheGroupAsADynamicMemberOnly', async () => {
  const dynamicFake = new FakeCoordinator().then(ApiKey.JoinGroup, joined(1, 'm2', 'm1')).then(ApiKey.SyncGroup, synced([0]));
  const dynamic = member(dynamicFake);
  await dynamic.ensureActiveGroup();
  await dynamic.close();
  expect(dynamicFake.sentOf(ApiKey.LeaveGroup).map((r) => r.body)).toEqual([{ groupId: 'g', members: [{ memberId: 'm2', groupInstanceId: null }] }]);
  const heartbeats = dynamicFake.sentOf(ApiKey.Heartbeat).length;
  await new Promise((r) => setTimeout(r, 40));
  expect(dynamicFake.sentOf(ApiKey.Heartbeat)).toHaveLength(heartbeats);

  const staticFake = new FakeCoordinator().then(ApiKey.JoinGroup, joined(1, 'm2', 'm1')).then(ApiKey.SyncGroup, synced([0]));
  const staticMember = member(staticFake, { groupInstanceId: 'instance-1' });
  await staticMember.ensureActiveGroup();
  expect(staticFake.sentOf(ApiKey.JoinGroup)[0]!.body.groupInstanceId).toBe('instance-1');
  await staticMember.close();
  expect(staticFake.sentOf(ApiKey.LeaveGroup)).toEqual([]);
});

test('anAbortEndsAJoinTheCoordinatorIsHolding', async () => {
  // the coordinator holds the JoinGroup (waiting for other members) and never answers
  const fake = new FakeCoordinator().then(ApiKey.JoinGroup, () => new Promise<never>(() => undefined) as unknown as Struct);
  const m = member(fake);
  const stop = new AbortController();
  const joining = m.ensureActiveGroup(stop.signal);
  await until(() => fake.sentOf(ApiKey.JoinGroup).length === 1);
  stop.abort();
  expect(await joining).toBeNull();
  expect(m.rejoinNeeded).toBe(true);
});
