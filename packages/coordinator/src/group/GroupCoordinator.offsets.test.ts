import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import { decodeBatches, ErrorCode } from '@samsa/protocol';
import type { OffsetCommits } from './GroupMetadataManager';
import { readMessageKey } from './GroupMetadataRecords';
import type { OffsetAndMetadata } from './GroupResults';
import {
  Answer,
  join,
  OFFSET_CONFIG,
  settle,
  stableGroup,
  startCoordinator,
  subscription,
  type Harness,
} from './testing/coordinatorHarness';

const E = ErrorCode;
const G = 'group';
const RETENTION = OFFSET_CONFIG.offsetsRetentionMs;
const CHECK = OFFSET_CONFIG.offsetsRetentionCheckIntervalMs;

let h: Harness;
beforeEach(async () => {
  h = await startCoordinator();
});

function offsets(
  entries: [string, number, number, string?][],
  expireTimestamp: number | null = null,
): OffsetCommits {
  return new Map(
    entries.map(([topic, partition, offset, metadata]) => {
      const o: OffsetAndMetadata = {
        offset,
        leaderEpoch: -1,
        metadata: metadata ?? '',
        commitTimestamp: h.timer.now(),
        expireTimestamp,
      };
      return [topicPartitionKey({ topic, partition }), { tp: { topic, partition }, offsetAndMetadata: o }];
    }),
  );
}

/** Commits and waits for the append; the error per "topic-partition". */
async function commit(
  groupId: string,
  memberId: string,
  generation: number,
  o: OffsetCommits,
): Promise<Record<string, number>> {
  const answer = new Answer<Map<string, number>>();
  h.coordinator.handleCommitOffsets(groupId, memberId, null, generation, o, answer.callback);
  await settle();
  return Object.fromEntries(answer.get());
}

function fetched(groupId: string, tps: TopicPartition[] | null = null, requireStable = false) {
  const r = h.coordinator.handleFetchOffsets(groupId, requireStable, tps);
  return {
    error: r.error,
    offsets: Object.fromEntries(
      r.partitions.map((p) => [topicPartitionKey(p.tp), [p.data.offset, p.data.error]]),
    ),
  };
}

/** Keys of the records written for a group's partition, "offset t-0" / "group g", null values as tombstones. */
function written(groupId: string): string[] {
  const p = h.manager.partitionFor(groupId);
  return h.store
    .batches(p)
    .flatMap((b) => decodeBatches(b).flatMap((d) => d.records))
    .map((r) => {
      const k = readMessageKey(r.key!);
      if (k.groupId !== groupId) return null;
      const what = k.kind === 'offset' ? `offset ${topicPartitionKey(k.tp)}` : `group ${k.groupId}`;
      return r.value === null ? `tombstone ${what}` : what;
    })
    .filter((x): x is string => x !== null);
}

describe('OffsetCommit and OffsetFetch', () => {
  test('aMemberCommitsAndTheOffsetsAreStoredAndFetched', async () => {
    const { members, generation } = await stableGroup(h, G, 2);
    expect(
      await commit(
        G,
        members[1],
        generation,
        offsets([
          ['t', 0, 15, 'meta'],
          ['t', 1, 3],
        ]),
      ),
    ).toEqual({ 't-0': E.NONE, 't-1': E.NONE });
    expect(
      fetched(G, [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 9 },
      ]),
    ).toEqual({
      error: E.NONE,
      offsets: { 't-0': [15, E.NONE], 't-9': [-1, E.NONE] },
    });
    expect(fetched(G).offsets).toEqual({ 't-0': [15, E.NONE], 't-1': [3, E.NONE] });
    expect(written(G).filter((w) => w.startsWith('offset'))).toEqual(['offset t-0', 'offset t-1']);
  });

  test('aStandaloneCommitWithGenerationMinusOneMakesAnOffsetsOnlyGroup', async () => {
    expect(await commit('simple', '', -1, offsets([['t', 0, 7]]))).toEqual({ 't-0': E.NONE });
    expect(fetched('simple').offsets).toEqual({ 't-0': [7, E.NONE] });
    const described = h.coordinator.handleDescribeGroup('simple').summary;
    expect([described.state, described.protocolType]).toEqual(['Empty', '']);
    // a generation of a group that does not exist here is an old one
    expect(await commit('unknown', 'm', 4, offsets([['t', 0, 7]]))).toEqual({ 't-0': E.ILLEGAL_GENERATION });
    // the empty group id is accepted for commits, as old clients use it
    expect(await commit('', '', -1, offsets([['t', 0, 1]]))).toEqual({ 't-0': E.NONE });
  });

  test('commitsFromUnknownMembersOldGenerationsAndDuringCompletingRebalanceAreRefused', async () => {
    const { members, generation } = await stableGroup(h, G, 1);
    expect(await commit(G, 'ghost', generation, offsets([['t', 0, 1]]))).toEqual({
      't-0': E.UNKNOWN_MEMBER_ID,
    });
    expect(await commit(G, members[0], generation - 1, offsets([['t', 0, 1]]))).toEqual({
      't-0': E.ILLEGAL_GENERATION,
    });
    expect(await commit(G, '', -1, offsets([['t', 0, 1]]))).toEqual({ 't-0': E.UNKNOWN_MEMBER_ID });
    const rejoin = join(h.coordinator, G, { memberId: members[0], clientId: 'c0' });
    // PreparingRebalance: allowed (the member learns of the rebalance from its heartbeat)
    expect(rejoin.get().generationId).toBe(generation + 1); // alone: the rebalance completes at once
    expect(await commit(G, members[0], generation + 1, offsets([['t', 0, 1]]))).toEqual({
      't-0': E.REBALANCE_IN_PROGRESS,
    });
    expect(fetched(G).offsets).toEqual({});
  });

  test('metadataLongerThanTheLimitIsRefusedPerPartition', async () => {
    const long = 'x'.repeat(OFFSET_CONFIG.maxMetadataSize + 1);
    expect(
      await commit(
        'simple',
        '',
        -1,
        offsets([
          ['t', 0, 1, long],
          ['t', 1, 2, 'ok'],
        ]),
      ),
    ).toEqual({
      't-0': E.OFFSET_METADATA_TOO_LARGE,
      't-1': E.NONE,
    });
    expect(await commit('simple', '', -1, offsets([['t', 0, 1, long]]))).toEqual({
      't-0': E.OFFSET_METADATA_TOO_LARGE,
    });
    expect(fetched('simple').offsets).toEqual({ 't-1': [2, E.NONE] });
  });

  test('aFailedAppendIsReportedAndLeavesNoOffset', async () => {
    h.store.failNext(E.NOT_ENOUGH_REPLICAS);
    expect(await commit('simple', '', -1, offsets([['t', 0, 1]]))).toEqual({
      't-0': E.COORDINATOR_NOT_AVAILABLE,
    });
    h.store.failNext(E.NOT_LEADER_OR_FOLLOWER);
    expect(await commit('simple', '', -1, offsets([['t', 0, 1]]))).toEqual({ 't-0': E.NOT_COORDINATOR });
    h.store.failNext(E.MESSAGE_TOO_LARGE);
    expect(await commit('simple', '', -1, offsets([['t', 0, 1]]))).toEqual({
      't-0': E.INVALID_COMMIT_OFFSET_SIZE,
    });
    expect(fetched('simple', [{ topic: 't', partition: 0 }]).offsets).toEqual({ 't-0': [-1, E.NONE] });
  });

  test('aCommitInFlightIsUnstableForFetchesThatRequireStability', async () => {
    expect(await commit('simple', '', -1, offsets([['t', 0, 1]]))).toEqual({ 't-0': E.NONE });
    h.store.hold();
    const answer = new Answer<Map<string, number>>();
    h.coordinator.handleCommitOffsets('simple', '', null, -1, offsets([['t', 0, 2]]), answer.callback);
    await settle();
    expect(answer.done).toBe(false);
    const tp = [{ topic: 't', partition: 0 }];
    expect(fetched('simple', tp, true).offsets).toEqual({ 't-0': [-1, E.UNSTABLE_OFFSET_COMMIT] });
    expect(fetched('simple', tp, false).offsets).toEqual({ 't-0': [1, E.NONE] });
    h.store.release();
    await settle();
    expect(fetched('simple', tp, true).offsets).toEqual({ 't-0': [2, E.NONE] });
  });
});

describe('offset expiration', () => {
  test('offsetsOfAnEmptyGroupExpireAfterRetentionWithTombstonesAndTheGroupDies', async () => {
    const { members, generation } = await stableGroup(h, G, 1);
    await commit(G, members[0], generation, offsets([['t', 0, 5]]));
    h.coordinator.handleLeaveGroup(G, [{ memberId: members[0], groupInstanceId: null }], () => undefined);
    await settle();
    expect(h.coordinator.handleDescribeGroup(G).summary.state).toBe('Empty');
    // retention counts from the moment the group became Empty, checked every CHECK ms
    h.timer.advance(RETENTION - CHECK);
    expect(fetched(G).offsets).toEqual({ 't-0': [5, E.NONE] });
    h.timer.advance(2 * CHECK);
    await settle();
    expect(fetched(G).offsets).toEqual({});
    expect(h.coordinator.handleDescribeGroup(G).summary.state).toBe('Dead');
    expect(written(G).slice(-2)).toEqual(['tombstone offset t-0', 'tombstone group group']);
  });

  test('aStableConsumerGroupKeepsOffsetsOfTopicsItSubscribesTo', async () => {
    const { members, generation } = await stableGroup(h, G, 1, [
      { name: 'range', metadata: subscription('t') },
    ]);
    await commit(
      G,
      members[0],
      generation,
      offsets([
        ['t', 0, 5],
        ['old', 0, 9],
      ]),
    );
    // the member stays alive
    for (let t = 0; t < RETENTION + 2 * CHECK; t += 5000) {
      h.timer.advance(5000);
      h.coordinator.handleHeartbeat(G, members[0], null, generation, () => undefined);
    }
    await settle();
    expect(fetched(G).offsets).toEqual({ 't-0': [5, E.NONE] });
    expect(written(G)).toContain('tombstone offset old-0');
  });

  test('standaloneOffsetsExpireByTheirCommitTimeAndExplicitExpireTimestampsWin', async () => {
    await commit('simple', '', -1, offsets([['t', 0, 1]]));
    await commit('simple', '', -1, offsets([['t', 1, 1]], h.timer.now() + CHECK / 2));
    h.timer.advance(CHECK);
    await settle();
    expect(fetched('simple').offsets).toEqual({ 't-0': [1, E.NONE] });
    h.timer.advance(RETENTION);
    await settle();
    expect(fetched('simple').offsets).toEqual({});
    // an offsets-only group never wrote metadata: no group tombstone
    expect(written('simple')).toEqual([
      'offset t-0',
      'offset t-1',
      'tombstone offset t-1',
      'tombstone offset t-0',
    ]);
  });
});

describe('DeleteGroups and OffsetDelete', () => {
  test('deleteGroupsRemovesEmptyGroupsOnlyAndAnswersEachGroup', async () => {
    await stableGroup(h, 'busy', 1);
    await commit('idle', '', -1, offsets([['t', 0, 1]]));
    const other = Array.from({ length: 100 }, (_, i) => `g${i}`).find(
      (g) => h.manager.partitionFor(g) === 3,
    )!;
    h.coordinator.onResignation(3, 1);
    expect(['busy', 'idle', 'nobody', ''].map((g) => h.manager.partitionFor(g))).not.toContain(3);
    const errors = h.coordinator.handleDeleteGroups(['busy', 'idle', 'nobody', other, '']);
    expect(Object.fromEntries(errors)).toEqual({
      busy: E.NON_EMPTY_GROUP,
      idle: E.NONE,
      nobody: E.GROUP_ID_NOT_FOUND,
      [other]: E.NOT_COORDINATOR,
      '': E.GROUP_ID_NOT_FOUND,
    });
    await settle();
    expect(fetched('idle').offsets).toEqual({});
    expect(written('idle')).toEqual(['offset t-0', 'tombstone offset t-0']);
    expect(h.coordinator.handleDeleteGroups(['idle']).get('idle')).toBe(E.GROUP_ID_NOT_FOUND);
  });

  test('offsetDeleteKeepsSubscribedTopicsOfAConsumerGroupWithMembers', async () => {
    const { members, generation } = await stableGroup(h, G, 1, [
      { name: 'range', metadata: subscription('t') },
    ]);
    await commit(
      G,
      members[0],
      generation,
      offsets([
        ['t', 0, 5],
        ['other', 0, 9],
      ]),
    );
    const r = h.coordinator.handleDeleteOffsets(G, [
      { topic: 't', partition: 0 },
      { topic: 'other', partition: 0 },
    ]);
    expect(r.groupError).toBe(E.NONE);
    expect(r.partitionErrors.map((p) => [p.tp.topic, p.error])).toEqual([
      ['t', E.GROUP_SUBSCRIBED_TO_TOPIC],
      ['other', E.NONE],
    ]);
    await settle();
    expect(fetched(G).offsets).toEqual({ 't-0': [5, E.NONE] });
    expect(h.coordinator.handleDeleteOffsets('never-seen', [{ topic: 't', partition: 0 }]).groupError).toBe(
      E.GROUP_ID_NOT_FOUND,
    );
    expect(h.coordinator.handleDeleteOffsets('', []).groupError).toBe(E.INVALID_GROUP_ID);
  });

  test('offsetDeleteOfAnEmptyGroupRemovesTheOffsets', async () => {
    await commit(
      'idle',
      '',
      -1,
      offsets([
        ['t', 0, 1],
        ['t', 1, 2],
      ]),
    );
    const r = h.coordinator.handleDeleteOffsets('idle', [{ topic: 't', partition: 0 }]);
    expect(r.partitionErrors.map((p) => p.error)).toEqual([E.NONE]);
    expect(fetched('idle').offsets).toEqual({ 't-1': [2, E.NONE] });
  });

  test('deletedTopicsLoseTheirOffsetsInEveryGroup', async () => {
    await commit(
      'a',
      '',
      -1,
      offsets([
        ['gone', 0, 1],
        ['kept', 0, 2],
      ]),
    );
    await commit('b', '', -1, offsets([['gone', 0, 3]]));
    h.coordinator.handleDeletedPartitions([{ topic: 'gone', partition: 0 }]);
    expect(fetched('a').offsets).toEqual({ 'kept-0': [2, E.NONE] });
    expect(fetched('b').offsets).toEqual({});
  });
});
