import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sendAndReceive } from '@samsa/client';
import { ApiKey, decodeResponse, ErrorCode } from '@samsa/protocol';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { freePort, startZooKeeper } from '../harness';
import { startBroker, type BrokerHandle } from '../harness/broker';
import { closedWithin, createTopic, TestClient } from '../fault/support';
import { bytes, requestFrame, string } from '../integration/hardening/support';
import type { ZooKeeperHandle } from '@samsa/cluster';
import { run, runOk } from './support';
import {
  addScramUser,
  KAFKA_CONFIGS,
  kafkaConfigs,
  kcatSaslArgs,
  kcatSaslMetadata,
  kcatSaslRoundtrip,
  MECHANISMS,
  PLAIN_USERS,
  pythonSaslRoundtrip,
  saslListenerOverrides,
  type Mechanism,
} from './saslSupport';

/**
 * SASL_PLAINTEXT against real clients (issue 16): kcat, confluent-kafka (librdkafka), kafka-python
 * 2.0.2 (SaslHandshake v0, raw tokens) and kafkajs each produce and consume with PLAIN (users of the
 * listener's JAAS config), SCRAM-SHA-256 and SCRAM-SHA-512 (users made with our kafka-configs
 * --zookeeper); wrong passwords and unknown users are refused with SASL_AUTHENTICATION_FAILED,
 * nothing is served before authentication, and a SCRAM user added while the broker runs can log in.
 */
jest.setTimeout(300_000);

const SCRAM_USER = 'scram-user';
const SCRAM_PASSWORD = 'scram-secret,with=odd chars';

let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let saslPort: number;
let sasl: string;

function credentials(mechanism: Mechanism): { user: string; password: string } {
  return mechanism === 'PLAIN' ? { user: 'alice', password: PLAIN_USERS.alice } : { user: SCRAM_USER, password: SCRAM_PASSWORD };
}

beforeAll(async () => {
  zk = await startZooKeeper();
  // users exist before the broker starts (loaded at start); more are added while it runs below
  await addScramUser(zk.connectString, SCRAM_USER, SCRAM_PASSWORD, 8192);
  const port = await freePort();
  saslPort = await freePort();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
      'inter.broker.listener.name': 'PLAINTEXT',
      ...saslListenerOverrides(),
    },
  });
  sasl = `127.0.0.1:${saslPort}`;
});

afterAll(async () => {
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

const topicOf = (client: string, mechanism: string) => `sasl-${client}-${mechanism.toLowerCase()}`;

async function topic(client: string, mechanism: string): Promise<string> {
  const name = topicOf(client, mechanism);
  await createTopic(zk.connectString, name, 1, 1);
  return name;
}

const values = (tag: string, n = 5) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

describe.each(MECHANISMS.map((m) => [m]))('%s over SASL_PLAINTEXT', (mechanism) => {
  const { user, password } = credentials(mechanism);

  it('kcat produces and consumes', async () => {
    const t = await topic('kcat', mechanism);
    expect(await kcatSaslRoundtrip(sasl, t, kcatSaslArgs(mechanism, user, password), values(t))).toEqual(values(t));
  });

  it('confluent-kafka produces and consumes', async () => {
    const t = await topic('confluent', mechanism);
    const r = await pythonSaslRoundtrip('confluent', sasl, t, mechanism, user, password, 5);
    expect(r).toEqual({ produced: 5, consumed: values('v') });
  });

  it('kafka-python 2.0.2 (SaslHandshake v0) produces and consumes', async () => {
    const t = await topic('kafka-python', mechanism);
    const r = await pythonSaslRoundtrip('kafka-python', sasl, t, mechanism, user, password, 5);
    expect(r).toEqual({ produced: 5, consumed: values('v') });
  });

  it('kafkajs produces and consumes in a group', async () => {
    const t = await topic('kafkajs', mechanism);
    const kafka = new Kafka({
      clientId: 'sasl-interop',
      brokers: [sasl],
      sasl: { mechanism: mechanism.toLowerCase(), username: user, password } as SASLOptions,
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
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === 5) done();
      },
    });
    await all;
    await consumer.disconnect();
    expect(seen).toEqual(values(t));
  });
});

describe('refusals', () => {
  it('kcat with a wrong password or an unknown user gets Kafka\'s SASL_AUTHENTICATION_FAILED message', async () => {
    // kcat waits out its metadata timeout after the refusal: the four run side by side
    const cases = [
      ['SCRAM-SHA-256', SCRAM_USER, 'wrong', 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256'],
      ['SCRAM-SHA-512', 'nobody', 'x', 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'],
      ['PLAIN', 'alice', 'wrong', 'Authentication failed: Invalid username or password'],
      ['PLAIN', 'nobody', 'x', 'Authentication failed: Invalid username or password'],
    ] as const;
    const results = await Promise.all(
      cases.map(([mechanism, user, password]) => kcatSaslMetadata(sasl, kcatSaslArgs(mechanism, user, password))),
    );
    results.forEach((r, i) => {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`SASL authentication error: ${cases[i][3]}`);
    });
  });

  it('confluent-kafka with a wrong password or an unknown user gets the broker\'s message', async () => {
    const results = await Promise.all([
      pythonSaslRoundtrip('confluent', sasl, 'sasl-refused', 'SCRAM-SHA-256', SCRAM_USER, 'wrong', 1),
      pythonSaslRoundtrip('confluent', sasl, 'sasl-refused', 'PLAIN', 'nobody', 'x', 1),
    ]);
    expect(results[0].error).toMatch(
      /^KafkaError\{code=_AUTHENTICATION,val=-169,str="sasl_plaintext:\/\/127\.0\.0\.1:\d+\/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256 \(after \d+ms in state AUTH_REQ\)"\}$/,
    );
    expect(results[1].error).toMatch(
      /^KafkaError\{code=_AUTHENTICATION,val=-169,str="sasl_plaintext:\/\/127\.0\.0\.1:\d+\/bootstrap: SASL authentication error: Authentication failed: Invalid username or password \(after \d+ms in state AUTH_REQ\)"\}$/,
    );
  });

  it('kafka-python 2.0.2 with a wrong password or an unknown user: its connection is closed during authentication, NoBrokersAvailable', async () => {
    // kafka-python speaks SaslHandshake v0 and sends raw tokens, which carry no error: as Kafka
    // does, the broker closes the connection, and kafka-python raises only NoBrokersAvailable
    const cases = [
      ['PLAIN', 'alice', 'wrong'],
      ['PLAIN', 'nobody', 'x'],
      ['SCRAM-SHA-256', SCRAM_USER, 'wrong'],
      ['SCRAM-SHA-512', 'nobody', 'x'],
    ] as const;
    const results = await Promise.all(cases.map(([m, u, p]) => pythonSaslRoundtrip('kafka-python', sasl, 'sasl-refused', m, u, p, 1)));
    results.forEach((r) => {
      expect(r.error).toBe('NoBrokersAvailable()');
      expect(r.consumed).toBeUndefined();
      expect(r.connection_errors!.length).toBeGreaterThan(0);
      for (const e of r.connection_errors!) {
        expect(e).toMatch(/^KafkaConnectionError: <BrokerConnection node_id=bootstrap-0 host=127\.0\.0\.1:\d+ <authenticating> .*>: Connection reset during recv$/);
      }
    });
  });

  it('kafkajs with a wrong password or an unknown user: KafkaJSSASLAuthenticationError with the broker\'s message', async () => {
    const cases = [
      ['PLAIN', 'alice', 'wrong', 'SASL PLAIN authentication failed: Authentication failed: Invalid username or password'],
      ['PLAIN', 'nobody', 'x', 'SASL PLAIN authentication failed: Authentication failed: Invalid username or password'],
      [
        'SCRAM-SHA-256', SCRAM_USER, 'wrong',
        'SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
      ],
      [
        'SCRAM-SHA-512', 'nobody', 'x',
        'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      ],
    ] as const;
    for (const [mechanism, username, password, message] of cases) {
      const admin = new Kafka({
        clientId: 'sasl-refused',
        brokers: [sasl],
        sasl: { mechanism: mechanism.toLowerCase(), username, password } as SASLOptions,
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      }).admin();
      const refused = await admin.connect().then(() => undefined, (e: unknown) => e as Error & { retriable?: boolean });
      await admin.disconnect();
      expect({ name: refused?.name, message: refused?.message, retriable: refused?.retriable }).toEqual({
        name: 'KafkaJSSASLAuthenticationError',
        message,
        retriable: false,
      });
    }
  });

  /** SaslHandshake v1 for `mechanism` on a new connection, built byte by byte; the open client. */
  async function handshake(mechanism: string): Promise<TestClient> {
    const c = await TestClient.connect(saslPort);
    c.sendFrame(requestFrame(ApiKey.SaslHandshake, 1, 1, [string(mechanism)]));
    await c.waitFrames(1, 15_000);
    const body = decodeResponse(ApiKey.SaslHandshake, 1, c.frames[0]).body;
    expect(body).toEqual({ errorCode: 0, mechanisms: [...MECHANISMS] });
    return c;
  }

  it('hand-built PLAIN with a wrong password and with an unknown user: SASL_AUTHENTICATION_FAILED, then the connection closes', async () => {
    for (const token of ['\u0000alice\u0000wrong', '\u0000nobody\u0000alice-secret']) {
      const c = await handshake('PLAIN');
      c.sendFrame(requestFrame(ApiKey.SaslAuthenticate, 1, 2, [bytes(Buffer.from(token))]));
      await c.waitFrames(2, 15_000);
      expect(decodeResponse(ApiKey.SaslAuthenticate, 1, c.frames[1]).body).toEqual({
        errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
        errorMessage: 'Authentication failed: Invalid username or password',
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0,
      });
      expect(await closedWithin(c, 15_000)).toBe(true);
    }
  });

  it('hand-built SCRAM client-first of an unknown user: SASL_AUTHENTICATION_FAILED without saying the user is unknown', async () => {
    const c = await handshake('SCRAM-SHA-256');
    c.sendFrame(requestFrame(ApiKey.SaslAuthenticate, 0, 2, [bytes(Buffer.from('n,,n=nobody,r=abcdefgh'))]));
    await c.waitFrames(2, 15_000);
    expect(decodeResponse(ApiKey.SaslAuthenticate, 0, c.frames[1]).body).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    });
    expect(await closedWithin(c, 15_000)).toBe(true);
  });

  it('nothing is served before authentication: a hand-built Metadata closes the connection unanswered', async () => {
    const c = await TestClient.connect(saslPort);
    c.sendFrame(requestFrame(ApiKey.Metadata, 1, 1, [Buffer.from([0xff, 0xff, 0xff, 0xff])]));
    expect(await closedWithin(c, 15_000)).toBe(true);
    expect(c.frames).toHaveLength(0);
    // after the handshake too: the Metadata gets ILLEGAL_SASL_STATE and the connection closes
    const h = await handshake('PLAIN');
    h.sendFrame(requestFrame(ApiKey.Metadata, 1, 2, [Buffer.from([0xff, 0xff, 0xff, 0xff])]));
    expect(await closedWithin(h, 15_000)).toBe(true);
    expect(h.frames).toHaveLength(2);
    expect(h.frames[1].readInt32BE(0)).toBe(2);
  });
});

describe('SCRAM credentials change while the broker runs', () => {
  it('a user added with kafka-configs logs in without a restart; deleting its credential refuses it again', async () => {
    const args = kcatSaslArgs('SCRAM-SHA-512', 'late-user', 'late-secret');
    expect((await kcatSaslMetadata(sasl, args)).code).not.toBe(0);
    await addScramUser(zk.connectString, 'late-user', 'late-secret');
    const described = await kafkaConfigs(zk.connectString, ['--describe', '--entity-type', 'users', '--entity-name', 'late-user']);
    expect(described.stdout).toMatch(/^Configs for user-principal 'late-user' are SCRAM-SHA-512=salt=[^,]+,stored_key=[^,]+,server_key=[^,]+,iterations=4096,SCRAM-SHA-256=salt=/m);
    await expect(waitForLogin(args)).resolves.toBeUndefined();
    await kafkaConfigs(zk.connectString, ['--alter', '--entity-type', 'users', '--entity-name', 'late-user', '--delete-config', 'SCRAM-SHA-512']);
    await waitForRefusal(args);
    // the SHA-256 credential stays
    await expect(waitForLogin(kcatSaslArgs('SCRAM-SHA-256', 'late-user', 'late-secret'))).resolves.toBeUndefined();
  });
});

describe('KIP-554: kafka-configs --bootstrap-server (AlterUserScramCredentials / DescribeUserScramCredentials)', () => {
  it('adds, describes and deletes a SCRAM credential through the brokers; the user logs in over SASL', async () => {
    const plain = broker.bootstrap;
    const user = ['--entity-type', 'users', '--entity-name', 'kip554-user'];
    const added = await runOk(KAFKA_CONFIGS, ['--bootstrap-server', plain, '--alter', ...user, '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=kip554-secret]']);
    expect(added.stdout.trim()).toBe('Completed updating config for user kip554-user.');
    await waitForLogin(kcatSaslArgs('SCRAM-SHA-256', 'kip554-user', 'kip554-secret'));
    // the znode is Kafka's, as kafka-configs --zookeeper reads it
    const zkView = await kafkaConfigs(zk.connectString, ['--describe', ...user]);
    expect(zkView.stdout).toMatch(/Configs for user-principal 'kip554-user' are SCRAM-SHA-256=salt=[^,]+,stored_key=[^,]+,server_key=[^,]+,iterations=8192$/m);
    // --command-config: the same tool over the SASL listener as alice (PLAIN)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sasl-cmd-'));
    const commandConfig = path.join(dir, 'admin.properties');
    fs.writeFileSync(
      commandConfig,
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n' +
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";\n',
    );
    const described = await runOk(KAFKA_CONFIGS, ['--bootstrap-server', sasl, '--command-config', commandConfig, '--describe', ...user]);
    expect(described.stdout.trim()).toBe("SCRAM credential configs for user-principal 'kip554-user' are SCRAM-SHA-256=iterations=8192");
    const all = await runOk(KAFKA_CONFIGS, ['--bootstrap-server', plain, '--describe', '--entity-type', 'users']);
    expect(all.stdout).toContain(`SCRAM credential configs for user-principal '${SCRAM_USER}' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096`);
    await runOk(KAFKA_CONFIGS, ['--bootstrap-server', plain, '--alter', ...user, '--delete-config', 'SCRAM-SHA-256']);
    await waitForRefusal(kcatSaslArgs('SCRAM-SHA-256', 'kip554-user', 'kip554-secret'));
    const gone = await run(KAFKA_CONFIGS, ['--bootstrap-server', plain, '--alter', ...user, '--delete-config', 'SCRAM-SHA-256']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('RESOURCE_NOT_FOUND: Attempt to delete a user credential that does not exist');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the controller refuses too few iterations and unknown mechanisms with Kafka\'s codes', async () => {
    const r = await sendAndReceive(
      { host: '127.0.0.1', port: broker.port, clientId: 't', timeoutMs: 15_000 },
      ApiKey.AlterUserScramCredentials,
      0,
      {
        deletions: [{ name: 'u2', mechanism: 0 }],
        upsertions: [{ name: 'u1', mechanism: 1, iterations: 100, salt: Buffer.from('s'), saltedPassword: Buffer.alloc(32) }],
      },
    );
    expect(r.results).toEqual(
      expect.arrayContaining([
        { user: 'u2', errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' },
        { user: 'u1', errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' },
      ]),
    );
  });
});

async function waitForLogin(args: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await kcatSaslMetadata(sasl, args);
    if (r.code === 0) return;
    if (Date.now() > deadline) throw new Error(`no login within ${timeoutMs} ms: ${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitForRefusal(args: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await kcatSaslMetadata(sasl, args);
    if (r.code !== 0) return;
    if (Date.now() > deadline) throw new Error(`still logs in after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
