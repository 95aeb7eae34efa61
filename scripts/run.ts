/**
 * `make run`: ZooKeeper and three brokers on 127.0.0.1, data under .samsa/ (kept across runs),
 * logs in each component's directory. Prints the bootstrap servers and the ZooKeeper connect string
 * once the cluster answers, then starts the dashboard (on port 8080 or the next free one); Ctrl-C
 * or SIGTERM stops the dashboard, the brokers cleanly, then ZooKeeper.
 * Each broker serves its metrics (Jolokia, Prometheus /metrics, /samsa/status and /samsa/events)
 * on jmx.port 9999, 10000 and 10001 (clear of ZooKeeper's 2181 and the brokers' 9092–9094; ZooKeeper's
 * admin server is off), or on another free port when one is taken.
 * KAFKA_* environment variables reach every broker (KAFKA_NUM_PARTITIONS=3 → num.partitions=3).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startBroker, type BrokerHandle } from '../tests/harness/broker';
import { startDashboard, type DashboardHandle } from '../tests/harness/dashboard';
import { startZooKeeper } from '../tests/harness/zookeeper';
import { close, connectZk, exists } from '../tests/harness/zkclient';
import { waitFor } from '../tests/harness/wait';

const ROOT = path.resolve(__dirname, '..');
const DATA = path.join(ROOT, '.samsa');

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The conventional port when it is free (so Kafka habits work), else the one used last time, else any. */
async function pickPort(preferred: number, file: string): Promise<number> {
  const remembered = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : NaN;
  for (const p of [preferred, remembered]) if (Number.isInteger(p) && (await portFree(p))) return p;
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * ZooKeeper keeps the data dir across runs, sessions included: the registrations (/brokers/ids/N)
 * of brokers a previous run lost without a clean stop live on until ZooKeeper expires their
 * sessions, and a broker cannot register its id meanwhile (Kafka's rule). Wait them out.
 */
async function awaitStaleRegistrations(connectString: string): Promise<void> {
  const client = await connectZk(connectString);
  try {
    const stale = async () => {
      const found: number[] = [];
      for (let id = 0; id < 3; id++) if ((await exists(client, `/brokers/ids/${id}`)) !== null) found.push(id);
      return found;
    };
    const first = await stale();
    if (first.length === 0) return;
    console.log(`waiting for ZooKeeper to expire the sessions of a previous run's brokers ${first.join(', ')} (up to a minute)`);
    await waitFor(async () => (await stale()).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the previous run\'s broker registrations to expire',
    });
  } finally {
    await close(client);
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(DATA, { recursive: true });
  fs.writeFileSync(path.join(DATA, 'run.pid'), String(process.pid));
  const zkDir = path.join(DATA, 'zookeeper');
  const zkPort = await pickPort(2181, path.join(DATA, 'zookeeper.port'));
  fs.writeFileSync(path.join(DATA, 'zookeeper.port'), String(zkPort));
  console.log(`starting ZooKeeper on 127.0.0.1:${zkPort} (data in ${path.relative(ROOT, zkDir)})`);
  const zk = await startZooKeeper({ port: zkPort, dir: zkDir, label: 'make-run zookeeper' });

  await awaitStaleRegistrations(zk.connectString);

  const brokers: BrokerHandle[] = [];
  let dashboard: DashboardHandle | undefined;
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping the dashboard, the brokers (clean shutdown), then ZooKeeper`);
    await dashboard?.stop();
    await Promise.all(brokers.map((b) => b.stop().catch(() => b.kill())));
    await zk.stop();
    fs.rmSync(path.join(DATA, 'run.pid'), { force: true });
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    for (let id = 0; id < 3; id++) {
      const dir = path.join(DATA, `broker-${id}`);
      const port = await pickPort(9092 + id, path.join(DATA, `broker-${id}.port`));
      fs.writeFileSync(path.join(DATA, `broker-${id}.port`), String(port));
      const jmxPort = await pickPort(9999 + id, path.join(DATA, `broker-${id}.jmx.port`));
      fs.writeFileSync(path.join(DATA, `broker-${id}.jmx.port`), String(jmxPort));
      console.log(`starting broker ${id} on 127.0.0.1:${port}, metrics on ${jmxPort} (data and logs in ${path.relative(ROOT, dir)})`);
      brokers.push(
        await startBroker({
          zkConnect: zk.connectString,
          brokerId: id,
          port,
          dir,
          overrides: {
            'offsets.topic.replication.factor': 3,
            'zookeeper.session.timeout.ms': 18000,
            'group.initial.rebalance.delay.ms': 3000,
            'jmx.port': jmxPort,
          },
        }),
      );
    }
  } catch (e) {
    console.error(`startup failed: ${(e as Error).message}`);
    await stop('startup failure');
    return;
  }
  const bootstrap = brokers.map((b) => b.bootstrap).join(',');
  let dashboardStatus: string;
  try {
    let port = 8080;
    while (port < 8180 && !(await portFree(port))) port++;
    const log = path.join(DATA, 'dashboard.log');
    dashboard = await startDashboard({
      zkConnect: zk.connectString,
      bootstrap,
      port: port < 8180 ? port : 0,
      echo: fs.createWriteStream(log),
    });
    dashboardStatus = `${dashboard.url} (log in ${path.relative(ROOT, log)})`;
  } catch (e) {
    dashboardStatus = `failed to start: ${(e as Error).message.split('\n')[0]}`;
  }
  console.log('');
  console.log(`Samsa is running: 3 brokers, ZooKeeper at 127.0.0.1:${zkPort}`);
  console.log(`  bootstrap servers: ${bootstrap}`);
  console.log(`  zookeeper connect: 127.0.0.1:${zkPort}`);
  for (const b of brokers) {
    console.log(`  broker ${b.brokerId} metrics:  ${b.metricsUrl}/metrics  ${b.metricsUrl}/jolokia/  ${b.metricsUrl}/samsa/status`);
  }
  console.log(`  dashboard:         ${dashboardStatus}`);
  console.log(`  try: bin/kafka-topics.sh --zookeeper 127.0.0.1:${zkPort} --create --topic demo --partitions 3 --replication-factor 3`);
  console.log(`       kcat -b ${brokers[0].bootstrap} -L`);
  console.log('Ctrl-C stops everything.');
}

void main();
