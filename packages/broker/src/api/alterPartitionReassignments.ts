import { TopicPartitionMap } from '@samsa/common';
import type { AlterPartitionReassignmentsResult } from '@samsa/controller';
import {
  ApiKey,
  ErrorCode,
  errorInfo,
  type AlterPartitionReassignmentsRequestTopics,
  type AlterPartitionReassignmentsResponseInput,
} from '@samsa/protocol';
import type { ApiHandlerEntry } from './types';

/** The embedded controller as this API needs it. */
export interface AlterPartitionReassignmentsController {
  readonly isActive: boolean;
  alterPartitionReassignments(
    reassignments: TopicPartitionMap<readonly number[] | null>,
    options?: { deadlineMs?: number },
  ): Promise<AlterPartitionReassignmentsResult>;
}

export interface AlterPartitionReassignmentsHandlerDeps {
  /** Null until the broker's controller has started. */
  readonly controller: () => AlterPartitionReassignmentsController | null;
}

/** Every requested partition answered with `errorCode` (a top-level failure). */
function allFailed(
  topics: readonly AlterPartitionReassignmentsRequestTopics[],
  errorCode: number,
): AlterPartitionReassignmentsResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage: errorInfo(errorCode).message,
    responses: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode,
        errorMessage: null,
      })),
    })),
  };
}

/**
 * AlterPartitionReassignments v0 (flexible): starts (replicas) or cancels (null replicas)
 * reassignments on the embedded controller's queue and answers once they started (Kafka
 * KafkaApis.handleAlterPartitionReassignmentsRequest). NOT_CONTROLLER on any other broker.
 */
export function alterPartitionReassignmentsHandler(
  deps: AlterPartitionReassignmentsHandlerDeps,
): ApiHandlerEntry<typeof ApiKey.AlterPartitionReassignments> {
  return {
    apiKey: ApiKey.AlterPartitionReassignments,
    maxVersion: 0,
    async handle(ctx, body) {
      const topics = body.topics ?? [];
      const controller = deps.controller();
      if (controller === null || !controller.isActive) return allFailed(topics, ErrorCode.NOT_CONTROLLER);
      const reassignments = new TopicPartitionMap<readonly number[] | null>();
      for (const t of topics)
        for (const p of t.partitions)
          reassignments.set({ topic: t.name, partition: p.partitionIndex }, p.replicas ?? null);
      const timeoutMs = Number(body.timeoutMs ?? 60_000);
      const result = await controller.alterPartitionReassignments(reassignments, {
        deadlineMs: ctx.receivedAtMs + timeoutMs,
      });
      if (result.errorCode !== ErrorCode.NONE) return allFailed(topics, result.errorCode);
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        responses: topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            const outcome = result.partitions.get({ topic: t.name, partition: p.partitionIndex });
            return {
              partitionIndex: p.partitionIndex,
              errorCode: outcome?.errorCode ?? ErrorCode.NONE,
              errorMessage: outcome?.errorMessage ?? null,
            };
          }),
        })),
      };
    },
  };
}
