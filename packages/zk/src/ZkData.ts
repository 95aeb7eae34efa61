import { BrokerIdsZNode, BrokersZNode } from './BrokerInfo';
import { JsonReader, javaPropertiesOrder, jsonBytes, obj, parseJson, type JsonValue } from './json';
import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { TopicsZNode } from './TopicZNodes';
import { ZkDataError } from './ZkErrors';

/**
 * Kafka's ZooKeeper layout: every znode path and its content, one object per znode kind (Kafka
 * core/src/main/scala/kafka/zk/ZkData.scala). The only place that builds a path or its JSON.
 *
 * JSON key order is Kafka's: Jackson writes Scala's small immutable maps (up to 4 entries) in
 * insertion order and bigger ones in hash order; each codec's order was checked against captures of
 * a Kafka 2.1 cluster (reference/kafka-2.1-samples) or, for 2.4+ formats, read off Kafka's source.
 * Config maps come out in java.util.Properties order (see json.ts), so they match too. Maps keyed
 * by partition number are written in ascending order (Kafka's order there is a hash table's,
 * depending on its Scala version; readers do not care).
 */
export { BrokerIdZNode, BrokerIdsZNode, BrokersZNode } from './BrokerInfo';
export * from './TopicZNodes';

const utf8 = (bytes: Buffer | null): string => (bytes === null ? '' : bytes.toString('utf8'));

/** Znode versions with a meaning in Kafka (ZkVersion). */
export const ZkVersion = {
  /** In a conditional write: any version. */
  MatchAnyVersion: -1,
  /** What Kafka reports as the version of a znode that does not exist. */
  UnknownVersion: -2,
} as const;

function asciiInt(bytes: Buffer | null, what: string): number {
  const text = utf8(bytes).trim();
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ZkDataError(`${what}: expected a decimal integer, got "${text}"`);
  }
  return Number(text);
}

// ---- controller -------------------------------------------------------------------------------

export const ControllerZNode = {
  path: (): string => '/controller',
  encode: (brokerId: number, timestampMs: number = Date.now()): Buffer =>
    jsonBytes(
      obj([
        ['version', 1],
        ['brokerid', brokerId],
        ['timestamp', String(timestampMs)],
      ]),
    ),
  /** The controller's broker id. */
  decode: (bytes: Buffer | null): number => JsonReader.of(bytes, '/controller').int('brokerid'),
};

export const ControllerEpochZNode = {
  path: (): string => '/controller_epoch',
  encode: (epoch: number): Buffer => Buffer.from(String(epoch), 'utf8'),
  decode: (bytes: Buffer | null): number => asciiInt(bytes, '/controller_epoch'),
};

// ---- configs ----------------------------------------------------------------------------------

/** Entity types under /config (Kafka ConfigType; "ips" of Kafka 2.8 is not supported). */
export const ConfigType = { Topic: 'topics', Client: 'clients', User: 'users', Broker: 'brokers' } as const;
/** The entity name of cluster-wide defaults, e.g. /config/brokers/<default>. */
export const ConfigEntityDefault = '<default>';

export const ConfigZNode = {
  path: (): string => '/config',
};

export const ConfigEntityTypeZNode = {
  path: (entityType: string): string => `${ConfigZNode.path()}/${entityType}`,
};

export type ConfigEntries = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export const ConfigEntityZNode = {
  path: (entityType: string, entityName: string): string =>
    `${ConfigEntityTypeZNode.path(entityType)}/${entityName}`,
  /** {"version":1,"config":{…}}; values are strings, in java.util.Properties order (see json.ts). */
  encode(config: ConfigEntries): Buffer {
    const map =
      config instanceof Map ? (config as ReadonlyMap<string, string>) : new Map(Object.entries(config));
    return jsonBytes(
      obj([
        ['version', 1],
        ['config', obj(javaPropertiesOrder(map.keys()).map((k) => [k, map.get(k)!]))],
      ]),
    );
  },
  /** The config entries; empty for empty data, as Kafka reads a znode without JSON. */
  decode(bytes: Buffer | null, what = 'config'): Map<string, string> {
    const config = new Map<string, string>();
    if (bytes === null || bytes.length === 0) return config;
    const js = new JsonReader(parseJson(bytes, what), what);
    const entries = js.optObject('config');
    for (const key of entries?.keys() ?? []) config.set(key, entries!.string(key));
    return config;
  },
};

export const ConfigEntityChangeNotificationZNode = {
  path: (): string => `${ConfigZNode.path()}/changes`,
};

export const ConfigEntityChangeNotificationSequenceZNode = {
  SequenceNumberPrefix: 'config_change_',
  /** Created PERSISTENT_SEQUENTIAL: ZooKeeper appends a 10-digit sequence number. */
  createPath: (): string => `${ConfigEntityChangeNotificationZNode.path()}/config_change_`,
  encode: (sanitizedEntityPath: string): Buffer =>
    jsonBytes(
      obj([
        ['version', 2],
        ['entity_path', sanitizedEntityPath],
      ]),
    ),
  /** The changed entity's path ("topics/T"); version 1 notifications name type and name apart. */
  decode(bytes: Buffer | null): string {
    const js = JsonReader.of(bytes, 'config change notification');
    if (js.int('version') === 1) return `${js.string('entity_type')}/${js.string('entity_name')}`;
    return js.string('entity_path');
  },
};

// ---- notifications ----------------------------------------------------------------------------

function partitionsJson(partitions: Iterable<TopicPartition>): JsonValue {
  return [...partitions].map((tp) =>
    obj([
      ['topic', tp.topic],
      ['partition', tp.partition],
    ]),
  );
}

function decodePartitions(bytes: Buffer | null, what: string): TopicPartition[] {
  return JsonReader.of(bytes, what)
    .objectArray('partitions')
    .map((p) => ({ topic: p.string('topic'), partition: p.int('partition') }));
}

function sequenceNumberOf(path: string, prefix: string): string {
  return path.substring(path.lastIndexOf(prefix) + prefix.length);
}

export const IsrChangeNotificationZNode = {
  path: (): string => '/isr_change_notification',
};

export const IsrChangeNotificationSequenceZNode = {
  SequenceNumberPrefix: 'isr_change_',
  path: (sequenceNumber = ''): string => `${IsrChangeNotificationZNode.path()}/isr_change_${sequenceNumber}`,
  encode: (partitions: Iterable<TopicPartition>): Buffer =>
    jsonBytes(
      obj([
        ['version', 1],
        ['partitions', partitionsJson(partitions)],
      ]),
    ),
  decode: (bytes: Buffer | null): TopicPartition[] => decodePartitions(bytes, 'ISR change notification'),
  sequenceNumber: (path: string): string => sequenceNumberOf(path, 'isr_change_'),
};

export const LogDirEventNotificationZNode = {
  path: (): string => '/log_dir_event_notification',
};

export const LogDirEventNotificationSequenceZNode = {
  SequenceNumberPrefix: 'log_dir_event_',
  LogDirFailureEvent: 1,
  path: (sequenceNumber = ''): string =>
    `${LogDirEventNotificationZNode.path()}/log_dir_event_${sequenceNumber}`,
  encode: (brokerId: number): Buffer =>
    jsonBytes(
      obj([
        ['version', 1],
        ['broker', brokerId],
        ['event', 1],
      ]),
    ),
  /** The broker whose log directory failed. */
  decode: (bytes: Buffer | null): number => JsonReader.of(bytes, 'log dir event notification').int('broker'),
  sequenceNumber: (path: string): string => sequenceNumberOf(path, 'log_dir_event_'),
};

// ---- admin ------------------------------------------------------------------------------------

export const AdminZNode = {
  path: (): string => '/admin',
};

export const DeleteTopicsZNode = {
  path: (): string => `${AdminZNode.path()}/delete_topics`,
};

/** The marker asking the controller to delete a topic; no data. */
export const DeleteTopicsTopicZNode = {
  path: (topic: string): string => `${DeleteTopicsZNode.path()}/${topic}`,
};

export const ReassignPartitionsZNode = {
  path: (): string => `${AdminZNode.path()}/reassign_partitions`,
  encode: (reassignment: Iterable<readonly [TopicPartition, readonly number[]]>): Buffer =>
    jsonBytes(
      obj([
        ['version', 1],
        [
          'partitions',
          [...reassignment].map(([tp, r]) =>
            obj([
              ['topic', tp.topic],
              ['partition', tp.partition],
              ['replicas', r],
            ]),
          ),
        ],
      ]),
    ),
  decode(bytes: Buffer | null): TopicPartitionMap<number[]> {
    const parts = JsonReader.of(bytes, ReassignPartitionsZNode.path()).objectArray('partitions');
    return new TopicPartitionMap(
      parts.map((p) => [{ topic: p.string('topic'), partition: p.int('partition') }, p.intArray('replicas')]),
    );
  },
};

export const PreferredReplicaElectionZNode = {
  path: (): string => `${AdminZNode.path()}/preferred_replica_election`,
  encode: (partitions: Iterable<TopicPartition>): Buffer =>
    jsonBytes(
      obj([
        ['version', 1],
        ['partitions', partitionsJson(partitions)],
      ]),
    ),
  decode: (bytes: Buffer | null): TopicPartition[] =>
    decodePartitions(bytes, PreferredReplicaElectionZNode.path()),
};

// ---- cluster, ids, offsets, features ----------------------------------------------------------

export const ClusterZNode = {
  path: (): string => '/cluster',
};

export const ClusterIdZNode = {
  path: (): string => `${ClusterZNode.path()}/id`,
  /** {"version":"1","id":…}: Kafka writes this version as a string. */
  encode: (clusterId: string): Buffer =>
    jsonBytes(
      obj([
        ['version', '1'],
        ['id', clusterId],
      ]),
    ),
  decode: (bytes: Buffer | null): string => JsonReader.of(bytes, ClusterIdZNode.path()).string('id'),
};

/** Its znode version is the sequence behind generated broker ids; no data. */
export const BrokerSequenceIdZNode = {
  path: (): string => `${BrokersZNode.path()}/seqid`,
};

export interface ProducerIdBlock {
  readonly brokerId: number;
  readonly blockStart: number;
  readonly blockEnd: number;
}

export const ProducerIdBlockZNode = {
  path: (): string => '/latest_producer_id_block',
  encode: (block: ProducerIdBlock): Buffer =>
    jsonBytes(
      obj([
        ['version', 1],
        ['broker', block.brokerId],
        ['block_start', String(block.blockStart)],
        ['block_end', String(block.blockEnd)],
      ]),
    ),
  decode(bytes: Buffer | null): ProducerIdBlock {
    const js = JsonReader.of(bytes, ProducerIdBlockZNode.path());
    return {
      brokerId: js.int('broker'),
      blockStart: js.numericString('block_start'),
      blockEnd: js.numericString('block_end'),
    };
  },
};

/** Offsets committed by old (ZooKeeper-based) consumers and OffsetCommit v0. */
export const ConsumerPathZNode = {
  path: (): string => '/consumers',
};

export const ConsumerOffset = {
  path: (group: string, topic: string, partition: number): string =>
    `${ConsumerPathZNode.path()}/${group}/offsets/${topic}/${partition}`,
  encode: (offset: number): Buffer => Buffer.from(String(offset), 'utf8'),
  decode: (bytes: Buffer | null): number => asciiInt(bytes, 'consumer offset'),
};

export type FeatureZNodeStatus = 'Disabled' | 'Enabled';
export interface FeatureZNodeContent {
  readonly status: FeatureZNodeStatus;
  /** Finalized features: name → {"min_version_level":…,"max_version_level":…}. */
  readonly features: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** /feature (Kafka 2.7+); written in Kafka 2.8's order. */
export const FeatureZNode = {
  path: (): string => '/feature',
  encode: (content: FeatureZNodeContent): Buffer =>
    jsonBytes(
      obj([
        [
          'features',
          obj(Object.entries(content.features).map(([name, r]) => [name, obj(Object.entries(r))])),
        ],
        ['version', 1],
        ['status', content.status === 'Enabled' ? 1 : 0],
      ]),
    ),
  decode(bytes: Buffer | null): FeatureZNodeContent {
    const js = JsonReader.of(bytes, FeatureZNode.path());
    const version = js.int('version');
    if (version < 1) throw new ZkDataError(`${FeatureZNode.path()}: unsupported version ${version}`);
    const statusId = js.int('status');
    if (statusId !== 0 && statusId !== 1)
      throw new ZkDataError(`${FeatureZNode.path()}: malformed status ${statusId}`);
    const featuresJs = js.object('features');
    const features: Record<string, Record<string, number>> = {};
    for (const name of featuresJs.keys()) {
      const r = featuresJs.object(name);
      features[name] = Object.fromEntries(r.keys().map((k) => [k, r.int(k)]));
    }
    return { status: statusId === 1 ? 'Enabled' : 'Disabled', features };
  },
};

export const ZkData = {
  /**
   * Persistent paths a broker makes sure exist at start (Kafka ZkData.PersistentZkPaths, without
   * Kafka 2.8's /config/ips: IP quotas are not supported, and 2.1 clusters do not have it).
   */
  persistentZkPaths: [
    ConsumerPathZNode.path(),
    BrokerIdsZNode.path(),
    TopicsZNode.path(),
    ConfigEntityChangeNotificationZNode.path(),
    DeleteTopicsZNode.path(),
    BrokerSequenceIdZNode.path(),
    IsrChangeNotificationZNode.path(),
    ProducerIdBlockZNode.path(),
    LogDirEventNotificationZNode.path(),
    ...Object.values(ConfigType).map((t) => ConfigEntityTypeZNode.path(t)),
  ] as readonly string[],
};
