import { ApiKey } from '@samsa/protocol';
import { controllerConfig } from './ControllerConfig';
import { ControllerChannelManager } from './ControllerChannelManager';
import { updateMetadataRequest } from './ControlRequests';
import { FakeBrokerServer } from './testing/FakeBrokerServer';
import { plaintextBroker, quietLogger } from './testing/fakes';

/**
 * KIP-291: with control.plane.listener.name set, the controller's requests go to that listener of
 * each broker (Kafka's controllerToBrokerListenerName), not to the inter-broker one.
 */
const servers: FakeBrokerServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

test('theControllerToBrokerListenerIsTheControlPlaneOneWhenSet', () => {
  expect(controllerConfig({ brokerId: 0, interBrokerListenerName: 'internal' }).controllerToBrokerListenerName).toBe('INTERNAL');
  expect(
    controllerConfig({ brokerId: 0, interBrokerListenerName: 'internal', controlPlaneListenerName: 'controller' })
      .controllerToBrokerListenerName,
  ).toBe('CONTROLLER');
});

test('requestsGoToTheControlPlaneEndpointOfTheBroker', async () => {
  const data = await FakeBrokerServer.start();
  const control = await FakeBrokerServer.start();
  servers.push(data, control);
  const manager = new ControllerChannelManager({
    controllerId: 0,
    interBrokerListenerName: 'PLAINTEXT',
    controllerToBrokerListenerName: 'CONTROLLER',
    socketTimeoutMs: 1000,
    reconnectBackoffMs: 10,
    reconnectBackoffMaxMs: 50,
    retryBackoffMs: 10,
    logger: quietLogger,
  });
  try {
    const broker = plaintextBroker(1, data.port);
    manager.addBroker({
      ...broker,
      endPoints: [...broker.endPoints, { host: '127.0.0.1', port: control.port, listenerName: 'CONTROLLER', securityProtocol: 'PLAINTEXT' }],
    });
    let answered = false;
    manager.sendRequest(
      1,
      updateMetadataRequest(6, { controllerId: 0, controllerEpoch: 1, brokerEpoch: 1 }, [], [plaintextBroker(1)]),
      () => (answered = true),
    );
    const deadline = Date.now() + 5000;
    while (!answered && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(answered).toBe(true);
    expect(control.requests(ApiKey.UpdateMetadata)).toHaveLength(1);
    expect(data.connectionCount).toBe(0);
  } finally {
    await manager.shutdown();
  }
});
