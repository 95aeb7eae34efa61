#!/usr/bin/env node
/**
 * `samsa-cluster [--home DIR] [--data-dir DIR] [--brokers N]` — `make run`: ZooKeeper and three
 * brokers on 127.0.0.1 with data kept in .samsa/, then the dashboard (LocalCluster says how). Prints
 * the bootstrap servers, the ZooKeeper connect string, the metrics endpoints and the dashboard URL
 * once the cluster answers. Ctrl-C or SIGTERM (make stop, via run.pid) stops the dashboard, the
 * brokers cleanly, then ZooKeeper.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseClusterArgs, USAGE, type ClusterArgs } from '../args';
import { LocalCluster } from '../LocalCluster';
import { SAMSA_HOME } from '../ProcessHooks';

async function main(args: ClusterArgs): Promise<void> {
  const pidFile = path.join(args.dataDir, 'run.pid');
  fs.mkdirSync(args.dataDir, { recursive: true });
  fs.writeFileSync(pidFile, String(process.pid));
  const cluster = new LocalCluster({
    home: args.home,
    dataDir: args.dataDir,
    brokers: args.brokers,
    saslSsl: args.saslSsl,
  });

  let starting: Promise<void> = Promise.resolve();
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping the dashboard, the brokers (clean shutdown), then ZooKeeper`);
    await cluster.stop();
    await starting.catch(() => undefined); // a start under way stops what it launched meanwhile
    fs.rmSync(pidFile, { force: true });
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // If the launcher dies without stop() (a bug, an uncaught error), its processes die with it.
  process.on('exit', () => cluster.killAll());
  process.on('uncaughtException', (e) => {
    console.error(`samsa-cluster failed: ${e.stack ?? e.message}`);
    cluster.killAll();
    fs.rmSync(pidFile, { force: true });
    process.exit(1);
  });

  starting = cluster.start();
  try {
    await starting;
  } catch (e) {
    if (stopping) return;
    console.error(`startup failed: ${(e as Error).message}`);
    await stop('startup failure');
    return;
  }
  if (stopping) return;
  const zkConnect = cluster.zk!.connectString;
  console.log('');
  console.log(`Samsa is running: ${cluster.brokers.length} brokers, ZooKeeper at ${zkConnect}`);
  console.log(`  bootstrap servers: ${cluster.bootstrap}`);
  console.log(`  zookeeper connect: ${zkConnect}`);
  for (const b of cluster.brokers) {
    console.log(`  broker ${b.brokerId} metrics:  ${b.metricsUrl}/metrics  ${b.metricsUrl}/jolokia/  ${b.metricsUrl}/samsa/status`);
  }
  const secure = cluster.secure;
  if (secure !== undefined) {
    const shown = (p: string): string => path.relative(process.cwd(), p) || p;
    console.log(`  SASL_SSL:          ${secure.bootstrap}`);
    console.log(`    CA certificate:  ${shown(secure.caFile)}`);
    console.log(`    admin user:      ${secure.adminUser}, password in ${shown(path.join(secure.dir, 'admin.password'))} (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN)`);
    console.log(`    client config:   ${shown(secure.clientConfigs.java)} (Kafka tools), ${shown(secure.clientConfigs.librdkafka)} (kcat -F)`);
  }
  console.log(`  dashboard:         ${cluster.dashboardStatus}`);
  const rf = Math.min(3, cluster.brokers.length);
  console.log(`  try: bin/kafka-topics.sh --zookeeper ${zkConnect} --create --topic demo --partitions 3 --replication-factor ${rf}`);
  console.log(`       kcat -b ${cluster.brokers[0].bootstrap} -L`);
  if (secure !== undefined) console.log(`       kcat -F ${path.relative(process.cwd(), secure.clientConfigs.librdkafka)} -L`);
  console.log('Ctrl-C stops everything.');
}

let args: ClusterArgs;
try {
  args = parseClusterArgs(process.argv.slice(2), SAMSA_HOME);
} catch (e) {
  console.error(`samsa-cluster: ${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
} else {
  void main(args);
}
