import { ApiKey, ErrorCode, KafkaError, type MetadataResponseTopicsInput } from '@samsa/protocol';
import { isInternalTopic, topicNameProblem } from '@samsa/zk';
import { AclOperation, ResourceType } from '@samsa/security';
import { authorizeCluster, authorizedOperations, clusterAuthorizedOperations, filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * Metadata v0–8 from the MetadataCache. v0: an empty topic list means all topics; v1+: null means
 * all, empty means none. Unknown topics are auto-created when the broker (auto.create.topics.enable)
 * and, from v4, the request allow it; they answer LEADER_NOT_AVAILABLE until their leaders exist.
 */
export function metadataHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.Metadata> {
  return {
    apiKey: ApiKey.Metadata,
    maxVersion: 8,
    async handle(ctx, body) {
      const version = ctx.header.apiVersion;
      const cache = deps.metadataCache;
      const requested: string[] | null =
        body.topics === null || (version === 0 && body.topics.length === 0)
          ? null
          : body.topics.map((t) => t.name ?? ''); // a null name (v10+, by topic id) is not served
      const names = requested ?? cache.allTopics();
      const allowAuto = deps.config.bool('auto.create.topics.enable') && (version < 4 || body.allowAutoTopicCreation);
      const topics: MetadataResponseTopicsInput[] = [];
      // Kafka 2.8: DESCRIBE on each topic (all topics: the others left out, silently; named: the
      // others TOPIC_AUTHORIZATION_FAILED, whether they exist or not); auto-creation needs CREATE on
      // the cluster or on the topic
      const describable = filterByAuthorized(deps, ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, names, {
        logIfDenied: requested !== null,
      });
      const missing = names.filter((n) => describable.has(n) && !cache.contains(n));
      const creatable =
        allowAuto && missing.length > 0 && !authorizeCluster(deps, ctx, AclOperation.CREATE, { logIfDenied: false })
          ? filterByAuthorized(deps, ctx, AclOperation.CREATE, ResourceType.TOPIC, missing)
          : new Set(missing);
      for (const name of names) {
        if (!describable.has(name) || (!creatable.has(name) && !cache.contains(name))) {
          if (requested === null) continue;
          topics.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, isInternal: isInternalTopic(name), partitions: [] });
          continue;
        }
        if (cache.contains(name)) {
          topics.push({
            errorCode: ErrorCode.NONE,
            name,
            isInternal: isInternalTopic(name),
            partitions: cache.partitionMetadata(name, ctx.listenerName, version === 0),
          });
          continue;
        }
        topics.push({ errorCode: await missingTopicError(deps, name, allowAuto), name, isInternal: isInternalTopic(name), partitions: [] });
      }
      // v8+: the operations asked for (KIP-430), as Kafka computes them
      const withOperations =
        version >= 8 && body.includeTopicAuthorizedOperations
          ? topics.map((t) =>
              t.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED
                ? t
                : { ...t, topicAuthorizedOperations: authorizedOperations(deps, ctx, ResourceType.TOPIC, t.name ?? '') },
            )
          : topics;
      return {
        throttleTimeMs: 0,
        brokers: cache.aliveEndpoints(ctx.listenerName).map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: b.rack })),
        clusterId: deps.clusterId,
        controllerId: cache.controllerId,
        topics: withOperations,
        ...(version >= 8 && body.includeClusterAuthorizedOperations
          ? { clusterAuthorizedOperations: clusterAuthorizedOperations(deps, ctx) }
          : {}),
      };
    },
  };
}

async function missingTopicError(deps: BrokerDeps, name: string, allowAuto: boolean): Promise<number> {
  if (topicNameProblem(name) !== null) return ErrorCode.INVALID_TOPIC_EXCEPTION;
  if (!allowAuto || isInternalTopic(name)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  try {
    await deps.autoCreateTopic(name);
    return ErrorCode.LEADER_NOT_AVAILABLE;
  } catch (e) {
    if (e instanceof KafkaError && e.code === ErrorCode.TOPIC_ALREADY_EXISTS) return ErrorCode.LEADER_NOT_AVAILABLE;
    if (e instanceof KafkaError) return e.code === ErrorCode.INVALID_REPLICATION_FACTOR ? ErrorCode.LEADER_NOT_AVAILABLE : e.code;
    deps.logger.error(`auto-creation of topic ${name} failed`, e);
    return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
