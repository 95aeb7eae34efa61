import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import {
  buildEndTxnMarkerBatch,
  ControlRecordType,
  decodeBatches,
  ErrorCode,
  isControl,
  isTransactional,
  NO_SEQUENCE,
} from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import type { OffsetCommits } from './GroupMetadataManager';
import type { OffsetAndMetadata } from './GroupResults';
import {
  Answer,
  OFFSET_CONFIG,
  settle,
  stableGroup,
  startCoordinator,
  type Harness,
} from './testing/coordinatorHarness';

const E = ErrorCode;
const G = 'txn-group';
const PID = 1000;
const EPOCH = 0;

let h: Harness;
beforeEach(async () => {
  h = await startCoordinator();
});

function offsets(entries: [string, number, number, string?][]): OffsetCommits {
  return new Map(
    entries.map(([topic, partition, offset, metadata]) => {
      const o: OffsetAndMetadata = {
        offset,
        leaderEpoch: -1,
        metadata: metadata ?? '',
        commitTimestamp: h.timer.now(),
        expireTimestamp: null,
      };
      return [topicPartitionKey({ topic, partition }), { tp: { topic, partition }, offsetAndMetadata: o }];
    }),
  );
}

async function txnCommit(
  o: OffsetCommits,
  opts: { groupId?: string; producerId?: number; member?: { memberId: string; generationId: number } } = {},
): Promise<Record<string, number>> {
  const answer = new Answer<Map<string, number>>();
  h.coordinator.handleTxnCommitOffsets(
    opts.groupId ?? G,
    opts.producerId ?? PID,
    EPOCH,
    o,
    answer.callback,
    opts.member ? { ...opts.member, groupInstanceId: null } : undefined,
  );
  await settle();
  return Object.fromEntries(answer.get());
}

async function plainCommit(o: OffsetCommits, groupId = G): Promise<Record<string, number>> {
  const answer = new Answer<Map<string, number>>();
  h.coordinator.handleCommitOffsets(groupId, '', null, -1, o, answer.callback);
  await settle();
  return Object.fromEntries(answer.get());
}

/** The marker as WriteTxnMarkers appends it, then the completion it schedules. */
async function endTxn(isCommit: boolean, producerId = PID, groupId = G): Promise<void> {
  const partition = h.manager.partitionFor(groupId);
  const batch = buildEndTxnMarkerBatch({
    type: isCommit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
    producerId,
    producerEpoch: EPOCH,
    coordinatorEpoch: 0,
    timestamp: h.timer.now(),
  });
  const [r] = await h.store.appendRecords(
    30000,
    -1,
    [{ topic: GROUP_METADATA_TOPIC_NAME, partition, records: batch }],
    undefined,
    'coordinator',
  );
  expect(r.errorCode).toBe(E.NONE);
  h.coordinator.scheduleHandleTxnCompletion(producerId, [partition], isCommit);
  await settle();
}

function fetched(tps: TopicPartition[] | null = null, requireStable = false, groupId = G) {
  const r = h.coordinator.handleFetchOffsets(groupId, requireStable, tps);
  return Object.fromEntries(
    r.partitions.map((p) => [topicPartitionKey(p.tp), [p.data.offset, p.data.error]]),
  );
}

const T0 = { topic: 't', partition: 0 };
const T1 = { topic: 't', partition: 1 };

describe('TxnOffsetCommit', () => {
  test('transactionalOffsetsAreWrittenAsATransactionalBatchOfTheProducerWithOriginCoordinator', async () => {
    expect(await txnCommit(offsets([['t', 0, 9]]))).toEqual({ 't-0': E.NONE });
    const [batch] = h.store.batches(h.manager.partitionFor(G));
    const [decoded] = decodeBatches(batch);
    expect({
      transactional: isTransactional(decoded.header.attributes),
      control: isControl(decoded.header.attributes),
      producerId: decoded.header.producerId,
      producerEpoch: decoded.header.producerEpoch,
      // Kafka's storeOffsets builds the batch with base sequence 0 (the 2.1.1 snapshot of
      // __consumer_offsets shows firstSequence 0 for producer 1000)
      baseSequence: decoded.header.baseSequence,
    }).toEqual({
      transactional: true,
      control: false,
      producerId: PID,
      producerEpoch: EPOCH,
      baseSequence: 0,
    });
    expect(h.store.origins.every((o) => o === 'coordinator')).toBe(true);
    expect(NO_SEQUENCE).toBe(-1);
  });

  test('pendingOffsetsAreInvisibleUntilTheCommitMarkerAndUnstableWhenRequireStable', async () => {
    expect(await plainCommit(offsets([['t', 0, 3]]))).toEqual({ 't-0': E.NONE });
    expect(
      await txnCommit(
        offsets([
          ['t', 0, 9],
          ['t', 1, 4],
        ]),
      ),
    ).toEqual({ 't-0': E.NONE, 't-1': E.NONE });
    expect(fetched([T0, T1])).toEqual({ 't-0': [3, E.NONE], 't-1': [-1, E.NONE] });
    expect(fetched([T0, T1], true)).toEqual({
      't-0': [-1, E.UNSTABLE_OFFSET_COMMIT],
      't-1': [-1, E.UNSTABLE_OFFSET_COMMIT],
    });
    expect(h.manager.isGroupOpenForProducer(PID, G)).toBe(true);
    await endTxn(true);
    expect(fetched([T0, T1], true)).toEqual({ 't-0': [9, E.NONE], 't-1': [4, E.NONE] });
    expect(h.manager.isGroupOpenForProducer(PID, G)).toBe(false);
  });

  test('anAbortMarkerDropsThePendingOffsets', async () => {
    expect(await plainCommit(offsets([['t', 0, 3]]))).toEqual({ 't-0': E.NONE });
    await txnCommit(
      offsets([
        ['t', 0, 9],
        ['t', 1, 4],
      ]),
    );
    await endTxn(false);
    expect(fetched([T0, T1], true)).toEqual({ 't-0': [3, E.NONE], 't-1': [-1, E.NONE] });
    expect(h.coordinator.handleDescribeGroup(G).summary.state).toBe('Empty');
  });

  test('aMarkerForAGroupDeletedMeanwhileForgetsTheGroupForTheProducer', async () => {
    await txnCommit(offsets([['t', 0, 9]]));
    expect(h.manager.isGroupOpenForProducer(PID, G)).toBe(true);
    expect(h.coordinator.handleDeleteGroups([G]).get(G)).toBe(E.NONE);
    await endTxn(true);
    expect(h.manager.isGroupOpenForProducer(PID, G)).toBe(false);
  });

  test('aMarkerOfAnotherProducerOrAnotherPartitionLeavesThePendingOffsets', async () => {
    await txnCommit(offsets([['t', 0, 9]]));
    await endTxn(true, PID + 1);
    expect(fetched([T0], true)).toEqual({ 't-0': [-1, E.UNSTABLE_OFFSET_COMMIT] });
    const other = (h.manager.partitionFor(G) + 1) % OFFSET_CONFIG.offsetsTopicNumPartitions;
    h.coordinator.scheduleHandleTxnCompletion(PID, [other], true);
    await settle();
    expect(fetched([T0], true)).toEqual({ 't-0': [-1, E.UNSTABLE_OFFSET_COMMIT] });
    await endTxn(true);
    expect(fetched([T0], true)).toEqual({ 't-0': [9, E.NONE] });
  });

  test('twoProducersCommitToOneGroupAndEachTransactionEndsOnItsOwn', async () => {
    await txnCommit(offsets([['t', 0, 9]]), { producerId: PID });
    await txnCommit(offsets([['t', 1, 5]]), { producerId: PID + 1 });
    await endTxn(false, PID + 1);
    expect(fetched([T0, T1], true)).toEqual({ 't-0': [-1, E.UNSTABLE_OFFSET_COMMIT], 't-1': [-1, E.NONE] });
    await endTxn(true, PID);
    expect(fetched([T0, T1], true)).toEqual({ 't-0': [9, E.NONE], 't-1': [-1, E.NONE] });
  });

  test('aCommittedTransactionalOffsetDoesNotOverwriteANewerPlainCommit', async () => {
    await txnCommit(offsets([['t', 0, 9]]));
    // a plain commit appended after the transactional one: its batch is later, so it wins
    expect(await plainCommit(offsets([['t', 0, 20]]))).toEqual({ 't-0': E.NONE });
    await endTxn(true);
    expect(fetched([T0])).toEqual({ 't-0': [20, E.NONE] });
  });

  test('groupIdMemberAndGenerationAreCheckedAsKafka', async () => {
    expect(await txnCommit(offsets([['t', 0, 1]]), { groupId: '' })).toEqual({ 't-0': E.INVALID_GROUP_ID });
    const { members, generation } = await stableGroup(h, 'managed', 1);
    expect(
      await txnCommit(offsets([['t', 0, 1]]), {
        groupId: 'managed',
        member: { memberId: 'ghost', generationId: generation },
      }),
    ).toEqual({ 't-0': E.UNKNOWN_MEMBER_ID });
    expect(
      await txnCommit(offsets([['t', 0, 1]]), {
        groupId: 'managed',
        member: { memberId: members[0], generationId: generation + 1 },
      }),
    ).toEqual({ 't-0': E.ILLEGAL_GENERATION });
    expect(
      await txnCommit(offsets([['t', 0, 1]]), {
        groupId: 'managed',
        member: { memberId: members[0], generationId: generation },
      }),
    ).toEqual({ 't-0': E.NONE });
    // without member fields (v0-2) the group's members do not matter
    expect(await txnCommit(offsets([['t', 1, 1]]), { groupId: 'managed' })).toEqual({ 't-1': E.NONE });
  });

  test('aFailedAppendFailsThePendingCommitAndClosesTheGroupForTheProducer', async () => {
    h.store.failNext(E.NOT_LEADER_OR_FOLLOWER);
    expect(await txnCommit(offsets([['t', 0, 9]]))).toEqual({ 't-0': E.NOT_COORDINATOR });
    expect(fetched([T0], true)).toEqual({ 't-0': [-1, E.NONE] });
    expect(h.manager.isGroupOpenForProducer(PID, G)).toBe(false);
  });

  test('metadataTooLargeIsRefusedAndTheRestStillCompletes', async () => {
    const long = 'x'.repeat(OFFSET_CONFIG.maxMetadataSize + 1);
    expect(
      await txnCommit(
        offsets([
          ['t', 0, 9],
          ['t', 1, 4, long],
        ]),
      ),
    ).toEqual({
      't-0': E.NONE,
      't-1': E.OFFSET_METADATA_TOO_LARGE,
    });
    await endTxn(true);
    expect(fetched([T0, T1], true)).toEqual({ 't-0': [9, E.NONE], 't-1': [-1, E.NONE] });
  });
});

describe('loading __consumer_offsets with transactional commits', () => {
  async function reload(): Promise<void> {
    h = await startCoordinator({ store: h.store, timer: h.timer });
  }

  test('committedTransactionsAreLoadedAndAbortedOnesDropped', async () => {
    await plainCommit(offsets([['t', 0, 3]]));
    await txnCommit(offsets([['t', 0, 9]]), { producerId: PID });
    await endTxn(true, PID);
    await txnCommit(offsets([['t', 1, 7]]), { producerId: PID + 1 });
    await endTxn(false, PID + 1);
    await reload();
    expect(fetched([T0, T1], true)).toEqual({ 't-0': [9, E.NONE], 't-1': [-1, E.NONE] });
  });

  test('aTransactionStillOpenAtTheEndOfTheLogStaysPendingAndItsMarkerCompletesItAfterTheLoad', async () => {
    await plainCommit(offsets([['t', 0, 3]]));
    await txnCommit(offsets([['t', 0, 9]]));
    await reload();
    expect(fetched([T0])).toEqual({ 't-0': [3, E.NONE] });
    expect(fetched([T0], true)).toEqual({ 't-0': [-1, E.UNSTABLE_OFFSET_COMMIT] });
    expect(h.manager.isGroupOpenForProducer(PID, G)).toBe(true);
    await endTxn(true);
    expect(fetched([T0], true)).toEqual({ 't-0': [9, E.NONE] });
  });

  test('anOffsetsOnlyGroupWithOnlyPendingOffsetsIsLoadedAsAnEmptyGroup', async () => {
    await txnCommit(offsets([['t', 0, 9]]), { groupId: 'only-txn' });
    await reload();
    expect(h.coordinator.handleDescribeGroup('only-txn').summary.state).toBe('Empty');
    expect(fetched([T0], true, 'only-txn')).toEqual({ 't-0': [-1, E.UNSTABLE_OFFSET_COMMIT] });
    await endTxn(false, PID, 'only-txn');
    expect(fetched([T0], true, 'only-txn')).toEqual({ 't-0': [-1, E.NONE] });
  });

  test('aCommitMarkerDoesNotBringBackAnOlderOffsetThanALaterPlainCommit', async () => {
    await txnCommit(offsets([['t', 0, 9]]));
    await plainCommit(offsets([['t', 0, 20]]));
    await endTxn(true);
    await reload();
    expect(fetched([T0])).toEqual({ 't-0': [20, E.NONE] });
  });

  test('aCompletionScheduledWhileThePartitionLoadsAppliesToTheLoadedOffsets', async () => {
    await txnCommit(offsets([['t', 0, 9]]));
    const partition = h.manager.partitionFor(G);
    h.coordinator.onResignation(partition, 1);
    h.coordinator.onElection(partition, 2);
    // WriteTxnMarkers answered while the load is scheduled: the completion runs after it
    h.coordinator.scheduleHandleTxnCompletion(PID, [partition], true);
    await settle();
    expect(fetched([T0], true)).toEqual({ 't-0': [9, E.NONE] });
    expect(h.manager.isGroupOpenForProducer(PID, G)).toBe(false);
  });

  test('aCommitMarkerAlreadyInTheLogCompletesTheOffsetsOnLoad', async () => {
    await txnCommit(offsets([['t', 0, 9]]));
    const partition = h.manager.partitionFor(G);
    await h.store.appendRecords(
      30000,
      -1,
      [
        {
          topic: GROUP_METADATA_TOPIC_NAME,
          partition,
          records: buildEndTxnMarkerBatch({
            type: ControlRecordType.COMMIT,
            producerId: PID,
            producerEpoch: EPOCH,
            coordinatorEpoch: 0,
            timestamp: 0,
          }),
        },
      ],
      undefined,
      'coordinator',
    );
    await reload();
    expect(fetched([T0], true)).toEqual({ 't-0': [9, E.NONE] });
    expect(h.manager.isGroupOpenForProducer(PID, G)).toBe(false);
  });
});
