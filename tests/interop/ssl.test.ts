import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, harnessTempRoot, startZooKeeper, waitFor, type ZooKeeperHandle } from '../harness';
import { startBroker, type BrokerHandle } from '../harness/broker';
import { makeTlsMaterial, type TlsMaterial } from '../harness/tls';
import { createTopic } from '../fault/support';
import { KCAT, PYTHON, REPO_ROOT, run, runOk, type KcatMetadata } from './support';

/**
 * Real clients over SSL (issue 16, TLS): one broker with three listeners, PLAINTEXT (the harness's),
 * SSL (one-way TLS, a PKCS12 keystore set for that listener alone) and MTLS (mapped to SSL,
 * ssl.client.auth=required, a PKCS12 truststore of its own, the PEM keystore of the plain ssl.* keys). kcat, confluent-kafka
 * (librdkafka), kafka-python and kafkajs produce and consume on both; Metadata answers each with
 * the endpoints of the listener it came in on; a certificate of another CA and a plaintext client
 * on an SSL port are refused, and the broker serves on.
 */
jest.setTimeout(180_000);

let material: TlsMaterial;
let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let sslPort: number;
let mtlsPort: number;
const TOPIC = 'ssl-interop';

const ssl = (): string => `127.0.0.1:${sslPort}`;
const mtls = (): string => `127.0.0.1:${mtlsPort}`;

beforeAll(async () => {
  material = makeTlsMaterial(fs.mkdtempSync(path.join(harnessTempRoot(), 'ssl-interop-')));
  zk = await startZooKeeper();
  sslPort = await freePort();
  mtlsPort = await freePort();
  const port = await freePort();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${port},SSL://127.0.0.1:${sslPort},MTLS://127.0.0.1:${mtlsPort}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': material.broker.pemKeystore,
      'ssl.key.password': material.broker.keyPassword,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': material.ca.cert,
      'listener.name.ssl.ssl.keystore.type': 'PKCS12',
      'listener.name.ssl.ssl.keystore.location': material.broker.p12,
      'listener.name.ssl.ssl.keystore.password': material.broker.password,
      'listener.name.mtls.ssl.client.auth': 'required',
      'listener.name.mtls.ssl.truststore.type': 'PKCS12',
      'listener.name.mtls.ssl.truststore.location': material.ca.truststoreP12,
      'listener.name.mtls.ssl.truststore.password': material.ca.truststorePassword,
      'offsets.topic.replication.factor': 1,
    },
  });
  await createTopic(zk.connectString, TOPIC, 1, 1);
});

afterAll(async () => {
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

function kcatSsl(identity?: { cert: string; key: string }): string[] {
  return [
    '-X', 'security.protocol=ssl',
    '-X', `ssl.ca.location=${material.ca.cert}`,
    '-X', 'ssl.endpoint.identification.algorithm=https',
    ...(identity ? ['-X', `ssl.certificate.location=${identity.cert}`, '-X', `ssl.key.location=${identity.key}`] : []),
  ];
}

async function kcatRoundTrip(bootstrap: string, tag: string, identity?: { cert: string; key: string }): Promise<void> {
  const values = Array.from({ length: 5 }, (_, i) => `${tag}-${i}`);
  await runOk(KCAT, ['-b', bootstrap, ...kcatSsl(identity), '-P', '-t', TOPIC, '-p', '0'], { input: values.join('\n') + '\n' });
  const r = await runOk(KCAT, ['-b', bootstrap, ...kcatSsl(identity), '-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']);
  const got = r.stdout.split('\n').filter((l) => l.startsWith(`${tag}-`));
  expect(got).toEqual(values);
}

interface PyResult {
  produced?: string[];
  consumed?: string[];
  error?: string;
}

async function python(
  client: 'kafka-python' | 'confluent',
  bootstrap: string,
  tag: string,
  identity?: { cert: string; key: string },
): Promise<PyResult> {
  const args = [path.join(REPO_ROOT, 'tests/interop/python/ssl_clients.py'), client, bootstrap, TOPIC, '5', tag, material.ca.cert];
  if (identity) args.push(identity.cert, identity.key);
  const r = await run(PYTHON, args, { timeoutMs: 120_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as PyResult;
  } catch {
    throw new Error(`${client} printed no JSON (exit ${r.code}):\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
  }
}

const FAILED_AUTHENTICATIONS = 'kafka.server:type=socket-server-metrics,name=failed-authentication-total';

/** The broker's failed-authentication-total, read over its Jolokia endpoint. */
async function failedAuthentications(): Promise<number> {
  const r = await fetch(`${broker.metricsUrl}/jolokia/read/${FAILED_AUTHENTICATIONS}/Value`);
  const body = (await r.json()) as { status: number; value?: unknown };
  if (body.status !== 200) throw new Error(`read ${FAILED_AUTHENTICATIONS}: ${JSON.stringify(body)}`);
  return Number(body.value);
}

function kafkajs(bootstrap: string, identity?: { cert: string; key: string }): Kafka {
  return new Kafka({
    clientId: 'ssl-interop',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    ssl: {
      ca: [fs.readFileSync(material.ca.cert, 'utf8')],
      ...(identity ? { cert: fs.readFileSync(identity.cert, 'utf8'), key: fs.readFileSync(identity.key, 'utf8') } : {}),
    },
  });
}

describe('SSL interop', () => {
  it('Metadata over each SSL listener names that listener\'s endpoint', async () => {
    for (const [bootstrap, port, identity] of [[ssl(), sslPort, undefined], [mtls(), mtlsPort, material.client]] as const) {
      const r = await runOk(KCAT, ['-b', bootstrap, ...kcatSsl(identity), '-L', '-J', '-t', TOPIC]);
      const md = JSON.parse(r.stdout) as KcatMetadata;
      expect(md.brokers).toEqual([{ id: 0, name: `127.0.0.1:${port}` }]);
    }
  });

  it('kcat produces and consumes over one-way TLS and over mutual TLS', async () => {
    await kcatRoundTrip(ssl(), 'kcat-ssl');
    await kcatRoundTrip(mtls(), 'kcat-mtls', material.client);
  });

  it.each(['confluent', 'kafka-python'] as const)('%s produces and consumes over one-way TLS and mutual TLS', async (client) => {
    for (const [bootstrap, identity, tag] of [[ssl(), undefined, `${client}-ssl`], [mtls(), material.client, `${client}-mtls`]] as const) {
      const r = await python(client, bootstrap, tag, identity);
      expect(r.error).toBeUndefined();
      expect(r.consumed!.filter((v) => r.produced!.includes(v))).toEqual(r.produced);
    }
  });

  it('kafkajs produces and consumes over one-way TLS and mutual TLS', async () => {
    for (const [bootstrap, identity, tag] of [[ssl(), undefined, 'kjs-ssl'], [mtls(), material.client, 'kjs-mtls']] as const) {
      const kafka = kafkajs(bootstrap, identity);
      const producer = kafka.producer();
      await producer.connect();
      const values = Array.from({ length: 5 }, (_, i) => `${tag}-${i}`);
      await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ key: 'k', value, partition: 0 })) });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `group-${tag}` });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      const got: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
      try {
        await waitFor(() => values.every((v) => got.includes(v)), { timeoutMs: 60_000, what: `kafkajs consumes ${tag}` });
      } finally {
        await consumer.disconnect();
      }
      expect(got.filter((v) => v.startsWith(`${tag}-`))).toEqual(values);
    }
  });

  it('refused: a client certificate of another CA, no certificate where one is required, an untrusted broker', async () => {
    const failedBefore = await failedAuthentications();
    // node:tls checks the client's certificate once the handshake is done and closes the socket
    // without a TLS alert: librdkafka, which has sent its first request (ApiVersions), reads EOF
    const other = await run(KCAT, ['-b', mtls(), ...kcatSsl(material.otherClient), '-L', '-m', '5']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(
      /ssl:\/\/127\.0\.0\.1:\d+\/bootstrap: Receive failed: (error:0A000126:SSL routines::unexpected eof while reading|.*Connection reset by peer) \(after \d+ms in state APIVERSION_QUERY/,
    );
    expect(other.stderr).toContain('% ERROR: Failed to acquire metadata: Local: Broker transport failure');
    // without a certificate OpenSSL refuses during the handshake, with TLS 1.3's alert 116
    const none = await run(KCAT, ['-b', mtls(), ...kcatSsl(), '-L', '-m', '5']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('Receive failed: error:0A00045C:SSL routines::tlsv13 alert certificate required: SSL alert number 116');
    // a client that trusts another CA does not accept the broker's certificate
    const r = await run(KCAT, ['-b', ssl(), '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${material.otherCa.cert}`, '-L', '-m', '5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SSL handshake failed: .*certificate verify failed/);
    // kafka-python (Python's ssl module) and kafkajs see the close the same way
    const py = await python('kafka-python', mtls(), 'refused', material.otherClient);
    expect(py.error).toMatch(/^(SSLEOFError: EOF occurred in violation of protocol|ConnectionResetError: \[Errno 104\] Connection reset by peer)/);
    expect(py.produced).toBeUndefined();
    const admin = new Kafka({
      clientId: 'ssl-refused',
      brokers: [mtls()],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      ssl: {
        ca: [fs.readFileSync(material.ca.cert, 'utf8')],
        cert: fs.readFileSync(material.otherClient.cert, 'utf8'),
        key: fs.readFileSync(material.otherClient.key, 'utf8'),
      },
    }).admin();
    const refused = await admin.connect().then(() => undefined, (e: unknown) => e as Error & { cause?: Error });
    await admin.disconnect();
    expect(refused?.name).toBe('KafkaJSNumberOfRetriesExceeded');
    expect(refused?.cause?.name).toMatch(/^KafkaJSConnection(Closed)?Error$/);
    expect(refused?.cause?.message).toMatch(/^(Closed connection|Connection error: .*ECONNRESET.*)$/);
    // the broker counts each refused handshake and says why
    await waitFor(async () => (await failedAuthentications()) >= failedBefore + 4, { timeoutMs: 15_000, what: 'the refusals counted' });
    expect(broker.output()).toMatch(/Failed authentication with \/\S+ \(SSL handshake failed: client certificate not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\)/);
    expect(broker.output()).toContain('Failed authentication with /127.0.0.1 (SSL handshake failed: ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE)');
    // and the broker serves on
    await kcatRoundTrip(mtls(), 'after-refusals', material.client);
  });

  it('a plaintext client on the SSL port gets no Kafka response and is closed', async () => {
    // ApiVersions v0, correlation id 7, client id "p": hand-built
    const request = Buffer.from([0, 0, 0, 11, 0, 18, 0, 0, 0, 0, 0, 7, 0, 1, 0x70]);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(sslPort, '127.0.0.1', () => socket.write(request));
      const got: Buffer[] = [];
      socket.on('data', (d: Buffer) => got.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(got)));
      setTimeout(() => reject(new Error('the broker kept a plaintext client open')), 30_000).unref();
    });
    // nothing, or a TLS alert record (content type 21): never a size-prefixed frame with correlation id 7
    expect(answer.length === 0 || answer[0] === 21).toBe(true);
    await kcatRoundTrip(ssl(), 'after-plaintext');
  });
});
