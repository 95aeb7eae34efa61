import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  close,
  connectZk,
  exists,
  harnessTempRoot,
  startZooKeeper,
  waitFor,
  type ZkClient,
  type ZooKeeperHandle,
} from '../../harness';
import { startBroker, type BrokerHandle } from '../../harness/broker';

/**
 * Issue 13 row 9: a broker whose code throws where nothing catches it (an uncaught exception, an
 * unhandled rejection) logs the error and exits 1 instead of serving on in an unknown state; its
 * ZooKeeper registration then goes, so the controller moves leadership away.
 *
 * The fault comes from outside the broker's code: the test gives the real broker process a node
 * `--require` preload (written here, into the run's temporary directory) that throws, or rejects a
 * promise, when the process receives SIGUSR2. The broker itself has no fault switch, so nothing
 * in a production configuration or environment can turn this on.
 */
jest.setTimeout(60_000);

const SESSION_TIMEOUT_MS = 6000; // the harness's zookeeper.session.timeout.ms
const FAULT = 'samsa test fault';

let zkServer: ZooKeeperHandle;
let zk: ZkClient;
let preloadDir: string;
let broker: BrokerHandle | undefined;

beforeAll(async () => {
  zkServer = await startZooKeeper();
  zk = await connectZk(zkServer.connectString);
  preloadDir = mkdtempSync(join(harnessTempRoot(), 'uncaught-preload-'));
});

afterEach(async () => {
  await broker?.remove();
  broker = undefined;
});

afterAll(async () => {
  if (zk) await close(zk);
  await zkServer?.stop();
});

/** A preload that runs `body` in a SIGUSR2 listener of the broker process. */
function preload(name: string, body: string): string {
  const file = join(preloadDir, `${name}.cjs`);
  writeFileSync(file, `process.on('SIGUSR2', () => { ${body} });\n`);
  return file;
}

async function brokerWithFault(brokerId: number, preloadFile: string): Promise<BrokerHandle> {
  broker = await startBroker({
    zkConnect: zkServer.connectString,
    brokerId,
    nodeArgs: ['--require', preloadFile],
  });
  expect(await exists(zk, `/brokers/ids/${brokerId}`)).not.toBeNull();
  return broker;
}

describe('a broker exits non-zero on an error nothing catches', () => {
  it('uncaughtExceptionIsLoggedAndTheBrokerExits1AndLeavesTheCluster', async () => {
    const b = await brokerWithFault(1, preload('throw', `throw new Error('${FAULT}: uncaught exception');`));
    process.kill(b.pid!, 'SIGUSR2');
    expect(await b.waitForExit(15_000)).toBe(1);
    const line = `[KafkaServer id=1] Uncaught exception: the broker's state is unknown, exiting with 1`;
    expect(b.output()).toContain(line);
    expect(b.output()).toContain(`Error: ${FAULT}: uncaught exception`);
    // the line reached server.log before the exit (the logs are flushed first)
    expect(readFileSync(join(b.dir, 'server.log'), 'utf8')).toContain(line);
    // the session ends, so the controller sees the broker gone and moves leadership
    await waitFor(async () => (await exists(zk, '/brokers/ids/1')) === null, {
      timeoutMs: SESSION_TIMEOUT_MS + 10_000,
      what: '/brokers/ids/1 to go',
    });
  });

  it('unhandledRejectionIsLoggedAndTheBrokerExits1', async () => {
    const b = await brokerWithFault(
      2,
      preload('reject', `Promise.reject(new Error('${FAULT}: unhandled rejection'));`),
    );
    process.kill(b.pid!, 'SIGUSR2');
    expect(await b.waitForExit(15_000)).toBe(1);
    const line = `[KafkaServer id=2] Unhandled promise rejection: the broker's state is unknown, exiting with 1`;
    expect(b.output()).toContain(line);
    expect(b.output()).toContain(`Error: ${FAULT}: unhandled rejection`);
    expect(readFileSync(join(b.dir, 'server.log'), 'utf8')).toContain(line);
  });
});
