import type { TopicPartition } from '@samsa/common';
import { NULL_UUID } from '../codec/uuid';
import type { LeaderAndIsrResponse, LeaderAndIsrResponseInput } from '../messages/types.generated';
import { groupByTopic } from './AbstractControlRequest';

/**
 * A LeaderAndIsr response whatever the version (Kafka's LeaderAndIsrResponse): v0–4 list partition
 * errors with topic names; v5 groups them under topic ids.
 */
export interface LeaderAndIsrPartitionError extends TopicPartition {
  readonly errorCode: number;
}

export interface LeaderAndIsrResponseContent {
  readonly errorCode: number;
  readonly partitionErrors: readonly LeaderAndIsrPartitionError[];
}

/**
 * The response body of `version` (0–5). v5 names topics by id: `topicIds` (name → id) are the
 * request's; a topic without one goes as the null id.
 */
export function buildLeaderAndIsrResponse(
  version: number,
  response: LeaderAndIsrResponseContent,
  topicIds: ReadonlyMap<string, string> = new Map(),
): LeaderAndIsrResponseInput {
  const partitionError = (e: LeaderAndIsrPartitionError) => ({
    topicName: e.topic,
    partitionIndex: e.partition,
    errorCode: e.errorCode,
  });
  if (version <= 4) return { errorCode: response.errorCode, partitionErrors: response.partitionErrors.map(partitionError) };
  return {
    errorCode: response.errorCode,
    topics: [...groupByTopic(response.partitionErrors, (e) => e.topic)].map(([topic, errors]) => ({
      topicId: topicIds.get(topic) ?? NULL_UUID,
      partitionErrors: errors.map(partitionError),
    })),
  };
}

/**
 * The content of a decoded LeaderAndIsr response of any version. A v5 response names topics by id:
 * `topicNamesById` turns them back into names; errors of a topic it does not know are dropped.
 */
export function readLeaderAndIsrResponse(
  body: LeaderAndIsrResponse,
  topicNamesById: ReadonlyMap<string, string> = new Map(),
): LeaderAndIsrResponseContent {
  const partitionErrors: LeaderAndIsrPartitionError[] = body.partitionErrors.map((e) => ({
    topic: e.topicName,
    partition: e.partitionIndex,
    errorCode: e.errorCode,
  }));
  for (const t of body.topics) {
    const topic = topicNamesById.get(t.topicId);
    if (topic === undefined) continue;
    for (const e of t.partitionErrors) partitionErrors.push({ topic, partition: e.partitionIndex, errorCode: e.errorCode });
  }
  return { errorCode: body.errorCode, partitionErrors };
}
