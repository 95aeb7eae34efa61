import { MemoryLogger } from '@samsa/common';
import { ApiKey } from '@samsa/protocol';
import { DisconnectedError, RequestTimeoutError } from './errors';
import { sendAndReceive } from './sendAndReceive';
import { FakeKafkaServer, type Answer } from './testing/FakeKafkaServer';

const servers: FakeKafkaServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(answer?: Answer): Promise<FakeKafkaServer> {
  const s = await FakeKafkaServer.start({ answer });
  servers.push(s);
  return s;
}

const options = (port: number, timeoutMs = 2000) => ({
  host: '127.0.0.1',
  port,
  clientId: 'cli',
  timeoutMs,
  logger: new MemoryLogger(),
});

test('oneRequestOnAConnectionOfItsOwnGetsItsTypedAnswer', async () => {
  const s = await server(() => ({
    brokers: [{ nodeId: 3, host: 'h', port: 9, rack: null }],
    controllerId: 3,
    topics: [],
  }));
  const metadata = await sendAndReceive(options(s.port), ApiKey.Metadata, 1, { topics: [] });
  expect(metadata.controllerId).toBe(3);
  expect(metadata.brokers.map((b) => [b.nodeId, b.host, b.port])).toEqual([[3, 'h', 9]]);
  expect(s.received.map((r) => [r.header.apiKey, r.header.clientId])).toEqual([[ApiKey.Metadata, 'cli']]);
});

test('noAnswerWithinTheDeadlineRejects', async () => {
  const s = await server(() => null);
  await expect(
    sendAndReceive(options(s.port, 100), ApiKey.Metadata, 1, { topics: [] }),
  ).rejects.toBeInstanceOf(RequestTimeoutError);
});

test('anUnreachableBrokerRejects', async () => {
  const s = await server();
  const port = s.port;
  await s.close();
  servers.length = 0;
  await expect(sendAndReceive(options(port), ApiKey.Metadata, 1, { topics: [] })).rejects.toBeInstanceOf(
    DisconnectedError,
  );
});
