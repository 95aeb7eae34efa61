import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { replicaAssignment, type LeaderIsrAndControllerEpoch, type ReplicaAssignment, type ZNodeChangeHandler } from '@samsa/zk';
import type { ControllerContext } from './ControllerContext';
import { leaderAndIsrPartitionStates, stopReplicaPartitions } from './testing/receivedControlRequests';
import { partitionAndReplica } from './PartitionAndReplica';
import {
  apiPartitionReassignmentEvent,
  listPartitionReassignmentsEvent,
  PartitionReassignment,
  reassignTo,
  validateReplicas,
  type PartitionReassignmentZk,
} from './PartitionReassignment';
import { PartitionStateMachine } from './PartitionStateMachine';
import { ReplicaStateMachine } from './ReplicaStateMachine';
import { StateChangeLogger } from './StateChangeLogger';
import { batchFor, contextWithBrokers, FakePartitionStateZk, quietLogger, type BatchFixture } from './testing/fakes';

const TP: TopicPartition = { topic: 'T', partition: 0 };
const OTHER: TopicPartition = { topic: 'T', partition: 1 };

/** The partition state fake plus the topic znode and /admin/reassign_partitions. */
class FakeReassignmentZk extends FakePartitionStateZk implements PartitionReassignmentZk {
  readonly topicAssignments = new Map<string, Map<number, ReplicaAssignment>>();
  reassignZNode: TopicPartitionMap<number[]> | null = null;
  topicWrites: Array<Map<number, ReplicaAssignment>> = [];

  async getTopicPartitionStates(partitions: readonly TopicPartition[]): Promise<TopicPartitionMap<LeaderIsrAndControllerEpoch>> {
    const out = new TopicPartitionMap<LeaderIsrAndControllerEpoch>();
    for (const tp of partitions) {
      const s = this.states.get(tp);
      if (s !== undefined) out.set(tp, s);
    }
    return out;
  }

  async setTopicAssignment(
    topic: string,
    _topicId: string | null,
    assignment: ReadonlyMap<number, ReplicaAssignment>,
    expectedControllerEpochZkVersion: number,
  ): Promise<void> {
    this.checkFence(expectedControllerEpochZkVersion);
    this.topicAssignments.set(topic, new Map(assignment));
    this.topicWrites.push(new Map(assignment));
  }

  async getPartitionReassignment(): Promise<TopicPartitionMap<number[]>> {
    return new TopicPartitionMap(this.reassignZNode?.entries() ?? []);
  }

  async setOrCreatePartitionReassignment(
    reassignment: Iterable<readonly [TopicPartition, readonly number[]]>,
    expectedControllerEpochZkVersion: number,
  ): Promise<void> {
    this.checkFence(expectedControllerEpochZkVersion);
    this.reassignZNode = new TopicPartitionMap([...reassignment].map(([tp, r]) => [tp, [...r]] as const));
  }

  async deletePartitionReassignment(expectedControllerEpochZkVersion: number): Promise<void> {
    this.checkFence(expectedControllerEpochZkVersion);
    this.reassignZNode = null;
  }

  async reassignPartitionsInProgress(): Promise<boolean> {
    return this.reassignZNode !== null;
  }

  async registerZNodeChangeHandlerAndCheckExistence(_path: string, _handler: ZNodeChangeHandler): Promise<boolean> {
    return this.reassignZNode !== null;
  }

  private checkFence(expected: number): void {
    if (expected !== this.epochZkVersion) throw new Error(`fenced: ${expected}`);
  }
}

interface Fixture extends BatchFixture {
  context: ControllerContext;
  zk: FakeReassignmentZk;
  reassignment: PartitionReassignment;
  resumed: string[];
}

/** T-0 on [0,1] led by 0; T-1 on [1,0]; brokers 0–3 live, every replica online. */
function fixture(): Fixture {
  const context = contextWithBrokers([0, 1, 2, 3]);
  const zk = new FakeReassignmentZk();
  context.allTopics.add('T');
  for (const [tp, replicas] of [
    [TP, [0, 1]],
    [OTHER, [1, 0]],
  ] as const) {
    context.updatePartitionFullReplicaAssignment(tp, replicaAssignment(replicas));
    zk.put(tp, { leader: replicas[0], leaderEpoch: 3, isr: [...replicas] }, 5);
    context.putPartitionLeadershipInfo(tp, zk.states.get(tp)!);
    context.putPartitionState(tp, 'OnlinePartition');
    for (const r of replicas) context.putReplicaState(partitionAndReplica(tp, r), 'OnlineReplica');
  }
  const batchFixture = batchFor(context);
  const stateChangeLogger = new StateChangeLogger(0, quietLogger);
  const common = { controllerId: 0, context, zkClient: zk, batch: batchFixture.batch, stateChangeLogger, logger: quietLogger };
  const psm = new PartitionStateMachine({ ...common, uncleanLeaderElectionEnable: false });
  const rsm = new ReplicaStateMachine(common);
  const resumed: string[] = [];
  const reassignment = new PartitionReassignment({
    context,
    zkClient: zk,
    batch: batchFixture.batch,
    partitionStateMachine: psm,
    replicaStateMachine: rsm,
    logger: quietLogger,
    isActive: () => true,
    onReassignPartitionsCreated: () => {},
    resumeDeletionForTopics: async (topics) => {
      resumed.push(...topics);
    },
    sendUpdateMetadataRequest: () => {},
  });
  return { ...batchFixture, context, zk, reassignment, resumed };
}

/** The ISR as the leader would write it once the new replicas caught up. */
function catchUp(f: Fixture, isr: number[]): void {
  const s = f.zk.states.get(TP)!.leaderAndIsr;
  f.zk.put(TP, { leader: s.leader, leaderEpoch: s.leaderEpoch, isr }, 5);
}

describe('reassignment helpers', () => {
  test('reassignToKeepsOriginReplicasAfterTargetAndComputesAddingAndRemoving', () => {
    expect(reassignTo(replicaAssignment([0, 1]), [1, 2])).toEqual({ replicas: [1, 2, 0], addingReplicas: [2], removingReplicas: [0] });
    // A changed reassignment starts again from the origin replicas.
    expect(reassignTo(replicaAssignment([1, 2, 0], [2], [0]), [3, 1])).toEqual({
      replicas: [3, 1, 0],
      addingReplicas: [3],
      removingReplicas: [0],
    });
  });

  test('validateReplicasRefusesEmptyDuplicateAndUnknownBrokers', () => {
    expect(validateReplicas(TP, [], [0, 1])?.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(validateReplicas(TP, [1, 1], [0, 1])?.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(validateReplicas(TP, [1, 9], [0, 1])?.errorMessage).toContain('non-existent broker(s) 9');
    expect(validateReplicas(TP, [1, 0], [0, 1])).toBeNull();
  });
});

describe('onPartitionReassignment', () => {
  test('startWritesFullReplicaSetSendsLeaderAndIsrToAllAndStartsNewReplicas', async () => {
    const f = fixture();
    await f.reassignment.onPartitionReassignment(TP, reassignTo(replicaAssignment([0, 1]), [1, 2]));
    expect(f.zk.topicAssignments.get('T')!.get(0)).toEqual({ replicas: [1, 2, 0], addingReplicas: [2], removingReplicas: [0] });
    expect(f.zk.states.get(TP)!.leaderAndIsr).toMatchObject({ leader: 0, leaderEpoch: 4, isr: [0, 1] });
    const recipients = f.sender
      .byApi(ApiKey.LeaderAndIsr)
      .filter((s) => leaderAndIsrPartitionStates(s.request).some((p) => p.partitionIndex === 0))
      .map((s) => s.brokerId);
    expect([...new Set(recipients)].sort()).toEqual([0, 1, 2]);
    expect(f.context.replicaState(partitionAndReplica(TP, 2))).toBe('NewReplica');
    expect(f.context.partitionsBeingReassigned.has(TP)).toBe(true);
    expect(f.sender.byApi(ApiKey.StopReplica)).toEqual([]);
  });

  test('completionWaitsForIsrThenElectsFromTargetDeletesRemovedReplicaAndWritesFinalAssignment', async () => {
    const f = fixture();
    f.zk.reassignZNode = new TopicPartitionMap([[TP, [1, 2]]]);
    await f.reassignment.onPartitionReassignment(TP, reassignTo(replicaAssignment([0, 1]), [1, 2]));
    await f.reassignment.processIsrChange();
    expect(f.context.partitionsBeingReassigned.has(TP)).toBe(true);

    catchUp(f, [0, 1, 2]);
    f.sender.clear();
    await f.reassignment.processIsrChange();

    expect(f.zk.topicAssignments.get('T')!.get(0)).toEqual(replicaAssignment([1, 2]));
    const state = f.zk.states.get(TP)!.leaderAndIsr;
    expect(state.leader).toBe(1);
    expect(state.isr).toEqual([1, 2]);
    const stops = f.sender.byApi(ApiKey.StopReplica).filter((s) => s.brokerId === 0);
    expect(stops.flatMap((s) => stopReplicaPartitions(s.request)).some((p) => p.deletePartition)).toBe(true);
    expect(f.context.replicaStates.get(partitionAndReplica(TP, 0))).toBeUndefined();
    expect(f.context.partitionsBeingReassigned.has(TP)).toBe(false);
    expect(f.zk.reassignZNode).toBeNull();
    expect(f.resumed).toEqual(['T']);
  });

  test('fencedWriteFailsWithoutChangingMemory', async () => {
    const f = fixture();
    f.zk.epochZkVersion = 9;
    await expect(
      f.reassignment.onPartitionReassignment(TP, reassignTo(replicaAssignment([0, 1]), [1, 2])),
    ).rejects.toThrow('fenced');
    expect(f.context.partitionFullReplicaAssignment(TP)).toEqual(replicaAssignment([0, 1]));
  });
});

describe('triggers', () => {
  test('zkReassignmentStartsValidPartitionsAndDropsInvalidOnesFromTheZNode', async () => {
    const f = fixture();
    f.zk.reassignZNode = new TopicPartitionMap([
      [TP, [1, 2]],
      [OTHER, [1, 9]],
    ]);
    await f.reassignment.processZkPartitionReassignment();
    expect(f.context.partitionsBeingReassigned.has(TP)).toBe(true);
    expect(f.context.partitionsBeingReassigned.has(OTHER)).toBe(false);
    expect(f.zk.reassignZNode!.entries()).toEqual([[TP, [1, 2]]]);
  });

  test('apiReassignmentAnswersPerPartitionAndListShowsIt', async () => {
    const f = fixture();
    const { event, result } = apiPartitionReassignmentEvent(
      new TopicPartitionMap<readonly number[] | null>([
        [TP, [1, 2]],
        [OTHER, [1, 1]],
        [{ topic: 'U', partition: 0 }, [1]],
      ]),
    );
    await f.reassignment.processApiPartitionReassignment(event);
    const answer = await result;
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    expect(answer.partitions.get(TP)!.errorCode).toBe(ErrorCode.NONE);
    expect(answer.partitions.get(OTHER)!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(answer.partitions.get({ topic: 'U', partition: 0 })!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    const list = listPartitionReassignmentsEvent(null);
    f.reassignment.processListPartitionReassignments(list.event);
    expect((await list.result).reassignments.entries()).toEqual([
      [TP, { replicas: [1, 2, 0], addingReplicas: [2], removingReplicas: [0] }],
    ]);
  });

  test('cancellationRevertsToOriginAndStopsAddingReplicas', async () => {
    const f = fixture();
    await f.reassignment.onPartitionReassignment(TP, reassignTo(replicaAssignment([0, 1]), [1, 2]));
    f.sender.clear();
    const { event, result } = apiPartitionReassignmentEvent(new TopicPartitionMap([[TP, null]]));
    await f.reassignment.processApiPartitionReassignment(event);
    expect((await result).partitions.get(TP)!.errorCode).toBe(ErrorCode.NONE);
    // Kafka's originReplicas: the full set without the adding replicas, in its order.
    expect(f.zk.topicAssignments.get('T')!.get(0)).toEqual(replicaAssignment([1, 0]));
    expect(f.context.partitionsBeingReassigned.has(TP)).toBe(false);
    expect(f.sender.byApi(ApiKey.StopReplica).some((s) => s.brokerId === 2)).toBe(true);
  });

  test('failoverResumesReassignmentsLoadedFromTopicZNodes', async () => {
    const f = fixture();
    f.context.updatePartitionFullReplicaAssignment(TP, replicaAssignment([1, 2, 0], [2], [0]));
    f.context.partitionsBeingReassigned.set(TP, true);
    catchUp(f, [0, 1, 2]);
    await f.reassignment.onControllerFailover();
    expect(f.zk.topicAssignments.get('T')!.get(0)).toEqual(replicaAssignment([1, 2]));
    expect(f.context.partitionsBeingReassigned.has(TP)).toBe(false);
  });

  test('notActiveAnswersNotController', async () => {
    const f = fixture();
    const inactive = new PartitionReassignment({ ...(f.reassignment as unknown as { options: object }).options, isActive: () => false } as never);
    const { event, result } = apiPartitionReassignmentEvent(new TopicPartitionMap([[TP, [1, 2]]]));
    await inactive.processApiPartitionReassignment(event);
    expect((await result).errorCode).toBe(ErrorCode.NOT_CONTROLLER);
  });
});
