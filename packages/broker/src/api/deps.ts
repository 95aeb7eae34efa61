import type { Log4jController } from '../log/Log4jController';
import { type Logger } from '@samsa/common';
import type { LogManager } from '@samsa/storage';
import type { Authorizer } from '@samsa/security';
import type { KafkaZkClient } from '@samsa/zk';
import type { KafkaConfig } from '../config/KafkaConfig';
import type { GroupCoordinator, TransactionCoordinator } from '@samsa/coordinator';
import type { MetadataCache } from '../metadata/MetadataCache';
import type { BrokerTopicStats } from '../metrics/BrokerTopicStats';
import type { FetchBufferPool } from '../replica/FetchBufferPool';
import type { ReplicaManager } from '../replica/ReplicaManager';
import type { TopicPurgatory } from './topicPurgatory';

/** What API handlers may use: the broker's components, never each other. */
export interface BrokerDeps {
  readonly brokerId: number;
  readonly clusterId: string;
  readonly config: KafkaConfig;
  readonly metadataCache: MetadataCache;
  readonly replicaManager: ReplicaManager;
  readonly zkClient: KafkaZkClient;
  readonly logger: Logger;
  /**
   * Creates topics the way kafka-topics and CreateTopics do (assignment, then /config/topics and
   * /brokers/topics). Used for auto-creation on Metadata, and for __consumer_offsets on the first
   * FindCoordinator (with the offsets.topic.* settings, as Kafka's AutoTopicCreationManager).
   */
  readonly autoCreateTopic: (topic: string) => Promise<number>;
  /**
   * True while this broker's embedded controller is the active one. CreateTopics, DeleteTopics and
   * CreatePartitions answer NOT_CONTROLLER otherwise (clients find the controller in Metadata).
   */
  readonly isController: () => boolean;
  /** The logs, for the topic config defaults DescribeConfigs reports. */
  readonly logManager: LogManager;
  /** Where admin requests wait for the MetadataCache to show their topics created or deleted. */
  readonly topicPurgatory: TopicPurgatory;
  /** Consumer groups and committed offsets. */
  readonly groupCoordinator: GroupCoordinator;
  /** Transactions: InitProducerId with a transactional id, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn. */
  readonly transactionCoordinator: TransactionCoordinator;
  /** BrokerTopicMetrics (absent when metrics are off). */
  readonly brokerTopicStats?: BrokerTopicStats;
  /** Buffers fetched record bytes are read into, returned once the response is sent. */
  readonly fetchBufferPool?: FetchBufferPool;
  /**
   * The authorizer (authorizer.class.name): every API asks it where Kafka 2.8's KafkaApis does
   * (api/authorization.ts). Undefined: no authorizer, everything is allowed.
   */
  readonly authorizer?: Authorizer;
  /**
   * Checks the TLS material a new set of this broker's dynamic configs would give its listeners
   * (Kafka's SslFactory.validateReconfiguration): throws Kafka's message when a keystore does not
   * load or its certificate changes subject or names. Absent in handler tests and without TLS
   * listeners.
   */
  readonly validateListenerSsl?: (perBroker: ReadonlyMap<string, string>) => void;
  /** The broker's log levels (BROKER_LOGGER configs); absent in handler tests. */
  readonly log4jController?: Log4jController;
}
