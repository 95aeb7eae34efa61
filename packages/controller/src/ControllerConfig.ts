import type { ClientSecurity } from '@samsa/client';
import { consoleLogger, type Logger } from '@samsa/common';
import type { EventJournal, MetricsRegistry } from '@samsa/metrics';
import { DEFAULT_CONTROL_REQUEST_VERSIONS, type ControlRequestVersions } from './ControlRequests';

/**
 * The controller's settings, as a plain object: the broker maps its KafkaConfig onto this (the
 * controller does not depend on the broker). Names follow Kafka's configs.
 */
export interface KafkaControllerOptions {
  /** broker.id: the controller's id is its broker's. */
  readonly brokerId: number;
  /** delete.topic.enable (default true): false removes deletion markers and deletes nothing. */
  readonly deleteTopicEnable?: boolean;
  /** unclean.leader.election.enable (default false); a topic's config overrides it. */
  readonly uncleanLeaderElectionEnable?: boolean;
  /** auto.leader.rebalance.enable (default true): a timer moves leadership back to preferred replicas. */
  readonly autoLeaderRebalanceEnable?: boolean;
  /** leader.imbalance.check.interval.seconds (default 300). */
  readonly leaderImbalanceCheckIntervalSeconds?: number;
  /** leader.imbalance.per.broker.percentage (default 10): the ratio above which a broker's leaderships are moved back. */
  readonly leaderImbalancePerBrokerPercentage?: number;
  /** controller.socket.timeout.ms (default 30000): connect and request timeout towards brokers. */
  readonly controllerSocketTimeoutMs?: number;
  /** How the controller's connections to the brokers are secured (the controller listener's protocol). */
  readonly controllerToBrokerSecurity?: ClientSecurity;
  /** inter.broker.listener.name (default PLAINTEXT): the endpoint the controller connects to. */
  readonly interBrokerListenerName?: string;
  /**
   * control.plane.listener.name (KIP-291): when set, the controller connects to this listener of
   * each broker instead of the inter-broker one (Kafka's controllerToBrokerListenerName).
   */
  readonly controlPlaneListenerName?: string | null;
  /** Request versions (default LeaderAndIsr v4, UpdateMetadata v6, StopReplica v3: IBP 2.6–2.8-IV0). */
  readonly requestVersions?: Partial<ControlRequestVersions>;
  /** Reconnect backoff towards brokers (Kafka reconnect.backoff.ms / .max.ms: 50 / 1000). */
  readonly reconnectBackoffMs?: number;
  readonly reconnectBackoffMaxMs?: number;
  /**
   * How long the ZooKeeper session-expiry handler waits for the queue to reach the Expire event
   * before letting the new session be created anyway (default 10000).
   */
  readonly expireWaitMs?: number;
  /**
   * Called after a new ZooKeeper session is established, before re-election: the embedding broker
   * re-registers /brokers/ids/<id> here (Kafka's RegisterBrokerAndReelect).
   */
  readonly onNewSession?: () => Promise<void>;
  readonly logger?: Logger;
  /** Kafka's state.change.logger (state-change.log). */
  readonly stateChangeLogger?: Logger;
  /** Where the controller registers its metrics (kafka.controller); none when absent. */
  readonly metrics?: MetricsRegistry;
  /** Where the active controller records elections, broker changes and topic lifecycle. */
  readonly eventJournal?: EventJournal;
}

export interface ControllerConfig {
  readonly brokerId: number;
  readonly deleteTopicEnable: boolean;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly autoLeaderRebalanceEnable: boolean;
  readonly leaderImbalanceCheckIntervalSeconds: number;
  readonly leaderImbalancePerBrokerPercentage: number;
  readonly controllerSocketTimeoutMs: number;
  readonly controllerToBrokerSecurity: ClientSecurity | undefined;
  readonly interBrokerListenerName: string;
  /** The broker listener the controller's requests go to: control.plane.listener.name, else inter.broker.listener.name. */
  readonly controllerToBrokerListenerName: string;
  readonly requestVersions: ControlRequestVersions;
  readonly reconnectBackoffMs: number;
  readonly reconnectBackoffMaxMs: number;
  readonly expireWaitMs: number;
  readonly onNewSession: (() => Promise<void>) | undefined;
  readonly logger: Logger;
  readonly stateChangeLogger: Logger;
}

export function controllerConfig(options: KafkaControllerOptions): ControllerConfig {
  if (!Number.isInteger(options.brokerId) || options.brokerId < 0)
    throw new Error(`brokerId must be a non-negative integer, got ${options.brokerId}`);
  const logger = options.logger ?? consoleLogger(`KafkaController id=${options.brokerId}`);
  return {
    brokerId: options.brokerId,
    deleteTopicEnable: options.deleteTopicEnable ?? true,
    uncleanLeaderElectionEnable: options.uncleanLeaderElectionEnable ?? false,
    autoLeaderRebalanceEnable: options.autoLeaderRebalanceEnable ?? true,
    leaderImbalanceCheckIntervalSeconds: options.leaderImbalanceCheckIntervalSeconds ?? 300,
    leaderImbalancePerBrokerPercentage: options.leaderImbalancePerBrokerPercentage ?? 10,
    controllerSocketTimeoutMs: options.controllerSocketTimeoutMs ?? 30_000,
    controllerToBrokerSecurity: options.controllerToBrokerSecurity,
    interBrokerListenerName: (options.interBrokerListenerName ?? 'PLAINTEXT').toUpperCase(),
    controllerToBrokerListenerName: (options.controlPlaneListenerName ?? options.interBrokerListenerName ?? 'PLAINTEXT').toUpperCase(),
    requestVersions: { ...DEFAULT_CONTROL_REQUEST_VERSIONS, ...options.requestVersions },
    reconnectBackoffMs: options.reconnectBackoffMs ?? 50,
    reconnectBackoffMaxMs: options.reconnectBackoffMaxMs ?? 1000,
    expireWaitMs: options.expireWaitMs ?? 10_000,
    onNewSession: options.onNewSession,
    logger,
    stateChangeLogger: options.stateChangeLogger ?? logger,
  };
}
