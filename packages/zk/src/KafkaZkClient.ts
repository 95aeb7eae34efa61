import type { KafkaZkClientOptions } from './KafkaZkClientBase';
import { KafkaZkTopicClient } from './KafkaZkTopicClient';
import { maybeThrow } from './requests';
import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import {
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityChangeNotificationZNode,
  ConfigEntityTypeZNode,
  ConfigEntityZNode,
  ConfigType,
  ConsumerOffset,
  DeleteTopicsTopicZNode,
  DeleteTopicsZNode,
  IsrChangeNotificationSequenceZNode,
  IsrChangeNotificationZNode,
  LogDirEventNotificationSequenceZNode,
  LogDirEventNotificationZNode,
  PreferredReplicaElectionZNode,
  ReassignPartitionsZNode,
  TopicZNode,
  type ConfigEntries,
} from './ZkData';
import { ZkError } from './ZkErrors';

/**
 * Kafka's KafkaZkClient: every typed ZooKeeper operation of a Kafka 2.x broker, controller and
 * admin tool. This file holds configs, topic deletion, change notifications, admin requests and
 * old-consumer offsets; topics and partition states are in KafkaZkTopicClient; brokers, the
 * controller and the cluster id in KafkaZkClusterClient; retries, fencing and generic path
 * operations in KafkaZkClientBase.
 */
export class KafkaZkClient extends KafkaZkTopicClient {
  /**
   * Connects; resolves once a session is established. With `createChroot`, first creates the
   * connect string's chroot like a starting Kafka broker.
   */
  static async connect(connectString: string, options: KafkaZkClientOptions = {}): Promise<KafkaZkClient> {
    return new KafkaZkClient(await KafkaZkTopicClient.connectZooKeeper(connectString, options), options);
  }

  // ---- configs ----------------------------------------------------------------------------------

  /** An entity's config overrides; empty when it has none. */
  async getEntityConfigs(rootEntityType: string, sanitizedEntityName: string): Promise<Map<string, string>> {
    const path = ConfigEntityZNode.path(rootEntityType, sanitizedEntityName);
    const { data, stat } = await this.getDataAndStat(path);
    return stat === null ? new Map() : ConfigEntityZNode.decode(data, path);
  }

  /** Config overrides of each topic (empty for a topic without a config znode). */
  async getTopicConfigs(topics: Iterable<string>): Promise<Map<string, Map<string, string>>> {
    const names = [...new Set(topics)];
    const paths = names.map((t) => ConfigEntityZNode.path(ConfigType.Topic, t));
    const responses = await this.retryRequestsUntilConnected(
      paths.map((path) => ({ type: 'getData' as const, path })),
    );
    return new Map(
      responses.map((response, i) => {
        if (response.code === 'NONODE') return [names[i], new Map<string, string>()];
        maybeThrow(response);
        return [names[i], ConfigEntityZNode.decode(response.data, paths[i])];
      }),
    );
  }

  /** Replaces an entity's config overrides, creating the znode if needed. */
  async setOrCreateEntityConfigs(
    rootEntityType: string,
    sanitizedEntityName: string,
    config: ConfigEntries,
  ): Promise<void> {
    const path = ConfigEntityZNode.path(rootEntityType, sanitizedEntityName);
    const data = ConfigEntityZNode.encode(config);
    const set = () => this.retryRequestUntilConnected({ type: 'setData', path, data, version: -1 });
    const response = await set();
    if (response.code !== 'NONODE') return maybeThrow(response);
    try {
      await this.createRecursive(path, data);
    } catch (error) {
      if (!ZkError.is(error, 'NODEEXISTS')) throw error;
      maybeThrow(await set());
    }
  }

  getAllEntitiesWithConfig(entityType: string): Promise<string[]> {
    return this.getChildren(ConfigEntityTypeZNode.path(entityType));
  }

  /** Announces a config change of e.g. "topics/T" to every broker (/config/changes/config_change_<seq>). */
  async createConfigChangeNotification(sanitizedEntityPath: string): Promise<string> {
    await this.makeSurePersistentPathExists(ConfigEntityChangeNotificationZNode.path());
    return this.createSequentialPersistentPath(
      ConfigEntityChangeNotificationSequenceZNode.createPath(),
      ConfigEntityChangeNotificationSequenceZNode.encode(sanitizedEntityPath),
    );
  }

  async deleteTopicConfigs(
    topics: readonly string[],
    expectedControllerEpochZkVersion: number,
  ): Promise<void> {
    const paths = topics.map((t) => ConfigEntityZNode.path(ConfigType.Topic, t));
    await this.retryRequestsUntilConnected(
      paths.map((path) => ({ type: 'delete' as const, path, version: -1 })),
      expectedControllerEpochZkVersion,
    );
  }

  // ---- topic deletion ---------------------------------------------------------------------------

  /** Marks a topic for deletion (what kafka-topics --delete writes). */
  createDeleteTopicPath(topic: string): Promise<void> {
    return this.createRecursive(DeleteTopicsTopicZNode.path(topic));
  }

  isTopicMarkedForDeletion(topic: string): Promise<boolean> {
    return this.pathExists(DeleteTopicsTopicZNode.path(topic));
  }

  /** Topics marked for deletion; arms the child watch if a handler is registered. */
  getTopicDeletions(): Promise<string[]> {
    return this.getChildren(DeleteTopicsZNode.path());
  }

  async deleteTopicDeletions(
    topics: readonly string[],
    expectedControllerEpochZkVersion: number,
  ): Promise<void> {
    await this.retryRequestsUntilConnected(
      topics.map((t) => ({ type: 'delete' as const, path: DeleteTopicsTopicZNode.path(t), version: -1 })),
      expectedControllerEpochZkVersion,
    );
  }

  /** Deletes /brokers/topics/<topic> and everything under it, fenced. */
  async deleteTopicZNode(topic: string, expectedControllerEpochZkVersion: number): Promise<void> {
    await this.deleteRecursive(TopicZNode.path(topic), expectedControllerEpochZkVersion);
  }

  // ---- ISR change and log dir notifications -----------------------------------------------------

  /** A leader announcing ISR changes to the controller; returns the notification's path. */
  propagateIsrChanges(partitions: Iterable<TopicPartition>): Promise<string> {
    return this.createSequentialPersistentPath(
      IsrChangeNotificationSequenceZNode.path(),
      IsrChangeNotificationSequenceZNode.encode(partitions),
    );
  }

  /** Sequence numbers of pending ISR change notifications; arms the child watch. */
  async getAllIsrChangeNotifications(): Promise<string[]> {
    return (await this.getChildren(IsrChangeNotificationZNode.path())).map(
      IsrChangeNotificationSequenceZNode.sequenceNumber,
    );
  }

  async getPartitionsFromIsrChangeNotifications(
    sequenceNumbers: readonly string[],
  ): Promise<TopicPartition[]> {
    const responses = await this.retryRequestsUntilConnected(
      sequenceNumbers.map((n) => ({
        type: 'getData' as const,
        path: IsrChangeNotificationSequenceZNode.path(n),
      })),
    );
    return responses.flatMap((response) => {
      if (response.code === 'NONODE') return [];
      maybeThrow(response);
      return IsrChangeNotificationSequenceZNode.decode(response.data);
    });
  }

  /** Deletes the given ISR change notifications, or all of them; fenced. */
  async deleteIsrChangeNotifications(
    expectedControllerEpochZkVersion: number,
    sequenceNumbers?: readonly string[],
  ): Promise<void> {
    const numbers = sequenceNumbers ?? (await this.getAllIsrChangeNotifications());
    await this.retryRequestsUntilConnected(
      numbers.map((n) => ({
        type: 'delete' as const,
        path: IsrChangeNotificationSequenceZNode.path(n),
        version: -1,
      })),
      expectedControllerEpochZkVersion,
    );
  }

  propagateLogDirEvent(brokerId: number): Promise<string> {
    return this.createSequentialPersistentPath(
      LogDirEventNotificationSequenceZNode.path(),
      LogDirEventNotificationSequenceZNode.encode(brokerId),
    );
  }

  async getAllLogDirEventNotifications(): Promise<string[]> {
    return (await this.getChildren(LogDirEventNotificationZNode.path())).map(
      LogDirEventNotificationSequenceZNode.sequenceNumber,
    );
  }

  async getBrokerIdsFromLogDirEvents(sequenceNumbers: readonly string[]): Promise<number[]> {
    const responses = await this.retryRequestsUntilConnected(
      sequenceNumbers.map((n) => ({
        type: 'getData' as const,
        path: LogDirEventNotificationSequenceZNode.path(n),
      })),
    );
    return responses.flatMap((response) => {
      if (response.code === 'NONODE') return [];
      maybeThrow(response);
      return [LogDirEventNotificationSequenceZNode.decode(response.data)];
    });
  }

  async deleteLogDirEventNotifications(
    expectedControllerEpochZkVersion: number,
    sequenceNumbers?: readonly string[],
  ): Promise<void> {
    const numbers = sequenceNumbers ?? (await this.getAllLogDirEventNotifications());
    await this.retryRequestsUntilConnected(
      numbers.map((n) => ({
        type: 'delete' as const,
        path: LogDirEventNotificationSequenceZNode.path(n),
        version: -1,
      })),
      expectedControllerEpochZkVersion,
    );
  }

  // ---- admin requests ---------------------------------------------------------------------------

  /** NODEEXISTS while a previous election request is still pending. */
  createPreferredReplicaElection(partitions: Iterable<TopicPartition>): Promise<void> {
    return this.createRecursive(
      PreferredReplicaElectionZNode.path(),
      PreferredReplicaElectionZNode.encode(partitions),
    );
  }

  async getPreferredReplicaElection(): Promise<TopicPartition[]> {
    const { data, stat } = await this.getDataAndStat(PreferredReplicaElectionZNode.path());
    return stat === null ? [] : PreferredReplicaElectionZNode.decode(data);
  }

  async deletePreferredReplicaElection(expectedControllerEpochZkVersion: number): Promise<void> {
    await this.retryRequestUntilConnected(
      { type: 'delete', path: PreferredReplicaElectionZNode.path(), version: -1 },
      expectedControllerEpochZkVersion,
    );
  }

  /** The pending reassignment; empty when there is none or it is not valid JSON (logged, as Kafka does). */
  async getPartitionReassignment(): Promise<TopicPartitionMap<number[]>> {
    const { data, stat } = await this.getDataAndStat(ReassignPartitionsZNode.path());
    if (stat === null) return new TopicPartitionMap();
    try {
      return ReassignPartitionsZNode.decode(data);
    } catch (error) {
      this.logger.warn(`Ignoring partition reassignment due to invalid json`, error);
      return new TopicPartitionMap();
    }
  }

  createPartitionReassignment(
    reassignment: Iterable<readonly [TopicPartition, readonly number[]]>,
  ): Promise<void> {
    return this.createRecursive(ReassignPartitionsZNode.path(), ReassignPartitionsZNode.encode(reassignment));
  }

  /** The controller rewriting the pending reassignment as partitions complete (fenced). */
  async setOrCreatePartitionReassignment(
    reassignment: Iterable<readonly [TopicPartition, readonly number[]]>,
    expectedControllerEpochZkVersion: number,
  ): Promise<void> {
    const path = ReassignPartitionsZNode.path();
    const data = ReassignPartitionsZNode.encode(reassignment);
    const set = await this.retryRequestUntilConnected(
      { type: 'setData', path, data, version: -1 },
      expectedControllerEpochZkVersion,
    );
    if (set.code !== 'NONODE') return maybeThrow(set);
    maybeThrow(
      await this.retryRequestUntilConnected(
        { type: 'create', path, data, mode: 'PERSISTENT' },
        expectedControllerEpochZkVersion,
      ),
    );
  }

  async deletePartitionReassignment(expectedControllerEpochZkVersion: number): Promise<void> {
    await this.deleteRecursive(ReassignPartitionsZNode.path(), expectedControllerEpochZkVersion);
  }

  reassignPartitionsInProgress(): Promise<boolean> {
    return this.pathExists(ReassignPartitionsZNode.path());
  }

  // ---- old consumers' offsets -------------------------------------------------------------------

  async getConsumerOffset(group: string, tp: TopicPartition): Promise<number | null> {
    const { data, stat } = await this.getDataAndStat(ConsumerOffset.path(group, tp.topic, tp.partition));
    return stat === null ? null : ConsumerOffset.decode(data);
  }

  async setOrCreateConsumerOffset(group: string, tp: TopicPartition, offset: number): Promise<void> {
    const path = ConsumerOffset.path(group, tp.topic, tp.partition);
    const response = await this.retryRequestUntilConnected({
      type: 'setData',
      path,
      data: ConsumerOffset.encode(offset),
      version: -1,
    });
    if (response.code === 'NONODE') return this.createRecursive(path, ConsumerOffset.encode(offset));
    maybeThrow(response);
  }
}
