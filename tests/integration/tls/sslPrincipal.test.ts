import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { KafkaChannel } from '../../../packages/client/src/KafkaChannel';
import { KafkaConfig } from '../../../packages/broker/src/config/KafkaConfig';
import type { ConnectionInfo, DispatchOutcome, RequestProcessor } from '../../../packages/broker/src/network/RequestDispatcher';
import { SocketServer, socketServerOptions } from '../../../packages/broker/src/network/SocketServer';
import { MemoryLogger } from '../../../packages/broker/src/network/testing/TestClient';
import { principalToString } from '../../../packages/security/src';
import { harnessTempRoot, waitFor } from '../../harness';
import { makeTlsMaterial, type TlsMaterial } from '../../harness/tls';

/**
 * The principal an SSL listener gives each request (Kafka's DefaultKafkaPrincipalBuilder over
 * SslPrincipalMapper), seen by a RequestProcessor that records ctx.principal: the client
 * certificate's subject (RFC 2253) through ssl.principal.mapping.rules with mutual TLS,
 * User:ANONYMOUS without a certificate; untrusted certificates, unmapped subjects and plaintext
 * bytes never reach the processor and count as failed authentications.
 */
jest.setTimeout(60_000);

let material: TlsMaterial;
const servers: SocketServer[] = [];

beforeAll(() => {
  material = makeTlsMaterial(fs.mkdtempSync(path.join(harnessTempRoot(), 'ssl-principal-')));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.shutdown(200)));
});

/** A processor that records who sent each frame and answers nothing. */
class RecordingProcessor implements RequestProcessor {
  readonly seen: { principal: string; protocol: string; listener: string }[] = [];
  dispatch(_frame: Buffer, conn: ConnectionInfo): DispatchOutcome {
    this.seen.push({ principal: principalToString(conn.principal), protocol: conn.securityProtocol, listener: conn.listenerName });
    return { kind: 'noResponse' };
  }
}

async function startServer(
  props: Record<string, string>,
): Promise<{ server: SocketServer; processor: RecordingProcessor; port: number; logger: MemoryLogger }> {
  const config = KafkaConfig.fromProps({
    'zookeeper.connect': '127.0.0.1:2181',
    listeners: 'MTLS://127.0.0.1:0',
    'listener.security.protocol.map': 'MTLS:SSL',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': material.broker.p12,
    'ssl.keystore.password': material.broker.password,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': material.ca.cert,
    ...props,
  });
  const processor = new RecordingProcessor();
  const logger = new MemoryLogger();
  const server = new SocketServer({ ...socketServerOptions(config), tlsHandshakeTimeoutMs: 2_000 }, processor, logger);
  await server.startup();
  servers.push(server);
  return { server, processor, port: server.boundPort('MTLS'), logger };
}

function clientTls(identity?: { cert: string; key: string }) {
  return {
    securityProtocol: 'SSL' as const,
    tls: {
      ca: [fs.readFileSync(material.ca.cert)],
      ...(identity ? { cert: fs.readFileSync(identity.cert), key: fs.readFileSync(identity.key) } : {}),
    },
  };
}

/** A size-prefixed frame of a few bytes: the processor records it whatever it holds. */
const FRAME = Buffer.from([0, 0, 0, 4, 0, 18, 0, 0]);

async function sendOneFrame(port: number, identity?: { cert: string; key: string }): Promise<KafkaChannel> {
  const channel = await KafkaChannel.connect({ host: '127.0.0.1', port, security: clientTls(identity), connectTimeoutMs: 10_000 });
  channel.listen({ onFrame: () => undefined, onClose: () => undefined });
  channel.write([FRAME]);
  return channel;
}

describe('SSL listener principals', () => {
  it('mutual TLS: the client certificate DN, mapped by ssl.principal.mapping.rules', async () => {
    const { processor, port, server } = await startServer({
      'listener.name.mtls.ssl.client.auth': 'required',
      'listener.name.mtls.ssl.principal.mapping.rules': 'RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$3/L,DEFAULT',
    });
    const channel = await sendOneFrame(port, material.client);
    await waitFor(() => processor.seen.length === 1, { timeoutMs: 10_000, what: 'the frame reaches the processor' });
    expect(processor.seen[0]).toEqual({ principal: 'User:client@samsa', protocol: 'SSL', listener: 'MTLS' });
    channel.close();
    expect(server.stats.failedAuthentications).toBe(0);
  });

  it('DEFAULT rules: the whole DN in RFC 2253 order', async () => {
    const { processor, port } = await startServer({ 'ssl.client.auth': 'required' });
    const channel = await sendOneFrame(port, material.client);
    await waitFor(() => processor.seen.length === 1, { timeoutMs: 10_000, what: 'the frame reaches the processor' });
    expect(processor.seen[0].principal).toBe('User:CN=client,OU=test,O=Samsa');
    channel.close();
  });

  it('ssl.client.auth=requested: with a certificate its DN, without one User:ANONYMOUS; none: ANONYMOUS', async () => {
    const { processor, port } = await startServer({ 'ssl.client.auth': 'requested' });
    const a = await sendOneFrame(port, material.client);
    await waitFor(() => processor.seen.length === 1, { timeoutMs: 10_000, what: 'first frame' });
    const b = await sendOneFrame(port);
    await waitFor(() => processor.seen.length === 2, { timeoutMs: 10_000, what: 'second frame' });
    expect(processor.seen.map((s) => s.principal)).toEqual(['User:CN=client,OU=test,O=Samsa', 'User:ANONYMOUS']);
    a.close();
    b.close();
    const none = await startServer({});
    const c = await sendOneFrame(none.port, material.client);
    await waitFor(() => none.processor.seen.length === 1, { timeoutMs: 10_000, what: 'frame on none' });
    expect(none.processor.seen[0].principal).toBe('User:ANONYMOUS');
    c.close();
  });

  it('a client that connects and never says hello is closed after the handshake bound, and counted', async () => {
    const { server, port, processor } = await startServer({});
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_900); // tlsHandshakeTimeoutMs is 2 s here
    await waitFor(() => server.stats.failedAuthentications === 1, { timeoutMs: 10_000, what: 'the timeout counted' });
    expect(processor.seen).toEqual([]);
  });

  it('refused: a certificate of another CA, no certificate when required, an unmapped DN, plaintext bytes', async () => {
    const { processor, port, server, logger } = await startServer({
      'ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^CN=(.*?),OU=test,O=Samsa$/$1/',
    });
    const opened: KafkaChannel[] = [];
    // TLS 1.3: the client may finish its side before the server checks its certificate
    await sendOneFrame(port, material.otherClient).then((ch) => opened.push(ch), () => undefined);
    await waitFor(() => server.stats.failedAuthentications === 1, { timeoutMs: 10_000, what: 'the certificate of another CA refused' });
    // node:tls reports a bare "socket hang up" for it: the log names the certificate check instead
    expect(logger.at('info')).toContainEqual(
      expect.stringMatching(/^Failed authentication with \/\S+ \(SSL handshake failed: client certificate not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\)$/),
    );
    await sendOneFrame(port).then((ch) => opened.push(ch), () => undefined);
    await waitFor(() => server.stats.failedAuthentications === 2, { timeoutMs: 10_000, what: 'no certificate refused' });
    expect(logger.at('info')).toContainEqual(
      'Failed authentication with /127.0.0.1 (SSL handshake failed: ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE)',
    );
    expect(processor.seen).toEqual([]);
    for (const ch of opened) ch.close();

    const plain = await new Promise<Buffer>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(FRAME));
      const got: Buffer[] = [];
      socket.on('data', (d: Buffer) => got.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(got)));
    });
    // at most a TLS alert record (content type 21), never a Kafka response
    expect(plain.length === 0 || plain[0] === 21).toBe(true);
    await waitFor(() => server.stats.failedAuthentications >= 3, { timeoutMs: 10_000, what: 'plaintext refused' });
    expect(processor.seen).toEqual([]);

    const unmapped = await startServer({
      'ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^CN=(.*?),OU=ops,O=Samsa$/$1/',
    });
    const ch = await sendOneFrame(unmapped.port, material.client).catch(() => undefined);
    await waitFor(() => unmapped.server.stats.failedAuthentications === 1, { timeoutMs: 10_000, what: 'unmapped DN refused' });
    expect(unmapped.processor.seen).toEqual([]);
    ch?.close();
  });
});
