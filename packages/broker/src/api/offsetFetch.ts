import { ApiKey, ErrorCode, KafkaError, type OffsetFetchResponseInput } from '@samsa/protocol';
import type { TopicPartition } from '@samsa/common';
import { noOffset, type OffsetFetchPartitionData } from '@samsa/coordinator';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import { byTopic, requestedPartitions } from './groupRequests';
import type { ApiHandlerEntry } from './types';

/**
 * OffsetFetch v0–7 (Kafka 2.8's handleOffsetFetchRequest): v0 reads ZooKeeper; v1+ the group
 * coordinator, the partitions asked for or (v2+, topics null) all the group has offsets for. A
 * group error is top-level from v2; v0–1 put it on every requested partition. v6 is the flexible
 * encoding; v7 brings require_stable (KIP-447): a partition with a transactional offset commit
 * still waiting for its marker answers UNSTABLE_OFFSET_COMMIT, which clients retry, instead of
 * the offset committed before it.
 */
export function offsetFetchHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.OffsetFetch> {
  return {
    apiKey: ApiKey.OffsetFetch,
    maxVersion: 7,
    async handle(ctx, body) {
      const version = ctx.header.apiVersion;
      const requested = body.topics === null ? null : requestedPartitions(body.topics);
      // Kafka 2.8: DESCRIBE on each topic (DESCRIBE on the group is checked before the handler):
      // partitions asked for answer TOPIC_AUTHORIZATION_FAILED, all partitions leave them out
      const describable = (topics: readonly TopicPartition[]): Set<string> =>
        filterByAuthorized(deps, ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, new Set(topics.map((tp) => tp.topic)));
      const allowed = requested === null ? null : describable(requested);
      const tps = requested === null ? null : requested.filter((tp) => allowed!.has(tp.topic));
      const unauthorized = (requested ?? [])
        .filter((tp) => !allowed!.has(tp.topic))
        .map((tp) => ({ tp, data: noOffset(ErrorCode.TOPIC_AUTHORIZATION_FAILED) }));
      if (version === 0)
        return response(ErrorCode.NONE, [...(await fetchFromZooKeeper(deps, body.groupId, tps ?? [])), ...unauthorized]);
      const { error, partitions } = deps.groupCoordinator.handleFetchOffsets(
        body.groupId,
        body.requireStable ?? false,
        tps,
      );
      if (error !== ErrorCode.NONE) {
        return response(error, version < 2 ? (requested ?? []).map((tp) => ({ tp, data: noOffset(error) })) : []);
      }
      if (tps === null) {
        const visible = describable(partitions.map((p) => p.tp));
        return response(ErrorCode.NONE, partitions.filter((p) => visible.has(p.tp.topic)));
      }
      return response(ErrorCode.NONE, [...partitions, ...unauthorized]);
    },
  };
}

function response(
  errorCode: number,
  partitions: readonly { tp: TopicPartition; data: OffsetFetchPartitionData }[],
): OffsetFetchResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode,
    topics: byTopic(
      partitions.map(({ tp, data }) => ({ tp, value: data })),
      (partitionIndex, d) => ({
        partitionIndex,
        committedOffset: d.offset,
        committedLeaderEpoch: d.leaderEpoch,
        metadata: d.metadata,
        errorCode: d.error,
      }),
    ),
  };
}

async function fetchFromZooKeeper(
  deps: BrokerDeps,
  groupId: string,
  tps: readonly TopicPartition[],
): Promise<{ tp: TopicPartition; data: OffsetFetchPartitionData }[]> {
  const out: { tp: TopicPartition; data: OffsetFetchPartitionData }[] = [];
  for (const tp of tps) {
    if (!deps.metadataCache.partitionState(tp.topic, tp.partition)) {
      out.push({ tp, data: noOffset(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) });
      continue;
    }
    try {
      const offset = await deps.zkClient.getConsumerOffset(groupId, tp);
      out.push({
        tp,
        data:
          offset === null
            ? noOffset(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
            : { offset, leaderEpoch: -1, metadata: '', error: ErrorCode.NONE },
      });
    } catch (e) {
      deps.logger.warn(
        `Reading the offset of ${tp.topic}-${tp.partition} for group ${groupId} from ZooKeeper failed`,
        e,
      );
      out.push({ tp, data: noOffset(e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR) });
    }
  }
  return out;
}
