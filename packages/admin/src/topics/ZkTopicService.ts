import {
  ConfigType,
  GROUP_METADATA_TOPIC_NAME,
  InvalidTopicError,
  hasCollisionChars,
  isInternalTopic,
  validateTopic,
  type KafkaZkClient,
} from '@samsa/zk';
import {
  AdminZkClient,
  parseReplicaAssignment,
  AdminOperationError,
  IllegalArgumentError,
  TopicAlreadyMarkedForDeletionError,
  TopicExistsError,
} from '@samsa/admin-zk';
import {
  parseTopicConfigsToBeAdded,
  parseTopicConfigsToBeDeleted,
  topicFilter,
  type TopicCommandOptions,
} from './TopicCommandOptions';
import { describeLines, TopicOutput } from './TopicOutput';

/** One backend of kafka-topics (Kafka 2.8's TopicService): ZooKeeper or the Admin API. */
export interface TopicService {
  createTopic(opts: TopicCommandOptions): Promise<void>;
  listTopics(opts: TopicCommandOptions): Promise<void>;
  alterTopic(opts: TopicCommandOptions): Promise<void>;
  describeTopic(opts: TopicCommandOptions): Promise<void>;
  deleteTopic(opts: TopicCommandOptions): Promise<void>;
  close(): Promise<void>;
}

/** Prints one line on stdout. */
export type LineSink = (line: string) => void;

/** kafka-topics --zookeeper: Kafka 2.1 TopicCommand over AdminZkClient. */
export class ZkTopicService implements TopicService {
  private readonly adminZkClient: AdminZkClient;

  constructor(
    private readonly zkClient: KafkaZkClient,
    private readonly zkConnect: string,
    private readonly out: LineSink,
  ) {
    this.adminZkClient = new AdminZkClient(zkClient);
  }

  private async getTopics(opts: TopicCommandOptions): Promise<string[]> {
    const allowed = topicFilter(opts.topic, opts.excludeInternal);
    return [...(await this.zkClient.getAllTopicsInCluster())].sort().filter(allowed);
  }

  private ensureTopicExists(topics: readonly string[], opts: TopicCommandOptions): void {
    if (topics.length === 0 && !opts.ifExists)
      throw new IllegalArgumentError(`Topic ${opts.topic} does not exist on ZK path ${this.zkConnect}`);
  }

  async createTopic(opts: TopicCommandOptions): Promise<void> {
    const topic = opts.topic!;
    const configs = parseTopicConfigsToBeAdded(opts.configs);
    const messageFormatVersion = configs.get('message.format.version');
    if (messageFormatVersion !== undefined)
      this.out(TopicOutput.messageFormatVersionWarning(messageFormatVersion));
    validateTopic(topic);
    if (hasCollisionChars(topic)) this.out(TopicOutput.collisionWarning);
    try {
      if (opts.replicaAssignment !== undefined) {
        const assignment = parseReplicaAssignment(opts.replicaAssignment);
        await this.adminZkClient.createTopicWithAssignment(topic, configs, assignment);
      } else {
        await this.adminZkClient.createTopic(
          topic,
          opts.partitions!,
          opts.replicationFactor!,
          configs,
          null,
          {
            rackAwareMode: opts.disableRackAware ? 'Disabled' : 'Enforced',
          },
        );
      }
      this.out(TopicOutput.created(topic));
    } catch (error) {
      if (!(error instanceof TopicExistsError && opts.ifNotExists)) throw error;
    }
  }

  async listTopics(opts: TopicCommandOptions): Promise<void> {
    const allowed = topicFilter(opts.topic, opts.excludeInternal);
    for (const t of await this.adminZkClient.listTopics()) {
      if (allowed(t.topic)) this.out(TopicOutput.listed(t.topic, t.markedForDeletion));
    }
  }

  async alterTopic(opts: TopicCommandOptions): Promise<void> {
    const topics = await this.getTopics(opts);
    this.ensureTopicExists(topics, opts);
    for (const topic of topics) {
      if (opts.configs.length > 0 || opts.deleteConfigs.length > 0) {
        for (const line of TopicOutput.alterConfigWarning) this.out(line);
        const configs = await this.adminZkClient.fetchEntityConfig(ConfigType.Topic, topic);
        for (const [k, v] of parseTopicConfigsToBeAdded(opts.configs)) configs.set(k, v);
        for (const k of parseTopicConfigsToBeDeleted(opts.deleteConfigs)) configs.delete(k);
        await this.adminZkClient.changeTopicConfig(topic, configs);
        this.out(TopicOutput.updatedConfig(topic));
      }
      if (opts.partitions !== undefined) {
        if (topic === GROUP_METADATA_TOPIC_NAME)
          throw new IllegalArgumentError('The number of partitions for the offsets topic cannot be changed.');
        this.out(TopicOutput.partitionsWarning);
        const [current] = await this.zkClient.getReplicaAssignmentAndTopicIdForTopics([topic]);
        if (current.partitions.size === 0) throw new InvalidTopicError(`The topic ${topic} does not exist`);
        let newAssignment = null;
        if (opts.replicaAssignment !== undefined && opts.replicaAssignment !== '') {
          const start = current.partitions.size;
          const forNew = opts.replicaAssignment.split(',').slice(start).join(',');
          newAssignment = forNew === '' ? new Map() : parseReplicaAssignment(forNew, start);
        }
        const allBrokers = await this.adminZkClient.getBrokerMetadatas(
          opts.disableRackAware ? 'Disabled' : 'Enforced',
        );
        await this.adminZkClient.addPartitions(
          topic,
          current.partitions,
          allBrokers,
          opts.partitions,
          newAssignment,
        );
        this.out(TopicOutput.partitionsAdded);
      }
    }
  }

  async describeTopic(opts: TopicCommandOptions): Promise<void> {
    const topics = await this.getTopics(opts);
    if (opts.topic !== undefined) this.ensureTopicExists(topics, opts);
    if (topics.length === 0) return;
    const [liveBrokers, descriptions] = await Promise.all([
      this.zkClient.getSortedBrokerList(),
      this.adminZkClient.describeTopics(topics),
    ]);
    for (const line of describeLines(descriptions, opts, new Set(liveBrokers))) this.out(line);
  }

  async deleteTopic(opts: TopicCommandOptions): Promise<void> {
    const topics = await this.getTopics(opts);
    this.ensureTopicExists(topics, opts);
    for (const topic of topics) {
      if (isInternalTopic(topic)) {
        throw new AdminOperationError(
          `Topic ${topic} is a kafka internal topic and is not allowed to be marked for deletion.`,
        );
      }
      try {
        await this.adminZkClient.deleteTopic(topic);
        for (const line of TopicOutput.markedForDeletion(topic)) this.out(line);
      } catch (error) {
        if (error instanceof TopicAlreadyMarkedForDeletionError)
          this.out(TopicOutput.alreadyMarkedForDeletion(topic));
        else throw new AdminOperationError(`Error while deleting topic ${topic}`);
      }
    }
  }

  close(): Promise<void> {
    return this.zkClient.close();
  }
}
