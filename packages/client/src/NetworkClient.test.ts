import { MemoryLogger } from '@samsa/common';
import { ApiKey } from '@samsa/protocol';
import { DisconnectedError, NetworkClientClosedError, RequestTimeoutError } from './errors';
import { NetworkClient } from './NetworkClient';
import { FakeKafkaServer as FakeBrokerServer } from './testing/FakeKafkaServer';

const quietLogger = new MemoryLogger();

/** An UpdateMetadata v6 request as the controller sends it: no partitions, broker 1 on PLAINTEXT. */
const updateMetadata = (epoch: number) => ({
  apiKey: ApiKey.UpdateMetadata,
  apiVersion: 6,
  body: {
    controllerId: 1,
    controllerEpoch: epoch,
    brokerEpoch: 7,
    topicStates: [],
    liveBrokers: [
      {
        id: 1,
        endpoints: [{ port: 9093, host: '127.0.0.1', listener: 'PLAINTEXT', securityProtocol: 0 }],
        rack: null,
      },
    ],
  },
});

const servers: FakeBrokerServer[] = [];
const clients: NetworkClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.shutdown();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options?: Parameters<typeof FakeBrokerServer.start>[0]): Promise<FakeBrokerServer> {
  const s = await FakeBrokerServer.start(options);
  servers.push(s);
  return s;
}

function client(
  port: number,
  overrides: Partial<ConstructorParameters<typeof NetworkClient>[0]> = {},
): NetworkClient {
  const c = new NetworkClient({
    host: '127.0.0.1',
    port,
    clientId: 'test',
    requestTimeoutMs: 2000,
    logger: quietLogger,
    ...overrides,
  });
  clients.push(c);
  return c;
}

test('pipelinedRequestsGetTheirOwnResponsesByCorrelationId', async () => {
  const s = await server();
  const c = client(s.port);
  await c.ready();
  const answers = await Promise.all(
    [1, 2, 3].map((epoch) => {
      const { apiKey, apiVersion, body } = updateMetadata(epoch);
      return c.send(apiKey, apiVersion, body);
    }),
  );
  expect(answers).toEqual([{ errorCode: 0 }, { errorCode: 0 }, { errorCode: 0 }]);
  expect(s.received.map((r) => [r.header.correlationId, r.body.controllerEpoch, r.header.clientId])).toEqual([
    [0, 1, 'test'],
    [1, 2, 'test'],
    [2, 3, 'test'],
  ]);
});

test('aRequestWithoutAnswerTimesOutAndClosesTheConnection', async () => {
  const s = await server({ answer: () => null });
  const c = client(s.port, { requestTimeoutMs: 100 });
  await c.ready();
  const { apiKey, apiVersion, body } = updateMetadata(1);
  await expect(c.send(apiKey, apiVersion, body)).rejects.toBeInstanceOf(RequestTimeoutError);
  expect(c.isReady()).toBe(false);
});

test('inFlightRequestsFailWhenTheBrokerDropsTheConnection', async () => {
  const s = await server({ answer: () => null });
  const c = client(s.port);
  await c.ready();
  const { apiKey, apiVersion, body } = updateMetadata(1);
  const pending = c.send(apiKey, apiVersion, body);
  while (s.received.length === 0) await new Promise((r) => setTimeout(r, 5));
  s.dropConnections();
  await expect(pending).rejects.toBeInstanceOf(DisconnectedError);
  await expect(c.send(apiKey, apiVersion, body)).rejects.toBeInstanceOf(DisconnectedError);
});

test('reconnectsWithGrowingBackoffOnceTheBrokerIsBack', async () => {
  const probe = await FakeBrokerServer.start();
  const port = probe.port;
  await probe.close();
  const c = client(port, { reconnectBackoffMs: 40, reconnectBackoffMaxMs: 200 });
  await expect(c.ready()).rejects.toBeInstanceOf(DisconnectedError);
  const started = Date.now();
  await expect(c.ready()).rejects.toBeInstanceOf(DisconnectedError);
  expect(Date.now() - started).toBeGreaterThanOrEqual(30); // waited out the backoff first
  await server({ port });
  await c.ready();
  const { apiKey, apiVersion, body } = updateMetadata(1);
  expect(await c.send(apiKey, apiVersion, body)).toEqual({ errorCode: 0 });
  expect(apiKey).toBe(ApiKey.UpdateMetadata);
});

test('shutdownFailsEverythingForGood', async () => {
  const s = await server({ answer: () => null });
  const c = client(s.port);
  await c.ready();
  const { apiKey, apiVersion, body } = updateMetadata(1);
  const pending = c.send(apiKey, apiVersion, body);
  c.shutdown();
  await expect(pending).rejects.toBeInstanceOf(NetworkClientClosedError);
  await expect(c.ready()).rejects.toBeInstanceOf(NetworkClientClosedError);
});

test('aRequestWithoutResponseIsWrittenAndTheAnswersAroundItStillMatch', async () => {
  // the fake answers UpdateMetadata and, like a broker with acks=0, never a Produce
  const s = await server();
  const c = client(s.port, { requestTimeoutMs: 300 });
  await c.ready();
  const before = updateMetadata(1);
  const after = updateMetadata(2);
  const first = c.send(before.apiKey, before.apiVersion, before.body);
  await c.sendWithoutResponse(ApiKey.Produce, 3, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [] });
  const second = c.send(after.apiKey, after.apiVersion, after.body);
  expect(await Promise.all([first, second])).toEqual([{ errorCode: 0 }, { errorCode: 0 }]);
  while (s.received.length < 3) await new Promise((r) => setTimeout(r, 5));
  expect(s.received.map((r) => [r.header.apiKey, r.header.correlationId])).toEqual([
    [ApiKey.UpdateMetadata, 0],
    [ApiKey.Produce, 1],
    [ApiKey.UpdateMetadata, 2],
  ]);
  expect(s.received[1]!.body.acks).toBe(0);
  // nothing waits for the Produce: the connection outlives the request timeout
  await new Promise((r) => setTimeout(r, 400));
  expect(c.isReady()).toBe(true);
  expect(c.inFlightCount).toBe(0);
});

test('aRequestWithoutResponseFailsWhenNotConnected', async () => {
  const s = await server();
  const c = client(s.port);
  await expect(c.sendWithoutResponse(ApiKey.Produce, 3, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [] })).rejects.toBeInstanceOf(
    DisconnectedError,
  );
});
