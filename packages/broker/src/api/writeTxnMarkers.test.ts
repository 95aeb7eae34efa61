import { topicPartitionKey } from '@samsa/common';
import type { GroupCoordinator } from '@samsa/coordinator';
import {
  ApiKey,
  ControlRecordType,
  decodeBatches,
  decodeControlRecordType,
  decodeEndTxnMarkerValue,
  ErrorCode,
  isControl,
  isTransactional,
  type ProducePartitionResult,
  type Struct,
} from '@samsa/protocol';
import type { ReplicaManager } from '../replica/ReplicaManager';
import { ctx, fakeDeps } from './testing/fakeDeps';
import { answerOf } from './testing/untypedEntry';
import { writeTxnMarkersHandler } from './writeTxnMarkers';

interface Append {
  timeoutMs: number;
  acks: number;
  origin: string | undefined;
  entries: { topic: string; partition: number; records: Buffer }[];
}

/**
 * A ReplicaManager holding replicas of `hosted` ("topic-partition"), leading those not in
 * `followed`; it records every append and answers as the real one does for a follower.
 */
function fakeReplicaManager(hosted: string[], followed: string[] = []) {
  const appends: Append[] = [];
  const replicaManager = {
    getPartition: (topic: string, partition: number) =>
      hosted.includes(topicPartitionKey({ topic, partition })) ? {} : undefined,
    isPartitionOffline: () => false,
    appendRecords: async (
      timeoutMs: number,
      acks: number,
      entries: { topic: string; partition: number; records: Buffer }[],
      _onLocalComplete: undefined,
      origin?: string,
    ): Promise<ProducePartitionResult[]> => {
      appends.push({ timeoutMs, acks, origin, entries });
      return entries.map((e) => ({
        topic: e.topic,
        partition: e.partition,
        errorCode: followed.includes(topicPartitionKey(e))
          ? ErrorCode.NOT_LEADER_OR_FOLLOWER
          : ErrorCode.NONE,
        baseOffset: 5,
        logAppendTimeMs: -1,
        logStartOffset: 0,
      }));
    },
  } as unknown as ReplicaManager;
  return { replicaManager, appends };
}

function fakeGroupCoordinator(fail = false) {
  const completions: [number, number[], boolean][] = [];
  const groupCoordinator = {
    scheduleHandleTxnCompletion(producerId: number, partitions: readonly number[], isCommit: boolean) {
      if (fail) throw new Error('boom');
      completions.push([producerId, [...partitions], isCommit]);
    },
  } as unknown as GroupCoordinator;
  return { groupCoordinator, completions };
}

function marker(producerId: number, commit: boolean, topics: Record<string, number[]>, coordinatorEpoch = 3) {
  return {
    producerId,
    producerEpoch: 2,
    transactionResult: commit,
    coordinatorEpoch,
    topics: Object.entries(topics).map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
  };
}

/** "producerId topic-partition error" per answered partition, sorted. */
function answered(r: Struct): string[] {
  return r.markers
    .flatMap((m: Struct) =>
      m.topics.flatMap((t: Struct) =>
        t.partitions.map(
          (p: Struct) =>
            `${m.producerId} ${topicPartitionKey({ topic: t.name, partition: p.partitionIndex })} ${p.errorCode}`,
        ),
      ),
    )
    .sort();
}

describe('writeTxnMarkersHandler', () => {
  test('eachMarkerIsAppendedAsAControlBatchWithOriginCoordinatorAcksAllAndTheRequestTimeout', async () => {
    const { replicaManager, appends } = fakeReplicaManager(['t-0', 't-1', 'u-0']);
    const { groupCoordinator, completions } = fakeGroupCoordinator();
    const deps = fakeDeps({ replicaManager, groupCoordinator }, { 'request.timeout.ms': 12345 });
    const r = await answerOf(writeTxnMarkersHandler(deps), ctx(ApiKey.WriteTxnMarkers, 0), {
      markers: [marker(7, true, { t: [0, 1] }), marker(8, false, { u: [0] })],
    });
    expect(answered(r)).toEqual(['7 t-0 0', '7 t-1 0', '8 u-0 0']);
    expect(appends.map((a) => [a.timeoutMs, a.acks, a.origin, a.entries.length])).toEqual([
      [12345, -1, 'coordinator', 2],
      [12345, -1, 'coordinator', 1],
    ]);
    const [commitBatch] = decodeBatches(appends[0].entries[0].records);
    const [abortBatch] = decodeBatches(appends[1].entries[0].records);
    for (const [b, type, pid] of [
      [commitBatch, ControlRecordType.COMMIT, 7],
      [abortBatch, ControlRecordType.ABORT, 8],
    ] as const) {
      expect({
        control: isControl(b.header.attributes),
        transactional: isTransactional(b.header.attributes),
        producerId: b.header.producerId,
        producerEpoch: b.header.producerEpoch,
        type: decodeControlRecordType(b.records[0].key),
        coordinatorEpoch: decodeEndTxnMarkerValue(b.records[0].value).coordinatorEpoch,
      }).toEqual({
        control: true,
        transactional: true,
        producerId: pid,
        producerEpoch: 2,
        type,
        coordinatorEpoch: 3,
      });
    }
    expect(completions).toEqual([]);
  });

  test('aPartitionWithoutAReplicaHereIsUnknownAndAFollowerAnswersNotLeader', async () => {
    const { replicaManager, appends } = fakeReplicaManager(['t-0', 't-1'], ['t-1']);
    const { groupCoordinator } = fakeGroupCoordinator();
    const deps = fakeDeps({ replicaManager, groupCoordinator });
    const r = await answerOf(writeTxnMarkersHandler(deps), ctx(ApiKey.WriteTxnMarkers, 1), {
      markers: [marker(7, true, { t: [0, 1, 2], gone: [0] })],
    });
    expect(answered(r)).toEqual([
      `7 gone-0 ${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`,
      '7 t-0 0',
      `7 t-1 ${ErrorCode.NOT_LEADER_OR_FOLLOWER}`,
      `7 t-2 ${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`,
    ]);
    expect(appends.flatMap((a) => a.entries.map((e) => topicPartitionKey(e)))).toEqual(['t-0', 't-1']);
  });

  test('markersWrittenToConsumerOffsetsCompleteTheGroupCoordinatorsPendingOffsets', async () => {
    const { replicaManager } = fakeReplicaManager(
      ['__consumer_offsets-3', '__consumer_offsets-4', 't-0'],
      ['__consumer_offsets-4'],
    );
    const { groupCoordinator, completions } = fakeGroupCoordinator();
    const deps = fakeDeps({ replicaManager, groupCoordinator });
    await answerOf(writeTxnMarkersHandler(deps), ctx(ApiKey.WriteTxnMarkers, 0), {
      markers: [
        marker(7, true, { __consumer_offsets: [3, 4], t: [0] }),
        marker(9, false, { __consumer_offsets: [3] }),
      ],
    });
    // only where the marker was written
    expect(completions).toEqual([
      [7, [3], true],
      [9, [3], false],
    ]);
  });

  test('aFailingCompletionAnswersUnknownServerErrorForTheOffsetsPartitions', async () => {
    const { replicaManager } = fakeReplicaManager(['__consumer_offsets-3', 't-0']);
    const { groupCoordinator } = fakeGroupCoordinator(true);
    const deps = fakeDeps({ replicaManager, groupCoordinator });
    const r = await answerOf(writeTxnMarkersHandler(deps), ctx(ApiKey.WriteTxnMarkers, 0), {
      markers: [marker(7, true, { __consumer_offsets: [3], t: [0] })],
    });
    expect(answered(r)).toEqual([`7 __consumer_offsets-3 ${ErrorCode.UNKNOWN_SERVER_ERROR}`, '7 t-0 0']);
  });

  test('noMarkersIsAnEmptyAnswerAndTwoMarkersOfOneProducerAnswerAsOne', async () => {
    const { replicaManager } = fakeReplicaManager(['t-0', 't-1']);
    const { groupCoordinator } = fakeGroupCoordinator();
    const deps = fakeDeps({ replicaManager, groupCoordinator });
    expect(
      await answerOf(writeTxnMarkersHandler(deps), ctx(ApiKey.WriteTxnMarkers, 0), { markers: [] }),
    ).toEqual({
      markers: [],
    });
    const r = await answerOf(writeTxnMarkersHandler(deps), ctx(ApiKey.WriteTxnMarkers, 0), {
      markers: [marker(7, true, { t: [0] }), marker(7, true, { t: [1] })],
    });
    expect(r.markers).toHaveLength(1);
    expect(answered(r)).toEqual(['7 t-0 0', '7 t-1 0']);
  });

  test('aPartitionNamedTwiceInOneMarkerGetsOneMarkerBatch', async () => {
    const { replicaManager, appends } = fakeReplicaManager(['t-0']);
    const { groupCoordinator } = fakeGroupCoordinator();
    const deps = fakeDeps({ replicaManager, groupCoordinator });
    const r = await answerOf(writeTxnMarkersHandler(deps), ctx(ApiKey.WriteTxnMarkers, 0), {
      markers: [marker(7, true, { t: [0, 0] })],
    });
    expect(answered(r)).toEqual(['7 t-0 0']);
    expect(appends.map((a) => a.entries.length)).toEqual([1]);
  });
});
