import { updateMetadataContent } from '../testing/controlRequests';
import { ApiKey, ErrorCode, KafkaError, type Struct } from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import {
  settle,
  startCoordinator,
  subscription,
  type Harness,
} from '../../../coordinator/src/group/testing/coordinatorHarness';
import type { BrokerDeps } from './deps';
import { findCoordinatorHandler } from './findCoordinator';
import { heartbeatHandler } from './heartbeat';
import { joinGroupHandler } from './joinGroup';
import { leaveGroupHandler } from './leaveGroup';
import { offsetCommitHandler } from './offsetCommit';
import { offsetFetchHandler } from './offsetFetch';
import { syncGroupHandler } from './syncGroup';
import type { AnyApiHandlerEntry } from './types';
import { answerOf } from './testing/untypedEntry';
import { ctx, fakeDeps, updateMetadataBody } from './testing/fakeDeps';

/**
 * The group API handlers' per-version shapes over a real coordinator (in-memory offsets log, mock
 * clock): which fields a version reads, and where its errors go.
 */
let h: Harness;
let deps: BrokerDeps;
let autoCreated: string[];

beforeEach(async () => {
  h = await startCoordinator({ group: { groupInitialRebalanceDelayMs: 0 } });
  autoCreated = [];
  deps = fakeDeps({
    groupCoordinator: h.coordinator,
    autoCreateTopic: async (t) => {
      autoCreated.push(t);
      return 5;
    },
  });
  deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1], { t: [0, 1] })));
});

const call = async (
  entry: AnyApiHandlerEntry,
  apiKey: number,
  version: number,
  body: Struct,
) => answerOf(entry, { ...ctx(apiKey, version), clientAddress: '10.1.2.3:5555' }, body);

function joinBody(extra: Struct = {}): Struct {
  return {
    groupId: 'g',
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 20000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t') }],
    ...extra,
  };
}

/** A member of g (JoinGroup v3: joins at once), with the join phase completed. */
async function member(): Promise<Struct> {
  const pending = call(joinGroupHandler(deps), ApiKey.JoinGroup, 3, joinBody());
  h.timer.advance(0);
  return pending;
}

describe('group API handlers', () => {
  test('findCoordinatorCreatesTheOffsetsTopicFirstThenNamesTheLeaderOfTheGroupsPartition', async () => {
    const find = findCoordinatorHandler(deps);
    const first = await call(find, ApiKey.FindCoordinator, 2, { key: 'g', keyType: 0 });
    expect([first.errorCode, first.nodeId]).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE, -1]);
    expect(autoCreated).toEqual([GROUP_METADATA_TOPIC_NAME]);

    const p = h.coordinator.partitionFor('g');
    const leaders = [1, 1, 1, 1, 1];
    leaders[p] = 0;
    deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1], { t: [0, 1], [GROUP_METADATA_TOPIC_NAME]: leaders })),
    );
    const found = await call(find, ApiKey.FindCoordinator, 0, { key: 'g' });
    expect(found).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 0, host: 'h0', port: 9092 });
    leaders[p] = -1;
    deps.metadataCache.updateMetadata(updateMetadataContent(updateMetadataBody([0, 1], { [GROUP_METADATA_TOPIC_NAME]: leaders })));
    expect((await call(find, ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 })).errorCode).toBe(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    expect((await call(find, ApiKey.FindCoordinator, 1, { key: 'g', keyType: 1 })).errorCode).toBe(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    await expect(call(find, ApiKey.FindCoordinator, 1, { key: 'g', keyType: 7 })).rejects.toEqual(
      expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }) as KafkaError,
    );
  });

  test('joinGroupV0TakesTheSessionTimeoutAsRebalanceTimeoutAndV3JoinsWithoutMemberIdRequired', async () => {
    const pending = call(
      joinGroupHandler(deps),
      ApiKey.JoinGroup,
      0,
      joinBody({ rebalanceTimeoutMs: undefined }),
    );
    h.timer.advance(0);
    const r = await pending;
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.protocolName).toBe('range');
    const described = h.coordinator.handleDescribeGroup('g').summary;
    expect(described.members[0].clientHost).toBe('/10.1.2.3');
    expect(h.manager.getGroup('g')!.rebalanceTimeoutMs).toBe(10000);
    // v4 asks for the member id first; a duplicated protocol name counts once
    const v4 = await call(
      joinGroupHandler(deps),
      ApiKey.JoinGroup,
      4,
      joinBody({
        groupId: 'other',
        protocols: [
          { name: 'range', metadata: subscription('t') },
          { name: 'range', metadata: subscription('u') },
        ],
      }),
    );
    expect(v4.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const again = call(
      joinGroupHandler(deps),
      ApiKey.JoinGroup,
      4,
      joinBody({
        groupId: 'other',
        memberId: v4.memberId,
        protocols: [
          { name: 'range', metadata: subscription('t') },
          { name: 'range', metadata: subscription('u') },
        ],
      }),
    );
    h.timer.advance(0);
    expect((await again).errorCode).toBe(ErrorCode.NONE);
    expect(
      h.manager
        .getGroup('other')!
        .get(v4.memberId)
        .supportedProtocols.map((p) => p.name),
    ).toEqual(['range']);
  });

  test('leaveGroupV1FoldsTheMemberErrorIntoTheOneErrorCodeAndV3AnswersPerMember', async () => {
    const m = await member();
    const leave = leaveGroupHandler(deps);
    expect(await call(leave, ApiKey.LeaveGroup, 1, { groupId: 'g', memberId: 'ghost' })).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
    });
    const v3 = await call(leave, ApiKey.LeaveGroup, 3, {
      groupId: 'g',
      members: [
        { memberId: m.memberId, groupInstanceId: null },
        { memberId: 'ghost', groupInstanceId: null },
      ],
    });
    expect(v3.errorCode).toBe(ErrorCode.NONE);
    expect(v3.members.map((x: Struct) => x.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
  });

  test('syncAndHeartbeatAnswerTheAssignmentAndTheSession', async () => {
    const m = await member();
    const s = await call(syncGroupHandler(deps), ApiKey.SyncGroup, 3, {
      groupId: 'g',
      generationId: m.generationId,
      memberId: m.memberId,
      groupInstanceId: null,
      assignments: [{ memberId: m.memberId, assignment: Buffer.from('all') }],
    });
    expect(s.errorCode).toBe(ErrorCode.NONE);
    expect(Buffer.from(s.assignment).toString()).toBe('all');
    const hb = await call(heartbeatHandler(deps), ApiKey.Heartbeat, 0, {
      groupId: 'g',
      generationId: m.generationId,
      memberId: m.memberId,
    });
    expect(hb.errorCode).toBe(ErrorCode.NONE);
  });

  test('offsetCommitV2CarriesARetentionTimeAndUnknownPartitionsAreRefused', async () => {
    const commit = await call(offsetCommitHandler(deps), ApiKey.OffsetCommit, 2, {
      groupId: 'simple',
      generationId: -1,
      memberId: '',
      retentionTimeMs: 60000,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 5, committedMetadata: null },
            { partitionIndex: 2, committedOffset: 5, committedMetadata: null },
          ],
        },
        { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }] },
      ],
    });
    expect(commit.topics.map((t: Struct) => t.partitions.map((p: Struct) => p.errorCode))).toEqual([
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const group = h.manager.getGroup('simple')!;
    const o = group.offsets.offset({ topic: 't', partition: 0 })!;
    expect(o.metadata).toBe('');
    expect(o.expireTimestamp! - o.commitTimestamp).toBe(60000);
  });

  test('offsetFetchErrorsArePerPartitionBeforeV2AndTopLevelFromV2', async () => {
    h.coordinator.onResignation(h.coordinator.partitionFor('g'), null);
    await settle();
    const fetch = offsetFetchHandler(deps);
    const v1 = await call(fetch, ApiKey.OffsetFetch, 1, {
      groupId: 'g',
      topics: [{ name: 't', partitionIndexes: [0, 1] }],
    });
    expect(v1.topics[0].partitions.map((p: Struct) => [p.committedOffset, p.errorCode])).toEqual([
      [-1, ErrorCode.NOT_COORDINATOR],
      [-1, ErrorCode.NOT_COORDINATOR],
    ]);
    const v2 = await call(fetch, ApiKey.OffsetFetch, 2, {
      groupId: 'g',
      topics: [{ name: 't', partitionIndexes: [0, 1] }],
    });
    expect([v2.errorCode, v2.topics]).toEqual([ErrorCode.NOT_COORDINATOR, []]);
  });
});
