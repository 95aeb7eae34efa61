import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { AclOperation, ResourceType } from '@samsa/security';
import { filterByAuthorized } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** DeleteRecords' offset meaning "up to the high watermark". */
export const HIGH_WATERMARK = -1;

/**
 * DeleteRecords v0–1 on the partition leader (Kafka's Partition.deleteRecordsOnLeader): the log
 * start offset moves up to the requested offset (-1: the high watermark), so readers no longer see
 * the records before it and retention removes whole segments below it. Per partition:
 * UNKNOWN_TOPIC_OR_PARTITION when the MetadataCache does not know it, NOT_LEADER_OR_FOLLOWER off the
 * leader, POLICY_VIOLATION on a topic without cleanup.policy=delete, OFFSET_OUT_OF_RANGE beyond the
 * high watermark; the answer carries the new low watermark.
 *
 * Kafka then waits (DelayedDeleteRecords) until every follower's log start offset has followed;
 * followers here learn it from their next fetch, so the leader's low watermark is answered at once.
 */
export function deleteRecordsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DeleteRecords> {
  return {
    apiKey: ApiKey.DeleteRecords,
    maxVersion: 1,
    handle(ctx, body) {
      // Kafka 2.8: DELETE on each topic
      const deletable = filterByAuthorized(deps, ctx, AclOperation.DELETE, ResourceType.TOPIC, body.topics.map((t) => t.name));
      return {
        throttleTimeMs: 0,
        topics: body.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            try {
              if (!deletable.has(t.name)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
              const lowWatermark = deleteRecordsOnLeader(deps, t.name, p.partitionIndex, p.offset);
              return { partitionIndex: p.partitionIndex, lowWatermark, errorCode: ErrorCode.NONE };
            } catch (e) {
              if (!(e instanceof KafkaError))
                deps.logger.error(`DeleteRecords on ${t.name}-${p.partitionIndex} failed`, e);
              const errorCode = e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR;
              return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode };
            }
          }),
        })),
      };
    },
  };
}

function deleteRecordsOnLeader(deps: BrokerDeps, topic: string, partition: number, offset: number): number {
  if (!deps.metadataCache.partitionState(topic, partition)) {
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown partition ${topic}-${partition}`);
  }
  const log = deps.replicaManager.leaderPartitionOrError(topic, partition).log;
  if (!log.config.delete) {
    throw new KafkaError(
      ErrorCode.POLICY_VIOLATION,
      `Records of partition ${topic}-${partition} can not be deleted due to the configured policy`,
    );
  }
  if (offset < 0 && offset !== HIGH_WATERMARK) {
    throw new KafkaError(
      ErrorCode.OFFSET_OUT_OF_RANGE,
      `The offset ${offset} for partition ${topic}-${partition} is not valid`,
    );
  }
  return log.deleteRecordsBefore(offset);
}
