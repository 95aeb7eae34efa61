import type { TopicPartition } from '@samsa/common';
import type { GroupCoordinator, TransactionCoordinator } from '@samsa/coordinator';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { updateMetadataContent } from '../testing/controlRequests';
import { addOffsetsToTxnHandler } from './addOffsetsToTxn';
import { addPartitionsToTxnHandler } from './addPartitionsToTxn';
import { endTxnHandler } from './endTxn';
import { initProducerIdHandler } from './initProducerId';
import { ctx, fakeDeps, quietLogger, updateMetadataBody } from './testing/fakeDeps';
import { answerOf } from './testing/untypedEntry';

/** A TransactionCoordinator that answers `error` and records what it was asked. */
function fakeCoordinator(error: number) {
  const added: TopicPartition[][] = [];
  const ended: string[] = [];
  const coordinator = {
    handleAddPartitionsToTransaction: (_id: string, _pid: number, _epoch: number, tps: readonly TopicPartition[]) => {
      added.push([...tps]);
      return Promise.resolve(error);
    },
    handleEndTransaction: (_id: string, _pid: number, _epoch: number, result: string) => {
      ended.push(result);
      return Promise.resolve(error);
    },
    handleInitProducerId: () => Promise.resolve({ errorCode: error, producerId: -1, producerEpoch: -1 }),
  } as unknown as TransactionCoordinator;
  return { coordinator, added, ended };
}

function depsWith(error: number) {
  const f = fakeCoordinator(error);
  const groupCoordinator = { partitionFor: () => 4 } as unknown as GroupCoordinator;
  const deps = fakeDeps({ transactionCoordinator: f.coordinator, groupCoordinator });
  deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0], { t: [0, 0] })));
  return { deps, ...f };
}

const txn = { transactionalId: 'tx', producerId: 5, producerEpoch: 1 };

describe('transaction API handlers', () => {
  test('addPartitionsToTxnAnswersTheCoordinatorsErrorForEveryPartitionAndFencedAsInvalidEpochBeforeV2', async () => {
    const { deps, added } = depsWith(ErrorCode.PRODUCER_FENCED);
    const h = addPartitionsToTxnHandler(deps);
    const body = { ...txn, topics: [{ name: 't', partitions: [0, 1] }] };
    expect(await answerOf(h, ctx(ApiKey.AddPartitionsToTxn, 2), body)).toEqual({
      throttleTimeMs: 0,
      results: [{ name: 't', results: [{ partitionIndex: 0, errorCode: ErrorCode.PRODUCER_FENCED }, { partitionIndex: 1, errorCode: ErrorCode.PRODUCER_FENCED }] }],
    });
    const v1 = await answerOf(h, ctx(ApiKey.AddPartitionsToTxn, 1), body);
    expect(v1.results).toEqual([{ name: 't', results: [{ partitionIndex: 0, errorCode: ErrorCode.INVALID_PRODUCER_EPOCH }, { partitionIndex: 1, errorCode: ErrorCode.INVALID_PRODUCER_EPOCH }] }]);
    expect(added).toHaveLength(2);
  });

  test('addPartitionsToTxnWithAnUnknownPartitionFailsWholeWithOperationNotAttemptedForTheOthers', async () => {
    const { deps, added } = depsWith(ErrorCode.NONE);
    const r = await answerOf(addPartitionsToTxnHandler(deps), ctx(ApiKey.AddPartitionsToTxn, 2), {
      ...txn,
      topics: [{ name: 't', partitions: [1, 9] }, { name: 'nope', partitions: [0] }],
    });
    expect(r.results).toEqual([
      { name: 't', results: [{ partitionIndex: 1, errorCode: ErrorCode.OPERATION_NOT_ATTEMPTED }, { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: 'nope', results: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
    expect(added).toHaveLength(0);
  });

  test('addOffsetsToTxnAddsTheGroupsOffsetsPartition', async () => {
    const { deps, added } = depsWith(ErrorCode.NONE);
    const r = await answerOf(addOffsetsToTxnHandler(deps), ctx(ApiKey.AddOffsetsToTxn, 2), { ...txn, groupId: 'g' });
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE });
    expect(added).toEqual([[{ topic: '__consumer_offsets', partition: 4 }]]);
  });

  test('endTxnCommitsOrAbortsAndMapsFencedBeforeV2', async () => {
    const { deps, ended } = depsWith(ErrorCode.PRODUCER_FENCED);
    const h = endTxnHandler(deps);
    expect((await answerOf(h, ctx(ApiKey.EndTxn, 2), { ...txn, committed: true })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await answerOf(h, ctx(ApiKey.EndTxn, 0), { ...txn, committed: false })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(ended).toEqual(['COMMIT', 'ABORT']);
  });

  test('initProducerIdWithATransactionalIdGoesToTheCoordinatorAndMapsFencedBeforeV4', async () => {
    const { coordinator } = fakeCoordinator(ErrorCode.PRODUCER_FENCED);
    const h = initProducerIdHandler({ producerIdManager: { generateProducerId: () => Promise.resolve(1) }, transactionCoordinator: coordinator, logger: quietLogger });
    const body = { transactionalId: 'tx', transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 };
    expect((await answerOf(h, ctx(ApiKey.InitProducerId, 4), body)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await answerOf(h, ctx(ApiKey.InitProducerId, 3), body)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    await expect(answerOf(h, ctx(ApiKey.InitProducerId, 4), { ...body, producerId: 7 })).rejects.toMatchObject({ code: ErrorCode.INVALID_REQUEST });
  });
});
