import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { freePort, harnessTempRoot, startZooKeeper, type ZooKeeperHandle } from '../../harness';
import { startBroker, type BrokerHandle } from '../../harness/broker';
import { KCAT, run, runOk } from '../../interop/support';
import { kafkaConfigs } from '../../interop/saslSupport';
import { COMPOSE_FILE, MAKE_TLS, propertiesOf, readYaml, REPO_ROOT, runEntrypoint, SASL_SSL_COMPOSE_FILE } from './support';

/**
 * docker/make-tls.sh makes what the broker accepts: run in a temporary directory, its CA, PEM
 * keystore and admin password serve one real broker configured with the SASL_SSL settings of
 * deploy/docker-compose.sasl-ssl.yml (taken from the compose file through the image's entrypoint,
 * the keystore path moved to the temporary directory), the SCRAM admin created with kafka-configs
 * as the one-shot service does; the client configs it writes work as they are for kcat -F and
 * kafka-topics --command-config. A second run keeps the CA and the password.
 */
jest.setTimeout(240_000);

let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let tlsDir: string;
let bootstrap: string;

beforeAll(async () => {
  tlsDir = path.join(fs.mkdtempSync(path.join(harnessTempRoot(), 'make-tls-')), 'tls');
  const securePort = await freePort();
  bootstrap = `127.0.0.1:${securePort}`;
  const made = spawnSync(MAKE_TLS, [tlsDir, 'broker-1'], { encoding: 'utf8', env: { ...process.env, TLS_BOOTSTRAP: bootstrap } });
  if (made.status !== 0) throw new Error(`make-tls.sh exited ${made.status}: ${made.stderr}`);

  // broker-1's SASL_SSL settings as the compose override gives them
  const compose = readYaml(COMPOSE_FILE).services['broker-1'].environment as Record<string, string>;
  const secure = readYaml(SASL_SSL_COMPOSE_FILE).services['broker-1'].environment as Record<string, string>;
  const printed = runEntrypoint({ ...compose, ...secure });
  if (printed.code !== 0) throw new Error(printed.stderr);
  const props = propertiesOf(printed.stdout);
  const security: Record<string, string> = {};
  for (const [key, value] of props)
    if (/^(sasl\.|ssl\.|listener\.name\.secure\.)/.test(key)) security[key] = value.replace('/etc/samsa/tls', tlsDir);
  expect(security['ssl.keystore.location']).toBe(path.join(tlsDir, 'broker.pem'));

  zk = await startZooKeeper();
  const password = fs.readFileSync(path.join(tlsDir, 'admin.password'), 'utf8').trim();
  await kafkaConfigs(zk.connectString, [
    '--alter', '--entity-type', 'users', '--entity-name', 'admin',
    '--add-config', `SCRAM-SHA-256=[password=${password}],SCRAM-SHA-512=[password=${password}]`,
  ]);
  const port = await freePort();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 1,
    port,
    overrides: {
      listeners: `INTERNAL://127.0.0.1:${port},SECURE://127.0.0.1:${securePort}`,
      'listener.security.protocol.map': props.get('listener.security.protocol.map')!,
      'inter.broker.listener.name': 'INTERNAL',
      ...security,
      'offsets.topic.replication.factor': 1,
    },
  });
});

afterAll(async () => {
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

describe('docker/make-tls.sh', () => {
  it('makes a keystore, CA and admin the broker serves SASL_SSL with; its client configs work as written', async () => {
    const rdkafka = path.join(tlsDir, 'librdkafka-sasl_ssl.properties');
    await runOk(KCAT, ['-F', rdkafka, '-P', '-t', 'make-tls', '-p', '0', '-X', 'message.timeout.ms=60000'], { input: 'a\nb\n' });
    const consumed = await runOk(KCAT, ['-F', rdkafka, '-C', '-t', 'make-tls', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
    expect(consumed.stdout.split('\n').filter((l) => l !== '')).toEqual(['a', 'b']);

    const listed = await run(path.join(REPO_ROOT, 'bin', 'kafka-topics.sh'), [
      '--bootstrap-server', bootstrap, '--command-config', path.join(tlsDir, 'client-sasl_ssl.properties'), '--list',
    ]);
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(listed.stdout.split('\n')).toContain('make-tls');
  });

  it('keeps the CA, keystore and password on a second run', () => {
    const read = (f: string): string => fs.readFileSync(path.join(tlsDir, f), 'utf8');
    const before = ['ca.pem', 'ca.key', 'broker.pem', 'admin.password'].map(read);
    const again = spawnSync(MAKE_TLS, [tlsDir, 'broker-1'], { encoding: 'utf8' });
    expect({ status: again.status, stdout: again.stdout, stderr: again.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(['ca.pem', 'ca.key', 'broker.pem', 'admin.password'].map(read)).toEqual(before);
    expect(fs.statSync(path.join(tlsDir, 'admin.password')).mode & 0o077).toBe(0);
    expect(fs.statSync(path.join(tlsDir, 'broker.pem')).mode & 0o077).toBe(0);
  });
});
