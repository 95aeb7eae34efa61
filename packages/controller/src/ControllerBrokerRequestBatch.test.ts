import { topicPartitionKey, TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ApiKey } from '@samsa/protocol';
import { replicaAssignment } from '@samsa/zk';
import {
  leaderAndIsrPartitionStates,
  stopReplicaPartitions,
  updateMetadataPartitionStates,
} from './testing/receivedControlRequests';
import { batchFor, contextWithBrokers } from './testing/fakes';

const T0: TopicPartition = { topic: 'T', partition: 0 };
const T1: TopicPartition = { topic: 'T', partition: 1 };
const U0: TopicPartition = { topic: 'U', partition: 0 };

function setup(live = [1, 2, 3]) {
  const context = contextWithBrokers(live);
  for (const [tp, replicas, leader] of [
    [T0, [1, 2], 1],
    [T1, [2, 3], 2],
    [U0, [3, 1], 3],
  ] as const) {
    context.updatePartitionFullReplicaAssignment(tp, replicaAssignment([...replicas]));
    context.putPartitionLeadershipInfo(tp, {
      leaderAndIsr: { leader, leaderEpoch: 7, isr: [...replicas], zkVersion: 2 },
      controllerEpoch: 5,
    });
  }
  return { context, ...batchFor(context) };
}

function addLeaderAndIsr(
  f: ReturnType<typeof setup>,
  tp: TopicPartition,
  brokers: number[],
  isNew = false,
): void {
  f.batch.addLeaderAndIsrRequestForBrokers(
    brokers,
    tp,
    f.context.partitionLeadership(tp)!,
    f.context.partitionFullReplicaAssignment(tp)!,
    isNew,
  );
}

test('oneLeaderAndIsrAndOneUpdateMetadataPerBrokerPerStateChange', () => {
  const f = setup();
  f.batch.newBatch();
  addLeaderAndIsr(f, T0, [1, 2]);
  addLeaderAndIsr(f, T1, [2, 3]);
  addLeaderAndIsr(f, U0, [3, 1]);
  f.batch.sendRequestsToBrokers(5);

  const lair = f.sender.byApi(ApiKey.LeaderAndIsr);
  expect(lair.map((s) => s.brokerId).sort()).toEqual([1, 2, 3]);
  const partitionsOf = (brokerId: number) =>
    leaderAndIsrPartitionStates(lair.find((s) => s.brokerId === brokerId)!.request)
      .map((p) => topicPartitionKey({ topic: p.topicName, partition: p.partitionIndex }))
      .sort();
  expect(partitionsOf(1)).toEqual(['T-0', 'U-0']);
  expect(partitionsOf(2)).toEqual(['T-0', 'T-1']);
  expect(partitionsOf(3)).toEqual(['T-1', 'U-0']);

  const um = f.sender.byApi(ApiKey.UpdateMetadata);
  expect(um.map((s) => s.brokerId)).toEqual([1, 2, 3]);
  for (const s of um) expect(updateMetadataPartitionStates(s.request)).toHaveLength(3);
  expect(f.sender.byApi(ApiKey.StopReplica)).toEqual([]);
  expect(f.batch.isEmpty).toBe(true);
});

test('everyRequestCarriesControllerIdControllerEpochAndBrokerEpoch', () => {
  const f = setup();
  f.batch.newBatch();
  addLeaderAndIsr(f, T0, [1, 2]);
  f.batch.addStopReplicaRequestForBrokers([3], T1, false);
  f.batch.sendRequestsToBrokers(5);
  expect(f.sender.sent.length).toBeGreaterThan(0);
  for (const { brokerId, request } of f.sender.sent)
    expect(request.body).toMatchObject({ controllerId: 0, controllerEpoch: 5, brokerEpoch: 100 + brokerId });
});

test('newBatchWhileOneIsUnsentIsAProgrammerError', () => {
  const f = setup();
  f.batch.newBatch();
  addLeaderAndIsr(f, T0, [1]);
  expect(() => f.batch.newBatch()).toThrow(/not empty while creating a new one/);
  f.batch.clear();
  f.batch.addStopReplicaRequestForBrokers([1], T0, false);
  expect(() => f.batch.newBatch()).toThrow(/StopReplica/);
  f.batch.clear();
  f.batch.addUpdateMetadataRequestForBrokers([1], []);
  expect(() => f.batch.newBatch()).toThrow(/UpdateMetadata/);
});

test('brokersThatAreNotLiveGetNothing', () => {
  const f = setup([1, 2]);
  f.batch.newBatch();
  addLeaderAndIsr(f, T1, [2, 3]);
  f.batch.addStopReplicaRequestForBrokers([3], T1, true);
  f.batch.sendRequestsToBrokers(5);
  expect(f.sender.sent.every((s) => s.brokerId !== 3)).toBe(true);
  // The broker that is down is listed as an offline replica.
  const um = f.sender.byApi(ApiKey.UpdateMetadata)[0];
  expect(updateMetadataPartitionStates(um.request)[0]).toMatchObject({
    replicas: [2, 3],
    offlineReplicas: [3],
  });
});

test('isNewAndDeletePartitionAreSticky', () => {
  const f = setup();
  f.batch.newBatch();
  addLeaderAndIsr(f, T0, [1], true);
  addLeaderAndIsr(f, T0, [1], false);
  f.batch.addStopReplicaRequestForBrokers([2], T1, true);
  f.batch.addStopReplicaRequestForBrokers([2], T1, false);
  f.batch.sendRequestsToBrokers(5);
  expect(leaderAndIsrPartitionStates(f.sender.byApi(ApiKey.LeaderAndIsr)[0].request)[0].isNew).toBe(
    true,
  );
  expect(stopReplicaPartitions(f.sender.byApi(ApiKey.StopReplica)[0].request)).toEqual([
    { topic: 'T', partition: 1, deletePartition: true },
  ]);
});

test('stopReplicaBelowV3SplitsDeleteAndStopIntoTwoRequests', () => {
  const f0 = setup();
  const f = { ...f0, ...batchFor(f0.context, { leaderAndIsr: 1, updateMetadata: 4, stopReplica: 1 }) };
  f.batch.newBatch();
  f.batch.addStopReplicaRequestForBrokers([1], T0, true);
  f.batch.addStopReplicaRequestForBrokers([1], U0, false);
  f.batch.sendRequestsToBrokers(5);
  const stops = f.sender.byApi(ApiKey.StopReplica);
  expect(stops.map((s) => [s.request.apiVersion, s.request.body.deletePartitions])).toEqual([
    [1, true],
    [1, false],
  ]);
  // Only the delete request reports back (it drives topic deletion).
  expect(stops.map((s) => s.callback !== undefined)).toEqual([true, false]);
});

test('partitionsOfTopicsBeingDeletedAreAnnouncedWithLeaderDuringDelete', () => {
  const f = setup();
  f.context.queueTopicDeletion(['T']);
  f.batch.newBatch();
  f.batch.addUpdateMetadataRequestForBrokers([1], [T0, U0]);
  f.batch.addStopReplicaRequestForBrokers([1], T0, true);
  f.batch.sendRequestsToBrokers(5);
  const states = updateMetadataPartitionStates(f.sender.byApi(ApiKey.UpdateMetadata)[0].request);
  expect(states.find((s) => s.topicName === 'T')).toMatchObject({ leader: -2, leaderEpoch: 0, isr: [1, 2] });
  expect(states.find((s) => s.topicName === 'U')).toMatchObject({ leader: 3, leaderEpoch: 7 });
  expect(
    f.sender.byApi(ApiKey.StopReplica)[0].request.body.topicStates![0].partitionStates[0].leaderEpoch,
  ).toBe(-2);
});

test('updateMetadataListsEveryLiveBrokerWithItsEndpoints', () => {
  const f = setup([1, 2]);
  f.batch.newBatch();
  f.batch.addUpdateMetadataRequestForBrokers([1, 2], []);
  f.batch.sendRequestsToBrokers(5);
  const body = f.sender.byApi(ApiKey.UpdateMetadata)[0].request.body;
  expect(body.liveBrokers).toEqual([
    {
      id: 1,
      endpoints: [{ host: '127.0.0.1', port: 9093, listener: 'PLAINTEXT', securityProtocol: 0 }],
      rack: null,
    },
    {
      id: 2,
      endpoints: [{ host: '127.0.0.1', port: 9094, listener: 'PLAINTEXT', securityProtocol: 0 }],
      rack: null,
    },
  ]);
});

test('answersComeBackAsEvents', () => {
  const f = setup();
  f.context.queueTopicDeletion(['T']);
  f.context.beginTopicDeletion(['T']);
  f.batch.newBatch();
  addLeaderAndIsr(f, U0, [3]);
  f.batch.addStopReplicaRequestForBrokers([1], T0, true);
  f.batch.sendRequestsToBrokers(5);
  const index = (api: number) => f.sender.sent.findIndex((s) => s.request.apiKey === api);
  f.sender.answer(index(ApiKey.LeaderAndIsr), {
    errorCode: 0,
    partitionErrors: [{ topicName: 'U', partitionIndex: 0, errorCode: 56 }],
  });
  f.sender.answer(index(ApiKey.UpdateMetadata), { errorCode: 0 });
  f.sender.answer(index(ApiKey.StopReplica), {
    errorCode: 0,
    partitionErrors: [{ topicName: 'T', partitionIndex: 0, errorCode: 0 }],
  });
  expect(f.events.map((e) => e.name)).toEqual([
    'LeaderAndIsrResponseReceived',
    'UpdateMetadataResponseReceived',
    'TopicDeletionStopReplicaResponseReceived',
  ]);
  const lair = f.events[0] as Extract<(typeof f.events)[0], { name: 'LeaderAndIsrResponseReceived' }>;
  expect(lair.response.partitionErrors.get(U0)).toBe(56);
  const stop = f.events[2] as Extract<
    (typeof f.events)[0],
    { name: 'TopicDeletionStopReplicaResponseReceived' }
  >;
  expect(stop.replicaId).toBe(1);
  expect(stop.partitionErrors).toEqual(new TopicPartitionMap([[T0, 0]]));
});

test('stateChangeLogNamesEveryBatch', () => {
  const f = setup();
  f.batch.newBatch();
  addLeaderAndIsr(f, T0, [1, 2]);
  f.batch.sendRequestsToBrokers(5);
  expect(f.stateChangeLog.lines).toContain(
    'INFO [Controller id=0 epoch=5] Sending LeaderAndIsr request to broker 1 with 1 become-leader and 0 become-follower partitions',
  );
});
