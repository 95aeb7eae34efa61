import { ApiKey, ErrorCode, KafkaError, type ListOffsetsRequestTopicsPartitions } from '@samsa/protocol';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '@samsa/storage';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * ListOffsets v0–5 on the leader: EARLIEST (-2) → log start offset, LATEST (-1) → the last offset a
 * consumer may read (high watermark; last stable offset for read_committed; for replicas the log end
 * a follower can read, Log.writtenEndOffset),
 * else the first offset whose timestamp is ≥ the target. v0 answers a list of old-style offsets.
 */
export function listOffsetsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.ListOffsets> {
  return {
    apiKey: ApiKey.ListOffsets,
    maxVersion: 5,
    handle(ctx, body) {
      const isReplica = body.replicaId >= 0;
      // Kafka 2.8: DESCRIBE on each topic
      const describable = filterByAuthorized(deps, ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, body.topics.map((t) => t.name));
      return {
        throttleTimeMs: 0,
        topics: body.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            try {
              if (!describable.has(t.name)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
              const found = lookup(deps, t.name, p, isReplica, ctx.header.apiVersion >= 2 ? body.isolationLevel : 0);
              return {
                partitionIndex: p.partitionIndex,
                errorCode: ErrorCode.NONE,
                oldStyleOffsets: found.offset >= 0 ? [found.offset] : [],
                timestamp: found.timestamp,
                offset: found.offset,
                leaderEpoch: found.leaderEpoch,
              };
            } catch (e) {
              if (!(e instanceof KafkaError)) deps.logger.error(`ListOffsets for ${t.name}-${p.partitionIndex} failed`, e);
              return {
                partitionIndex: p.partitionIndex,
                errorCode: e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR,
                oldStyleOffsets: [],
                timestamp: -1,
                offset: -1,
                leaderEpoch: -1,
              };
            }
          }),
        })),
      };
    },
  };
}

function lookup(
  deps: BrokerDeps,
  topic: string,
  p: ListOffsetsRequestTopicsPartitions,
  isReplica: boolean,
  isolationLevel: number,
) {
  const partition = deps.replicaManager.leaderPartitionOrError(topic, p.partitionIndex);
  const current = p.currentLeaderEpoch ?? -1;
  if (current >= 0 && current !== partition.leaderEpoch) {
    throw new KafkaError(current < partition.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH);
  }
  const log = partition.log;
  // Kafka's lastFetchableOffset: read_committed (isolation level 1, v2+) stops at the last stable
  // offset, read_uncommitted at the high watermark, replicas at the log end.
  const lastFetchable = isReplica
    ? log.writtenEndOffset
    : isolationLevel === 1
      ? log.lastStableOffset
      : partition.highWatermark;
  if (p.timestamp === LATEST_TIMESTAMP) return { timestamp: -1, offset: lastFetchable, leaderEpoch: partition.leaderEpoch };
  if (p.timestamp === EARLIEST_TIMESTAMP) return { timestamp: -1, offset: log.logStartOffset, leaderEpoch: partition.leaderEpoch };
  const found = log.fetchOffsetByTimestamp(p.timestamp);
  if (!found || found.offset >= lastFetchable) return { timestamp: -1, offset: -1, leaderEpoch: -1 };
  return { timestamp: found.timestamp, offset: found.offset, leaderEpoch: found.leaderEpoch ?? -1 };
}
