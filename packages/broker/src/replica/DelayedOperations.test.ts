import { ErrorCode, type ProducePartitionResult } from '@samsa/protocol';
import type { RecordsSlice } from '@samsa/storage';
import { DelayedFetch } from './DelayedFetch';
import { DelayedProduce, type ProducePartitionStatus } from './DelayedProduce';
import type { Partition } from './Partition';
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
      { partition: p0, leaderEpoch: 5, result: results[0]!, requiredOffset: 12 },
      { partition: p1, leaderEpoch: 5, result: results[1]!, requiredOffset: 12 },
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
