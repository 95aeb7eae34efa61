import { KafkaZkClient, type Broker, type KafkaZkClientOptions } from '@samsa/zk';
import {
  close,
  connectZk,
  getData,
  liveTrackedProcesses,
  startZooKeeper,
  type ZkClient,
  type ZooKeeperHandle,
} from '../../harness';

/**
 * Helpers for the zk integration suites: one ZooKeeper per file, and a fresh chroot per test so
 * tests that all use Kafka's fixed paths (/controller, /brokers/ids/1) cannot see each other.
 */
export class Cleanups {
  private readonly steps: Array<() => Promise<unknown>> = [];

  add<T>(step: () => Promise<unknown>, value: T): T {
    this.steps.push(step);
    return value;
  }

  async run(): Promise<void> {
    while (this.steps.length > 0) await this.steps.pop()!();
  }
}

/**
 * The per-file set-up of these suites: one ZooKeeper started before the file's tests (handed to
 * `onStarted`) and stopped after them with no process left behind, and cleanups run after each test.
 */
export function zooKeeperSuite(label: string, onStarted: (zk: ZooKeeperHandle) => void): Cleanups {
  const cleanups = new Cleanups();
  let zk: ZooKeeperHandle | undefined;
  beforeAll(async () => {
    zk = await startZooKeeper({ label });
    onStarted(zk);
  });
  afterEach(() => cleanups.run());
  afterAll(async () => {
    await zk?.stop();
    expect(liveTrackedProcesses()).toEqual([]);
  });
  return cleanups;
}

let chroots = 0;

export function freshChroot(): string {
  chroots += 1;
  return `/samsa-test-${process.pid}-${chroots}`;
}

export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A KafkaZkClient on `chroot` of `zk` (created if missing), closed by `cleanups`. */
export async function kafkaZk(
  zk: ZooKeeperHandle,
  cleanups: Cleanups,
  chroot: string,
  options: KafkaZkClientOptions = {},
): Promise<KafkaZkClient> {
  const client = await KafkaZkClient.connect(`${zk.connectString}${chroot}`, {
    sessionTimeoutMs: 6000,
    connectionTimeoutMs: 10_000,
    spinDelayMs: 100,
    createChroot: true,
    logger: quietLogger,
    ...options,
  });
  return cleanups.add(() => client.close(), client);
}

/** A harness client on the server's root, to look at what our client wrote without our code. */
export async function rootClient(zk: ZooKeeperHandle, cleanups: Cleanups): Promise<ZkClient> {
  const client = await connectZk(zk.connectString);
  return cleanups.add(() => close(client), client);
}

export async function text(client: ZkClient, path: string): Promise<string> {
  const { data } = await getData(client, path);
  return data === null ? '' : data.toString('utf8');
}

export function plaintextBroker(id: number, port = 9092 + id, rack: string | null = null): Broker {
  return {
    id,
    endPoints: [{ host: '127.0.0.1', port, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' }],
    rack,
    features: {},
  };
}
