import type { TopicPartition } from '@samsa/common';
import type { StopReplicaResponse, StopReplicaResponseInput } from '../messages/types.generated';

/** A StopReplica response (Kafka's StopReplicaResponse): the same layout in every version, 0–3. */
export interface StopReplicaPartitionError extends TopicPartition {
  readonly errorCode: number;
}

export interface StopReplicaResponseContent {
  readonly errorCode: number;
  readonly partitionErrors: readonly StopReplicaPartitionError[];
}

export function buildStopReplicaResponse(response: StopReplicaResponseContent): StopReplicaResponseInput {
  return {
    errorCode: response.errorCode,
    partitionErrors: response.partitionErrors.map((e) => ({
      topicName: e.topic,
      partitionIndex: e.partition,
      errorCode: e.errorCode,
    })),
  };
}

export function readStopReplicaResponse(body: StopReplicaResponse): StopReplicaResponseContent {
  return {
    errorCode: body.errorCode,
    partitionErrors: body.partitionErrors.map((e) => ({
      topic: e.topicName,
      partition: e.partitionIndex,
      errorCode: e.errorCode,
    })),
  };
}
