import * as fs from 'fs';
import * as path from 'path';
import type { Struct } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, waitFor, type ZkClient } from '../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import {
  controllerInfo,
  errorName,
  expectEventually,
  kafkaTopics,
  kcatConsume,
  kcatProduce,
  messages,
  metadata,
  waitForPartitionState,
} from './support';

/**
 * Restarts, as scenarios on a three-broker cluster:
 *   "stop broker V (SIGTERM), write while it is down, start it again on the same port and log dir";
 *   "kill -9 broker V, wait until the cluster has dropped it, start it again".
 * Each uses two topics: `solo-*` lives only on V (what a client reads from it after the restart can
 * only come from V's own log), and `shared-*` is led by another broker with V as a follower (V must
 * catch up and come back into the ISR).
 */
jest.setTimeout(90_000);

const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, overrides: { 'auto.create.topics.enable': false } });
  zk = await connectZk(cluster.zkConnect);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** A broker that is not the controller (so the scenario is about the restart, not a failover). */
async function nonController(): Promise<{ victim: BrokerHandle; others: BrokerHandle[] }> {
  const controller = await waitFor(() => controllerInfo(zk), { what: 'a controller' });
  const victim = cluster.brokers.find((b) => b.brokerId !== controller.brokerId)!;
  return { victim, others: cluster.brokers.filter((b) => b !== victim) };
}

/** Creates `solo` on the victim alone and `shared` led by `others[0]` with the victim following. */
async function createTopics(
  solo: string,
  shared: string,
  victim: BrokerHandle,
  others: BrokerHandle[],
): Promise<void> {
  const v = victim.brokerId;
  const [l, f] = others.map((b) => b.brokerId);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', solo, '--replica-assignment', `${v}`]);
  await kafkaTopics(cluster.zkConnect, [
    '--create',
    '--topic',
    shared,
    '--replica-assignment',
    `${l}:${v}:${f}`,
  ]);
  await waitForPartitionState(zk, solo, 0, (s) => s.leader === v, `leader ${v}`);
  await waitForPartitionState(
    zk,
    shared,
    0,
    (s) => s.leader === l && s.isr.length === 3,
    `leader ${l}, full ISR`,
  );
}

/** The broker's console since `from` (one run of the process). */
function outputSince(broker: BrokerHandle, from: number): string {
  return broker.output().slice(from);
}

/** Partition 0 of `topic` as `broker`'s Metadata v1 shows it, and the broker ids it lists. */
async function metadataView(
  broker: BrokerHandle,
  topic: string,
): Promise<{ brokers: number[]; partition: Struct }> {
  const m = await metadata(broker, [topic]);
  const t = m.topics[0];
  expect(errorName(t.errorCode)).toBe('NONE');
  return {
    brokers: (m.brokers as Struct[]).map((b) => b.nodeId as number).sort(),
    partition: (t.partitions as Struct[]).find((p) => p.partitionIndex === 0)!,
  };
}

/** Waits until `broker` itself (not only ZooKeeper) knows it leads partition 0 of `topic`. */
async function expectLeaderKnownTo(broker: BrokerHandle, topic: string): Promise<void> {
  await waitForPartitionState(zk, topic, 0, (s) => s.leader === broker.brokerId, `leader ${broker.brokerId}`);
  await expectEventually(async () => {
    expect((await metadataView(broker, topic)).partition.leaderId).toBe(broker.brokerId);
  });
}

test('aBrokerStoppedWithSigtermKeepsItsDataAndRejoinsAfterARestart', async () => {
  const { victim, others } = await nonController();
  const v = victim.brokerId;
  await createTopics('solo-term', 'shared-term', victim, others);
  const soloBefore = messages('solo-term', 50);
  const sharedBefore = messages('shared-term', 50);
  await kcatProduce(cluster.bootstrap, 'solo-term', soloBefore, { partition: 0 });
  await kcatProduce(cluster.bootstrap, 'shared-term', sharedBefore, { partition: 0 });

  // Stop: a clean exit leaves the clean-shutdown marker beside the logs.
  expect(await victim.stop()).toBe(0);
  expect(fs.existsSync(path.join(victim.logDir, CLEAN_SHUTDOWN_FILE))).toBe(true);
  expect(fs.existsSync(path.join(victim.logDir, 'solo-term-0', '00000000000000000000.log'))).toBe(true);

  // While it is down: the controller takes it out of the ISR; writes go on without it.
  await waitForPartitionState(zk, 'solo-term', 0, (s) => s.leader === -1, 'offline');
  await waitForPartitionState(zk, 'shared-term', 0, (s) => !s.isr.includes(v), `ISR without ${v}`);
  const sharedWhileDown = messages('shared-term-while-down', 20);
  const live = others.map((b) => b.bootstrap).join(',');
  await kcatProduce(live, 'shared-term', sharedWhileDown, { partition: 0 });

  const from = victim.output().length;
  await victim.restart();
  expect(outputSince(victim, from)).toContain(
    `Skipping recovery for all logs in ${victim.logDir} since clean shutdown file was found`,
  );

  // Its own data is served again, from its own log; and it takes new writes.
  await expectLeaderKnownTo(victim, 'solo-term');
  expect(await kcatConsume(victim.bootstrap, 'solo-term', 0)).toEqual(soloBefore);
  await kcatProduce(cluster.bootstrap, 'solo-term', ['after-restart'], { partition: 0 });
  expect(await kcatConsume(cluster.bootstrap, 'solo-term', 0)).toEqual([...soloBefore, 'after-restart']);

  // It catches up on what it missed and comes back into the ISR; every broker's metadata shows it.
  await waitForPartitionState(zk, 'shared-term', 0, (s) => s.isr.includes(v), `${v} back in the ISR`);
  for (const b of cluster.brokers) {
    await expectEventually(async () => {
      const view = await metadataView(b, 'shared-term');
      expect(view.brokers).toEqual(cluster.brokers.map((x) => x.brokerId).sort());
      expect([...view.partition.isrNodes].sort()).toEqual(cluster.brokers.map((x) => x.brokerId).sort());
    });
  }
  expect(await kcatConsume(cluster.bootstrap, 'shared-term', 0)).toEqual([
    ...sharedBefore,
    ...sharedWhileDown,
  ]);
});

test('aBrokerKilledWithSigkillKeepsWhatItWroteAndRejoinsAfterARestart', async () => {
  const { victim, others } = await nonController();
  const v = victim.brokerId;
  await createTopics('solo-kill', 'shared-kill', victim, others);
  const solo = messages('solo-kill', 50);
  const shared = messages('shared-kill', 50);
  // Acknowledged (acks=all) means written to the OS: a process kill cannot take it back.
  await kcatProduce(cluster.bootstrap, 'solo-kill', solo, { partition: 0 });
  await kcatProduce(cluster.bootstrap, 'shared-kill', shared, { partition: 0 });

  await victim.kill();
  expect(fs.existsSync(path.join(victim.logDir, CLEAN_SHUTDOWN_FILE))).toBe(false);

  // Its ZooKeeper session ends (zookeeper.session.timeout.ms 6 s): out of the ISR, off the broker list.
  await waitForPartitionState(zk, 'solo-kill', 0, (s) => s.leader === -1, 'offline');
  await waitForPartitionState(zk, 'shared-kill', 0, (s) => !s.isr.includes(v), `ISR without ${v}`);
  await expectEventually(async () => {
    expect((await metadataView(others[0], 'shared-kill')).brokers).not.toContain(v);
  });

  const from = victim.output().length;
  await victim.restart();
  expect(outputSince(victim, from)).toContain(
    `Attempting recovery for all logs in ${victim.logDir} since no clean shutdown file was found`,
  );

  await expectLeaderKnownTo(victim, 'solo-kill');
  expect(await kcatConsume(victim.bootstrap, 'solo-kill', 0)).toEqual(solo);

  await waitForPartitionState(zk, 'shared-kill', 0, (s) => s.isr.includes(v), `${v} back in the ISR`);
  await expectEventually(async () => {
    const view = await metadataView(victim, 'shared-kill');
    expect(view.brokers).toContain(v);
    expect(view.partition.isrNodes).toContain(v);
  });
  expect(await kcatConsume(cluster.bootstrap, 'shared-kill', 0)).toEqual(shared);
});
