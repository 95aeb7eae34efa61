import { execFile, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BrokerIdZNode, maybeThrow, ZooKeeperClient } from '@samsa/zk';
import { startBroker, type BrokerHandle } from './BrokerProcess';
import { startDashboard, type DashboardHandle } from './DashboardProcess';
import { firstFreePort, pickPort } from './ports';
import { ensureLocalTls, saslSslBrokerOverrides, writeClientConfigs, type LocalTls } from './SecureListener';
import { waitFor } from './wait';
import { startZooKeeper, type ZooKeeperHandle } from './ZooKeeperProcess';

/**
 * `samsa-cluster` (`make run`): ZooKeeper and N brokers on 127.0.0.1, data under the data dir (kept
 * across runs), logs in each component's directory, then the dashboard (on port 8080 or the next
 * free one). Each broker serves its metrics (Jolokia, Prometheus /metrics, /samsa/status and
 * /samsa/events) on jmx.port 9999, 10000, 10001… (clear of ZooKeeper's 2181 and the brokers'
 * 9092–9094; ZooKeeper's admin server is off). Every port falls back to the one used last time, then
 * to any free one, when taken. KAFKA_* environment variables reach every broker, which reads them
 * (KAFKA_NUM_PARTITIONS=3 → num.partitions=3).
 */
export interface LocalClusterOptions {
  /** The checkout holding bin/ and packages/<name>/dist; paths are printed relative to it. */
  readonly home: string;
  /** ZooKeeper's and the brokers' directories, the remembered ports and run.pid (make stop reads it). */
  readonly dataDir: string;
  readonly brokers: number;
  /**
   * Also serve a SASL_SSL listener on each broker (9192, 9193, …) with a CA of this cluster's own
   * and an admin user (SecureListener.ts). Default false.
   */
  readonly saslSsl?: boolean;
  /**
   * Try Kafka's conventional ports first (2181, 9092…, 9192…, 9999…, the dashboard's 8080). Default
   * true; tests set false so they never take a port an operator's `make run` may want: then only
   * the port remembered from this data dir's last run, else any free one.
   */
  readonly conventionalPorts?: boolean;
  /** Start the dashboard after the brokers (default true). */
  readonly dashboard?: boolean;
  /** Progress lines (default console.log). */
  readonly log?: (line: string) => void;
}

const BROKER_OVERRIDES = {
  'zookeeper.session.timeout.ms': 18000,
  'group.initial.rebalance.delay.ms': 3000,
} as const;

/**
 * The processes of one `samsa-cluster` run. stop() may come at any time, also while start() is
 * under way (Ctrl-C during startup): it stops what has started, and start() launches nothing more.
 */
export class LocalCluster {
  zk: ZooKeeperHandle | undefined;
  readonly brokers: BrokerHandle[] = [];
  dashboard: DashboardHandle | undefined;
  /** The dashboard's URL and log, or why it did not start: it is optional, the cluster is not. */
  dashboardStatus = 'not started';
  /** The SASL_SSL side, once started with saslSsl: bootstrap, CA, admin and client configs. */
  secure:
    | (LocalTls & {
        readonly bootstrap: string;
        readonly clientConfigs: { java: string; librdkafka: string };
      })
    | undefined;
  private stopping: Promise<void> | undefined;
  private readonly log: (line: string) => void;
  /** Every process this run spawned, for killAll(). */
  private readonly children = new Set<ChildProcess>();
  private readonly onSpawn = (child: ChildProcess): void => {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  };

  constructor(private readonly options: LocalClusterOptions) {
    this.log = options.log ?? ((line: string) => console.log(line));
  }

  /** "h:p,h:p,h:p" */
  get bootstrap(): string {
    return this.brokers.map((b) => b.bootstrap).join(',');
  }

  /**
   * SIGKILLs every process of this run that still lives: the last resort when the launcher itself
   * dies (an uncaught error, an exit without stop()), so no ZooKeeper or broker outlives it.
   */
  killAll(): void {
    for (const child of this.children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Starts ZooKeeper, the brokers one by one, then the dashboard; on a failure stops what runs and throws. */
  async start(): Promise<void> {
    try {
      await this.startZooKeeperAndBrokers();
    } catch (e) {
      await this.stop();
      // what started after stop() looked (ZooKeeper while it came up); stopping twice is harmless
      await this.stopProcesses();
      throw e;
    }
    if (this.options.dashboard !== false) await this.startDashboard();
  }

  /** Stops the dashboard, the brokers (clean shutdown, in parallel), then ZooKeeper. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopProcesses();
    return this.stopping;
  }

  private async stopProcesses(): Promise<void> {
    await this.dashboard?.stop();
    await Promise.all(this.brokers.map((b) => b.stop().catch(() => b.kill())));
    await this.zk?.stop();
  }

  private async startZooKeeperAndBrokers(): Promise<void> {
    const { dataDir, brokers } = this.options;
    fs.mkdirSync(dataDir, { recursive: true });
    const zkDir = path.join(dataDir, 'zookeeper');
    const zkPort = await this.portFor(2181, 'zookeeper.port');
    this.log(`starting ZooKeeper on 127.0.0.1:${zkPort} (data in ${this.shown(zkDir)})`);
    this.checkNotStopping();
    const zk = await startZooKeeper({
      port: zkPort,
      dir: zkDir,
      label: 'make-run zookeeper',
      onSpawn: this.onSpawn,
    });
    this.zk = zk;
    this.checkNotStopping();
    await awaitStaleRegistrations(zk.connectString, brokers, this.log, () => this.stopping !== undefined);
    const tls = this.options.saslSsl === true ? await this.prepareSaslSsl(zk.connectString) : undefined;
    const securePorts: number[] = [];
    for (let id = 0; id < brokers; id++) {
      const dir = path.join(dataDir, `broker-${id}`);
      const port = await this.portFor(9092 + id, `broker-${id}.port`);
      const jmxPort = await this.portFor(9999 + id, `broker-${id}.jmx.port`);
      const securePort =
        tls === undefined ? undefined : await this.portFor(9192 + id, `broker-${id}.sasl_ssl.port`);
      if (securePort !== undefined) securePorts.push(securePort);
      this.log(
        `starting broker ${id} on 127.0.0.1:${port}, metrics on ${jmxPort} (data and logs in ${this.shown(dir)})`,
      );
      this.checkNotStopping();
      const broker = await startBroker({
        home: this.options.home,
        onSpawn: this.onSpawn,
        zkConnect: zk.connectString,
        brokerId: id,
        port,
        dir,
        overrides: {
          'offsets.topic.replication.factor': Math.min(3, brokers),
          'transaction.state.log.replication.factor': Math.min(3, brokers),
          'transaction.state.log.min.isr': Math.min(2, brokers),
          ...BROKER_OVERRIDES,
          'jmx.port': jmxPort,
          ...(tls === undefined || securePort === undefined
            ? {}
            : saslSslBrokerOverrides(tls, '127.0.0.1', port, securePort)),
        },
      });
      this.brokers.push(broker);
      // stop() may have run while this one started: it did not see it.
      if (this.stopping) await broker.stop().catch(() => broker.kill());
    }
    if (tls !== undefined) {
      const bootstrap = securePorts.map((p) => `127.0.0.1:${p}`).join(',');
      this.secure = { ...tls, bootstrap, clientConfigs: writeClientConfigs(this.options.home, tls, bootstrap) };
    }
  }

  /**
   * The CA, the broker keystore and the admin password (made once, kept in the data dir), and the
   * admin's SCRAM credentials written to ZooKeeper with kafka-configs, as an operator would.
   */
  private async prepareSaslSsl(zkConnect: string): Promise<LocalTls> {
    const tls = ensureLocalTls(this.options.home, this.options.dataDir);
    this.log(
      `SASL_SSL: CA ${this.shown(tls.caFile)}, admin user ${tls.adminUser} (SCRAM-SHA-256/512 and PLAIN)`,
    );
    const password = tls.adminPassword;
    await new Promise<void>((resolve, reject) =>
      execFile(
        path.join(this.options.home, 'bin', 'kafka-configs.sh'),
        [
          '--zookeeper',
          zkConnect,
          '--alter',
          '--entity-type',
          'users',
          '--entity-name',
          tls.adminUser,
          '--add-config',
          `SCRAM-SHA-256=[password=${password}],SCRAM-SHA-512=[password=${password}]`,
        ],
        (error, _stdout, stderr) =>
          error === null
            ? resolve()
            : reject(new Error(`kafka-configs could not create the admin user: ${stderr || error.message}`)),
      ),
    );
    return tls;
  }

  private async startDashboard(): Promise<void> {
    const dashboardLog = path.join(this.options.dataDir, 'dashboard.log');
    try {
      this.checkNotStopping();
      this.dashboard = await startDashboard({
        home: this.options.home,
        onSpawn: this.onSpawn,
        zkConnect: this.zk!.connectString,
        bootstrap: this.bootstrap,
        port: (await firstFreePort(8080, 8180)) ?? 0,
        echo: fs.createWriteStream(dashboardLog),
      });
      this.dashboardStatus = `${this.dashboard.url} (log in ${this.shown(dashboardLog)})`;
    } catch (e) {
      this.dashboardStatus = `failed to start: ${(e as Error).message.split('\n')[0]}`;
    }
  }

  /** The conventional port when free, else the one remembered in `name` from last time, else any; remembered for next time. */
  private async portFor(preferred: number, name: string): Promise<number> {
    const file = path.join(this.options.dataDir, name);
    const remembered = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : NaN;
    const port = await pickPort(this.options.conventionalPorts === false ? [remembered] : [preferred, remembered]);
    fs.writeFileSync(file, String(port));
    return port;
  }

  private shown(p: string): string {
    return path.relative(this.options.home, p);
  }

  private checkNotStopping(): void {
    if (this.stopping) throw new Error('the cluster is stopping');
  }
}

/**
 * ZooKeeper keeps the data dir across runs, sessions included: the registrations (/brokers/ids/N)
 * of brokers a previous run lost without a clean stop live on until ZooKeeper expires their
 * sessions, and a broker cannot register its id meanwhile (Kafka's rule). Wait them out.
 */
async function awaitStaleRegistrations(
  connectString: string,
  brokers: number,
  log: (line: string) => void,
  stopping: () => boolean,
): Promise<void> {
  const client = await ZooKeeperClient.connect(connectString, {
    sessionTimeoutMs: 6000,
    connectionTimeoutMs: 10_000,
  });
  try {
    const stale = async (): Promise<number[]> => {
      const found: number[] = [];
      for (let id = 0; id < brokers; id++) {
        const response = await client.exists(BrokerIdZNode.path(id));
        if (response.code === 'OK') found.push(id);
        else if (response.code !== 'NONODE') maybeThrow(response);
      }
      return found;
    };
    const first = await stale();
    if (first.length === 0) return;
    log(
      `waiting for ZooKeeper to expire the sessions of a previous run's brokers ${first.join(', ')} (up to a minute)`,
    );
    await waitFor(async () => stopping() || (await stale()).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: "the previous run's broker registrations to expire",
    });
  } finally {
    await client.close();
  }
}
