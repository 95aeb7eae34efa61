import { assignOffsets, buildBatch, CompressionType, type RecordInput } from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import { GroupMetadata } from './GroupMetadata';
import {
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
} from './GroupMetadataRecords';
import { GroupMetadataReplay, replayLog } from './GroupMetadataReplay';
import { MemberMetadata } from './MemberMetadata';
import { FakeOffsetsStore } from './testing/FakeOffsetsStore';

const commit = (group: string, topic: string, partition: number, offset: number): RecordInput => ({
  key: offsetCommitKey(group, { topic, partition }),
  value: offsetCommitValue({
    offset,
    leaderEpoch: -1,
    metadata: `at-${offset}`,
    commitTimestamp: 100 + offset,
    expireTimestamp: null,
  }),
});
const offsetTombstone = (group: string, topic: string, partition: number): RecordInput => ({
  key: offsetCommitKey(group, { topic, partition }),
  value: null,
});

function stableGroupRecord(groupId: string, generation: number): RecordInput {
  const group = GroupMetadata.loadGroup(
    groupId,
    {
      generationId: generation,
      protocolType: 'consumer',
      protocolName: 'range',
      leaderId: 'm1',
      currentStateTimestamp: 50,
      members: [
        new MemberMetadata('m1', null, 'c', '/h', 1000, 1000, 'consumer', [
          { name: 'range', metadata: Buffer.from('s') },
        ]),
      ],
    },
    () => 0,
  );
  return {
    key: groupMetadataKey(groupId),
    value: groupMetadataValue(group, new Map([['m1', Buffer.from('a')]])),
  };
}
const groupTombstone = (groupId: string): RecordInput => ({ key: groupMetadataKey(groupId), value: null });

/**
 * The partition's history, in log order:
 *   0-2  g1 commits t-0=5, t-1=7, then g1's metadata (generation 1)
 *   3-4  gzip batch: g1 commits t-0=9, g2 (offsets only) commits x-0=3
 *   5    a control batch (a transaction marker): nothing for the coordinator
 *   6-9  g1 t-1 tombstone; g3 metadata then its tombstone; g1 metadata generation 2
 */
function history(): Buffer[] {
  const batches = [
    buildBatch([commit('g1', 't', 0, 5), commit('g1', 't', 1, 7), stableGroupRecord('g1', 1)]),
    buildBatch([commit('g1', 't', 0, 9), commit('g2', 'x', 0, 3)], { compression: CompressionType.Gzip }),
    buildBatch([{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], {
      isControl: true,
      isTransactional: true,
      producerId: 1,
    }),
    buildBatch([
      offsetTombstone('g1', 't', 1),
      stableGroupRecord('g3', 1),
      groupTombstone('g3'),
      stableGroupRecord('g1', 2),
    ]),
  ];
  let next = 0;
  for (const b of batches) next = assignOffsets(b, next, 0);
  return batches;
}

function expectReplayed(r: ReturnType<GroupMetadataReplay['result']>): void {
  expect(r.groups.map((g) => g.groupId)).toEqual(['g1']);
  const g1 = r.groups[0];
  expect(g1.currentState).toBe('Stable');
  expect(g1.generationId).toBe(2);
  expect(g1.offsets.allOffsets.map((o) => [o.tp.topic, o.tp.partition, o.offsetAndMetadata.offset])).toEqual([
    ['t', 0, 9],
  ]);
  // the commit keeps the offset of the batch that holds it
  expect(g1.offsets.offsetWithRecordMetadata({ topic: 't', partition: 0 })!.appendedBatchOffset).toBe(3);
  expect(g1.offsets.offset({ topic: 't', partition: 0 })!.metadata).toBe('at-9');

  expect(r.offsetOnlyGroups.map((g) => [g.groupId, g.currentState, g.protocolType])).toEqual([
    ['g2', 'Empty', null],
  ]);
  expect(r.offsetOnlyGroups[0].offsets.offset({ topic: 'x', partition: 0 })!.offset).toBe(3);
  expect(r.removedGroups).toEqual(['g3']);
}

describe('GroupMetadataReplay', () => {
  test('replaysCommitsMetadataAndTombstonesInLogOrderIncludingCompressedBatches', () => {
    const replay = new GroupMetadataReplay(() => 0);
    let next = 0;
    for (const b of history()) next = replay.applyBatches(b) ?? next;
    expect(next).toBe(10);
    expectReplayed(replay.result());
  });

  test('aPartialTrailingBatchIsLeftForTheNextRead', () => {
    const [first, second] = history();
    const replay = new GroupMetadataReplay(() => 0);
    expect(replay.applyBatches(Buffer.concat([first, second.subarray(0, 20)]))).toBe(3);
    expect(replay.applyBatches(second.subarray(0, 20))).toBeNull();
  });

  test('replayLogReadsThePartitionInChunksToItsEnd', async () => {
    const store = new FakeOffsetsStore().lead(4);
    store.logs.set(4, history());
    // one byte per read: every read returns one whole batch (the first, whatever its size)
    const log = store.getPartition(GROUP_METADATA_TOPIC_NAME, 4)!.log;
    const r = await replayLog(log, {
      loadBufferSize: 1,
      logEndOffset: () => log.logEndOffset,
      shouldStop: () => false,
      now: () => 0,
    });
    expectReplayed(r);
  });

  test('replayLogStopsWhenTheLogEndIsNoLongerKnown', async () => {
    const store = new FakeOffsetsStore().lead(4);
    store.logs.set(4, history());
    const log = store.getPartition(GROUP_METADATA_TOPIC_NAME, 4)!.log;
    let reads = 0;
    const r = await replayLog(log, {
      loadBufferSize: 1,
      // leadership lost after the first read
      logEndOffset: () => (reads++ === 0 ? log.logEndOffset : -1),
      shouldStop: () => false,
      now: () => 0,
    });
    expect(r.groups.map((g) => g.generationId)).toEqual([1]);
    expect(r.offsetOnlyGroups).toEqual([]);
  });

  test('replayLogWaitsForATailStillQueuedForWriteRatherThanStoppingShortOfIt', async () => {
    const store = new FakeOffsetsStore().lead(4);
    store.logs.set(4, history());
    const log = store.getPartition(GROUP_METADATA_TOPIC_NAME, 4)!.log;
    // Issue 13 row 8: reads stop at the written end; the batches after the first are still queued.
    let written = false;
    let waited = 0;
    const queuedTail = {
      logStartOffset: log.logStartOffset,
      read: (offset: number, maxLength: number) =>
        written || offset === log.logStartOffset
          ? log.read(offset, maxLength)
          : { records: { sizeInBytes: 0, read: () => Promise.resolve(Buffer.alloc(0)) } },
      whenWritten: async () => {
        waited++;
        written = true;
      },
    };
    const r = await replayLog(queuedTail, {
      loadBufferSize: 1,
      logEndOffset: () => log.logEndOffset,
      shouldStop: () => false,
      now: () => 0,
    });
    expect(waited).toBe(1);
    expectReplayed(r);
  });
});
