import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import type { OffsetAndMetadata } from '@samsa/coordinator';
import { ApiKey, ErrorCode, type TxnOffsetCommitRequest } from '@samsa/protocol';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** What the TxnOffsetCommit handler uses of the broker. */
export type TxnOffsetCommitDeps = Pick<BrokerDeps, 'metadataCache' | 'groupCoordinator' | 'authorizer'>;

/**
 * TxnOffsetCommit v0–3 (Kafka 2.8's handleTxnOffsetCommitRequest): a transactional producer
 * commits a group's offsets inside its transaction (sendOffsetsToTransaction, after
 * AddOffsetsToTxn). Partitions the MetadataCache does not know are UNKNOWN_TOPIC_OR_PARTITION; the
 * others go to the group coordinator (handleTxnCommitOffsets), committed now, with no expire
 * timestamp of their own. v3 carries the member id, group.instance.id and generation, checked when
 * set. Clients before v2 (Kafka clients older than 2.0 could crash on it) are told
 * COORDINATOR_NOT_AVAILABLE instead of COORDINATOR_LOAD_IN_PROGRESS.
 */
export function txnOffsetCommitHandler(
  deps: TxnOffsetCommitDeps,
): ApiHandlerEntry<typeof ApiKey.TxnOffsetCommit> {
  return {
    apiKey: ApiKey.TxnOffsetCommit,
    maxVersion: 3,
    async handle(ctx, body) {
      const errors = new Map<string, number>();
      const offsets = new Map<string, { tp: TopicPartition; offsetAndMetadata: OffsetAndMetadata }>();
      const now = Date.now();
      // Kafka 2.8: READ on each topic (the transactional id and the group are checked before the handler)
      const readable = filterByAuthorized(deps, ctx, AclOperation.READ, ResourceType.TOPIC, body.topics.map((t) => t.name));
      for (const t of body.topics) {
        for (const p of t.partitions) {
          const tp = { topic: t.name, partition: p.partitionIndex };
          if (!readable.has(tp.topic)) {
            errors.set(topicPartitionKey(tp), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
            continue;
          }
          if (!deps.metadataCache.partitionState(tp.topic, tp.partition)) {
            errors.set(topicPartitionKey(tp), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            continue;
          }
          offsets.set(topicPartitionKey(tp), {
            tp,
            offsetAndMetadata: {
              offset: p.committedOffset,
              leaderEpoch: p.committedLeaderEpoch ?? -1,
              metadata: p.committedMetadata ?? '',
              commitTimestamp: now,
              expireTimestamp: null,
            },
          });
        }
      }
      if (offsets.size > 0) for (const [k, e] of await commit(deps, body, offsets)) errors.set(k, e);
      const answer = (e: number | undefined) =>
        ctx.header.apiVersion < 2 && e === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
          ? ErrorCode.COORDINATOR_NOT_AVAILABLE
          : (e ?? ErrorCode.UNKNOWN_SERVER_ERROR);
      return {
        throttleTimeMs: 0,
        topics: body.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: answer(errors.get(topicPartitionKey({ topic: t.name, partition: p.partitionIndex }))),
          })),
        })),
      };
    },
  };
}

function commit(
  deps: TxnOffsetCommitDeps,
  body: TxnOffsetCommitRequest,
  offsets: ReadonlyMap<string, { tp: TopicPartition; offsetAndMetadata: OffsetAndMetadata }>,
): Promise<Map<string, number>> {
  return new Promise((resolve) =>
    deps.groupCoordinator.handleTxnCommitOffsets(
      body.groupId,
      body.producerId,
      body.producerEpoch,
      offsets,
      resolve,
      {
        memberId: body.memberId ?? '',
        groupInstanceId: body.groupInstanceId ?? null,
        generationId: body.generationId ?? -1,
      },
    ),
  );
}
