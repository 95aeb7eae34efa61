/**
 * @samsa/cluster — a local Samsa cluster as real processes on 127.0.0.1: ZooKeeper (Debian's jars in
 * a JVM), brokers (the built samsa-broker) and the dashboard. `samsa-cluster` (make run) starts one;
 * the test harness starts the same processes through the same code, adding its leak tracking.
 */
export * from './args';
export * from './BrokerProcess';
export * from './DashboardProcess';
export * from './fourLetterWords';
export * from './LocalCluster';
export * from './ports';
export * from './ProcessHooks';
export * from './wait';
export * from './ZooKeeperProcess';
