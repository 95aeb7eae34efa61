import { updateMetadataContent } from '../testing/controlRequests';
import { ApiKey, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import type { ReplicaManager } from '../replica/ReplicaManager';
import { deleteRecordsHandler } from './deleteRecords';
import { answerOf } from './testing/untypedEntry';
import { ctx, fakeDeps, updateMetadataBody } from './testing/fakeDeps';

/** A leader for `lead-0` whose log has high watermark 10, and a partition led elsewhere. */
function setup(cleanupDelete = true) {
  let logStartOffset = 0;
  const log = {
    config: { delete: cleanupDelete },
    deleteRecordsBefore(offset: number) {
      const target = offset === -1 ? 10 : offset;
      if (target > 10) throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, 'beyond the high watermark');
      logStartOffset = Math.max(logStartOffset, target);
      return logStartOffset;
    },
  };
  const replicaManager = {
    leaderPartitionOrError(topic: string, partition: number) {
      if (topic === 'lead' && partition === 0) return { log };
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    },
  } as unknown as ReplicaManager;
  const deps = fakeDeps({ replicaManager });
  deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1], { lead: [0, 1] })));
  return deleteRecordsHandler(deps);
}

const request = (partitions: [string, number, number][]) => ({
  topics: [...new Set(partitions.map(([t]) => t))].map((name) => ({
    name,
    partitions: partitions
      .filter(([t]) => t === name)
      .map(([, partitionIndex, offset]) => ({ partitionIndex, offset })),
  })),
  timeoutMs: 1000,
});

const results = async (h: ReturnType<typeof setup>, partitions: [string, number, number][]) =>
  (await answerOf(h, ctx(ApiKey.DeleteRecords, 1), request(partitions))).topics.flatMap(
    (t: Struct) => t.partitions.map((p: Struct) => [t.name, p.partitionIndex, p.lowWatermark, p.errorCode]),
  );

describe('deleteRecordsHandler', () => {
  test('movesTheLowWatermarkOnTheLeaderAndAnswersErrorsPerPartition', async () => {
    const h = setup();
    expect(h.maxVersion).toBe(1);
    expect(
      await results(h, [
        ['lead', 0, 4],
        ['lead', 1, 4],
        ['lead', 7, 4],
        ['other', 0, 4],
      ]),
    ).toEqual([
      ['lead', 0, 4, ErrorCode.NONE],
      ['lead', 1, -1, ErrorCode.NOT_LEADER_OR_FOLLOWER],
      ['lead', 7, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['other', 0, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(await results(h, [['lead', 0, 11]])).toEqual([['lead', 0, -1, ErrorCode.OFFSET_OUT_OF_RANGE]]);
    expect(await results(h, [['lead', 0, -2]])).toEqual([['lead', 0, -1, ErrorCode.OFFSET_OUT_OF_RANGE]]);
    expect(await results(h, [['lead', 0, -1]])).toEqual([['lead', 0, 10, ErrorCode.NONE]]);
  });

  test('aCompactedTopicRefusesWithPolicyViolation', async () => {
    expect(await results(setup(false), [['lead', 0, 4]])).toEqual([
      ['lead', 0, -1, ErrorCode.POLICY_VIOLATION],
    ]);
  });
});
