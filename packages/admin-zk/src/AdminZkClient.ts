import { type TopicPartition } from '@samsa/common';
import { KafkaError } from '@samsa/protocol';
import { LogConfig } from '@samsa/storage';
import {
  ConfigEntityTypeZNode,
  ConfigEntityZNode,
  ConfigType,
  InvalidTopicError,
  TopicsZNode,
  TopicZNode,
  ZkError,
  hasCollision,
  hasCollisionChars,
  isInternalTopic,
  javaPropertiesOrder,
  replicaAssignment,
  validateTopic,
  type ConfigEntries,
  type KafkaZkClient,
  type ReplicaAssignment,
  type ZkOp,
} from '@samsa/zk';
import {
  assignReplicasForNewPartitions,
  assignReplicasToBrokers,
  checkPartitionIncrease,
  defaultRandomInt,
  formatAssignment,
  type BrokerMetadata,
  type RandomInt,
  type ReplicaAssignmentMap,
} from './AdminUtils';
import {
  AdminOperationError,
  BrokerNotAvailableError,
  InvalidConfigurationError,
  InvalidReplicaAssignmentError,
  TopicAlreadyMarkedForDeletionError,
  TopicExistsError,
  UnknownTopicOrPartitionError,
} from './errors';

/**
 * Kafka's AdminZkClient (core/src/main/scala/kafka/zk/AdminZkClient.scala): the admin operations
 * kafka-topics --zookeeper performs, over the typed KafkaZkClient. Every path and JSON comes from
 * @samsa/zk's ZkData.
 *
 * One deliberate difference: Kafka writes /config/topics/T and then /brokers/topics/T as two
 * writes ("this isn't transactional with the partition assignments"), so a failure between them
 * leaves a config without a topic. Here both go in one ZooKeeper multi: all or nothing.
 */

/** How rack information is used (Kafka's RackAwareMode). */
export type RackAwareMode = 'Enforced' | 'Safe' | 'Disabled';

export interface CreateTopicOptions {
  rackAwareMode?: RackAwareMode;
  /** The random start of the assignment (tests pass a fixed one). */
  rng?: RandomInt;
}

export interface TopicListing {
  readonly topic: string;
  /** /admin/delete_topics/<topic> exists. */
  readonly markedForDeletion: boolean;
}

export interface PartitionDescription {
  readonly partition: number;
  readonly replicas: readonly number[];
  /** null when the partition has no state znode yet (Kafka prints "none"). */
  readonly leader: number | null;
  readonly isr: readonly number[];
}

export interface TopicDescription {
  readonly topic: string;
  /** Sorted by partition id. */
  readonly partitions: readonly PartitionDescription[];
  /** Overrides in /config/topics/<topic>, in the order Kafka iterates its Properties. */
  readonly configs: ReadonlyMap<string, string>;
  readonly markedForDeletion: boolean;
}

function configMap(config: ConfigEntries): Map<string, string> {
  return config instanceof Map
    ? new Map(config as ReadonlyMap<string, string>)
    : new Map(Object.entries(config as Record<string, string>));
}

/** LogConfig.validate, its KafkaError turned into Kafka's InvalidConfigurationException. */
export function validateTopicConfig(config: ConfigEntries): void {
  try {
    LogConfig.validate(Object.fromEntries(configMap(config)));
  } catch (error) {
    if (error instanceof KafkaError) throw new InvalidConfigurationError(error.message);
    throw error;
  }
}

export class AdminZkClient {
  constructor(readonly zkClient: KafkaZkClient) {}

  /**
   * Live brokers sorted by id, with racks as `rackAwareMode` allows: Enforced refuses a cluster
   * where only some brokers have a rack; Safe then drops all racks; Disabled always does.
   */
  async getBrokerMetadatas(
    rackAwareMode: RackAwareMode = 'Enforced',
    brokerList?: readonly number[],
  ): Promise<BrokerMetadata[]> {
    const allBrokers = await this.zkClient.getAllBrokersInCluster();
    const brokers =
      brokerList === undefined ? allBrokers : allBrokers.filter((b) => brokerList.includes(b.id));
    const withRack = brokers.filter((b) => b.rack !== null).length;
    if (rackAwareMode === 'Enforced' && withRack > 0 && withRack < brokers.length) {
      throw new AdminOperationError(
        'Not all brokers have rack information. Add --disable-rack-aware in command line' +
          ' to make replica assignment without rack information.',
      );
    }
    const dropRacks = rackAwareMode === 'Disabled' || (rackAwareMode === 'Safe' && withRack < brokers.length);
    return brokers.map((b) => ({ id: b.id, rack: dropRacks ? null : b.rack })).sort((a, b) => a.id - b.id);
  }

  /**
   * Creates a topic: assigns its replicas over the live brokers (or takes `assignment`, in which
   * case `partitions` and `replicationFactor` are not used), validates, then writes
   * /config/topics/<topic> and /brokers/topics/<topic> together. Returns the assignment.
   */
  async createTopic(
    topic: string,
    partitions: number,
    replicationFactor: number,
    topicConfig: ConfigEntries = {},
    assignment: ReadonlyMap<number, readonly number[]> | null = null,
    options: CreateTopicOptions = {},
  ): Promise<ReplicaAssignmentMap> {
    let replicaAssignmentMap: ReplicaAssignmentMap;
    if (assignment !== null) {
      replicaAssignmentMap = new Map([...assignment].map(([p, r]) => [p, [...r]]));
    } else {
      const brokers = await this.getBrokerMetadatas(options.rackAwareMode ?? 'Enforced');
      replicaAssignmentMap = assignReplicasToBrokers(
        brokers,
        partitions,
        replicationFactor,
        -1,
        -1,
        options.rng ?? defaultRandomInt,
      );
    }
    await this.createTopicWithAssignment(topic, topicConfig, replicaAssignmentMap);
    return replicaAssignmentMap;
  }

  async createTopicWithAssignment(
    topic: string,
    config: ConfigEntries,
    partitionReplicaAssignment: ReadonlyMap<number, readonly number[]>,
    { validate = true }: { validate?: boolean } = {},
  ): Promise<void> {
    if (validate) await this.validateTopicCreate(topic, partitionReplicaAssignment, config);
    await this.writeConfigAndAssignment(topic, configMap(config), partitionReplicaAssignment);
  }

  /** Kafka's validateTopicCreate: name, existence and collisions, assignment shape, configs. */
  async validateTopicCreate(
    topic: string,
    partitionReplicaAssignment: ReadonlyMap<number, readonly number[]>,
    config: ConfigEntries,
  ): Promise<void> {
    validateTopic(topic);
    if (await this.zkClient.topicExists(topic))
      throw new TopicExistsError(`Topic '${topic}' already exists.`);
    if (hasCollisionChars(topic)) {
      const allTopics = await this.zkClient.getAllTopicsInCluster();
      // check again in case the topic was created meanwhile: it would collide with itself
      if (allTopics.has(topic)) throw new TopicExistsError(`Topic '${topic}' already exists.`);
      const colliding = [...allTopics].filter((t) => hasCollision(topic, t));
      if (colliding.length > 0) {
        throw new InvalidTopicError(
          `Topic '${topic}' collides with existing topics: ${colliding.join(', ')}`,
        );
      }
    }
    const sizes = new Set([...partitionReplicaAssignment.values()].map((r) => r.length));
    if (sizes.size !== 1)
      throw new InvalidReplicaAssignmentError('All partitions should have the same number of replicas');
    for (const replicas of partitionReplicaAssignment.values()) {
      if (new Set(replicas).size !== replicas.length) {
        throw new InvalidReplicaAssignmentError(
          `Duplicate replica assignment found: ${formatAssignment(partitionReplicaAssignment)}`,
        );
      }
    }
    const n = partitionReplicaAssignment.size;
    const ids = [...partitionReplicaAssignment.keys()];
    if (
      ids.filter((p) => p >= 0).reduce((a, b) => a + b, 0) !== (n * (n - 1)) / 2 ||
      ids.some((p) => p < 0)
    ) {
      throw new InvalidReplicaAssignmentError('partitions should be a consecutive 0-based integer sequence');
    }
    validateTopicConfig(config);
  }

  /**
   * Marks a topic for deletion (/admin/delete_topics/<topic>); the controller does the rest.
   * Internal topics are refused here, below every caller (the DeleteTopics API, kafka-topics
   * --delete): deleting __consumer_offsets loses every group's committed offsets. Kafka 2.8 refuses
   * only in TopicCommand, with this message; its broker would mark one for any authorized client.
   */
  async deleteTopic(topic: string): Promise<void> {
    if (isInternalTopic(topic)) {
      throw new InvalidTopicError(`Topic ${topic} is a kafka internal topic and is not allowed to be marked for deletion.`);
    }
    if (!(await this.zkClient.topicExists(topic))) {
      throw new UnknownTopicOrPartitionError(`Topic \`${topic}\` to delete does not exist`);
    }
    try {
      await this.zkClient.createDeleteTopicPath(topic);
    } catch (error) {
      if (ZkError.is(error, 'NODEEXISTS')) {
        throw new TopicAlreadyMarkedForDeletionError(`topic ${topic} is already marked for deletion`);
      }
      throw new AdminOperationError((error as Error).message);
    }
  }

  /**
   * Raises the topic to `numPartitions` partitions: the new ones get `replicaAssignment` (checked
   * against the live brokers and partition 0's replication factor) or Kafka's assignment
   * continuing the existing one. Returns the whole new assignment.
   */
  async addPartitions(
    topic: string,
    existingAssignment: ReadonlyMap<number, ReplicaAssignment>,
    allBrokers: readonly BrokerMetadata[],
    numPartitions = 1,
    replicaAssignmentForNew: ReadonlyMap<number, readonly number[]> | null = null,
    validateOnly = false,
  ): Promise<ReplicaAssignmentMap> {
    const added = this.createNewPartitionsAssignment(
      topic,
      existingAssignment,
      allBrokers,
      numPartitions,
      replicaAssignmentForNew,
    );
    const combined = new Map<number, ReplicaAssignment>([...existingAssignment, ...added]);
    if (!validateOnly) await this.writeUpdatedAssignment(topic, combined);
    return new Map([...combined].map(([p, a]) => [p, [...a.replicas]]));
  }

  createNewPartitionsAssignment(
    topic: string,
    existingAssignment: ReadonlyMap<number, ReplicaAssignment>,
    allBrokers: readonly BrokerMetadata[],
    numPartitions = 1,
    replicaAssignmentForNew: ReadonlyMap<number, readonly number[]> | null = null,
  ): Map<number, ReplicaAssignment> {
    const existingReplicas = new Map([...existingAssignment].map(([p, a]) => [p, a.replicas]));
    let proposed: ReadonlyMap<number, readonly number[]>;
    if (replicaAssignmentForNew === null) {
      proposed = assignReplicasForNewPartitions(topic, existingReplicas, allBrokers, numPartitions);
    } else {
      const { partition0, partitionsToAdd } = checkPartitionIncrease(topic, existingReplicas, numPartitions);
      if (replicaAssignmentForNew.size !== partitionsToAdd) {
        throw new InvalidReplicaAssignmentError(
          `Increasing the number of partitions by ${partitionsToAdd} but ${replicaAssignmentForNew.size} assignments provided.`,
        );
      }
      validateReplicaAssignment(
        replicaAssignmentForNew,
        partition0.length,
        new Set(allBrokers.map((b) => b.id)),
      );
      proposed = replicaAssignmentForNew;
    }
    return new Map([...proposed].map(([p, r]) => [p, replicaAssignment([...r])]));
  }

  /**
   * Replaces a topic's config overrides with `configs` (the final set) and announces the change
   * under /config/changes so every broker reloads it.
   */
  async changeTopicConfig(topic: string, configs: ConfigEntries): Promise<void> {
    validateTopic(topic);
    if (!(await this.zkClient.topicExists(topic)))
      throw new UnknownTopicOrPartitionError(`Topic '${topic}' does not exist.`);
    validateTopicConfig(configs);
    await this.zkClient.setOrCreateEntityConfigs(ConfigType.Topic, topic, configMap(configs));
    await this.zkClient.createConfigChangeNotification(`${ConfigType.Topic}/${topic}`);
  }

  /** An entity's overrides, in the order Kafka iterates the Properties it reads them into. */
  async fetchEntityConfig(rootEntityType: string, sanitizedEntityName: string): Promise<Map<string, string>> {
    return propertiesOrder(await this.zkClient.getEntityConfigs(rootEntityType, sanitizedEntityName));
  }

  async getAllTopicConfigs(): Promise<Map<string, Map<string, string>>> {
    const configs = await this.zkClient.getTopicConfigs(await this.zkClient.getAllTopicsInCluster());
    return new Map([...configs].map(([t, c]) => [t, propertiesOrder(c)]));
  }

  /** Every topic, sorted by name, with its deletion mark. */
  async listTopics(): Promise<TopicListing[]> {
    const [topics, deletions] = await Promise.all([
      this.zkClient.getAllTopicsInCluster(),
      this.zkClient.getTopicDeletions(),
    ]);
    const marked = new Set(deletions);
    return [...topics].sort().map((topic) => ({ topic, markedForDeletion: marked.has(topic) }));
  }

  /**
   * Assignment, partition states, config overrides and deletion mark of each topic that exists
   * (default: all), in the order given.
   */
  async describeTopics(topics?: Iterable<string>): Promise<TopicDescription[]> {
    const names =
      topics === undefined ? [...(await this.zkClient.getAllTopicsInCluster())].sort() : [...topics];
    const found = (await this.zkClient.getReplicaAssignmentAndTopicIdForTopics(names)).filter(
      (t) => t.partitions.size > 0,
    );
    const tps: TopicPartition[] = found.flatMap((t) =>
      [...t.partitions.keys()].map((partition) => ({ topic: t.topic, partition })),
    );
    const [states, configs, deletions] = await Promise.all([
      this.zkClient.getTopicPartitionStates(tps),
      this.zkClient.getTopicConfigs(found.map((t) => t.topic)),
      this.zkClient.getTopicDeletions(),
    ]);
    const marked = new Set(deletions);
    return found.map((t) => ({
      topic: t.topic,
      partitions: [...t.partitions]
        .sort(([a], [b]) => a - b)
        .map(([partition, a]) => {
          const state = states.get({ topic: t.topic, partition });
          return {
            partition,
            replicas: a.replicas,
            leader: state === undefined ? null : state.leaderAndIsr.leader,
            isr: state === undefined ? [] : state.leaderAndIsr.isr,
          };
        }),
      configs: propertiesOrder(configs.get(t.topic) ?? new Map()),
      markedForDeletion: marked.has(t.topic),
    }));
  }

  // ---- writes -----------------------------------------------------------------------------------

  /**
   * /config/topics/<topic> (created, or replaced as Kafka's setOrCreateEntityConfigs does) and
   * /brokers/topics/<topic> (version 2) in one multi. A connection lost mid-request leaves us not
   * knowing whether it landed: once reconnected, a topic znode holding exactly our bytes means it
   * did; otherwise it is sent again.
   */
  private async writeConfigAndAssignment(
    topic: string,
    config: ReadonlyMap<string, string>,
    assignment: ReadonlyMap<number, readonly number[]>,
  ): Promise<void> {
    const zk = this.zkClient;
    await zk.makeSurePersistentPathExists(ConfigEntityTypeZNode.path(ConfigType.Topic));
    await zk.makeSurePersistentPathExists(TopicsZNode.path());
    const configPath = ConfigEntityZNode.path(ConfigType.Topic, topic);
    const topicPath = TopicZNode.path(topic);
    const configData = ConfigEntityZNode.encode(config);
    const topicData = TopicZNode.encode(new Map([...assignment].map(([p, r]) => [p, replicaAssignment(r)])), {
      topicId: null,
    });
    for (let attempt = 0; attempt < 10; attempt++) {
      const { stat } = await zk.getDataAndStat(configPath);
      const configOp: ZkOp =
        stat === null
          ? { type: 'create', path: configPath, data: configData, mode: 'PERSISTENT' }
          : { type: 'setData', path: configPath, data: configData, version: stat.version };
      const response = await zk.zooKeeperClient.multi([
        configOp,
        { type: 'create', path: topicPath, data: topicData, mode: 'PERSISTENT' },
      ]);
      if (response.code === 'OK') return;
      if (response.code === 'CONNECTIONLOSS') {
        await zk.zooKeeperClient.waitUntilConnected();
        const written = await zk.getDataAndStat(topicPath);
        if (written.data !== null && written.data.equals(topicData)) return;
        if (written.stat !== null) throw new TopicExistsError(`Topic '${topic}' already exists.`);
        continue;
      }
      const [configResult, topicResult] = response.results ?? [];
      if (topicResult?.code === 'NODEEXISTS') throw new TopicExistsError(`Topic '${topic}' already exists.`);
      // someone changed the config znode between our read and the multi: read it again
      if (['NODEEXISTS', 'NONODE', 'BADVERSION'].includes(configResult?.code ?? '')) continue;
      throw new AdminOperationError(new ZkError(response.code, topicPath).message);
    }
    throw new AdminOperationError(`${configPath} kept changing while creating topic ${topic}`);
  }

  private async writeUpdatedAssignment(
    topic: string,
    assignment: ReadonlyMap<number, ReplicaAssignment>,
  ): Promise<void> {
    try {
      const [current] = await this.zkClient.getReplicaAssignmentAndTopicIdForTopics([topic]);
      await this.zkClient.setTopicAssignment(topic, current.topicId, assignment);
    } catch (error) {
      if (ZkError.is(error, 'NONODE'))
        throw new UnknownTopicOrPartitionError(`Topic '${topic}' does not exist.`);
      throw new AdminOperationError((error as Error).message);
    }
  }
}

/** Kafka's validateReplicaAssignment for partitions being added. */
function validateReplicaAssignment(
  assignment: ReadonlyMap<number, readonly number[]>,
  expectedReplicationFactor: number,
  availableBrokerIds: ReadonlySet<number>,
): void {
  for (const [partitionId, replicas] of assignment) {
    if (replicas.length === 0)
      throw new InvalidReplicaAssignmentError(
        `Cannot have replication factor of 0 for partition id ${partitionId}.`,
      );
    if (new Set(replicas).size !== replicas.length) {
      throw new InvalidReplicaAssignmentError(
        `Duplicate brokers not allowed in replica assignment: ${replicas.join(', ')} for partition id ${partitionId}.`,
      );
    }
    if (!replicas.every((r) => availableBrokerIds.has(r))) {
      throw new BrokerNotAvailableError(
        `Some brokers specified for partition id ${partitionId} are not available. ` +
          `Specified brokers: ${replicas.join(', ')}, available brokers: ${[...availableBrokerIds].join(', ')}.`,
      );
    }
  }
  const bad = [...assignment]
    .filter(([, r]) => r.length !== expectedReplicationFactor)
    .sort(([a], [b]) => a - b);
  if (bad.length > 0) {
    throw new InvalidReplicaAssignmentError(
      `Inconsistent replication factor between partitions, partition 0 has ${expectedReplicationFactor} ` +
        `while partitions [${bad.map(([p]) => p).join(', ')}] have replication factors ` +
        `[${bad.map(([, r]) => r.length).join(', ')}], respectively.`,
    );
  }
}

function propertiesOrder(config: ReadonlyMap<string, string>): Map<string, string> {
  return new Map(javaPropertiesOrder(config.keys()).map((k) => [k, config.get(k)!]));
}
