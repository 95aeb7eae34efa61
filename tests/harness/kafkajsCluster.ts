/**
 * kafkajs's own (unmodified) cluster and broker objects, which its Admin, Producer and Consumer are
 * built on, for tests that drive the broker the way tools built on kafkajs's internals do (e.g.
 * Broker.joinGroup with a rebalance timeout of 0). These modules are kafkajs internals (no typings,
 * not in its public API); the shapes used are declared here. kafkajs 2.2.4 is pinned by
 * package-lock.json. (Until issue 12's last seam, kafka-consumer-groups used them; it now speaks
 * through Samsa's own client.)
 */

interface KafkaJsLogger {
  namespace(name: string): KafkaJsLogger;
}

export interface KafkaJsBroker {
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: Array<{
      topic: string;
      partitions: Array<{ partition: number; offset: string; metadata: string }>;
    }>;
  }): Promise<unknown>;
}

export interface KafkaJsCluster {
  connect(): Promise<void>;
  /** Fills the broker pool; the coordinator lookups need it (connect alone knows only the seed). */
  refreshMetadata(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinatorMetadata(request: { groupId: string }): Promise<{
    coordinator: { nodeId: number; host: string; port: number };
  }>;
  findGroupCoordinator(request: { groupId: string }): Promise<KafkaJsBroker>;
}

interface ClusterOptions {
  logger: KafkaJsLogger;
  socketFactory: unknown;
  brokers: string[];
  clientId: string;
  connectionTimeout: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  metadataMaxAge: number;
  retry: { retries: number; initialRetryTime: number; maxRetryTime: number };
  allowAutoTopicCreation: boolean;
  maxInFlightRequests: number | null;
  isolationLevel: number | undefined;
}

type ClusterConstructor = new (options: ClusterOptions) => KafkaJsCluster;

interface KafkaJsInternals {
  readonly Cluster: ClusterConstructor;
  readonly createLogger: (options: { level: number; logCreator: () => () => void }) => KafkaJsLogger;
  readonly LEVELS: { NOTHING: number };
  readonly defaultSocketFactory: () => unknown;
}

let internals: KafkaJsInternals | undefined;

/** Loaded on first use. */
function kafkaJsInternals(): KafkaJsInternals {
  internals ??= {
    Cluster: require('kafkajs/src/cluster'),
    ...(require('kafkajs/src/loggers') as Pick<KafkaJsInternals, 'createLogger' | 'LEVELS'>),
    defaultSocketFactory: require('kafkajs/src/network/socketFactory'),
  };
  return internals;
}

export interface ClusterConfig {
  readonly brokers: string[];
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retry: { retries: number; initialRetryTime: number; maxRetryTime: number };
}

/** A kafkajs cluster configured as the tool's Admin is, logging nothing. */
export function createKafkaJsCluster(config: ClusterConfig): KafkaJsCluster {
  const { Cluster, createLogger, LEVELS, defaultSocketFactory } = kafkaJsInternals();
  return new Cluster({
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} }),
    socketFactory: defaultSocketFactory(),
    brokers: config.brokers,
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    enforceRequestTimeout: true,
    metadataMaxAge: 300_000,
    retry: config.retry,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: undefined,
  });
}

