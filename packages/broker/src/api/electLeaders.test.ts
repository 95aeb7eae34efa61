import type { ElectLeadersResult } from '@samsa/controller';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { electLeadersHandler, type ElectLeadersController } from './electLeaders';
import { ctx } from './testing/fakeDeps';
import { dispatchable } from './registry';

function controller(isActive: boolean, result: ElectLeadersResult): ElectLeadersController & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    isActive,
    calls,
    electLeaders: async (...args: unknown[]) => {
      calls.push(args);
      return result;
    },
  };
}

const T0 = { topic: 'T', partition: 0 };
const T1 = { topic: 'T', partition: 1 };

describe('electLeadersHandler', () => {
  test('activeControllerAnswersPerPartitionGroupedByTopic', async () => {
    const c = controller(true, {
      errorCode: 0,
      partitions: [
        { topicPartition: T0, errorCode: 0, errorMessage: null, leader: 1 },
        { topicPartition: T1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
      ],
    });
    const h = electLeadersHandler({ controller: () => c });
    const r = await h.handle(ctx(ApiKey.ElectLeaders, 2), {
      electionType: 0,
      topicPartitions: [{ topic: 'T', partitionId: [0, 1] }],
      timeoutMs: 5000,
    });
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      replicaElectionResults: [
        {
          topic: 'T',
          partitionResult: [
            { partitionId: 0, errorCode: 0, errorMessage: null },
            { partitionId: 1, errorCode: 84, errorMessage: null },
          ],
        },
      ],
    });
    expect(c.calls).toEqual([[0, [T0, T1], { deadlineMs: 5000 }]]);
  });

  test('nullTopicPartitionsMeansAllAndV0IsPreferred', async () => {
    const c = controller(true, { errorCode: 0, partitions: [] });
    const h = electLeadersHandler({ controller: () => c });
    await dispatchable(h).handle(ctx(ApiKey.ElectLeaders, 0), { topicPartitions: null, timeoutMs: 1000 });
    expect(c.calls[0].slice(0, 2)).toEqual([0, null]);
  });

  test.each([
    ['inactive', controller(false, { errorCode: 0, partitions: [] })],
    ['not started', null],
  ])('%sControllerIsNotController', async (_, c) => {
    const h = electLeadersHandler({ controller: () => c });
    const r = await h.handle(ctx(ApiKey.ElectLeaders, 1), {
      electionType: 0,
      topicPartitions: [{ topic: 'T', partitionId: [0] }],
      timeoutMs: 1000,
    });
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NOT_CONTROLLER,
      replicaElectionResults: [
        { topic: 'T', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }] },
      ],
    });
  });

  test('unknownElectionTypeIsInvalidRequest', async () => {
    const c = controller(true, { errorCode: 0, partitions: [] });
    const h = electLeadersHandler({ controller: () => c });
    const r = await h.handle(ctx(ApiKey.ElectLeaders, 1), { electionType: 7, topicPartitions: null, timeoutMs: 1 });
    expect(r?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(c.calls).toEqual([]);
  });
});
