import { type Logger } from '@samsa/common';
import { ApiKey, type Struct } from '@samsa/protocol';
import { KafkaController, type ControllerNotification, type KafkaControllerOptions } from '@samsa/controller';
import { KafkaZkClient, type Broker } from '@samsa/zk';
import {
  FakeBrokerServer,
  type ReceivedRequest,
} from '../../../packages/controller/src/testing/FakeBrokerServer';
import {
  leaderAndIsrPartitionStates,
  stopReplicaPartitions,
  updateMetadataPartitionStates,
} from '../../../packages/controller/src/testing/receivedControlRequests';
import { close, connectZk, getData, type ZkClient, type ZooKeeperHandle } from '../../harness';

/**
 * A small cluster for controller tests: one real ZooKeeper (per suite), a fresh chroot per test,
 * fake brokers (TCP servers that decode what the controller sends and answer success, each
 * registered in /brokers/ids by its own ZooKeeper session) and KafkaController instances with
 * sessions of their own.
 */
export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** SAMSA_TEST_LOG=1 prints the controllers' logs. */
function testLogger(name: string): Logger {
  if (process.env.SAMSA_TEST_LOG !== '1') return quietLogger;
  const out = (level: string) => (m: string, e?: unknown) =>
    process.stderr.write(`${new Date().toISOString()} ${level} [${name}] ${m}${e ? `: ${String(e)}` : ''}\n`);
  return { debug: out('DEBUG'), info: out('INFO'), warn: out('WARN'), error: out('ERROR') };
}

let chroots = 0;

export interface FakeBroker {
  readonly id: number;
  readonly server: FakeBrokerServer;
  zk: KafkaZkClient | null;
  epoch: number;
}

export class ControllerTestCluster {
  readonly chroot: string;
  readonly brokers = new Map<number, FakeBroker>();
  readonly controllers: KafkaController[] = [];
  readonly controllerZk = new Map<KafkaController, KafkaZkClient>();
  readonly notifications = new Map<KafkaController, ControllerNotification[]>();
  private readonly zkClients: KafkaZkClient[] = [];
  admin!: KafkaZkClient;
  raw!: ZkClient;

  constructor(readonly zk: ZooKeeperHandle) {
    chroots += 1;
    this.chroot = `/samsa-controller-test-${process.pid}-${chroots}`;
  }

  get connectString(): string {
    return `${this.zk.connectString}${this.chroot}`;
  }

  async start(): Promise<this> {
    this.admin = await this.zkClient('admin', { createChroot: true });
    await this.admin.createTopLevelPaths();
    this.raw = await connectZk(this.zk.connectString);
    return this;
  }

  async zkClient(name: string, options: { createChroot?: boolean } = {}): Promise<KafkaZkClient> {
    const client = await KafkaZkClient.connect(this.connectString, {
      sessionTimeoutMs: 6000,
      connectionTimeoutMs: 10_000,
      spinDelayMs: 100,
      logger: quietLogger,
      name,
      ...options,
    });
    this.zkClients.push(client);
    return client;
  }

  /** Starts a fake broker and registers it, with its own session, as /brokers/ids/<id>. */
  async addBroker(id: number): Promise<FakeBroker> {
    const server = await FakeBrokerServer.start();
    const broker: FakeBroker = { id, server, zk: null, epoch: -1 };
    this.brokers.set(id, broker);
    await this.registerBroker(id);
    return broker;
  }

  /** (Re-)registers a broker under a new session: a new broker epoch. */
  async registerBroker(id: number): Promise<void> {
    const broker = this.brokers.get(id)!;
    broker.zk = await this.zkClient(`broker ${id}`);
    broker.epoch = await broker.zk.registerBroker(brokerInfo(id, broker.server.port));
  }

  /** The broker's session ends (as when its process dies): /brokers/ids/<id> disappears. */
  async killBrokerSession(id: number): Promise<void> {
    const broker = this.brokers.get(id)!;
    await broker.zk?.close();
    broker.zk = null;
  }

  async addController(
    brokerId: number,
    options: Partial<KafkaControllerOptions> = {},
  ): Promise<KafkaController> {
    const zk = await this.zkClient(`controller ${brokerId}`);
    const controller = new KafkaController(zk, {
      brokerId,
      controllerSocketTimeoutMs: 3000,
      reconnectBackoffMs: 20,
      reconnectBackoffMaxMs: 200,
      logger: testLogger(`controller ${brokerId}`),
      ...options,
    });
    const seen: ControllerNotification[] = [];
    controller.observe((n) => {
      if (n.type !== 'EventProcessed') seen.push(n);
    });
    this.notifications.set(controller, seen);
    this.controllers.push(controller);
    this.controllerZk.set(controller, zk);
    return controller;
  }

  active(): KafkaController[] {
    return this.controllers.filter((c) => c.isActive);
  }

  /** Text of a znode under the chroot, or null. */
  async read(path: string): Promise<string | null> {
    try {
      const { data } = await getData(this.raw, `${this.chroot}${path}`);
      return data === null ? '' : data.toString('utf8');
    } catch (error) {
      if ((error as { name?: string }).name === 'NO_NODE') return null;
      throw error;
    }
  }

  async partitionState(topic: string, partition: number): Promise<Struct | null> {
    const text = await this.read(`/brokers/topics/${topic}/partitions/${partition}/state`);
    return text === null ? null : (JSON.parse(text) as Struct);
  }

  /** Writes /brokers/topics/<topic> as kafka-topics --create does (no config znode unless given). */
  async createTopic(
    topic: string,
    assignment: Record<number, number[]>,
    config?: Record<string, string>,
  ): Promise<void> {
    if (config !== undefined) await this.admin.setOrCreateEntityConfigs('topics', topic, config);
    await this.admin.createTopicAssignment(
      topic,
      null,
      new Map(Object.entries(assignment).map(([p, r]) => [Number(p), r])),
    );
  }

  async stop(): Promise<void> {
    for (const c of this.controllers) await c.shutdown();
    for (const client of this.zkClients) await client.close();
    for (const b of this.brokers.values()) await b.server.close();
    if (this.raw !== undefined) await close(this.raw);
  }
}

export function brokerInfo(id: number, port: number): Broker {
  return {
    id,
    endPoints: [{ host: '127.0.0.1', port, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' }],
    rack: null,
    features: {},
  };
}

/** The LeaderAndIsr partition states a fake broker received, flattened, in arrival order. */
export function leaderAndIsrStates(broker: FakeBroker): Array<Struct & { controllerEpochOfRequest: number }> {
  return broker.server.requests(ApiKey.LeaderAndIsr).flatMap((r: ReceivedRequest) =>
    leaderAndIsrPartitionStates(r).map((s) => ({
      ...s,
      controllerEpochOfRequest: r.body.controllerEpoch,
    })),
  );
}

export function updateMetadataRequests(broker: FakeBroker): ReceivedRequest[] {
  return broker.server.requests(ApiKey.UpdateMetadata);
}

export function updateMetadataStates(broker: FakeBroker): Struct[] {
  return updateMetadataRequests(broker).flatMap((r) => updateMetadataPartitionStates(r));
}

export function stopReplicas(
  broker: FakeBroker,
): Array<{ topic: string; partition: number; deletePartition: boolean }> {
  return broker.server.requests(ApiKey.StopReplica).flatMap((r) => stopReplicaPartitions(r));
}
