import { topicPartitionKey } from '@samsa/common';
import { ApiKey, ErrorCode, KafkaError, type AlterReplicaLogDirsResponseResultsInput } from '@samsa/protocol';
import type { BrokerDeps } from './deps';
import type { ApiHandlerEntry } from './types';

/**
 * AlterReplicaLogDirs v0–1 (Kafka 2.8's KafkaApis.handleAlterReplicaLogDirsRequest, which needs
 * ALTER on the cluster: authorization.ts): moves replicas of this broker between its log dirs
 * while they serve. Per partition, as ReplicaManager.alterReplicaLogDirs answers: LOG_DIR_NOT_FOUND
 * for a dir not in log.dirs, KAFKA_STORAGE_ERROR for an offline one, NOT_LEADER_OR_FOLLOWER for a
 * partition this broker has no replica of yet (its log will be made in that dir when it comes).
 * A partition named twice gets the first dir (Kafka's map keeps one).
 */
export function alterReplicaLogDirsHandler(deps: BrokerDeps): ApiHandlerEntry<typeof ApiKey.AlterReplicaLogDirs> {
  return {
    apiKey: ApiKey.AlterReplicaLogDirs,
    maxVersion: 1,
    async handle(_ctx, body) {
      const wanted = new Map<string, { topic: string; partition: number; dir: string }>();
      for (const d of body.dirs) {
        for (const t of d.topics) {
          for (const partition of t.partitions) {
            const k = topicPartitionKey({ topic: t.name, partition });
            if (!wanted.has(k)) wanted.set(k, { topic: t.name, partition, dir: d.path });
          }
        }
      }
      const byTopic = new Map<string, { partitionIndex: number; errorCode: number }[]>();
      for (const w of wanted.values()) {
        let errorCode: number = ErrorCode.NONE;
        try {
          await deps.replicaManager.alterReplicaLogDir(w.topic, w.partition, w.dir);
        } catch (e) {
          if (!(e instanceof KafkaError)) deps.logger.error(`AlterReplicaLogDirs of ${topicPartitionKey(w)} to ${w.dir} failed`, e);
          errorCode = e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR;
        }
        const list = byTopic.get(w.topic) ?? [];
        list.push({ partitionIndex: w.partition, errorCode });
        byTopic.set(w.topic, list);
      }
      const results: AlterReplicaLogDirsResponseResultsInput[] = [...byTopic].map(([topicName, partitions]) => ({
        topicName,
        partitions,
      }));
      return { throttleTimeMs: 0, results };
    },
  };
}
