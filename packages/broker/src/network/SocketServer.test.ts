import { ApiKey, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import { apiVersionsEntry } from '../api/apiVersions';
import { ApiRegistry } from '../api/registry';
import type { DispatchableEntry } from '../api/registry';
import { untypedEntry } from '../api/testing/untypedEntry';
import { KafkaConfig } from '../config/KafkaConfig';
import { parseListeners } from './EndPoint';
import { RequestDispatcher } from './RequestDispatcher';
import { SocketServer, socketServerOptions, type SocketServerOptions } from './SocketServer';
import { MemoryLogger, TestClient, waitFor } from './testing/TestClient';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const HEARTBEAT: Struct = { groupId: 'g', generationId: 1, memberId: 'm' };
const produce = (acks: number): Struct => ({ transactionalId: null, acks, timeoutMs: 1000, topicData: [] });
const FETCH: Struct = {
  replicaId: -1,
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  topics: [],
};

let servers: SocketServer[] = [];
let clients: TestClient[] = [];

async function start(
  handlers: DispatchableEntry[],
  opts: Partial<SocketServerOptions> = {},
) {
  const registry = new ApiRegistry();
  registry.register(apiVersionsEntry(registry));
  for (const h of handlers) registry.register(untypedEntry(h));
  const logger = new MemoryLogger();
  const server = new SocketServer(
    {
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
      requestMaxBytes: 1 << 20,
      queuedMaxRequests: 100,
      connectionsMaxIdleMs: 0,
      maxConnectionsPerIp: 1000,
      shutdownGraceMs: 1_000,
      closeLingerMs: 500,
      ...opts,
    },
    new RequestDispatcher(registry, logger),
    logger,
  );
  await server.startup();
  servers.push(server);
  return { server, logger, port: server.boundPort('PLAINTEXT'), registry };
}

async function client(port: number): Promise<TestClient> {
  const c = await TestClient.connect(port);
  clients.push(c);
  return c;
}

/** A client answered by the server still works: ApiVersions v0 comes back. */
async function expectServes(port: number): Promise<void> {
  const c = await client(port);
  c.send(ApiKey.ApiVersions, 0, 4242, {});
  await c.waitFrames(1);
  expect(c.decode(0, ApiKey.ApiVersions, 0)).toMatchObject({ correlationId: 4242, body: { errorCode: 0 } });
}

afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.shutdown(200)));
  servers = [];
  clients = [];
});

describe('SocketServer', () => {
  it('answers pipelined requests in request order when handlers finish in reverse order', async () => {
    const finished: number[] = [];
    const { port } = await start([
      {
        apiKey: ApiKey.Heartbeat,
        maxVersion: 3,
        handle: async (ctx) => {
          const id = ctx.header.correlationId;
          await sleep((6 - id) * 25); // 1 waits longest, 5 shortest
          finished.push(id);
          return { errorCode: 0 };
        },
      },
    ]);
    const c = await client(port);
    for (let id = 1; id <= 5; id++) c.send(ApiKey.Heartbeat, 0, id, HEARTBEAT);
    await c.waitFrames(5);
    expect(finished).toEqual([5, 4, 3, 2, 1]);
    expect(c.correlationIds()).toEqual([1, 2, 3, 4, 5]);
  });

  it('names an IPv4 client of a listener on every interface by its IPv4 address, as Kafka does (ACL hosts)', async () => {
    const hosts: string[] = [];
    const { port } = await start(
      [
        {
          apiKey: ApiKey.Heartbeat,
          maxVersion: 4,
          handle: (ctx) => {
            hosts.push(ctx.clientHost);
            return { errorCode: 0 };
          },
        },
      ],
      // '' binds every interface: on a dual-stack host Node reports IPv4 peers as ::ffff:a.b.c.d
      { listeners: [{ name: 'PLAINTEXT', host: '', port: 0 }] },
    );
    const c = await client(port);
    c.send(ApiKey.Heartbeat, 0, 1, HEARTBEAT);
    await c.waitFrames(1);
    expect(hosts).toEqual(['127.0.0.1']);
  });

  it('sends nothing for acks=0 Produce and keeps the order of the responses around it', async () => {
    const { port, server } = await start([
      {
        apiKey: ApiKey.Produce,
        maxVersion: 7,
        handle: async (ctx, body) => {
          await sleep(body.acks === 0 ? 10 : 60);
          // correlation id 4 (acks=0) wrongly returns a body: it must not be sent either
          return body.acks === 0 && ctx.header.correlationId === 2 ? null : { responses: [] };
        },
      },
      { apiKey: ApiKey.Heartbeat, maxVersion: 3, handle: () => ({ errorCode: 0 }) },
    ]);
    const c = await client(port);
    c.send(ApiKey.Produce, 3, 1, produce(1));
    c.send(ApiKey.Produce, 3, 2, produce(0));
    c.send(ApiKey.Heartbeat, 0, 3, HEARTBEAT);
    c.send(ApiKey.Produce, 3, 4, produce(0));
    c.send(ApiKey.Produce, 3, 5, produce(-1));
    await c.waitFrames(3);
    await sleep(50); // nothing else may arrive
    expect(c.correlationIds()).toEqual([1, 3, 5]);
    expect(server.stats.requests).toBe(5);
    expect(server.stats.responses).toBe(3);
  });

  it('closes a connection whose frame is over socket.request.max.bytes, and serves the others', async () => {
    const { port, server, logger } = await start([], { requestMaxBytes: 1024 });
    const bad = await client(port);
    const good = await client(port);
    const size = Buffer.alloc(4);
    size.writeInt32BE(1025);
    bad.sendRaw(size); // the header alone is enough: the body is never waited for
    await bad.closed;
    const negative = await client(port);
    negative.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    await negative.closed;
    good.send(ApiKey.ApiVersions, 0, 7, {});
    await good.waitFrames(1);
    expect(good.correlationIds()).toEqual([7]);
    expect(good.isClosed).toBe(false);
    expect(server.stats.connectionsClosedOnError).toBe(2);
    expect(logger.at('warn').join('\n')).toMatch(/larger than the limit of 1024/);
  });

  it('closes only the connection that sent a garbage frame or an unknown api key', async () => {
    const { port, server } = await start([
      {
        apiKey: ApiKey.Heartbeat,
        maxVersion: 3,
        handle: async () => {
          await sleep(50);
          return { errorCode: 0 };
        },
      },
    ]);
    const shortFrame = await client(port);
    shortFrame.sendFrame(Buffer.from([1, 2, 3]));
    const unknownKey = await client(port);
    unknownKey.sendFrame(Buffer.from([0x03, 0xe7, 0, 0, 0, 0, 0, 9, 0xff, 0xff])); // api key 999
    const unserved = await client(port);
    unserved.send(ApiKey.DescribeAcls, 0, 1, {}); // in the protocol, not in this registry
    const badBody = await client(port);
    badBody.send(ApiKey.Heartbeat, 0, 1, HEARTBEAT); // a slow good request first: answered before the close
    const truncated = Buffer.alloc(14);
    truncated.writeInt16BE(ApiKey.Heartbeat, 0);
    truncated.writeInt16BE(0, 2);
    truncated.writeInt32BE(2, 4);
    truncated.writeInt16BE(-1, 8); // null client id, then a body cut short
    truncated.writeInt16BE(50, 10); // groupId of 50 bytes, 2 present
    badBody.sendFrame(truncated);
    badBody.send(ApiKey.Heartbeat, 0, 3, HEARTBEAT); // after the bad one: never answered
    await Promise.all([shortFrame.closed, unknownKey.closed, unserved.closed, badBody.closed]);
    expect(shortFrame.frames).toHaveLength(0);
    expect(unknownKey.frames).toHaveLength(0);
    expect(badBody.correlationIds()).toEqual([1]);
    expect(server.stats.connectionsClosedOnError).toBe(4);
    await expectServes(port);
  });

  it('answers ApiVersions v4 with UNSUPPORTED_VERSION and the api list in the v0 layout', async () => {
    const { port } = await start([{ apiKey: ApiKey.Metadata, maxVersion: 6, handle: () => ({}) }]);
    const c = await client(port);
    const frame = Buffer.alloc(10);
    frame.writeInt16BE(ApiKey.ApiVersions, 0);
    frame.writeInt16BE(4, 2);
    frame.writeInt32BE(77, 4);
    frame.writeInt16BE(-1, 8);
    c.sendFrame(frame);
    await c.waitFrames(1);
    const { correlationId, body } = c.decode(0, ApiKey.ApiVersions, 0); // throws unless exactly v0
    expect(correlationId).toBe(77);
    expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys).toEqual([
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 6 },
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
    ]);
    // the connection stays usable: the client retries with a version it can parse
    c.send(ApiKey.ApiVersions, 3, 78, { clientSoftwareName: 'samsa', clientSoftwareVersion: '1.0' });
    await c.waitFrames(2);
    expect(c.decode(1, ApiKey.ApiVersions, 3)).toMatchObject({ correlationId: 78, body: { errorCode: 0 } });
  });

  it('turns handler failures into error responses: KafkaError keeps its code, others are UNKNOWN_SERVER_ERROR', async () => {
    const { port, logger } = await start([
      {
        apiKey: ApiKey.Heartbeat,
        maxVersion: 3,
        handle: (ctx) => {
          if (ctx.header.correlationId === 1) throw new KafkaError(ErrorCode.REBALANCE_IN_PROGRESS);
          if (ctx.header.correlationId === 2) throw new Error('boom');
          return Promise.reject(new TypeError('async boom'));
        },
      },
      {
        apiKey: ApiKey.Produce,
        maxVersion: 7,
        handle: () => {
          throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        },
      },
    ]);
    const c = await client(port);
    for (let id = 1; id <= 3; id++) c.send(ApiKey.Heartbeat, 1, id, HEARTBEAT);
    c.send(ApiKey.Produce, 3, 4, {
      ...produce(1),
      topicData: [{ name: 't', partitionData: [{ index: 2, records: null }] }],
    });
    await c.waitFrames(4);
    expect([1, 2, 3].map((i) => c.decode(i - 1, ApiKey.Heartbeat, 1).body.errorCode)).toEqual([
      ErrorCode.REBALANCE_IN_PROGRESS,
      ErrorCode.UNKNOWN_SERVER_ERROR,
      ErrorCode.UNKNOWN_SERVER_ERROR,
    ]);
    expect(c.decode(3, ApiKey.Produce, 3).body.responses).toEqual([
      {
        name: 't',
        partitionResponses: [
          expect.objectContaining({ index: 2, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, baseOffset: -1 }),
        ],
      },
    ]);
    expect(logger.at('error')).toHaveLength(2);
    expect(c.isClosed).toBe(false);

    // acks=0 has no response to carry an error: the connection is closed instead
    c.send(ApiKey.Produce, 3, 5, produce(0));
    await c.closed;
    expect(c.frames).toHaveLength(4);
  });

  it('stops dispatching and reading at queued.max.requests in flight, and resumes as they finish', async () => {
    const release: (() => void)[] = [];
    const { port, server } = await start(
      [
        {
          apiKey: ApiKey.Heartbeat,
          maxVersion: 3,
          handle: () => new Promise((resolve) => release.push(() => resolve({ errorCode: 0 }))),
        },
      ],
      { queuedMaxRequests: 4 },
    );
    const c = await client(port);
    for (let id = 1; id <= 10; id++) c.send(ApiKey.Heartbeat, 0, id, HEARTBEAT);
    await waitFor(() => release.length === 4, 2_000, '4 dispatched');
    await sleep(50);
    expect(release).toHaveLength(4);
    const [snap] = server.connectionSnapshots();
    expect(snap).toMatchObject({ inFlightRequests: 4, readingPaused: true });
    expect(snap.pendingRequests).toBeGreaterThan(0); // received, held back
    expect(server.stats.requests).toBe(4);
    while (c.frames.length < 10) {
      release.shift()?.();
      await sleep(2);
    }
    expect(c.correlationIds()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await waitFor(() => server.connectionSnapshots()[0].readingPaused === false, 1_000, 'reading resumed');
  });

  it('stops reading a client that does not read big responses, and resumes when it does', async () => {
    const payload = Buffer.alloc(1 << 20, 7); // one 1 MiB record set, shared by every response
    let handled = 0;
    const budget = 2 << 20;
    const { port, server } = await start(
      [
        {
          apiKey: ApiKey.Fetch,
          maxVersion: 11,
          handle: () => {
            handled++;
            return {
              responses: [
                { topic: 't', partitionResponses: [{ partition: 0, highWatermark: 1, recordSet: payload }] },
              ],
            };
          },
        },
      ],
      { queuedMaxRequests: 1000, queuedMaxResponseBytes: budget },
    );
    const c = await client(port);
    c.socket.pause(); // never reads
    const total = 100;
    for (let id = 1; id <= total; id++) c.send(ApiKey.Fetch, 4, id, FETCH);
    await waitFor(() => server.connectionSnapshots()[0]?.readingPaused === true, 5_000, 'paused');
    await sleep(300);
    const stuckAt = handled;
    await sleep(200);
    expect(handled).toBe(stuckAt); // nothing more is taken while the client does not read
    expect(handled).toBeLessThan(total);
    const [snap] = server.connectionSnapshots();
    expect(snap.readingPaused).toBe(true);
    expect(snap.queuedResponseBytes).toBeLessThanOrEqual(budget + payload.length + 1024);
    c.socket.resume();
    await c.waitFrames(total, 10_000);
    expect(c.correlationIds()).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(handled).toBe(total);
    const last: Buffer = c.decode(total - 1, ApiKey.Fetch, 4).body.responses[0].partitionResponses[0]
      .recordSet;
    expect(last.equals(payload)).toBe(true); // (toEqual on a 1 MiB Buffer takes seconds)
  });

  it('runs onResponseSent callbacks only once the kernel has the whole response', async () => {
    // Far larger than what the kernel holds for a client that reads nothing (the send buffer, at most
    // tcp_wmem's 4 MiB, plus the unread receive buffer): at 4 MiB the test was borderline.
    const payload = Buffer.alloc(16 << 20, 9);
    const sent: number[] = [];
    const { port } = await start(
      [
        {
          apiKey: ApiKey.Fetch,
          maxVersion: 11,
          handle: (ctx) => {
            const id = ctx.header.correlationId;
            ctx.onResponseSent!(() => sent.push(id));
            if (id === 3) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'error responses run theirs too');
            return {
              responses: [{ topic: 't', partitionResponses: [{ partition: 0, highWatermark: 1, recordSet: payload }] }],
            };
          },
        },
      ],
      { queuedMaxRequests: 1000 },
    );
    const c = await client(port);
    c.socket.pause(); // reads nothing yet: the first response cannot all be with the kernel
    c.send(ApiKey.Fetch, 4, 1, FETCH);
    c.send(ApiKey.Fetch, 4, 2, FETCH);
    await sleep(300);
    expect(sent).toEqual([]);
    c.socket.resume();
    await c.waitFrames(2, 10_000);
    await waitFor(() => sent.length === 2, 5_000, 'callbacks');
    expect(sent).toEqual([1, 2]);
    c.send(ApiKey.Fetch, 4, 3, FETCH);
    await c.waitFrames(3, 10_000);
    await waitFor(() => sent.length === 3, 5_000, 'error response callback');
    expect(sent).toEqual([1, 2, 3]);
  });

  it('closes connections idle for connections.max.idle.ms', async () => {
    const { port, server } = await start([], { connectionsMaxIdleMs: 150 });
    const busy = await client(port);
    const idle = await client(port);
    const t0 = Date.now();
    const keepBusy = setInterval(() => busy.send(ApiKey.ApiVersions, 0, 1, {}), 40);
    try {
      await idle.closed;
      const idleForMs = Date.now() - t0;
      expect(idleForMs).toBeGreaterThanOrEqual(140);
      await sleep(150);
      expect(busy.isClosed).toBe(false);
    } finally {
      clearInterval(keepBusy);
    }
    expect(server.stats.connectionsClosedIdle).toBe(1);
  });

  it('refuses connections beyond max.connections.per.ip', async () => {
    const { port, server } = await start([], { maxConnectionsPerIp: 2 });
    const a = await client(port);
    const b = await client(port);
    const third = await client(port);
    await third.closed;
    expect(server.stats.connectionsRejected).toBe(1);
    a.send(ApiKey.ApiVersions, 0, 1, {});
    b.send(ApiKey.ApiVersions, 0, 2, {});
    await Promise.all([a.waitFrames(1), b.waitFrames(1)]);
    expect([a.correlationIds(), b.correlationIds()]).toEqual([[1], [2]]);
    a.close();
    await waitFor(() => server.stats.connectionsActive === 1, 1_000, 'close seen');
    await expectServes(port); // the slot is free again
  });

  it('shutdown lets an in-flight response finish, then closes and stops accepting', async () => {
    const { port, server } = await start([
      {
        apiKey: ApiKey.Heartbeat,
        maxVersion: 3,
        handle: async () => {
          await sleep(100);
          return { errorCode: 0 };
        },
      },
    ]);
    const c = await client(port);
    c.send(ApiKey.Heartbeat, 0, 1, HEARTBEAT);
    await waitFor(() => server.stats.requests === 1, 1_000, 'request dispatched');
    await server.shutdown(2_000);
    expect(c.correlationIds()).toEqual([1]);
    await c.closed;
    await expect(TestClient.connect(port)).rejects.toThrow();
    expect(server.stats.connectionsActive).toBe(0);
  });

  it('shutdown cuts a request that outlives the grace period', async () => {
    const { port, server } = await start([
      { apiKey: ApiKey.Heartbeat, maxVersion: 3, handle: () => new Promise(() => undefined) },
    ]);
    const c = await client(port);
    c.send(ApiKey.Heartbeat, 0, 1, HEARTBEAT);
    await waitFor(() => server.stats.requests === 1, 1_000, 'request dispatched');
    const t0 = Date.now();
    await server.shutdown(150);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await c.closed;
    expect(c.frames).toHaveLength(0);
  });

  it('counts bytes in and out', async () => {
    const { port, server } = await start([]);
    const c = await client(port);
    c.send(ApiKey.ApiVersions, 0, 1, {});
    await c.waitFrames(1);
    expect(server.stats.bytesOut).toBe(c.frames[0].length + 4);
    expect(server.stats.bytesIn).toBeGreaterThan(10);
    expect(server.stats.connectionsAccepted).toBe(1);
  });
});

describe('parseListeners', () => {
  it('reads Kafka listener strings', () => {
    expect(
      parseListeners(['PLAINTEXT://:9092', 'internal://[::1]:0', 'EXT://broker-1.example:19092']),
    ).toEqual([
      { name: 'PLAINTEXT', host: '', port: 9092 },
      { name: 'INTERNAL', host: '::1', port: 0 },
      { name: 'EXT', host: 'broker-1.example', port: 19092 },
    ]);
    expect(() => parseListeners(['9092'])).toThrow(/NAME:\/\/host:port/);
    expect(() => parseListeners(['A://:9092', 'B://:9092'])).toThrow(/used by two/);
  });
});

describe('socketServerOptions', () => {
  it("takes Kafka's keys from the broker configuration", () => {
    const config = KafkaConfig.fromProps({
      'zookeeper.connect': '127.0.0.1:2181',
      listeners: 'PLAINTEXT://127.0.0.1:0,INTERNAL://:19093',
      'socket.request.max.bytes': 2048,
      'queued.max.requests': 7,
      'connections.max.idle.ms': 1234,
      'max.connections.per.ip': 3,
    });
    expect(socketServerOptions(config)).toEqual({
      listeners: [
        { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'INTERNAL', host: '', port: 19093 },
      ],
      requestMaxBytes: 2048,
      queuedMaxRequests: 7,
      connectionsMaxIdleMs: 1234,
      maxConnectionsPerIp: 3,
    });
  });
});
