import { GROUP_METADATA_TOPIC_NAME, hasCollisionChars, isInternalTopic, validateTopic } from '@samsa/zk';
import type { Admin } from 'kafkajs';
import {
  type PartitionDescription,
  type TopicDescription,
  parseReplicaAssignment,
  AdminOperationError,
  IllegalArgumentError,
  TopicExistsError,
} from '@samsa/admin-zk';
import { parseTopicConfigsToBeAdded, topicFilter, type TopicCommandOptions } from './TopicCommandOptions';
import { describeLines, TopicOutput } from './TopicOutput';
import type { LineSink, TopicService } from './ZkTopicService';

/** The calls kafka-topics --bootstrap-server makes on a kafkajs Admin (tests pass a fake). */
export type AdminLike = Pick<
  Admin,
  | 'connect'
  | 'disconnect'
  | 'listTopics'
  | 'createTopics'
  | 'deleteTopics'
  | 'createPartitions'
  | 'fetchTopicMetadata'
  | 'describeConfigs'
  | 'describeCluster'
>;

/** kafkajs' ConfigResourceTypes.TOPIC (a const enum in its typings, so spelled out here). */
const TOPIC_RESOURCE = 2;
const SHORT_MAX = 32767;

/**
 * kafka-topics --bootstrap-server: Kafka 2.8's AdminClientTopicService over kafkajs, printing the
 * same Kafka 2.1 lines as the ZooKeeper mode. Through the Admin API a deletion mark is not
 * visible (Kafka's AdminClient mode shows none either), and describe's "Configs:" lists the
 * entries the broker reports as not default, as Kafka 2.8 does.
 */
export class AdminClientTopicService implements TopicService {
  constructor(
    private readonly admin: AdminLike,
    private readonly out: LineSink,
  ) {}

  private async getTopics(opts: TopicCommandOptions): Promise<string[]> {
    const allowed = topicFilter(opts.topic, opts.excludeInternal);
    return (await this.admin.listTopics()).sort().filter(allowed);
  }

  private ensureTopicExists(topics: readonly string[], opts: TopicCommandOptions): void {
    if (topics.length === 0 && !opts.ifExists)
      throw new IllegalArgumentError(`Topic '${opts.topic}' does not exist as expected`);
  }

  async createTopic(opts: TopicCommandOptions): Promise<void> {
    const topic = opts.topic!;
    if (
      opts.replicationFactor !== undefined &&
      (opts.replicationFactor > SHORT_MAX || opts.replicationFactor < 1)
    )
      throw new IllegalArgumentError(`The replication factor must be between 1 and ${SHORT_MAX} inclusive`);
    if (opts.partitions !== undefined && opts.partitions < 1)
      throw new IllegalArgumentError('The partitions must be greater than 0');
    const configs = parseTopicConfigsToBeAdded(opts.configs);
    const messageFormatVersion = configs.get('message.format.version');
    if (messageFormatVersion !== undefined)
      this.out(TopicOutput.messageFormatVersionWarning(messageFormatVersion));
    validateTopic(topic);
    if (hasCollisionChars(topic)) this.out(TopicOutput.collisionWarning);
    const assignment =
      opts.replicaAssignment === undefined ? undefined : parseReplicaAssignment(opts.replicaAssignment);
    const created = await this.admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          ...(assignment === undefined
            ? { numPartitions: opts.partitions, replicationFactor: opts.replicationFactor }
            : {
                replicaAssignment: [...assignment].map(([partition, replicas]) => ({ partition, replicas })),
              }),
          configEntries: [...configs].map(([name, value]) => ({ name, value })),
        },
      ],
    });
    if (!created) {
      if (opts.ifNotExists) return;
      throw new TopicExistsError(`Topic '${topic}' already exists.`);
    }
    this.out(TopicOutput.created(topic));
  }

  async listTopics(opts: TopicCommandOptions): Promise<void> {
    for (const topic of await this.getTopics(opts)) this.out(TopicOutput.listed(topic, false));
  }

  async alterTopic(opts: TopicCommandOptions): Promise<void> {
    const topics = await this.getTopics(opts);
    this.ensureTopicExists(topics, opts);
    if (topics.length === 0) return;
    if (topics.includes(GROUP_METADATA_TOPIC_NAME))
      throw new IllegalArgumentError('The number of partitions for the offsets topic cannot be changed.');
    this.out(TopicOutput.partitionsWarning);
    const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics });
    const current = new Map(metadata.map((t) => [t.name, t.partitions.length]));
    await this.admin.createPartitions({
      topicPartitions: topics.map((topic) => {
        if (opts.replicaAssignment === undefined) return { topic, count: opts.partitions! };
        const start = current.get(topic) ?? 0;
        const lists = opts.replicaAssignment.split(',').slice(start).join(',');
        const assignments = lists === '' ? [] : [...parseReplicaAssignment(lists, start).values()];
        return { topic, count: opts.partitions!, assignments };
      }),
    });
    this.out(TopicOutput.partitionsAdded);
  }

  async describeTopic(opts: TopicCommandOptions): Promise<void> {
    const topics = await this.getTopics(opts);
    if (opts.topic !== undefined) this.ensureTopicExists(topics, opts);
    if (topics.length === 0) return;
    const [{ topics: metadata }, configs, cluster] = await Promise.all([
      this.admin.fetchTopicMetadata({ topics }),
      this.admin.describeConfigs({
        resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name })),
        includeSynonyms: false,
      }),
      this.admin.describeCluster(),
    ]);
    const descriptions = topicDescriptions(topics, metadata, configs.resources);
    const liveBrokers = new Set(cluster.brokers.map((b) => b.nodeId));
    for (const line of describeLines(descriptions, opts, liveBrokers)) this.out(line);
  }

  async deleteTopic(opts: TopicCommandOptions): Promise<void> {
    const topics = await this.getTopics(opts);
    this.ensureTopicExists(topics, opts);
    const internal = topics.find(isInternalTopic);
    if (internal !== undefined) {
      throw new AdminOperationError(
        `Topic ${internal} is a kafka internal topic and is not allowed to be marked for deletion.`,
      );
    }
    if (topics.length === 0) return;
    await this.admin.deleteTopics({ topics });
    for (const topic of topics) for (const line of TopicOutput.markedForDeletion(topic)) this.out(line);
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics'];
type ConfigResources = Awaited<ReturnType<Admin['describeConfigs']>>['resources'];

/** Metadata and DescribeConfigs answers as the descriptions both modes print. */
export function topicDescriptions(
  topics: readonly string[],
  metadata: Metadata,
  configResources: ConfigResources,
): TopicDescription[] {
  const byName = new Map(metadata.map((t) => [t.name, t]));
  const configsByName = new Map(configResources.map((r) => [r.resourceName, r]));
  return topics.flatMap((topic) => {
    const t = byName.get(topic);
    if (t === undefined || t.partitions.length === 0) return [];
    const resource = configsByName.get(topic);
    if (resource !== undefined && resource.errorCode !== 0)
      throw new AdminOperationError(
        resource.errorMessage || `DescribeConfigs failed for ${topic} (error ${resource.errorCode})`,
      );
    const partitions: PartitionDescription[] = [...t.partitions]
      .sort((a, b) => a.partitionId - b.partitionId)
      .map((p) => ({
        partition: p.partitionId,
        replicas: p.replicas,
        leader: p.leader < 0 ? null : p.leader,
        isr: p.isr,
      }));
    const configs = new Map(
      (resource?.configEntries ?? []).filter((e) => !e.isDefault).map((e) => [e.configName, e.configValue]),
    );
    return [{ topic, partitions, configs, markedForDeletion: false }];
  });
}
