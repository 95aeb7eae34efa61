import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fourLetterWord } from './fourLetterWords';
import { freePort, LOOPBACK } from './ports';
import { tempRootOf, type ProcessHooks } from './ProcessHooks';
import { sleep, withTimeout } from './wait';

/**
 * A real ZooKeeper server (Debian's 3.8 jars) in a child JVM, standalone, on 127.0.0.1.
 *
 * Debian's zookeeper.jar names its dependencies in its manifest Class-Path, so the classpath is
 * that jar plus an slf4j binding (slf4j-simple writes to stderr, which goes to the log file).
 * We run the JVM ourselves rather than zkServer.sh so the pid we hold is the JVM's.
 */
const JAVA_LIB_DIR = process.env.SAMSA_ZOOKEEPER_JAR_DIR ?? '/usr/share/java';
const CLASSPATH = ['zookeeper.jar', 'slf4j-simple.jar'].map((jar) => path.join(JAVA_LIB_DIR, jar));
const MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
const START_ATTEMPTS = 3;

export interface ZooKeeperOptions extends ProcessHooks {
  /** Listen here instead of on a free port; no retry if it is taken. */
  port?: number;
  /** ZooKeeper's tick; sessions expire at tick granularity. */
  tickTimeMs?: number;
  /** Lowest session timeout the server grants; 4–6 s sessions need it below 4000. */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** Deadline for the server to answer `srvr` as serving. */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  maxHeapMb?: number;
  /** Names the process (in leak reports, via onSpawn). */
  label?: string;
  /**
   * A directory to keep (config, data and log), for `make run`: created if missing, reused if there,
   * never removed. Default: a temporary directory that stop() removes.
   */
  dir?: string;
}

export type ZooKeeperState = 'running' | 'paused' | 'stopped' | 'removed';

export interface ZooKeeperHandle {
  /** "127.0.0.1:PORT" */
  readonly connectString: string;
  readonly port: number;
  /** The temporary directory holding config, data and log; removed by stop(). */
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** The JVM's pid while it runs (or is paused); changes on restart(). */
  readonly pid: number | undefined;
  readonly state: ZooKeeperState;
  /** SIGTERM, SIGKILL after the grace period, wait for exit, remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit; keeps the data for restart(). */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets but answers nothing. */
  pause(): void;
  /** SIGCONT */
  resume(): void;
  /** Stops the server if it runs, then starts it again on the same port and data dir. */
  restart(): Promise<void>;
  /** The last lines of the server's log, for error messages. */
  logTail(lines?: number): string;
}

export async function startZooKeeper(options: ZooKeeperOptions = {}): Promise<ZooKeeperHandle> {
  const keep = options.dir !== undefined;
  if (keep) fs.mkdirSync(options.dir!, { recursive: true });
  const dir = keep ? options.dir! : fs.mkdtempSync(path.join(tempRootOf(options), 'samsa-zk-'));
  for (let attempt = 1; ; attempt++) {
    const server = new ZooKeeperServerProcess(dir, options.port ?? (await freePort()), options);
    try {
      await server.launch();
      return server;
    } catch (error) {
      // freePort() cannot reserve the port: another process may take it first. Try another.
      if (error instanceof PortInUseError && options.port === undefined && attempt < START_ATTEMPTS) continue;
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
}

class PortInUseError extends Error {}

class ZooKeeperServerProcess implements ZooKeeperHandle {
  readonly connectString: string;
  readonly dataDir: string;
  readonly logFile: string;
  private readonly configFile: string;
  private readonly settings: Required<Omit<ZooKeeperOptions, 'port' | 'dir' | keyof ProcessHooks>>;
  private readonly hooks: ProcessHooks;
  private readonly keepDir: boolean;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private current: ZooKeeperState = 'stopped';

  constructor(
    readonly dir: string,
    readonly port: number,
    options: ZooKeeperOptions,
  ) {
    const tickTimeMs = options.tickTimeMs ?? 500;
    this.keepDir = options.dir !== undefined;
    this.hooks = options;
    this.settings = {
      tickTimeMs,
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 2 * tickTimeMs,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 60_000,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      stopGraceMs: options.stopGraceMs ?? 5_000,
      maxHeapMb: options.maxHeapMb ?? 256,
      label: options.label ?? 'zookeeper',
    };
    this.connectString = `${LOOPBACK}:${port}`;
    this.dataDir = path.join(dir, 'data');
    this.logFile = path.join(dir, 'zookeeper.log');
    this.configFile = path.join(dir, 'zoo.cfg');
  }

  get pid(): number | undefined {
    return this.current === 'running' || this.current === 'paused' ? this.child?.pid : undefined;
  }

  get state(): ZooKeeperState {
    return this.current;
  }

  /** Starts the JVM and resolves once it serves; on failure it is dead and the error has its log. */
  async launch(): Promise<void> {
    if (this.current !== 'stopped') throw new Error(`cannot start ZooKeeper in state ${this.current}`);
    for (const jar of CLASSPATH) {
      if (!fs.existsSync(jar))
        throw new Error(`ZooKeeper jar ${jar} is missing (apt-get install zookeeper?)`);
    }
    fs.mkdirSync(this.dataDir, { recursive: true });
    fs.writeFileSync(this.configFile, this.config());
    fs.appendFileSync(
      this.logFile,
      `--- starting ZooKeeper on ${this.connectString} at ${new Date().toISOString()}\n`,
    );
    const logOffset = fs.statSync(this.logFile).size;

    const log = fs.openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(javaBinary(), this.jvmArgs(), { stdio: ['ignore', log, log] });
    } finally {
      fs.closeSync(log); // the child has its own copy of the descriptor
    }
    let spawnError: Error | undefined;
    child.once('error', (error) => (spawnError = error));
    if (child.pid === undefined) {
      await sleep(0); // let the 'error' event arrive
      throw new Error(`could not run ${javaBinary()}: ${spawnError?.message ?? 'no pid'}`);
    }
    this.hooks.onSpawn?.(child, `${this.settings.label} ${this.connectString}`);
    this.child = child;
    this.current = 'running';
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.child === child && this.current !== 'removed') this.current = 'stopped';
        resolve();
      }),
    );

    try {
      await this.awaitServing(child);
    } catch (error) {
      await this.killChild();
      const message = `ZooKeeper on ${this.connectString} did not start: ${(error as Error).message}\n--- tail of ${this.logFile}\n${this.logTail()}`;
      const thisAttemptsLog = fs.readFileSync(this.logFile).subarray(logOffset).toString('utf8');
      throw thisAttemptsLog.includes('Address already in use')
        ? new PortInUseError(message)
        : new Error(message);
    }
  }

  async stop(): Promise<void> {
    if (this.current === 'removed') return;
    await this.terminate();
    if (!this.keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.current = 'removed';
  }

  async kill(): Promise<void> {
    this.assertNotRemoved('kill');
    await this.killChild();
  }

  pause(): void {
    if (this.current !== 'running') throw new Error(`cannot pause ZooKeeper in state ${this.current}`);
    this.child!.kill('SIGSTOP');
    this.current = 'paused';
  }

  resume(): void {
    if (this.current !== 'paused') throw new Error(`cannot resume ZooKeeper in state ${this.current}`);
    this.child!.kill('SIGCONT');
    this.current = 'running';
  }

  async restart(): Promise<void> {
    this.assertNotRemoved('restart');
    await this.terminate();
    await this.launch();
  }

  logTail(lines = 40): string {
    try {
      return fs
        .readFileSync(this.logFile, 'utf8')
        .split('\n')
        .slice(-lines - 1)
        .join('\n');
    } catch {
      return '(no log)';
    }
  }

  private config(): string {
    const s = this.settings;
    return [
      `tickTime=${s.tickTimeMs}`,
      `minSessionTimeout=${s.minSessionTimeoutMs}`,
      `maxSessionTimeout=${s.maxSessionTimeoutMs}`,
      `dataDir=${this.dataDir}`,
      `clientPort=${this.port}`,
      `clientPortAddress=${LOOPBACK}`,
      'maxClientCnxns=0',
      'admin.enableServer=false',
      '4lw.commands.whitelist=*',
      // Tests do not survive power loss; skipping fsync keeps writes fast. Data still survives kill().
      'forceSync=no',
      '',
    ].join('\n');
  }

  private jvmArgs(): string[] {
    return [
      `-Xmx${this.settings.maxHeapMb}m`,
      '-Xms32m',
      // Start fast: serial GC, C1 only, no hsperfdata files in /tmp.
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-XX:-UsePerfData',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.net.preferIPv4Stack=true',
      ...(this.hooks.marker === undefined ? [] : [`-D${this.hooks.marker}`]),
      '-Dzookeeper.jmx.log4j.disable=true',
      '-Dorg.slf4j.simpleLogger.showDateTime=true',
      '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
      '-cp',
      CLASSPATH.join(':'),
      MAIN_CLASS,
      this.configFile,
    ];
  }

  /**
   * Polls `conf` until it answers with our dataDir. While it loads its data ZooKeeper answers "not
   * currently serving requests"; and checking the dataDir makes sure the answer comes from our JVM,
   * not from another server that took the port first (ours then dies of "Address already in use").
   */
  private async awaitServing(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + this.settings.startTimeoutMs;
    let last = '';
    for (;;) {
      if (!isRunning(child)) {
        throw new Error(`the JVM exited (code ${child.exitCode}, signal ${child.signalCode})`);
      }
      try {
        const answer = await fourLetterWord(this.port, 'conf', { timeoutMs: 1000 });
        if (answer.includes(`dataDir=${this.dataDir}/`)) return;
        last = answer.trim().split('\n')[0];
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `not serving after ${this.settings.startTimeoutMs} ms (last answer to conf: ${last})`,
        );
      }
      await sleep(50);
    }
  }

  /** Graceful stop of the JVM if it runs; the directory stays. */
  private async terminate(): Promise<void> {
    const child = this.child;
    if (child === undefined || !isRunning(child)) return;
    if (this.current === 'paused') child.kill('SIGCONT'); // a stopped process would not act on SIGTERM
    child.kill('SIGTERM');
    try {
      await withTimeout(
        this.exited,
        this.settings.stopGraceMs,
        `ZooKeeper ${this.connectString} to exit on SIGTERM`,
      );
    } catch {
      await this.killChild();
    }
  }

  private async killChild(): Promise<void> {
    const child = this.child;
    if (child !== undefined && isRunning(child)) child.kill('SIGKILL');
    await this.exited;
  }

  private assertNotRemoved(operation: string): void {
    if (this.current === 'removed')
      throw new Error(`cannot ${operation} ZooKeeper ${this.connectString}: stopped and removed`);
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function javaBinary(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}
