import { assignReplicasToBrokers, type BrokerMetadata, type RandomInt } from '@samsa/admin-zk';
import { ErrorCode, KafkaError, type CreateTopicsRequestTopics } from '@samsa/protocol';

/**
 * Topic creation shared by the admin handlers: CreateTopics resolves each requested topic to an
 * assignment and configs here, and CreateTopics and CreatePartitions refuse names a request repeats.
 */

/** CreateTopics' "use the broker default" values (KIP-464). */
export const NO_NUM_PARTITIONS = -1;
export const NO_REPLICATION_FACTOR = -1;

/** ZooKeeper's default jute.maxbuffer: the largest znode (and request) its server accepts. */
export const ZNODE_MAX_BYTES = 0xfffff;

/**
 * The fewest bytes `/brokers/topics/T` takes for `numPartitions` partitions of
 * `replicationFactor` replicas: `"<p>":[<id>,…],` per partition with one-digit broker ids.
 */
function assignmentJsonLowerBound(numPartitions: number, replicationFactor: number): number {
  let bytes = 0;
  for (let digits = 1, from = 0; from < numPartitions; digits++, from = from === 0 ? 10 : from * 10) {
    const to = Math.min(numPartitions, from === 0 ? 10 : from * 10);
    bytes += (to - from) * (digits + 4 + 2 * Math.max(1, replicationFactor) - 1);
  }
  return bytes;
}

/**
 * Refuses a partition count whose assignment cannot be written to ZooKeeper (larger than
 * jute.maxbuffer, 1 MB: about 87,000 partitions of one replica) before any replica is placed:
 * placing millions of partitions takes seconds of the broker's one thread, and Kafka's own write
 * of such a znode fails anyway. INVALID_PARTITIONS.
 */
export function checkAssignmentFitsZooKeeper(numPartitions: number, replicationFactor: number): void {
  if (numPartitions <= 0) return; // assignReplicasToBrokers answers these
  const bytes = assignmentJsonLowerBound(numPartitions, replicationFactor);
  if (bytes > ZNODE_MAX_BYTES) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `${numPartitions} partitions of ${replicationFactor} replicas do not fit in ZooKeeper's topic znode ` +
        `(at least ${bytes} bytes, more than jute.maxbuffer ${ZNODE_MAX_BYTES}).`,
    );
  }
}

/** What a CreatableTopic resolves to before anything is written. */
export interface ResolvedTopic {
  readonly assignment: Map<number, number[]>;
  readonly configs: Map<string, string>;
}

/** A CreatableTopic of the request (`CreateTopicsRequestTopics`); absent lists count as empty. */
export type CreatableTopic = Pick<CreateTopicsRequestTopics, 'numPartitions' | 'replicationFactor'> & {
  readonly assignments?: readonly {
    readonly partitionIndex: number;
    readonly brokerIds: readonly number[];
  }[];
  readonly configs?: readonly { readonly name: string; readonly value: string | null }[];
};

/**
 * The request-only checks and the assignment of one CreatableTopic (Kafka ZkAdminManager.createTopics,
 * step 1, before validateTopicCreate): null config values and numbers mixed with explicit assignments
 * are INVALID_REQUEST; -1 partitions or replication factor take the broker defaults (num.partitions,
 * default.replication.factor); without assignments Kafka's algorithm places the replicas over the
 * live brokers (INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR). Throws KafkaError or @samsa/admin-zk's
 * errors; pure.
 */
export function resolveTopic(
  topic: CreatableTopic,
  defaults: { numPartitions: number; replicationFactor: number },
  brokers: readonly BrokerMetadata[],
  rng?: RandomInt,
): ResolvedTopic {
  const configEntries = topic.configs ?? [];
  const nullConfigs = configEntries.filter((c) => c.value === null).map((c) => c.name);
  if (nullConfigs.length > 0) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Null value not supported for topic configs : ${nullConfigs.join(',')}`,
    );
  }
  const assignments = topic.assignments ?? [];
  if (
    (topic.numPartitions !== NO_NUM_PARTITIONS || topic.replicationFactor !== NO_REPLICATION_FACTOR) &&
    assignments.length > 0
  ) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
    );
  }
  let assignment: Map<number, number[]>;
  if (assignments.length === 0) {
    const numPartitions =
      topic.numPartitions === NO_NUM_PARTITIONS ? defaults.numPartitions : topic.numPartitions;
    const replicationFactor =
      topic.replicationFactor === NO_REPLICATION_FACTOR
        ? defaults.replicationFactor
        : topic.replicationFactor;
    checkAssignmentFitsZooKeeper(numPartitions, replicationFactor);
    assignment = assignReplicasToBrokers(brokers, numPartitions, replicationFactor, -1, -1, rng);
  } else {
    // Like Kafka (and kafka-topics), brokers named here need not be alive.
    assignment = new Map(assignments.map((a) => [a.partitionIndex, [...a.brokerIds]]));
  }
  // null values were refused above
  return { assignment, configs: new Map(configEntries.map((c) => [c.name, c.value ?? ''])) };
}

/** Names that appear more than once in the request (Kafka: "Found multiple entries for this topic."). */
export function duplicateNames(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const n of names) (seen.has(n) ? dupes : seen).add(n);
  return dupes;
}
