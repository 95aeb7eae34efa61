import { type TopicPartition } from '@samsa/common';
import type { ListPartitionReassignmentsResult } from '@samsa/controller';
import {
  ApiKey,
  ErrorCode,
  errorInfo,
  type ListPartitionReassignmentsResponseInput,
  type ListPartitionReassignmentsResponseTopicsPartitionsInput,
} from '@samsa/protocol';
import type { ApiHandlerEntry } from './types';

/** The embedded controller as this API needs it. */
export interface ListPartitionReassignmentsController {
  readonly isActive: boolean;
  listPartitionReassignments(
    partitions: readonly TopicPartition[] | null,
    options?: { deadlineMs?: number },
  ): Promise<ListPartitionReassignmentsResult>;
}

export interface ListPartitionReassignmentsHandlerDeps {
  /** Null until the broker's controller has started. */
  readonly controller: () => ListPartitionReassignmentsController | null;
}

function failed(errorCode: number): ListPartitionReassignmentsResponseInput {
  return { throttleTimeMs: 0, errorCode, errorMessage: errorInfo(errorCode).message, topics: [] };
}

/**
 * ListPartitionReassignments v0 (flexible): the reassignments in progress, from the embedded
 * controller (Kafka KafkaApis.handleListPartitionReassignmentsRequest); a null topic list asks for
 * all. NOT_CONTROLLER on any other broker.
 */
export function listPartitionReassignmentsHandler(
  deps: ListPartitionReassignmentsHandlerDeps,
): ApiHandlerEntry<typeof ApiKey.ListPartitionReassignments> {
  return {
    apiKey: ApiKey.ListPartitionReassignments,
    maxVersion: 0,
    async handle(ctx, body) {
      const controller = deps.controller();
      if (controller === null || !controller.isActive) return failed(ErrorCode.NOT_CONTROLLER);
      const requested = body.topics;
      const partitions =
        requested === null || requested === undefined
          ? null
          : requested.flatMap((t) =>
              t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
            );
      const timeoutMs = Number(body.timeoutMs ?? 60_000);
      const result = await controller.listPartitionReassignments(partitions, {
        deadlineMs: ctx.receivedAtMs + timeoutMs,
      });
      if (result.errorCode !== ErrorCode.NONE) return failed(result.errorCode);
      const byTopic = new Map<string, ListPartitionReassignmentsResponseTopicsPartitionsInput[]>();
      const entries = result.reassignments
        .entries()
        .sort(([a], [b]) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
      for (const [tp, a] of entries) {
        const list = byTopic.get(tp.topic) ?? [];
        list.push({
          partitionIndex: tp.partition,
          replicas: [...a.replicas],
          addingReplicas: [...a.addingReplicas],
          removingReplicas: [...a.removingReplicas],
        });
        byTopic.set(tp.topic, list);
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        topics: [...byTopic].map(([name, parts]) => ({ name, partitions: parts })),
      };
    },
  };
}
