import {
  BrokerExitedDuringStartupError,
  startBroker as startBrokerProcess,
  type BrokerHandle,
  type BrokerOptions,
} from '@samsa/cluster';
import { harnessProcessHooks } from './processes';
import { startZooKeeper, type ZooKeeperHandle, type ZooKeeperOptions } from './zookeeper';

export { BrokerExitedDuringStartupError, brokerNodeOptions, type BrokerHandle, type BrokerOptions } from '@samsa/cluster';

/**
 * A real broker process for a test (@samsa/cluster's BrokerProcess: start, SIGTERM, kill -9,
 * SIGSTOP/SIGCONT, restart), carrying this run's marker, tracked for leaks, its temporary
 * directory inside the run directory. `make test` builds the packages first.
 */
export function startBroker(options: BrokerOptions): Promise<BrokerHandle> {
  return startBrokerProcess({ ...harnessProcessHooks(), ...options });
}

/**
 * Starts a broker that must refuse to start, and returns how it exited (exit code and output).
 * Fails if it started after all (and stops it).
 */
export async function expectBrokerStartupFailure(options: BrokerOptions): Promise<BrokerExitedDuringStartupError> {
  let started: BrokerHandle;
  try {
    started = await startBroker(options);
  } catch (e) {
    if (e instanceof BrokerExitedDuringStartupError) return e;
    throw e;
  }
  await started.remove();
  throw new Error(`broker ${options.brokerId} started, but it should have refused to`);
}

export interface ClusterHandle {
  readonly zk: ZooKeeperHandle;
  readonly brokers: BrokerHandle[];
  /** ZooKeeper connect string including the chroot the brokers use. */
  readonly zkConnect: string;
  /** "h:p,h:p,h:p" */
  readonly bootstrap: string;
  broker(id: number): BrokerHandle;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly brokers?: number;
  /** Extra node options for every broker. */
  readonly nodeArgs?: readonly string[];
  /** First broker id (default 0, as in the Kafka captures). */
  readonly firstBrokerId?: number;
  readonly chroot?: string;
  readonly overrides?: Readonly<Record<string, string | number | boolean>>;
  /** Settings of one broker over `overrides` (e.g. its broker.rack). */
  readonly brokerOverrides?: (brokerId: number) => Readonly<Record<string, string | number | boolean>>;
  readonly zookeeper?: ZooKeeperOptions;
  /** Extra environment variables of every broker process. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Brokers started in parallel, one per options object (or promise of one). When any fails to
 * start, the others that did are removed and the first failure is thrown: nothing is left running.
 */
export async function startBrokers(
  options: readonly (BrokerOptions | Promise<BrokerOptions>)[],
): Promise<BrokerHandle[]> {
  const started = await Promise.allSettled(options.map(async (o) => startBroker(await o)));
  const brokers: BrokerHandle[] = [];
  for (const s of started) if (s.status === 'fulfilled') brokers.push(s.value);
  const failed = started.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) {
    await Promise.all(brokers.map((b) => b.remove()));
    throw failed.reason;
  }
  return brokers;
}

/** ZooKeeper plus N brokers started in parallel. Stop everything with `stop()`. */
export async function startCluster(options: ClusterOptions = {}): Promise<ClusterHandle> {
  const zk = await startZooKeeper(options.zookeeper);
  const zkConnect = `${zk.connectString}${options.chroot ?? ''}`;
  const first = options.firstBrokerId ?? 0;
  let brokers: BrokerHandle[];
  try {
    brokers = await startBrokers(
      Array.from({ length: options.brokers ?? 3 }, (_, i) => ({
        zkConnect,
        brokerId: first + i,
        overrides: { ...options.overrides, ...options.brokerOverrides?.(first + i) },
        nodeArgs: options.nodeArgs,
        env: options.env,
      })),
    );
  } catch (e) {
    await zk.stop();
    throw e;
  }
  return {
    zk,
    brokers,
    zkConnect,
    bootstrap: brokers.map((b) => b.bootstrap).join(','),
    broker: (id) => {
      const b = brokers.find((x) => x.brokerId === id);
      if (!b) throw new Error(`no broker ${id}`);
      return b;
    },
    async stop() {
      await Promise.all(brokers.map((b) => b.stop().catch(() => b.kill())));
      // Temporary log dirs go with the cluster (benchmarks write gigabytes into them).
      await Promise.all(brokers.map((b) => b.remove()));
      await zk.stop();
    },
  };
}
