import * as fs from 'fs';
import * as path from 'path';
import { freePort, harnessTempRoot, startZooKeeper, waitFor, type ZooKeeperHandle } from '../harness';
import { startBrokers, type BrokerHandle } from '../harness/broker';
import { makeTlsMaterial, type TlsMaterial } from '../harness/tls';
import { createTopic } from '../fault/support';
import { KCAT, partitionViews, runOk, type KcatMetadata, type PartitionView } from './support';

/**
 * Three brokers that speak only SSL (issue 16, TLS): one SSL listener each, mutual TLS required,
 * security.inter.broker.protocol=SSL. There is no plaintext port, so replication (the fetchers),
 * the controller's requests (LeaderAndIsr, UpdateMetadata) and controlled shutdown can only work
 * over TLS with each broker's certificate: a topic of replication factor 3 gets its full ISR,
 * takes acks=all writes, elects a new leader when its leader stops, and loses nothing.
 */
jest.setTimeout(240_000);

let material: TlsMaterial;
let zk: ZooKeeperHandle;
let brokers: BrokerHandle[] = [];
const TOPIC = 'ssl-replicated';

const clientArgs = (): string[] => [
  '-X', 'security.protocol=ssl',
  '-X', `ssl.ca.location=${material.ca.cert}`,
  '-X', `ssl.certificate.location=${material.client.cert}`,
  '-X', `ssl.key.location=${material.client.key}`,
];

const bootstrapOf = (live: readonly BrokerHandle[]): string => live.map((b) => b.bootstrap).join(',');

async function views(bootstrap: string): Promise<PartitionView[]> {
  const r = await runOk(KCAT, ['-b', bootstrap, ...clientArgs(), '-L', '-J', '-t', TOPIC, '-m', '10'], { timeoutMs: 30_000 });
  return partitionViews(JSON.parse(r.stdout) as KcatMetadata, TOPIC);
}

async function produce(bootstrap: string, values: readonly string[]): Promise<void> {
  await runOk(KCAT, ['-b', bootstrap, ...clientArgs(), '-X', 'acks=all', '-P', '-t', TOPIC, '-p', '0'], {
    input: values.join('\n') + '\n',
  });
}

beforeAll(async () => {
  material = makeTlsMaterial(fs.mkdtempSync(path.join(harnessTempRoot(), 'ssl-cluster-')));
  zk = await startZooKeeper();
  const ports = [await freePort(), await freePort(), await freePort()];
  brokers = await startBrokers(
    ports.map((port, id) =>
      ({
        zkConnect: zk.connectString,
        brokerId: id,
        port,
        overrides: {
          listeners: `SSL://127.0.0.1:${port}`,
          'security.inter.broker.protocol': 'SSL',
          'ssl.keystore.type': 'PKCS12',
          'ssl.keystore.location': material.broker.p12,
          'ssl.keystore.password': material.broker.password,
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': material.ca.cert,
          'ssl.client.auth': 'required',
          'offsets.topic.replication.factor': 3,
        },
      }),
    ),
  );
});

afterAll(async () => {
  await Promise.all(brokers.map((b) => b.stop().catch(() => b.kill())));
  await Promise.all(brokers.map((b) => b.remove()));
  await zk?.stop();
});

describe('a cluster whose brokers talk SSL to each other', () => {
  it('replicates, elects a new leader when the leader stops, and keeps every acknowledged record', async () => {
    await createTopic(zk.connectString, TOPIC, 1, 3, ['min.insync.replicas=2']);
    const all = bootstrapOf(brokers);
    await waitFor(async () => (await views(all))[0]?.isr.length === 3, { timeoutMs: 60_000, what: 'full ISR over SSL' });
    const first = Array.from({ length: 20 }, (_, i) => `before-${i}`);
    await produce(all, first);

    const [before] = await views(all);
    const leader = brokers.find((b) => b.brokerId === before.leader)!;
    await leader.stop(); // controlled shutdown: the controller is reached over SSL
    const live = brokers.filter((b) => b !== leader);
    const after = await waitFor(
      async () => {
        const [p] = await views(bootstrapOf(live));
        return p !== undefined && p.leader !== before.leader && p.leader >= 0 && p.isr.length === 2 ? p : undefined;
      },
      { timeoutMs: 60_000, what: 'a new leader elected over SSL' },
    );
    expect(live.map((b) => b.brokerId)).toContain(after.leader);

    const second = Array.from({ length: 20 }, (_, i) => `after-${i}`);
    await produce(bootstrapOf(live), second);
    const r = await runOk(KCAT, [
      '-b', bootstrapOf(live), ...clientArgs(), '-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n',
    ]);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toEqual([...first, ...second]);

    await leader.restart();
    await waitFor(async () => (await views(bootstrapOf(brokers)))[0]?.isr.length === 3, {
      timeoutMs: 60_000,
      what: 'the restarted broker catches up over SSL and rejoins the ISR',
    });
  });
});
