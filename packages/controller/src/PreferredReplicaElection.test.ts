import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { ControllerMovedError, replicaAssignment } from '@samsa/zk';
import type { ControllerConfig } from './ControllerConfig';
import type { ControllerContext } from './ControllerContext';
import type { ControllerCore } from './ControllerCore';
import { ControllerEventManager } from './ControllerEventManager';
import { leaderAndIsrPartitionStates } from './testing/receivedControlRequests';
import { partitionAndReplica } from './PartitionAndReplica';
import { PartitionStateMachine } from './PartitionStateMachine';
import {
  autoRebalanceCandidates,
  electLeadersEvent,
  ElectionType,
  PreferredReplicaElection,
  type ElectLeadersEvent,
} from './PreferredReplicaElection';
import { StateChangeLogger } from './StateChangeLogger';
import { batchFor, contextWithBrokers, FakePartitionStateZk, quietLogger, type BatchFixture } from './testing/fakes';

/** Preferred 1, led by 2 (after 1 restarted), 1 back in the ISR: election moves it to 1. */
const MOVED: TopicPartition = { topic: 'T', partition: 0 };
/** Preferred 2 and led by 2: nothing to do. */
const BALANCED: TopicPartition = { topic: 'T', partition: 1 };
/** Preferred 3, led by 1, 3 not in the ISR: cannot be elected. */
const LAGGING: TopicPartition = { topic: 'T', partition: 2 };
const UNKNOWN: TopicPartition = { topic: 'nope', partition: 0 };

interface Fixture extends BatchFixture {
  context: ControllerContext;
  zk: FakePartitionStateZk & {
    electionZnode: TopicPartition[] | null;
    deletes: number;
    rearms: number;
  };
  psm: PartitionStateMachine;
  core: ControllerCore & { active: boolean };
  puts: string[];
  election: PreferredReplicaElection;
}

function fixture(): Fixture {
  const context = contextWithBrokers([1, 2, 3]);
  const zk = Object.assign(new FakePartitionStateZk(), {
    electionZnode: null as TopicPartition[] | null,
    deletes: 0,
    rearms: 0,
  });
  const partitions: Array<[TopicPartition, number[], number, number[]]> = [
    [MOVED, [1, 2, 3], 2, [2, 3, 1]],
    [BALANCED, [2, 3, 1], 2, [2, 3, 1]],
    [LAGGING, [3, 1, 2], 1, [1, 2]],
  ];
  for (const [tp, replicas, leader, isr] of partitions) {
    context.allTopics.add(tp.topic);
    context.updatePartitionFullReplicaAssignment(tp, replicaAssignment(replicas));
    zk.put(tp, { leader, leaderEpoch: 3, isr }, 5);
    context.putPartitionLeadershipInfo(tp, zk.states.get(tp)!);
    context.putPartitionState(tp, 'OnlinePartition');
    for (const r of replicas) context.putReplicaState(partitionAndReplica(tp, r), 'OnlineReplica');
  }
  context.epochZkVersion = zk.epochZkVersion;
  const batchFixture = batchFor(context);
  const psm = new PartitionStateMachine({
    controllerId: 0,
    context,
    zkClient: zk,
    batch: batchFixture.batch,
    stateChangeLogger: new StateChangeLogger(0, quietLogger),
    logger: quietLogger,
    uncleanLeaderElectionEnable: false,
  });
  const zkClient = {
    registerZNodeChangeHandlerAndCheckExistence: async () => {
      zk.rearms++;
      return zk.electionZnode !== null;
    },
    getPreferredReplicaElection: async () => zk.electionZnode ?? [],
    deletePreferredReplicaElection: async (expected: number) => {
      if (expected !== zk.epochZkVersion) throw new ControllerMovedError('fenced');
      zk.deletes++;
      zk.electionZnode = null;
    },
  };
  const core = {
    active: true,
    get isActive(): boolean {
      return core.active;
    },
    config: { autoLeaderRebalanceEnable: true } as ControllerConfig,
    context,
    zkClient,
    partitionStateMachine: psm,
    logger: quietLogger,
  } as unknown as ControllerCore & { active: boolean };
  const puts: string[] = [];
  const election = new PreferredReplicaElection(core, {
    checkIntervalMs: 60_000,
    imbalancePerBrokerPercentage: 10,
    put: (e) => void puts.push(e.name),
  });
  return { ...batchFixture, context, zk, psm, core, puts, election };
}

function byPartition(results: ReadonlyArray<{ topicPartition: TopicPartition; errorCode: number }>) {
  return Object.fromEntries(results.map((r) => [topicPartitionKey(r.topicPartition), r.errorCode]));
}

async function electLeaders(
  f: Fixture,
  electionType: ElectionType,
  partitions: TopicPartition[] | null,
) {
  const { event, result } = electLeadersEvent(electionType, partitions);
  await f.election.processElectLeaders(event);
  return result;
}

describe('PreferredReplicaElection', () => {
  test('znodeElectsPreferredReplicaSendsLeaderAndIsrAndDeletesTheZnode', async () => {
    const f = fixture();
    f.zk.electionZnode = [MOVED, BALANCED];
    await f.election.processReplicaLeaderElection();
    expect(f.zk.states.get(MOVED)!.leaderAndIsr).toMatchObject({ leader: 1, leaderEpoch: 4, isr: [2, 3, 1] });
    expect(f.context.partitionLeadership(MOVED)!.leaderAndIsr.leader).toBe(1);
    expect(f.zk.states.get(BALANCED)!.leaderAndIsr.leaderEpoch).toBe(3);
    const lair = f.sender.byApi(ApiKey.LeaderAndIsr);
    expect(lair.map((s) => s.brokerId).sort()).toEqual([1, 2, 3]);
    expect(leaderAndIsrPartitionStates(lair[0].request)).toEqual([
      expect.objectContaining({ topicName: 'T', partitionIndex: 0, leader: 1 }),
    ]);
    expect(f.sender.byApi(ApiKey.UpdateMetadata).length).toBeGreaterThan(0);
    expect(f.zk.deletes).toBe(1);
    expect(f.zk.rearms).toBe(1);
  });

  test('znodeIsDeletedEvenWhenNoPartitionCanBeElected', async () => {
    const f = fixture();
    f.zk.electionZnode = [LAGGING, UNKNOWN];
    await f.election.processReplicaLeaderElection();
    expect(f.zk.states.get(LAGGING)!.leaderAndIsr.leader).toBe(1);
    expect(f.zk.deletes).toBe(1);
  });

  test('absentZnodeOnlyRearmsTheWatch', async () => {
    const f = fixture();
    await f.election.processReplicaLeaderElection();
    expect(f.zk.rearms).toBe(1);
    expect(f.zk.deletes).toBe(0);
  });

  test('inactiveControllerLeavesTheZnode', async () => {
    const f = fixture();
    f.core.active = false;
    f.zk.electionZnode = [MOVED];
    await f.election.processReplicaLeaderElection();
    expect(f.zk.deletes).toBe(0);
    expect(f.zk.states.get(MOVED)!.leaderAndIsr.leader).toBe(2);
  });

  test('electLeadersAnswersPerPartition', async () => {
    const f = fixture();
    const result = await electLeaders(f, ElectionType.PREFERRED, [MOVED, BALANCED, LAGGING, UNKNOWN]);
    expect(result.errorCode).toBe(ErrorCode.NONE);
    expect(byPartition(result.partitions)).toEqual({
      'T-0': ErrorCode.NONE,
      'T-1': ErrorCode.ELECTION_NOT_NEEDED,
      'T-2': ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
      'nope-0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
    expect(f.zk.deletes).toBe(0);
  });

  test('electLeadersWithNullPartitionsCoversEveryPartition', async () => {
    const f = fixture();
    const result = await electLeaders(f, ElectionType.PREFERRED, null);
    expect(byPartition(result.partitions)).toEqual({
      'T-0': ErrorCode.NONE,
      'T-1': ErrorCode.ELECTION_NOT_NEEDED,
      'T-2': ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
    });
  });

  test('topicQueuedForDeletionIsInvalid', async () => {
    const f = fixture();
    f.context.queueTopicDeletion(['T']);
    const result = await electLeaders(f, ElectionType.PREFERRED, [MOVED]);
    expect(byPartition(result.partitions)).toEqual({ 'T-0': ErrorCode.INVALID_TOPIC_EXCEPTION });
  });

  test('uncleanElectionNotNeededWhileTheLeaderIsLive', async () => {
    const f = fixture();
    const result = await electLeaders(f, ElectionType.UNCLEAN, [MOVED]);
    expect(byPartition(result.partitions)).toEqual({ 'T-0': ErrorCode.ELECTION_NOT_NEEDED });
  });

  test('uncleanElectionPicksALiveReplicaOutsideTheIsr', async () => {
    const f = fixture();
    // LAGGING's ISR [1, 2] is gone; only 3 (out of the ISR) is live.
    f.context.removeLiveBrokers([1, 2]);
    f.zk.put(LAGGING, { leader: -1, leaderEpoch: 4, isr: [1] }, 5);
    f.context.putPartitionLeadershipInfo(LAGGING, f.zk.states.get(LAGGING)!);
    f.context.putPartitionState(LAGGING, 'OfflinePartition');
    const result = await electLeaders(f, ElectionType.UNCLEAN, [LAGGING]);
    expect(byPartition(result.partitions)).toEqual({ 'T-2': ErrorCode.NONE });
    expect(f.zk.states.get(LAGGING)!.leaderAndIsr).toMatchObject({ leader: 3, isr: [3] });
  });

  test('electLeadersOnInactiveControllerAnswersNotController', async () => {
    const f = fixture();
    f.core.active = false;
    const result = await electLeaders(f, ElectionType.PREFERRED, [MOVED]);
    expect(result).toEqual({ errorCode: ErrorCode.NOT_CONTROLLER, partitions: [] });
  });

  test('electLeadersFencedAnswersNotControllerAndRethrows', async () => {
    const f = fixture();
    f.zk.epochZkVersion = 99;
    const { event, result } = electLeadersEvent(ElectionType.PREFERRED, [MOVED]);
    await expect(f.election.processElectLeaders(event)).rejects.toBeInstanceOf(ControllerMovedError);
    expect((await result).errorCode).toBe(ErrorCode.NOT_CONTROLLER);
  });

  test('queuedElectLeadersIsPreemptedWithNotControllerOnClose', async () => {
    const manager = new ControllerEventManager<ElectLeadersEvent>(
      { process: () => new Promise<void>(() => {}) },
      { logger: quietLogger },
    );
    const first = electLeadersEvent(ElectionType.PREFERRED, null);
    const second = electLeadersEvent(ElectionType.PREFERRED, null);
    manager.put(first.event);
    manager.put(second.event);
    await Promise.resolve();
    void manager.close();
    expect(await second.result).toEqual({ errorCode: ErrorCode.NOT_CONTROLLER, partitions: [] });
  });

  test('autoRebalanceCandidatesAreAboveTheImbalanceThreshold', () => {
    const f = fixture();
    // Broker 1 prefers only T-0 and does not lead it: ratio 1.0; broker 3 prefers T-2 but 3 is
    // not the leader either (ratio 1.0); broker 2 is balanced.
    expect(autoRebalanceCandidates(f.core, 10)).toEqual([MOVED, LAGGING]);
    expect(autoRebalanceCandidates(f.core, 100)).toEqual([]);
    f.context.partitionsBeingReassigned.set(BALANCED, true);
    expect(autoRebalanceCandidates(f.core, 10)).toEqual([]);
  });

  test('autoRebalanceSkipsDeadPreferredBrokers', () => {
    const f = fixture();
    f.context.removeLiveBrokers([1]);
    expect(autoRebalanceCandidates(f.core, 10)).toEqual([LAGGING]);
  });

  test('autoRebalanceElectsAndReschedules', async () => {
    jest.useFakeTimers();
    try {
      const f = fixture();
      await f.election.processAutoPreferredReplicaLeaderElection();
      expect(f.zk.states.get(MOVED)!.leaderAndIsr.leader).toBe(1);
      // LAGGING's preferred replica 3 is not in the ISR: it keeps its leader.
      expect(f.zk.states.get(LAGGING)!.leaderAndIsr.leader).toBe(1);
      expect(f.zk.deletes).toBe(0);
      jest.advanceTimersByTime(60_000);
      expect(f.puts).toEqual(['AutoPreferredReplicaLeaderElection']);
      f.election.onControllerResignation();
      jest.advanceTimersByTime(120_000);
      expect(f.puts).toEqual(['AutoPreferredReplicaLeaderElection']);
    } finally {
      jest.useRealTimers();
    }
  });
});
