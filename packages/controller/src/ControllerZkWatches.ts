import {
  BrokerIdsZNode,
  BrokerIdZNode,
  ControllerZNode,
  DeleteTopicsZNode,
  IsrChangeNotificationZNode,
  LogDirEventNotificationZNode,
  PreferredReplicaElectionZNode,
  ReassignPartitionsZNode,
  TopicsZNode,
  TopicZNode,
  type KafkaZkClient,
} from '@samsa/zk';
import type { ControllerEvent } from './ControllerEvent';

/**
 * The controller's ZooKeeper watches (Kafka's *Handler classes in KafkaController.scala). Each
 * handler only puts a payload-less event on the queue; the watch is armed by the next read of its
 * path (level-triggered), which the event's processing does.
 */
export class ControllerZkWatches {
  private readonly topics = new Set<string>();
  private readonly brokers = new Set<number>();

  constructor(
    private readonly zkClient: KafkaZkClient,
    private readonly put: (event: ControllerEvent) => void,
  ) {}

  /** /controller: creation and data change → ControllerChange, deletion → Reelect. Arms it. */
  async watchController(): Promise<void> {
    await this.zkClient.registerZNodeChangeHandlerAndCheckExistence(ControllerZNode.path(), {
      handleCreation: () => this.put({ name: 'ControllerChange' }),
      handleDataChange: () => this.put({ name: 'ControllerChange' }),
      handleDeletion: () => this.put({ name: 'Reelect' }),
    });
  }

  unwatchController(): void {
    this.zkClient.unregisterZNodeChangeHandler(ControllerZNode.path());
  }

  /**
   * The active controller's watches: broker, topic, deletion, ISR-change and log-dir children, and
   * the admin znodes (checked for existence, which arms them).
   */
  async watchForFailover(): Promise<void> {
    const child = (path: string, event: ControllerEvent): void =>
      this.zkClient.registerZNodeChildChangeHandler(path, { handleChildChange: () => this.put(event) });
    child(BrokerIdsZNode.path(), { name: 'BrokerChange' });
    child(TopicsZNode.path(), { name: 'TopicChange' });
    child(DeleteTopicsZNode.path(), { name: 'TopicDeletion' });
    child(LogDirEventNotificationZNode.path(), { name: 'LogDirEventNotification' });
    child(IsrChangeNotificationZNode.path(), { name: 'IsrChangeNotification' });
    await this.zkClient.registerZNodeChangeHandlerAndCheckExistence(PreferredReplicaElectionZNode.path(), {
      handleCreation: () => this.put({ name: 'ReplicaLeaderElection' }),
    });
    await this.zkClient.registerZNodeChangeHandlerAndCheckExistence(ReassignPartitionsZNode.path(), {
      handleCreation: () => this.put({ name: 'ZkPartitionReassignment' }),
    });
  }

  /** /brokers/topics/<topic> data changes → PartitionModifications (armed by reading the assignment). */
  watchTopics(topics: Iterable<string>): void {
    for (const topic of topics) {
      this.topics.add(topic);
      this.zkClient.registerZNodeChangeHandler(TopicZNode.path(topic), {
        handleDataChange: () => this.put({ name: 'PartitionModifications', topic }),
      });
    }
  }

  unwatchTopics(topics: Iterable<string>): void {
    for (const topic of topics) {
      this.topics.delete(topic);
      this.zkClient.unregisterZNodeChangeHandler(TopicZNode.path(topic));
    }
  }

  /** /brokers/ids/<id> data changes → BrokerModifications. Arms them. */
  async watchBrokers(brokerIds: Iterable<number>): Promise<void> {
    for (const brokerId of brokerIds) {
      this.brokers.add(brokerId);
      await this.zkClient.registerZNodeChangeHandlerAndCheckExistence(BrokerIdZNode.path(brokerId), {
        handleDataChange: () => this.put({ name: 'BrokerModifications', brokerId }),
      });
    }
  }

  unwatchBrokers(brokerIds: Iterable<number>): void {
    for (const brokerId of brokerIds) {
      this.brokers.delete(brokerId);
      this.zkClient.unregisterZNodeChangeHandler(BrokerIdZNode.path(brokerId));
    }
  }

  /** Everything but /controller, as on resignation. A fired watch whose handler is gone does nothing. */
  unwatchForResignation(): void {
    for (const path of [
      IsrChangeNotificationZNode.path(),
      LogDirEventNotificationZNode.path(),
      TopicsZNode.path(),
      DeleteTopicsZNode.path(),
      BrokerIdsZNode.path(),
    ])
      this.zkClient.unregisterZNodeChildChangeHandler(path);
    this.zkClient.unregisterZNodeChangeHandler(ReassignPartitionsZNode.path());
    this.zkClient.unregisterZNodeChangeHandler(PreferredReplicaElectionZNode.path());
    this.unwatchTopics([...this.topics]);
    this.unwatchBrokers([...this.brokers]);
  }
}
