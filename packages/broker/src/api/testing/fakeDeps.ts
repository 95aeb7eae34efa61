import { ANONYMOUS } from '@samsa/security';
import { NULL_UUID, type Struct } from '@samsa/protocol';
import { LogConfig, type LogManager } from '@samsa/storage';
import type { KafkaZkClient } from '@samsa/zk';
import { KafkaConfig } from '../../config/KafkaConfig';
import type { GroupCoordinator, TransactionCoordinator } from '@samsa/coordinator';
import { MetadataCache } from '../../metadata/MetadataCache';
import type { ReplicaManager } from '../../replica/ReplicaManager';
import type { BrokerDeps } from '../deps';
import { TopicPurgatory } from '../topicPurgatory';
import type { RequestContext } from '../types';

/**
 * BrokerDeps for handler unit tests: a real MetadataCache and KafkaConfig, everything else a stub
 * that fails loudly when touched (a test that reaches ZooKeeper by mistake says so). Test support only.
 */
export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

function untouchable<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      throw new Error(`test touched ${what}.${String(prop)}`);
    },
  });
}

export function fakeDeps(
  overrides: Partial<BrokerDeps> = {},
  props: Record<string, string | number | boolean> = {},
): BrokerDeps {
  return {
    brokerId: 0,
    clusterId: 'test-cluster',
    config: KafkaConfig.fromProps({ 'zookeeper.connect': '127.0.0.1:2181', 'broker.id': 0, ...props }),
    metadataCache: new MetadataCache(0),
    replicaManager: untouchable<ReplicaManager>('replicaManager'),
    zkClient: untouchable<KafkaZkClient>('zkClient'),
    logger: quietLogger,
    autoCreateTopic: () => Promise.reject(new Error('test touched autoCreateTopic')),
    isController: () => true,
    logManager: { currentDefaultConfig: LogConfig.DEFAULT } as LogManager,
    topicPurgatory: new TopicPurgatory(),
    groupCoordinator: untouchable<GroupCoordinator>('groupCoordinator'),
    transactionCoordinator: untouchable<TransactionCoordinator>('transactionCoordinator'),
    ...overrides,
  };
}

export function ctx(apiKey: number, apiVersion: number): RequestContext {
  return {
    header: { apiKey, apiVersion, correlationId: 1, clientId: 'test' },
    clientAddress: '127.0.0.1:1',
    connectionId: 'c1',
    listenerName: 'PLAINTEXT',
    securityProtocol: 'PLAINTEXT',
    principal: ANONYMOUS,
    clientHost: '127.0.0.1',
    receivedAtMs: 0,
  };
}

/** An UpdateMetadata body (v5+ layout, as decoded): brokers on PLAINTEXT, and topic → partition leaders. */
export function updateMetadataBody(
  brokerIds: readonly number[],
  topics: Readonly<Record<string, readonly number[]>>,
  controllerId = 0,
): Struct {
  return {
    controllerId,
    controllerEpoch: 1,
    brokerEpoch: 1,
    ungroupedPartitionStates: [],
    liveBrokers: brokerIds.map((id) => ({
      id,
      v0Host: '',
      v0Port: -1,
      endpoints: [{ port: 9092 + id, host: `h${id}`, listener: 'PLAINTEXT', securityProtocol: 0 }],
      rack: null,
    })),
    topicStates: Object.entries(topics).map(([topicName, leaders]) => ({
      topicName,
      topicId: NULL_UUID,
      partitionStates: leaders.map((leader, partitionIndex) => ({
        topicName,
        partitionIndex,
        controllerEpoch: 1,
        leader,
        leaderEpoch: 0,
        isr: leader >= 0 ? [leader] : [],
        zkVersion: 0,
        replicas: [Math.max(leader, 0)],
        offlineReplicas: [],
      })),
    })),
  };
}
