import { NetworkClient, SaslAuthenticationFailedError, type ClientSasl } from '@samsa/client';
import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import {
  CredentialCache,
  credentialToString,
  principalToString,
  PlainSaslClient,
  SCRAM_SHA_256,
  SCRAM_SHA_512,
  ScramFormatter,
  ScramSaslClient,
  type SaslClient,
} from '@samsa/security';
import { apiVersionsEntry } from '../api/apiVersions';
import { ApiRegistry } from '../api/registry';
import { saslAuthenticateHandler, saslHandshakeHandler } from '../api/saslRequests';
import { untypedEntry } from '../api/testing/untypedEntry';
import type { SaslListenerConfig } from '../config/saslConfigs';
import { RequestDispatcher } from './RequestDispatcher';
import { SaslServerAuthenticator } from './SaslServerAuthenticator';
import { SocketServer } from './SocketServer';
import { MemoryLogger, TestClient, waitFor } from './testing/TestClient';

const JAAS_OPTIONS = new Map([['user_alice', 'alice-secret']]);

function listenerConfig(over: Partial<SaslListenerConfig> = {}): SaslListenerConfig {
  return {
    listenerName: 'SASL_PLAINTEXT',
    enabledMechanisms: ['SCRAM-SHA-256', 'PLAIN', 'SCRAM-SHA-512'],
    jaas: new Map([
      ['PLAIN', { loginModule: 'org.apache.kafka.common.security.plain.PlainLoginModule', controlFlag: 'required', options: JAAS_OPTIONS }],
      ['SCRAM-SHA-256', { loginModule: 'org.apache.kafka.common.security.scram.ScramLoginModule', controlFlag: 'required', options: new Map() }],
      ['SCRAM-SHA-512', { loginModule: 'org.apache.kafka.common.security.scram.ScramLoginModule', controlFlag: 'required', options: new Map() }],
    ]),
    maxReauthMs: new Map(),
    failedAuthenticationDelayMs: 150,
    maxReceiveSize: 524288,
    ...over,
  };
}

let servers: SocketServer[] = [];
let clients: TestClient[] = [];
const principals: string[] = [];

async function start(config: SaslListenerConfig = listenerConfig()) {
  const cache = new CredentialCache();
  cache.updateCredentials(
    'bob',
    new Map(
      [SCRAM_SHA_256, SCRAM_SHA_512].map((m) => [m.mechanismName, credentialToString(new ScramFormatter(m).generateCredential('bob-secret', 4096))]),
    ),
  );
  const registry = new ApiRegistry();
  registry.register(apiVersionsEntry(registry));
  registry.register(saslHandshakeHandler()).register(saslAuthenticateHandler());
  registry.register(
    untypedEntry({
      apiKey: ApiKey.Heartbeat,
      maxVersion: 4,
      handle: (ctx) => {
        principals.push(principalToString(ctx.principal));
        return { throttleTimeMs: 0, errorCode: 0 };
      },
    }),
  );
  const logger = new MemoryLogger();
  const server = new SocketServer(
    {
      listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
      listenerSecurity: new Map([['SASL_PLAINTEXT', { securityProtocol: 'SASL_PLAINTEXT' as const }]]),
      saslAuthenticator: () => ({
        authenticator: new SaslServerAuthenticator({ config, credentialCache: cache }),
        failedAuthenticationDelayMs: config.failedAuthenticationDelayMs,
      }),
      requestMaxBytes: 1 << 20,
      queuedMaxRequests: 100,
      connectionsMaxIdleMs: 0,
      maxConnectionsPerIp: 1000,
      shutdownGraceMs: 500,
      closeLingerMs: 500,
    },
    new RequestDispatcher(registry, logger),
    logger,
  );
  await server.startup();
  servers.push(server);
  return { server, logger, port: server.boundPort('SASL_PLAINTEXT') };
}

async function client(port: number): Promise<TestClient> {
  const c = await TestClient.connect(port);
  clients.push(c);
  return c;
}

const HEARTBEAT: Struct = { groupId: 'g', generationId: 1, memberId: 'm' };

afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.shutdown(200)));
  servers = [];
  clients = [];
  principals.length = 0;
});

/** Runs SaslHandshake v1 + SaslAuthenticate (version `authVersion`) with `sasl`; the frames read so far. */
async function authenticate(c: TestClient, sasl: SaslClient, authVersion = 1): Promise<Struct[]> {
  let n = c.frames.length;
  c.send(ApiKey.SaslHandshake, 1, 100, { mechanism: sasl.mechanismName });
  await c.waitFrames(++n);
  const bodies: Struct[] = [c.decode(n - 1, ApiKey.SaslHandshake, 1).body];
  let token = sasl.evaluateChallenge(Buffer.alloc(0));
  for (let i = 0; i < 5; i++) {
    c.send(ApiKey.SaslAuthenticate, authVersion, 101 + i, { authBytes: token });
    await c.waitFrames(++n);
    if (c.frames.length < n) break;
    const body = c.decode(n - 1, ApiKey.SaslAuthenticate, authVersion).body;
    bodies.push(body);
    if (body.errorCode !== 0 || sasl.isComplete()) break;
    token = sasl.evaluateChallenge(body.authBytes as Buffer);
    if (sasl.isComplete()) break;
  }
  return bodies;
}

describe('SaslServerAuthenticator on a SASL_PLAINTEXT listener', () => {
  it('PLAIN: ApiVersions, handshake v1, SaslAuthenticate, then requests carry User:alice', async () => {
    const { port } = await start();
    const c = await client(port);
    c.send(ApiKey.ApiVersions, 3, 1, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    await c.waitFrames(1);
    expect(c.decode(0, ApiKey.ApiVersions, 3).body.errorCode).toBe(0);
    const [handshake, auth] = await authenticate(c, new PlainSaslClient('alice', 'alice-secret'), 0);
    expect(handshake).toEqual({ errorCode: 0, mechanisms: ['SCRAM-SHA-256', 'PLAIN', 'SCRAM-SHA-512'] });
    expect(auth).toMatchObject({ errorCode: 0, errorMessage: null });
    c.send(ApiKey.Heartbeat, 0, 7, HEARTBEAT);
    await c.waitFrames(4);
    expect(c.decode(3, ApiKey.Heartbeat, 0).correlationId).toBe(7);
    expect(principals).toEqual(['User:alice']);
  });

  it.each([
    ['SCRAM-SHA-256', 1, SCRAM_SHA_256],
    ['SCRAM-SHA-512', 2, SCRAM_SHA_512],
  ] as const)('%s with credentials from the cache (SaslAuthenticate v%s)', async (_name, version, mech) => {
    const { port } = await start();
    const c = await client(port);
    const bodies = await authenticate(c, new ScramSaslClient(mech, 'bob', 'bob-secret'), version);
    expect(bodies.map((b) => b.errorCode)).toEqual([0, 0, 0]);
    c.send(ApiKey.Heartbeat, 0, 7, HEARTBEAT);
    await waitFor(() => principals.length === 1);
    expect(principals).toEqual(['User:bob']);
  });

  it('a wrong password gets SASL_AUTHENTICATION_FAILED with Kafka\'s message after the delay, then the connection closes', async () => {
    const { port, server } = await start();
    const c = await client(port);
    const sasl = new ScramSaslClient(SCRAM_SHA_256, 'bob', 'wrong');
    c.send(ApiKey.SaslHandshake, 1, 1, { mechanism: 'SCRAM-SHA-256' });
    c.send(ApiKey.SaslAuthenticate, 1, 2, { authBytes: sasl.evaluateChallenge(Buffer.alloc(0)) });
    await c.waitFrames(2);
    const first = c.decode(1, ApiKey.SaslAuthenticate, 1).body;
    const sentAt = Date.now();
    c.send(ApiKey.SaslAuthenticate, 1, 3, { authBytes: sasl.evaluateChallenge(first.authBytes as Buffer) });
    c.send(ApiKey.Heartbeat, 0, 4, HEARTBEAT);
    await c.waitFrames(4);
    await c.closed;
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(140);
    expect(c.frames).toHaveLength(3);
    expect(c.decode(2, ApiKey.SaslAuthenticate, 1).body).toEqual({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
    });
    expect(principals).toEqual([]);
    expect(server.stats.failedAuthentications).toBe(1);
  });

  it('an unknown PLAIN user gets PlainSaslServer\'s own message', async () => {
    const { port } = await start();
    const c = await client(port);
    const [, auth] = await authenticate(c, new PlainSaslClient('mallory', 'x'));
    expect(auth).toMatchObject({ errorCode: 58, errorMessage: 'Authentication failed: Invalid username or password' });
    await c.closed;
  });

  it('a request other than ApiVersions or SaslHandshake before authentication is not served: closed without an answer', async () => {
    const { port } = await start(listenerConfig({ failedAuthenticationDelayMs: 0 }));
    const c = await client(port);
    c.send(ApiKey.Heartbeat, 0, 1, HEARTBEAT);
    await c.closed;
    expect(c.frames).toHaveLength(0);
    expect(principals).toEqual([]);
  });

  it('after the handshake only SaslAuthenticate: another request gets ILLEGAL_SASL_STATE and the close', async () => {
    const { port } = await start(listenerConfig({ failedAuthenticationDelayMs: 0 }));
    const c = await client(port);
    c.send(ApiKey.SaslHandshake, 1, 1, { mechanism: 'PLAIN' });
    c.send(ApiKey.Heartbeat, 0, 2, HEARTBEAT);
    await c.closed;
    expect(c.frames).toHaveLength(2);
    expect(c.decode(1, ApiKey.Heartbeat, 0).body.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    expect(principals).toEqual([]);
  });

  it('an unsupported mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled list', async () => {
    const { port } = await start(listenerConfig({ failedAuthenticationDelayMs: 0 }));
    const c = await client(port);
    c.send(ApiKey.SaslHandshake, 1, 1, { mechanism: 'GSSAPI' });
    await c.closed;
    expect(c.decode(0, ApiKey.SaslHandshake, 1).body).toEqual({
      errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      mechanisms: ['SCRAM-SHA-256', 'PLAIN', 'SCRAM-SHA-512'],
    });
  });

  it('SaslHandshake v0: raw size-prefixed tokens follow (kafka-python 2.0.2)', async () => {
    const { port } = await start();
    const c = await client(port);
    c.send(ApiKey.SaslHandshake, 0, 1, { mechanism: 'PLAIN' });
    await c.waitFrames(1);
    expect(c.decode(0, ApiKey.SaslHandshake, 0).body.errorCode).toBe(0);
    c.sendFrame(Buffer.from('\u0000alice\u0000alice-secret'));
    await c.waitFrames(2);
    expect(c.frames[1]).toEqual(Buffer.alloc(0));
    c.send(ApiKey.Heartbeat, 0, 7, HEARTBEAT);
    await waitFor(() => principals.length === 1);
    expect(principals).toEqual(['User:alice']);
  });

  it('KIP-368: SaslAuthenticate v1 carries connections.max.reauth.ms; an expired session closes on the next request; re-authentication renews it', async () => {
    const { port, server } = await start(listenerConfig({ maxReauthMs: new Map([['PLAIN', 300]]) }));
    const c = await client(port);
    const [, auth] = await authenticate(c, new PlainSaslClient('alice', 'alice-secret'), 1);
    expect(auth).toMatchObject({ errorCode: 0, sessionLifetimeMs: 300 });
    await new Promise((r) => setTimeout(r, 350));
    const [, again] = await authenticate(c, new PlainSaslClient('alice', 'alice-secret'), 1);
    expect(again).toMatchObject({ errorCode: 0, sessionLifetimeMs: 300 });
    // one login, one re-authentication (successful-authentication-total, successful-reauthentication-total)
    expect([server.stats.successfulAuthentications, server.stats.successfulReauthentications]).toEqual([1, 1]);
    c.send(ApiKey.Heartbeat, 0, 9, HEARTBEAT);
    await waitFor(() => principals.length === 1);
    await new Promise((r) => setTimeout(r, 350));
    c.send(ApiKey.Heartbeat, 0, 10, HEARTBEAT);
    await c.closed;
    expect(principals).toEqual(['User:alice']);
  });

  it('KIP-368: re-authentication as another user fails', async () => {
    const { port } = await start(listenerConfig({ failedAuthenticationDelayMs: 0 }));
    const c = await client(port);
    await authenticate(c, new PlainSaslClient('alice', 'alice-secret'), 1);
    const [handshake, auth] = await authenticate(c, new ScramSaslClient(SCRAM_SHA_256, 'bob', 'bob-secret'), 1);
    expect(handshake.errorCode).toBe(0);
    expect(auth).toBeUndefined();
    await c.closed;
  });

  it('Samsa\'s own client (SaslClientAuthenticator in KafkaChannel.connect) authenticates with each mechanism; a refusal carries the broker\'s message', async () => {
    const { port } = await start(listenerConfig({ failedAuthenticationDelayMs: 0 }));
    const client = (sasl: ClientSasl) =>
      new NetworkClient({ host: '127.0.0.1', port, clientId: 't', requestTimeoutMs: 5_000, reconnectBackoffMs: 10, security: { securityProtocol: 'SASL_PLAINTEXT', sasl } });
    for (const sasl of [
      { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' },
      { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'bob-secret' },
      { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'bob-secret' },
    ] as const) {
      const c = client(sasl);
      try {
        await c.ready();
        const r = await c.send(ApiKey.Heartbeat, 0, { groupId: 'g', generationId: 1, memberId: 'm' });
        expect(r.errorCode).toBe(0);
      } finally {
        c.shutdown();
      }
    }
    expect(principals).toEqual(['User:alice', 'User:bob', 'User:bob']);
    const wrong = client({ mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'nope' });
    try {
      const err = await wrong.ready().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SaslAuthenticationFailedError);
      expect(err).toBeInstanceOf(Error);
      expect(String((err as Error).message)).toContain(
        'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
      );
    } finally {
      wrong.shutdown();
    }
  });

  it('before authentication frames are bounded by sasl.server.max.receive.size, after it by socket.request.max.bytes', async () => {
    const { port } = await start(listenerConfig({ maxReceiveSize: 1000 }));
    const c = await client(port);
    const size = Buffer.alloc(4);
    size.writeInt32BE(5000);
    c.sendRaw(size);
    await c.closed;
    const d = await client(port);
    await authenticate(d, new PlainSaslClient('alice', 'alice-secret'));
    d.send(ApiKey.Heartbeat, 0, 9, { ...HEARTBEAT, groupId: 'g'.repeat(5000) });
    await waitFor(() => principals.length === 1);
  });

  it('ApiVersions before the handshake: an unsupported version or an invalid v3 request may be followed by another', async () => {
    const { port } = await start();
    const c = await client(port);
    c.send(ApiKey.ApiVersions, 3, 1, { clientSoftwareName: 'bad name!', clientSoftwareVersion: '1' });
    c.send(ApiKey.ApiVersions, 3, 2, { clientSoftwareName: 'good', clientSoftwareVersion: '1' });
    await c.waitFrames(2);
    expect(c.decode(0, ApiKey.ApiVersions, 3).body.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(c.decode(1, ApiKey.ApiVersions, 3).body.errorCode).toBe(0);
    // a third is one too many (Kafka's IllegalStateException): closed
    c.send(ApiKey.ApiVersions, 0, 3, {});
    await c.closed;
    expect(c.frames).toHaveLength(2);
  });
});
