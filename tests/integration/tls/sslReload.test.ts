import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { sendAndReceive } from '@samsa/client';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { close, connectZk, freePort, getData, harnessTempRoot, startZooKeeper, waitFor, type ZkClient, type ZooKeeperHandle } from '../../harness';
import { startBroker, type BrokerHandle } from '../../harness/broker';
import { makeBrokerIdentity, makeTlsMaterial, type TlsMaterial } from '../../harness/tls';

/**
 * Certificate rotation without a restart (Kafka's dynamic SSL reconfiguration): AlterConfigs sets
 * listener.name.ssl.ssl.keystore.location on broker 0, and the SSL listener's next handshakes
 * present the new certificate. As Kafka's SslFactory.validateReconfiguration, a keystore that does
 * not load, or whose certificate has another subject or drops a subject alternative name, is
 * refused on the wire (INVALID_REQUEST with Kafka's message, AlterConfigs and
 * IncrementalAlterConfigs, validateOnly or not): /config/brokers/0 is not written and the listener
 * keeps the certificate it had.
 */
jest.setTimeout(120_000);

const BROKER_RESOURCE = 4; // ConfigResourceType.BROKER

let material: TlsMaterial;
let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let admin: Admin;
let sslPort: number;
let zkClient: ZkClient;

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
  zkClient = await connectZk(zk.connectString);
});

afterAll(async () => {
  if (zkClient) await close(zkClient);
  await admin?.disconnect();
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

const KEYSTORE = 'listener.name.ssl.ssl.keystore.location';

/** /config/brokers/0 as ZooKeeper holds it: its JSON and version. */
async function brokerZnode(): Promise<{ data: string; version: number }> {
  const { data, stat } = await getData(zkClient, '/config/brokers/0');
  return { data: data?.toString('utf8') ?? '', version: stat.version };
}

/** AlterConfigs v1 or IncrementalAlterConfigs v1 (SET) of the SSL listener's keystore, on the wire: [errorCode, errorMessage]. */
async function alterKeystore(api: 'AlterConfigs' | 'IncrementalAlterConfigs', location: string, validateOnly: boolean): Promise<[number, string | null]> {
  const target = { host: '127.0.0.1', port: broker.port, clientId: 'ssl-reload-wire', timeoutMs: 15_000 };
  const response =
    api === 'AlterConfigs'
      ? await sendAndReceive(target, ApiKey.AlterConfigs, 1, {
          resources: [{ resourceType: BROKER_RESOURCE, resourceName: '0', configs: [{ name: KEYSTORE, value: location }] }],
          validateOnly,
        })
      : await sendAndReceive(target, ApiKey.IncrementalAlterConfigs, 1, {
          resources: [{ resourceType: BROKER_RESOURCE, resourceName: '0', configs: [{ name: KEYSTORE, configOperation: 0, value: location }] }],
          validateOnly,
        });
  const r = (response as { responses: { errorCode: number; errorMessage: string | null }[] }).responses[0];
  return [r.errorCode, r.errorMessage];
}

const INVALID = "Invalid config value for resource ConfigResource(type=BROKER, name='0'): Validation of dynamic config update of SSLFactory failed: ";

describe('SSL keystore reload through AlterConfigs', () => {
  it('a rotated certificate (same subject and SANs) is presented to new connections', async () => {
    expect(await presented()).toBe(fingerprintOf(material.broker.cert));

    const rotated = makeBrokerIdentity(material, 'broker-rotated');
    await setKeystore(rotated.p12);
    await waitFor(async () => (await presented()) === fingerprintOf(rotated.cert), {
      timeoutMs: 30_000,
      what: 'the SSL listener presents the rotated certificate',
    });
    expect(JSON.parse((await brokerZnode()).data)).toEqual({ version: 1, config: { [KEYSTORE]: rotated.p12 } });
  });

  it('a keystore that does not load, another subject or fewer SANs: INVALID_REQUEST on the wire, /config/brokers/0 unchanged', async () => {
    const inUse = await presented();
    const before = await brokerZnode();
    const impostor = makeBrokerIdentity(material, 'broker-impostor', '/O=Samsa/CN=someone-else');
    const fewerNames = makeBrokerIdentity(material, 'broker-ip-only', '/O=Samsa/CN=broker', 'IP:127.0.0.1');
    const missing = path.join(material.dir, 'no-such.p12');
    const refusals: [string, string][] = [
      [
        missing,
        `org.apache.kafka.common.KafkaException: Failed to load SSL keystore ${missing} of type PKCS12 (ENOENT: no such file or directory, open '${missing}')`,
      ],
      [
        impostor.p12,
        'org.apache.kafka.common.config.ConfigException: Keystore DistinguishedName does not match:  ' +
          'existing={DN=CN=broker, O=Samsa}, new={DN=CN=someone-else, O=Samsa}',
      ],
      [
        fewerNames.p12,
        'org.apache.kafka.common.config.ConfigException: Keystore SubjectAltNames do not match:  ' +
          'existing={SAN=[[7, 127.0.0.1], [2, localhost]]}, new={SAN=[[7, 127.0.0.1]]}',
      ],
    ];
    for (const api of ['AlterConfigs', 'IncrementalAlterConfigs'] as const) {
      for (const validateOnly of [false, true]) {
        for (const [location, why] of refusals) {
          expect([api, validateOnly, await alterKeystore(api, location, validateOnly)]).toEqual([
            api,
            validateOnly,
            [ErrorCode.INVALID_REQUEST, INVALID + why],
          ]);
        }
      }
    }
    expect(await brokerZnode()).toEqual(before);
    expect(await presented()).toBe(inUse);

    // validateOnly with a keystore that passes: NONE, and still nothing written
    const next = makeBrokerIdentity(material, 'broker-next');
    expect(await alterKeystore('IncrementalAlterConfigs', next.p12, true)).toEqual([ErrorCode.NONE, null]);
    expect(await brokerZnode()).toEqual(before);
    expect(await presented()).toBe(inUse);
  });
});
