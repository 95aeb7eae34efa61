import { spawn, spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { apiVersionsEntry } from '../api/apiVersions';
import { ApiRegistry } from '../api/registry';
import type { ApiHandlerEntry, RequestContext } from '../api/types';
import type { ApiKeyValue } from '@samsa/protocol';
import { RequestDispatcher } from './RequestDispatcher';
import { SocketServer } from './SocketServer';
import { MemoryLogger } from './testing/TestClient';

/**
 * Real clients through the whole network layer: kafkajs (in-process) and the installed kcat
 * (librdkafka, ApiVersions v3 flexible). The registry holds ApiVersions and a minimal Metadata
 * handler answering with this broker and no topics; every request is counted by api and version.
 */

const NODE_ID = 1;
const CLUSTER_ID = 'samsa-network-test';

function counting<K extends ApiKeyValue>(entry: ApiHandlerEntry<K>, seen: string[]): ApiHandlerEntry<K> {
  return {
    ...entry,
    handle: (ctx: RequestContext, body) => {
      seen.push(`${ctx.header.apiKey}v${ctx.header.apiVersion}`);
      return entry.handle(ctx, body);
    },
  };
}

let server: SocketServer;
let port: number;
let seen: string[];

beforeEach(async () => {
  seen = [];
  const registry = new ApiRegistry();
  registry.register(counting(apiVersionsEntry(registry), seen));
  registry.register(
    counting(
      {
        apiKey: ApiKey.Metadata,
        maxVersion: 6,
        handle: (_ctx, body) => ({
          throttleTimeMs: 0,
          brokers: [{ nodeId: NODE_ID, host: '127.0.0.1', port, rack: null }],
          clusterId: CLUSTER_ID,
          controllerId: NODE_ID,
          topics: ((body.topics as Struct[] | null) ?? []).map((t) => ({
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            name: t.name,
            partitions: [],
          })),
        }),
      },
      seen,
    ),
  );
  const logger = new MemoryLogger();
  server = new SocketServer(
    {
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
      requestMaxBytes: 100 * 1024 * 1024,
      queuedMaxRequests: 500,
      connectionsMaxIdleMs: 600_000,
      maxConnectionsPerIp: 1000,
      closeLingerMs: 500,
    },
    new RequestDispatcher(registry, logger),
    logger,
  );
  await server.startup();
  port = server.boundPort('PLAINTEXT');
});

afterEach(async () => {
  await server.shutdown(500);
});

it('kafkajs admin connects (ApiVersions v2, Metadata) and sees this broker', async () => {
  const kafka = new Kafka({
    clientId: 'samsa-network-test',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    expect(cluster).toEqual({
      brokers: [{ nodeId: NODE_ID, host: '127.0.0.1', port }],
      controller: NODE_ID,
      clusterId: CLUSTER_ID,
    });
  } finally {
    await admin.disconnect();
  }
  expect(seen[0]).toBe(`${ApiKey.ApiVersions}v2`); // no fallback
  expect(seen).toContain(`${ApiKey.Metadata}v6`); // min(kafkajs 6, advertised 6)
});

const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;
if (!kcatAvailable) console.log('kcat test skipped: kcat is not installed (apt-get install kcat)');

(kcatAvailable ? it : it.skip)('kcat -L gets ApiVersions v3 answered as v3, then Metadata', async () => {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      const p = spawn('kcat', [
        '-L',
        '-b',
        `127.0.0.1:${port}`,
        '-m',
        '10',
        '-X',
        'client.id=samsa-network-test',
      ]);
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    },
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toContain('1 brokers:');
  expect(stdout).toContain(`broker ${NODE_ID} at 127.0.0.1:${port}`);
  const apiVersions = seen.filter((s) => s.startsWith(`${ApiKey.ApiVersions}v`));
  expect(apiVersions.length).toBeGreaterThan(0);
  expect(new Set(apiVersions)).toEqual(new Set([`${ApiKey.ApiVersions}v3`])); // v3 answered: no v0 retry
  expect(seen.some((s) => s.startsWith(`${ApiKey.Metadata}v`))).toBe(true);
});
