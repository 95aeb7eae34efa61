import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, waitFor, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import {
  controllerInfo,
  errorName,
  kafkaTopics,
  kcatConsume,
  kcatProduce,
  partitionState,
  waitForPartitionState,
} from '../../fault/support';
import { currentController, leaderAndIsrV2, MAX_CONTROLLER_EPOCH, stopReplicaV1, updateMetadataV0DeletingAll } from './controlRequests';
import { brokerPids, sendHandBuilt, stillServes, waitUntilServed } from './support';

/**
 * Issue 13, row 2, on two real brokers: a controller epoch of 2³¹−1 sent by a client used to be
 * taken as the newest, and every request of the real controller was STALE from then on. Now an
 * epoch above the known one counts only once /controller_epoch and /controller confirm it:
 *  - forged LeaderAndIsr v2 (leader -1 for a partition the broker leads), StopReplica v1
 *    (delete=true) and UpdateMetadata v0 (the topic deleted, no live brokers) at epoch 2³¹−1 answer
 *    STALE_CONTROLLER_EPOCH and change nothing;
 *  - the real controller still works: a topic created afterwards gets its leader and full ISR on the
 *    forged-at broker, kcat produces and consumes; and when the controller's broker (leading the new
 *    topic) is killed, the other broker becomes controller with the next epoch — which it accepts
 *    after reading ZooKeeper — and leadership moves to it.
 */
jest.setTimeout(90_000);

let cluster: ClusterHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;
/** The broker that is controller at the start, and the other one (the target of the forgeries). */
let controllerBroker: BrokerHandle;
let target: BrokerHandle;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: { 'auto.create.topics.enable': false } });
  pids = brokerPids(cluster);
  zk = await connectZk(cluster.zkConnect);
  const controller = await waitFor(() => controllerInfo(zk), { what: 'a controller' });
  controllerBroker = cluster.broker(controller.brokerId);
  target = cluster.brokers.find((b) => b.brokerId !== controller.brokerId)!;
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

async function createTopic(topic: string, assignment: readonly number[]): Promise<void> {
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', topic, '--replica-assignment', assignment.join(':')]);
  await waitForPartitionState(zk, topic, 0, (s) => s.leader === assignment[0] && s.isr.length === assignment.length, 'full ISR');
  for (const b of cluster.brokers) await waitUntilServed(b, topic);
}

function partitionErrorNames(body: Struct): string[] {
  return (body.partitionErrors as Struct[]).map((e) => errorName(e.errorCode as number));
}

test('aForgedMaximumControllerEpochIsRefusedAndTheRealControllerKeepsWorking', async () => {
  const before = 'before-forgery';
  await createTopic(before, [target.brokerId, controllerBroker.brokerId]);
  const real = await currentController(zk);
  const stateBefore = await partitionState(zk, before, 0);

  // 1. forged requests at epoch 2^31-1, claiming to come from the target itself
  const header = { controllerId: target.brokerId, controllerEpoch: MAX_CONTROLLER_EPOCH, brokerEpoch: -1 };
  const lair = await sendHandBuilt(
    target,
    ApiKey.LeaderAndIsr,
    2,
    leaderAndIsrV2(header, [
      { topic: before, partition: 0, leader: -1, leaderEpoch: 1_000_000, isr: [controllerBroker.brokerId], replicas: [target.brokerId, controllerBroker.brokerId] },
    ]),
  );
  expect(lair.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  expect(partitionErrorNames(lair)).toEqual(['STALE_CONTROLLER_EPOCH']);
  const stop = await sendHandBuilt(target, ApiKey.StopReplica, 1, stopReplicaV1(header, true, [{ topic: before, partition: 0 }]));
  expect(stop.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  // the same epoch under the real controller's id is not believed either
  const asController = await sendHandBuilt(
    target,
    ApiKey.StopReplica,
    1,
    stopReplicaV1({ ...header, controllerId: real.brokerId }, true, [{ topic: before, partition: 0 }]),
  );
  expect(asController.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  // UpdateMetadata v0 (no broker epoch field): "no live brokers, and the topic is being deleted"
  const update = await sendHandBuilt(target, ApiKey.UpdateMetadata, 0, updateMetadataV0DeletingAll(header, [{ topic: before, partition: 0 }]));
  expect(update.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);

  // nothing changed: the target still leads, its records are there, and both brokers still serve
  expect(await partitionState(zk, before, 0)).toEqual(stateBefore);
  await stillServes(cluster, { pids, topic: before });

  // 2. the real controller's requests still count: a new topic led by the controller's broker,
  // followed by the target (its LeaderAndIsr accepted there, or the ISR would not be full)
  const after = 'after-forgery';
  await createTopic(after, [controllerBroker.brokerId, target.brokerId]);
  const written = ['a', 'b', 'c'].map((v) => `${v}-${process.pid}`);
  await kcatProduce(cluster.bootstrap, after, written, { partition: 0 });
  expect(await kcatConsume(cluster.bootstrap, after, 0)).toEqual(written);

  // 3. kill the leader (also the controller): the target becomes controller with the next epoch,
  // confirms it in ZooKeeper, and takes the leadership
  await controllerBroker.kill();
  const next = await waitFor(
    async () => {
      const c = await controllerInfo(zk);
      return c !== null && c.brokerId === target.brokerId ? c : null;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `broker ${target.brokerId} to become controller` },
  );
  expect(next.epoch).toBe(real.epoch + 1);
  await waitForPartitionState(zk, after, 0, (s) => s.leader === target.brokerId, `leader ${target.brokerId}`, 30_000);
  await waitUntilServed(target, after);
  const more = `d-${process.pid}`;
  await kcatProduce(target.bootstrap, after, [more], { partition: 0 });
  expect(await kcatConsume(target.bootstrap, after, 0)).toEqual([...written, more]);
  expect(target.pid).toBe(pids.get(target.brokerId));
  expect(target.output()).toMatch(/Refusing LeaderAndIsr request from controller \d+ with controller epoch 2147483647/);
});
