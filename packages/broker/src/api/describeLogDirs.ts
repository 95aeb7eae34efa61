import { ApiKey, ErrorCode, KafkaError } from '@samsa/protocol';
import { AclOperation } from '@samsa/security';
import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import { authorizeCluster } from './authorization';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/** Kafka's DescribeLogDirsResponse.INVALID_OFFSET_LAG: the replica has no local log. */
export const INVALID_OFFSET_LAG = -1;

/**
 * DescribeLogDirs v0–2 (Kafka 2.8 KafkaApis.handleDescribeLogDirsRequest and
 * ReplicaManager.describeLogDirs). Without DESCRIBE on the cluster the answer is an empty list,
 * as Kafka's is before v3 (which adds a top-level error). Otherwise, per configured log dir (its
 * absolute path): KAFKA_STORAGE_ERROR when it is offline; else its logs grouped by topic, each of
 * the requested partitions (null topics: all) with its size in bytes, its offset lag
 * (max(high watermark − log end, 0); for a future log, moving here by AlterReplicaLogDirs, how far
 * its end is behind the current log's), and isFuture. As in Kafka, a topic with logs in the dir but
 * none requested is listed with no partitions.
 */
export function describeLogDirsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.DescribeLogDirs> {
  return {
    apiKey: ApiKey.DescribeLogDirs,
    maxVersion: 2,
    handle(ctx, body) {
      if (!authorizeCluster(deps, ctx, AclOperation.DESCRIBE)) return { throttleTimeMs: 0, results: [] };
      const logManager = deps.logManager;
      const requested: Set<string> | null =
        body.topics === null
          ? null
          : new Set(body.topics.flatMap((t) => t.partitionIndex.map((partition) => topicPartitionKey({ topic: t.topic, partition }))));
      const wanted = (tp: TopicPartition): boolean => requested === null || requested.has(topicPartitionKey(tp));
      const dirs = [...logManager.liveLogDirs, ...logManager.offlineLogDirs];
      const results = dirs.map((logDir) => {
        try {
          if (!logManager.isLogDirOnline(logDir)) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Log directory ${logDir} is offline`);
          const byTopic = new Map<string, { partitionIndex: number; partitionSize: number; offsetLag: number; isFutureKey: boolean }[]>();
          const logs = [
            ...logManager.allLogs().map((log) => ({ log, isFuture: false })),
            ...logManager.allFutureLogs().map((log) => ({ log, isFuture: true })),
          ];
          for (const { log, isFuture } of logs) {
            if (log.parentDir !== logDir) continue;
            const tp = log.topicPartition;
            const partitions = byTopic.get(tp.topic) ?? [];
            byTopic.set(tp.topic, partitions);
            if (!wanted(tp)) continue;
            partitions.push({
              partitionIndex: tp.partition,
              partitionSize: log.size,
              offsetLag: isFuture
                ? (logManager.getLog(tp)?.logEndOffset ?? log.logEndOffset + INVALID_OFFSET_LAG) - log.logEndOffset
                : Math.max(log.highWatermark - log.logEndOffset, 0),
              isFutureKey: isFuture,
            });
          }
          return {
            errorCode: ErrorCode.NONE,
            logDir,
            topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
          };
        } catch (e) {
          if (!(e instanceof KafkaError)) deps.logger.error(`Error while describing replica in dir ${logDir}`, e);
          return { errorCode: e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR, logDir, topics: [] };
        }
      });
      return { throttleTimeMs: 0, results };
    },
  };
}
