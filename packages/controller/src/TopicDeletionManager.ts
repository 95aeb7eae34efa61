import { type Logger, type TopicPartition } from '@samsa/common';
import { isInternalTopic } from '@samsa/zk';
import type { ControllerContext } from './ControllerContext';
import type { ControllerObserver } from './ControllerNotification';
import { distinctReplicas, type PartitionAndReplica } from './PartitionAndReplica';
import type { PartitionStateMachine } from './PartitionStateMachine';
import type { ReplicaStateMachine } from './ReplicaStateMachine';

/** What topic deletion needs from the controller besides the state machines. */
export interface DeletionClient {
  /** Deletes /brokers/topics/T, /config/topics/T and the marker /admin/delete_topics/T (fenced). */
  deleteTopic(topic: string, epochZkVersion: number): Promise<void>;
  /** Deletes markers only (fenced). */
  deleteTopicDeletions(topics: readonly string[], epochZkVersion: number): Promise<void>;
  /** Stops watching the topic's znode, so a re-created topic is seen as new. */
  mutePartitionModifications(topic: string): void;
  /** UpdateMetadata for `partitions` to every live broker. */
  sendMetadataUpdate(partitions: readonly TopicPartition[]): void;
}

export interface TopicDeletionManagerOptions {
  readonly brokerId: number;
  readonly deleteTopicEnable: boolean;
  readonly context: ControllerContext;
  readonly replicaStateMachine: ReplicaStateMachine;
  readonly partitionStateMachine: PartitionStateMachine;
  readonly client: DeletionClient;
  readonly logger: Logger;
  readonly observer?: ControllerObserver;
}

/**
 * Deletes topics marked under /admin/delete_topics (Kafka TopicDeletionManager).
 *
 * With delete.topic.enable=false a marker is removed and nothing else happens. So is a marker for
 * an internal topic (__consumer_offsets, __transaction_state), whatever wrote it: an old
 * `kafka-topics --zookeeper --delete`, a script, a hand in zkCli. Kafka 2.8 refuses those only in
 * its clients (TopicCommand: "is a kafka internal topic and is not allowed to be marked for
 * deletion") and its controller would delete them, losing every group's offsets and every
 * transaction's state; Samsa's controller refuses them too (issue 13), the way Kafka's treats the
 * markers it will not act on: logged and removed. Otherwise a topic is
 * queued and, while no replica of it is in ReplicaDeletionStarted and none is ineligible:
 *   1. its partitions go OfflinePartition → NonExistentPartition (no more elections);
 *   2. UpdateMetadata tells every broker the partitions are being deleted (leader -2);
 *   3. replicas on dead brokers go ReplicaDeletionIneligible and the topic waits for them;
 *   4. live replicas go OfflineReplica (StopReplica, leave the ISR) → ReplicaDeletionStarted
 *      (StopReplica delete=true);
 *   5. each broker's answer moves its replicas to ReplicaDeletionSuccessful, or, on error,
 *      ReplicaDeletionIneligible — retried (back to OfflineReplica) when the topic is resumed,
 *      e.g. when a broker with one of its replicas comes back;
 *   6. when every replica is ReplicaDeletionSuccessful: replicas go NonExistentReplica, then
 *      /brokers/topics/T, /config/topics/T and the marker are deleted (the marker last, so a crash
 *      in between leaves a marker that the next controller finishes), then the context forgets T.
 */
export class TopicDeletionManager {
  constructor(private readonly options: TopicDeletionManagerOptions) {}

  private get context(): ControllerContext {
    return this.options.context;
  }

  get isDeleteTopicEnabled(): boolean {
    return this.options.deleteTopicEnable;
  }

  /** On failover, with the markers found and the topics that cannot be deleted now. */
  async init(
    topicsToBeDeleted: ReadonlySet<string>,
    topicsIneligibleForDeletion: ReadonlySet<string>,
  ): Promise<void> {
    this.options.logger.info(
      `Initializing manager with initial deletions: ${[...topicsToBeDeleted].join(',')}, ` +
        `initial ineligible deletions: ${[...topicsIneligibleForDeletion].join(',')}`,
    );
    const toDelete = await this.withoutInternalTopics(topicsToBeDeleted);
    if (this.isDeleteTopicEnabled) {
      this.context.queueTopicDeletion(toDelete);
      for (const t of topicsIneligibleForDeletion)
        if (this.context.topicsToBeDeleted.has(t)) this.context.topicsIneligibleForDeletion.add(t);
    } else if (toDelete.size > 0) {
      this.options.logger.info(`Removing ${[...toDelete].join(',')} since delete topic is disabled`);
      await this.options.client.deleteTopicDeletions([...toDelete], this.context.epochZkVersion);
    }
  }

  /**
   * `marked` without the internal topics, whose markers are removed (fenced) and never acted on:
   * see the class comment. Called wherever markers are read (the TopicDeletion event, failover).
   */
  async withoutInternalTopics(marked: ReadonlySet<string>): Promise<Set<string>> {
    const internal = [...marked].filter(isInternalTopic);
    if (internal.length > 0) {
      this.options.logger.warn(
        `Ignoring request to delete internal topics ${internal.join(',')}: ` +
          'internal topics are not allowed to be deleted; removing their deletion markers',
      );
      await this.options.client.deleteTopicDeletions(internal, this.context.epochZkVersion);
    }
    return new Set([...marked].filter((t) => !isInternalTopic(t)));
  }

  async tryTopicDeletion(): Promise<void> {
    if (this.isDeleteTopicEnabled) await this.resumeDeletions();
  }

  async enqueueTopicsForDeletion(topics: ReadonlySet<string>): Promise<void> {
    if (!this.isDeleteTopicEnabled) return;
    this.context.queueTopicDeletion(topics);
    await this.resumeDeletions();
  }

  /** Clears the ineligible mark of `topics` (a broker came back) and resumes. */
  async resumeDeletionForTopics(topics: ReadonlySet<string>): Promise<void> {
    if (!this.isDeleteTopicEnabled) return;
    const resumed = [...topics].filter((t) => this.context.topicsToBeDeleted.has(t));
    if (resumed.length === 0) return;
    for (const t of resumed) this.context.topicsIneligibleForDeletion.delete(t);
    await this.resumeDeletions();
  }

  /** Replicas whose deletion failed (an error answer, or their broker died): ineligible until resumed. */
  async failReplicaDeletion(replicas: readonly PartitionAndReplica[]): Promise<void> {
    if (!this.isDeleteTopicEnabled) return;
    const failed = replicas.filter((r) => this.context.isTopicQueuedUpForDeletion(r.topicPartition.topic));
    if (failed.length === 0) return;
    const topics = new Set(failed.map((r) => r.topicPartition.topic));
    this.options.logger.debug(
      `Deletion failed for replicas ${failed.length}. Halting deletion for topics ${[...topics]}`,
    );
    await this.options.replicaStateMachine.handleStateChanges(failed, 'ReplicaDeletionIneligible');
    this.markTopicIneligibleForDeletion(topics, 'replica deletion failure');
    await this.resumeDeletions();
  }

  markTopicIneligibleForDeletion(topics: Iterable<string>, reason: string): void {
    if (!this.isDeleteTopicEnabled) return;
    const halted = [...topics].filter((t) => this.context.topicsToBeDeleted.has(t));
    for (const t of halted) this.context.topicsIneligibleForDeletion.add(t);
    if (halted.length > 0)
      this.options.logger.info(`Halted deletion of topics ${halted.join(',')} due to ${reason}`);
  }

  isTopicQueuedUpForDeletion(topic: string): boolean {
    return this.isDeleteTopicEnabled && this.context.isTopicQueuedUpForDeletion(topic);
  }

  /** Replicas whose StopReplica(delete) succeeded. */
  async completeReplicaDeletion(replicas: readonly PartitionAndReplica[]): Promise<void> {
    const deleted = replicas.filter((r) => this.isTopicQueuedUpForDeletion(r.topicPartition.topic));
    await this.options.replicaStateMachine.handleStateChanges(deleted, 'ReplicaDeletionSuccessful');
    await this.resumeDeletions();
  }

  private isTopicEligibleForDeletion(topic: string): boolean {
    return (
      this.context.isTopicQueuedUpForDeletion(topic) &&
      !this.context.isAnyReplicaInState(topic, 'ReplicaDeletionStarted') &&
      !this.context.topicsIneligibleForDeletion.has(topic)
    );
  }

  private async resumeDeletions(): Promise<void> {
    const queued = [...this.context.topicsToBeDeleted];
    const retry = new Set<string>();
    const eligible = new Set<string>();
    if (queued.length > 0) this.options.logger.info(`Handling deletion for topics ${queued.join(',')}`);
    for (const topic of queued) {
      if (this.context.areAllReplicasInState(topic, 'ReplicaDeletionSuccessful')) {
        await this.completeDeleteTopic(topic);
        this.options.logger.info(`Deletion of topic ${topic} successfully completed`);
        continue;
      }
      if (
        !this.context.isAnyReplicaInState(topic, 'ReplicaDeletionStarted') &&
        this.context.isAnyReplicaInState(topic, 'ReplicaDeletionIneligible')
      )
        retry.add(topic);
      if (this.isTopicEligibleForDeletion(topic)) {
        this.options.logger.info(`Deletion of topic ${topic} (re)started`);
        eligible.add(topic);
      }
    }
    if (retry.size > 0) await this.retryDeletionForIneligibleReplicas(retry);
    if (eligible.size > 0) await this.onTopicDeletion(eligible);
  }

  /** Ineligible replicas go back to OfflineReplica, from where deletion starts again. */
  private async retryDeletionForIneligibleReplicas(topics: ReadonlySet<string>): Promise<void> {
    const failed = [...topics].flatMap((t) => this.context.replicasInState(t, 'ReplicaDeletionIneligible'));
    this.options.logger.debug(`Retrying deletion of topics ${[...topics].join(',')}`);
    await this.options.replicaStateMachine.handleStateChanges(failed, 'OfflineReplica');
  }

  /** Step 6 of the recipe above. */
  private async completeDeleteTopic(topic: string): Promise<void> {
    this.options.client.mutePartitionModifications(topic);
    const replicas = this.context.replicasInState(topic, 'ReplicaDeletionSuccessful');
    await this.options.replicaStateMachine.handleStateChanges(replicas, 'NonExistentReplica');
    await this.options.client.deleteTopic(topic, this.context.epochZkVersion);
    this.context.removeTopic(topic);
    this.options.observer?.({ type: 'TopicDeleted', topic });
  }

  /** Steps 1–2 for topics not started yet, then steps 3–4. */
  private async onTopicDeletion(topics: ReadonlySet<string>): Promise<void> {
    const unseen = [...topics].filter((t) => !this.context.topicsWithDeletionStarted.has(t));
    if (unseen.length > 0) {
      const partitions = unseen.flatMap((t) => this.context.partitionsForTopic(t));
      await this.options.partitionStateMachine.handleStateChanges(partitions, 'OfflinePartition');
      await this.options.partitionStateMachine.handleStateChanges(partitions, 'NonExistentPartition');
      this.context.beginTopicDeletion(unseen);
      for (const topic of unseen) this.options.observer?.({ type: 'TopicDeletionStarted', topic });
    }
    this.options.client.sendMetadataUpdate([...topics].flatMap((t) => this.context.partitionsForTopic(t)));
    await this.onPartitionDeletion(topics);
  }

  private async onPartitionDeletion(topics: ReadonlySet<string>): Promise<void> {
    const dead: PartitionAndReplica[] = [];
    const retry: PartitionAndReplica[] = [];
    const ineligible = new Set<string>();
    for (const topic of topics) {
      const replicas = this.context.replicasForTopic(topic);
      const alive = replicas.filter((r) => this.context.isReplicaOnline(r.replica, r.topicPartition));
      const deadHere = replicas.filter((r) => !this.context.isReplicaOnline(r.replica, r.topicPartition));
      retry.push(...alive.filter((r) => this.context.replicaState(r) !== 'ReplicaDeletionSuccessful'));
      dead.push(...deadHere);
      if (deadHere.length > 0) ineligible.add(topic);
    }
    const rsm = this.options.replicaStateMachine;
    await rsm.handleStateChanges(distinctReplicas(dead), 'ReplicaDeletionIneligible');
    await rsm.handleStateChanges(distinctReplicas(retry), 'OfflineReplica');
    await rsm.handleStateChanges(distinctReplicas(retry), 'ReplicaDeletionStarted');
    if (ineligible.size > 0) this.markTopicIneligibleForDeletion(ineligible, 'offline replicas');
  }
}
