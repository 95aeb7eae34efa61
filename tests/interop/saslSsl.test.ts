import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, harnessTempRoot, startZooKeeper, waitFor, type ZooKeeperHandle } from '../harness';
import { startBroker, type BrokerHandle } from '../harness/broker';
import { makeTlsMaterial, type TlsMaterial } from '../harness/tls';
import { createTopic } from '../fault/support';
import {
  addScramUser,
  kafkajsSaslSsl,
  kcatSaslArgs,
  kcatSaslMetadata,
  kcatSaslRoundtrip,
  MECHANISMS,
  PLAIN_USERS,
  pythonSaslRoundtrip,
  saslExchange,
  saslSslListenerOverrides,
  type Mechanism,
} from './saslSupport';

/**
 * SASL_SSL against real clients (issue 16): one broker with a SASL_SSL listener (TLS from a PEM
 * keystore, KIP-651) and a second one mapped to SASL_SSL with a PKCS12 keystore. kcat,
 * confluent-kafka (librdkafka), kafka-python 2.0.2 and kafkajs each verify the broker's certificate
 * against the test CA, authenticate with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 inside TLS, and
 * produce and consume; a wrong password is refused with SASL_AUTHENTICATION_FAILED over TLS too.
 */
jest.setTimeout(300_000);

const SCRAM_USER = 'scram-ssl-user';
const SCRAM_PASSWORD = 'scram-ssl-secret';

let material: TlsMaterial;
let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let saslSsl: string;
let saslSslP12: string;

function credentials(mechanism: Mechanism): { user: string; password: string } {
  return mechanism === 'PLAIN' ? { user: 'alice', password: PLAIN_USERS.alice } : { user: SCRAM_USER, password: SCRAM_PASSWORD };
}

beforeAll(async () => {
  material = makeTlsMaterial(fs.mkdtempSync(path.join(harnessTempRoot(), 'sasl-ssl-')));
  zk = await startZooKeeper();
  await addScramUser(zk.connectString, SCRAM_USER, SCRAM_PASSWORD);
  const port = await freePort();
  const pemPort = await freePort();
  const p12Port = await freePort();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${port},SASL_SSL://127.0.0.1:${pemPort},SECURE_P12://127.0.0.1:${p12Port}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SECURE_P12:SASL_SSL',
      'inter.broker.listener.name': 'PLAINTEXT',
      'offsets.topic.replication.factor': 1,
      ...saslSslListenerOverrides(material.broker, 'PEM', 'SASL_SSL'),
      ...saslSslListenerOverrides(material.broker, 'PKCS12', 'SECURE_P12'),
    },
  });
  saslSsl = `127.0.0.1:${pemPort}`;
  saslSslP12 = `127.0.0.1:${p12Port}`;
});

afterAll(async () => {
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

async function topic(client: string, mechanism: string): Promise<string> {
  const name = `sasl-ssl-${client}-${mechanism.toLowerCase()}`;
  await createTopic(zk.connectString, name, 1, 1);
  return name;
}

const values = (tag: string, n = 5) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

describe.each(MECHANISMS.map((m) => [m]))('%s over SASL_SSL', (mechanism) => {
  const { user, password } = credentials(mechanism);

  it('kcat produces and consumes (PEM keystore listener and PKCS12 keystore listener)', async () => {
    const t = await topic('kcat', mechanism);
    const args = kcatSaslArgs(mechanism, user, password, material.ca.cert);
    expect(await kcatSaslRoundtrip(saslSsl, t, args, values(t))).toEqual(values(t));
    const p12 = await kcatSaslRoundtrip(saslSslP12, t, args, values(`${t}-p12`));
    expect(p12).toEqual([...values(t), ...values(`${t}-p12`)]);
  });

  it.each(['confluent', 'kafka-python'] as const)('%s produces and consumes', async (lib) => {
    const t = await topic(lib, mechanism);
    const r = await pythonSaslRoundtrip(lib, saslSsl, t, mechanism, user, password, 5, material.ca.cert);
    expect(r).toEqual({ produced: 5, consumed: values('v') });
  });

  it('kafkajs produces and consumes in a group', async () => {
    const t = await topic('kafkajs', mechanism);
    const kafka = new Kafka({
      clientId: 'sasl-ssl-interop',
      brokers: [saslSsl],
      ...kafkajsSaslSsl(mechanism, user, password, material.ca.cert),
      logLevel: logLevel.NOTHING,
      retry: { retries: 8 },
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: t, acks: -1, messages: values(t).map((value) => ({ value })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `g-${t}` });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: t, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    try {
      await waitFor(() => seen.length >= 5, { timeoutMs: 60_000, what: `kafkajs consumes ${t} over SASL_SSL` });
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toEqual(values(t));
  });
});

describe('refusals over SASL_SSL', () => {
  it('a wrong password is refused with SASL_AUTHENTICATION_FAILED inside TLS (kcat, confluent-kafka, kafka-python, kafkajs)', async () => {
    // kcat waits out its metadata timeout after the refusal: the three run side by side
    const cases = [
      ['PLAIN', 'alice', 'Authentication failed: Invalid username or password'],
      ['SCRAM-SHA-256', SCRAM_USER, 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256'],
      ['SCRAM-SHA-512', SCRAM_USER, 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'],
    ] as const;
    const results = await Promise.all(
      cases.map(([mechanism, user]) => kcatSaslMetadata(saslSsl, kcatSaslArgs(mechanism, user, 'wrong', material.ca.cert))),
    );
    results.forEach((r, i) => {
      expect(r.code).not.toBe(0);
      // the TLS handshake succeeded: the refusal is the broker's SASL error message
      expect(r.stderr).toContain(`SASL authentication error: ${cases[i][2]}`);
    });
    const c = await pythonSaslRoundtrip('confluent', saslSsl, 'sasl-ssl-refused', 'SCRAM-SHA-512', SCRAM_USER, 'wrong', 1, material.ca.cert);
    expect(c.error).toMatch(
      /^KafkaError\{code=_AUTHENTICATION,val=-169,str="sasl_ssl:\/\/127\.0\.0\.1:\d+\/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 \(after \d+ms in state AUTH_REQ\)"\}$/,
    );
    // kafka-python 2.0.2 (SaslHandshake v0, raw tokens): the broker closes the connection, as Kafka does
    const k = await pythonSaslRoundtrip('kafka-python', saslSsl, 'sasl-ssl-refused', 'PLAIN', 'alice', 'wrong', 1, material.ca.cert);
    expect(k.error).toBe('NoBrokersAvailable()');
    expect(k.consumed).toBeUndefined();
    expect(k.connection_errors!.length).toBeGreaterThan(0);
    for (const e of k.connection_errors!) {
      expect(e).toMatch(/^KafkaConnectionError: <BrokerConnection node_id=bootstrap-0 host=127\.0\.0\.1:\d+ <authenticating> .*>: Connection reset during recv$/);
    }
    const kafka = new Kafka({
      clientId: 'sasl-ssl-refused',
      brokers: [saslSsl],
      ...kafkajsSaslSsl('SCRAM-SHA-256', SCRAM_USER, 'wrong', material.ca.cert),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    const refused = await admin.connect().then(() => undefined, (e: unknown) => e as Error);
    await admin.disconnect();
    expect(refused?.name).toBe('KafkaJSSASLAuthenticationError');
    expect(refused?.message).toBe(
      'SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    );
    // and the right password still works afterwards
    const t = await topic('after-refusal', 'PLAIN');
    expect(await kcatSaslRoundtrip(saslSsl, t, kcatSaslArgs('PLAIN', 'alice', PLAIN_USERS.alice, material.ca.cert), ['ok'])).toEqual(['ok']);
  });

  it('a client that does not trust the broker\'s CA fails the TLS handshake before any SASL', async () => {
    const r = await kcatSaslMetadata(saslSsl, kcatSaslArgs('PLAIN', 'alice', PLAIN_USERS.alice, material.otherCa.cert));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/certificate verify failed|SSL handshake failed/);
    expect(r.stderr).not.toContain('SASL authentication error');
  });
});

describe('failed authentications in the broker\'s metrics', () => {
  const MBEAN = 'kafka.server:type=socket-server-metrics,name=failed-authentication-total';

  async function failedAuthentications(): Promise<number> {
    const r = await fetch(`${broker.metricsUrl}/jolokia/read/${MBEAN}/Value`);
    const body = (await r.json()) as { status: number; value?: unknown };
    if (body.status !== 200) throw new Error(`read ${MBEAN}: ${JSON.stringify(body)}`);
    return Number(body.value);
  }

  it('a failed TLS handshake and a failed SASL login each count once in failed-authentication-total', async () => {
    const before = await failedAuthentications();
    // a plaintext ApiVersions (hand-built) on the SASL_SSL port: the TLS handshake fails
    const port = Number(saslSsl.split(':')[1]);
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.from([0, 0, 0, 11, 0, 18, 0, 0, 0, 0, 0, 7, 0, 1, 0x70])));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    await waitFor(async () => (await failedAuthentications()) === before + 1, { timeoutMs: 15_000, what: 'the failed TLS handshake counted' });
    expect(broker.output()).toMatch(/Failed authentication with \/127\.0\.0\.1 \(SSL handshake failed/);

    // TLS succeeds, then a hand-built PLAIN login with a wrong password fails
    await expect(saslExchange({ port, caFile: material.ca.cert, user: 'alice', password: 'wrong', frames: [] })).rejects.toThrow(
      /SaslAuthenticate error 58|closed the connection/,
    );
    await waitFor(async () => (await failedAuthentications()) === before + 2, { timeoutMs: 15_000, what: 'the failed SASL login counted' });
    // a good login is not counted
    await saslExchange({ port, caFile: material.ca.cert, user: 'alice', password: PLAIN_USERS.alice, frames: [] });
    expect(await failedAuthentications()).toBe(before + 2);
  });
});
