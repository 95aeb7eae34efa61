import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { freePort, harnessTempRoot, startZooKeeper, waitFor, type ZooKeeperHandle } from '../../harness';
import { startBroker, type BrokerHandle } from '../../harness/broker';
import { makeBrokerIdentity, makeTlsMaterial, type TlsMaterial } from '../../harness/tls';

/**
 * Certificate rotation without a restart (Kafka's dynamic SSL reconfiguration): AlterConfigs sets
 * listener.name.ssl.ssl.keystore.location on broker 0, and the SSL listener's next handshakes
 * present the new certificate; a keystore whose certificate has another subject is refused (the
 * listener keeps the certificate it had, and the broker logs why).
 */
jest.setTimeout(120_000);

const BROKER_RESOURCE = 4; // ConfigResourceType.BROKER

let material: TlsMaterial;
let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let admin: Admin;
let sslPort: number;

/** The fingerprint of the certificate the SSL listener presents to a new connection. */
function presented(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: sslPort, ca: [fs.readFileSync(material.ca.cert)] }, () => {
      const fingerprint = socket.getPeerX509Certificate()!.fingerprint256;
      socket.destroy();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

const fingerprintOf = (certFile: string): string => new X509Certificate(fs.readFileSync(certFile)).fingerprint256;

async function setKeystore(location: string): Promise<void> {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: BROKER_RESOURCE, name: '0', configEntries: [{ name: 'listener.name.ssl.ssl.keystore.location', value: location }] }],
  });
}

beforeAll(async () => {
  material = makeTlsMaterial(fs.mkdtempSync(path.join(harnessTempRoot(), 'ssl-reload-')));
  zk = await startZooKeeper();
  const port = await freePort();
  sslPort = await freePort();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    port,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${port},SSL://127.0.0.1:${sslPort}`,
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.password': material.broker.password,
      'listener.name.ssl.ssl.keystore.location': material.broker.p12,
    },
  });
  admin = new Kafka({ clientId: 'ssl-reload', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

describe('SSL keystore reload through AlterConfigs', () => {
  it('a rotated certificate (same subject and SANs) is presented to new connections; another subject is refused', async () => {
    expect(await presented()).toBe(fingerprintOf(material.broker.cert));

    const rotated = makeBrokerIdentity(material, 'broker-rotated');
    await setKeystore(rotated.p12);
    await waitFor(async () => (await presented()) === fingerprintOf(rotated.cert), {
      timeoutMs: 30_000,
      what: 'the SSL listener presents the rotated certificate',
    });

    const impostor = makeBrokerIdentity(material, 'broker-impostor', '/O=Samsa/CN=someone-else');
    await setKeystore(impostor.p12);
    await waitFor(() => broker.output().includes('Keystore DistinguishedName does not match'), {
      timeoutMs: 30_000,
      what: 'the broker refuses a keystore with another subject',
    });
    expect(await presented()).toBe(fingerprintOf(rotated.cert));
  });
});
