import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import { ErrorCode, errorInfo } from '@samsa/protocol';
import type { ControllerCore } from './ControllerCore';
import type { BrokerChange } from './ControllerNotification';
import type { PartitionErrors } from './ControlRequests';
import { partitionAndReplica, type PartitionAndReplica } from './PartitionAndReplica';

/**
 * Brokers coming and going, as the controller reacts to them (the broker half of Kafka's
 * KafkaController): BrokerChange, BrokerModifications, log directory failures and LeaderAndIsr responses.
 */
export class BrokerLifecycle {
  constructor(private readonly core: ControllerCore) {}

  /**
   * Level-triggered: re-reads /brokers/ids and diffs it against the context. A broker whose
   * registration has a newer epoch (czxid) than we know restarted in between: it is handled as
   * failed and then started, so it gets its full state again.
   */
  async processBrokerChange(): Promise<void> {
    const { context, zkClient, channelManager, logger } = this.core;
    if (!this.core.isActive) return;
    const current = await zkClient.getAllBrokerAndEpochsInCluster();
    const currentById = new Map(current.map((b) => [b.broker.id, b]));
    const known = new Set(context.liveOrShuttingDownBrokerIds);
    const newIds = [...currentById.keys()].filter((id) => !known.has(id)).sort((a, b) => a - b);
    const deadIds = [...known].filter((id) => !currentById.has(id)).sort((a, b) => a - b);
    const bouncedIds = [...currentById.keys()]
      .filter((id) => known.has(id) && currentById.get(id)!.epoch > context.brokerEpoch(id)!)
      .sort((a, b) => a - b);
    const liveIds = [...currentById.keys()].sort((a, b) => a - b);
    logger.info(
      `Newly added brokers: ${newIds.join(',')}, deleted brokers: ${deadIds.join(',')}, ` +
        `bounced brokers: ${bouncedIds.join(',')}, all live brokers: ${liveIds.join(',')}`,
    );
    if (newIds.length + deadIds.length + bouncedIds.length === 0) return;

    for (const id of newIds) channelManager.addBroker(currentById.get(id)!.broker);
    for (const id of bouncedIds) {
      channelManager.removeBroker(id);
      channelManager.addBroker(currentById.get(id)!.broker);
    }
    for (const id of deadIds) channelManager.removeBroker(id);

    const changes: BrokerChange[] = [
      ...newIds.map((brokerId) => ({
        brokerId,
        change: 'added' as const,
        reason: 'registered in /brokers/ids',
      })),
      ...bouncedIds.map((brokerId) => ({
        brokerId,
        change: 'bounced' as const,
        reason: `re-registered with a new broker epoch ${currentById.get(brokerId)!.epoch}`,
      })),
      ...deadIds.map((brokerId) => ({
        brokerId,
        change: 'removed' as const,
        reason: 'registration deleted (session ended)',
      })),
    ];
    this.core.notify({ type: 'BrokerChange', changes, liveBrokerIds: liveIds });

    if (newIds.length > 0) {
      context.addLiveBrokers(newIds.map((id) => currentById.get(id)!));
      await this.onBrokerStartup(newIds);
    }
    if (bouncedIds.length > 0) {
      context.removeLiveBrokers(bouncedIds);
      await this.onBrokerFailure(bouncedIds);
      context.addLiveBrokers(bouncedIds.map((id) => currentById.get(id)!));
      await this.onBrokerStartup(bouncedIds);
    }
    if (deadIds.length > 0) {
      context.removeLiveBrokers(deadIds);
      await this.onBrokerFailure(deadIds);
    }
  }

  /** A broker rewrote its registration: if its endpoints changed, every broker hears of it. */
  async processBrokerModification(brokerId: number): Promise<void> {
    const { context, zkClient, logger } = this.core;
    if (!this.core.isActive) return;
    const updated = await zkClient.getBroker(brokerId);
    const known = context.liveOrShuttingDownBroker(brokerId);
    if (updated === null || known === undefined) return;
    if (
      JSON.stringify(updated.endPoints) === JSON.stringify(known.broker.endPoints) &&
      JSON.stringify(updated.features) === JSON.stringify(known.broker.features)
    )
      return;
    logger.info(`Updated broker metadata of broker ${brokerId}`);
    context.updateBrokerMetadata(updated);
    this.core.sendUpdateMetadataRequest(context.liveOrShuttingDownBrokerIds, []);
  }

  /**
   * New brokers:
   *   1. UpdateMetadata without partitions to the others (they learn of the new brokers), and with
   *      every led partition to the new ones;
   *   2. their replicas go OnlineReplica (LeaderAndIsr for everything they host);
   *   3. new and offline partitions try to go online (the new brokers may lead them);
   *   4. topic deletions waiting for these brokers resume;
   *   5. their registrations are watched for modifications.
   */
  async onBrokerStartup(newBrokers: readonly number[]): Promise<void> {
    const { context, replicaStateMachine, partitionStateMachine, topicDeletionManager, logger } = this.core;
    logger.info(`New broker startup callback for ${newBrokers.join(',')}`);
    for (const id of newBrokers) context.replicasOnOfflineDirs.delete(id);
    const newSet = new Set(newBrokers);
    const existing = context.liveOrShuttingDownBrokerIds.filter((id) => !newSet.has(id));
    this.core.sendUpdateMetadataRequest(existing, []);
    this.core.sendUpdateMetadataRequest(newBrokers, context.partitionsWithLeaders);
    const replicasOnNewBrokers = context.replicasOnBrokers(newSet);
    await replicaStateMachine.handleStateChanges(replicasOnNewBrokers, 'OnlineReplica');
    await partitionStateMachine.triggerOnlinePartitionStateChange();
    // Hook for reassignment (later issue): resume reassignments whose targets include these brokers.
    const deletingTopics = new Set(
      replicasOnNewBrokers
        .filter((r) => topicDeletionManager.isTopicQueuedUpForDeletion(r.topicPartition.topic))
        .map((r) => r.topicPartition.topic),
    );
    if (deletingTopics.size > 0) {
      logger.info(
        `Some replicas for topics scheduled for deletion ${[...deletingTopics].join(',')} are on the newly restarted ` +
          `brokers ${newBrokers.join(',')}. Signaling restart of topic deletion for these topics`,
      );
      await topicDeletionManager.resumeDeletionForTopics(deletingTopics);
    }
    await this.core.watches.watchBrokers(newBrokers);
  }

  /** Dead brokers: their replicas go offline; they are no longer watched. */
  async onBrokerFailure(deadBrokers: readonly number[]): Promise<void> {
    const { context, logger } = this.core;
    logger.info(`Broker failure callback for ${deadBrokers.join(',')}`);
    for (const id of deadBrokers) {
      context.replicasOnOfflineDirs.delete(id);
      if (context.shuttingDownBrokerIds.delete(id))
        logger.info(`Removed ${id} from list of shutting down brokers.`);
    }
    await this.onReplicasBecomeOffline(context.replicasOnBrokers(deadBrokers));
    this.core.watches.unwatchBrokers(deadBrokers);
  }

  /**
   * Replicas that went offline (dead broker or failed log directory):
   *   1. partitions they led go OfflinePartition;
   *   2. new and offline partitions are elected (OfflinePartition strategy) → LeaderAndIsr and
   *      UpdateMetadata with the new leader epoch;
   *   3. the replicas go OfflineReplica (leave the ISR), except those of topics being deleted,
   *      whose deletion fails for now;
   *   4. if no leader changed, every broker still gets UpdateMetadata (offline replicas changed).
   */
  async onReplicasBecomeOffline(newOfflineReplicas: readonly PartitionAndReplica[]): Promise<void> {
    const { context, partitionStateMachine, replicaStateMachine, topicDeletionManager } = this.core;
    const forDeletion = newOfflineReplicas.filter((r) =>
      topicDeletionManager.isTopicQueuedUpForDeletion(r.topicPartition.topic),
    );
    const notForDeletion = newOfflineReplicas.filter(
      (r) => !topicDeletionManager.isTopicQueuedUpForDeletion(r.topicPartition.topic),
    );
    const partitionsWithOfflineLeader = context.partitionsWithOfflineLeader;
    await partitionStateMachine.handleStateChanges(partitionsWithOfflineLeader, 'OfflinePartition');
    await partitionStateMachine.triggerOnlinePartitionStateChange();
    await replicaStateMachine.handleStateChanges(notForDeletion, 'OfflineReplica');
    if (forDeletion.length > 0) await topicDeletionManager.failReplicaDeletion(forDeletion);
    if (partitionsWithOfflineLeader.length === 0)
      this.core.sendUpdateMetadataRequest(context.liveOrShuttingDownBrokerIds, []);
  }

  /**
   * Brokers announced failed log directories under /log_dir_event_notification: every replica on
   * them gets LeaderAndIsr again, and those on a failed directory answer KAFKA_STORAGE_ERROR
   * (handled below). The notifications are deleted (fenced), also when this failed.
   */
  async processLogDirEventNotification(): Promise<void> {
    const { context, zkClient, replicaStateMachine, logger } = this.core;
    if (!this.core.isActive) return;
    const sequenceNumbers = await zkClient.getAllLogDirEventNotifications();
    try {
      const brokerIds = [...new Set(await zkClient.getBrokerIdsFromLogDirEvents(sequenceNumbers))];
      if (brokerIds.length === 0) return;
      logger.info(`Handling log directory failure for brokers ${brokerIds.join(',')}`);
      await replicaStateMachine.handleStateChanges(context.replicasOnBrokers(brokerIds), 'OnlineReplica');
    } finally {
      await zkClient.deleteLogDirEventNotifications(context.epochZkVersion, sequenceNumbers);
    }
  }

  /**
   * A broker answered LeaderAndIsr. Partitions it reports as KAFKA_STORAGE_ERROR are on a failed
   * log directory: those newly offline are handled like replicas of a dead broker.
   */
  async processLeaderAndIsrResponseReceived(brokerId: number, response: PartitionErrors): Promise<void> {
    const { context, config } = this.core;
    if (!this.core.isActive) return;
    const log = () => config.stateChangeLogger;
    if (response.errorCode !== ErrorCode.NONE) {
      log().error(
        `Received error ${errorInfo(response.errorCode).name} in LeaderAndIsr response from broker ${brokerId}`,
      );
      return;
    }
    const offline: TopicPartition[] = [];
    const online: TopicPartition[] = [];
    for (const [tp, code] of response.partitionErrors) {
      if (code === ErrorCode.KAFKA_STORAGE_ERROR) offline.push(tp);
      else if (code === ErrorCode.NONE) online.push(tp);
    }
    const previous = context.replicasOnOfflineDirs.get(brokerId) ?? new Set<string>();
    const current = new Set(previous);
    for (const tp of online) current.delete(topicPartitionKey(tp));
    for (const tp of offline) current.add(topicPartitionKey(tp));
    context.replicasOnOfflineDirs.set(brokerId, current);
    const newlyOffline = offline.filter((tp) => !previous.has(topicPartitionKey(tp)));
    if (newlyOffline.length > 0)
      await this.onReplicasBecomeOffline(newlyOffline.map((tp) => partitionAndReplica(tp, brokerId)));
  }
}
