import * as path from 'path';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { REPO_ROOT, run, type RunResult } from '../interop/support';

/**
 * bin/zookeeper-shell.sh (ZooKeeper's zkCli under Kafka's name and arguments) and
 * bin/kafka-server-stop.sh on one real two-broker cluster: the shell lists the brokers' ids and
 * reads the controller znode; kafka-server-stop stops a broker cleanly (exit 0 of the broker,
 * controlled shutdown), leaves the other serving, and says "No kafka server to stop" (exit 1)
 * when none is left to stop. SAMSA_SERVER_STOP_MATCH keeps it to this test's brokers: other
 * brokers may run on the machine.
 */
jest.setTimeout(120_000);

let cluster: ClusterHandle;

const bin = (name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  run(path.join(REPO_ROOT, 'bin', name), args, { timeoutMs: 60_000, env });

const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, chroot: '/stop-test' });
});

afterAll(async () => {
  await cluster?.stop();
});

test('zookeeperShellRunsOneCommandOnTheChrootAndExits', async () => {
  const ids = await bin('zookeeper-shell.sh', [cluster.zkConnect, 'ls', '/brokers/ids']);
  expect(ids.code).toBe(0);
  expect(lines(ids.stdout)).toContain('[0, 1]');
  const controller = await bin('zookeeper-shell.sh', [cluster.zkConnect, 'get', '/controller']);
  expect(lines(controller.stdout).some((l) => /^\{"version":1,"brokerid":[01],"timestamp":"\d+"\}$/.test(l))).toBe(true);
  const usage = await bin('zookeeper-shell.sh', []);
  expect({ code: usage.code, err: lines(usage.stderr).length }).toEqual({ code: 1, err: 1 });
  expect(usage.stderr).toMatch(/^USAGE: .*zookeeper-shell\.sh zookeeper_host:port\[\/path\] \[-zk-tls-config-file file\] \[args\.\.\.\]\n$/);
});

test('kafkaServerStopStopsTheMatchedBrokerCleanlyAndSaysWhenNoneIsLeft', async () => {
  const broker = cluster.broker(1);
  const match = { SAMSA_SERVER_STOP_MATCH: path.join(broker.dir, 'server.properties') };
  const stopped = await bin('kafka-server-stop.sh', [], match);
  expect({ code: stopped.code, out: stopped.stdout, err: stopped.stderr }).toEqual({ code: 0, out: '', err: '' });
  expect(await broker.waitForExit(60_000)).toBe(0);
  expect(broker.output()).toMatch(/shut down completed|shutting down|Shutdown complete/i);

  const none = await bin('kafka-server-stop.sh', [], match);
  expect({ code: none.code, out: lines(none.stdout) }).toEqual({ code: 1, out: ['No kafka server to stop'] });
  // the other broker still serves
  const ids = await bin('zookeeper-shell.sh', [cluster.zkConnect, 'ls', '/brokers/ids']);
  expect(lines(ids.stdout)).toContain('[0]');
});
