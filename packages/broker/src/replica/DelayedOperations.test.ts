import { ErrorCode, type ProducePartitionResult } from '@samsa/protocol';
import type { RecordsSlice } from '@samsa/storage';
import { DelayedFetch } from './DelayedFetch';
import { DelayedProduce, type ProducePartitionStatus } from './DelayedProduce';
import { Partition } from './Partition';
import { FakeLog } from './testing/fakeLog';
import type { FetchPartitionResult } from './ReplicaManager';

/** The parts of a Partition a DelayedProduce reads. */
function leader(key: string, o: { highWatermark: number; isr: number; minIsr: number; epoch?: number }) {
  return {
    key,
    isLeader: true,
    leaderEpoch: o.epoch ?? 5,
    highWatermark: o.highWatermark,
    maximalIsr: Array.from({ length: o.isr }, (_, i) => i),
    log: { config: { minInsyncReplicas: o.minIsr } },
  } as unknown as Partition & { highWatermark: number; isLeader: boolean };
}

function result(topic: string, partition: number, errorCode: number = ErrorCode.NONE): ProducePartitionResult {
  return { topic, partition, errorCode, baseOffset: 10, logAppendTimeMs: -1, logStartOffset: 0 };
}

describe('DelayedProduce', () => {
  function setUp() {
    const p0 = leader('t-0', { highWatermark: 10, isr: 3, minIsr: 2 });
    const p1 = leader('t-1', { highWatermark: 10, isr: 3, minIsr: 2 });
    const held = new Map<string, Partition>([
      ['t-0', p0],
      ['t-1', p1],
    ]);
    const results = [result('t', 0), result('t', 1), result('t', 2, ErrorCode.NOT_LEADER_OR_FOLLOWER)];
    const appended: ProducePartitionStatus[] = [
      { partition: p0, leaderEpoch: 5, result: results[0]!, firstOffset: 10, requiredOffset: 12 },
      { partition: p1, leaderEpoch: 5, result: results[1]!, firstOffset: 10, requiredOffset: 12 },
    ];
    const answers: ProducePartitionResult[][] = [];
    const op = new DelayedProduce(appended, results, (k) => held.get(k), (r) => answers.push(r));
    return { p0, p1, held, op, answers };
  }

  test('waitsUntilTheHighWatermarkPassesEveryAppendThenAnswersInRequestOrder', () => {
    const { p0, p1, op, answers } = setUp();
    expect(op.keys()).toEqual(['t-0', 't-1']);
    expect(op.tryComplete()).toBe(false);
    (p0 as { highWatermark: number }).highWatermark = 12;
    expect(op.tryComplete()).toBe(false);
    (p1 as { highWatermark: number }).highWatermark = 13;
    expect(op.tryComplete()).toBe(true);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.map((r) => [r.partition, r.errorCode])).toEqual([
      [0, ErrorCode.NONE],
      [1, ErrorCode.NONE],
      [2, ErrorCode.NOT_LEADER_OR_FOLLOWER],
    ]);
  });

  test('aShrunkIsrAnswersNotEnoughReplicasAfterAppendAndALostLeadershipNotLeader', () => {
    const { p0, held, op, answers } = setUp();
    Object.assign(p0, { highWatermark: 12, maximalIsr: [0] });
    held.set('t-1', leader('t-1', { highWatermark: 20, isr: 3, minIsr: 2, epoch: 6 }));
    expect(op.tryComplete()).toBe(true);
    expect(answers[0]!.map((r) => r.errorCode)).toEqual([
      ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    ]);
  });

  test('expiryAnswersRequestTimedOutForThePartitionsStillWaiting', () => {
    const { p0, op, answers } = setUp();
    (p0 as { highWatermark: number }).highWatermark = 12;
    expect(op.tryComplete()).toBe(false);
    op.onExpiration();
    expect(answers[0]!.map((r) => r.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.REQUEST_TIMED_OUT,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    ]);
  });
});

describe('DelayedFetch', () => {
  const slice = (n: number) => ({ sizeInBytes: n }) as unknown as RecordsSlice;
  const fetched = (bytes: number, errorCode: number = ErrorCode.NONE): FetchPartitionResult[] => [
    { topic: 't', partition: 0, errorCode, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0, records: slice(bytes) },
  ];

  test('completesOnceMinBytesAreThereOrAnErrorShows', () => {
    let next = fetched(10);
    const answers: FetchPartitionResult[][] = [];
    const op = new DelayedFetch(100, () => next, (r) => answers.push(r));
    expect(op.tryComplete()).toBe(false);
    next = fetched(100);
    expect(op.tryComplete()).toBe(true);
    expect(answers[0]![0]!.records!.sizeInBytes).toBe(100);
    const failing = new DelayedFetch(100, () => fetched(0, ErrorCode.NOT_LEADER_OR_FOLLOWER), (r) => answers.push(r));
    expect(failing.tryComplete()).toBe(true);
    expect(answers[1]![0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  test('expiryAnswersWhateverIsThereThen', () => {
    const answers: FetchPartitionResult[][] = [];
    const op = new DelayedFetch(100, () => fetched(7), (r) => answers.push(r));
    op.onExpiration();
    expect(answers[0]![0]!.records!.sizeInBytes).toBe(7);
  });
});

describe('DelayedProduce across a new leader epoch (issue 13 row 11)', () => {
  /**
   * Broker 0 leading t-0 in epoch 3 (replicas 0,1, min ISR 1) with records 0..9, and an acks=all
   * produce of records 10..11 waiting for follower 1.
   */
  function setUp() {
    const log = new FakeLog();
    const p = new Partition('t', 0, 0, log.asLog());
    const isr = { controllerEpoch: 1, leader: 0, isr: [0, 1], zkVersion: 1, replicas: [0, 1], isNew: false };
    p.makeLeader({ ...isr, leaderEpoch: 3 }, 0);
    log.append(12, 3);
    const results = [result('t', 0)];
    const answers: ProducePartitionResult[][] = [];
    const held = new Map<string, Partition>([['t-0', p]]);
    const op = new DelayedProduce(
      [{ partition: p, leaderEpoch: 3, result: results[0]!, firstOffset: 10, requiredOffset: 12 }],
      results,
      (k) => held.get(k),
      (r) => answers.push(r),
    );
    return { p, log, op, answers, isr };
  }

  test('theSameLeaderInALaterEpochStillAnswersNoneOnceTheHighWatermarkPassesTheAppend', () => {
    const { p, op, answers, isr } = setUp();
    p.makeLeader({ ...isr, leaderEpoch: 4 }, 0); // the controller bumped the epoch, leader kept
    expect(op.tryComplete()).toBe(false);
    p.updateFollowerFetchState(1, 12, 1);
    expect(op.tryComplete()).toBe(true);
    expect(answers[0]!.map((r) => r.errorCode)).toEqual([ErrorCode.NONE]);
  });

  test('leadershipLostAndRegainedWithTheAppendTruncatedAndRefilledAnswersNotLeader', () => {
    const { p, log, op, answers, isr } = setUp();
    p.makeFollower({ ...isr, leader: 1, leaderEpoch: 4 });
    log.truncateTo(10); // broker 1 never had 10..11
    log.append(2, 4); // its records of epoch 4 at 10..11
    p.makeLeader({ ...isr, leaderEpoch: 5 }, 0);
    p.updateFollowerFetchState(1, 12, 1);
    expect(p.highWatermark).toBe(12);
    expect(op.tryComplete()).toBe(true);
    expect(answers[0]!.map((r) => r.errorCode)).toEqual([ErrorCode.NOT_LEADER_OR_FOLLOWER]);
  });

  test('leadershipLostAndRegainedWithTheAppendKeptAnswersNone', () => {
    const { p, op, answers, isr } = setUp();
    p.makeFollower({ ...isr, leader: 1, leaderEpoch: 4 }); // broker 1 had 10..11 and appended nothing
    p.makeLeader({ ...isr, leaderEpoch: 5 }, 0);
    p.updateFollowerFetchState(1, 12, 1);
    expect(op.tryComplete()).toBe(true);
    expect(answers[0]!.map((r) => r.errorCode)).toEqual([ErrorCode.NONE]);
  });
});

describe('Partition.holdsAppend', () => {
  test('theAppendsEpochMustCoverItsOffsets', () => {
    const log = new FakeLog();
    const p = new Partition('t', 0, 0, log.asLog());
    log.append(10, 1); // 0..9 in epoch 1
    log.append(10, 3); // 10..19 in epoch 3
    expect(p.holdsAppend(1, 5, 10)).toBe(true);
    expect(p.holdsAppend(1, 5, 11)).toBe(false); // 10 is epoch 3's
    expect(p.holdsAppend(3, 10, 20)).toBe(true);
    expect(p.holdsAppend(3, 10, 21)).toBe(false); // past the log end
    expect(p.holdsAppend(2, 10, 12)).toBe(false); // no epoch 2 here
    log.logStartOffset = 15; // DeleteRecords moved the start (and the epoch's start) up
    log.leaderEpochCache.truncateFromStart(15);
    expect(p.holdsAppend(3, 12, 20)).toBe(true);
  });
});
