import { type Logger, type TopicPartition, type TopicPartitionMap } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { ControllerMovedError, ZkError, type KafkaZkClient, type StateChangeHandler } from '@samsa/zk';
import { BrokerLifecycle } from './BrokerLifecycle';
import {
  ControlledShutdownRefusedError,
  controlledShutdownErrorCode,
  controlledShutdownEvent,
  doControlledShutdown,
  type ControlledShutdownEvent,
  type ControlledShutdownResult,
} from './ControlledShutdown';
import { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { ControllerChannelManager } from './ControllerChannelManager';
import { controllerConfig, type ControllerConfig, type KafkaControllerOptions } from './ControllerConfig';
import { ControllerContext } from './ControllerContext';
import type { ControllerCore } from './ControllerCore';
import type { ControllerEvent } from './ControllerEvent';
import { ControllerEventManager } from './ControllerEventManager';
import type { ControllerNotification, ControllerObserver } from './ControllerNotification';
import { ControllerZkWatches } from './ControllerZkWatches';
import { PartitionStateMachine } from './PartitionStateMachine';
import {
  electLeadersEvent,
  PreferredReplicaElection,
  type ElectionType,
  type ElectLeadersResult,
} from './PreferredReplicaElection';
import {
  apiPartitionReassignmentEvent,
  listPartitionReassignmentsEvent,
  PartitionReassignment,
  type AlterPartitionReassignmentsResult,
  type ListPartitionReassignmentsResult,
} from './PartitionReassignment';
import { ReplicaStateMachine } from './ReplicaStateMachine';
import { controllerMetrics, type ControllerMetrics } from './ControllerMetrics';
import { controllerJournalObserver } from './ControllerJournal';
import { registerControllerStats } from './ControllerStats';
import { prefixedLogger, StateChangeLogger } from './StateChangeLogger';
import { TopicDeletionManager } from './TopicDeletionManager';
import { TopicLifecycle } from './TopicLifecycle';

const STATE_CHANGE_HANDLER_NAME = 'controller-state-change-handler';

/**
 * The controller of a ZooKeeper-mode Kafka cluster (Kafka KafkaController.scala). Every broker runs
 * one; the one that creates /controller is active. All work happens in events on one queue
 * (ControllerEventManager); ZooKeeper watches only put events. Every write to ZooKeeper is fenced on
 * the /controller_epoch version won at election, so a deposed controller cannot change anything.
 */
export class KafkaController {
  private readonly config: ControllerConfig;
  private readonly logger: Logger;
  private readonly context = new ControllerContext();
  private readonly eventManager: ControllerEventManager<ControllerEvent>;
  private readonly channelManager: ControllerChannelManager;
  private readonly batch: ControllerBrokerRequestBatch;
  private readonly partitionStateMachine: PartitionStateMachine;
  private readonly replicaStateMachine: ReplicaStateMachine;
  private readonly topicDeletionManager: TopicDeletionManager;
  private readonly watches: ControllerZkWatches;
  private readonly brokers: BrokerLifecycle;
  private readonly topics: TopicLifecycle;
  private readonly reassignment: PartitionReassignment;
  private readonly preferredElection: PreferredReplicaElection;
  private readonly observers = new Set<ControllerObserver>();
  private activeControllerId = -1;
  private started = false;
  private shutDown = false;

  constructor(
    private readonly zkClient: KafkaZkClient,
    options: KafkaControllerOptions,
  ) {
    this.config = controllerConfig(options);
    const { brokerId } = this.config;
    this.logger = prefixedLogger(this.config.logger, `[Controller id=${brokerId}] `);
    const stateChangeLogger = new StateChangeLogger(brokerId, this.config.stateChangeLogger);
    this.eventManager = new ControllerEventManager<ControllerEvent>(
      { process: (event) => this.process(event) },
      {
        logger: prefixedLogger(this.config.logger, `[ControllerEventManager controllerId=${brokerId}] `),
        onEventProcessed: (timing) => this.notify({ type: 'EventProcessed', ...timing }),
      },
    );
    this.channelManager = new ControllerChannelManager({
      controllerId: brokerId,
      interBrokerListenerName: this.config.interBrokerListenerName,
      controllerToBrokerListenerName: this.config.controllerToBrokerListenerName,
      socketTimeoutMs: this.config.controllerSocketTimeoutMs,
      security: this.config.controllerToBrokerSecurity,
      reconnectBackoffMs: this.config.reconnectBackoffMs,
      reconnectBackoffMaxMs: this.config.reconnectBackoffMaxMs,
      epoch: () => this.context.epoch,
      logger: prefixedLogger(this.config.logger, `[Channel manager on controller ${brokerId}] `),
    });
    this.batch = new ControllerBrokerRequestBatch({
      controllerId: brokerId,
      context: this.context,
      versions: this.config.requestVersions,
      interBrokerListenerName: this.config.interBrokerListenerName,
      sender: this.channelManager,
      sendEvent: (event) => this.eventManager.put(event),
      stateChangeLogger,
      logger: this.logger,
    });
    const observer: ControllerObserver = (n) => this.notify(n);
    this.partitionStateMachine = new PartitionStateMachine({
      controllerId: brokerId,
      context: this.context,
      zkClient,
      batch: this.batch,
      stateChangeLogger,
      logger: prefixedLogger(this.config.logger, `[PartitionStateMachine controllerId=${brokerId}] `),
      uncleanLeaderElectionEnable: this.config.uncleanLeaderElectionEnable,
      observer,
    });
    this.replicaStateMachine = new ReplicaStateMachine({
      controllerId: brokerId,
      context: this.context,
      zkClient,
      batch: this.batch,
      stateChangeLogger,
      logger: prefixedLogger(this.config.logger, `[ReplicaStateMachine controllerId=${brokerId}] `),
    });
    this.watches = new ControllerZkWatches(zkClient, (event) => this.eventManager.put(event));
    this.topicDeletionManager = new TopicDeletionManager({
      brokerId,
      deleteTopicEnable: this.config.deleteTopicEnable,
      context: this.context,
      replicaStateMachine: this.replicaStateMachine,
      partitionStateMachine: this.partitionStateMachine,
      logger: prefixedLogger(this.config.logger, `[Topic Deletion Manager ${brokerId}] `),
      observer,
      client: {
        deleteTopic: async (topic, epochZkVersion) => {
          await zkClient.deleteTopicZNode(topic, epochZkVersion);
          await zkClient.deleteTopicConfigs([topic], epochZkVersion);
          await zkClient.deleteTopicDeletions([topic], epochZkVersion);
        },
        deleteTopicDeletions: (topics, epochZkVersion) =>
          zkClient.deleteTopicDeletions(topics, epochZkVersion),
        mutePartitionModifications: (topic) => this.watches.unwatchTopics([topic]),
        sendMetadataUpdate: (partitions) =>
          this.sendUpdateMetadataRequest(this.context.liveOrShuttingDownBrokerIds, partitions),
      },
    });
    const core = this.core();
    this.brokers = new BrokerLifecycle(core);
    this.topics = new TopicLifecycle(core);
    this.reassignment = new PartitionReassignment({
      context: this.context,
      zkClient,
      batch: this.batch,
      partitionStateMachine: this.partitionStateMachine,
      replicaStateMachine: this.replicaStateMachine,
      logger: prefixedLogger(this.config.logger, `[PartitionReassignment controllerId=${brokerId}] `),
      isActive: () => this.isActive,
      onReassignPartitionsCreated: () => this.eventManager.put({ name: 'ZkPartitionReassignment' }),
      resumeDeletionForTopics: (topics) => this.topicDeletionManager.resumeDeletionForTopics(topics),
      sendUpdateMetadataRequest: (brokers, partitions) => this.sendUpdateMetadataRequest(brokers, partitions),
    });
    this.preferredElection = new PreferredReplicaElection(core, {
      checkIntervalMs: this.config.leaderImbalanceCheckIntervalSeconds * 1000,
      imbalancePerBrokerPercentage: this.config.leaderImbalancePerBrokerPercentage,
      put: (event) => this.eventManager.put(event),
    });
    if (options.metrics) {
      this.observe(
        registerControllerStats(options.metrics, {
          context: this.context,
          isActive: () => this.isActive,
          currentEvent: () => this.eventManager.state,
          queueSize: () => this.eventManager.queueSize,
        }),
      );
    }
    if (options.eventJournal) this.observe(controllerJournalObserver(options.eventJournal, () => this.context.epoch));
  }

  // ---- public API -------------------------------------------------------------------------------

  /** True while this broker is the active controller. */
  get isActive(): boolean {
    return this.activeControllerId === this.config.brokerId;
  }

  /** The controller epoch this controller was elected with (0 when not active). */
  get epoch(): number {
    return this.context.epoch;
  }

  /** The broker id of the active controller as last seen, or -1. */
  get activeController(): number {
    return this.activeControllerId;
  }

  /**
   * Registers the session-expiry handler, puts Startup (watch /controller, try to elect) and
   * resolves once that event has been processed.
   */
  async startup(): Promise<void> {
    if (this.started) throw new Error('KafkaController.startup() called twice');
    this.started = true;
    const handler: StateChangeHandler = {
      name: STATE_CHANGE_HANDLER_NAME,
      beforeInitializingSession: async () => {
        const queued = this.eventManager.clearAndPut({ name: 'Expire' });
        // Kafka blocks the new session until Expire is being processed, so every earlier event
        // has finished. An event stuck waiting for a connection would deadlock that; bound it.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          queued.processingStarted,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.expireWaitMs))),
        ]);
        clearTimeout(timer);
      },
      afterInitializingSession: () => {
        this.eventManager.put({ name: 'RegisterBrokerAndReelect' });
      },
    };
    this.zkClient.registerStateChangeHandler(handler);
    await this.eventManager.put({ name: 'Startup' }).processed;
  }

  /**
   * Stops the event loop (queued events are preempted), resigns if active (without deleting
   * /controller: it goes with the broker's session) and closes every broker connection.
   */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    this.zkClient.unregisterStateChangeHandler(STATE_CHANGE_HANDLER_NAME);
    await this.eventManager.close();
    this.watches.unwatchController();
    const wasActive = this.isActive;
    this.activeControllerId = -1;
    await this.onControllerResignation(wasActive ? 'controller shut down' : null);
  }

  /**
   * A broker asks to shut down (the ControlledShutdown API): resolves with the partitions it still
   * leads, or an error code — NOT_CONTROLLER when this controller is not active or resigns before
   * the event is processed, REQUEST_TIMED_OUT when `deadlineMs` passes while it queues,
   * STALE_BROKER_EPOCH for a request from an earlier incarnation of the broker. Never rejects.
   */
  controlledShutdown(
    brokerId: number,
    brokerEpoch: number,
    { deadlineMs }: { deadlineMs?: number } = {},
  ): Promise<ControlledShutdownResult> {
    const { event, result } = controlledShutdownEvent(brokerId, brokerEpoch, deadlineMs);
    this.eventManager.put(event);
    return result;
  }

  /**
   * The ElectLeaders API: elects preferred (or unclean) leaders for `partitions` (null: all) and
   * resolves with per-partition results, or NOT_CONTROLLER / REQUEST_TIMED_OUT. Never rejects.
   */
  electLeaders(
    electionType: ElectionType,
    partitions: readonly TopicPartition[] | null,
    { deadlineMs }: { deadlineMs?: number } = {},
  ): Promise<ElectLeadersResult> {
    const { event, result } = electLeadersEvent(electionType, partitions, deadlineMs);
    this.eventManager.put(event);
    return result;
  }

  /**
   * The AlterPartitionReassignments API: starts (or, with a null target, cancels) reassignments and
   * resolves with per-partition results once they started, or NOT_CONTROLLER / REQUEST_TIMED_OUT.
   * Never rejects.
   */
  alterPartitionReassignments(
    reassignments: TopicPartitionMap<readonly number[] | null>,
    { deadlineMs }: { deadlineMs?: number } = {},
  ): Promise<AlterPartitionReassignmentsResult> {
    const { event, result } = apiPartitionReassignmentEvent(reassignments, deadlineMs);
    this.eventManager.put(event);
    return result;
  }

  /** The ListPartitionReassignments API (null partitions: all in progress). Never rejects. */
  listPartitionReassignments(
    partitions: readonly TopicPartition[] | null,
    { deadlineMs }: { deadlineMs?: number } = {},
  ): Promise<ListPartitionReassignmentsResult> {
    const { event, result } = listPartitionReassignmentsEvent(partitions, deadlineMs);
    this.eventManager.put(event);
    return result;
  }

  /** Subscribes to elections, broker changes, topic lifecycle and event timings; returns the unsubscribe. */
  observe(observer: ControllerObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Gauges for the metrics endpoint and dashboard; zero unless active. */
  metrics(): ControllerMetrics {
    return controllerMetrics(this.context, this.isActive, this.eventManager);
  }

  // ---- event dispatch ---------------------------------------------------------------------------

  private async process(event: ControllerEvent): Promise<void> {
    try {
      switch (event.name) {
        case 'Startup':
          await this.watches.watchController();
          return await this.elect();
        case 'ControllerChange':
          return await this.maybeResign();
        case 'Reelect':
          await this.maybeResign();
          return await this.elect();
        case 'RegisterBrokerAndReelect':
          await this.config.onNewSession?.();
          await this.maybeResign();
          return await this.elect();
        case 'Expire':
          return await this.processExpire();
        case 'BrokerChange':
          return await this.brokers.processBrokerChange();
        case 'BrokerModifications':
          return await this.brokers.processBrokerModification(event.brokerId);
        case 'LeaderAndIsrResponseReceived':
          return await this.brokers.processLeaderAndIsrResponseReceived(event.brokerId, event.response);
        case 'UpdateMetadataResponseReceived':
          if (event.errorCode !== 0)
            this.logger.warn(
              `Received error code ${event.errorCode} in UpdateMetadata response from broker ${event.brokerId}`,
            );
          return;
        case 'TopicChange':
          return await this.topics.processTopicChange();
        case 'PartitionModifications':
          return await this.topics.processPartitionModifications(event.topic);
        case 'TopicDeletion':
          return await this.topics.processTopicDeletion();
        case 'TopicDeletionStopReplicaResponseReceived':
          return await this.topics.processTopicDeletionStopReplicaResponseReceived(
            event.replicaId,
            event.requestErrorCode,
            event.partitionErrors,
          );
        case 'IsrChangeNotification':
          await this.topics.processIsrChangeNotification();
          return await this.reassignment.processIsrChange();
        case 'LogDirEventNotification':
          return await this.brokers.processLogDirEventNotification();
        case 'ControlledShutdown':
          return await this.processControlledShutdown(event);
        case 'ReplicaLeaderElection':
          return await this.preferredElection.processReplicaLeaderElection();
        case 'ElectLeaders':
          return await this.preferredElection.processElectLeaders(event);
        case 'AutoPreferredReplicaLeaderElection':
          return await this.preferredElection.processAutoPreferredReplicaLeaderElection();
        case 'ZkPartitionReassignment':
          await this.reassignment.processZkPartitionReassignment();
          return;
        case 'ApiPartitionReassignment':
          return await this.reassignment.processApiPartitionReassignment(event);
        case 'ListPartitionReassignments':
          return this.reassignment.processListPartitionReassignments(event);
        case 'PartitionReassignmentIsrChange':
          return await this.reassignment.processIsrChange();
      }
    } catch (error) {
      if (error instanceof ControllerMovedError) {
        this.logger.info(`Controller moved to another broker when processing ${event.name}.`);
        await this.maybeResign();
      } else if (ZkError.is(error, 'SESSIONEXPIRED')) {
        this.logger.warn(
          `ZooKeeper session expired while processing ${event.name}; waiting for the Expire event`,
        );
      } else {
        this.logger.error(`Error processing event ${event.name}`, error);
      }
    }
  }

  // ---- election, failover, resignation ----------------------------------------------------------

  /** Tries to create /controller and bump /controller_epoch; fails over on success. */
  private async elect(): Promise<void> {
    this.activeControllerId = (await this.zkClient.getControllerId()) ?? -1;
    if (this.activeControllerId !== -1) {
      this.logger.debug(
        `Broker ${this.activeControllerId} has been elected as the controller, so stopping the election process.`,
      );
      return;
    }
    try {
      const { epoch, epochZkVersion } = await this.zkClient.registerControllerAndIncrementControllerEpoch(
        this.config.brokerId,
      );
      this.context.epoch = epoch;
      this.context.epochZkVersion = epochZkVersion;
      this.activeControllerId = this.config.brokerId;
      this.logger.info(
        `${this.config.brokerId} successfully elected as the controller. Epoch incremented to ${epoch} and epoch zk version is now ${epochZkVersion}`,
      );
      this.notify({ type: 'ControllerElected', controllerId: this.config.brokerId, epoch, epochZkVersion });
      await this.onControllerFailover();
    } catch (error) {
      if (error instanceof ControllerMovedError) {
        await this.maybeResign();
        this.logger.debug(
          `Broker ${this.activeControllerId} was elected as controller instead of broker ${this.config.brokerId}`,
        );
      } else {
        this.logger.error(
          `Error while electing or becoming controller on broker ${this.config.brokerId}. Trigger controller movement immediately`,
          error,
        );
        await this.triggerControllerMove();
      }
    }
  }

  /**
   * Becoming the active controller, after winning /controller:
   *   1. watch brokers, topics, deletion markers, ISR and log-dir notifications and admin znodes
   *      (before reading, so no change between the read and the watch is missed);
   *   2. delete stale ISR-change and log-dir notifications (fenced): the full load covers them;
   *   3. load live brokers with epochs, topics, assignments and partition states into the context
   *      (reading each topic znode arms its watch) and connect to every live broker;
   *   4. queue the topics marked for deletion (or drop their markers when deletion is disabled);
   *   5. UpdateMetadata to every live broker, so they know the brokers before any LeaderAndIsr;
   *   6. partition then replica state machines start: leaders for new partitions and for those
   *      whose leader is offline first (their election also takes the dead replicas out of their
   *      ISRs), then LeaderAndIsr for every live replica and the dead replicas out of the other
   *      ISRs, as one batch. (Kafka starts the replica state machine first: the partitions of a
   *      dead leader then get an ISR shrink to leader -1 and then an election, two writes and three
   *      LeaderAndIsr rounds, and no leader until the whole ISR shrink is written. The end state is
   *      the same; only the order and the number of writes differ);
   *   7. resume topic deletions; act on a pending /admin/preferred_replica_election and start the
   *      leader-imbalance timer (PreferredReplicaElection). Reassignments in progress or
   *      requested in /admin/reassign_partitions resume first (PartitionReassignment).
   * Nothing here writes without the epoch fence, so a failover that raced with a newer controller
   * only fails.
   */
  private async onControllerFailover(): Promise<void> {
    const { zkClient, context } = this;
    this.logger.info('Registering handlers');
    await this.watches.watchForFailover();
    this.logger.info('Deleting log dir event notifications');
    await zkClient.deleteLogDirEventNotifications(context.epochZkVersion);
    this.logger.info('Deleting isr change notifications');
    await zkClient.deleteIsrChangeNotifications(context.epochZkVersion);
    this.logger.info('Initializing controller context');
    await this.initializeControllerContext();
    this.logger.info('Fetching topic deletions in progress');
    const topicsToBeDeleted = new Set(await zkClient.getTopicDeletions());
    const ineligible = new Set(
      [...context.allTopics].filter((t) =>
        context.replicasForTopic(t).some((r) => !context.isReplicaOnline(r.replica, r.topicPartition)),
      ),
    );
    for (const tp of context.partitionsBeingReassigned.keys()) ineligible.add(tp.topic);
    await this.topicDeletionManager.init(topicsToBeDeleted, ineligible);
    this.logger.info('Sending update metadata request');
    this.sendUpdateMetadataRequest(context.liveOrShuttingDownBrokerIds, []);
    await this.partitionStateMachine.startup();
    await this.replicaStateMachine.startup();
    this.logger.info(`Ready to serve as the new controller with epoch ${context.epoch}`);
    await this.reassignment.onControllerFailover();
    await this.topicDeletionManager.tryTopicDeletion();
    await this.preferredElection.onControllerFailover();
  }

  private async initializeControllerContext(): Promise<void> {
    const { zkClient, context } = this;
    const brokers = await zkClient.getAllBrokerAndEpochsInCluster();
    context.setLiveBrokers(brokers);
    this.logger.info(
      `Initialized broker epochs cache: ${brokers.map((b) => `${b.broker.id}:${b.epoch}`).join(',')}`,
    );
    context.setAllTopics(await zkClient.getAllTopicsInCluster({ registerWatch: true }));
    this.watches.watchTopics(context.allTopics);
    for (const { topic, topicId, partitions } of await zkClient.getReplicaAssignmentAndTopicIdForTopics(
      context.allTopics,
    )) {
      if (topicId !== null) context.topicIds.set(topic, topicId);
      for (const [partition, assignment] of partitions) {
        context.updatePartitionFullReplicaAssignment({ topic, partition }, assignment);
        if (assignment.addingReplicas.length > 0 || assignment.removingReplicas.length > 0)
          context.partitionsBeingReassigned.set({ topic, partition }, true);
      }
    }
    context.clearPartitionLeadershipInfo();
    context.shuttingDownBrokerIds.clear();
    await this.watches.watchBrokers(context.liveOrShuttingDownBrokerIds);
    await this.topics.updateLeaderAndIsrCache();
    this.channelManager.startup(context.liveOrShuttingDownBrokers.map((b) => b.broker));
    this.logger.info(`Currently active brokers in the cluster: ${context.liveBrokerIds.join(',')}`);
    this.logger.info(`Current list of topics in the cluster: ${[...context.allTopics].sort().join(',')}`);
  }

  /**
   * Stops acting as controller: unwatch everything but /controller, close broker connections,
   * drop any unsent batch, forget the context. Writes nothing.
   */
  private async onControllerResignation(reason: string | null): Promise<void> {
    this.logger.debug('Resigning');
    const epoch = this.context.epoch;
    this.watches.unwatchForResignation();
    this.preferredElection.onControllerResignation();
    await this.channelManager.shutdown();
    this.batch.clear();
    this.context.resetContext();
    if (reason !== null) {
      this.logger.info('Resigned');
      this.notify({ type: 'ControllerResigned', controllerId: this.config.brokerId, epoch, reason });
    }
  }

  /** Re-reads /controller (re-arming its watch) and resigns if it is no longer us. */
  private async maybeResign(): Promise<void> {
    const wasActive = this.isActive;
    await this.watches.watchController();
    this.activeControllerId = (await this.zkClient.getControllerId()) ?? -1;
    if (wasActive && !this.isActive)
      await this.onControllerResignation(`controller moved to broker ${this.activeControllerId}`);
  }

  /** Answers the waiting broker in every case; a ControllerMovedError is rethrown so we resign. */
  private async processControlledShutdown(event: ControlledShutdownEvent): Promise<void> {
    try {
      const remainingPartitions = await doControlledShutdown(
        {
          context: this.context,
          partitionStateMachine: this.partitionStateMachine,
          replicaStateMachine: this.replicaStateMachine,
          logger: this.logger,
          isActive: this.isActive,
        },
        event.brokerId,
        event.brokerEpoch,
      );
      event.callback({ errorCode: ErrorCode.NONE, remainingPartitions });
    } catch (error) {
      const errorCode = controlledShutdownErrorCode(error);
      event.callback({ errorCode, remainingPartitions: [] });
      if (!(error instanceof ControlledShutdownRefusedError)) throw error;
    }
  }

  private async processExpire(): Promise<void> {
    const wasActive = this.isActive;
    this.activeControllerId = -1;
    await this.onControllerResignation(wasActive ? 'ZooKeeper session expired' : null);
  }

  /** Resigns and deletes /controller (fenced) so another broker takes over: failover went wrong. */
  private async triggerControllerMove(): Promise<void> {
    this.activeControllerId = (await this.zkClient.getControllerId()) ?? -1;
    if (!this.isActive) {
      this.logger.warn('Controller has already moved when trying to trigger controller movement');
      return;
    }
    const expectedControllerEpochZkVersion = this.context.epochZkVersion;
    this.activeControllerId = -1;
    await this.onControllerResignation('error while becoming controller');
    try {
      await this.zkClient.deleteController(expectedControllerEpochZkVersion);
    } catch (error) {
      if (!(error instanceof ControllerMovedError)) throw error;
      this.logger.warn('Controller has already moved when trying to trigger controller movement');
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private sendUpdateMetadataRequest(brokers: readonly number[], partitions: readonly TopicPartition[]): void {
    this.batch.newBatch();
    this.batch.addUpdateMetadataRequestForBrokers(brokers, partitions);
    this.batch.sendRequestsToBrokers(this.context.epoch);
  }

  private notify(notification: ControllerNotification): void {
    for (const observer of this.observers) {
      try {
        observer(notification);
      } catch (error) {
        this.logger.warn(`Controller observer failed on ${notification.type}`, error);
      }
    }
  }

  private core(): ControllerCore {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const controller = this;
    return {
      config: this.config,
      context: this.context,
      zkClient: this.zkClient,
      channelManager: this.channelManager,
      partitionStateMachine: this.partitionStateMachine,
      replicaStateMachine: this.replicaStateMachine,
      topicDeletionManager: this.topicDeletionManager,
      watches: this.watches,
      logger: this.logger,
      get isActive() {
        return controller.isActive;
      },
      notify: (n) => this.notify(n),
      sendUpdateMetadataRequest: (brokers, partitions) => this.sendUpdateMetadataRequest(brokers, partitions),
    };
  }
}
