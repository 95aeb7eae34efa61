import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { freePort, LOOPBACK } from './ports';
import { SAMSA_HOME, tempRootOf, type ProcessHooks } from './ProcessHooks';
import { waitFor, withTimeout } from './wait';

/**
 * Real Samsa broker processes (the built `samsa-broker`, as operators run it), for `samsa-cluster`
 * and for integration, interop and fault tests: start, SIGTERM, kill -9, SIGSTOP/SIGCONT, restart
 * on the same port and log dir. The packages must be built first (`npx tsc -b`).
 */
function brokerBin(home: string): string {
  return path.join(home, 'packages', 'broker', 'dist', 'bin', 'samsa-broker.js');
}

/**
 * The node options every broker launcher uses (bin/samsa-node-options.sh owns them), or
 * SAMSA_NODE_PERFORMANCE_OPTS when set, as in the shell launchers.
 */
export function brokerNodeOptions(home: string = SAMSA_HOME): string[] {
  let opts = process.env.SAMSA_NODE_PERFORMANCE_OPTS;
  if (opts === undefined) {
    const file = fs.readFileSync(path.join(home, 'bin', 'samsa-node-options.sh'), 'utf8');
    const m = /^SAMSA_NODE_PERFORMANCE_OPTS="\$\{SAMSA_NODE_PERFORMANCE_OPTS-(.*)\}"$/m.exec(file);
    if (!m) throw new Error('bin/samsa-node-options.sh: no SAMSA_NODE_PERFORMANCE_OPTS default');
    opts = m[1];
  }
  return opts.split(' ').filter((o) => o !== '');
}

export interface BrokerOptions extends ProcessHooks {
  readonly zkConnect: string;
  readonly brokerId: number;
  /** Fixed port (kept across restarts); a free one by default. */
  readonly port?: number;
  /** Extra server.properties entries. */
  readonly overrides?: Readonly<Record<string, string | number | boolean>>;
  readonly startTimeoutMs?: number;
  /** A directory to keep (for `make run`); default a temporary one under tempRoot. */
  readonly dir?: string;
  /** Echo the broker's console lines to this stream as well. */
  readonly echo?: NodeJS.WritableStream;
  /** Extra node options before the script (benchmarks: `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** The checkout holding bin/ and packages/broker/dist; default the one this package runs from. */
  readonly home?: string;
  /** Extra environment variables of the broker process (tests: SAMSA_TEST_FAULTS). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The broker process exited before it said "started" (a refused configuration, a failed startup):
 * its exit code and everything it printed, for tests that expect a broker to refuse to start.
 */
export class BrokerExitedDuringStartupError extends Error {
  constructor(
    readonly brokerId: number,
    readonly exitCode: number | null,
    readonly output: string,
    tail: string,
  ) {
    super(`broker ${brokerId} exited with ${exitCode} during startup:\n${tail}`);
    this.name = 'BrokerExitedDuringStartupError';
  }
}

export interface BrokerHandle {
  readonly brokerId: number;
  readonly port: number;
  /** "127.0.0.1:PORT" */
  readonly bootstrap: string;
  readonly dir: string;
  readonly logDir: string;
  readonly pid: number | undefined;
  /**
   * Port of the broker's metrics endpoint (Jolokia, /metrics, /samsa/*), as bound by this run
   * (jmx.port=0 unless overridden); -1 when it serves none.
   */
  readonly metricsPort: number;
  /** "http://127.0.0.1:PORT" of the metrics endpoint. */
  readonly metricsUrl: string;
  /** SIGTERM and wait for exit (a clean shutdown). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Starts the process again on the same port and log dir. */
  restart(): Promise<void>;
  /**
   * Waits for the process to exit by itself (no signal sent) and returns its exit code (null when a
   * signal ended it); rejects after timeoutMs. For tests of a broker that must stop on its own.
   */
  waitForExit(timeoutMs: number): Promise<number | null>;
  /** The broker's console output so far (server log lines). */
  output(): string;
  /** Kills the process if it still runs and deletes its directory, unless the caller chose it. */
  remove(): Promise<void>;
}

export async function startBroker(options: BrokerOptions): Promise<BrokerHandle> {
  if (options.dir) fs.mkdirSync(options.dir, { recursive: true });
  const dir = options.dir ?? fs.mkdtempSync(path.join(tempRootOf(options), `samsa-broker-${options.brokerId}-`));
  const port = options.port ?? (await freePort());
  const broker = new BrokerProcess(dir, port, options);
  try {
    await broker.launch();
  } catch (e) {
    await broker.remove();
    throw e;
  }
  return broker;
}

class BrokerProcess implements BrokerHandle {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private out = '';
  private boundMetricsPort = -1;
  readonly logDir: string;
  private readonly propertiesFile: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly options: BrokerOptions,
  ) {
    this.logDir = path.join(dir, 'data');
    this.propertiesFile = path.join(dir, 'server.properties');
    const props: Record<string, string | number | boolean> = {
      'broker.id': options.brokerId,
      listeners: `PLAINTEXT://${LOOPBACK}:${port}`,
      'log.dirs': this.logDir,
      'zookeeper.connect': options.zkConnect,
      'zookeeper.session.timeout.ms': 6000,
      'offsets.topic.replication.factor': 1,
      // as for the offsets topic: a single broker can coordinate transactions
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'group.initial.rebalance.delay.ms': 0,
      // Kafka's own test utilities use a short backoff: a whole cluster stopping at once otherwise
      // waits out the 5 s default between controlled-shutdown retries.
      'controlled.shutdown.retry.backoff.ms': 100,
      // the metrics endpoint on any free port; the bound one is read from the broker's log
      'jmx.port': 0,
      ...options.overrides,
    };
    fs.writeFileSync(this.propertiesFile, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  }

  get brokerId(): number {
    return this.options.brokerId;
  }

  get bootstrap(): string {
    return `${LOOPBACK}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get metricsPort(): number {
    return this.boundMetricsPort;
  }

  get metricsUrl(): string {
    return `http://${LOOPBACK}:${this.boundMetricsPort}`;
  }

  output(): string {
    return this.out;
  }

  async launch(): Promise<void> {
    const home = this.options.home ?? SAMSA_HOME;
    const bin = brokerBin(home);
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: build first (npx tsc -b)`);
    const marker = this.options.marker === undefined ? [] : [this.options.marker];
    const args = [...brokerNodeOptions(home), ...(this.options.nodeArgs ?? []), bin, this.propertiesFile, ...marker];
    const child = spawn(process.execPath, args, {
      cwd: this.dir,
      env: {
        ...process.env,
        LOG_DIR: this.dir,
        SAMSA_LOG_LEVEL: process.env.SAMSA_LOG_LEVEL ?? 'info',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.options.onSpawn?.(child, `samsa-broker ${this.brokerId}`);
    const take = (d: Buffer) => {
      this.out += d.toString();
      this.options.echo?.write(d);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // 'close' comes after the output pipes are drained: what a process that exited printed last.
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c));
    // On restart() the output still holds the previous run's "started": look only at this run's.
    const outputFrom = this.out.length;
    // waitFor retries a condition that throws, so an exit ends the wait as a result, not a throw.
    const outcome = await waitFor(
      () => (exitCode !== undefined ? 'exited' : this.out.includes(`[KafkaServer id=${this.brokerId}] started`, outputFrom) && 'started'),
      { timeoutMs: this.options.startTimeoutMs ?? 30_000, intervalMs: 50, what: `broker ${this.brokerId} to start` },
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${this.tail()}`);
    });
    if (outcome === 'exited') {
      await withTimeout(closed, 5_000, `broker ${this.brokerId}'s output to close`).catch(() => undefined);
      throw new BrokerExitedDuringStartupError(this.brokerId, exitCode ?? null, this.out.slice(outputFrom), this.tail());
    }
    const endpoint = /Metrics endpoint \(Jolokia, Prometheus\) listening on https?:\/\/[^\s:]*:(\d+)/.exec(this.out.slice(outputFrom));
    this.boundMetricsPort = endpoint ? Number(endpoint[1]) : -1;
  }

  private tail(lines = 30): string {
    return this.out.trim().split('\n').slice(-lines).join('\n');
  }

  async stop(timeoutMs = 20_000): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    try {
      // withTimeout clears its timer: a pending 20 s timer would keep jest from exiting.
      return await withTimeout(this.exited, timeoutMs, `broker ${this.brokerId} to stop`);
    } catch {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`broker ${this.brokerId} did not stop within ${timeoutMs} ms:\n${this.tail()}`);
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  waitForExit(timeoutMs: number): Promise<number | null> {
    return withTimeout(this.exited, timeoutMs, `broker ${this.brokerId} to exit`);
  }

  async remove(): Promise<void> {
    await this.kill();
    if (!this.options.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
