import { startZooKeeper as startZooKeeperProcess, type ZooKeeperHandle, type ZooKeeperOptions } from '@samsa/cluster';
import { harnessProcessHooks } from './processes';

export type { ZooKeeperHandle, ZooKeeperOptions, ZooKeeperState } from '@samsa/cluster';

/**
 * A real ZooKeeper server for a test (@samsa/cluster's ZooKeeperProcess), carrying this run's
 * marker, tracked for leaks, its temporary directory inside the run directory.
 */
export function startZooKeeper(options: ZooKeeperOptions = {}): Promise<ZooKeeperHandle> {
  return startZooKeeperProcess({ ...harnessProcessHooks(), ...options });
}
