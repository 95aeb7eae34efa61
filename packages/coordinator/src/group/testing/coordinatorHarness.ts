import { encodeVersioned, internalMessages } from '@samsa/protocol';
import { consoleLogger } from '@samsa/common';
import { GroupCoordinator } from '../GroupCoordinator';
import { GroupMetadataManager } from '../GroupMetadataManager';
import type { JoinGroupArgs } from '../GroupRequests';
import type { JoinGroupResult, LeaveGroupResult, SyncGroupResult } from '../GroupResults';
import type { GroupConfig, OffsetConfig } from '../OffsetConfig';
import { FakeOffsetsStore } from './FakeOffsetsStore';
import { MockCoordinatorTimer } from './MockCoordinatorTimer';

/** A GroupCoordinator over a FakeOffsetsStore on a MockCoordinatorTimer. Test support only. */

export const PARTITIONS = 5;

export const GROUP_CONFIG: GroupConfig = {
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 300000,
  groupMaxSize: 100,
  groupInitialRebalanceDelayMs: 3000,
};

export const OFFSET_CONFIG: OffsetConfig = {
  maxMetadataSize: 16,
  loadBufferSize: 1024,
  offsetsRetentionMs: 24 * 3600 * 1000,
  offsetsRetentionCheckIntervalMs: 600000,
  offsetsTopicNumPartitions: PARTITIONS,
  offsetsTopicSegmentBytes: 1 << 20,
  offsetsTopicReplicationFactor: 1,
  offsetsTopicCompressionCodec: 0,
  offsetCommitTimeoutMs: 5000,
  offsetCommitRequiredAcks: -1,
};

export interface Harness {
  readonly timer: MockCoordinatorTimer;
  readonly store: FakeOffsetsStore;
  readonly manager: GroupMetadataManager;
  readonly coordinator: GroupCoordinator;
}

/** Lets promise callbacks (appends, loads) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/**
 * A started coordinator that owns every partition of __consumer_offsets in `store` (a new one by
 * default: pass the store of an earlier harness to load what it wrote).
 */
export async function startCoordinator(
  opts: {
    store?: FakeOffsetsStore;
    timer?: MockCoordinatorTimer;
    group?: Partial<GroupConfig>;
    offsets?: Partial<OffsetConfig>;
  } = {},
): Promise<Harness> {
  const timer = opts.timer ?? new MockCoordinatorTimer();
  const store = opts.store ?? new FakeOffsetsStore();
  store.lead(...Array.from({ length: PARTITIONS }, (_, p) => p));
  const offsetConfig = { ...OFFSET_CONFIG, ...opts.offsets };
  const manager = new GroupMetadataManager(
    0,
    offsetConfig,
    store,
    timer,
    consoleLogger('coordinator', 'off'),
  );
  const coordinator = new GroupCoordinator({
    brokerId: 0,
    groupConfig: { ...GROUP_CONFIG, ...opts.group },
    offsetConfig,
    groupManager: manager,
    timer,
    logger: consoleLogger('coordinator', 'off'),
  });
  coordinator.startup(PARTITIONS);
  for (let p = 0; p < PARTITIONS; p++) coordinator.onElection(p, 0);
  await settle();
  return { timer, store, manager, coordinator };
}

/** A callback's answer, once given. */
export class Answer<T> {
  value: T | undefined;
  calls = 0;
  readonly callback = (v: T): void => {
    this.calls++;
    this.value = v;
  };

  get done(): boolean {
    return this.calls > 0;
  }

  get(): T {
    if (this.calls !== 1) throw new Error(`expected one answer, got ${this.calls}`);
    return this.value as T;
  }
}

/** A consumer subscription (ConsumerProtocolSubscription v0) to `topics`. */
export function subscription(...topics: string[]): Buffer {
  return encodeVersioned(internalMessages.ConsumerProtocolSubscription, 0, { topics, userData: null });
}

export function joinArgs(groupId: string, a: Partial<JoinGroupArgs> = {}): JoinGroupArgs {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: true,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 20000,
    sessionTimeoutMs: 10000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t') }],
    ...a,
  };
}

export function join(
  c: GroupCoordinator,
  groupId: string,
  a: Partial<JoinGroupArgs> = {},
): Answer<JoinGroupResult> {
  const answer = new Answer<JoinGroupResult>();
  c.handleJoinGroup(joinArgs(groupId, a), answer.callback);
  return answer;
}

export function sync(
  c: GroupCoordinator,
  groupId: string,
  memberId: string,
  generationId: number,
  assignments: Record<string, string> = {},
  groupInstanceId: string | null = null,
): Answer<SyncGroupResult> {
  const answer = new Answer<SyncGroupResult>();
  c.handleSyncGroup(
    {
      groupId,
      generationId,
      memberId,
      protocolType: null,
      protocolName: null,
      groupInstanceId,
      assignments: new Map(Object.entries(assignments).map(([k, v]) => [k, Buffer.from(v)])),
    },
    answer.callback,
  );
  return answer;
}

export function heartbeat(
  c: GroupCoordinator,
  groupId: string,
  memberId: string,
  generationId: number,
  groupInstanceId: string | null = null,
): number {
  const answer = new Answer<number>();
  c.handleHeartbeat(groupId, memberId, groupInstanceId, generationId, answer.callback);
  return answer.get();
}

export function leave(
  c: GroupCoordinator,
  groupId: string,
  members: { memberId: string; groupInstanceId?: string | null }[],
): LeaveGroupResult {
  const answer = new Answer<LeaveGroupResult>();
  c.handleLeaveGroup(
    groupId,
    members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null })),
    answer.callback,
  );
  return answer.get();
}

/**
 * Brings `groupId` to Stable with `n` dynamic members through the KIP-394 flow, moving the clock
 * just past the initial rebalance delay. Returns the member ids (the first is the leader) and the generation.
 */
export async function stableGroup(
  h: Harness,
  groupId: string,
  n: number,
  protocols = [{ name: 'range', metadata: subscription('t') }],
): Promise<{ members: string[]; generation: number }> {
  const ids: string[] = [];
  const joins: Answer<JoinGroupResult>[] = [];
  for (let i = 0; i < n; i++) {
    const first = join(h.coordinator, groupId, { clientId: `c${i}`, protocols }).get();
    ids.push(first.memberId);
    joins.push(join(h.coordinator, groupId, { memberId: first.memberId, clientId: `c${i}`, protocols }));
  }
  while (!joins.every((j) => j.done)) h.timer.advance(100);
  const results = joins.map((j) => j.get());
  const generation = results[0].generationId;
  const leader = results.find((r) => r.members.length > 0)!.memberId;
  const ordered = [leader, ...ids.filter((id) => id !== leader)];
  const syncs = ordered.map((id) =>
    sync(
      h.coordinator,
      groupId,
      id,
      generation,
      id === leader ? Object.fromEntries(ids.map((m) => [m, `assignment-of-${m}`])) : {},
    ),
  );
  await settle();
  for (const s of syncs) expect(s.get().error).toBe(0);
  return { members: ordered, generation };
}
