import { MetricName, MetricsRegistry, readAttributes, type AttributeValue } from '@samsa/metrics';
import { ApiKey, type Struct } from '@samsa/protocol';
import { apiVersionsEntry } from '../api/apiVersions';
import { ApiRegistry } from '../api/registry';
import { untypedEntry, type UntypedApiHandler } from '../api/testing/untypedEntry';
import { RequestDispatcher } from './RequestDispatcher';
import { RequestMetrics } from './RequestMetrics';
import { SocketServer } from './SocketServer';
import { MemoryLogger, TestClient, waitFor } from './testing/TestClient';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const produce = (acks: number): Struct => ({ transactionalId: null, acks, timeoutMs: 1000, topicData: [] });
const fetchBody = (replicaId: number): Struct => ({ replicaId, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, topics: [] });

let server: SocketServer;
let client: TestClient;
let registry: MetricsRegistry;

/** Produce: 40 ms of local work, then 80 ms "in a purgatory". Fetch answers at once. */
const slowProduce: UntypedApiHandler = async (ctx, body) => {
  await sleep(40);
  ctx.onApiLocalComplete?.();
  await sleep(80);
  return body.acks === 0 ? null : { responses: [], throttleTimeMs: 0 };
};

beforeEach(async () => {
  registry = new MetricsRegistry({ autoTick: false });
  const apis = new ApiRegistry();
  apis.register(apiVersionsEntry(apis));
  apis.register(untypedEntry({ apiKey: ApiKey.Produce, maxVersion: 8, handle: slowProduce }));
  apis.register({
    apiKey: ApiKey.Fetch,
    maxVersion: 11,
    // maxBytes 999 asks for a 16 MiB answer: more than the socket takes while the client does not read
    handle: (_ctx, body) => ({
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses:
        body.maxBytes === 999
          ? [{ topic: 't', partitionResponses: [{ partition: 0, errorCode: 0, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1, recordSet: Buffer.alloc(16 << 20) }] }]
          : [],
    }),
  });
  const logger = new MemoryLogger();
  server = new SocketServer(
    {
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
      requestMaxBytes: 1 << 20,
      queuedMaxRequests: 1,
      queuedMaxResponseBytes: 64 << 20,
      connectionsMaxIdleMs: 0,
      maxConnectionsPerIp: 100,
      shutdownGraceMs: 500,
      closeLingerMs: 200,
    },
    new RequestDispatcher(apis, logger, new RequestMetrics(registry, apis.served().map((a) => a.apiKey))),
    logger,
  );
  await server.startup();
  client = await TestClient.connect(server.boundPort('PLAINTEXT'));
});

afterEach(async () => {
  client.close();
  await server.shutdown(100);
});

function read(name: string, request: string, attrs: string[], extraTags: [string, string][] = []): Record<string, AttributeValue> {
  const metric = registry.get(MetricName.of('kafka.network', 'RequestMetrics', name, [['request', request], ...extraTags]));
  if (!metric) throw new Error(`no ${name} for ${request}`);
  return readAttributes(metric, attrs);
}

describe('RequestMetrics', () => {
  test('every served API has its histograms from the start', () => {
    for (const request of ['Produce', 'Fetch', 'FetchConsumer', 'FetchFollower', 'ApiVersions']) {
      expect(read('TotalTimeMs', request, ['Count'])).toEqual({ Count: 0 });
    }
  });

  test('local time ends where the handler says; the rest is remote time; RequestsPerSec by version', async () => {
    client.send(ApiKey.Produce, 7, 1, produce(1));
    await client.waitFrames(1);
    await waitFor(() => read('TotalTimeMs', 'Produce', ['Count']).Count === 1, 5000, 'the produce to be recorded');
    const local = read('LocalTimeMs', 'Produce', ['Max']).Max as number;
    const remote = read('RemoteTimeMs', 'Produce', ['Max']).Max as number;
    const total = read('TotalTimeMs', 'Produce', ['Max']).Max as number;
    expect(local).toBeGreaterThanOrEqual(35);
    expect(remote).toBeGreaterThanOrEqual(70);
    expect(total).toBeGreaterThanOrEqual(local + remote - 2);
    expect(read('RequestBytes', 'Produce', ['Max']).Max).toBeGreaterThan(10);
    expect(read('RequestsPerSec', 'Produce', ['Count'], [['version', '7']])).toEqual({ Count: 1 });
  });

  test('a request held behind the connection budget shows queue time; acks=0 is recorded too', async () => {
    client.send(ApiKey.Produce, 8, 1, produce(0));
    client.send(ApiKey.Produce, 8, 2, produce(1));
    await client.waitFrames(1);
    await waitFor(() => read('TotalTimeMs', 'Produce', ['Count']).Count === 2, 5000, 'both produces to be recorded');
    // queued.max.requests=1: the second waited for the first (~120 ms) before its handler ran
    expect(read('RequestQueueTimeMs', 'Produce', ['Max']).Max).toBeGreaterThanOrEqual(100);
    expect(read('RequestsPerSec', 'Produce', ['Count'], [['version', '8']])).toEqual({ Count: 2 });
  });

  test('Fetch counts as Fetch and as FetchConsumer or FetchFollower by replica id', async () => {
    client.send(ApiKey.Fetch, 11, 1, fetchBody(-1));
    client.send(ApiKey.Fetch, 11, 2, fetchBody(-1));
    client.send(ApiKey.Fetch, 11, 3, fetchBody(2));
    await client.waitFrames(3);
    await waitFor(() => read('TotalTimeMs', 'Fetch', ['Count']).Count === 3, 5000, 'the fetches to be recorded');
    expect(read('TotalTimeMs', 'FetchConsumer', ['Count'])).toEqual({ Count: 2 });
    expect(read('TotalTimeMs', 'FetchFollower', ['Count'])).toEqual({ Count: 1 });
    expect(read('RemoteTimeMs', 'Fetch', ['Max'])).toEqual({ Max: 0 });
  });

  test('a response the client does not read yet is recorded once the socket has taken it all', async () => {
    client.socket.pause();
    client.send(ApiKey.Fetch, 11, 1, { ...fetchBody(-1), maxBytes: 999 });
    // The response waits on the socket for as long as the client does not read, less however long a
    // loaded machine took to handle the request: 600 ms leaves room above the 250 asserted below.
    await sleep(600);
    expect(read('TotalTimeMs', 'Fetch', ['Count'])).toEqual({ Count: 0 });
    client.socket.resume();
    await client.waitFrames(1, 10_000);
    await waitFor(() => read('TotalTimeMs', 'Fetch', ['Count']).Count === 1, 5000, 'the fetch to be recorded');
    expect(read('ResponseSendTimeMs', 'Fetch', ['Max']).Max).toBeGreaterThanOrEqual(250);
  });
});
