import { updateMetadataContent } from '../testing/controlRequests';
import { ApiKey, buildBatch, ErrorCode, type Struct } from '@samsa/protocol';
import { isValidRequiredAcks, type ReplicaManager } from '../replica/ReplicaManager';
import { produceHandler } from './produce';
import { dispatchable } from './registry';
import { ctx, fakeDeps, updateMetadataBody } from './testing/fakeDeps';
import { answerOf } from './testing/untypedEntry';

const batch = (): Buffer =>
  buildBatch([{ key: null, value: Buffer.from('v'), timestamp: 0, offsetDelta: 0 }], {});

/** A ReplicaManager that answers appendRecords as the real one does for acks, and records the calls. */
function appendingReplicaManager() {
  const appended: { acks: number; topics: string[] }[] = [];
  const replicaManager = {
    appendRecords: async (
      _timeoutMs: number,
      acks: number,
      entries: { topic: string; partition: number }[],
    ) => {
      appended.push({ acks, topics: entries.map((e) => e.topic) });
      return entries.map((e) => ({
        topic: e.topic,
        partition: e.partition,
        errorCode: isValidRequiredAcks(acks) ? ErrorCode.NONE : ErrorCode.INVALID_REQUIRED_ACKS,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
      }));
    },
  } as unknown as ReplicaManager;
  return { replicaManager, appended };
}

function codes(response: Struct): [string, number, number][] {
  return response.responses.flatMap((t: Struct) =>
    t.partitionResponses.map((p: Struct) => [t.name, p.index, p.errorCode] as [string, number, number]),
  );
}

describe('produceHandler acks', () => {
  test('acksOutsideMinusOneZeroOneAnswerInvalidRequiredAcksAfterKafkasEarlierChecks', async () => {
    const { replicaManager, appended } = appendingReplicaManager();
    const deps = fakeDeps({ replicaManager });
    deps.metadataCache.updateMetadata(
      updateMetadataContent(updateMetadataBody([0], { t: [0, 0], __consumer_offsets: [0] })),
    );
    const r = await answerOf(produceHandler(deps), ctx(ApiKey.Produce, 7), {
      transactionalId: null,
      acks: 2,
      timeoutMs: 1000,
      topicData: [
        {
          name: 't',
          partitionData: [
            { index: 0, records: batch() },
            { index: 9, records: batch() }, // no such partition
            { index: 1, records: Buffer.alloc(3) }, // no whole batch
          ],
        },
        { name: '__consumer_offsets', partitionData: [{ index: 0, records: batch() }] },
      ],
    });
    expect(codes(r)).toEqual([
      ['t', 0, ErrorCode.INVALID_REQUIRED_ACKS],
      ['t', 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['t', 1, ErrorCode.CORRUPT_MESSAGE],
      ['__consumer_offsets', 0, ErrorCode.INVALID_REQUIRED_ACKS],
    ]);
    expect(appended).toEqual([{ acks: 2, topics: ['t', '__consumer_offsets'] }]);
  });
});

describe('produceHandler acks=0', () => {
  const request = (records: Buffer) => ({
    transactionalId: null,
    acks: 0,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  });

  test('aGoodAcksZeroProduceIsNotAnswered', async () => {
    const { replicaManager } = appendingReplicaManager();
    const r = await dispatchable(produceHandler(fakeDeps({ replicaManager }))).handle(ctx(ApiKey.Produce, 7), request(batch()));
    expect(r).toBeNull();
  });

  test('anAcksZeroProduceWithAPartitionErrorThrowsSoTheConnectionCloses', async () => {
    const { replicaManager } = appendingReplicaManager();
    // three bytes are no batch: CORRUPT_MESSAGE, which acks=0 cannot answer
    await expect(
      answerOf(produceHandler(fakeDeps({ replicaManager })), ctx(ApiKey.Produce, 7), request(Buffer.alloc(3))),
    ).rejects.toMatchObject({ code: ErrorCode.CORRUPT_MESSAGE, message: expect.stringMatching(/topic t partition 0: CORRUPT_MESSAGE/) });
  });
});

describe('produceHandler transactional records', () => {
  const txnBatch = (): Buffer =>
    buildBatch([{ key: null, value: Buffer.from('v'), timestamp: 0, offsetDelta: 0 }], {
      producerId: 7,
      producerEpoch: 0,
      baseSequence: 0,
      isTransactional: true,
    });
  const request = (transactionalId: string | null, records: Buffer) => ({
    transactionalId,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  });

  test('transactionalRecordsWithoutATransactionalIdAreRefusedWholeAndNothingIsAppended', async () => {
    const { replicaManager, appended } = appendingReplicaManager();
    await expect(
      answerOf(produceHandler(fakeDeps({ replicaManager })), ctx(ApiKey.Produce, 7), request(null, Buffer.concat([batch(), txnBatch()]))),
    ).rejects.toMatchObject({ code: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
    expect(appended).toEqual([]);
  });

  test('transactionalRecordsWithATransactionalIdAndPlainRecordsWithoutOneGoOn', async () => {
    const { replicaManager, appended } = appendingReplicaManager();
    const deps = fakeDeps({ replicaManager });
    await dispatchable(produceHandler(deps)).handle(ctx(ApiKey.Produce, 7), request('tx', txnBatch()));
    await dispatchable(produceHandler(deps)).handle(ctx(ApiKey.Produce, 7), request(null, batch()));
    expect(appended).toHaveLength(2);
  });
});
