import { ErrorCode, NULL_UUID, type LeaderAndIsrRequestContent, type StopReplicaRequestContent } from '@samsa/protocol';
import type { GroupCoordinator } from '@samsa/coordinator';
import type { ReplicaManager } from '../replica/ReplicaManager';
import { leaderAndIsrHandler, stopReplicaHandler } from './controlPlane';
import { ctx, fakeDeps } from './testing/fakeDeps';
import { fakeControlRequestFence } from './testing/fakeFence';
import { answerOf } from './testing/untypedEntry';

/** What the controller-request handlers hand the ReplicaManager, and what they answer. */
function recordingReplicaManager() {
  const leaderAndIsr: LeaderAndIsrRequestContent[] = [];
  const stopReplica: StopReplicaRequestContent[] = [];
  const replicaManager = {
    controllerEpoch: 0,
    async becomeLeaderOrFollower(request: LeaderAndIsrRequestContent) {
      leaderAndIsr.push(request);
      return {
        errorCode: ErrorCode.NONE,
        partitionErrors: request.partitionStates.map((s) => ({ topic: s.topicName, partition: s.partitionIndex, errorCode: ErrorCode.NONE })),
      };
    },
    async stopReplicas(request: StopReplicaRequestContent) {
      stopReplica.push(request);
      return { errorCode: ErrorCode.NONE, partitionErrors: request.partitions.map((p) => ({ ...p, errorCode: ErrorCode.NONE })) };
    },
    allPartitions: () => [],
  } as unknown as ReplicaManager;
  const groupCoordinator = { onLeadershipChange: () => undefined, onResignation: () => undefined } as unknown as GroupCoordinator;
  return { deps: fakeDeps({ replicaManager, groupCoordinator }), leaderAndIsr, stopReplica };
}

const partitionState = (partitionIndex: number) => ({
  partitionIndex,
  controllerEpoch: 1,
  leader: 0,
  leaderEpoch: 1,
  isr: [0],
  zkVersion: 0,
  replicas: [0],
  addingReplicas: [],
  removingReplicas: [],
  isNew: true,
});

const leaderAndIsrV4 = (brokerEpoch: number, topics: string[]) => ({
  controllerId: 0,
  controllerEpoch: 1,
  brokerEpoch,
  type: 0,
  ungroupedPartitionStates: [],
  topicStates: topics.map((topicName) => ({ topicName, topicId: NULL_UUID, partitionStates: [partitionState(0)] })),
  liveLeaders: [],
});

describe('controller requests', () => {
  test('illegalTopicNamesNeverReachTheReplicaManagerAndAnswerInvalidTopic', async () => {
    const { deps, leaderAndIsr } = recordingReplicaManager();
    const answer = await answerOf(leaderAndIsrHandler(deps, fakeControlRequestFence()), ctx(4, 4), leaderAndIsrV4(-1, ['ok', '../victim', '..']));
    expect(leaderAndIsr.map((r) => r.partitionStates.map((s) => s.topicName))).toEqual([['ok']]);
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    expect(answer.partitionErrors).toEqual([
      { topicName: 'ok', partitionIndex: 0, errorCode: ErrorCode.NONE },
      { topicName: '../victim', partitionIndex: 0, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION },
      { topicName: '..', partitionIndex: 0, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION },
    ]);
  });

  test('aStaleBrokerEpochAnswersStaleBrokerEpochForEveryPartitionAndChangesNothing', async () => {
    const { deps, leaderAndIsr } = recordingReplicaManager();
    const fence = fakeControlRequestFence({ brokerEpoch: 100 });
    const answer = await answerOf(leaderAndIsrHandler(deps, fence), ctx(4, 4), leaderAndIsrV4(99, ['ok']));
    expect(leaderAndIsr).toEqual([]);
    expect(answer.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(answer.partitionErrors).toEqual([{ topicName: 'ok', partitionIndex: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH }]);
  });

  test('aRefusedStopReplicaAnswersAtTheTopOnlyAsKafkaDoes', async () => {
    const { deps, stopReplica } = recordingReplicaManager();
    const body = {
      controllerId: 0,
      controllerEpoch: 1,
      brokerEpoch: 99,
      deletePartitions: false,
      ungroupedPartitions: [],
      topics: [],
      topicStates: [{ topicName: 'ok', partitionStates: [{ partitionIndex: 0, leaderEpoch: 1, deletePartition: true }] }],
    };
    const stale = await answerOf(stopReplicaHandler(deps, fakeControlRequestFence({ brokerEpoch: 100 })), ctx(5, 3), body);
    expect(stale).toEqual({ errorCode: ErrorCode.STALE_BROKER_EPOCH, partitionErrors: [] });
    // a controller epoch ZooKeeper does not hold
    const forged = await answerOf(
      stopReplicaHandler(deps, fakeControlRequestFence({ controllerEpoch: 1 })),
      ctx(5, 3),
      { ...body, controllerEpoch: 2 ** 31 - 1, brokerEpoch: -1 },
    );
    expect(forged).toEqual({ errorCode: ErrorCode.STALE_CONTROLLER_EPOCH, partitionErrors: [] });
    expect(stopReplica).toEqual([]);
  });
});
