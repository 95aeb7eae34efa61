import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { startDashboard, type RunningDashboard } from '@samsa/dashboard';
import { basicAuthHeader } from '@samsa/metrics';
import { harnessTempRoot, startZooKeeper, waitFor, type ZooKeeperHandle } from '../../harness';
import { startBroker, type BrokerHandle } from '../../harness/broker';
import { makeTlsMaterial, type TlsMaterial } from '../../harness/tls';

/**
 * The operations endpoints under protection (issue 16, operations side): a broker's metrics
 * endpoint binds to loopback unless told otherwise, serves HTTPS from samsa.metrics.http.tls.* and
 * asks for samsa.metrics.http.password; the dashboard reads such a broker with --metrics-ca and the
 * password, and protects its own page the same way.
 */
jest.setTimeout(120_000);

const METRICS = { username: 'samsa', password: 'metrics-s3cret' };
const PAGE = { username: 'operator', password: 'page-s3cret' };

let material: TlsMaterial;
let zk: ZooKeeperHandle;
let broker: BrokerHandle;
let dashboard: RunningDashboard | undefined;

function get(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: fs.readFileSync(ca), headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
  });
}

/** The local addresses a port is listening on, from /proc/net/tcp and tcp6 (hex, as the kernel writes them). */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // 0A: LISTEN
      const [addr, hexPort] = f[1].split(':');
      if (parseInt(hexPort, 16) === port) out.push(addr);
    }
  }
  return out;
}

beforeAll(async () => {
  material = makeTlsMaterial(fs.mkdtempSync(path.join(harnessTempRoot(), 'protected-endpoints-')));
  zk = await startZooKeeper();
  broker = await startBroker({
    zkConnect: zk.connectString,
    brokerId: 0,
    overrides: {
      'jmx.port': 0,
      'samsa.metrics.http.tls.certificate.location': material.broker.cert,
      'samsa.metrics.http.tls.key.location': material.broker.key,
      'samsa.metrics.http.password': METRICS.password,
    },
  });
});

afterAll(async () => {
  await dashboard?.close();
  await broker?.stop().catch(() => broker.kill());
  await broker?.remove();
  await zk?.stop();
});

test('the metrics endpoint listens on loopback only, by default', () => {
  // 0100007F is 127.0.0.1 as /proc/net/tcp writes it; an endpoint on every interface would be 00000000.
  expect(listeningAddresses(broker.metricsPort)).toEqual(['0100007F']);
});

test('the metrics endpoint answers 401 without the password and serves HTTPS with it', async () => {
  const url = `https://127.0.0.1:${broker.metricsPort}/metrics`;
  expect((await get(url, material.ca.cert)).status).toBe(401);
  expect(
    (await get(url, material.ca.cert, { authorization: basicAuthHeader({ ...METRICS, password: 'guess' }) })).status,
  ).toBe(401);
  const ok = await get(url, material.ca.cert, { authorization: basicAuthHeader(METRICS) });
  expect(ok.status).toBe(200);
  expect(ok.body).toContain('kafka_server_');
  await expect(fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`)).rejects.toThrow();
});

test('the dashboard reads the protected broker and protects its own page', async () => {
  dashboard = await startDashboard({
    zookeeper: zk.connectString,
    bootstrapServers: [],
    port: 0,
    host: '127.0.0.1',
    access: {
      tls: { cert: fs.readFileSync(material.broker.cert), key: fs.readFileSync(material.broker.key) },
      basicAuth: PAGE,
    },
    metrics: { scheme: 'https', ca: fs.readFileSync(material.ca.cert), basicAuth: METRICS },
    intervalMs: 250,
  });
  expect(dashboard.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  await waitFor(
    async () => {
      const row = dashboard!.monitor.view().brokers.find((b) => b.id === 0);
      return row?.state === 'up' && row.version !== null;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'the dashboard to read broker 0 over HTTPS with the password' },
  );
  const view = `${dashboard.url}api/view`;
  expect((await get(view, material.ca.cert)).status).toBe(401);
  const ok = await get(view, material.ca.cert, { authorization: basicAuthHeader(PAGE) });
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body).brokers[0].metricsUrl).toMatch(/^https:\/\//);
});
