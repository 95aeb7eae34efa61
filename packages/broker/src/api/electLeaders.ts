import { type TopicPartition } from '@samsa/common';
import type { ElectionType, ElectLeadersResult } from '@samsa/controller';
import {
  ApiKey,
  ErrorCode,
  type ElectLeadersResponseInput,
  type ElectLeadersResponseReplicaElectionResultsInput,
  type ElectLeadersResponseReplicaElectionResultsPartitionResultInput,
} from '@samsa/protocol';
import type { ApiHandlerEntry } from './types';

/** The highest ElectLeaders version served (v1: election type and top-level error; v2: flexible). */
export const ELECT_LEADERS_VERSION = 2;

/** The embedded controller as this API needs it. */
export interface ElectLeadersController {
  readonly isActive: boolean;
  electLeaders(
    electionType: ElectionType,
    partitions: readonly TopicPartition[] | null,
    options?: { deadlineMs?: number },
  ): Promise<ElectLeadersResult>;
}

export interface ElectLeadersHandlerDeps {
  /** Null until the broker's controller has started. */
  readonly controller: () => ElectLeadersController | null;
}

/** Every requested partition with the same error (NOT_CONTROLLER, REQUEST_TIMED_OUT, INVALID_REQUEST). */
function errorResponse(
  errorCode: number,
  requested: readonly TopicPartition[] | null,
  message: string | null = null,
): ElectLeadersResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode,
    replicaElectionResults: groupByTopic(
      (requested ?? []).map((tp) => ({ topicPartition: tp, errorCode, errorMessage: message })),
    ),
  };
}

function groupByTopic(
  results: ElectLeadersResult['partitions'],
): ElectLeadersResponseReplicaElectionResultsInput[] {
  const byTopic = new Map<string, ElectLeadersResponseReplicaElectionResultsPartitionResultInput[]>();
  for (const r of results) {
    const list = byTopic.get(r.topicPartition.topic) ?? [];
    list.push({
      partitionId: r.topicPartition.partition,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
    });
    byTopic.set(r.topicPartition.topic, list);
  }
  return [...byTopic].map(([topic, partitionResult]) => ({ topic, partitionResult }));
}

/**
 * ElectLeaders v0–2 (Kafka KafkaApis.handleElectReplicaLeader): hands the request to the embedded
 * controller's event queue and answers per partition. v0 has no election type: it is preferred.
 * Null topicPartitions means every partition. A broker that is not the active controller answers
 * NOT_CONTROLLER (v1+: at the top level too) and the client looks the controller up again.
 * Unlike Kafka, the answer does not wait for the new leaders to reach this broker's metadata cache.
 */
export function electLeadersHandler(
  deps: ElectLeadersHandlerDeps,
): ApiHandlerEntry<typeof ApiKey.ElectLeaders> {
  return {
    apiKey: ApiKey.ElectLeaders,
    maxVersion: ELECT_LEADERS_VERSION,
    async handle(ctx, body) {
      const requested =
        body.topicPartitions === null || body.topicPartitions === undefined
          ? null
          : body.topicPartitions.flatMap((t) =>
              t.partitionId.map((partition) => ({ topic: t.topic, partition })),
            );
      const electionType = Number(body.electionType ?? 0);
      if (electionType !== 0 && electionType !== 1)
        return errorResponse(ErrorCode.INVALID_REQUEST, requested, `Unknown election type ${electionType}`);
      const controller = deps.controller();
      if (controller === null || !controller.isActive) return errorResponse(ErrorCode.NOT_CONTROLLER, requested);
      const timeoutMs = Number(body.timeoutMs ?? 60_000);
      const result = await controller.electLeaders(electionType, requested, {
        deadlineMs: ctx.receivedAtMs + Math.max(0, timeoutMs),
      });
      if (result.errorCode !== ErrorCode.NONE) return errorResponse(result.errorCode, requested);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: groupByTopic(result.partitions) };
    },
  };
}
