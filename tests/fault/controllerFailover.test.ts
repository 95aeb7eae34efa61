import * as fs from 'fs';
import * as path from 'path';
import { ApiKey, type Struct } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, waitFor, type ZkClient } from '../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import {
  controllerInfo,
  createTopic,
  errorName,
  expectEventually,
  kafkaTopics,
  kcatConsume,
  kcatProduce,
  messages,
  metadata,
  partitionState,
  rawRequest,
  waitForPartitionState,
  type ControllerInfo,
} from './support';

/**
 * Losing the controller, as scenarios on a three-broker cluster:
 *   "kill -9 the controller's process": another broker wins /controller with the next epoch, moves
 *   the dead broker's leaderships, and the cluster still creates topics and serves them;
 *   "the deposed controller speaks": LeaderAndIsr, UpdateMetadata and StopReplica carrying its
 *   (older) epoch, sent raw to a broker, are refused with STALE_CONTROLLER_EPOCH and change nothing.
 */
jest.setTimeout(90_000);

let cluster: ClusterHandle;
let zk: ZkClient;
/** The controller that was killed, and the one that took over. */
let deposed: ControllerInfo;
let current: ControllerInfo;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, overrides: { 'auto.create.topics.enable': false } });
  zk = await connectZk(cluster.zkConnect);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

function live(): BrokerHandle[] {
  return cluster.brokers.filter((b) => b.brokerId !== deposed.brokerId);
}

test('killingTheControllerMakesAnotherBrokerControllerWithAHigherEpochAndTopicsCanStillBeCreated', async () => {
  deposed = await waitFor(() => controllerInfo(zk), { what: 'a controller' });
  const [a, b] = cluster.brokers.filter((x) => x.brokerId !== deposed.brokerId).map((x) => x.brokerId);
  // Led by the controller's broker, so the new controller has a leader to elect.
  await kafkaTopics(cluster.zkConnect, [
    '--create',
    '--topic',
    'before-failover',
    '--replica-assignment',
    `${deposed.brokerId}:${a}:${b}`,
  ]);
  const before = await waitForPartitionState(
    zk,
    'before-failover',
    0,
    (s) => s.leader === deposed.brokerId && s.isr.length === 3,
    'full ISR',
  );
  const written = messages('before-failover', 30);
  await kcatProduce(cluster.bootstrap, 'before-failover', written, { partition: 0 });

  await cluster.broker(deposed.brokerId).kill();

  // Its session ends; /controller is won by another broker, which increments /controller_epoch once.
  current = await waitFor(
    async () => {
      const c = await controllerInfo(zk);
      return c !== null && c.brokerId !== deposed.brokerId ? c : null;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: 'another broker to become controller' },
  );
  expect([a, b]).toContain(current.brokerId);
  expect(current.epoch).toBe(deposed.epoch + 1);

  // The new controller elected a new leader from the ISR, with a new leader epoch, under its epoch.
  const after = await waitForPartitionState(
    zk,
    'before-failover',
    0,
    (s) => s.leader !== deposed.brokerId && s.leader >= 0,
    'a new leader',
  );
  expect([a, b]).toContain(after.leader);
  expect(after.isr).not.toContain(deposed.brokerId);
  expect(after.leader_epoch).toBeGreaterThan(before.leader_epoch);
  expect(after.controller_epoch).toBe(current.epoch);

  // Every live broker names the new controller.
  for (const broker of live()) {
    await expectEventually(async () => {
      expect((await metadata(broker, [])).controllerId).toBe(current.brokerId);
    });
  }

  // Topic creation still works: kafka-topics writes ZooKeeper, the new controller does the rest.
  await createTopic(cluster.zkConnect, 'after-failover', 2, 2);
  for (const p of [0, 1]) {
    const s = await waitForPartitionState(
      zk,
      'after-failover',
      p,
      (x) => x.leader >= 0 && x.isr.length === 2,
      'online',
    );
    expect(s.controller_epoch).toBe(current.epoch);
  }
  const bootstrap = live()
    .map((x) => x.bootstrap)
    .join(',');
  for (const p of [0, 1]) {
    const values = messages(`after-failover-${p}`, 10);
    await kcatProduce(bootstrap, 'after-failover', values, { partition: p });
    expect(await kcatConsume(bootstrap, 'after-failover', p)).toEqual(values);
  }
  // What was written before the failover is still there, and the partition takes writes.
  await kcatProduce(bootstrap, 'before-failover', ['after-the-new-leader'], { partition: 0 });
  expect(await kcatConsume(bootstrap, 'before-failover', 0)).toEqual([...written, 'after-the-new-leader']);

  // The old controller's broker comes back as an ordinary broker.
  await cluster.broker(deposed.brokerId).restart();
  await waitForPartitionState(
    zk,
    'before-failover',
    0,
    (s) => s.isr.includes(deposed.brokerId),
    'the old controller back in the ISR',
  );
  expect(await controllerInfo(zk)).toEqual(current);
});

test('requestsCarryingTheDeposedControllersEpochAreRefusedAndTheBrokerKeepsItsPartitions', async () => {
  expect(current).toBeDefined();
  const target =
    cluster.brokers.find((x) => x.brokerId !== current.brokerId && x.brokerId !== deposed.brokerId) ??
    cluster.broker(current.brokerId);
  const t = target.brokerId;
  const other = cluster.brokers.find((x) => x.brokerId !== t)!.brokerId;
  await kafkaTopics(cluster.zkConnect, [
    '--create',
    '--topic',
    'fenced',
    '--replica-assignment',
    `${t}:${other}`,
  ]);
  const state = await waitForPartitionState(
    zk,
    'fenced',
    0,
    (s) => s.leader === t && s.isr.length === 2,
    `leader ${t}`,
  );
  const written = messages('fenced', 10);
  await kcatProduce(cluster.bootstrap, 'fenced', written, { partition: 0 });
  const staleEpoch = deposed.epoch;
  expect(staleEpoch).toBeLessThan(current.epoch);
  const header = { controllerId: deposed.brokerId, controllerEpoch: staleEpoch, brokerEpoch: -1 };

  // LeaderAndIsr v4 (what our controller sends): "broker `other` leads now, with a newer leader epoch".
  const leaderAndIsr = await rawRequest(target.port, ApiKey.LeaderAndIsr, 4, {
    ...header,
    topicStates: [
      {
        topicName: 'fenced',
        partitionStates: [
          {
            partitionIndex: 0,
            controllerEpoch: staleEpoch,
            leader: other,
            leaderEpoch: state.leader_epoch + 10,
            isr: [other],
            zkVersion: 99,
            replicas: [t, other],
            addingReplicas: [],
            removingReplicas: [],
            isNew: false,
          },
        ],
      },
    ],
    liveLeaders: [{ brokerId: other, hostName: '127.0.0.1', port: cluster.broker(other).port }],
  });
  expect(errorName(leaderAndIsr.errorCode)).toBe('STALE_CONTROLLER_EPOCH');
  expect(
    (leaderAndIsr.partitionErrors as Struct[]).map((e) => [
      e.topicName,
      e.partitionIndex,
      errorName(e.errorCode),
    ]),
  ).toEqual([['fenced', 0, 'STALE_CONTROLLER_EPOCH']]);

  // UpdateMetadata v6: "no live brokers, and `fenced` has no leader".
  const updateMetadata = await rawRequest(target.port, ApiKey.UpdateMetadata, 6, {
    ...header,
    topicStates: [
      {
        topicName: 'fenced',
        partitionStates: [
          {
            partitionIndex: 0,
            controllerEpoch: staleEpoch,
            leader: -1,
            leaderEpoch: state.leader_epoch + 10,
            isr: [],
            zkVersion: 99,
            replicas: [t, other],
            offlineReplicas: [t, other],
          },
        ],
      },
    ],
    liveBrokers: [],
  });
  expect(errorName(updateMetadata.errorCode)).toBe('STALE_CONTROLLER_EPOCH');

  // StopReplica v3: "stop `fenced` and delete its log".
  const stopReplica = await rawRequest(target.port, ApiKey.StopReplica, 3, {
    ...header,
    topicStates: [
      {
        topicName: 'fenced',
        partitionStates: [{ partitionIndex: 0, leaderEpoch: state.leader_epoch + 10, deletePartition: true }],
      },
    ],
  });
  expect(errorName(stopReplica.errorCode)).toBe('STALE_CONTROLLER_EPOCH');
  // Kafka 2.8 lists no partitions here; a broker that lists them must not call any stopped.
  for (const e of stopReplica.partitionErrors as Struct[])
    expect(errorName(e.errorCode)).toBe('STALE_CONTROLLER_EPOCH');

  // Nothing changed: the broker still leads `fenced` with its log, its metadata is the real
  // controller's, and it takes and serves writes.
  expect(fs.existsSync(path.join(target.logDir, 'fenced-0'))).toBe(true);
  const view = await metadata(target, ['fenced']);
  expect((view.brokers as Struct[]).map((x) => x.nodeId).sort()).toEqual(
    cluster.brokers.map((x) => x.brokerId).sort(),
  );
  expect(view.controllerId).toBe(current.brokerId);
  const p0 = (view.topics[0].partitions as Struct[])[0];
  expect([errorName(p0.errorCode), p0.leaderId]).toEqual(['NONE', t]);
  expect(await partitionState(zk, 'fenced', 0)).toEqual(state);
  await kcatProduce(target.bootstrap, 'fenced', ['after-the-stale-requests'], { partition: 0 });
  expect(await kcatConsume(target.bootstrap, 'fenced', 0)).toEqual([...written, 'after-the-stale-requests']);
});
