import { type TopicPartition } from '@samsa/common';
import { ApiKey } from '@samsa/protocol';
import { replicaAssignment } from '@samsa/zk';
import { stopReplicaPartitions, updateMetadataPartitionStates } from './testing/receivedControlRequests';
import { partitionAndReplica } from './PartitionAndReplica';
import { PartitionStateMachine } from './PartitionStateMachine';
import { ReplicaStateMachine } from './ReplicaStateMachine';
import { StateChangeLogger } from './StateChangeLogger';
import {
  batchFor,
  contextWithBrokers,
  FakePartitionStateZk,
  plaintextBroker,
  quietLogger,
} from './testing/fakes';
import { TopicDeletionManager } from './TopicDeletionManager';

const T0: TopicPartition = { topic: 'T', partition: 0 };
const r1 = partitionAndReplica(T0, 1);
const r2 = partitionAndReplica(T0, 2);

function fixture({ live = [1, 2], deleteTopicEnable = true } = {}) {
  const context = contextWithBrokers(live);
  context.allTopics.add('T');
  context.updatePartitionFullReplicaAssignment(T0, replicaAssignment([1, 2]));
  const zk = new FakePartitionStateZk();
  zk.put(T0, { leader: 1, leaderEpoch: 0, isr: live.filter((id) => id <= 2) });
  context.putPartitionLeadershipInfo(T0, zk.states.get(T0)!);
  context.putPartitionState(T0, 'OnlinePartition');
  for (const r of [r1, r2])
    context.putReplicaState(r, live.includes(r.replica) ? 'OnlineReplica' : 'OfflineReplica');
  const { batch, sender } = batchFor(context);
  const common = {
    controllerId: 0,
    context,
    zkClient: zk,
    batch,
    stateChangeLogger: new StateChangeLogger(0, quietLogger),
    logger: quietLogger,
  };
  const psm = new PartitionStateMachine({ ...common, uncleanLeaderElectionEnable: false });
  const rsm = new ReplicaStateMachine(common);
  const calls: string[] = [];
  const manager = new TopicDeletionManager({
    brokerId: 0,
    deleteTopicEnable,
    context,
    replicaStateMachine: rsm,
    partitionStateMachine: psm,
    logger: quietLogger,
    client: {
      deleteTopic: async (topic) => void calls.push(`deleteTopic ${topic}`),
      deleteTopicDeletions: async (topics) => void calls.push(`deleteTopicDeletions ${topics.join(',')}`),
      mutePartitionModifications: (topic) => void calls.push(`mute ${topic}`),
      sendMetadataUpdate: (partitions) => {
        batch.newBatch();
        batch.addUpdateMetadataRequestForBrokers(context.liveOrShuttingDownBrokerIds, partitions);
        batch.sendRequestsToBrokers(context.epoch);
      },
    },
  });
  return { context, sender, manager, calls, rsm };
}

const deletes = (sender: ReturnType<typeof fixture>['sender'], brokerId: number) =>
  sender
    .byApi(ApiKey.StopReplica)
    .filter((s) => s.brokerId === brokerId)
    .flatMap((s) => stopReplicaPartitions(s.request))
    .filter((p) => p.deletePartition);

test('deletionStopsEveryReplicaThenDeletesTheTopicWhenAllAnswered', async () => {
  const f = fixture();
  await f.manager.enqueueTopicsForDeletion(new Set(['T']));
  expect(f.context.partitionState(T0)).toBe('NonExistentPartition');
  expect(updateMetadataPartitionStates(f.sender.byApi(ApiKey.UpdateMetadata)[0].request)[0].leader).toBe(-2);
  expect(deletes(f.sender, 1)).toEqual([{ topic: 'T', partition: 0, deletePartition: true }]);
  expect(deletes(f.sender, 2)).toHaveLength(1);
  expect([f.context.replicaState(r1), f.context.replicaState(r2)]).toEqual([
    'ReplicaDeletionStarted',
    'ReplicaDeletionStarted',
  ]);

  await f.manager.completeReplicaDeletion([r1]);
  expect(f.calls).toEqual([]);
  await f.manager.completeReplicaDeletion([r2]);
  expect(f.calls).toEqual(['mute T', 'deleteTopic T']);
  expect(f.context.allTopics.has('T')).toBe(false);
  expect(f.context.replicaStates.size).toBe(0);
});

test('aReplicaOnADeadBrokerHoldsDeletionUntilTheBrokerReturns', async () => {
  const f = fixture({ live: [1] });
  await f.manager.enqueueTopicsForDeletion(new Set(['T']));
  expect(f.context.replicaState(r2)).toBe('ReplicaDeletionIneligible');
  expect(f.context.topicsIneligibleForDeletion.has('T')).toBe(true);
  await f.manager.completeReplicaDeletion([r1]);
  expect(f.calls).toEqual([]);

  // Broker 2 registers again: its replicas go online, then deletion resumes.
  f.context.addLiveBrokers([{ broker: plaintextBroker(2), epoch: 300 }]);
  await f.rsm.handleStateChanges([r2], 'OnlineReplica');
  f.sender.clear();
  await f.manager.resumeDeletionForTopics(new Set(['T']));
  expect(deletes(f.sender, 2)).toHaveLength(1);
  expect(deletes(f.sender, 1)).toHaveLength(0);
  await f.manager.completeReplicaDeletion([r2]);
  expect(f.calls).toEqual(['mute T', 'deleteTopic T']);
});

test('aFailedStopReplicaHaltsTheTopicUntilItIsResumed', async () => {
  const f = fixture();
  await f.manager.enqueueTopicsForDeletion(new Set(['T']));
  await f.manager.failReplicaDeletion([r2]);
  expect(f.context.replicaState(r2)).toBe('ReplicaDeletionIneligible');
  expect(f.context.topicsIneligibleForDeletion.has('T')).toBe(true);
  // Once no replica is in flight, ineligible ones go back to OfflineReplica, ready for a retry…
  await f.manager.completeReplicaDeletion([r1]);
  expect(f.context.replicaState(r2)).toBe('OfflineReplica');
  // …which happens when the topic is resumed (Kafka: when a broker of the topic restarts).
  f.sender.clear();
  await f.manager.resumeDeletionForTopics(new Set(['T']));
  expect(f.context.replicaState(r2)).toBe('ReplicaDeletionStarted');
  expect(deletes(f.sender, 2)).toHaveLength(1);
  await f.manager.completeReplicaDeletion([r2]);
  expect(f.calls).toEqual(['mute T', 'deleteTopic T']);
});

test('withDeleteTopicDisabledInitOnlyRemovesTheMarkers', async () => {
  const f = fixture({ deleteTopicEnable: false });
  await f.manager.init(new Set(['T']), new Set());
  await f.manager.enqueueTopicsForDeletion(new Set(['T']));
  expect(f.calls).toEqual(['deleteTopicDeletions T']);
  expect(f.context.topicsToBeDeleted.size).toBe(0);
  expect(f.sender.sent).toEqual([]);
});

test('markersOfInternalTopicsAreRemovedAndNeverActedOn', async () => {
  const f = fixture();
  f.context.allTopics.add('__consumer_offsets');
  const left = await f.manager.withoutInternalTopics(
    new Set(['T', '__consumer_offsets', '__transaction_state']),
  );
  expect([...left]).toEqual(['T']);
  expect(f.calls).toEqual(['deleteTopicDeletions __consumer_offsets,__transaction_state']);
  expect(f.sender.byApi(ApiKey.StopReplica)).toEqual([]);
});

test('onFailoverAnInternalTopicsMarkerIsRemovedNotQueued', async () => {
  const f = fixture();
  f.context.allTopics.add('__consumer_offsets');
  await f.manager.init(new Set(['__consumer_offsets']), new Set());
  expect(f.context.isTopicQueuedUpForDeletion('__consumer_offsets')).toBe(false);
  expect(f.calls).toEqual(['deleteTopicDeletions __consumer_offsets']);
  await f.manager.tryTopicDeletion();
  expect(f.sender.byApi(ApiKey.StopReplica)).toEqual([]);
});
