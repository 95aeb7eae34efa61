import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { freePort, harnessTempRoot, startZooKeeper, trackProcess, waitFor, type ZooKeeperHandle } from '../../harness';
import { startBroker, type BrokerHandle } from '../../harness/broker';
import { makeTlsMaterial, type TlsMaterial } from '../../harness/tls';
import { createTopic } from '../../fault/support';
import { REPO_ROOT, run, type RunResult } from '../../interop/support';
import { addScramUser, PLAIN_USERS, saslListenerOverrides } from '../../interop/saslSupport';

/**
 * --command-config (issue 16: "every CLI accepts --command-config with Kafka's client security
 * properties"): one broker whose only client listener is SASL_SSL (an authorizer on, `admin` a
 * super user). Each tool that talks to brokers — kafka-topics, kafka-consumer-groups,
 * kafka-leader-election, kafka-acls --bootstrap-server, kafka-configs --bootstrap-server, and the
 * data tools (console producer and consumer, get-offsets, broker-api-versions, log-dirs, the
 * consumer and producer perf tests, delete-records, replica-verification) — run as an operator runs it (bin/*.sh) succeeds with a client properties file (SCRAM-SHA-512 and a PEM
 * truststore; PLAIN and a PKCS12 truststore), and without one fails with a message that says to
 * pass --command-config.
 */
jest.setTimeout(300_000);

const ADMIN_PASSWORD = 'admin-scram-secret';
const TOPIC = 'command-config-topic';

let material: TlsMaterial;
let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let bootstrap: string;
let scramConfig: string;
let plainConfig: string;

const bin = (tool: string): string => path.join(REPO_ROOT, 'bin', `${tool}.sh`);

function tool(name: string, args: readonly string[]): Promise<RunResult> {
  return run(bin(name), args, { timeoutMs: 120_000, env: { SAMSA_ADMIN_TIMEOUT_MS: '20000' } });
}

function writeProperties(file: string, lines: readonly string[]): string {
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(harnessTempRoot(), 'command-config-'));
  material = makeTlsMaterial(dir);
  zk = await startZooKeeper();
  await addScramUser(zk.connectString, 'admin', ADMIN_PASSWORD, 4096);
  const port = await freePort();
  const saslSslPort = await freePort();
  bootstrap = `127.0.0.1:${saslSslPort}`;
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${port},SASL_SSL://127.0.0.1:${saslSslPort}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
      'inter.broker.listener.name': 'PLAINTEXT',
      ...saslListenerOverrides('SASL_SSL'),
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': material.broker.pemKeystore,
      'ssl.key.password': material.broker.keyPassword,
      'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
      // the broker reaches itself on the PLAINTEXT inter-broker listener as ANONYMOUS
      'super.users': 'User:admin;User:ANONYMOUS',
      'offsets.topic.replication.factor': 1,
    },
  });
  await createTopic(zk.connectString, TOPIC, 1, 1);
  scramConfig = writeProperties(path.join(dir, 'client-scram.properties'), [
    '# SASL_SSL with SCRAM-SHA-512, a PEM truststore, the host name checked (the certificate has IP:127.0.0.1)',
    'security.protocol=SASL_SSL',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${material.ca.cert}`,
    'sasl.mechanism=SCRAM-SHA-512',
    'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
    `    username="admin" password="${ADMIN_PASSWORD}";`,
  ]);
  plainConfig = writeProperties(path.join(dir, 'client-plain.properties'), [
    'security.protocol=SASL_SSL',
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${material.ca.truststoreP12}`,
    `ssl.truststore.password=${material.ca.truststorePassword}`,
    'ssl.endpoint.identification.algorithm=',
    'sasl.mechanism=PLAIN',
    `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${PLAIN_USERS.admin}";`,
  ]);
});

afterAll(async () => {
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

const HINT = /pass --command-config/;

function expectOk(r: RunResult): void {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}

describe('--command-config against a SASL_SSL listener', () => {
  it('kafka-topics: creates and lists with it, fails with a hint without it', async () => {
    const created = await tool('kafka-topics', [
      '--bootstrap-server', bootstrap, '--command-config', scramConfig,
      '--create', '--topic', 'made-over-sasl-ssl', '--partitions', '1', '--replication-factor', '1',
    ]);
    expectOk(created);
    const listed = await tool('kafka-topics', ['--bootstrap-server', bootstrap, '--command-config', plainConfig, '--list']);
    expectOk(listed);
    expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining([TOPIC, 'made-over-sasl-ssl']));

    const bare = await tool('kafka-topics', ['--bootstrap-server', bootstrap, '--list']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/^Error while executing topic command : /m);
    expect(bare.stderr).toMatch(HINT);
  });

  it('kafka-consumer-groups: lists with it, fails with a hint without it', async () => {
    const listed = await tool('kafka-consumer-groups', ['--bootstrap-server', bootstrap, '--command-config', scramConfig, '--list']);
    expectOk(listed);
    expect(`${listed.stdout}${listed.stderr}`).not.toMatch(/Error/);

    const bare = await tool('kafka-consumer-groups', ['--bootstrap-server', bootstrap, '--list', '--timeout', '15000']);
    // Kafka's tool reports failures on stdout and exits 0
    expect(`${bare.stdout}${bare.stderr}`).toMatch(/Executing consumer group command failed due to/);
    expect(`${bare.stdout}${bare.stderr}`).toMatch(HINT);
  });

  it('kafka-leader-election (--command-config and Kafka\'s --admin.config): elects with it, fails with a hint without it', async () => {
    for (const [option, file] of [['--command-config', scramConfig], ['--admin.config', plainConfig]] as const) {
      const r = await tool('kafka-leader-election', [
        '--bootstrap-server', bootstrap, option, file, '--election-type', 'preferred', '--topic', TOPIC, '--partition', '0',
      ]);
      // the preferred replica leads already: Kafka's answer for that is ELECTION_NOT_NEEDED, reported, exit 0
      expect({ code: r.code, out: r.stdout }).toEqual({ code: 0, out: expect.stringMatching(/Valid replica already elected for partitions/) });
    }

    const bare = await tool('kafka-leader-election', ['--bootstrap-server', bootstrap, '--election-type', 'preferred', '--all-topic-partitions']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(HINT);
  });

  it('kafka-acls --bootstrap-server: adds and lists with it, fails with a hint without it', async () => {
    const added = await tool('kafka-acls', [
      '--bootstrap-server', bootstrap, '--command-config', scramConfig,
      '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', TOPIC,
    ]);
    expectOk(added);
    const listed = await tool('kafka-acls', ['--bootstrap-server', bootstrap, '--command-config', plainConfig, '--list', '--topic', TOPIC]);
    expectOk(listed);
    expect(listed.stdout).toMatch(/User:alice has Allow permission for operations: Read from hosts: \*/);

    const bare = await tool('kafka-acls', ['--bootstrap-server', bootstrap, '--list']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(HINT);

    const zkWithConfig = await tool('kafka-acls', [
      '--authorizer-properties', `zookeeper.connect=${zk.connectString}`, '--command-config', scramConfig, '--list',
    ]);
    expect(zkWithConfig.code).toBe(1);
    expect(zkWithConfig.stderr).toMatch(/The --command-config option can only be used with --bootstrap-server option/);
  });

  it('kafka-configs --bootstrap-server: describes and alters SCRAM users with it, fails with a hint without it', async () => {
    const altered = await tool('kafka-configs', [
      '--bootstrap-server', bootstrap, '--command-config', plainConfig,
      '--alter', '--entity-type', 'users', '--entity-name', 'carol', '--add-config', 'SCRAM-SHA-256=[iterations=4096,password=carol-secret]',
    ]);
    expectOk(altered);
    const described = await tool('kafka-configs', [
      '--bootstrap-server', bootstrap, '--command-config', scramConfig, '--describe', '--entity-type', 'users', '--entity-name', 'carol',
    ]);
    expectOk(described);
    expect(described.stdout).toMatch(/SCRAM-SHA-256=iterations=4096/);

    const bare = await tool('kafka-configs', ['--bootstrap-server', bootstrap, '--describe', '--entity-type', 'users']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(HINT);
  });

  it('the data tools (console producer/consumer, get-offsets, broker-api-versions, log-dirs, consumer perf test): work with it, fail with a hint without it', async () => {
    const produced = await run(bin('kafka-console-producer'), ['--bootstrap-server', bootstrap, '--producer.config', scramConfig, '--topic', TOPIC], {
      timeoutMs: 60_000,
      input: 'over-sasl-ssl-1\nover-sasl-ssl-2\n',
    });
    expectOk(produced);
    const consumed = await tool('kafka-console-consumer', [
      '--bootstrap-server', bootstrap, '--consumer.config', plainConfig, '--topic', TOPIC, '--from-beginning', '--max-messages', '2',
    ]);
    expectOk(consumed);
    expect(consumed.stdout).toBe('over-sasl-ssl-1\nover-sasl-ssl-2\n');
    const offsets = await tool('kafka-get-offsets', ['--bootstrap-server', bootstrap, '--command-config', scramConfig, '--topic', TOPIC]);
    expectOk(offsets);
    expect(offsets.stdout).toBe(`${TOPIC}:0:2\n`);
    const versions = await tool('kafka-broker-api-versions', ['--bootstrap-server', bootstrap, '--command-config', plainConfig]);
    expectOk(versions);
    expect(versions.stdout).toMatch(/^127\.0\.0\.1:\d+ \(id: 0 rack: null\) -> \($/m);
    const dirs = await tool('kafka-log-dirs', ['--bootstrap-server', bootstrap, '--command-config', scramConfig, '--describe']);
    expectOk(dirs);
    expect(dirs.stdout).toContain(`"partition":"${TOPIC}-0"`);
    const perf = await tool('kafka-consumer-perf-test', ['--bootstrap-server', bootstrap, '--consumer.config', scramConfig, '--topic', TOPIC, '--messages', '2']);
    expectOk(perf);

    for (const [name, args] of [
      ['kafka-get-offsets', ['--bootstrap-server', bootstrap, '--topic', TOPIC]],
      ['kafka-broker-api-versions', ['--bootstrap-server', bootstrap]],
      ['kafka-log-dirs', ['--bootstrap-server', bootstrap, '--describe']],
    ] as const) {
      const bare = await tool(name, args);
      expect({ name, code: bare.code }).toEqual({ name, code: 1 });
      expect(bare.stderr).toMatch(HINT);
    }
  });

  it('kafka-delete-records, kafka-producer-perf-test and kafka-replica-verification: work with it, fail with a hint without it', async () => {
    const topic = 'command-config-more';
    await createTopic(zk.connectString, topic, 1, 1);
    for (const [option, file] of [['--producer.config', scramConfig], ['--command-config', plainConfig]] as const) {
      const perf = await tool('kafka-producer-perf-test', [
        '--topic', topic, '--num-records', '50', '--record-size', '100', '--throughput', '-1',
        option, file, '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=all',
      ]);
      expectOk(perf);
      expect(perf.stdout).toMatch(/^50 records sent, \d+\.\d{6} records\/sec /m);
    }

    const offsets = path.join(path.dirname(scramConfig), 'delete-records.json');
    fs.writeFileSync(offsets, JSON.stringify({ partitions: [{ topic, partition: 0, offset: 30 }], version: 1 }));
    const deleted = await tool('kafka-delete-records', ['--bootstrap-server', bootstrap, '--command-config', scramConfig, '--offset-json-file', offsets]);
    expectOk(deleted);
    expect(deleted.stdout).toBe(`Executing records delete operation\nRecords delete operation completed:\npartition: ${topic}-0\tlow_watermark: 30\n`);
    const earliest = await tool('kafka-get-offsets', ['--bootstrap-server', bootstrap, '--command-config', plainConfig, '--topic', topic, '--time', '-2']);
    expect(earliest.stdout).toBe(`${topic}:0:30\n`);

    // replica-verification runs until stopped: one report of lag 0 (the partition has one replica) is enough
    const child = spawn(bin('kafka-replica-verification'), [
      '--broker-list', bootstrap, '--command-config', plainConfig, '--topic-white-list', topic, '--report-interval-ms', '300',
    ]);
    trackProcess(child, 'kafka-replica-verification --command-config');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    try {
      await waitFor(() => new RegExp(`: max lag is 0 for partition ${topic}-0 at offset \\d+ among 1 partitions$`, 'm').test(stdout), {
        timeoutMs: 30_000,
        what: () => `a max lag 0 report over SASL_SSL; stdout so far:\n${stdout}\nstderr:\n${stderr}`,
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');

    for (const [name, args] of [
      ['kafka-delete-records', ['--bootstrap-server', bootstrap, '--offset-json-file', offsets]],
      ['kafka-replica-verification', ['--broker-list', bootstrap, '--topic-white-list', topic]],
      ['kafka-producer-perf-test', ['--topic', topic, '--num-records', '1', '--record-size', '10', '--throughput', '-1', '--producer-props', `bootstrap.servers=${bootstrap}`]],
    ] as const) {
      const bare = await tool(name, args);
      expect({ name, code: bare.code, hint: HINT.test(bare.stderr) }).toEqual({ name, code: 1, hint: true });
    }
  });

  it('a file that cannot be honoured is refused before connecting, naming the setting', async () => {
    const dir = path.dirname(scramConfig);
    const jks = writeProperties(path.join(dir, 'client-jks.properties'), [
      'security.protocol=SSL',
      `ssl.truststore.location=${material.ca.cert}`,
    ]);
    const r = await tool('kafka-topics', ['--bootstrap-server', bootstrap, '--command-config', jks, '--list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ssl.truststore.type=JKS: JKS needs a JVM/);
  });
});
