import { topicPartitionKey } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import {
  Answer,
  GROUP_CONFIG,
  heartbeat,
  join,
  leave,
  settle,
  stableGroup,
  startCoordinator,
  subscription,
  sync,
  type Harness,
} from './testing/coordinatorHarness';
import { readGroupMessageValue, readMessageKey } from './GroupMetadataRecords';
import { decodeBatches } from '@samsa/protocol';

const E = ErrorCode;
const G = 'group';

let h: Harness;
beforeEach(async () => {
  h = await startCoordinator();
});

const state = (groupId = G) => h.coordinator.handleDescribeGroup(groupId).summary.state;

/** The last metadata record written for `groupId`, loaded as a group (null: a tombstone). */
function storedGroup(groupId = G) {
  const p = h.manager.partitionFor(groupId);
  const records = h.store.batches(p).flatMap((b) => decodeBatches(b).flatMap((d) => d.records));
  const last = records
    .filter((r) => {
      const k = readMessageKey(r.key!);
      return k.kind === 'group' && k.groupId === groupId;
    })
    .pop();
  return last === undefined ? undefined : readGroupMessageValue(groupId, last.value, () => 0);
}

describe('JoinGroup and SyncGroup', () => {
  test('aDynamicMemberIsAskedForItsMemberIdThenJoinsAfterTheInitialDelayAndSyncs', async () => {
    const first = join(h.coordinator, G, { clientId: 'alpha' }).get();
    expect(first.error).toBe(E.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^alpha-[0-9a-f-]{36}$/);
    expect(state()).toBe('Empty');

    const m1 = join(h.coordinator, G, { memberId: first.memberId, clientId: 'alpha' });
    expect(m1.done).toBe(false);
    expect(state()).toBe('PreparingRebalance');
    const second = join(h.coordinator, G, { clientId: 'beta' }).get();
    const m2 = join(h.coordinator, G, { memberId: second.memberId, clientId: 'beta' });

    // the initial delay is extended once because a member arrived during it
    h.timer.advance(GROUP_CONFIG.groupInitialRebalanceDelayMs);
    expect(m1.done || m2.done).toBe(false);
    h.timer.advance(GROUP_CONFIG.groupInitialRebalanceDelayMs);
    const r1 = m1.get();
    const r2 = m2.get();
    expect([r1.error, r2.error]).toEqual([E.NONE, E.NONE]);
    expect(r1.generationId).toBe(1);
    expect(r1.protocolName).toBe('range');
    expect(r1.leaderId).toBe(first.memberId);
    expect(r1.members.map((m) => m.memberId).sort()).toEqual([first.memberId, second.memberId].sort());
    expect(r2.members).toEqual([]);
    expect(state()).toBe('CompletingRebalance');

    // members may heartbeat between JoinGroup and SyncGroup; commits wait for the assignment
    expect(heartbeat(h.coordinator, G, second.memberId, 1)).toBe(E.NONE);
    const follower = sync(h.coordinator, G, second.memberId, 1);
    expect(follower.done).toBe(false);
    const leader = sync(h.coordinator, G, first.memberId, 1, {
      [first.memberId]: 'p0',
      [second.memberId]: 'p1',
    });
    expect(leader.done).toBe(false); // stored first
    await settle();
    expect(leader.get()).toMatchObject({ error: E.NONE, protocolType: 'consumer', protocolName: 'range' });
    expect(leader.get().memberAssignment.toString()).toBe('p0');
    expect(follower.get().memberAssignment.toString()).toBe('p1');
    expect(state()).toBe('Stable');
    const stored = storedGroup()!;
    expect(stored.generationId).toBe(1);
    expect(stored.get(second.memberId).assignment.toString()).toBe('p1');

    // a SyncGroup in a Stable group answers the current assignment
    expect(sync(h.coordinator, G, second.memberId, 1).get().memberAssignment.toString()).toBe('p1');
  });

  test('aFollowerRejoiningWithTheSameMetadataGetsTheCurrentGenerationWithoutRebalance', async () => {
    const { members, generation } = await stableGroup(h, G, 2);
    const again = join(h.coordinator, G, { memberId: members[1], clientId: 'c1' }).get();
    expect(again).toMatchObject({
      error: E.NONE,
      generationId: generation,
      leaderId: members[0],
      members: [],
    });
    expect(state()).toBe('Stable');
  });

  test('theLeaderRejoiningStartsARebalanceTheOthersLearnOfByHeartbeat', async () => {
    const { members, generation } = await stableGroup(h, G, 2);
    const leaderJoin = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' });
    expect(state()).toBe('PreparingRebalance');
    expect(heartbeat(h.coordinator, G, members[1], generation)).toBe(E.REBALANCE_IN_PROGRESS);
    expect(sync(h.coordinator, G, members[1], generation).get().error).toBe(E.REBALANCE_IN_PROGRESS);
    const followerJoin = join(h.coordinator, G, { memberId: members[1], clientId: 'c1' });
    // everyone is in: no waiting for the rebalance timeout
    expect(leaderJoin.get().generationId).toBe(generation + 1);
    expect(followerJoin.get().generationId).toBe(generation + 1);
  });

  test('twoPipelinedJoinGroupsOfOneMemberAreBothAnswered', async () => {
    // kafkajs rejoins from each of its fetchers when the topic's partitions change: two JoinGroups
    // of one member in flight on one connection; Kafka answers them one after the other
    const { members, generation } = await stableGroup(h, G, 2);
    const first = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' });
    const second = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' });
    expect(state()).toBe('PreparingRebalance');
    const follower = join(h.coordinator, G, { memberId: members[1], clientId: 'c1' });
    for (const j of [first, second, follower])
      expect(j.get()).toMatchObject({ error: E.NONE, generationId: generation + 1 });
    expect(first.get()).toEqual(second.get());
  });

  test('twoPipelinedSyncGroupsOfTheLeaderAreBothAnsweredWithTheAssignment', async () => {
    const { members, generation } = await stableGroup(h, G, 1);
    const rejoin = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' }).get();
    expect(rejoin.generationId).toBe(generation + 1);
    expect(state()).toBe('CompletingRebalance');
    const assignment = { [members[0]]: 'p0-p3' };
    const first = sync(h.coordinator, G, members[0], generation + 1, assignment);
    const second = sync(h.coordinator, G, members[0], generation + 1, assignment);
    await settle();
    for (const s of [first, second]) {
      expect(s.get().error).toBe(E.NONE);
      expect(s.get().memberAssignment.toString()).toBe('p0-p3');
    }
    expect(state()).toBe('Stable');
    expect(heartbeat(h.coordinator, G, members[0], generation + 1)).toBe(E.NONE);
  });

  test('aMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsRemoved', async () => {
    const { members, generation } = await stableGroup(h, G, 2);
    const leaderJoin = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' });
    // the follower keeps heartbeating but never rejoins
    for (let t = 0; t < 18000; t += 3000) {
      h.timer.advance(3000);
      expect(heartbeat(h.coordinator, G, members[1], generation)).toBe(E.REBALANCE_IN_PROGRESS);
    }
    expect(leaderJoin.done).toBe(false);
    h.timer.advance(2000); // 20 s, the rebalance timeout
    const r = leaderJoin.get();
    expect(r.generationId).toBe(generation + 1);
    expect(r.members.map((m) => m.memberId)).toEqual([members[0]]);
    expect(heartbeat(h.coordinator, G, members[1], generation)).toBe(E.UNKNOWN_MEMBER_ID);
  });

  test('aMemberWhoseSessionExpiresIsRemovedAndTheGroupRebalances', async () => {
    const { members, generation } = await stableGroup(h, G, 2);
    for (let t = 0; t < 9000; t += 3000) {
      h.timer.advance(3000);
      expect(heartbeat(h.coordinator, G, members[0], generation)).toBe(E.NONE);
    }
    h.timer.advance(1500); // members[1] has been silent for its whole 10 s session
    expect(state()).toBe('PreparingRebalance');
    expect(heartbeat(h.coordinator, G, members[0], generation)).toBe(E.REBALANCE_IN_PROGRESS);
    expect(heartbeat(h.coordinator, G, members[1], generation)).toBe(E.UNKNOWN_MEMBER_ID);
    const r = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' }).get();
    expect(r.generationId).toBe(generation + 1);
    expect(r.members.map((m) => m.memberId)).toEqual([members[0]]);
  });

  test('aMemberThatSendsNoSyncGroupWithinTheRebalanceTimeoutIsRemoved', async () => {
    const a = join(h.coordinator, G, { clientId: 'a' }).get().memberId;
    const b = join(h.coordinator, G, { clientId: 'b' }).get().memberId;
    const ja = join(h.coordinator, G, { memberId: a, clientId: 'a' });
    const jb = join(h.coordinator, G, { memberId: b, clientId: 'b' });
    h.timer.advance(10000);
    const leader = ja.get().members.length > 0 ? a : b;
    const follower = leader === a ? b : a;
    expect(jb.get().generationId).toBe(1);
    const ls = sync(h.coordinator, G, leader, 1, { [a]: 'x', [b]: 'y' });
    await settle();
    expect(ls.get().error).toBe(E.NONE);
    // both heartbeat, the follower never syncs: removed 20 s (the rebalance timeout) after the join
    for (let t = 0; t < 15000; t += 3000) {
      h.timer.advance(3000);
      expect(heartbeat(h.coordinator, G, follower, 1)).toBe(E.NONE);
      expect(heartbeat(h.coordinator, G, leader, 1)).toBe(E.NONE);
    }
    h.timer.advance(3000);
    expect(state()).toBe('PreparingRebalance');
    expect(heartbeat(h.coordinator, G, follower, 1)).toBe(E.UNKNOWN_MEMBER_ID);
    expect(heartbeat(h.coordinator, G, leader, 1)).toBe(E.REBALANCE_IN_PROGRESS);
  });

  /** Joins `n` members with `timeouts` (KIP-394 flow) and returns them once the JoinGroup answers. */
  function joined(n: number, timeouts: { rebalanceTimeoutMs: number; sessionTimeoutMs: number }) {
    const ids = Array.from(
      { length: n },
      (_, i) => join(h.coordinator, G, { clientId: `c${i}`, ...timeouts }).get().memberId,
    );
    const joins = ids.map((memberId, i) =>
      join(h.coordinator, G, { memberId, clientId: `c${i}`, ...timeouts }),
    );
    while (!joins.every((j) => j.done)) h.timer.advance(100);
    const leader = joins.find((j) => j.get().members.length > 0)!.get().memberId;
    return { leader, followers: ids.filter((id) => id !== leader), generation: joins[0].get().generationId };
  }

  function commit(memberId: string, generation: number): Answer<Map<string, number>> {
    const tp = { topic: 't', partition: 0 };
    const o = {
      offset: 7,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: h.timer.now(),
      expireTimestamp: null,
    };
    const answer = new Answer<Map<string, number>>();
    h.coordinator.handleCommitOffsets(
      G,
      memberId,
      null,
      generation,
      new Map([[topicPartitionKey(tp), { tp, offsetAndMetadata: o }]]),
      answer.callback,
    );
    return answer;
  }

  // Kafka 2.x: a joined member lives until its session timeout; the pending-sync timer (2.8.1+)
  // never fires sooner. kafkajs's Broker-level joinGroup sends a rebalance timeout of 0.
  test('aMemberJoinedWithRebalanceTimeoutZeroMaySyncAndCommitWithinItsSessionTimeout', async () => {
    const { leader, generation } = joined(1, { rebalanceTimeoutMs: 0, sessionTimeoutMs: 10000 });
    h.timer.advance(9000); // silent, past the rebalance timeout, within the session
    expect(state()).toBe('CompletingRebalance');
    const s = sync(h.coordinator, G, leader, generation, { [leader]: 'p0' });
    await settle();
    expect(s.get()).toMatchObject({ error: E.NONE });
    expect(s.get().memberAssignment.toString()).toBe('p0');
    expect(state()).toBe('Stable');
    const c = commit(leader, generation);
    await settle();
    expect(Object.fromEntries(c.get())).toEqual({
      [topicPartitionKey({ topic: 't', partition: 0 })]: E.NONE,
    });
    expect(heartbeat(h.coordinator, G, leader, generation)).toBe(E.NONE);
  });

  test('aFollowerSilentPastTheRebalanceTimeoutButWithinItsSessionStillSyncs', async () => {
    const { leader, followers, generation } = joined(2, {
      rebalanceTimeoutMs: 2000,
      sessionTimeoutMs: 10000,
    });
    const ls = sync(h.coordinator, G, leader, generation, { [leader]: 'p0', [followers[0]]: 'p1' });
    await settle();
    expect(ls.get().error).toBe(E.NONE);
    // the leader heartbeats, the follower stays silent for 8 s (rebalance timeout 2 s, session 10 s)
    for (let t = 0; t < 8000; t += 2000) {
      h.timer.advance(2000);
      expect(heartbeat(h.coordinator, G, leader, generation)).toBe(E.NONE);
    }
    const fs = sync(h.coordinator, G, followers[0], generation);
    expect(fs.get().error).toBe(E.NONE);
    expect(fs.get().memberAssignment.toString()).toBe('p1');
    const c = commit(followers[0], generation);
    await settle();
    expect([...c.get().values()]).toEqual([E.NONE]);
    expect(state()).toBe('Stable');
  });

  test('aJoinedMemberThatSendsNothingIsRemovedAtItsSessionTimeout', async () => {
    const { leader, generation } = joined(1, { rebalanceTimeoutMs: 0, sessionTimeoutMs: 10000 });
    h.timer.advance(9900);
    expect(state()).toBe('CompletingRebalance');
    h.timer.advance(200); // 10 s of silence since the JoinGroup answered
    expect(state()).toBe('Empty');
    expect(sync(h.coordinator, G, leader, generation).get().error).toBe(E.UNKNOWN_MEMBER_ID);
    expect(heartbeat(h.coordinator, G, leader, generation)).toBe(E.UNKNOWN_MEMBER_ID);
  });

  test('membersLeavingInOneBatchEmptyTheGroupWhichIsStoredEmpty', async () => {
    const { members, generation } = await stableGroup(h, G, 2);
    const r = leave(h.coordinator, G, [
      { memberId: members[0] },
      { memberId: members[1] },
      { memberId: 'stranger' },
    ]);
    expect(r.topLevelError).toBe(E.NONE);
    expect(r.memberResponses.map((m) => m.error)).toEqual([E.NONE, E.NONE, E.UNKNOWN_MEMBER_ID]);
    expect(state()).toBe('Empty');
    await settle();
    const stored = storedGroup()!;
    expect(stored.currentState).toBe('Empty');
    expect(stored.generationId).toBe(generation + 1);
    expect(leave(h.coordinator, 'no-such-group', [{ memberId: 'x' }]).memberResponses[0].error).toBe(
      E.UNKNOWN_MEMBER_ID,
    );
  });

  test('aPendingMemberThatNeverComesBackIsForgotten', async () => {
    const { members, generation } = await stableGroup(h, G, 1);
    const pending = join(h.coordinator, G, { clientId: 'late' }).get().memberId;
    // the leader rejoins: the rebalance waits for the pending member too …
    const leaderJoin = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' });
    expect(leaderJoin.done).toBe(false);
    // … until its session timeout forgets it
    h.timer.advance(10000);
    expect(leaderJoin.get().generationId).toBe(generation + 1);
    expect(join(h.coordinator, G, { memberId: pending, clientId: 'late' }).get().error).toBe(
      E.UNKNOWN_MEMBER_ID,
    );
  });
});

describe('static membership', () => {
  const staticJoin = (instance: string, memberId = '') =>
    join(h.coordinator, G, {
      groupInstanceId: instance,
      requireKnownMemberId: false,
      memberId,
      clientId: instance,
    });

  test('aStaticMemberRejoiningWithoutIdGetsANewIdWithoutRebalanceAndFencesTheOldOne', async () => {
    const j = staticJoin('instance-a');
    h.timer.advance(GROUP_CONFIG.groupInitialRebalanceDelayMs);
    const old = j.get();
    expect(old.error).toBe(E.NONE);
    expect(old.memberId).toMatch(/^instance-a-/);
    sync(h.coordinator, G, old.memberId, 1, { [old.memberId]: 'p' }, 'instance-a');
    await settle();
    expect(state()).toBe('Stable');

    const again = staticJoin('instance-a');
    expect(again.done).toBe(false); // the new member id is stored first
    await settle();
    const r = again.get();
    expect(r.error).toBe(E.NONE);
    expect(r.memberId).not.toBe(old.memberId);
    expect(r.generationId).toBe(1);
    expect(r.leaderId).toBe(old.memberId); // the old leader id: nobody reassigns a Stable group
    expect(state()).toBe('Stable');
    expect(heartbeat(h.coordinator, G, old.memberId, 1, 'instance-a')).toBe(E.FENCED_INSTANCE_ID);
    expect(heartbeat(h.coordinator, G, r.memberId, 1, 'instance-a')).toBe(E.NONE);
    expect(sync(h.coordinator, G, r.memberId, 1, {}, 'instance-a').get().memberAssignment.toString()).toBe(
      'p',
    );
  });

  test('aStaticMemberIsNotRemovedWhenItMissesARebalance', async () => {
    const a = staticJoin('a');
    const b = staticJoin('b');
    h.timer.advance(10000);
    const [ra, rb] = [a.get(), b.get()];
    const leader = ra.members.length > 0 ? ra : rb;
    const other = leader === ra ? rb : ra;
    sync(h.coordinator, G, other.memberId, 1, {}, other === ra ? 'a' : 'b');
    sync(
      h.coordinator,
      G,
      leader.memberId,
      1,
      { [ra.memberId]: '1', [rb.memberId]: '2' },
      leader === ra ? 'a' : 'b',
    );
    await settle();
    const rejoin = join(h.coordinator, G, {
      groupInstanceId: leader === ra ? 'a' : 'b',
      requireKnownMemberId: false,
      memberId: leader.memberId,
      clientId: 'x',
    });
    // the other static member heartbeats but does not rejoin within the rebalance timeout
    for (let t = 0; t < 20000; t += 2500) {
      expect(rejoin.done).toBe(false);
      expect(heartbeat(h.coordinator, G, other.memberId, 1, other === ra ? 'a' : 'b')).toBe(
        E.REBALANCE_IN_PROGRESS,
      );
      h.timer.advance(2500);
    }
    expect(
      rejoin
        .get()
        .members.map((m) => m.memberId)
        .sort(),
    ).toEqual([ra.memberId, rb.memberId].sort());
  });
});

describe('bad input', () => {
  test('sessionTimeoutsOutsideTheBrokerRangeAreInvalid', () => {
    expect(join(h.coordinator, G, { sessionTimeoutMs: 5999 }).get().error).toBe(E.INVALID_SESSION_TIMEOUT);
    expect(join(h.coordinator, G, { sessionTimeoutMs: 300001 }).get().error).toBe(E.INVALID_SESSION_TIMEOUT);
  });

  test('anEmptyGroupIdIsInvalidForMembershipApis', () => {
    expect(join(h.coordinator, '').get().error).toBe(E.INVALID_GROUP_ID);
    expect(heartbeat(h.coordinator, '', 'm', 1)).toBe(E.INVALID_GROUP_ID);
    expect(sync(h.coordinator, '', 'm', 1).get().error).toBe(E.INVALID_GROUP_ID);
    expect(leave(h.coordinator, '', [{ memberId: 'm' }]).topLevelError).toBe(E.INVALID_GROUP_ID);
  });

  test('aMemberOfAnotherProtocolTypeOrWithoutACommonProtocolIsInconsistent', async () => {
    await stableGroup(h, G, 1);
    expect(join(h.coordinator, G, { protocolType: 'connect' }).get().error).toBe(
      E.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect(
      join(h.coordinator, G, { protocols: [{ name: 'roundrobin', metadata: subscription('t') }] }).get()
        .error,
    ).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    expect(join(h.coordinator, 'fresh', { protocols: [] }).get().error).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    expect(state()).toBe('Stable');
  });

  test('unknownMembersAndOldGenerationsAreRefusedAndTheGroupKeepsWorking', async () => {
    const { members, generation } = await stableGroup(h, G, 2);
    expect(join(h.coordinator, 'nobody-here', { memberId: 'ghost' }).get().error).toBe(E.UNKNOWN_MEMBER_ID);
    expect(join(h.coordinator, G, { memberId: 'ghost' }).get().error).toBe(E.UNKNOWN_MEMBER_ID);
    expect(heartbeat(h.coordinator, G, 'ghost', generation)).toBe(E.UNKNOWN_MEMBER_ID);
    expect(heartbeat(h.coordinator, G, members[1], generation - 1)).toBe(E.ILLEGAL_GENERATION);
    expect(sync(h.coordinator, G, members[1], generation + 1).get().error).toBe(E.ILLEGAL_GENERATION);
    expect(sync(h.coordinator, 'nobody-here', 'ghost', 1).get().error).toBe(E.UNKNOWN_MEMBER_ID);
    expect(heartbeat(h.coordinator, G, members[0], generation)).toBe(E.NONE);
    expect(state()).toBe('Stable');
  });

  test('aGroupAtItsMaximumSizeRefusesNewMembers', async () => {
    h = await startCoordinator({ group: { groupMaxSize: 1 } });
    await stableGroup(h, G, 1);
    const id = join(h.coordinator, G, { clientId: 'extra' }).get().memberId;
    expect(join(h.coordinator, G, { memberId: id, clientId: 'extra' }).get().error).toBe(
      E.GROUP_MAX_SIZE_REACHED,
    );
  });

  test('aGroupOfAPartitionNotOwnedHereIsNotCoordinator', async () => {
    const other = Array.from({ length: 100 }, (_, i) => `g${i}`).find(
      (g) => h.manager.partitionFor(g) === 3,
    )!;
    h.coordinator.onResignation(3, 1);
    expect(join(h.coordinator, other).get().error).toBe(E.NOT_COORDINATOR);
    expect(heartbeat(h.coordinator, other, 'm', 1)).toBe(E.NOT_COORDINATOR);
  });
});
