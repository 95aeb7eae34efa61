import type { ClientSecurity } from '@samsa/client';
import * as path from 'node:path';
import { type Logger } from '@samsa/common';
import { AdminZkClient, TopicExistsError, InvalidReplicationFactorError } from '@samsa/admin-zk';
import { KafkaController } from '@samsa/controller';
import { EventJournal, MetricsHttpServer, MetricsRegistry, schemeOf, type HttpAccess } from '@samsa/metrics';
import { ErrorCode, KafkaError, randomUuid } from '@samsa/protocol';
import { LogConfig, LogManager, type ConfigProps, type WriteMode } from '@samsa/storage';
import {
  GROUP_METADATA_TOPIC_NAME,
  TRANSACTION_STATE_TOPIC_NAME,
  KafkaZkClient,
  ZkError,
  BrokerIdInUseError,
  type Broker,
  type EndPoint,
  type SecurityProtocol,
} from '@samsa/zk';
import { alterConfigsHandler } from '../api/alterConfigs';
import { alterPartitionReassignmentsHandler } from '../api/alterPartitionReassignments';
import { apiVersionsEntry } from '../api/apiVersions';
import { decodeDynamicPasswords, dynamicBrokerOverrides } from '../api/configs';
import { passwordEncodersOf } from '../config/PasswordEncoder';
import { controlledShutdown, controlledShutdownHandler } from '../api/controlledShutdown';
import { electLeadersHandler } from '../api/electLeaders';
import { alterReplicaLogDirsHandler } from '../api/alterReplicaLogDirs';
import { createPartitionsHandler } from '../api/createPartitions';
import { createTopicsHandler } from '../api/createTopics';
import { deleteGroupsHandler } from '../api/deleteGroups';
import { describeLogDirsHandler } from '../api/describeLogDirs';
import { deleteRecordsHandler } from '../api/deleteRecords';
import { deleteTopicsHandler } from '../api/deleteTopics';
import { describeClusterHandler } from '../api/describeCluster';
import { describeConfigsHandler } from '../api/describeConfigs';
import { describeGroupsHandler } from '../api/describeGroups';
import { heartbeatHandler } from '../api/heartbeat';
import { initProducerIdHandler } from '../api/initProducerId';
import { addOffsetsToTxnHandler } from '../api/addOffsetsToTxn';
import { addPartitionsToTxnHandler } from '../api/addPartitionsToTxn';
import { endTxnHandler } from '../api/endTxn';
import { joinGroupHandler } from '../api/joinGroup';
import { leaveGroupHandler } from '../api/leaveGroup';
import { listGroupsHandler } from '../api/listGroups';
import { offsetCommitHandler } from '../api/offsetCommit';
import { offsetDeleteHandler } from '../api/offsetDelete';
import { offsetFetchHandler } from '../api/offsetFetch';
import { txnOffsetCommitHandler } from '../api/txnOffsetCommit';
import { writeTxnMarkers, writeTxnMarkersHandler } from '../api/writeTxnMarkers';
import { saslAuthenticateHandler, saslHandshakeHandler } from '../api/saslRequests';
import { alterUserScramCredentialsHandler, describeUserScramCredentialsHandler } from '../api/userScramCredentials';
import { syncGroupHandler } from '../api/syncGroup';
import { incrementalAlterConfigsHandler } from '../api/incrementalAlterConfigs';
import { listPartitionReassignmentsHandler } from '../api/listPartitionReassignments';
import { completingTopicOperations, TopicPurgatory } from '../api/topicPurgatory';
import { leaderAndIsrHandler, stopReplicaHandler, updateMetadataHandler } from '../api/controlPlane';
import { ControlRequestFence } from '../api/controlRequestFence';
import { controlPlaneListenerName, interBrokerListenerName } from '../config/controlPlaneListener';
import { clientSecurityFor } from '../config/interBrokerSecurity';
import { metricsEndpointAccess } from '../config/metricsEndpointAccess';
import type { BrokerDeps } from '../api/deps';
import { fetchHandler, fetchManagerOf } from '../api/fetch';
import { replicaSelectorOf, type ReplicaSelector } from '../replica/ReplicaSelector';
import { ReplicationQuotaManager } from '../replica/ReplicationQuotaManager';
import { replicationThrottles } from '../replica/ReplicationThrottles';
import { findCoordinatorHandler } from '../api/findCoordinator';
import { listOffsetsHandler } from '../api/listOffsets';
import { metadataHandler } from '../api/metadata';
import { offsetForLeaderEpochHandler } from '../api/offsetForLeaderEpoch';
import { produceHandler } from '../api/produce';
import { ApiRegistry } from '../api/registry';
import type { KafkaConfig } from '../config/KafkaConfig';
import {
  systemCoordinatorTimer,
  GroupCoordinator,
  GroupMetadataManager,
  offsetsTopicConfigs,
  ProducerIdManager,
  TransactionCoordinator,
  transactionTopicConfigs,
} from '@samsa/coordinator';
import { groupConfigOf, offsetConfigOf, transactionConfigOf } from '../config/coordinatorConfigs';
import { TransactionMarkerChannel } from './TransactionMarkerChannel';
import type { Logging } from '../log/logging';
import { MetadataCache } from '../metadata/MetadataCache';
import { BrokerMetrics, recordIsrChange } from '../metrics/BrokerMetrics';
import { parseListeners } from '../network/EndPoint';
import { RequestDispatcher } from '../network/RequestDispatcher';
import { RequestMetrics } from '../network/RequestMetrics';
import { ListenerTlsReloader } from '../network/ListenerTlsReloader';
import { SocketServer, socketServerOptions } from '../network/SocketServer';
import { DynamicConfigManager } from './DynamicConfigManager';
import { saslAuthenticatorFactory } from '../network/saslAuthenticatorFactory';
import { CredentialCache } from '@samsa/security';
import { startAuthorizer } from './startAuthorizer';
import { withAuthorization } from '../api/authorization';
import { createAclsHandler, deleteAclsHandler, describeAclsHandler } from '../api/acls';
import type { AclAuthorizer } from '@samsa/security';
import { zkIsrUpdater } from '../replica/IsrUpdater';
import { ReplicaManager } from '../replica/ReplicaManager';
import { LogDirFailureHandler } from '../replica/LogDirFailureHandler';
import { SAMSA_VERSION } from '../version';
import { FetchBufferPool } from '../replica/FetchBufferPool';
import { DynamicBrokerConfig } from './DynamicBrokerConfig';
import { BROKER_CONFIGS } from '../config/definitions';
import { QuotaManagers } from '../quota/QuotaManagers';
import { registerQuotaMetrics } from '../quota/QuotaMetrics';
import { ConnectionQuotas, connectionQuotaConfigOf } from '../network/ConnectionQuotas';
import { withFetchQuota, withProduceQuota, withRequestQuota } from '../quota/QuotaEnforcement';
import { awaitingMetadata } from '../api/awaitingMetadata';
import { alterClientQuotasHandler, describeClientQuotasHandler } from '../api/clientQuotas';

/**
 * Beyond zookeeper.session.timeout.ms, how long registration waits for a previous incarnation's
 * session to end: ZooKeeper expires sessions in tickTime buckets (2 s by default), and may have
 * negotiated a longer timeout for the previous process than this one asked for.
 */
const REGISTRATION_WAIT_MARGIN_MS = 5_000;

/** A startup failure an operator can act on (duplicate broker id, cluster id mismatch, …): exit 1. */
export class FatalStartupError extends Error {}

export interface KafkaServerOptions {
  /**
   * Ends the process at once (Kafka's Exit.halt): when the last log directory fails. Default
   * process.exit; the launcher passes one that flushes the log files first.
   */
  readonly halt?: (code: number) => void;
}

/**
 * One broker process. Start order (Kafka's KafkaServer.startup):
 * 1. ZooKeeper session (creating the chroot and Kafka's persistent paths);
 * 2. cluster id: read /cluster/id or create it; checked against meta.properties by the LogManager;
 * 3. LogManager: load every log dir, recovering logs not closed cleanly;
 * 4. MetadataCache and ReplicaManager (empty until the controller speaks), the GroupCoordinator
 *    (it loads __consumer_offsets partitions as LeaderAndIsr makes this broker their leader), then
 *    the DynamicConfigManager (config overrides from ZooKeeper applied to the logs, now and on change);
 * 5. SocketServer: listeners bound, so the ports can be advertised; then the metrics endpoint
 *    (jmx.port), so its port can be advertised too;
 * 6. register /brokers/ids/<id> (ephemeral; a different broker with this id is fatal, a previous
 *    incarnation of this one still registered is waited out until ZooKeeper expires its session);
 *    then the ProducerIdManager claims this start's block of producer ids (fatal if it cannot);
 * 7. the embedded KafkaController joins the /controller election.
 * Shutdown first asks the controller to move this broker's leaderships away (controlled shutdown,
 * while everything still serves), then runs it backwards — the group coordinator before the socket
 * server, so that JoinGroup and SyncGroup requests parked in it are answered (NOT_COORDINATOR) and
 * its timers end; logs are closed with the clean-shutdown marker last, and the metrics endpoint
 * answers until the end.
 */
export class KafkaServer {
  private zk: KafkaZkClient | null = null;
  private logManager: LogManager | null = null;
  private socketServer: SocketServer | null = null;
  /** This broker's dynamic config as last read (/config/brokers/<id>); its listener SSL keys reach the SocketServer. */
  private dynamicBrokerConfig: ReadonlyMap<string, string> = new Map();
  /**
   * /config/brokers/<id> and <default> over the static settings, and the parts that follow them:
   * a part that changes with a dynamic broker config registers here (addReconfigurable).
   */
  readonly dynamicBrokerConfigs: DynamicBrokerConfig;
  private tlsReloader: ListenerTlsReloader | null = null;
  private controller: KafkaController | null = null;
  private replicaManager: ReplicaManager | null = null;
  private logDirFailureHandler: LogDirFailureHandler | null = null;
  private dynamicConfigManager: DynamicConfigManager | null = null;
  /** SCRAM credentials from /config/users, kept current by the DynamicConfigManager. */
  private readonly credentialCache = new CredentialCache();
  /** authorizer.class.name's AclAuthorizer; undefined: everything allowed. */
  private authorizer: AclAuthorizer | undefined;
  private groupCoordinator: GroupCoordinator | null = null;
  private producerIdManager: ProducerIdManager | null = null;
  private transactionCoordinator: TransactionCoordinator | null = null;
  private metricsServer: MetricsHttpServer | null = null;
  /** Kafka's BrokerState numbers: 1 starting, 3 running, 6 controlled shutdown, 7 shutting down. */
  private brokerState = 1;
  private readonly startTimeMs = Date.now();
  /** This broker's metrics (Kafka's Yammer registry): add gauges with `metrics.group(domain, type).gauge(…)`. */
  readonly metrics = new MetricsRegistry();
  /** Cluster events this broker saw (as controller, or as a partition leader), for the dashboard. */
  readonly eventJournal: EventJournal;
  /** Null when samsa.metrics.enabled=false. */
  private readonly brokerMetrics: BrokerMetrics | null;
  private readonly topicPurgatory = new TopicPurgatory();
  /** Client quotas (produce, fetch, request), fed by the DynamicConfigManager from /config/users and /config/clients. */
  readonly quotaManagers: QuotaManagers;
  private readonly logger: Logger;
  private stopping = false;
  brokerEpoch = -1;
  /** Resolved by the first registration in /brokers/ids (the broker epoch is known from then on). */
  private resolveRegistered: () => void = () => undefined;
  private readonly registered = new Promise<void>((resolve) => (this.resolveRegistered = resolve));
  clusterId = '';
  readonly metadataCache: MetadataCache;

  constructor(
    readonly config: KafkaConfig,
    private readonly logging: Logging,
    private readonly options: KafkaServerOptions = {},
  ) {
    this.logger = logging.logger(`[KafkaServer id=${config.brokerId}]`, 'kafka.server.KafkaServer');
    this.metadataCache = new MetadataCache(config.brokerId);
    this.eventJournal = new EventJournal(config.brokerId);
    this.brokerMetrics = config.bool('samsa.metrics.enabled')
      ? new BrokerMetrics(this.metrics, this.eventJournal)
      : null;
    this.brokerMetrics?.brokerState(() => this.brokerState);
    this.quotaManagers = quotaManagersOf(config);
    if (this.brokerMetrics) registerQuotaMetrics(this.metrics, this.quotaManagers);
    const reconfigLogger = logging.logger('[DynamicBrokerConfig]', 'kafka.server.DynamicBrokerConfig');
    this.dynamicBrokerConfigs = new DynamicBrokerConfig({
      staticValue: (name) => staticConfigValue(config, name),
      onError: (r, effective, e) =>
        reconfigLogger.error(
          `${r.name} refused dynamic configs {${[...effective].map(([k, v]) => `${k}=${v}`).join(', ')}}`,
          e,
        ),
    });
  }

  get brokerId(): number {
    return this.config.brokerId;
  }

  get isController(): boolean {
    return this.controller?.isActive ?? false;
  }

  /** Bound port of a listener (after startup). */
  boundPort(listenerName = 'PLAINTEXT'): number {
    return this.socketServer!.boundPort(listenerName);
  }

  async startup(): Promise<void> {
    const c = this.config;
    this.logger.info('starting');
    if (c.brokerId < 0)
      throw new FatalStartupError('broker.id must be set (automatic id generation is not supported yet)');

    // 1. ZooKeeper
    this.zk = await KafkaZkClient.connect(c.string('zookeeper.connect')!, {
      sessionTimeoutMs: c.int('zookeeper.session.timeout.ms'),
      connectionTimeoutMs: c.zkConnectionTimeoutMs,
      createChroot: true,
      logger: this.logging.logger('[ZooKeeperClient Kafka server]', 'kafka.zookeeper.ZooKeeperClient'),
    });
    await this.zk.createTopLevelPaths();
    this.brokerMetrics?.registerZooKeeper(this.zk.zooKeeperClient);
    this.brokerMetrics?.start();

    // 2. cluster id
    this.clusterId = await this.zk.createOrGetClusterId(randomUuid());
    this.logger.info(`Cluster ID = ${this.clusterId}`);

    // 3. logs
    this.logManager = new LogManager({
      logDirs: c.logDirs,
      brokerId: c.brokerId,
      clusterId: this.clusterId,
      defaultConfig: LogConfig.fromBrokerProps(brokerLogProps(c)),
      retentionCheckMs: c.int('log.retention.check.interval.ms'),
      flushCheckMs: c.int('log.flush.scheduler.interval.ms'),
      flushRecoveryOffsetCheckpointMs: c.int('log.flush.offset.checkpoint.interval.ms'),
      flushStartOffsetCheckpointMs: c.int('log.flush.start.offset.checkpoint.interval.ms'),
      highWatermarkCheckpointMs: c.int('replica.high.watermark.checkpoint.interval.ms'),
      recoveryThreadsPerDataDir: c.int('num.recovery.threads.per.data.dir'),
      writeMode: c.string('samsa.log.write.mode') as WriteMode,
      producerIdExpirationMs: c.int('transactional.id.expiration.ms'),
      producerIdExpirationCheckIntervalMs: c.int('producer.id.expiration.check.interval.ms'),
      logger: this.logging.logger('[LogManager]', 'kafka.log.LogManager'),
    });
    try {
      await this.logManager.startup();
    } catch (e) {
      throw new FatalStartupError(`log directories could not be loaded: ${(e as Error).message}`);
    }
    if (this.logManager.liveLogDirs.length === 0)
      throw new FatalStartupError(
        `none of the specified log dirs from ${c.logDirs.join(', ')} can be created or validated`,
      );
    this.brokerMetrics?.registerLogs(this.logManager);

    // 4. replica manager
    const zk = this.zk;
    const quotaWindows = { numSamples: c.int('replication.quota.window.num'), windowSizeSeconds: c.int('replication.quota.window.size.seconds') };
    const leaderQuota = new ReplicationQuotaManager({ brokerId: c.brokerId, ...quotaWindows });
    const followerQuota = new ReplicationQuotaManager({ brokerId: c.brokerId, ...quotaWindows });
    const alterLogDirsQuota = new ReplicationQuotaManager({ brokerId: c.brokerId, ...quotaWindows });
    this.dynamicBrokerConfigs.addReconfigurable(
      replicationThrottles(this.dynamicBrokerConfigs, leaderQuota, followerQuota, alterLogDirsQuota),
    );
    let replicaSelector: ReplicaSelector | undefined;
    try {
      replicaSelector = replicaSelectorOf(c.string('replica.selector.class'));
    } catch (e) {
      throw new FatalStartupError((e as Error).message);
    }
    this.replicaManager = new ReplicaManager({
      brokerId: c.brokerId,
      logManager: this.logManager,
      metadataCache: this.metadataCache,
      logger: this.logging.logger(`[ReplicaManager broker=${c.brokerId}]`, 'kafka.server.ReplicaManager'),
      stateChangeLogger: this.logging.stateChangeLogger(`[Broker id=${c.brokerId}]`),
      topicConfig: async (topic) =>
        Object.fromEntries(await zk.getEntityConfigs('topics', topic)) as ConfigProps,
      isrUpdater: zkIsrUpdater(zk),
      replicaLagTimeMaxMs: c.int('replica.lag.time.max.ms'),
      replicaSelector,
      leaderQuota,
      alterLogDirsQuota,
      onIsrChange: (change) =>
        this.brokerMetrics
          ? this.brokerMetrics.onIsrChange(change)
          : recordIsrChange(this.eventJournal, change),
      fetcher: {
        brokerId: c.brokerId,
        interBrokerListenerName: this.interBrokerListenerName(),
        fetchWaitMaxMs: c.int('replica.fetch.wait.max.ms'),
        fetchMinBytes: c.int('replica.fetch.min.bytes'),
        fetchMaxBytes: c.int('replica.fetch.max.bytes'),
        fetchResponseMaxBytes: c.int('replica.fetch.response.max.bytes'),
        fetchBackoffMs: c.int('replica.fetch.backoff.ms'),
        socketTimeoutMs: c.int('replica.socket.timeout.ms'),
        security: this.interBrokerSecurity(),
        quota: followerQuota,
      },
    });

    const logManager = this.logManager;
    const replicaManager = this.replicaManager;
    this.logDirFailureHandler = new LogDirFailureHandler({
      brokerId: c.brokerId,
      failureChannel: logManager.failureChannel,
      logDirs: () => ({ all: c.logDirs.map((d) => path.resolve(d)), live: logManager.liveLogDirs }),
      stopReplicasIn: (dir) => replicaManager.handleLogDirFailure(dir),
      propagateLogDirEvent: () => zk.propagateLogDirEvent(c.brokerId),
      halt: this.options.halt ?? ((code) => process.exit(code)),
      logger: this.logging.logger(`[LogDirFailureHandler broker=${c.brokerId}]`, 'kafka.server.ReplicaManager'),
    });

    // 4a. group coordinator: partitionFor needs the partition count __consumer_offsets has (or will have)
    const offsetConfig = offsetConfigOf(c);
    const groupLogger = this.logging.logger(
      `[GroupCoordinator ${c.brokerId}]`,
      'kafka.coordinator.group.GroupCoordinator',
    );
    const groupManager = new GroupMetadataManager(
      c.brokerId,
      offsetConfig,
      this.replicaManager,
      systemCoordinatorTimer,
      this.logging.logger(
        `[GroupMetadataManager brokerId=${c.brokerId}]`,
        'kafka.coordinator.group.GroupMetadataManager',
      ),
    );
    this.brokerMetrics?.registerGroupMetadataManager(groupManager);
    this.groupCoordinator = new GroupCoordinator({
      brokerId: c.brokerId,
      groupConfig: groupConfigOf(c),
      offsetConfig,
      groupManager,
      timer: systemCoordinatorTimer,
      logger: groupLogger,
    });
    this.groupCoordinator.startup(
      (await this.zk.getTopicPartitionCount(GROUP_METADATA_TOPIC_NAME)) ??
        offsetConfig.offsetsTopicNumPartitions,
    );
    this.brokerMetrics?.registerReplicaManager(this.replicaManager);

    // 4b. dynamic config: /config/changes watched, topic and broker overrides applied to live logs
    const passwordEncoders = passwordEncodersOf((key) => c.get(key));
    const reconfigLogger = this.logging.logger('[DynamicBrokerConfig]', 'kafka.server.DynamicBrokerConfig');
    this.dynamicConfigManager = new DynamicConfigManager({
      zkClient: this.zk,
      logManager: this.logManager,
      brokerId: c.brokerId,
      staticLogProps: brokerLogProps(c) as Record<string, string>,
      logger: this.logging.logger('[DynamicConfigManager]', 'kafka.server.DynamicConfigManager'),
      credentialCache: this.credentialCache,
      onBrokerConfig: (persistent, clusterDefault) => {
        // dynamic passwords are stored encrypted (password.encoder.secret): the parts get them decrypted
        const perBroker = decodeDynamicPasswords(persistent, passwordEncoders, (name, e) =>
          reconfigLogger.error(`Dynamic password config ${name} could not be decoded, ignored`, e),
        );
        this.dynamicBrokerConfig = perBroker;
        this.tlsReloader?.apply(perBroker);
        // as Kafka's fromPersistentProps takes them: the non-dynamic and misplaced ones dropped
        this.dynamicBrokerConfigs.update(dynamicBrokerOverrides(perBroker), dynamicBrokerOverrides(clusterDefault, false));
      },
      onQuotaEntityChange: (entityPath, config) => this.quotaManagers.applyEntityConfig(entityPath, config),
    });
    await this.dynamicConfigManager.startup();

    // 4b'. the authorizer: every ACL loaded, changes followed, before any request is served
    this.authorizer = await startAuthorizer({
      config: c,
      zkClient: this.zk,
      auditLogger: this.logging.logger('', 'kafka.authorizer.logger'),
      logger: this.logging.logger('', 'kafka.security.authorizer.AclAuthorizer'),
    });

    // 4c. producer ids: the manager answers InitProducerId once step 6 has claimed its first block
    this.producerIdManager = new ProducerIdManager({
      brokerId: c.brokerId,
      zkClient: this.zk,
      logger: this.logging.logger(
        `[ProducerId Manager ${c.brokerId}]`,
        'kafka.coordinator.transaction.ProducerIdManager',
      ),
    });

    // 4d. transaction coordinator: loads __transaction_state partitions as LeaderAndIsr makes this
    // broker their leader; markers go to partition leaders on the inter-broker listener
    const txnConfig = transactionConfigOf(c);
    const markerChannel = new TransactionMarkerChannel({
      brokerId: c.brokerId,
      metadataCache: this.metadataCache,
      listenerName: this.interBrokerListenerName(),
      requestTimeoutMs: txnConfig.requestTimeoutMs,
      security: this.interBrokerSecurity(),
      logger: this.logging.logger(
        `[Transaction Marker Channel Manager ${c.brokerId}]`,
        'kafka.coordinator.transaction.TransactionMarkerChannelManager',
      ),
      writeLocally: (request) =>
        writeTxnMarkers(
          { replicaManager: this.replicaManager!, groupCoordinator: this.groupCoordinator!, config: this.config, logger: this.logger },
          request,
        ),
    });
    this.transactionCoordinator = new TransactionCoordinator({
      brokerId: c.brokerId,
      config: txnConfig,
      replicaManager: this.replicaManager,
      producerIdManager: this.producerIdManager,
      markerNetwork: markerChannel,
      markerMetadata: markerChannel,
      timer: systemCoordinatorTimer,
      logger: this.logging.logger(
        `[TransactionCoordinator id=${c.brokerId}]`,
        'kafka.coordinator.transaction.TransactionCoordinator',
      ),
      stateManagerLogger: this.logging.logger(
        `[Transaction State Manager ${c.brokerId}]`,
        'kafka.coordinator.transaction.TransactionStateManager',
      ),
      markerChannelLogger: this.logging.logger(
        `[Transaction Marker Channel Manager ${c.brokerId}]`,
        'kafka.coordinator.transaction.TransactionMarkerChannelManager',
      ),
    });
    this.transactionCoordinator.startup(
      (await this.zk.getTopicPartitionCount(TRANSACTION_STATE_TOPIC_NAME)) ?? txnConfig.transactionLogNumPartitions,
    );
    if (this.brokerMetrics) {
      const markers = this.transactionCoordinator.txnMarkerChannelManager;
      const g = this.metrics.group('kafka.coordinator.transaction', 'TransactionMarkerChannelManager');
      g.gauge('UnknownDestinationQueueSize', () => markers.unknownDestinationQueueSize);
      g.gauge('LogAppendRetryQueueSize', () => markers.logAppendRetryQueueSize);
    }

    // 5. sockets
    const registry = this.apiRegistry();
    this.socketServer = new SocketServer(
      {
        ...socketServerOptions(c, this.dynamicBrokerConfig),
        saslAuthenticator: saslAuthenticatorFactory(c, this.credentialCache),
        connectionQuotas: this.connectionQuotas(),
      },
      new RequestDispatcher(
        registry,
        this.logging.logger(`[KafkaApi-${c.brokerId}]`, 'kafka.server.KafkaApis'),
        this.brokerMetrics
          ? new RequestMetrics(
              this.metrics,
              registry.served().map((a) => a.apiKey),
            )
          : null,
      ),
      this.logging.logger(`[SocketServer brokerId=${c.brokerId}]`, 'kafka.network.SocketServer'),
    );
    await this.socketServer.startup();
    this.tlsReloader = new ListenerTlsReloader({
      config: c,
      socketServer: this.socketServer,
      logger: this.logging.logger(`[SocketServer brokerId=${c.brokerId}]`, 'kafka.network.SocketServer'),
      initial: this.dynamicBrokerConfig,
    });
    this.brokerMetrics?.registerSocketServer(this.socketServer.stats);
    await this.startMetricsEndpoint();

    // 6. registration, then a fresh block of producer ids (Kafka's TransactionCoordinator start-up)
    await this.registerBroker();
    try {
      await this.producerIdManager.startup();
    } catch (e) {
      throw new FatalStartupError(`no block of producer ids could be claimed: ${(e as Error).message}`);
    }

    // 7. controller
    this.controller = new KafkaController(this.zk, {
      brokerId: c.brokerId,
      deleteTopicEnable: c.bool('delete.topic.enable'),
      uncleanLeaderElectionEnable: c.bool('unclean.leader.election.enable'),
      autoLeaderRebalanceEnable: c.bool('auto.leader.rebalance.enable'),
      leaderImbalanceCheckIntervalSeconds: c.int('leader.imbalance.check.interval.seconds'),
      leaderImbalancePerBrokerPercentage: c.int('leader.imbalance.per.broker.percentage'),
      controllerSocketTimeoutMs: c.int('controller.socket.timeout.ms'),
      interBrokerListenerName: this.interBrokerListenerName(),
      controlPlaneListenerName: controlPlaneListenerName(this.config),
      controllerToBrokerSecurity: clientSecurityFor(
        this.config,
        controlPlaneListenerName(this.config) ?? this.interBrokerListenerName(),
      ),
      onNewSession: () => this.registerBroker(),
      logger: this.logging.logger('', 'kafka.controller.KafkaController'),
      stateChangeLogger: this.logging.stateChangeLogger(''),
      metrics: this.brokerMetrics ? this.metrics : undefined,
      eventJournal: this.eventJournal,
    });
    await this.controller.startup();
    this.brokerState = 3;
    this.logger.info('started');
  }

  private interBrokerListenerName(): string {
    return interBrokerListenerName(this.config);
  }

  /** How this broker's connections to other brokers' inter-broker listener are secured. */
  private interBrokerSecurity(): ClientSecurity {
    return clientSecurityFor(this.config, this.interBrokerListenerName());
  }

  /** The endpoints clients are told about: advertised.listeners, with bound ports for port 0. */
  advertisedEndpoints(): EndPoint[] {
    const protocolMap = new Map(
      this.config.list('listener.security.protocol.map').map((e) => e.split(':') as [string, string]),
    );
    return parseListeners(this.config.advertisedListeners).map((l) => ({
      host: l.host || '127.0.0.1',
      port: l.port === 0 ? this.socketServer!.boundPort(l.name) : l.port,
      listenerName: l.name,
      securityProtocol: (protocolMap.get(l.name) ?? l.name) as SecurityProtocol,
    }));
  }

  /**
   * Registers /brokers/ids/<id>. A registration left by a previous incarnation of this broker (same
   * host:port; the process was killed before its ZooKeeper session ended) is waited out for up to
   * the session timeout plus REGISTRATION_WAIT_MARGIN_MS, so a supervisor's immediate restart
   * rejoins by itself; a different broker holding this id is fatal at once, naming its host:port.
   */
  private async registerBroker(): Promise<void> {
    const broker: Broker = {
      id: this.brokerId,
      endPoints: this.advertisedEndpoints(),
      rack: this.config.string('broker.rack'),
      features: {},
    };
    const sessionTimeoutMs = Math.max(
      this.config.int('zookeeper.session.timeout.ms'),
      this.zk!.zooKeeperClient.sessionTimeoutNegotiatedMs,
    );
    try {
      this.brokerEpoch = await this.zk!.registerBroker(broker, {
        jmxPort: this.jmxPort,
        previousIncarnationWaitMs: sessionTimeoutMs + REGISTRATION_WAIT_MARGIN_MS,
      });
      this.resolveRegistered();
    } catch (e) {
      if (e instanceof BrokerIdInUseError) {
        throw new FatalStartupError(
          e.previousIncarnation
            ? `broker id ${this.brokerId} is still registered in ZooKeeper (/brokers/ids/${this.brokerId}) ` +
                `by a previous incarnation of this broker at ${e.holder}, whose session did not expire ` +
                `within ${sessionTimeoutMs + REGISTRATION_WAIT_MARGIN_MS} ms`
            : `broker id ${this.brokerId} is already registered in ZooKeeper (/brokers/ids/${this.brokerId}) ` +
                `by another broker at ${e.holder}: another broker uses this broker.id`,
        );
      }
      if (e instanceof ZkError && e.code === 'NODEEXISTS') {
        throw new FatalStartupError(
          `broker id ${this.brokerId} is already registered in ZooKeeper (/brokers/ids/${this.brokerId}): ` +
            'another broker uses this broker.id',
        );
      }
      throw e;
    }
  }

  /** Kafka's ConnectionQuotas, following the dynamic connection configs. */
  private connectionQuotas(): ConnectionQuotas {
    const c = this.config;
    const listeners = parseListeners(c.list('listeners')).map((l) => l.name);
    const staticListenerValues = new Map<string, string>();
    for (const l of listeners) {
      for (const rest of ['max.connections', 'max.connection.creation.rate']) {
        const v = c.listenerOverride(l, rest);
        if (v !== undefined) staticListenerValues.set(`listener.name.${l.toLowerCase()}.${rest}`, v);
      }
    }
    const statics = new Map(staticListenerValues);
    for (const key of ['max.connections', 'max.connections.per.ip', 'max.connections.per.ip.overrides', 'max.connection.creation.rate']) {
      const v = staticConfigValue(c, key);
      if (v !== undefined) statics.set(key, v);
    }
    const quotas = new ConnectionQuotas(connectionQuotaConfigOf(statics, listeners), {
      listeners,
      interBrokerListener: this.interBrokerListenerName(),
      rate: { samples: c.int('quota.window.num'), timeWindowMs: c.int('quota.window.size.seconds') * 1000 },
      logger: this.logging.logger(`[SocketServer brokerId=${c.brokerId}]`, 'kafka.network.SocketServer'),
      staticListenerValues,
    });
    this.dynamicBrokerConfigs.addReconfigurable(quotas);
    return quotas;
  }

  /**
   * The epoch checks of the controller's requests: this broker's epoch (the czxid of its
   * registration) and, for a controller epoch newer than the ReplicaManager's, /controller_epoch and
   * /controller as ZooKeeper holds them.
   */
  private controlRequestFence(): ControlRequestFence {
    return new ControlRequestFence({
      brokerEpoch: () => this.brokerEpoch,
      registered: () => this.registered,
      knownControllerEpoch: () => this.replicaManager!.controllerEpoch,
      readController: async () => {
        const [epoch, controllerId] = await Promise.all([this.zk!.getControllerEpoch(), this.zk!.getControllerId()]);
        return { epoch: epoch?.epoch ?? null, controllerId };
      },
      logger: this.logging.logger(`[KafkaApi-${this.brokerId}]`, 'kafka.server.KafkaApis'),
    });
  }

  private apiRegistry(): ApiRegistry {
    const deps: BrokerDeps = {
      log4jController: this.logging.log4jController,
      brokerId: this.brokerId,
      clusterId: this.clusterId,
      config: this.config,
      metadataCache: this.metadataCache,
      replicaManager: this.replicaManager!,
      zkClient: this.zk!,
      logger: this.logger,
      autoCreateTopic: (topic) => this.autoCreateTopic(topic),
      isController: () => this.isController,
      logManager: this.logManager!,
      topicPurgatory: this.topicPurgatory,
      groupCoordinator: this.groupCoordinator!,
      transactionCoordinator: this.transactionCoordinator!,
      brokerTopicStats: this.brokerMetrics?.brokerTopicStats,
      fetchBufferPool: new FetchBufferPool(),
      authorizer: this.authorizer,
      validateListenerSsl: (perBroker) => this.tlsReloader?.validate(perBroker),
    };
    const fetchManager = fetchManagerOf(deps);
    const evictions = this.brokerMetrics?.registerFetchSessionCache(fetchManager.cache);
    if (evictions) fetchManager.cache.onEviction = () => evictions.mark();
    const fence = this.controlRequestFence();
    const registry = new ApiRegistry();
    for (const entry of [
      findCoordinatorHandler(deps),
      offsetCommitHandler(deps),
      offsetFetchHandler(deps),
      joinGroupHandler(deps),
      heartbeatHandler(deps),
      leaveGroupHandler(deps),
      syncGroupHandler(deps),
      describeGroupsHandler(deps),
      listGroupsHandler(deps),
      deleteGroupsHandler(deps),
      offsetDeleteHandler(deps),
      withProduceQuota(produceHandler(deps), this.quotaManagers),
      withFetchQuota(fetchHandler(deps, fetchManager), this.quotaManagers),
      listOffsetsHandler(deps),
      metadataHandler(deps),
      leaderAndIsrHandler(deps, fence),
      stopReplicaHandler(deps, fence),
      // admin requests waiting in the topic purgatory are re-checked after each UpdateMetadata
      completingTopicOperations(updateMetadataHandler(deps, fence), this.topicPurgatory),
      createTopicsHandler(deps),
      deleteTopicsHandler(deps),
      createPartitionsHandler(deps),
      describeConfigsHandler(deps),
      alterConfigsHandler(deps),
      incrementalAlterConfigsHandler(deps),
      deleteRecordsHandler(deps),
      alterReplicaLogDirsHandler(deps),
      describeClusterHandler(deps),
      controlledShutdownHandler({
        controller: () => this.controller,
        requestTimeoutMs: this.config.int('request.timeout.ms'),
      }),
      offsetForLeaderEpochHandler(deps),
      initProducerIdHandler({
        producerIdManager: this.producerIdManager!,
        transactionCoordinator: this.transactionCoordinator!,
        logger: deps.logger,
      }),
      addPartitionsToTxnHandler(deps),
      addOffsetsToTxnHandler(deps),
      endTxnHandler(deps),
      electLeadersHandler({ controller: () => this.controller }),
      alterPartitionReassignmentsHandler({ controller: () => this.controller }),
      listPartitionReassignmentsHandler({ controller: () => this.controller }),
      txnOffsetCommitHandler(deps),
      writeTxnMarkersHandler(deps),
      saslHandshakeHandler(),
      saslAuthenticateHandler(),
      createAclsHandler(deps),
      describeAclsHandler(deps),
      deleteAclsHandler(deps),
      describeUserScramCredentialsHandler(deps),
      alterUserScramCredentialsHandler(deps),
      describeClientQuotasHandler(deps),
      alterClientQuotasHandler(deps),
      describeLogDirsHandler(deps),
    ]) {
      registry.register(withRequestQuota(awaitingMetadata(withAuthorization(entry, deps), this.metadataCache), this.quotaManagers));
    }
    registry.register(withRequestQuota(apiVersionsEntry(registry), this.quotaManagers));
    return registry;
  }

  /**
   * Auto-creation (Kafka's AutoTopicCreationManager): num.partitions × default.replication.factor,
   * or for __consumer_offsets offsets.topic.num.partitions × offsets.topic.replication.factor with
   * the offsets topic's configs, for __transaction_state transaction.state.log.num.partitions ×
   * transaction.state.log.replication.factor with its configs (min.insync.replicas, compact). A replication factor above the live brokers is refused
   * (INVALID_REPLICATION_FACTOR), as Kafka does.
   */
  private async autoCreateTopic(topic: string): Promise<number> {
    const internal = topic === GROUP_METADATA_TOPIC_NAME;
    const offsetConfig = offsetConfigOf(this.config);
    const txnConfig = transactionConfigOf(this.config);
    let partitions = internal ? offsetConfig.offsetsTopicNumPartitions : this.config.int('num.partitions');
    let replicationFactor = internal
      ? offsetConfig.offsetsTopicReplicationFactor
      : this.config.int('default.replication.factor');
    let configs = internal ? offsetsTopicConfigs(offsetConfig) : {};
    if (topic === TRANSACTION_STATE_TOPIC_NAME) {
      partitions = txnConfig.transactionLogNumPartitions;
      replicationFactor = txnConfig.transactionLogReplicationFactor;
      configs = transactionTopicConfigs(txnConfig);
    }
    try {
      await new AdminZkClient(this.zk!).createTopic(topic, partitions, replicationFactor, configs);
      this.logger.info(`Auto-created topic ${topic} with ${partitions} partitions`);
      return partitions;
    } catch (e) {
      if (e instanceof TopicExistsError) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, e.message);
      if (e instanceof InvalidReplicationFactorError)
        throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, e.message);
      throw e;
    }
  }

  // ---- controlled shutdown ----------------------------------------------------------------------

  /**
   * With controlled.shutdown.enable (default true) and startup complete, asks the controller to
   * move this broker's leaderships away and take it out of every ISR (Kafka
   * KafkaServer.controlledShutdown); after the last failed attempt the shutdown goes on anyway.
   */
  private async maybeControlledShutdown(): Promise<void> {
    const c = this.config;
    if (!c.bool('controlled.shutdown.enable') || this.controller === null || this.socketServer === null)
      return;
    this.logger.info('Starting controlled shutdown');
    const succeeded = await controlledShutdown({
      brokerId: this.brokerId,
      brokerEpoch: () => this.brokerEpoch,
      metadataCache: this.metadataCache,
      controllerIdFromZk: async () => (await this.zk?.getControllerId()) ?? null,
      interBrokerListenerName: this.interBrokerListenerName(),
      security: this.interBrokerSecurity(),
      maxRetries: c.int('controlled.shutdown.max.retries'),
      retryBackoffMs: c.int('controlled.shutdown.retry.backoff.ms'),
      requestTimeoutMs: c.int('request.timeout.ms'),
      logger: this.logger,
    });
    if (!succeeded)
      this.logger.warn('Proceeding to do an unclean shutdown as all the controlled shutdown attempts failed');
  }

  /** Reverse order of startup; logs closed last, with the clean-shutdown marker. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info('shutting down');
    const step = async (what: string, fn: () => Promise<void> | void) => {
      try {
        await fn();
      } catch (e) {
        this.logger.warn(`error during shutdown: ${what}`, e);
      }
    };
    // Before anything else, while this broker still serves (it may be the controller itself).
    this.brokerState = 6;
    await step('controlled shutdown', () => this.maybeControlledShutdown());
    this.brokerState = 7;
    await step('controller', () => this.controller?.shutdown());
    // admin requests waiting for the controller answer now instead of holding the drain
    this.topicPurgatory.shutdown();
    // so do JoinGroup/SyncGroup requests parked in the coordinator; its timers stop
    await step('group coordinator', () => this.groupCoordinator?.shutdown());
    await step('transaction coordinator', () => this.transactionCoordinator?.shutdown());
    this.producerIdManager?.shutdown();
    await step('socket server', () => this.socketServer?.shutdown());
    await step('dynamic config manager', () => this.dynamicConfigManager?.shutdown());
    await step('authorizer', () => this.authorizer?.close());
    this.logDirFailureHandler?.shutdown();
    await step('replica manager', () => this.replicaManager?.shutdown());
    await step('zookeeper', () => this.zk?.close());
    await step('log manager', () => this.logManager?.shutdown());
    await step('metrics endpoint', () => this.metricsServer?.close());
    this.brokerMetrics?.close();
    this.metrics.close();
    this.logger.info('shut down completed');
  }

  // ---- metrics endpoint -------------------------------------------------------------------------

  /**
   * The metrics endpoint on jmx.port (0: any free port), bound to samsa.metrics.http.host
   * (loopback by default), with the HTTPS and password samsa.metrics.http.* ask for; -1 serves
   * none. The bound port is what /brokers/ids advertises as jmx_port.
   */
  private async startMetricsEndpoint(): Promise<void> {
    const port = this.config.int('jmx.port');
    if (port < 0) return;
    let host: string;
    let access: HttpAccess;
    try {
      ({ host, access } = metricsEndpointAccess(this.config));
    } catch (e) {
      throw new FatalStartupError(`the metrics endpoint cannot start: ${(e as Error).message}`);
    }
    const server = new MetricsHttpServer({
      registry: this.metrics,
      host,
      access,
      port,
      version: SAMSA_VERSION,
      journal: this.eventJournal,
      status: () => this.status(),
      extraPrometheusFamilies: () => this.brokerMetrics?.process.prometheusFamilies() ?? [],
      logger: this.logger,
    });
    try {
      await server.start();
    } catch (e) {
      throw new FatalStartupError(
        `the metrics endpoint cannot listen on ${host || '0.0.0.0'}:${port} (jmx.port): ${(e as Error).message}`,
      );
    }
    this.metricsServer = server;
    this.logger.info(
      `Metrics endpoint (Jolokia, Prometheus) listening on ${schemeOf(access)}://${host || '0.0.0.0'}:${server.boundPort}` +
        (access.basicAuth !== undefined ? ' (basic authentication required)' : ''),
    );
  }

  /** The port of the metrics endpoint (-1: none). */
  get jmxPort(): number {
    return this.metricsServer?.boundPort ?? -1;
  }

  /** /samsa/status: who this broker is, now. */
  status(): object {
    const memory = process.memoryUsage();
    return {
      brokerId: this.brokerId,
      version: SAMSA_VERSION,
      startTimeMs: this.startTimeMs,
      uptimeMs: Date.now() - this.startTimeMs,
      isController: this.isController,
      controllerId: this.controller?.activeController ?? -1,
      controllerEpoch: Math.max(
        this.isController ? this.controller!.epoch : 0,
        this.replicaManager?.controllerEpoch ?? 0,
      ),
      brokerState: this.brokerState,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      listeners: this.socketServer
        ? this.advertisedEndpoints().map((e) => `${e.listenerName}://${e.host}:${e.port}`)
        : [],
      jmxPort: this.jmxPort,
      zkSessionState: this.zk?.zooKeeperClient.connectionState ?? 'CLOSED',
      metricsEnabled: this.brokerMetrics !== null,
    };
  }
}

/** The broker's log.* settings as LogConfig reads them (broker-level synonyms of topic configs). */
function brokerLogProps(c: KafkaConfig): ConfigProps {
  const props: Record<string, string> = {};
  for (const [k, v] of c.entries()) {
    if (v === null || v === undefined) continue;
    props[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  props['log.retention.ms'] = String(c.logRetentionMs);
  props['log.roll.ms'] = String(c.logRollMs);
  props['log.roll.jitter.ms'] = String(c.logRollJitterMs);
  props['log.flush.interval.ms'] = String(c.logFlushIntervalMs);
  return props as ConfigProps;
}

/** A static setting as the string server.properties would hold (lists comma-separated); undefined if not set. */
function staticConfigValue(config: KafkaConfig, name: string): string | undefined {
  if (!(name in BROKER_CONFIGS) || !config.has(name)) return undefined;
  const value = config.get(name);
  if (value === null || value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The client quota managers with quota.window.* and the deprecated static defaults (Long.MaxValue: none). */
function quotaManagersOf(c: KafkaConfig): QuotaManagers {
  const staticDefault = (key: string): number | undefined => {
    const v = Number(c.get(key));
    return v >= Number.MAX_SAFE_INTEGER ? undefined : v;
  };
  return new QuotaManagers({
    numQuotaSamples: c.int('quota.window.num'),
    quotaWindowSizeSeconds: c.int('quota.window.size.seconds'),
    producerQuotaDefault: staticDefault('quota.producer.default'),
    consumerQuotaDefault: staticDefault('quota.consumer.default'),
  });
}
