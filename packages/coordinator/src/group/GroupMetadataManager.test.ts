import { topicPartitionKey } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import {
  Answer,
  heartbeat,
  join,
  settle,
  stableGroup,
  startCoordinator,
  sync,
  type Harness,
} from './testing/coordinatorHarness';
import { MockCoordinatorTimer } from './testing/MockCoordinatorTimer';

const E = ErrorCode;
const G = 'group';

function commit(
  h: Harness,
  groupId: string,
  memberId: string,
  generation: number,
  topic: string,
  partition: number,
  offset: number,
): Answer<Map<string, number>> {
  const answer = new Answer<Map<string, number>>();
  const o = { offset, leaderEpoch: 3, metadata: 'm', commitTimestamp: h.timer.now(), expireTimestamp: null };
  h.coordinator.handleCommitOffsets(
    groupId,
    memberId,
    null,
    generation,
    new Map([[topicPartitionKey({ topic, partition }), { tp: { topic, partition }, offsetAndMetadata: o }]]),
    answer.callback,
  );
  return answer;
}

const fetchedOffset = (h: Harness, groupId: string, topic: string, partition: number) =>
  h.coordinator.handleFetchOffsets(groupId, false, [{ topic, partition }]).partitions[0].data;

describe('loading and unloading __consumer_offsets partitions', () => {
  test('aNewCoordinatorLoadsGroupsOffsetsAndTombstonesFromTheLog', async () => {
    const before = await startCoordinator();
    const { members, generation } = await stableGroup(before, G, 2);
    commit(before, G, members[0], generation, 't', 0, 10);
    commit(before, G, members[0], generation, 't', 0, 12);
    commit(before, 'simple', '', -1, 'x', 1, 4);
    commit(before, 'deleted', '', -1, 'x', 1, 8);
    await settle();
    expect(Object.fromEntries(before.coordinator.handleDeleteGroups(['deleted']))).toEqual({
      deleted: E.NONE,
    });
    await settle();

    // another broker takes over the partitions, with a clock of its own
    const after = await startCoordinator({ store: before.store, timer: new MockCoordinatorTimer(5_000_000) });
    const described = after.coordinator.handleDescribeGroup(G);
    expect(described.error).toBe(E.NONE);
    expect(described.summary.state).toBe('Stable');
    expect(described.summary.members.map((m) => m.memberId).sort()).toEqual([...members].sort());
    expect(described.summary.members.find((m) => m.memberId === members[1])!.assignment.toString()).toBe(
      `assignment-of-${members[1]}`,
    );
    expect(fetchedOffset(after, G, 't', 0)).toEqual({
      offset: 12,
      leaderEpoch: 3,
      metadata: 'm',
      error: E.NONE,
    });
    expect(fetchedOffset(after, 'simple', 'x', 1).offset).toBe(4);
    expect(fetchedOffset(after, 'deleted', 'x', 1).offset).toBe(-1);
    expect(after.coordinator.handleDescribeGroup('deleted').summary.state).toBe('Dead');
    expect(
      after.coordinator
        .handleListGroups([])
        .groups.map((g) => g.groupId)
        .sort(),
    ).toEqual([G, 'simple']);

    // the loaded members carry on with their generation …
    expect(heartbeat(after.coordinator, G, members[0], generation)).toBe(E.NONE);
    expect(sync(after.coordinator, G, members[1], generation).get().memberAssignment.toString()).toBe(
      `assignment-of-${members[1]}`,
    );
    // … and one that stops heartbeating is expired as usual
    for (let t = 0; t < 12000; t += 3000) {
      after.timer.advance(3000);
      heartbeat(after.coordinator, G, members[0], generation);
    }
    expect(heartbeat(after.coordinator, G, members[1], generation)).toBe(E.UNKNOWN_MEMBER_ID);
    expect(after.coordinator.handleDescribeGroup(G).summary.state).toBe('PreparingRebalance');

    // a commit after the load wins over the loaded one
    expect(commit(after, 'simple', '', -1, 'x', 1, 5)).toBeDefined();
    await settle();
    expect(fetchedOffset(after, 'simple', 'x', 1).offset).toBe(5);
  });

  test('groupsOfALoadingPartitionWaitWithTheErrorsKafkaGives', async () => {
    const h = await startCoordinator();
    const { members, generation } = await stableGroup(h, G, 1);
    const p = h.manager.partitionFor(G);
    h.coordinator.onResignation(p, 1);
    h.coordinator.onElection(p, 2);
    expect(h.manager.isPartitionLoading(p)).toBe(true);
    expect(join(h.coordinator, G).get().error).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    // heartbeats are answered NONE, SyncGroup tells the member to rejoin
    expect(heartbeat(h.coordinator, G, members[0], generation)).toBe(E.NONE);
    expect(sync(h.coordinator, G, members[0], generation).get().error).toBe(E.REBALANCE_IN_PROGRESS);
    expect(h.coordinator.handleFetchOffsets(G, false, null).error).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.coordinator.handleListGroups([]).error).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    await settle();
    expect(h.coordinator.handleListGroups([]).error).toBe(E.NONE);
    expect(heartbeat(h.coordinator, G, members[0], generation)).toBe(E.NONE);
  });

  test('unloadingAnswersParkedRequestsNotCoordinatorAndCancelsTheGroupTimers', async () => {
    const h = await startCoordinator();
    const { members } = await stableGroup(h, G, 2);
    const parked = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' });
    expect(parked.done).toBe(false);
    const expirationTaskOnly = 1;
    h.coordinator.onResignation(h.manager.partitionFor(G), 1);
    expect(parked.get().error).toBe(E.NOT_COORDINATOR);
    expect(h.timer.pending).toBe(expirationTaskOnly);
    expect(heartbeat(h.coordinator, G, members[1], 1)).toBe(E.NOT_COORDINATOR);
    expect(h.coordinator.handleFetchOffsets(G, false, null).error).toBe(E.NOT_COORDINATOR);
    expect(h.coordinator.handleDescribeGroup(G).error).toBe(E.NOT_COORDINATOR);
    expect(h.manager.getGroup(G)).toBeUndefined();
  });

  test('aResignationOfAnOlderEpochIsIgnoredAndAnElectionOfAnOlderEpochToo', async () => {
    const h = await startCoordinator();
    await stableGroup(h, G, 1);
    const p = h.manager.partitionFor(G);
    h.coordinator.onElection(p, 5); // already owned: nothing to load
    await settle();
    h.coordinator.onResignation(p, 3);
    expect(h.manager.isPartitionOwned(p)).toBe(true);
    h.coordinator.onResignation(p, 5);
    expect(h.manager.isPartitionOwned(p)).toBe(false);
    h.coordinator.onElection(p, 4);
    await settle();
    expect(h.manager.isPartitionOwned(p)).toBe(false);
    h.coordinator.onElection(p, 6);
    await settle();
    expect(h.manager.isPartitionOwned(p)).toBe(true);
    expect(h.coordinator.handleDescribeGroup(G).summary.state).toBe('Stable');
  });

  test('anUnloadDuringALoadLeavesThePartitionUnowned', async () => {
    const before = await startCoordinator();
    await stableGroup(before, G, 1);
    const store = before.store;
    const p = before.manager.partitionFor(G);
    const h = await startCoordinator({ store });
    h.coordinator.onResignation(p, 1);
    h.coordinator.onElection(p, 2);
    h.coordinator.onResignation(p, null);
    await settle();
    expect(h.manager.isPartitionOwned(p)).toBe(false);
    expect(h.manager.getGroup(G)).toBeUndefined();
  });

  test('shutdownAnswersParkedRequestsAndClearsEveryTimer', async () => {
    const h = await startCoordinator();
    const { members } = await stableGroup(h, G, 2);
    const parked = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' });
    await h.coordinator.shutdown();
    expect(parked.get().error).toBe(E.NOT_COORDINATOR);
    expect(h.timer.pending).toBe(0);
    expect(join(h.coordinator, 'another').get().error).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(h.coordinator.handleListGroups([]).error).toBe(E.COORDINATOR_NOT_AVAILABLE);
  });
});
