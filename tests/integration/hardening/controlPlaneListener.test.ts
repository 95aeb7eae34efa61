import { close, connectZk, freePort, getData, liveTrackedProcesses, LOOPBACK, waitFor, type ZkClient } from '../../harness';
import { startBroker, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { startZooKeeper, type ZooKeeperHandle } from '../../harness/zookeeper';
import { controllerInfo, kafkaTopics, kcatConsume, kcatProduce, waitForPartitionState } from '../../fault/support';
import { brokerPids, stillServes, waitUntilServed } from './support';

/**
 * Issue 13, row 2: control.plane.listener.name (KIP-291) on two real brokers, each with a PLAINTEXT
 * listener for clients and replication and a CONTROLLER listener of its own port for the
 * controller. Each broker's /brokers/ids/<id> lists both endpoints with their protocols (Kafka's
 * registration JSON); the controller connects to every broker's CONTROLLER endpoint and never to its
 * PLAINTEXT one; a topic gets its leader and full ISR (LeaderAndIsr over the control plane,
 * replication over PLAINTEXT) and kcat produces and consumes.
 */
jest.setTimeout(90_000);

let zkServer: ZooKeeperHandle;
let cluster: ClusterHandle;
let zk: ZkClient;
const controlPorts = new Map<number, number>();

beforeAll(async () => {
  zkServer = await startZooKeeper();
  const brokers: BrokerHandle[] = [];
  try {
    for (const brokerId of [0, 1]) {
      const port = await freePort();
      const controlPort = await freePort();
      controlPorts.set(brokerId, controlPort);
      brokers.push(
        await startBroker({
          zkConnect: zkServer.connectString,
          brokerId,
          port,
          overrides: {
            listeners: `PLAINTEXT://${LOOPBACK}:${port},CONTROLLER://${LOOPBACK}:${controlPort}`,
            'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
            'control.plane.listener.name': 'CONTROLLER',
            'inter.broker.listener.name': 'PLAINTEXT',
            'auto.create.topics.enable': false,
          },
        }),
      );
    }
  } catch (e) {
    await Promise.all(brokers.map((b) => b.remove()));
    await zkServer.stop();
    throw e;
  }
  cluster = {
    zk: zkServer,
    brokers,
    zkConnect: zkServer.connectString,
    bootstrap: brokers.map((b) => b.bootstrap).join(','),
    broker: (id) => brokers.find((b) => b.brokerId === id)!,
    async stop() {
      await Promise.all(brokers.map((b) => b.stop().catch(() => b.kill())));
      await Promise.all(brokers.map((b) => b.remove()));
      await zkServer.stop();
    },
  };
  zk = await connectZk(cluster.zkConnect);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

test('theControllerReachesEveryBrokerOnItsControlPlaneListener', async () => {
  const pids = brokerPids(cluster);
  for (const b of cluster.brokers) {
    const registration = JSON.parse((await getData(zk, `/brokers/ids/${b.brokerId}`)).data!.toString('utf8')) as {
      endpoints: string[];
      listener_security_protocol_map: Record<string, string>;
    };
    expect(registration.endpoints.sort()).toEqual(
      [`CONTROLLER://${LOOPBACK}:${controlPorts.get(b.brokerId)}`, `PLAINTEXT://${LOOPBACK}:${b.port}`].sort(),
    );
    expect(registration.listener_security_protocol_map).toEqual({ PLAINTEXT: 'PLAINTEXT', CONTROLLER: 'PLAINTEXT' });
  }

  const topic = 'control-plane';
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', topic, '--replica-assignment', '0:1']);
  await waitForPartitionState(zk, topic, 0, (s) => s.leader === 0 && s.isr.length === 2, 'leader 0, full ISR');
  for (const b of cluster.brokers) await waitUntilServed(b, topic);
  await kcatProduce(cluster.bootstrap, topic, ['one', 'two'], { partition: 0 });
  expect(await kcatConsume(cluster.bootstrap, topic, 0)).toEqual(['one', 'two']);

  const controller = await waitFor(() => controllerInfo(zk), { what: 'a controller' });
  const out = cluster.broker(controller.brokerId).output();
  for (const b of cluster.brokers) {
    expect(out).toContain(
      `connected to CONTROLLER://${LOOPBACK}:${controlPorts.get(b.brokerId)} (id: ${b.brokerId}) for sending state change requests`,
    );
    expect(out).not.toContain(`connected to PLAINTEXT://${LOOPBACK}:${b.port} (id: ${b.brokerId})`);
  }
  await stillServes(cluster, { pids, topic });
});
