import { TopicPartitionMap } from '@samsa/common';
import { ApiKey } from '@samsa/protocol';
import type { KafkaController } from '@samsa/controller';
import { ControllerMovedError, replicaAssignment, TopicPartitionStateZNode } from '@samsa/zk';
import { successAnswer } from '../../../packages/controller/src/testing/FakeBrokerServer';
import {
  expireSession,
  liveTrackedProcesses,
  startZooKeeper,
  waitFor,
  type ZooKeeperHandle,
} from '../../harness';
import {
  ControllerTestCluster,
  leaderAndIsrStates,
  stopReplicas,
  updateMetadataRequests,
  updateMetadataStates,
} from './support';

/**
 * Two KafkaControllers against a real ZooKeeper, with fake brokers (TCP servers decoding the
 * controller's requests) registered in /brokers/ids.
 */
jest.setTimeout(30_000);

let zk: ZooKeeperHandle;
let cluster: ControllerTestCluster;

beforeAll(async () => {
  zk = await startZooKeeper({ label: 'zookeeper controller/KafkaController.test' });
});

/** Releases anything a test held back, so shutdown never waits on it. */
let releaseHeld = (): void => {};

afterEach(async () => {
  releaseHeld();
  await cluster?.stop();
});

afterAll(async () => {
  await zk?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** Brokers 1–3 registered, then controllers on brokers 1 and 2 started together. */
async function startCluster(
  options: { deleteTopicEnable?: boolean; onNewSession?: () => Promise<void> } = {},
): Promise<[KafkaController, KafkaController]> {
  cluster = await new ControllerTestCluster(zk).start();
  for (const id of [1, 2, 3]) await cluster.addBroker(id);
  const c1 = await cluster.addController(1, options);
  const c2 = await cluster.addController(2, options);
  await Promise.all([c1.startup(), c2.startup()]);
  await waitFor(() => cluster.active().length === 1, { what: 'one active controller' });
  return [c1, c2];
}

function activeAndStandby(): { active: KafkaController; standby: KafkaController } {
  const [active] = cluster.active();
  return { active, standby: cluster.controllers.find((c) => c !== active)! };
}

async function createAndAwait(
  topic: string,
  assignment: Record<number, number[]>,
  config?: Record<string, string>,
): Promise<void> {
  await cluster.createTopic(topic, assignment, config);
  for (const p of Object.keys(assignment))
    await waitFor(() => cluster.partitionState(topic, Number(p)), { what: `state of ${topic}-${p}` });
}

test('exactlyOneControllerBecomesActive', async () => {
  await startCluster();
  const { active, standby } = activeAndStandby();
  expect(standby.isActive).toBe(false);
  expect(active.epoch).toBe(1);
  const registration = JSON.parse((await cluster.read('/controller'))!);
  expect(registration).toMatchObject({ version: 1, brokerid: active === cluster.controllers[0] ? 1 : 2 });
  expect(await cluster.read('/controller_epoch')).toBe('1');
  expect(standby.activeController).toBe(registration.brokerid);
  // Failover announced the live brokers to every broker.
  for (const b of cluster.brokers.values()) {
    await waitFor(() => updateMetadataRequests(b).length > 0, { what: `UpdateMetadata to broker ${b.id}` });
    const first = updateMetadataRequests(b)[0];
    expect(first.header.apiVersion).toBe(6);
    expect(first.body).toMatchObject({
      controllerId: registration.brokerid,
      controllerEpoch: 1,
      brokerEpoch: b.epoch,
    });
    expect(first.body.liveBrokers.map((l: { id: number }) => l.id)).toEqual([1, 2, 3]);
  }
  expect(cluster.notifications.get(active)).toContainEqual(
    expect.objectContaining({ type: 'ControllerElected', epoch: 1 }),
  );
});

test('creatingATopicElectsLeadersAndTellsTheBrokers', async () => {
  await startCluster();
  await createAndAwait('T', { 0: [1, 2, 3], 1: [2, 3, 1] });
  // Partition state znodes in Kafka's exact JSON.
  expect(await cluster.read('/brokers/topics/T/partitions/0/state')).toBe(
    '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}',
  );
  expect(await cluster.read('/brokers/topics/T/partitions/1/state')).toBe(
    '{"controller_epoch":1,"leader":2,"version":1,"leader_epoch":0,"isr":[2,3,1]}',
  );
  for (const b of cluster.brokers.values()) {
    await waitFor(() => leaderAndIsrStates(b).filter((s) => s.topicName === 'T').length === 2, {
      what: `LeaderAndIsr for T to broker ${b.id}`,
    });
    const states = leaderAndIsrStates(b).filter((s) => s.topicName === 'T');
    expect(
      states.map((s) => [s.partitionIndex, s.leader, s.leaderEpoch, s.isr, s.replicas, s.isNew]),
    ).toEqual([
      [0, 1, 0, [1, 2, 3], [1, 2, 3], true],
      [1, 2, 0, [2, 3, 1], [2, 3, 1], true],
    ]);
    const lair = b.server
      .requests(ApiKey.LeaderAndIsr)
      .find((r) => r.body.topicStates.some((t: { topicName: string }) => t.topicName === 'T'))!;
    expect(lair.header.apiVersion).toBe(4);
    expect(lair.body).toMatchObject({ controllerEpoch: 1, brokerEpoch: b.epoch });
    await waitFor(() => updateMetadataStates(b).filter((s) => s.topicName === 'T').length >= 2, {
      what: `UpdateMetadata for T to broker ${b.id}`,
    });
  }
});

test('losingABrokerMovesItsLeadershipToAnotherIsrMember', async () => {
  await startCluster();
  await createAndAwait('T', { 0: [3, 1, 2] });
  const broker1 = cluster.brokers.get(1)!;
  await waitFor(() => leaderAndIsrStates(broker1).some((s) => s.topicName === 'T'), {
    what: 'first LeaderAndIsr',
  });
  await cluster.killBrokerSession(3);
  await waitFor(async () => (await cluster.partitionState('T', 0))?.leader === 1, {
    what: 'leadership to move to broker 1',
  });
  expect(await cluster.partitionState('T', 0)).toEqual({
    controller_epoch: 1,
    leader: 1,
    version: 1,
    leader_epoch: 1,
    isr: [1, 2],
  });
  for (const id of [1, 2]) {
    await waitFor(
      () =>
        leaderAndIsrStates(cluster.brokers.get(id)!).some(
          (s) => s.topicName === 'T' && s.leader === 1 && s.leaderEpoch === 1,
        ),
      { what: `new LeaderAndIsr to broker ${id}` },
    );
  }
  const { active } = activeAndStandby();
  expect(cluster.notifications.get(active)).toContainEqual(
    expect.objectContaining({
      type: 'BrokerChange',
      changes: [expect.objectContaining({ brokerId: 3, change: 'removed' })],
    }),
  );
  expect(cluster.notifications.get(active)).toContainEqual(
    expect.objectContaining({
      type: 'LeaderElection',
      previousLeader: 3,
      leaderAndIsr: expect.objectContaining({ leader: 1 }),
    }),
  );
});

test('expiringTheActiveControllersSessionMakesTheOtherActiveWithAHigherEpoch', async () => {
  // Both controllers race for /controller once the session ends; the expired one needs a new
  // session first and usually loses by a few ms. Holding its re-election (where a broker would
  // re-register) until the standby won makes the outcome certain; either outcome is correct.
  let releaseReelection = (): void => {};
  const reelection = new Promise<void>((resolve) => (releaseReelection = resolve));
  releaseHeld = releaseReelection;
  await startCluster({ onNewSession: () => reelection });
  await createAndAwait('T', { 0: [1, 2] });
  const { active, standby } = activeAndStandby();
  const raw = cluster.controllerZk.get(active)!.zooKeeperClient.currentZooKeeper;
  await expireSession(zk.connectString, raw as Parameters<typeof expireSession>[1]);
  await waitFor(() => standby.isActive, { timeoutMs: 15_000, what: 'the standby to take over' });
  releaseReelection();
  expect(standby.epoch).toBe(2);
  expect(await cluster.read('/controller_epoch')).toBe('2');
  // A zombie cannot write: the deposed controller's fence (epoch zkVersion 1) no longer matches.
  const stale = new TopicPartitionMap([
    [
      { topic: 'T', partition: 0 },
      { leader: 2, leaderEpoch: 9, isr: [2], zkVersion: 0 },
    ],
  ]);
  await expect(cluster.controllerZk.get(active)!.updateLeaderAndIsr(stale, 1, 1)).rejects.toBeInstanceOf(
    ControllerMovedError,
  );
  expect(await cluster.partitionState('T', 0)).toMatchObject({ leader: 1, leader_epoch: 0 });
  await waitFor(() => !active.isActive, { what: 'the expired controller to resign' });
  // The new controller resends its state with the new epoch.
  for (const b of cluster.brokers.values()) {
    await waitFor(() => updateMetadataRequests(b).some((r) => r.body.controllerEpoch === 2), {
      what: `UpdateMetadata at epoch 2 to broker ${b.id}`,
    });
  }
  await waitFor(
    () =>
      leaderAndIsrStates(cluster.brokers.get(1)!).some(
        (s) => s.controllerEpochOfRequest === 2 && s.topicName === 'T',
      ),
    {
      what: 'LeaderAndIsr at epoch 2',
    },
  );
  // The expired controller, now on a new session, stays a standby.
  await new Promise((r) => setTimeout(r, 300));
  expect(cluster.active()).toEqual([standby]);
  expect(cluster.notifications.get(active)).toContainEqual(
    expect.objectContaining({ type: 'ControllerResigned', reason: 'ZooKeeper session expired' }),
  );
});

test('deletingATopicStopsAndDeletesItsReplicasThenItsZnodes', async () => {
  await startCluster();
  await createAndAwait('D', { 0: [1, 2], 1: [2, 3] }, { 'retention.ms': '1000' });
  expect(await cluster.read('/config/topics/D')).not.toBeNull();
  await cluster.admin.createDeleteTopicPath('D');
  await waitFor(async () => (await cluster.read('/admin/delete_topics/D')) === null, {
    what: 'the deletion marker to go',
  });
  expect(await cluster.read('/brokers/topics/D')).toBeNull();
  expect(await cluster.read('/config/topics/D')).toBeNull();
  for (const [id, partitions] of [
    [1, [0]],
    [2, [0, 1]],
    [3, [1]],
  ] as const) {
    const deletes = stopReplicas(cluster.brokers.get(id)!).filter(
      (s) => s.topic === 'D' && s.deletePartition,
    );
    expect(deletes.map((s) => s.partition).sort()).toEqual(partitions);
  }
  // Brokers were told the partitions are being deleted (leader -2).
  expect(
    updateMetadataStates(cluster.brokers.get(1)!).some((s) => s.topicName === 'D' && s.leader === -2),
  ).toBe(true);
  const { active } = activeAndStandby();
  expect(cluster.notifications.get(active)).toContainEqual({ type: 'TopicDeleted', topic: 'D' });
});

test('topicDeletionWaitsForADeadBrokerAndFinishesWhenItReturns', async () => {
  await startCluster();
  await createAndAwait('W', { 0: [2, 3] });
  await cluster.killBrokerSession(3);
  await waitFor(async () => (await cluster.partitionState('W', 0))?.isr.length === 1, {
    what: 'broker 3 to leave the ISR',
  });
  await cluster.admin.createDeleteTopicPath('W');
  await waitFor(
    () => stopReplicas(cluster.brokers.get(2)!).some((s) => s.topic === 'W' && s.deletePartition),
    {
      what: 'StopReplica(delete) to broker 2',
    },
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(await cluster.read('/admin/delete_topics/W')).toBe('');
  expect(await cluster.read('/brokers/topics/W')).not.toBeNull();
  await cluster.registerBroker(3);
  await waitFor(async () => (await cluster.read('/brokers/topics/W')) === null, {
    what: 'deletion to finish',
  });
  expect(await cluster.read('/admin/delete_topics/W')).toBeNull();
  expect(stopReplicas(cluster.brokers.get(3)!).some((s) => s.topic === 'W' && s.deletePartition)).toBe(true);
});

test('withDeleteTopicDisabledOnlyTheMarkerGoes', async () => {
  await startCluster({ deleteTopicEnable: false });
  await createAndAwait('E', { 0: [1, 2] });
  await cluster.admin.createDeleteTopicPath('E');
  await waitFor(async () => (await cluster.read('/admin/delete_topics/E')) === null, {
    what: 'the marker to be removed',
  });
  expect(await cluster.read('/brokers/topics/E')).not.toBeNull();
  expect(await cluster.partitionState('E', 0)).toMatchObject({ leader: 1, leader_epoch: 0 });
  for (const b of cluster.brokers.values())
    expect(stopReplicas(b).filter((s) => s.topic === 'E')).toEqual([]);
});

test('partitionsAddedToATopicGetLeaders', async () => {
  await startCluster();
  await createAndAwait('P', { 0: [1, 2] });
  // What kafka-topics --alter --partitions 2 writes.
  await cluster.admin.setTopicAssignment(
    'P',
    null,
    new Map([
      [0, replicaAssignment([1, 2])],
      [1, replicaAssignment([3, 1])],
    ]),
  );
  await waitFor(() => cluster.partitionState('P', 1), { what: 'state of P-1' });
  expect(await cluster.partitionState('P', 1)).toEqual({
    controller_epoch: 1,
    leader: 3,
    version: 1,
    leader_epoch: 0,
    isr: [3, 1],
  });
  expect(await cluster.partitionState('P', 0)).toMatchObject({ leader: 1, leader_epoch: 0 });
  await waitFor(
    () =>
      leaderAndIsrStates(cluster.brokers.get(3)!).some((s) => s.topicName === 'P' && s.partitionIndex === 1),
    {
      what: 'LeaderAndIsr for P-1 to broker 3',
    },
  );
  const { active } = activeAndStandby();
  expect(active.metrics()).toMatchObject({
    activeControllerCount: 1,
    controllerEpoch: 1,
    globalTopicCount: 1,
    globalPartitionCount: 2,
    offlinePartitionsCount: 0,
  });
  expect(activeAndStandby().standby.metrics()).toMatchObject({
    activeControllerCount: 0,
    globalPartitionCount: 0,
  });
});

test('isrChangeNotificationsBecomeUpdateMetadataAndAreDeleted', async () => {
  await startCluster();
  await createAndAwait('I', { 0: [1, 2, 3] });
  // The leader shrinks the ISR, conditionally on the version it knows, and announces it.
  const tp = { topic: 'I', partition: 0 };
  const current = (await cluster.admin.getTopicPartitionState(tp))!;
  const written = await cluster.admin.conditionalUpdatePath(
    TopicPartitionStateZNode.path(tp),
    TopicPartitionStateZNode.encode({ ...current, leaderAndIsr: { ...current.leaderAndIsr, isr: [1, 2] } }),
    current.leaderAndIsr.zkVersion,
  );
  expect(written.succeeded).toBe(true);
  await cluster.admin.propagateIsrChanges([tp]);
  for (const b of cluster.brokers.values()) {
    await waitFor(
      () =>
        updateMetadataStates(b).some((s) => s.topicName === 'I' && s.isr.length === 2 && s.zkVersion === 1),
      {
        what: `UpdateMetadata with the new ISR to broker ${b.id}`,
      },
    );
  }
  await waitFor(async () => (await cluster.admin.getAllIsrChangeNotifications()).length === 0, {
    what: 'the notification to be deleted',
  });
});

test('aFailedLogDirectoryTakesItsReplicasOffline', async () => {
  await startCluster();
  await createAndAwait('L', { 0: [1, 2] });
  // Broker 1's log directory holding L-0 fails: it answers LeaderAndIsr with KAFKA_STORAGE_ERROR.
  const broker1 = cluster.brokers.get(1)!;
  broker1.server.answer = (request) => {
    const answer = successAnswer(request);
    if (request.header.apiKey !== ApiKey.LeaderAndIsr || answer === null) return answer;
    for (const e of answer.partitionErrors) if (e.topicName === 'L') e.errorCode = 56;
    return answer;
  };
  await cluster.admin.propagateLogDirEvent(1);
  await waitFor(async () => (await cluster.partitionState('L', 0))?.leader === 2, {
    what: 'leadership of L-0 to leave the failed directory',
  });
  expect(await cluster.partitionState('L', 0)).toMatchObject({ leader: 2, leader_epoch: 1, isr: [2] });
  await waitFor(async () => (await cluster.admin.getAllLogDirEventNotifications()).length === 0, {
    what: 'the log dir notification to be deleted',
  });
});
