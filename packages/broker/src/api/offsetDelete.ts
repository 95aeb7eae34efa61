import { ApiKey, ErrorCode } from '@samsa/protocol';
import type { TopicPartition } from '@samsa/common';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import { byTopic } from './groupRequests';
import type { ApiHandlerEntry } from './types';

/**
 * OffsetDelete v0 (Kafka's handleOffsetDeleteRequest, KIP-496): removes a group's committed offsets
 * of the given partitions — unknown partitions are UNKNOWN_TOPIC_OR_PARTITION, topics a consumer
 * group with members subscribes to are GROUP_SUBSCRIBED_TO_TOPIC; a group error is top-level only.
 */
export function offsetDeleteHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.OffsetDelete> {
  return {
    apiKey: ApiKey.OffsetDelete,
    maxVersion: 0,
    handle(ctx, body) {
      const errors: { tp: TopicPartition; value: number }[] = [];
      const known: TopicPartition[] = [];
      // Kafka 2.8: READ on each topic (DELETE on the group is checked before the handler)
      const readable = filterByAuthorized(deps, ctx, AclOperation.READ, ResourceType.TOPIC, body.topics.map((t) => t.name));
      for (const t of body.topics) {
        for (const p of t.partitions) {
          const tp = { topic: t.name, partition: p.partitionIndex };
          if (!readable.has(tp.topic)) errors.push({ tp, value: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
          else if (deps.metadataCache.partitionState(tp.topic, tp.partition)) known.push(tp);
          else errors.push({ tp, value: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        }
      }
      const { groupError, partitionErrors } = deps.groupCoordinator.handleDeleteOffsets(body.groupId, known);
      if (groupError !== ErrorCode.NONE) return { errorCode: groupError, throttleTimeMs: 0, topics: [] };
      for (const { tp, error } of partitionErrors) errors.push({ tp, value: error });
      return {
        errorCode: ErrorCode.NONE,
        throttleTimeMs: 0,
        topics: byTopic(errors, (partitionIndex, errorCode) => ({ partitionIndex, errorCode })),
      };
    },
  };
}
