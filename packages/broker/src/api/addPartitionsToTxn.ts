import { topicPartition, type TopicPartition } from '@samsa/common';
import { ApiKey, ErrorCode, type AddPartitionsToTxnResponseInput } from '@samsa/protocol';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import { producerFencedForVersion } from './transactionRequests';
import type { ApiHandlerEntry } from './types';

function answer(errors: readonly [TopicPartition, number][]): AddPartitionsToTxnResponseInput {
  const byTopic = new Map<string, { partitionIndex: number; errorCode: number }[]>();
  for (const [tp, errorCode] of errors) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push({ partitionIndex: tp.partition, errorCode });
    byTopic.set(tp.topic, list);
  }
  return { throttleTimeMs: 0, results: [...byTopic].map(([name, results]) => ({ name, results })) };
}

/**
 * AddPartitionsToTxn v0–3 (v3 flexible; Kafka 2.8's handleAddPartitionToTxnRequest): a partition the metadata
 * does not know fails the whole request — UNKNOWN_TOPIC_OR_PARTITION for it, OPERATION_NOT_ATTEMPTED
 * for the others; otherwise the TransactionCoordinator adds them all, and its one error is every
 * partition's (PRODUCER_FENCED as INVALID_PRODUCER_EPOCH below v2).
 */
export function addPartitionsToTxnHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.AddPartitionsToTxn> {
  return {
    apiKey: ApiKey.AddPartitionsToTxn,
    maxVersion: 3,
    async handle(ctx, body) {
      const partitions = body.topics.flatMap((t) => t.partitions.map((p) => topicPartition(t.name, p)));
      // Kafka 2.8: WRITE on each topic (WRITE on the transactional id is checked before the handler)
      const writable = filterByAuthorized(deps, ctx, AclOperation.WRITE, ResourceType.TOPIC, body.topics.map((t) => t.name));
      const unauthorized = partitions.filter((tp) => !writable.has(tp.topic));
      const unknown = partitions.filter(
        (tp) => writable.has(tp.topic) && deps.metadataCache.partitionState(tp.topic, tp.partition) === undefined,
      );
      if (unknown.length > 0 || unauthorized.length > 0) {
        return answer(
          partitions.map((tp) => [
            tp,
            unauthorized.includes(tp)
              ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
              : unknown.includes(tp)
                ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                : ErrorCode.OPERATION_NOT_ATTEMPTED,
          ]),
        );
      }
      const error = await deps.transactionCoordinator.handleAddPartitionsToTransaction(
        body.transactionalId,
        body.producerId,
        body.producerEpoch,
        partitions,
      );
      const errorCode = producerFencedForVersion(error, ctx.header.apiVersion, 2);
      return answer(partitions.map((tp) => [tp, errorCode]));
    },
  };
}
