import { TopicPartitionMap } from '@samsa/common';
import type { AlterPartitionReassignmentsResult, ListPartitionReassignmentsResult } from '@samsa/controller';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { replicaAssignment } from '@samsa/zk';
import { alterPartitionReassignmentsHandler } from './alterPartitionReassignments';
import { listPartitionReassignmentsHandler } from './listPartitionReassignments';
import { ctx } from './testing/fakeDeps';
import { dispatchable } from './registry';

const ALTER_BODY = {
  timeoutMs: 5000,
  topics: [
    {
      name: 'T',
      partitions: [
        { partitionIndex: 0, replicas: [1, 2] },
        { partitionIndex: 1, replicas: null },
      ],
    },
  ],
};

describe('alterPartitionReassignmentsHandler', () => {
  test('activeControllerGetsTargetsAndCancellationsAndAnswersPerPartition', async () => {
    const calls: unknown[][] = [];
    const result: AlterPartitionReassignmentsResult = {
      errorCode: ErrorCode.NONE,
      partitions: new TopicPartitionMap([
        [{ topic: 'T', partition: 0 }, { errorCode: ErrorCode.NONE, errorMessage: null }],
        [{ topic: 'T', partition: 1 }, { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null }],
      ]),
    };
    const h = alterPartitionReassignmentsHandler({
      controller: () => ({
        isActive: true,
        alterPartitionReassignments: async (...args: unknown[]) => {
          calls.push(args);
          return result;
        },
      }),
    });
    const r = await h.handle(ctx(ApiKey.AlterPartitionReassignments, 0), ALTER_BODY);
    const asked = calls[0][0] as TopicPartitionMap<readonly number[] | null>;
    expect(asked.entries()).toEqual([
      [{ topic: 'T', partition: 0 }, [1, 2]],
      [{ topic: 'T', partition: 1 }, null],
    ]);
    expect(calls[0][1]).toEqual({ deadlineMs: 5000 });
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      responses: [
        {
          name: 'T',
          partitions: [
            { partitionIndex: 0, errorCode: 0, errorMessage: null },
            { partitionIndex: 1, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null },
          ],
        },
      ],
    });
  });

  test('notControllerAnswersNotControllerEverywhere', async () => {
    const h = alterPartitionReassignmentsHandler({ controller: () => null });
    const r = await h.handle(ctx(ApiKey.AlterPartitionReassignments, 0), ALTER_BODY);
    expect(r!.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    expect(r!.responses[0].partitions.map((p: { errorCode: number }) => p.errorCode)).toEqual([
      ErrorCode.NOT_CONTROLLER,
      ErrorCode.NOT_CONTROLLER,
    ]);
  });
});

describe('listPartitionReassignmentsHandler', () => {
  test('listsReassignmentsGroupedByTopic', async () => {
    const calls: unknown[][] = [];
    const result: ListPartitionReassignmentsResult = {
      errorCode: ErrorCode.NONE,
      reassignments: new TopicPartitionMap([[{ topic: 'T', partition: 0 }, replicaAssignment([1, 2, 0], [2], [0])]]),
    };
    const h = listPartitionReassignmentsHandler({
      controller: () => ({
        isActive: true,
        listPartitionReassignments: async (...args: unknown[]) => {
          calls.push(args);
          return result;
        },
      }),
    });
    const r = await h.handle(ctx(ApiKey.ListPartitionReassignments, 0), { timeoutMs: 1000, topics: null });
    expect(calls[0][0]).toBeNull();
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      topics: [
        {
          name: 'T',
          partitions: [{ partitionIndex: 0, replicas: [1, 2, 0], addingReplicas: [2], removingReplicas: [0] }],
        },
      ],
    });
    await dispatchable(h).handle(ctx(ApiKey.ListPartitionReassignments, 0), { topics: [{ name: 'T', partitionIndexes: [0, 3] }] });
    expect(calls[1][0]).toEqual([
      { topic: 'T', partition: 0 },
      { topic: 'T', partition: 3 },
    ]);
  });

  test('notControllerAnswersNotController', async () => {
    const h = listPartitionReassignmentsHandler({ controller: () => ({ isActive: false } as never) });
    const r = await dispatchable(h).handle(ctx(ApiKey.ListPartitionReassignments, 0), { topics: null });
    expect(r).toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER, topics: [] });
  });
});
