import { AdminZkClient } from '@samsa/admin-zk';
import { ApiKey, ErrorCode, KafkaError, type CreateTopicsResponseInput } from '@samsa/protocol';
import { validateTopic } from '@samsa/zk';
import { AclOperation, ResourceType } from '@samsa/security';
import { authorizeCluster, filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import { apiError, NO_ERROR, toApiError, type ApiError } from './adminErrors';
import { allHaveLeaders } from './topicPurgatory';
import { duplicateNames, resolveTopic } from './topicCreation';
import type { ApiHandlerEntry } from './types';

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
export function createTopicsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.CreateTopics> {
  const admin = new AdminZkClient(deps.zkClient);
  return {
    apiKey: ApiKey.CreateTopics,
    maxVersion: 4,
    async handle(ctx, body) {
      const topics = body.topics;
      const names = topics.map((t) => t.name);
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
      // Kafka 2.8: CREATE on the cluster, else CREATE on each topic
      const creatable = authorizeCluster(deps, ctx, AclOperation.CREATE, { logIfDenied: false })
        ? new Set(names)
        : filterByAuthorized(deps, ctx, AclOperation.CREATE, ResourceType.TOPIC, names);
      for (const topic of topics) {
        const name = topic.name;
        if (dupes.has(name)) {
          errors.set(name, apiError(ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'));
          continue;
        }
        if (!creatable.has(name)) {
          errors.set(name, apiError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
          continue;
        }
        try {
          if (deps.metadataCache.contains(name)) {
            throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
          }
          // the name first, as Kafka's validateTopicCreate would refuse it anyway: nothing is
          // placed for a topic that cannot exist
          validateTopic(name);
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

function createTopicsResponse(results: readonly { name: string; error: ApiError }[]): CreateTopicsResponseInput {
  return {
    throttleTimeMs: 0,
    topics: results.map((r) => ({ name: r.name, errorCode: r.error.code, errorMessage: r.error.message })),
  };
}
