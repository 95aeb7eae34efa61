import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { AclOperation, ResourceType } from '@samsa/security';
import { authorizeCluster, filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * OffsetForLeaderEpoch v0–3 (KIP-101, KIP-279, KIP-320): for each partition, the end offset of the
 * largest leader epoch ≤ the requested one in this replica's leader epoch cache — the start offset
 * of the next epoch, or the log end for the latest — with that epoch (v1+). Unknown epochs answer
 * NONE with -1/-1 (UNDEFINED). A current leader epoch (v2+, -1 = none) older than ours is
 * FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH. Served by the leader only, whatever the replica
 * id (Kafka 2.8's ReplicaManager.lastOffsetForLeaderEpoch): NOT_LEADER_OR_FOLLOWER on a follower
 * or on a broker the metadata shows the partition on, else UNKNOWN_TOPIC_OR_PARTITION.
 */
export function offsetForLeaderEpochHandler(
  deps: BrokerDeps,
): ApiHandlerEntry<typeof ApiKey.OffsetForLeaderEpoch> {
  return {
    apiKey: ApiKey.OffsetForLeaderEpoch,
    maxVersion: 3,
    handle(ctx, body) {
      // Kafka 2.8: ClusterAction (followers) or DESCRIBE on each topic (consumers, KIP-320)
      const describable = authorizeCluster(deps, ctx, AclOperation.CLUSTER_ACTION, { logIfDenied: false })
        ? new Set(body.topics.map((t) => t.topic))
        : filterByAuthorized(deps, ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, body.topics.map((t) => t.topic));
      return {
        throttleTimeMs: 0,
        topics: body.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => {
            try {
              if (!describable.has(t.topic)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
              const r = deps.replicaManager.lastOffsetForLeaderEpoch(
                t.topic,
                p.partition,
                p.currentLeaderEpoch ?? -1,
                p.leaderEpoch,
                true,
              );
              return { partition: p.partition, errorCode: r.errorCode, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
            } catch (e) {
              if (!(e instanceof KafkaError)) deps.logger.error(`OffsetForLeaderEpoch for ${t.topic}-${p.partition} failed`, e);
              return {
                partition: p.partition,
                errorCode: e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR,
                leaderEpoch: -1,
                endOffset: -1,
              };
            }
          }),
        })),
      };
    },
  };
}
