import { ApiKey } from '@samsa/protocol';
import { create, exists, sleep, waitFor } from '../../harness';
import { closedWithin, errorName, requestOn, TestClient } from '../../fault/support';
import { startSingleBroker, stopSingleBroker, type SingleBroker } from './support';

/**
 * Issue 17, ConnectionQuotas as Kafka 2.8's SocketServer enforces them: beyond
 * max.connections.per.ip a new connection from that address is closed at once; at max.connections
 * a new connection is accepted by TCP but not served until another closes (Kafka's acceptor
 * blocks); both follow /config/brokers/<default> changes live.
 */
jest.setTimeout(120_000);

let env: SingleBroker;
const open: TestClient[] = [];

beforeAll(async () => {
  env = await startSingleBroker('cq', { overrides: { 'max.connections.per.ip': 4 } });
});

afterAll(async () => {
  for (const c of open) c.close();
  await stopSingleBroker(env ?? {});
});

async function served(c: TestClient, timeoutMs = 10_000): Promise<void> {
  const body = await requestOn(c, ApiKey.ApiVersions, 2, {}, timeoutMs);
  expect(errorName(body.errorCode)).toBe('NONE');
}

async function connect(): Promise<TestClient> {
  const c = await TestClient.connect(env.broker.port);
  open.push(c);
  return c;
}

function closeAll(): void {
  for (const c of open.splice(0)) c.close();
}

it('closes a connection beyond max.connections.per.ip at once, and serves again once one goes', async () => {
  // the broker's own controller connection comes from 127.0.0.1 too: open until one is refused
  let refused: TestClient | undefined;
  for (let i = 0; i < 6 && refused === undefined; i++) {
    const c = await connect();
    try {
      await served(c, 3_000);
    } catch {
      refused = c;
    }
  }
  expect(refused).toBeDefined();
  expect(open.length - 1).toBeGreaterThanOrEqual(1);
  expect(open.length - 1).toBeLessThanOrEqual(4);
  expect(await closedWithin(refused!, 5_000)).toBe(true);
  expect(env.broker.output()).toMatch(/Rejected connection from 127\.0\.0\.1, address already has the configured maximum of 4 connections\./);
  open[0].close();
  await waitFor(async () => {
    const c = await connect();
    try {
      await served(c, 1_000);
      return true;
    } catch {
      return false;
    }
  }, { timeoutMs: 10_000, what: 'a connection served after one closed' });
  closeAll();
});

it('holds a connection beyond max.connections (dynamic) unserved until another closes', async () => {
  for (const p of ['/config', '/config/brokers']) if ((await exists(env.zk, p)) === null) await create(env.zk, p).catch(() => undefined);
  await create(env.zk, '/config/brokers/<default>', JSON.stringify({ version: 1, config: { 'max.connections.per.ip': '100', 'max.connections': '4' } }));
  await create(env.zk, '/config/changes/config_change_', JSON.stringify({ version: 2, entity_path: 'brokers/<default>' }), { mode: 'persistent_sequential' });
  await waitFor(async () => /entityPath: brokers\/<default>/.test(env.broker.output()), { timeoutMs: 15_000, what: 'the broker config applied' });
  await sleep(500);

  // open until one is held: accepted, neither served nor closed
  let held: { client: TestClient; answer: Promise<unknown> } | undefined;
  for (let i = 0; i < 6 && held === undefined; i++) {
    const c = await connect();
    const answer = requestOn(c, ApiKey.ApiVersions, 2, {}, 30_000);
    let done = false;
    answer.then(() => (done = true), () => (done = true));
    await waitFor(async () => done, { timeoutMs: 2_000, what: 'an answer' }).catch(() => undefined);
    if (!done) held = { client: c, answer };
  }
  expect(held).toBeDefined();
  expect(open.length - 1).toBeGreaterThanOrEqual(1);
  expect(held!.client.isClosed).toBe(false);
  open[0].close();
  const body = (await held!.answer) as { errorCode: number };
  expect(errorName(body.errorCode)).toBe('NONE');
  closeAll();
});
