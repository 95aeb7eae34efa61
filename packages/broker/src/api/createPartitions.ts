import { AdminZkClient } from '@samsa/admin-zk';
import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { isValidTopicName, type ReplicaAssignment } from '@samsa/zk';
import { apiError, NO_ERROR, toApiError, type ApiError } from './adminErrors';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import { checkAssignmentFitsZooKeeper, duplicateNames } from './topicCreation';
import { allHaveLeaders } from './topicPurgatory';
import type { ApiHandlerEntry } from './types';

/**
 * The request-level checks of one CreatePartitionsTopic against the topic's current assignment
 * (Kafka ZkAdminManager.createPartitions): a reassignment in progress, no such topic, a count that is
 * not an increase, assignments naming unknown brokers or not one per new partition. Returns the
 * explicit assignments of the new partitions (numbered after the existing ones), or null to let
 * Kafka's algorithm place them. Pure; throws KafkaError.
 */
export function checkPartitionsRequest(
  topic: string,
  existing: ReadonlyMap<number, ReplicaAssignment>,
  count: number,
  assignments: readonly { readonly brokerIds: readonly number[] }[] | null,
  brokerIds: ReadonlySet<number>,
): Map<number, number[]> | null {
  for (const a of existing.values()) {
    if (a.addingReplicas.length > 0 || a.removingReplicas.length > 0) {
      throw new KafkaError(
        ErrorCode.REASSIGNMENT_IN_PROGRESS,
        `A partition reassignment is in progress for the topic '${topic}'.`,
      );
    }
  }
  if (existing.size === 0)
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${topic}' does not exist.`);
  const increment = count - existing.size;
  if (increment < 0) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `Topic currently has ${existing.size} partitions, which is higher than the requested ${count}.`,
    );
  }
  if (increment === 0)
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${existing.size} partitions.`);
  checkAssignmentFitsZooKeeper(count, existing.values().next().value?.replicas.length ?? 1);
  if (assignments === null) return null;
  const replicas = assignments.map((a) => [...a.brokerIds]);
  const unknown = [...new Set(replicas.flat())].filter((id) => !brokerIds.has(id));
  if (unknown.length > 0) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`,
    );
  }
  if (replicas.length !== increment) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Increasing the number of partitions by ${increment} but ${replicas.length} assignments provided.`,
    );
  }
  return new Map(replicas.map((r, i) => [existing.size + i, r]));
}

/**
 * CreatePartitions v0–1, on the controller only (Kafka's handleCreatePartitionsRequest with
 * ZkAdminManager.createPartitions):
 *   1. duplicates → INVALID_REQUEST; topics marked for deletion → INVALID_TOPIC_EXCEPTION;
 *   2. per topic: checkPartitionsRequest, then AdminZkClient.addPartitions places the new partitions
 *      (explicit or Kafka's algorithm continuing partition 0's layout), validates them against the
 *      live brokers and, unless validateOnly, rewrites /brokers/topics/T;
 *   3. validateOnly or timeout ≤ 0 answer now; else wait until every partition of the topic has a
 *      leader in the MetadataCache, or the timeout (REQUEST_TIMED_OUT).
 */
export function createPartitionsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.CreatePartitions> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.CreatePartitions,
    maxVersion: 1,
    async handle(ctx, body) {
      const topics = body.topics;
      const names = topics.map((t) => t.name);
      const errors = new Map<string, ApiError>();
      const answer = () => ({
        throttleTimeMs: 0,
        results: [...new Set(names)].map((name) => {
          const e = errors.get(name) ?? NO_ERROR;
          return { name, errorCode: e.code, errorMessage: e.message };
        }),
      });
      if (!deps.isController()) {
        for (const n of names) errors.set(n, apiError(ErrorCode.NOT_CONTROLLER));
        return answer();
      }
      const dupes = duplicateNames(names);
      const allBrokers = await admin.getBrokerMetadatas();
      const brokerIds = new Set(allBrokers.map((b) => b.id));
      const validateOnly = !!body.validateOnly;
      const grown = new Map<string, number[]>();
      // Kafka 2.8: ALTER on each topic
      const alterable = filterByAuthorized(deps, ctx, AclOperation.ALTER, ResourceType.TOPIC, names);
      for (const t of topics) {
        const name = t.name;
        if (!alterable.has(name) && !dupes.has(name)) {
          errors.set(name, apiError(ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          continue;
        }
        if (dupes.has(name)) {
          errors.set(name, apiError(ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.'));
          continue;
        }
        try {
          // A name no topic can have names none: answered before it becomes a ZooKeeper path
          // (an empty name or a control character would otherwise fail there as a server error).
          if (!isValidTopicName(name)) {
            throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
          }
          if (await deps.zkClient.isTopicMarkedForDeletion(name)) {
            throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'The topic is queued for deletion.');
          }
          const [current] = await deps.zkClient.getReplicaAssignmentAndTopicIdForTopics([name]);
          const forNew = checkPartitionsRequest(
            name,
            current.partitions,
            t.count,
            t.assignments ?? null,
            brokerIds,
          );
          const all = await admin.addPartitions(
            name,
            current.partitions,
            allBrokers,
            t.count,
            forNew,
            validateOnly,
          );
          if (!validateOnly)
            deps.logger.info(`Increased the partition count of topic ${name} to ${all.size}`);
          grown.set(name, [...all.keys()]);
        } catch (e) {
          errors.set(name, toApiError(e, deps.logger, `create partitions request for ${name}`));
        }
      }
      if (!validateOnly && grown.size > 0) {
        const done = () => [...grown].every(([t, ps]) => allHaveLeaders(deps.metadataCache, t, ps));
        if (body.timeoutMs > 0) await deps.topicPurgatory.waitUntil([...grown.keys()], done, body.timeoutMs);
        for (const [t, ps] of grown) {
          if (!allHaveLeaders(deps.metadataCache, t, ps))
            errors.set(t, apiError(ErrorCode.REQUEST_TIMED_OUT));
        }
      }
      return answer();
    },
  };
}
