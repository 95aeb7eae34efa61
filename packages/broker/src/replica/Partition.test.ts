import { ErrorCode } from '@samsa/protocol';
import { Partition, type LeaderAndIsrState } from './Partition';
import { FakeLog } from './testing/fakeLog';

const LAG = 4000;

function state(over: Partial<LeaderAndIsrState> = {}): LeaderAndIsrState {
  return { controllerEpoch: 1, leader: 0, leaderEpoch: 3, isr: [0, 1, 2], zkVersion: 5, replicas: [0, 1, 2], isNew: false, ...over };
}

/** Broker 0 leading t-0 (replicas 0,1,2, all in the ISR) from t=0 with 10 records of epoch 3. */
function leader(over: Partial<LeaderAndIsrState> = {}) {
  const log = new FakeLog();
  const p = new Partition('t', 0, 0, log.asLog());
  p.makeLeader(state(over), 0);
  log.append(10, 3);
  return { p, log };
}

describe('Partition ISR shrink', () => {
  test('aFollowerNotCaughtUpForLongerThanTheLagLeavesTheIsrAndTheHighWatermarkAdvances', () => {
    const { p } = leader();
    p.updateFollowerFetchState(1, 10, 1000); // caught up at t=1000
    p.updateFollowerFetchState(2, 5, 1000); // behind since the leader started (t=0)
    expect(p.highWatermark).toBe(5);
    expect(p.outOfSyncReplicas(4000, LAG)).toEqual([]);
    expect(p.isrShrink(4000, LAG)).toBeNull();
    expect(p.outOfSyncReplicas(4001, LAG)).toEqual([2]);
    expect(p.isrShrink(5000, LAG)).toEqual([0, 1]);
    // 1 is at the leader's log end: in sync however old its catch-up
    expect(p.isrShrink(1_000_000, LAG)).toEqual([0, 1]);
    expect(p.applyIsrUpdate([0, 1], 6)).toBe(true);
    expect(p.highWatermark).toBe(10);
    expect(p.isr).toEqual([0, 1]);
    expect(p.zkVersion).toBe(6);
  });

  test('aFollowerAtTheLeadersLogEndStaysHoweverLongAgoItFetched', () => {
    const { p } = leader();
    p.updateFollowerFetchState(1, 10, 1);
    p.updateFollowerFetchState(2, 10, 1);
    expect(p.isrShrink(1_000_000, LAG)).toBeNull();
  });

  test('underSteadyWritesAFollowerReachingThePreviousFetchsLogEndIsCaughtUpAsOfThatFetch', () => {
    const { p, log } = leader();
    p.updateFollowerFetchState(1, 8, 3000); // leader end 10 at this fetch
    p.updateFollowerFetchState(2, 8, 3000);
    log.append(5, 3); // 15
    p.updateFollowerFetchState(1, 10, 6000); // reached 10: caught up as of t=3000
    p.updateFollowerFetchState(2, 9, 6000); // did not: still as of t=0
    expect(p.isrShrink(6500, LAG)).toEqual([0, 1]);
    expect(p.outOfSyncReplicas(7001, LAG)).toEqual([1, 2]);
  });

  test('aNewLeaderGivesIsrMembersAFullLagPeriod', () => {
    const log = new FakeLog();
    const p = new Partition('t', 0, 0, log.asLog());
    log.append(10, 2);
    p.makeLeader(state({ isr: [0, 1] }), 100_000);
    log.append(1, 3);
    expect(p.isrShrink(100_000 + LAG, LAG)).toBeNull();
    expect(p.isrShrink(100_001 + LAG, LAG)).toEqual([0]);
  });

  test('oneProposalAtATimeAndTheHighWatermarkCountsAPendingMember', () => {
    const { p } = leader({ isr: [0, 1] });
    p.updateFollowerFetchState(1, 10, 1);
    expect(p.highWatermark).toBe(10);
    p.updateFollowerFetchState(2, 10, 1);
    const proposal = p.isrExpansionFor(2)!;
    expect(proposal).toEqual([0, 1, 2]);
    p.beginIsrUpdate(proposal);
    expect(p.isrExpansionFor(2)).toBeNull();
    expect(p.isrShrink(1_000_000, LAG)).toBeNull();
    expect(p.outOfSyncReplicas(1_000_000, LAG)).toEqual([]);
    // While 2's admission is being written, a record 2 lacks is not committed.
    (p.log as unknown as FakeLog).append(1, 3);
    p.updateFollowerFetchState(1, 11, 2);
    expect(p.highWatermark).toBe(10);
    expect(p.endIsrUpdate()).toBe(true); // the write failed: back to ISR [0,1], both at 11
    expect(p.highWatermark).toBe(11);
    expect(p.isr).toEqual([0, 1]);
    expect(p.pendingIsr).toBeNull();
  });

  test('aFollowerDoesNotShrink', () => {
    const log = new FakeLog();
    const p = new Partition('t', 0, 0, log.asLog());
    p.makeFollower(state({ leader: 1 }));
    expect(p.isrShrink(1_000_000, LAG)).toBeNull();
  });
});

describe('Partition.lastOffsetForLeaderEpoch', () => {
  /** Epoch 1 from 0, epoch 3 from 10, log end 25; this broker leads epoch 3. */
  function partition(lead = true) {
    const log = new FakeLog();
    const p = new Partition('t', 0, 0, log.asLog());
    log.append(10, 1);
    if (lead) p.makeLeader(state(), 0);
    else p.makeFollower(state({ leader: 1 }));
    log.append(15, 3);
    return p;
  }
  const answer = (errorCode: number, leaderEpoch: number, endOffset: number) => ({ errorCode, leaderEpoch, endOffset });

  test('theEndOffsetOfTheLargestEpochNotAboveTheRequestedOne', () => {
    const p = partition();
    expect(p.lastOffsetForLeaderEpoch(3, 3, true)).toEqual(answer(ErrorCode.NONE, 3, 25));
    expect(p.lastOffsetForLeaderEpoch(-1, 3, true)).toEqual(answer(ErrorCode.NONE, 3, 25));
    expect(p.lastOffsetForLeaderEpoch(3, 2, true)).toEqual(answer(ErrorCode.NONE, 1, 10));
    expect(p.lastOffsetForLeaderEpoch(3, 1, true)).toEqual(answer(ErrorCode.NONE, 1, 10));
    // below the first epoch: the requested epoch ends where the first one starts (Kafka)
    expect(p.lastOffsetForLeaderEpoch(3, 0, true)).toEqual(answer(ErrorCode.NONE, 0, 0));
    // an epoch later than all: UNDEFINED
    expect(p.lastOffsetForLeaderEpoch(3, 4, true)).toEqual(answer(ErrorCode.NONE, -1, -1));
    expect(p.lastOffsetForLeaderEpoch(3, -1, true)).toEqual(answer(ErrorCode.NONE, -1, -1));
  });

  test('fencedUnknownAndNotLeader', () => {
    const p = partition();
    expect(p.lastOffsetForLeaderEpoch(2, 3, true)).toEqual(answer(ErrorCode.FENCED_LEADER_EPOCH, -1, -1));
    expect(p.lastOffsetForLeaderEpoch(4, 3, true)).toEqual(answer(ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1));
    const f = partition(false);
    expect(f.lastOffsetForLeaderEpoch(3, 3, true)).toEqual(answer(ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1));
    expect(f.lastOffsetForLeaderEpoch(2, 3, true)).toEqual(answer(ErrorCode.FENCED_LEADER_EPOCH, -1, -1));
    expect(f.lastOffsetForLeaderEpoch(3, 3, false)).toEqual(answer(ErrorCode.NONE, 3, 25));
  });
});

describe('Partition follower fetch state (issue 13 row 3)', () => {
  test('aFetchOffsetPastTheLeadersLogEndOrFromAnUnassignedReplicaCountsForNothing', () => {
    const { p } = leader({ isr: [0, 1] });
    expect(p.updateFollowerFetchState(1, 1_000_000, 1000)).toBe(false);
    expect(p.followerLogEndOffset(1)).toBe(-1);
    expect(p.highWatermark).toBe(0);
    expect(p.updateFollowerFetchState(1, -5, 1000)).toBe(false);
    expect(p.followerLogEndOffset(1)).toBe(-1);
    // 2 is assigned but out of the ISR: a forged offset must not bring it back either
    expect(p.updateFollowerFetchState(2, 1_000_000, 1000)).toBe(false);
    expect(p.isrExpansionFor(2)).toBeNull();
    // 7 is not assigned at all
    expect(p.isFollowerReplica(7)).toBe(false);
    expect(p.updateFollowerFetchState(7, 10, 1000)).toBe(false);
    expect(p.followerLogEndOffset(7)).toBeUndefined();
    // the real follower at the log end still counts
    expect(p.isFollowerReplica(1)).toBe(true);
    expect(p.updateFollowerFetchState(1, 10, 1000)).toBe(true);
    expect(p.highWatermark).toBe(10);
  });
});

describe('Partition high watermark and the written end (issue 13 row 8)', () => {
  test('theLeadersOwnLogCountsOnlyAsFarAsItsBytesAreWritten', () => {
    const { p, log } = leader({ isr: [0] });
    log.unwrittenRecords = 4; // records 6..9 still queued for write(2)
    p.maybeIncrementHighWatermark();
    expect(p.highWatermark).toBe(6);
    log.unwrittenRecords = 0;
    expect(p.maybeIncrementHighWatermark()).toBe(true);
    expect(p.highWatermark).toBe(10);
  });

  test('aFollowerCannotClaimOffsetsPastTheLeadersWrittenEnd', () => {
    const { p, log } = leader({ isr: [0, 1] });
    log.unwrittenRecords = 4;
    expect(p.updateFollowerFetchState(1, 10, 1)).toBe(false); // it cannot have read 6..9
    expect(p.followerLogEndOffset(1)).toBe(-1);
    p.updateFollowerFetchState(1, 6, 1);
    expect(p.highWatermark).toBe(6);
  });
});

describe('Partition follower caught up through a fetch session (KIP-227)', () => {
  test('anIdleFollowerSkippedByItsSessionIsCaughtUpAsOfTheSessionsLatestFetchWhenTheLeaderAppends', () => {
    const { p } = leader();
    const session = { lastFetchMs: 0 };
    p.updateFollowerFetchState(1, 10, 1000, session); // at the log end: attached
    p.updateFollowerFetchState(2, 10, 1000); // no session
    // the session fetches on without naming t-0 (idle) up to t=100_000
    session.lastFetchMs = 100_000;
    expect(p.remoteReplicaStates().find((r) => r.brokerId === 1)!.lastCaughtUpTimeMs).toBe(100_000);
    p.appendRecordsToLeader(Buffer.alloc(2), 1, 1); // the log end moves to 12: 1 detaches
    session.lastFetchMs = 200_000; // later fetches no longer count for t-0
    // 1 caught up at t=100_000, 2 at t=1000: only 2 is out of sync just after the append
    expect(p.outOfSyncReplicas(100_500, LAG)).toEqual([2]);
    expect(p.outOfSyncReplicas(100_000 + LAG + 1, LAG)).toEqual([1, 2]);
    // 1's next fetch reaches 10, the leader's end at its previous (session) fetch: caught up as of then
    p.updateFollowerFetchState(1, 10, 100_000 + LAG, session);
    expect(p.outOfSyncReplicas(100_000 + LAG + 1, LAG)).toEqual([1, 2]);
    p.updateFollowerFetchState(1, 12, 100_000 + LAG + 2, session);
    expect(p.outOfSyncReplicas(100_000 + LAG + 3, LAG)).toEqual([2]);
  });

  test('aRefusedAppendLeavesAnAttachedFollowerCaughtUpThroughItsSession', () => {
    const { p, log } = leader({ isr: [0, 1], replicas: [0, 1] });
    const session = { lastFetchMs: 0 };
    p.updateFollowerFetchState(1, 10, 1000, session); // at the log end: attached
    session.lastFetchMs = 5000;
    // a produce refused by the log (a sequence or timestamp error): the log end does not move
    const append = log.appendAsLeader.bind(log);
    log.appendAsLeader = () => {
      throw new Error('refused');
    };
    expect(() => p.appendRecordsToLeader(Buffer.alloc(1), 1, 1)).toThrow('refused');
    log.appendAsLeader = append;
    // the session fetches on for an hour without naming the idle partition
    session.lastFetchMs = 3_600_000;
    expect(p.followerAttachedAt(1, 10)).toBe(true);
    p.appendRecordsToLeader(Buffer.alloc(5), 1, 1);
    // caught up as of the session's last fetch, not as of the refused append
    expect(p.outOfSyncReplicas(3_600_001, LAG)).toEqual([]);
  });

  test('aFollowerIsAttachedOnlyWhileTheLeadersRecordOfItIsCurrent', () => {
    const { p } = leader();
    const session = { lastFetchMs: 0 };
    expect(p.followerAttachedAt(1, 10)).toBe(false); // never fetched
    p.updateFollowerFetchState(1, 10, 1000, session);
    expect(p.followerAttachedAt(1, 10)).toBe(true);
    expect(p.followerAttachedAt(1, 9)).toBe(false);
    p.updateFollowerFetchState(2, 10, 1000); // no session: never attached
    expect(p.followerAttachedAt(2, 10)).toBe(false);
    // a new leader epoch resets what the leader knows of its followers: read again before settling
    p.makeLeader(state({ leaderEpoch: 4 }), 2000);
    expect(p.followerAttachedAt(1, 10)).toBe(false);
  });

  test('aFollowerWhoseSessionStoppedOrForgotThePartitionCountsOnlyUpToThen', () => {
    const { p } = leader();
    const session = { lastFetchMs: 0 };
    p.updateFollowerFetchState(1, 10, 1000, session);
    session.lastFetchMs = 2000;
    p.detachFollowerSession(1); // forgotten at t=2000
    session.lastFetchMs = 50_000;
    p.appendRecordsToLeader(Buffer.alloc(1), 1, 1);
    expect(p.outOfSyncReplicas(2000 + LAG + 1, LAG)).toContain(1);
  });

  test('aFollowerBehindTheLogEndIsNotAttached', () => {
    const { p } = leader();
    const session = { lastFetchMs: 0 };
    p.updateFollowerFetchState(1, 5, 1000, session);
    session.lastFetchMs = 100_000;
    expect(p.remoteReplicaStates().find((r) => r.brokerId === 1)!.lastCaughtUpTimeMs).toBe(0);
    expect(p.outOfSyncReplicas(LAG + 1, LAG)).toContain(1);
  });
});
