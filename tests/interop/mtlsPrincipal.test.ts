import * as fs from 'fs';
import * as path from 'path';
import { runAclCommand } from '@samsa/admin';
import { freePort, harnessTempRoot, startZooKeeper, waitFor, type ZooKeeperHandle } from '../harness';
import { startBroker, type BrokerHandle } from '../harness/broker';
import { makeTlsMaterial, type TlsMaterial } from '../harness/tls';
import { createTopic } from '../fault/support';
import { KCAT, run } from './support';

/**
 * Mutual TLS end to end with a real client: kcat presents the client certificate
 * (CN=client,OU=test,O=Samsa) and the ACLs decide by the principal the broker made of it. On the
 * MTLS listener the principal is the whole subject (DEFAULT rule), on MAPPED it goes through
 * ssl.principal.mapping.rules to User:client. A write is refused (TOPIC_AUTHORIZATION_FAILED)
 * until kafka-acls grants the principal of that listener, and only that one.
 */
jest.setTimeout(180_000);

let material: TlsMaterial;
let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let mtlsPort: number;
let mappedPort: number;

async function acl(...args: string[]): Promise<void> {
  const err: string[] = [];
  const code = await runAclCommand(
    ['--authorizer-properties', `zookeeper.connect=${zk.connectString}`, ...args],
    { out: () => undefined, err: (l) => err.push(l) },
    { timeoutMs: 15_000 },
  );
  if (code !== 0) throw new Error(`kafka-acls ${args.join(' ')} failed: ${err.join(' ')}`);
}

function kcatArgs(port: number): string[] {
  return [
    '-b', `127.0.0.1:${port}`,
    '-X', 'security.protocol=ssl',
    '-X', `ssl.ca.location=${material.ca.cert}`,
    '-X', `ssl.certificate.location=${material.client.cert}`,
    '-X', `ssl.key.location=${material.client.key}`,
  ];
}

/** kcat produces one record to `topic` on `port`; its exit code and error output. */
function produce(port: number, topic: string, value: string): Promise<{ code: number | null; stderr: string }> {
  return run(KCAT, [...kcatArgs(port), '-P', '-t', topic, '-p', '0', '-X', 'message.timeout.ms=10000'], {
    input: `${value}\n`,
    timeoutMs: 60_000,
  });
}

beforeAll(async () => {
  material = makeTlsMaterial(fs.mkdtempSync(path.join(harnessTempRoot(), 'mtls-principal-')));
  zk = await startZooKeeper();
  // The broker reaches itself over PLAINTEXT as User:ANONYMOUS: it needs ClusterAction, as in Kafka.
  await acl('--add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'ClusterAction', '--cluster');
  const port = await freePort();
  mtlsPort = await freePort();
  mappedPort = await freePort();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${port},MTLS://127.0.0.1:${mtlsPort},MAPPED://127.0.0.1:${mappedPort}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,MTLS:SSL,MAPPED:SSL',
      'inter.broker.listener.name': 'PLAINTEXT',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': material.broker.pemKeystore,
      'ssl.key.password': material.broker.keyPassword,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': material.ca.cert,
      'ssl.client.auth': 'required',
      'listener.name.mapped.ssl.principal.mapping.rules': 'RULE:^CN=([^,]*),OU=test,O=Samsa$/$1/L,DEFAULT',
      'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
      'auto.create.topics.enable': false,
      'offsets.topic.replication.factor': 1,
    },
  });
  await createTopic(zk.connectString, 'mtls-dn', 1, 1);
  await createTopic(zk.connectString, 'mtls-mapped', 1, 1);
});

afterAll(async () => {
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

test("the certificate's subject is the principal: refused without its ACL, allowed with it", async () => {
  const refused = await produce(mtlsPort, 'mtls-dn', 'before');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/[Aa]uthorization failed/);
  await acl('--add', '--allow-principal', `User:${material.client.dn}`, '--operation', 'Write', '--topic', 'mtls-dn');
  await waitFor(async () => (await produce(mtlsPort, 'mtls-dn', 'after')).code === 0, {
    timeoutMs: 30_000,
    intervalMs: 500,
    what: `a write by User:${material.client.dn} once its ACL is in`,
  });
});

test('ssl.principal.mapping.rules turn the subject into User:client', async () => {
  expect((await produce(mappedPort, 'mtls-mapped', 'before')).code).not.toBe(0);
  await acl('--add', '--allow-principal', 'User:client', '--operation', 'Write', '--topic', 'mtls-mapped');
  await waitFor(async () => (await produce(mappedPort, 'mtls-mapped', 'after')).code === 0, {
    timeoutMs: 30_000,
    intervalMs: 500,
    what: 'a write by User:client (the mapped subject) once its ACL is in',
  });
  // The same certificate on the DEFAULT listener is the whole subject, which that ACL does not name.
  const other = await produce(mtlsPort, 'mtls-mapped', 'as-dn');
  expect(other.code).not.toBe(0);
  expect(other.stderr).toMatch(/[Aa]uthorization failed/);
  // And the whole subject is not the MAPPED listener's principal: denying it changes nothing there.
  await acl('--add', '--deny-principal', `User:${material.client.dn}`, '--operation', 'Write', '--topic', 'mtls-mapped');
  expect((await produce(mappedPort, 'mtls-mapped', 'after-deny')).code).toBe(0);
});
