import { GROUP_METADATA_TOPIC_NAME, hasCollisionChars, isInternalTopic, validateTopic } from '@samsa/zk';
import { ApiKey, ErrorCode, errorInfo, type DescribeConfigsResponseResults, type MetadataResponseTopics } from '@samsa/protocol';
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
import type { AdminClient } from '@samsa/client';

/** ConfigResource.Type.TOPIC. */
const TOPIC_RESOURCE = 2;
const SHORT_MAX = 32767;
/** ConfigEntry.ConfigSource.DEFAULT_CONFIG: what Kafka's ConfigEntry.isDefault tests. */
const DEFAULT_CONFIG = 5;
const CREATE_TOPICS_VERSION = 4;
const DELETE_TOPICS_VERSION = 3;
const CREATE_PARTITIONS_VERSION = 1;
const DESCRIBE_CONFIGS_VERSION = 2;

/** A topic-level refusal as Kafka's Admin raises it: the broker's message, else the error's own. */
function topicError(code: number, message: string | null | undefined): Error {
  return new Error(message || errorInfo(code).message);
}

/**
 * kafka-topics --bootstrap-server: Kafka 2.8's AdminClientTopicService over the tools' wire
 * client (AdminClient: CreateTopics, DeleteTopics and CreatePartitions to the controller, Metadata
 * and DescribeConfigs to any broker), printing the same Kafka 2.1 lines as the ZooKeeper mode. Through the Admin API a deletion mark is not
 * visible (Kafka's AdminClient mode shows none either), and describe's "Configs:" lists the
 * entries the broker reports as not default, as Kafka 2.8 does.
 */
export class AdminClientTopicService implements TopicService {
  constructor(
    private readonly admin: AdminClient,
    private readonly out: LineSink,
    private readonly timeoutMs: number,
  ) {}

  private async getTopics(opts: TopicCommandOptions): Promise<string[]> {
    const allowed = topicFilter(opts.topic, opts.excludeInternal);
    const { topics } = await this.admin.metadata(null);
    return topics
      .filter((t) => t.errorCode === ErrorCode.NONE)
      .map((t) => t.name)
      .sort()
      .filter(allowed);
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
    const response = await this.admin.sendToController(
      ApiKey.CreateTopics,
      CREATE_TOPICS_VERSION,
      {
        topics: [
          {
            name: topic,
            numPartitions: assignment === undefined ? (opts.partitions ?? -1) : -1,
            replicationFactor: assignment === undefined ? (opts.replicationFactor ?? -1) : -1,
            assignments: [...(assignment ?? [])].map(([partitionIndex, brokerIds]) => ({ partitionIndex, brokerIds })),
            configs: [...configs].map(([name, value]) => ({ name, value })),
          },
        ],
        timeoutMs: this.timeoutMs,
        validateOnly: false,
      },
      (r) => r.topics.map((t) => t.errorCode),
    );
    const result = response.topics.find((t) => t.name === topic);
    // Kafka's Admin fails a topic the controller's answer leaves out (an ApiException so worded).
    if (result === undefined) throw new Error(`The controller response did not contain a result for topic ${topic}`);
    if (result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
      if (opts.ifNotExists) return;
      throw new TopicExistsError(`Topic '${topic}' already exists.`);
    }
    if (result.errorCode !== ErrorCode.NONE) throw topicError(result.errorCode, result.errorMessage);
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
    const { topics: metadata } = await this.admin.metadata(topics);
    const current = new Map(metadata.map((t) => [t.name, t.partitions.length]));
    const response = await this.admin.sendToController(
      ApiKey.CreatePartitions,
      CREATE_PARTITIONS_VERSION,
      {
        topics: topics.map((name) => {
          if (opts.replicaAssignment === undefined) return { name, count: opts.partitions!, assignments: null };
          const start = current.get(name) ?? 0;
          const lists = opts.replicaAssignment.split(',').slice(start).join(',');
          const assignments = lists === '' ? [] : [...parseReplicaAssignment(lists, start).values()];
          return { name, count: opts.partitions!, assignments: assignments.map((brokerIds) => ({ brokerIds })) };
        }),
        timeoutMs: this.timeoutMs,
        validateOnly: false,
      },
      (r) => r.results.map((t) => t.errorCode),
    );
    const failed = response.results.find((r) => r.errorCode !== ErrorCode.NONE);
    if (failed !== undefined) throw topicError(failed.errorCode, failed.errorMessage);
    this.out(TopicOutput.partitionsAdded);
  }

  async describeTopic(opts: TopicCommandOptions): Promise<void> {
    const topics = await this.getTopics(opts);
    if (opts.topic !== undefined) this.ensureTopicExists(topics, opts);
    if (topics.length === 0) return;
    const [{ topics: metadata }, configs, nodes] = await Promise.all([
      this.admin.metadata(topics),
      this.admin.sendToAnyBroker(ApiKey.DescribeConfigs, DESCRIBE_CONFIGS_VERSION, {
        resources: topics.map((resourceName) => ({ resourceType: TOPIC_RESOURCE, resourceName, configurationKeys: null })),
        includeSynonyms: false,
      }),
      this.admin.nodes(),
    ]);
    const descriptions = topicDescriptions(topics, metadata, configs.results);
    const liveBrokers = new Set(nodes.map((b) => b.id));
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
    const response = await this.admin.sendToController(
      ApiKey.DeleteTopics,
      DELETE_TOPICS_VERSION,
      { topicNames: topics, timeoutMs: this.timeoutMs },
      (r) => r.responses.map((t) => t.errorCode),
    );
    const failed = response.responses.find((r) => r.errorCode !== ErrorCode.NONE);
    if (failed !== undefined) throw topicError(failed.errorCode, failed.errorMessage);
    for (const topic of topics) for (const line of TopicOutput.markedForDeletion(topic)) this.out(line);
  }

  async close(): Promise<void> {
    this.admin.close();
  }
}


/** Metadata and DescribeConfigs answers as the descriptions both modes print. */
export function topicDescriptions(
  topics: readonly string[],
  metadata: readonly MetadataResponseTopics[],
  configResources: readonly DescribeConfigsResponseResults[],
): TopicDescription[] {
  const byName = new Map(metadata.map((t) => [t.name, t]));
  const configsByName = new Map(configResources.map((r) => [r.resourceName, r]));
  return topics.flatMap((topic) => {
    const t = byName.get(topic);
    if (t === undefined || t.errorCode !== ErrorCode.NONE || t.partitions.length === 0) return [];
    const resource = configsByName.get(topic);
    if (resource !== undefined && resource.errorCode !== 0)
      throw new AdminOperationError(
        resource.errorMessage || `DescribeConfigs failed for ${topic} (error ${resource.errorCode})`,
      );
    const partitions: PartitionDescription[] = [...t.partitions]
      .sort((a, b) => a.partitionIndex - b.partitionIndex)
      .map((p) => ({
        partition: p.partitionIndex,
        replicas: p.replicaNodes,
        leader: p.leaderId < 0 ? null : p.leaderId,
        isr: p.isrNodes,
      }));
    const configs = new Map(
      (resource?.configs ?? []).filter((e) => e.configSource !== DEFAULT_CONFIG).map((e) => [e.name, e.value ?? 'null']),
    );
    return [{ topic, partitions, configs, markedForDeletion: false }];
  });
}
