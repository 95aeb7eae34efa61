import type { TopicPartition } from '@samsa/common';
import type { StopReplicaRequest, StopReplicaRequestInput } from '../messages/types.generated';
import { groupByTopic, type ControlRequestHeader } from './AbstractControlRequest';

/**
 * StopReplica as the controller means it and the broker acts on it, whatever the version (Kafka's
 * StopReplicaRequest and its Builder): v0 lists partitions ungrouped, v1–2 group them by topic;
 * v0–2 carry one delete flag for the whole request, v3 a delete flag and a leader epoch per
 * partition; the broker epoch from v1.
 */
export interface StopReplicaPartition extends TopicPartition {
  /** -1 where the version has none; -2 (Kafka's EpochDuringDelete) for a topic being deleted. */
  readonly leaderEpoch: number;
  readonly deletePartition: boolean;
}

export interface StopReplicaRequestContent extends ControlRequestHeader {
  /**
   * v0–2's request-wide flag: every partition's `deletePartition` must equal it there (the
   * controller sends partitions to delete and to stop as two requests). v3 has no such flag.
   */
  readonly deletePartitions: boolean;
  readonly partitions: readonly StopReplicaPartition[];
}

/** Kafka's default leader epoch of a StopReplica partition state (versions without one). */
const NO_LEADER_EPOCH = -1;

/** The request body of `version` (0–3) carrying `request`. */
export function buildStopReplicaRequest(version: number, request: StopReplicaRequestContent): StopReplicaRequestInput {
  const header = {
    controllerId: request.controllerId,
    controllerEpoch: request.controllerEpoch,
    brokerEpoch: request.brokerEpoch,
  };
  const byTopic = groupByTopic(request.partitions, (p) => p.topic);
  if (version >= 3) {
    return {
      ...header,
      topicStates: [...byTopic].map(([topicName, partitions]) => ({
        topicName,
        partitionStates: partitions.map((p) => ({
          partitionIndex: p.partition,
          leaderEpoch: p.leaderEpoch,
          deletePartition: p.deletePartition,
        })),
      })),
    };
  }
  const mixed = request.partitions.find((p) => p.deletePartition !== request.deletePartitions);
  if (mixed !== undefined) {
    throw new Error(
      `StopReplica v${version} has one delete flag (${request.deletePartitions}) but ${mixed.topic}-${mixed.partition} has ${mixed.deletePartition}`,
    );
  }
  if (version === 0) {
    return {
      ...header,
      deletePartitions: request.deletePartitions,
      ungroupedPartitions: request.partitions.map((p) => ({ topicName: p.topic, partitionIndex: p.partition })),
    };
  }
  return {
    ...header,
    deletePartitions: request.deletePartitions,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitionIndexes: partitions.map((p) => p.partition) })),
  };
}

/** The content of a decoded StopReplica request of any version (v0–2 partitions take the request's delete flag). */
export function readStopReplicaRequest(body: StopReplicaRequest): StopReplicaRequestContent {
  const deletePartition = body.deletePartitions;
  return {
    controllerId: body.controllerId,
    controllerEpoch: body.controllerEpoch,
    brokerEpoch: body.brokerEpoch,
    deletePartitions: body.deletePartitions,
    partitions: [
      ...body.ungroupedPartitions.map((p) => ({
        topic: p.topicName,
        partition: p.partitionIndex,
        leaderEpoch: NO_LEADER_EPOCH,
        deletePartition,
      })),
      ...body.topics.flatMap((t) =>
        t.partitionIndexes.map((partition) => ({ topic: t.name, partition, leaderEpoch: NO_LEADER_EPOCH, deletePartition })),
      ),
      ...body.topicStates.flatMap((t) =>
        t.partitionStates.map((p) => ({
          topic: t.topicName,
          partition: p.partitionIndex,
          leaderEpoch: p.leaderEpoch,
          deletePartition: p.deletePartition,
        })),
      ),
    ],
  };
}
