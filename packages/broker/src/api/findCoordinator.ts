import { ApiKey, ErrorCode, errorInfo, KafkaError, type FindCoordinatorResponseInput } from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME } from '@samsa/zk';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** FindCoordinator's key types. */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

function answer(errorCode: number, node?: { id: number; host: string; port: number }): FindCoordinatorResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage: errorCode === ErrorCode.NONE ? 'NONE' : errorInfo(errorCode).message,
    nodeId: node?.id ?? -1,
    host: node?.host ?? '',
    port: node?.port ?? -1,
  };
}

/**
 * FindCoordinator v0–2 (Kafka's handleFindCoordinatorRequest): the coordinator of a group is the
 * leader of its __consumer_offsets partition, of a transactional id (key type 1) the leader of its
 * __transaction_state partition, as the request's listener reaches it.
 * 1. the internal topic is not in the metadata: create it (offsets.topic.* or
 *    transaction.state.log.* partitions, replication factor and configs, compacted; creation fails
 *    while fewer brokers are alive than the replication factor) and answer
 *    COORDINATOR_NOT_AVAILABLE — the client asks again;
 * 2. the partition has no live leader on this listener: COORDINATOR_NOT_AVAILABLE;
 * 3. otherwise that broker.
 * The API is advertised in any case: librdkafka switches LZ4 off unless a broker lists it
 * (rdkafka_feature.c).
 */
export function findCoordinatorHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.FindCoordinator> {
  return {
    apiKey: ApiKey.FindCoordinator,
    maxVersion: 2,
    async handle(ctx, body) {
      const keyType = body.keyType ?? CoordinatorType.GROUP;
      if (keyType !== CoordinatorType.GROUP && keyType !== CoordinatorType.TRANSACTION)
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown coordinator key type ${keyType}`);
      const topic = keyType === CoordinatorType.GROUP ? GROUP_METADATA_TOPIC_NAME : TRANSACTION_STATE_TOPIC_NAME;
      const cache = deps.metadataCache;
      if (!cache.contains(topic)) {
        try {
          await deps.autoCreateTopic(topic);
        } catch (e) {
          if (!(e instanceof KafkaError && e.code === ErrorCode.TOPIC_ALREADY_EXISTS)) {
            deps.logger.warn(`Could not create ${topic}: ${(e as Error).message}`);
          }
        }
        return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
      const partition =
        keyType === CoordinatorType.GROUP
          ? deps.groupCoordinator.partitionFor(body.key)
          : deps.transactionCoordinator.partitionFor(body.key);
      const state = cache.partitionState(topic, partition);
      const endpoint =
        state && state.leader >= 0
          ? cache.aliveBroker(state.leader)?.endpoints.get(ctx.listenerName)
          : undefined;
      if (!state || !endpoint) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      return answer(ErrorCode.NONE, { id: state.leader, host: endpoint.host, port: endpoint.port });
    },
  };
}
