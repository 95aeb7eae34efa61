import {
  ApiKey,
  ErrorCode,
  KafkaError,
  type OffsetCommitRequest,
  type OffsetCommitRequestTopicsPartitions,
} from '@samsa/protocol';
import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import type { OffsetAndMetadata } from '@samsa/coordinator';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** Sent by clients that leave the broker's retention (offsets.retention.minutes) in force. */
export const DEFAULT_RETENTION_TIME = -1;
/** A partition commit without its own timestamp (only v1 may carry one). */
export const DEFAULT_TIMESTAMP = -1;

/**
 * OffsetCommit v0–7 (Kafka's handleOffsetCommitRequest). Partitions the MetadataCache does not know
 * are UNKNOWN_TOPIC_OR_PARTITION; the others go to
 * - v0: ZooKeeper (/consumers/<group>/offsets/<topic>/<partition>), as Kafka 2.x does;
 * - v1+: the group coordinator (__consumer_offsets). The commit time is now (or v1's own
 *   timestamp); v2–4 may carry a retention time, which gives the offset an expire timestamp of its
 *   own — otherwise offsets.retention.minutes applies.
 */
export function offsetCommitHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.OffsetCommit> {
  return {
    apiKey: ApiKey.OffsetCommit,
    maxVersion: 7,
    async handle(ctx, body) {
      // By topicPartitionKey, as the coordinator answers a commit.
      const errors = new Map<string, number>();
      const known: { tp: TopicPartition; p: OffsetCommitRequestTopicsPartitions }[] = [];
      // Kafka 2.8: READ on each topic (READ on the group is checked before the handler)
      const readable = filterByAuthorized(deps, ctx, AclOperation.READ, ResourceType.TOPIC, body.topics.map((t) => t.name));
      for (const t of body.topics) {
        for (const p of t.partitions) {
          const tp = { topic: t.name, partition: p.partitionIndex };
          if (!readable.has(tp.topic)) errors.set(topicPartitionKey(tp), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          else if (deps.metadataCache.partitionState(tp.topic, tp.partition)) known.push({ tp, p });
          else errors.set(topicPartitionKey(tp), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        }
      }
      if (known.length > 0) {
        const results =
          ctx.header.apiVersion === 0
            ? await commitToZooKeeper(deps, body.groupId, known)
            : await commitToCoordinator(deps, body, known);
        for (const [k, e] of results) errors.set(k, e);
      }
      return {
        throttleTimeMs: 0,
        topics: body.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode:
              errors.get(topicPartitionKey({ topic: t.name, partition: p.partitionIndex })) ??
              ErrorCode.UNKNOWN_SERVER_ERROR,
          })),
        })),
      };
    },
  };
}

function commitToCoordinator(
  deps: BrokerDeps,
  body: OffsetCommitRequest,
  known: readonly { tp: TopicPartition; p: OffsetCommitRequestTopicsPartitions }[],
): Promise<Map<string, number>> {
  const now = Date.now();
  const retentionTimeMs = body.retentionTimeMs ?? DEFAULT_RETENTION_TIME;
  const offsets = new Map<string, { tp: TopicPartition; offsetAndMetadata: OffsetAndMetadata }>();
  for (const { tp, p } of known) {
    const commitTimestamp = p.commitTimestamp ?? DEFAULT_TIMESTAMP;
    offsets.set(topicPartitionKey(tp), {
      tp,
      offsetAndMetadata: {
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch ?? -1,
        metadata: p.committedMetadata ?? '',
        commitTimestamp: commitTimestamp === DEFAULT_TIMESTAMP ? now : commitTimestamp,
        expireTimestamp: retentionTimeMs === DEFAULT_RETENTION_TIME ? null : now + retentionTimeMs,
      },
    });
  }
  return new Promise((resolve) =>
    deps.groupCoordinator.handleCommitOffsets(
      body.groupId,
      body.memberId ?? '',
      body.groupInstanceId ?? null,
      body.generationId ?? -1,
      offsets,
      resolve,
    ),
  );
}

async function commitToZooKeeper(
  deps: BrokerDeps,
  groupId: string,
  known: readonly { tp: TopicPartition; p: OffsetCommitRequestTopicsPartitions }[],
): Promise<Map<string, number>> {
  const maxMetadata = deps.config.int('offset.metadata.max.bytes');
  const out = new Map<string, number>();
  for (const { tp, p } of known) {
    const k = topicPartitionKey(tp);
    if (p.committedMetadata !== null && p.committedMetadata.length > maxMetadata) {
      out.set(k, ErrorCode.OFFSET_METADATA_TOO_LARGE);
      continue;
    }
    try {
      await deps.zkClient.setOrCreateConsumerOffset(groupId, tp, p.committedOffset);
      out.set(k, ErrorCode.NONE);
    } catch (e) {
      deps.logger.warn(
        `Committing the offset of ${topicPartitionKey(tp)} for group ${groupId} to ZooKeeper failed`,
        e,
      );
      out.set(k, e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  }
  return out;
}
