import { leaderAndIsrContent, updateMetadataContent } from '../testing/controlRequests';
import { topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import type { LogManager } from '@samsa/storage';
import { offsetForLeaderEpochHandler } from '../api/offsetForLeaderEpoch';
import { ctx, fakeDeps, quietLogger, updateMetadataBody } from '../api/testing/fakeDeps';
import { FakeLog } from './testing/fakeLog';
import { MetadataCache } from '../metadata/MetadataCache';
import type { IsrUpdater } from './IsrUpdater';
import { ReplicaManager } from './ReplicaManager';

const LAG = 4000;

/** An IsrUpdater recording writes; each answers when the test says. */
function recordingUpdater() {
  const writes: { isr: readonly number[]; zkVersion: number; answer: (v: number | null) => void }[] = [];
  const notified: TopicPartition[][] = [];
  const updater: IsrUpdater = {
    updateIsr: (_tp, s, zkVersion) => new Promise((answer) => writes.push({ isr: s.isr, zkVersion, answer })),
    propagateIsrChanges: async (ps) => {
      notified.push([...ps]);
    },
  };
  return { updater, writes, notified };
}

function setup(
  minIsr = 2,
  topicConfig: (topic: string) => Promise<Record<string, never>> = async () => ({}),
  /** Topics whose logs cannot be created (an offline log directory): KAFKA_STORAGE_ERROR. */
  unwritableTopics: readonly string[] = [],
  logger: Logger = quietLogger,
) {
  let now = 0;
  const logs = new Map<string, FakeLog>();
  const logManager = {
    getFutureLog: () => undefined,
    async getOrCreateLogAsync(tp: TopicPartition) {
      if (unwritableTopics.includes(tp.topic))
        throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Can not create log for ${tp.topic}: log directories are offline`);
      const k = topicPartitionKey(tp);
      let log = logs.get(k);
      if (!log) {
        log = new FakeLog();
        log.config.minInsyncReplicas = minIsr;
        logs.set(k, log);
      }
      return log.asLog();
    },
  } as unknown as LogManager;
  const metadataCache = new MetadataCache(0);
  metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1, 2], { t: [0], elsewhere: [1] })));
  const { updater, writes, notified } = recordingUpdater();
  const rm = new ReplicaManager({
    brokerId: 0,
    logManager,
    metadataCache,
    logger,
    stateChangeLogger: quietLogger,
    topicConfig,
    fetcher: {
      brokerId: 0,
      interBrokerListenerName: 'PLAINTEXT',
      fetchWaitMaxMs: 500,
      fetchMinBytes: 1,
      fetchMaxBytes: 1 << 20,
      fetchResponseMaxBytes: 10 << 20,
      fetchBackoffMs: 1000,
      socketTimeoutMs: 30000,
    },
    isrUpdater: updater,
    replicaLagTimeMaxMs: LAG,
    now: () => now,
  });
  return { rm, logs, writes, notified, advance: (ms: number) => (now += ms), metadataCache };
}

function leaderAndIsr(topic: string, leader: number, leaderEpoch: number, isr: number[], leaderOverride?: number): Struct {
  return {
    controllerId: 0,
    controllerEpoch: 1,
    brokerEpoch: 1,
    topicStates: [
      {
        topicName: topic,
        partitionStates: [
          { partitionIndex: 0, controllerEpoch: 1, leader: leaderOverride ?? leader, leaderEpoch, isr, zkVersion: 7, replicas: [0, 1, 2], isNew: true },
        ],
      },
    ],
    liveLeaders: [],
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ReplicaManager ISR shrink', () => {
  let rm: ReplicaManager;
  afterEach(() => rm?.shutdown());

  test('aLaggingFollowerIsWrittenOutOfTheIsrAndAWaitingProduceCompletes', async () => {
    const s = setup(2);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1, 2])));
    const log = s.logs.get('t-0')!;
    await rm.fetchMessages({ replicaId: 1, maxWaitMs: 0, minBytes: 0, maxBytes: 1000, partitions: [{ topic: 't', partition: 0, fetchOffset: 0, maxBytes: 1000 }] }).catch(() => []);
    const produce = rm.appendRecords(30_000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(3) }]);
    await flush();
    // follower 1 catches up, follower 2 never fetches
    s.advance(1000);
    await rm.fetchMessages({ replicaId: 1, maxWaitMs: 0, minBytes: 0, maxBytes: 1000, partitions: [{ topic: 't', partition: 0, fetchOffset: 3, maxBytes: 1000 }] }).catch(() => []);
    expect(log.highWatermark).toBe(0);
    s.advance(LAG - 1000); // 2 has not caught up since the leader started, exactly the lag ago
    rm.maybeShrinkIsr();
    expect(s.writes).toEqual([]);
    s.advance(1);
    rm.maybeShrinkIsr();
    expect(s.writes.map((w) => [w.isr, w.zkVersion])).toEqual([[[0, 1], 7]]);
    rm.maybeShrinkIsr(); // one write in flight per partition
    expect(s.writes).toHaveLength(1);
    // not acknowledged before ZooKeeper holds the smaller ISR
    expect(log.highWatermark).toBe(0);
    s.writes[0].answer(8);
    const [r] = await produce;
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(log.highWatermark).toBe(3);
    expect(rm.getPartition('t', 0)!.isr).toEqual([0, 1]);
    expect(rm.getPartition('t', 0)!.zkVersion).toBe(8);
    await flush();
    expect(s.notified).toEqual([[{ topic: 't', partition: 0 }]]);
  });

  test('belowMinInsyncReplicasAfterTheShrinkAWaitingProduceIsNotEnoughReplicasAfterAppendAndNewOnesAreRefused', async () => {
    const s = setup(2);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1])));
    const produce = rm.appendRecords(30_000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
    s.advance(LAG + 1);
    rm.maybeShrinkIsr();
    expect(s.writes.map((w) => w.isr)).toEqual([[0]]);
    s.writes[0].answer(8);
    const [r] = await produce;
    expect(r.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    const [refused] = await rm.appendRecords(30_000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(s.logs.get('t-0')!.logEndOffset).toBe(2);
    const [acks1] = await rm.appendRecords(30_000, 1, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
    expect(acks1.errorCode).toBe(ErrorCode.NONE);
  });

  test('refusedAppendsAreLoggedAsKafkasErrorProcessingAppendOperationExceptTheExpectedOnes', async () => {
    const errors: string[] = [];
    const s = setup(2, undefined, [], { ...quietLogger, error: (m: string) => errors.push(m) });
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0])));
    const [refused] = await rm.appendRecords(30_000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(errors).toEqual([expect.stringMatching(/^Error processing append operation on partition t-0: .*min\.insync\.replicas=2/)]);
    // not the leader: an expected refusal, answered without a log line (Kafka's appendToLocalLog)
    const [elsewhere] = await rm.appendRecords(30_000, -1, [{ topic: 'elsewhere', partition: 0, records: Buffer.alloc(2) }]);
    expect(elsewhere.errorCode).not.toBe(ErrorCode.NONE);
    expect(errors).toHaveLength(1);
  });

  test('aStaleZkVersionLeavesTheIsrAsItWas', async () => {
    const s = setup(1);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1, 2])));
    s.logs.get('t-0')!.append(1, 1);
    s.advance(LAG + 1);
    rm.maybeShrinkIsr();
    s.writes[0].answer(null);
    await flush();
    await flush();
    expect(rm.getPartition('t', 0)!.isr).toEqual([0, 1, 2]);
    expect(rm.getPartition('t', 0)!.pendingIsr).toBeNull();
    expect(s.notified).toEqual([]);
  });

  test('aProduceWaitingWhenLeadershipMovesIsNotLeader', async () => {
    const s = setup(1);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1])));
    const produce = rm.appendRecords(30_000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
    await flush();
    // broker 1 leads from epoch 3 (this test's data used to keep broker 0 as leader: a mere epoch bump)
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 1, 3, [1])));
    const [r] = await produce;
    expect(r.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  test('aProduceWaitingWhenTheLeaderEpochIsBumpedWithoutMovingLeadershipCompletes', async () => {
    // Issue 13 row 11: the controller shrinks the ISR to [0] under a new epoch, broker 0 still leads.
    const s = setup(1);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1])));
    const produce = rm.appendRecords(30_000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
    await flush();
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 3, [0])));
    const [r] = await produce;
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.baseOffset).toBe(0);
  });
});

describe('ReplicaManager appendRecords acks', () => {
  let rm: ReplicaManager;
  afterEach(() => rm?.shutdown());

  test('acksOutsideMinusOneZeroOneAppendNothingAndAnswerInvalidRequiredAcksForEveryPartition', async () => {
    const s = setup(1);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0])));
    for (const acks of [2, -2, 3, 32767, -32768]) {
      const results = await rm.appendRecords(30_000, acks, [
        { topic: 't', partition: 0, records: Buffer.alloc(2) },
        { topic: 'elsewhere', partition: 0, records: Buffer.alloc(2) },
      ]);
      expect(results.map((r) => [r.topic, r.errorCode, r.baseOffset, r.logAppendTimeMs, r.logStartOffset])).toEqual([
        ['t', ErrorCode.INVALID_REQUIRED_ACKS, -1, -1, -1],
        ['elsewhere', ErrorCode.INVALID_REQUIRED_ACKS, -1, -1, -1],
      ]);
    }
    expect(s.logs.get('t-0')!.logEndOffset).toBe(0);
    for (const acks of [-1, 0, 1]) {
      const [r] = await rm.appendRecords(30_000, acks, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
      expect(r.errorCode).toBe(ErrorCode.NONE);
    }
  });
});

describe('offsetForLeaderEpochHandler', () => {
  let rm: ReplicaManager;
  afterEach(() => rm?.shutdown());

  test('answersFromTheLeaderEpochCacheWithKafkasErrors', async () => {
    const s = setup(1);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 2, [0])));
    const log = s.logs.get('t-0')!;
    log.append(5, 2);
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 4, [0])));
    log.append(7, 4);
    const h = offsetForLeaderEpochHandler(fakeDeps({ replicaManager: rm, metadataCache: s.metadataCache }));
    expect(h.maxVersion).toBe(3);
    const ask = async (version: number, parts: [string, number, number, number][]) => {
      const body = (await h.handle(ctx(23, version), {
        replicaId: 1,
        topics: [...new Set(parts.map((p) => p[0]))].map((topic) => ({
          topic,
          partitions: parts
            .filter((p) => p[0] === topic)
            .map(([, partition, currentLeaderEpoch, leaderEpoch]) => ({ partition, currentLeaderEpoch, leaderEpoch })),
        })),
      })) as Struct;
      return (body.topics as Struct[]).flatMap((t) =>
        (t.partitions as Struct[]).map((p) => [t.topic, p.partition, p.errorCode, p.leaderEpoch, p.endOffset]),
      );
    };
    expect(
      await ask(3, [
        ['t', 0, 4, 4],
        ['t', 0, 4, 3],
        ['t', 0, -1, 2],
        ['t', 0, 4, 5],
        ['t', 0, 3, 4],
        ['t', 0, 5, 4],
        ['t', 1, -1, 4],
        ['elsewhere', 0, -1, 1],
        ['nope', 0, -1, 1],
      ]),
    ).toEqual([
      ['t', 0, ErrorCode.NONE, 4, 12],
      ['t', 0, ErrorCode.NONE, 2, 5],
      ['t', 0, ErrorCode.NONE, 2, 5],
      ['t', 0, ErrorCode.NONE, -1, -1],
      ['t', 0, ErrorCode.FENCED_LEADER_EPOCH, -1, -1],
      ['t', 0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1],
      ['t', 1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
      ['elsewhere', 0, ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1],
      ['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
    ]);
    // a follower (here of no leader yet, so no fetcher starts) answers NOT_LEADER_OR_FOLLOWER
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 5, [0], -1)));
    expect(await ask(1, [['t', 0, -1, 4]])).toEqual([['t', 0, ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1]]);
  });
});

describe('ReplicaManager LeaderAndIsr', () => {
  test('aRequestForManyPartitionsReadsEachTopicsConfigOnceAndWakesAWaitingFetchOnce', async () => {
    const reads: string[] = [];
    const { rm } = setup(1, async (topic) => {
      reads.push(topic);
      return {};
    });
    try {
      const partitionStates = (leader: number) =>
        Array.from({ length: 50 }, (_, i) => ({
          partitionIndex: i,
          controllerEpoch: 1,
          leader,
          leaderEpoch: 1,
          isr: [0, 1, 2],
          zkVersion: 0,
          replicas: [0, 1, 2],
          isNew: true,
        }));
      const body = (leader: number, leaderEpoch = 1): Struct => ({
        controllerId: 0,
        controllerEpoch: 1,
        brokerEpoch: 1,
        topicStates: ['a', 'b'].map((topicName) => ({
          topicName,
          partitionStates: partitionStates(leader).map((p) => ({ ...p, leaderEpoch })),
        })),
        liveLeaders: [],
      });
      await rm.becomeLeaderOrFollower(leaderAndIsrContent(body(0)));
      expect(reads.sort()).toEqual(['a', 'b']);
      // A follower's fetch of all 100 partitions waits for data; a LeaderAndIsr for all of them
      // (a new leader epoch) re-tries it once, not once per partition.
      let tries = 0;
      const waiting = new Promise<void>((resolve) =>
        rm.fetchPurgatory.tryCompleteElseWatch(
          { tryComplete: () => (++tries, false), onExpiration: resolve },
          ['a', 'b'].flatMap((t) => Array.from({ length: 50 }, (_, i) => topicPartitionKey({ topic: t, partition: i }))),
          60_000,
        ),
      );
      await rm.becomeLeaderOrFollower(leaderAndIsrContent(body(0, 2)));
      expect(tries).toBe(2);
      rm.shutdown();
      await waiting;
    } finally {
      rm.shutdown();
    }
  });

  test('aNewerControllersRequestArrivingMidwayMakesTheRestOfAnOlderOneStale', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { rm } = setup(1, async (topic) => {
      if (topic === 'slow') await gate;
      return {};
    });
    try {
      const body = (topic: string, controllerEpoch: number, leaderEpoch: number): Struct => ({
        controllerId: 0,
        controllerEpoch,
        brokerEpoch: 1,
        topicStates: [
          {
            topicName: topic,
            partitionStates: [0, 1, 2].map((partitionIndex) => ({
              partitionIndex,
              controllerEpoch,
              leader: 0,
              leaderEpoch,
              isr: [0, 1, 2],
              zkVersion: 0,
              replicas: [0, 1, 2],
              isNew: true,
            })),
          },
        ],
        liveLeaders: [],
      });
      const older = rm.becomeLeaderOrFollower(leaderAndIsrContent(body('slow', 1, 3)));
      await flush();
      const newer = await rm.becomeLeaderOrFollower(leaderAndIsrContent(body('fast', 2, 1)));
      expect(flattenCodes(newer)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
      release();
      expect(flattenCodes(await older)).toEqual([
        ErrorCode.STALE_CONTROLLER_EPOCH,
        ErrorCode.STALE_CONTROLLER_EPOCH,
        ErrorCode.STALE_CONTROLLER_EPOCH,
      ]);
      expect(rm.getPartition('slow', 0)?.isLeader ?? false).toBe(false);
    } finally {
      rm.shutdown();
    }
  });
});

function flattenCodes(response: Struct): number[] {
  return (response.partitionErrors as Struct[]).map((p) => p.errorCode as number);
}

describe('ReplicaManager forged follower fetches (issue 13 row 3)', () => {
  let rm: ReplicaManager;
  afterEach(() => rm?.shutdown());

  const fetch = (replicaId: number, fetchOffset: number) =>
    rm.fetchMessages({ replicaId, maxWaitMs: 0, minBytes: 0, maxBytes: 1000, partitions: [{ topic: 't', partition: 0, fetchOffset, maxBytes: 1000 }] });

  test('anOffsetPastTheLogEndIsOutOfRangeAndDoesNotCompleteAWaitingAcksAllProduce', async () => {
    const s = setup(2);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1])));
    const log = s.logs.get('t-0')!;
    let done = false;
    const produce = rm.appendRecords(1000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(3) }]).then((r) => {
      done = true;
      return r;
    });
    await flush();
    const [forged] = await fetch(1, 1_000_000);
    expect(forged.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(forged.records).toBeNull();
    await flush();
    expect(done).toBe(false);
    expect(log.highWatermark).toBe(0);
    expect(rm.getPartition('t', 0)!.followerLogEndOffset(1)).toBe(-1);
    expect(s.writes).toEqual([]);
    // one past the end is out of range too; the end itself is where a caught-up follower fetches
    expect((await fetch(1, 4))[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(log.highWatermark).toBe(0);
    const [real] = await fetch(1, 3);
    expect(real.errorCode).toBe(ErrorCode.NONE);
    expect(real.highWatermark).toBe(3);
    const [r] = await produce;
    expect(r.errorCode).toBe(ErrorCode.NONE);
  });

  test('aReplicaIdOutsideTheAssignmentGetsNoRecordsAndMovesNothing', async () => {
    const s = setup(2);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1])));
    const log = s.logs.get('t-0')!;
    const produce = rm.appendRecords(1000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(3) }]);
    await flush();
    // Kafka 2.8 answers NONE with empty records, and records no position, for an unknown replica
    for (const replicaId of [7, 0]) {
      const [r] = await fetch(replicaId, 3);
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(r.records?.sizeInBytes ?? 0).toBe(0);
      expect(rm.getPartition('t', 0)!.followerLogEndOffset(replicaId)).toBeUndefined();
    }
    expect(log.highWatermark).toBe(0);
    expect(s.writes).toEqual([]);
    s.advance(1000);
    const [r] = await produce; // nobody real fetched: the produce times out
    expect(r.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(log.highWatermark).toBe(0);
  });
});

describe('ReplicaManager log dir failure', () => {
  let rm: ReplicaManager;
  afterEach(() => rm?.shutdown());

  test('partitionsInAFailedLogDirGoOfflineAndAnswerKafkaStorageErrorWhileTheOtherDirKeepsServing', async () => {
    const s = setup(1);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1])));
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('u', 0, 1, [0])));
    s.logs.get('t-0')!.parentDir = '/data/a';
    s.logs.get('u-0')!.parentDir = '/data/b';
    const waiting = rm.appendRecords(30_000, -1, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
    await flush();

    expect(rm.handleLogDirFailure('/data/a').map((p) => p.key)).toEqual(['t-0']);

    expect((await waiting)[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(rm.offlinePartitionCount).toBe(1);
    expect(rm.isPartitionOffline('t', 0)).toBe(true);
    expect(rm.getPartition('t', 0)).toBeUndefined();
    const [produced] = await rm.appendRecords(30_000, 1, [{ topic: 't', partition: 0, records: Buffer.alloc(2) }]);
    expect(produced.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    const [fetched] = await rm.fetchMessages({
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1000,
      partitions: [{ topic: 't', partition: 0, fetchOffset: 0, maxBytes: 1000 }],
    });
    expect(fetched.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(rm.lastOffsetForLeaderEpoch('t', 0, -1, 1, true).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    // the controller asks again (its reaction to /log_dir_event_notification): KAFKA_STORAGE_ERROR
    // for the offline replica, whatever its leader epoch
    const again = await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 2, [0, 1])));
    expect(again.partitionErrors.map((e) => e.errorCode)).toEqual([ErrorCode.KAFKA_STORAGE_ERROR]);
    expect(rm.getPartition('t', 0)).toBeUndefined();
    const stop = await rm.stopReplicas({
      controllerId: 0,
      controllerEpoch: 1,
      brokerEpoch: 1,
      deletePartitions: true,
      partitions: [{ topic: 't', partition: 0, leaderEpoch: -2, deletePartition: true }],
    });
    expect(stop.partitionErrors.map((e) => e.errorCode)).toEqual([ErrorCode.KAFKA_STORAGE_ERROR]);

    // the partition in the other directory is untouched
    const [other] = await rm.appendRecords(30_000, -1, [{ topic: 'u', partition: 0, records: Buffer.alloc(2) }]);
    expect(other.errorCode).toBe(ErrorCode.NONE);
    expect(rm.getPartition('u', 0)!.isLeader).toBe(true);
    // a second report of the same directory changes nothing
    expect(rm.handleLogDirFailure('/data/a')).toEqual([]);
    expect(rm.offlinePartitionCount).toBe(1);
  });
});

test('aPartitionWhoseLogCannotBeCreatedForAStorageErrorIsOfflineAsKafkasMarkPartitionOffline', async () => {
  const s = setup(1, async () => ({}), ['lost']);
  try {
    const r = await s.rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('lost', 0, 1, [0, 1])));
    expect(r.partitionErrors.map((e) => e.errorCode)).toEqual([ErrorCode.KAFKA_STORAGE_ERROR]);
    expect(s.rm.isPartitionOffline('lost', 0)).toBe(true);
    expect(s.rm.offlinePartitionCount).toBe(1);
    const [produced] = await s.rm.appendRecords(30_000, 1, [{ topic: 'lost', partition: 0, records: Buffer.alloc(2) }]);
    expect(produced.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
  } finally {
    s.rm.shutdown();
  }
});

describe('ReplicaManager fetch session fetches (KIP-227)', () => {
  let rm: ReplicaManager;
  afterEach(() => rm?.shutdown());

  test('aSessionFetchWithNothingToReadWaitsAndIsWokenThroughItsWatchKeyByAChangeOfOneOfItsPartitions', async () => {
    const s = setup(1);
    rm = s.rm;
    await rm.becomeLeaderOrFollower(leaderAndIsrContent(leaderAndIsr('t', 0, 1, [0, 1, 2])));
    s.logs.get('t-0')!.append(5, 1);
    const t0 = { topic: 't', partition: 0, fetchOffset: 5, maxBytes: 1000 };
    // a caught-up follower in the ISR reads t-0 at its end, and is attached to the session's time
    s.advance(100);
    const fetchTime = { lastFetchMs: 0 };
    const [first] = await rm.fetchMessages({ replicaId: 1, maxWaitMs: 0, minBytes: 1, maxBytes: 1000, partitions: [t0], session: { watchKey: 'fetch-session:7', fetchTime } });
    expect(first.atEnd).toBe(true);
    expect(fetchTime.lastFetchMs).toBe(100);
    // a follower behind the log end, or not in the ISR, is not at its end
    const [behind] = await rm.fetchMessages({ replicaId: 2, maxWaitMs: 0, minBytes: 1, maxBytes: 1000, partitions: [{ ...t0, fetchOffset: 4 }] });
    expect(behind.atEnd).toBe(false);

    let unsettled: (typeof t0)[] = [];
    const asked: number[] = [];
    rm.addPartitionChangeListener((keys) => {
      if (!keys.includes('t-0')) return [];
      unsettled = [t0];
      return ['fetch-session:7'];
    });
    let done = false;
    const parked = rm
      .fetchMessages({
        replicaId: 1,
        maxWaitMs: 60_000,
        minBytes: 1,
        maxBytes: 1000,
        partitions: () => {
          asked.push(unsettled.length);
          return unsettled;
        },
        session: { watchKey: 'fetch-session:7', fetchTime },
      })
      .finally(() => (done = true));
    await flush();
    expect(done).toBe(false); // nothing to read: it waits
    expect(asked).toEqual([0]); // (the purgatory's first check reuses that read)
    await rm.stopReplica('t', 0, false); // t-0 changes: the session's fetch reads it and answers its error
    const results = await parked;
    expect(asked).toEqual([0, 1]);
    expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.NOT_LEADER_OR_FOLLOWER]);
  });
});
