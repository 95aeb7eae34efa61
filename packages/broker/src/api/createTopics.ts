import { AdminZkClient, assignReplicasToBrokers, type BrokerMetadata, type RandomInt } from '@samsa/admin-zk';
import { ApiKey, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import type { BrokerDeps } from './deps';
import { apiError, NO_ERROR, toApiError, type ApiError } from './adminErrors';
import { allHaveLeaders } from './topicPurgatory';
import type { ApiHandlerEntry } from './types';

/** CreateTopics' "use the broker default" values (KIP-464). */
export const NO_NUM_PARTITIONS = -1;
export const NO_REPLICATION_FACTOR = -1;

/** What a CreatableTopic resolves to before anything is written. */
export interface ResolvedTopic {
  readonly assignment: Map<number, number[]>;
  readonly configs: Map<string, string>;
}

/**
 * The request-only checks and the assignment of one CreatableTopic (Kafka ZkAdminManager.createTopics,
 * step 1, before validateTopicCreate): null config values and numbers mixed with explicit assignments
 * are INVALID_REQUEST; -1 partitions or replication factor take the broker defaults (num.partitions,
 * default.replication.factor); without assignments Kafka's algorithm places the replicas over the
 * live brokers (INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR). Throws KafkaError or @samsa/admin-zk's
 * errors; pure.
 */
export function resolveTopic(
  topic: Struct,
  defaults: { numPartitions: number; replicationFactor: number },
  brokers: readonly BrokerMetadata[],
  rng?: RandomInt,
): ResolvedTopic {
  const configEntries = (topic.configs ?? []) as Struct[];
  const nullConfigs = configEntries.filter((c) => c.value === null).map((c) => c.name as string);
  if (nullConfigs.length > 0) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Null value not supported for topic configs : ${nullConfigs.join(',')}`,
    );
  }
  const assignments = (topic.assignments ?? []) as Struct[];
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
    assignment = assignReplicasToBrokers(brokers, numPartitions, replicationFactor, -1, -1, rng);
  } else {
    // Like Kafka (and kafka-topics), brokers named here need not be alive.
    assignment = new Map(
      assignments.map((a) => [a.partitionIndex as number, [...(a.brokerIds as number[])]]),
    );
  }
  return { assignment, configs: new Map(configEntries.map((c) => [c.name as string, c.value as string])) };
}

/** Names that appear more than once in the request (Kafka: "Found multiple entries for this topic."). */
export function duplicateNames(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const n of names) (seen.has(n) ? dupes : seen).add(n);
  return dupes;
}

/**
 * CreateTopics v0–4, on the controller only (NOT_CONTROLLER elsewhere). Kafka's handleCreateTopicsRequest
 * with ZkAdminManager.createTopics:
 *   1. duplicates in the request → INVALID_REQUEST, nothing created for them;
 *   2. per topic: exists (MetadataCache) → TOPIC_ALREADY_EXISTS; resolveTopic; AdminZkClient's
 *      validateTopicCreate (name, existence and collisions in ZooKeeper, assignment shape, configs by
 *      LogConfig → INVALID_CONFIG); unless validateOnly, write /config/topics/T and /brokers/topics/T;
 *   3. validateOnly, timeout ≤ 0 or nothing created: answer now (created topics then get
 *      REQUEST_TIMED_OUT, as Kafka answers); else wait until every new partition has a leader in the
 *      MetadataCache (DelayedCreatePartitions) — those still leaderless at the timeout get REQUEST_TIMED_OUT.
 */
export function createTopicsHandler(deps: BrokerDeps): ApiHandlerEntry {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.CreateTopics,
    maxVersion: 4,
    async handle(_ctx, body) {
      const topics = body.topics as Struct[];
      const names = topics.map((t) => t.name as string);
      if (!deps.isController()) {
        return createTopicsResponse(
          names.map((name) => ({ name, error: apiError(ErrorCode.NOT_CONTROLLER) })),
        );
      }
      const validateOnly = !!body.validateOnly;
      const dupes = duplicateNames(names);
      const brokers = deps.metadataCache.aliveBrokers().map((b) => ({ id: b.id, rack: b.rack }));
      const defaults = {
        numPartitions: deps.config.int('num.partitions'),
        replicationFactor: deps.config.int('default.replication.factor'),
      };
      const errors = new Map<string, ApiError>();
      const created = new Map<string, number[]>();
      for (const topic of topics) {
        const name = topic.name as string;
        if (dupes.has(name)) {
          errors.set(name, apiError(ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'));
          continue;
        }
        try {
          if (deps.metadataCache.contains(name)) {
            throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
          }
          const { assignment, configs } = resolveTopic(topic, defaults, brokers);
          await admin.validateTopicCreate(name, assignment, configs);
          if (!validateOnly) {
            await admin.createTopicWithAssignment(name, configs, assignment, { validate: false });
            deps.logger.info(`Created topic ${name} with ${assignment.size} partitions`);
          }
          created.set(name, [...assignment.keys()]);
          errors.set(name, NO_ERROR);
        } catch (e) {
          errors.set(name, toApiError(e, deps.logger, `create topic request for ${name}`));
        }
      }
      if (!validateOnly && created.size > 0) {
        const done = () => [...created].every(([t, ps]) => allHaveLeaders(deps.metadataCache, t, ps));
        if (body.timeoutMs > 0)
          await deps.topicPurgatory.waitUntil([...created.keys()], done, body.timeoutMs);
        for (const [t, ps] of created) {
          if (!allHaveLeaders(deps.metadataCache, t, ps))
            errors.set(t, apiError(ErrorCode.REQUEST_TIMED_OUT));
        }
      }
      return createTopicsResponse(names.map((name) => ({ name, error: errors.get(name)! })));
    },
  };
}

function createTopicsResponse(results: readonly { name: string; error: ApiError }[]): Struct {
  return {
    throttleTimeMs: 0,
    topics: results.map((r) => ({ name: r.name, errorCode: r.error.code, errorMessage: r.error.message })),
  };
}
