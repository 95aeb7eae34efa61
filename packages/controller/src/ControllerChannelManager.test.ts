import { ApiKey, type Struct } from '@samsa/protocol';
import { ControllerChannelManager } from './ControllerChannelManager';
import { updateMetadataRequest } from './ControlRequests';
import { FakeBrokerServer, successAnswer } from './testing/FakeBrokerServer';
import { plaintextBroker, quietLogger } from './testing/fakes';

const request = (epoch: number) =>
  updateMetadataRequest(
    6,
    { controllerId: 0, controllerEpoch: epoch, brokerEpoch: 1 },
    [],
    [plaintextBroker(1)],
  );

const until = async (condition: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

let manager: ControllerChannelManager;
const servers: FakeBrokerServer[] = [];
beforeEach(() => {
  manager = new ControllerChannelManager({
    controllerId: 0,
    interBrokerListenerName: 'PLAINTEXT',
    socketTimeoutMs: 1000,
    reconnectBackoffMs: 10,
    reconnectBackoffMaxMs: 50,
    retryBackoffMs: 10,
    logger: quietLogger,
  });
});
afterEach(async () => {
  await manager.shutdown();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function broker(id: number, answer = successAnswer): Promise<FakeBrokerServer> {
  const s = await FakeBrokerServer.start({ answer });
  servers.push(s);
  manager.addBroker(plaintextBroker(id, s.port));
  return s;
}

test('eachBrokerGetsItsRequestsInOrderAndAnswersReachTheCallbacks', async () => {
  const b1 = await broker(1);
  const b2 = await broker(2);
  const answered: Array<[number, number]> = [];
  for (const epoch of [1, 2, 3]) {
    manager.sendRequest(1, request(epoch), () => answered.push([1, epoch]));
    manager.sendRequest(2, request(epoch), () => answered.push([2, epoch]));
  }
  await until(() => answered.length === 6, 'six answers');
  expect(b1.received.map((r) => r.body.controllerEpoch)).toEqual([1, 2, 3]);
  expect(b2.received.map((r) => r.body.controllerEpoch)).toEqual([1, 2, 3]);
  expect(answered.filter(([b]) => b === 1).map(([, e]) => e)).toEqual([1, 2, 3]);
  expect(b1.connectionCount).toBe(1);
});

test('aRequestIsResentAfterTheConnectionDrops', async () => {
  let first = true;
  const s = await broker(1, (r) => {
    if (first) {
      first = false;
      setImmediate(() => s.dropConnections());
      return null;
    }
    return successAnswer(r);
  });
  let answers = 0;
  manager.sendRequest(1, request(4), () => answers++);
  await until(() => answers === 1, 'the resent request to be answered');
  expect(s.requests(ApiKey.UpdateMetadata).map((r) => r.body.controllerEpoch)).toEqual([4, 4]);
});

test('requestsToARemovedOrUnknownBrokerAreDropped', async () => {
  const s = await broker(1, () => null);
  const answered: Struct[] = [];
  manager.sendRequest(1, request(1), (b) => answered.push(b));
  manager.sendRequest(1, request(2), (b) => answered.push(b));
  await until(() => s.received.length === 1, 'the first request');
  manager.removeBroker(1);
  manager.sendRequest(1, request(3));
  manager.sendRequest(9, request(3));
  await new Promise((r) => setTimeout(r, 50));
  expect(s.received.map((r) => r.body.controllerEpoch)).toEqual([1]);
  expect(answered).toEqual([]);
  expect(manager.brokerIds).toEqual([]);
});
