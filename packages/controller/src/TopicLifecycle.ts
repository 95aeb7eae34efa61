import { TopicPartitionMap, topicPartitionKey, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { TopicPartitionsZNode, type ReplicaAssignment } from '@samsa/zk';
import type { ControllerCore } from './ControllerCore';
import { offlinePartitionStrategy } from './Election';
import { partitionAndReplica } from './PartitionAndReplica';

/**
 * Topics and partitions coming and going (the topic half of Kafka's KafkaController): TopicChange,
 * PartitionModifications, TopicDeletion, StopReplica answers for deletions and ISR change
 * notifications.
 */
export class TopicLifecycle {
  constructor(private readonly core: ControllerCore) {}

  /**
   * Level-triggered: re-reads /brokers/topics (re-arming the child watch) and diffs it against the
   * context. New topics are watched for partition changes, their assignments loaded (which arms
   * those watches) and their partitions created; vanished topics are forgotten.
   */
  async processTopicChange(): Promise<void> {
    const { context, zkClient, watches, logger } = this.core;
    if (!this.core.isActive) return;
    const topics = await zkClient.getAllTopicsInCluster({ registerWatch: true });
    const newTopics = [...topics].filter((t) => !context.allTopics.has(t));
    const deletedTopics = [...context.allTopics].filter((t) => !topics.has(t));
    context.setAllTopics(topics);
    watches.watchTopics(newTopics);
    const added = await zkClient.getReplicaAssignmentAndTopicIdForTopics(newTopics);
    for (const t of deletedTopics) {
      watches.unwatchTopics([t]);
      context.removeTopic(t);
    }
    const newPartitions: TopicPartition[] = [];
    for (const { topic, topicId, partitions } of added) {
      if (topicId !== null) context.topicIds.set(topic, topicId);
      for (const [partition, assignment] of partitions) {
        context.updatePartitionFullReplicaAssignment({ topic, partition }, assignment);
        newPartitions.push({ topic, partition });
      }
      if (partitions.size > 0)
        this.core.notify({
          type: 'TopicCreated',
          topic,
          partitions: [...partitions.keys()].sort((a, b) => a - b),
        });
    }
    logger.info(
      `New topics: [${newTopics.join(',')}], deleted topics: [${deletedTopics.join(',')}], ` +
        `new partitions: [${newPartitions.map(topicPartitionKey).join(',')}]`,
    );
    if (newPartitions.length > 0) await this.onNewPartitionCreation(newPartitions);
  }

  /**
   * /brokers/topics/<topic> changed: partitions added by kafka-topics --alter / CreatePartitions are
   * created. While the topic is being deleted, added partitions are refused by writing back the
   * assignment of the partitions that exist (fenced).
   */
  async processPartitionModifications(topic: string): Promise<void> {
    const { context, zkClient, topicDeletionManager, logger } = this.core;
    if (!this.core.isActive) return;
    const assignment = await zkClient.getFullReplicaAssignmentForTopics([topic]);
    const toAdd = assignment.entries().filter(([tp]) => context.partitionReplicaAssignment(tp).length === 0);
    if (topicDeletionManager.isTopicQueuedUpForDeletion(topic)) {
      if (toAdd.length === 0) {
        logger.info('Ignoring partition change during topic deletion as no new partitions are added');
        return;
      }
      logger.warn(
        `Skipping adding partitions ${toAdd.map(([tp]) => tp.partition).join(',')} for topic ${topic} since it is currently being deleted`,
      );
      const existing = new Set(await zkClient.getChildren(TopicPartitionsZNode.path(topic)));
      const restored = new Map<number, ReplicaAssignment>();
      for (const [tp] of assignment) {
        const known = context.partitionFullReplicaAssignment(tp);
        if (existing.has(String(tp.partition)) && known !== undefined) restored.set(tp.partition, known);
      }
      await zkClient.setTopicAssignment(
        topic,
        context.topicIds.get(topic) ?? null,
        restored,
        context.epochZkVersion,
      );
      return;
    }
    if (toAdd.length === 0) return;
    logger.info(`New partitions to be added ${toAdd.map(([tp]) => topicPartitionKey(tp)).join(',')}`);
    for (const [tp, a] of toAdd) context.updatePartitionFullReplicaAssignment(tp, a);
    await this.onNewPartitionCreation(toAdd.map(([tp]) => tp));
  }

  /**
   * New partitions (Kafka onNewPartitionCreation):
   *   1. NonExistentPartition → NewPartition, replicas NonExistentReplica → NewReplica;
   *   2. NewPartition → OnlinePartition: state znodes created (fenced) with leader = first live
   *      replica and ISR = live replicas, then LeaderAndIsr to the ISR and UpdateMetadata to all;
   *   3. replicas NewReplica → OnlineReplica.
   * A crash before step 2 leaves partitions without state znodes: the next controller finds them
   * NewPartition and finishes.
   */
  async onNewPartitionCreation(newPartitions: readonly TopicPartition[]): Promise<void> {
    const { context, partitionStateMachine, replicaStateMachine, logger } = this.core;
    logger.info(`New partition creation callback for ${newPartitions.map(topicPartitionKey).join(',')}`);
    await partitionStateMachine.handleStateChanges(newPartitions, 'NewPartition');
    await replicaStateMachine.handleStateChanges(context.replicasForPartitions(newPartitions), 'NewReplica');
    await partitionStateMachine.handleStateChanges(
      newPartitions,
      'OnlinePartition',
      offlinePartitionStrategy(false),
    );
    await replicaStateMachine.handleStateChanges(
      context.replicasForPartitions(newPartitions),
      'OnlineReplica',
    );
  }

  /**
   * /admin/delete_topics changed: markers of unknown topics and of internal topics are removed;
   * with delete.topic.enable the rest are queued for deletion (TopicDeletionManager), without it
   * only their markers go.
   */
  async processTopicDeletion(): Promise<void> {
    const { context, zkClient, config, topicDeletionManager, logger } = this.core;
    if (!this.core.isActive) return;
    let marked = new Set(await zkClient.getTopicDeletions());
    const nonExistent = [...marked].filter((t) => !context.allTopics.has(t));
    if (nonExistent.length > 0) {
      logger.warn(`Ignoring request to delete non-existing topics ${nonExistent.join(',')}`);
      await zkClient.deleteTopicDeletions(nonExistent, context.epochZkVersion);
    }
    for (const t of nonExistent) marked.delete(t);
    marked = await topicDeletionManager.withoutInternalTopics(marked);
    if (marked.size === 0) return;
    if (!config.deleteTopicEnable) {
      logger.info(`Removing ${[...marked].join(',')} since delete topic is disabled`);
      await zkClient.deleteTopicDeletions([...marked], context.epochZkVersion);
      return;
    }
    logger.info(`Starting topic deletion for topics ${[...marked].join(',')}`);
    const reassigning = new Set(context.partitionsBeingReassigned.keys().map((tp) => tp.topic));
    topicDeletionManager.markTopicIneligibleForDeletion(
      [...marked].filter((t) => reassigning.has(t)),
      'topic reassignment in progress',
    );
    await topicDeletionManager.enqueueTopicsForDeletion(marked);
  }

  /** A broker answered StopReplica(delete) for partitions of topics being deleted. */
  async processTopicDeletionStopReplicaResponseReceived(
    replicaId: number,
    requestErrorCode: number,
    partitionErrors: TopicPartitionMap<number>,
  ): Promise<void> {
    if (!this.core.isActive) return;
    const inError = partitionErrors
      .entries()
      .filter(([, code]) => requestErrorCode !== ErrorCode.NONE || code !== ErrorCode.NONE)
      .map(([tp]) => tp);
    const failed = inError.map((tp) => partitionAndReplica(tp, replicaId));
    const deletion = this.core.topicDeletionManager;
    await deletion.failReplicaDeletion(failed);
    if (inError.length !== partitionErrors.size) {
      const failedKeys = new Set(inError.map(topicPartitionKey));
      const deleted = partitionErrors.keys().filter((tp) => !failedKeys.has(topicPartitionKey(tp)));
      await deletion.completeReplicaDeletion(deleted.map((tp) => partitionAndReplica(tp, replicaId)));
    }
  }

  /**
   * Leaders announced ISR changes under /isr_change_notification: re-read those partitions' states,
   * UpdateMetadata to every broker, then delete the notifications (fenced), also when this failed.
   */
  async processIsrChangeNotification(): Promise<void> {
    const { context, zkClient } = this.core;
    if (!this.core.isActive) return;
    const sequenceNumbers = await zkClient.getAllIsrChangeNotifications();
    try {
      const partitions = await zkClient.getPartitionsFromIsrChangeNotifications(sequenceNumbers);
      if (partitions.length === 0) return;
      await this.updateLeaderAndIsrCache(partitions);
      this.core.sendUpdateMetadataRequest(context.liveOrShuttingDownBrokerIds, partitions);
      // Hook for reassignment (later issue): complete reassignments whose ISR caught up.
    } finally {
      await zkClient.deleteIsrChangeNotifications(context.epochZkVersion, sequenceNumbers);
    }
  }

  /** Reads the state znodes of `partitions` (all known ones by default) into the context. */
  async updateLeaderAndIsrCache(
    partitions: readonly TopicPartition[] = this.core.context.allPartitions,
  ): Promise<void> {
    const known = partitions.filter(
      (tp) => this.core.context.partitionFullReplicaAssignment(tp) !== undefined,
    );
    const states = await this.core.zkClient.getTopicPartitionStates(known);
    for (const [tp, state] of states) this.core.context.putPartitionLeadershipInfo(tp, state);
  }
}
