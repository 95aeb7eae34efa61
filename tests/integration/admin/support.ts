import { spawn } from 'child_process';
import * as path from 'path';
import { runTopicCommand } from '@samsa/admin';
import { KafkaZkClient, type Broker } from '@samsa/zk';
import {
  close,
  connectZk,
  create,
  exists,
  getData,
  trackProcess,
  withTimeout,
  type ZkClient,
  type ZooKeeperHandle,
} from '../../harness';

/**
 * Helpers for the admin suites: a fresh chroot per test (Kafka's paths are fixed), brokers that
 * register like real ones (ephemeral /brokers/ids/N, written by @samsa/zk as a broker does), raw
 * reads and writes through the harness client, and kafka-topics run in-process or as a child.
 */
export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

let chroots = 0;

export class Cleanups {
  private readonly steps: Array<() => Promise<unknown>> = [];

  add<T>(value: T, step: (value: T) => Promise<unknown>): T {
    this.steps.push(() => step(value));
    return value;
  }

  async run(): Promise<void> {
    while (this.steps.length > 0) await this.steps.pop()!();
  }
}

/** A cluster's view of one chroot: the root client sees raw znodes, `brokers` hold registrations. */
export class Chroot {
  private constructor(
    readonly zk: ZooKeeperHandle,
    readonly chroot: string,
    readonly root: ZkClient,
    private readonly cleanups: Cleanups,
  ) {}

  static async create(zk: ZooKeeperHandle, cleanups: Cleanups): Promise<Chroot> {
    chroots += 1;
    const chroot = `/samsa-admin-${process.pid}-${chroots}`;
    const root = cleanups.add(await connectZk(zk.connectString), (c) => close(c));
    await create(root, chroot);
    return new Chroot(zk, chroot, root, cleanups);
  }

  get connectString(): string {
    return `${this.zk.connectString}${this.chroot}`;
  }

  /** Registers live brokers as Kafka brokers do (top-level paths, then ephemeral ids). */
  async registerBrokers(...brokers: Array<{ id: number; rack?: string }>): Promise<KafkaZkClient> {
    const client = await KafkaZkClient.connect(this.connectString, {
      sessionTimeoutMs: 6000,
      logger: quietLogger,
    });
    this.cleanups.add(client, (c) => c.close());
    await client.createTopLevelPaths();
    for (const b of brokers) await client.registerBroker(broker(b.id, b.rack ?? null));
    return client;
  }

  /** The znode's data as text, or null when it does not exist. */
  async read(p: string): Promise<string | null> {
    const full = this.chroot + p;
    if ((await exists(this.root, full)) === null) return null;
    const { data } = await getData(this.root, full);
    return data === null ? '' : data.toString('utf8');
  }

  /** Creates a znode and any missing parents (as the controller creates partition states). */
  async write(p: string, data: string | null = null): Promise<void> {
    const parts = p.split('/').filter((s) => s !== '');
    let at = this.chroot;
    for (let i = 0; i < parts.length; i++) {
      at += `/${parts[i]}`;
      const last = i === parts.length - 1;
      if ((await exists(this.root, at)) === null) await create(this.root, at, last ? data : null);
    }
  }

  /** A partition state znode in the controller's format (Kafka 2.1 capture). */
  writeState(
    topic: string,
    partition: number,
    leader: number,
    isr: number[],
    controllerEpoch = 1,
  ): Promise<void> {
    return this.write(
      `/brokers/topics/${topic}/partitions/${partition}/state`,
      JSON.stringify({ controller_epoch: controllerEpoch, leader, version: 1, leader_epoch: 0, isr }),
    );
  }
}

function broker(id: number, rack: string | null): Broker {
  return {
    id,
    endPoints: [
      { host: '127.0.0.1', port: 9092 + id, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' },
    ],
    rack,
    features: {},
  };
}

export interface CommandResult {
  code: number | null;
  out: string[];
  err: string[];
}

/** kafka-topics in this process (the CLI's own function), with a short deadline. */
export async function topics(args: string[], timeoutMs = 10_000): Promise<CommandResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTopicCommand(
    args,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { timeoutMs },
  );
  return { code, out, err };
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * A CLI as its own process: `node --import tsx` on the TypeScript entry, @samsa/* resolved to the
 * sources through tsconfig.test.json's paths (no build needed). Resolves when it exits, with how
 * long it ran.
 */
export async function runCli(
  tool: 'kafka-topics' | 'kafka-dump-log',
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CommandResult & { elapsedMs: number }> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'packages', 'admin', 'src', 'cli', `${tool}.ts`), ...args],
    { cwd: ROOT, env: { ...process.env, TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.test.json'), ...env } },
  );
  trackProcess(child, `${tool} ${args.join(' ')}`);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await withTimeout(
    new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c))),
    60_000,
    `${tool} to exit`,
  );
  const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));
  return { code, out: lines(stdout), err: lines(stderr), elapsedMs: Date.now() - started };
}
