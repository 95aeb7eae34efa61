import { randomUUID } from 'crypto';
import { type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { CONSUMER_PROTOCOL_TYPE, subscriptionTopics } from './ConsumerProtocol';
import type { Cancellable } from './CoordinatorTimer';
import { GroupOffsets, type CommitRecordMetadataAndOffset, type OffsetsByPartition } from './GroupOffsets';
import {
  joinError,
  syncError,
  type GroupOverview,
  type GroupSummary,
  type JoinGroupResponseMember,
  type JoinGroupResult,
  type SyncGroupResult,
} from './GroupResults';
import { isValidTransition, type GroupState, VALID_PREVIOUS_STATES } from './GroupState';
import type { JoinCallback, MemberMetadata, Protocol } from './MemberMetadata';

/** Fields a group is restored with from its last GroupMetadataValue record. */
export interface LoadedGroupFields {
  readonly generationId: number;
  readonly protocolType: string;
  readonly protocolName: string | null;
  readonly leaderId: string | null;
  readonly currentStateTimestamp: number | null;
  readonly members: readonly MemberMetadata[];
}

/**
 * One group (Kafka's GroupMetadata): its state, generation, selected protocol and leader; its
 * members (dynamic, static by group.instance.id, and pending ones that were given a member id by
 * MEMBER_ID_REQUIRED and have not joined yet); and its committed offsets plus the commits whose
 * append is still in flight. Not thread-safe by design: everything runs on the event loop, and the
 * coordinator re-checks state after every await.
 */
export class GroupMetadata {
  private state: GroupState;
  currentStateTimestamp: number | null;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  private leaderId: string | null = null;
  private readonly members = new Map<string, MemberMetadata>();
  /** group.instance.id → member id */
  private readonly staticMembers = new Map<string, string>();
  private readonly pendingMembers = new Set<string>();
  private numMembersAwaitingJoin = 0;
  /** protocol name → number of members supporting it */
  private readonly supportedProtocols = new Map<string, number>();
  /** Committed offsets, and commits in flight. */
  readonly offsets = new GroupOffsets();
  private readonly pendingSyncMembers = new Set<string>();
  /** For protocol type "consumer": the union of the members' subscriptions (null: unknown). */
  private subscribedTopics: Set<string> | null = null;
  /** A member joined during the initial rebalance delay (the delay may be extended). */
  newMemberAdded = false;
  /**
   * The group's rebalance-phase timers, owned by GroupRebalance: the join phase's (the initial
   * delay of a new group, or the rebalance timeout), then the sync phase's — never both at once.
   */
  joinTimer: (Cancellable & { readonly initial: boolean }) | null = null;
  syncTimer: (Cancellable & { readonly generationId: number }) | null = null;
  /** Session timers of pending members (coordinator-owned). */
  readonly pendingMemberTimers = new Map<string, Cancellable>();

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    private readonly now: () => number,
  ) {
    this.state = initialState;
    this.currentStateTimestamp = now();
  }

  /** A group as its last metadata record left it: Stable with its members, or Empty. */
  static loadGroup(groupId: string, fields: LoadedGroupFields, now: () => number): GroupMetadata {
    const group = new GroupMetadata(groupId, fields.members.length === 0 ? 'Empty' : 'Stable', now);
    group.generationId = fields.generationId;
    group.protocolType = fields.protocolType === '' ? null : fields.protocolType;
    group.protocolName = fields.protocolName;
    group.leaderId = fields.leaderId;
    group.currentStateTimestamp = fields.currentStateTimestamp;
    for (const m of fields.members) {
      group.add(m, null);
      if (m.groupInstanceId !== null) group.addStaticMember(m.groupInstanceId, m.memberId);
    }
    group.subscribedTopics = group.computeSubscribedTopics();
    return group;
  }

  // ---- state ----------------------------------------------------------------------------------

  get currentState(): GroupState {
    return this.state;
  }

  is(s: GroupState): boolean {
    return this.state === s;
  }

  /** Moves to `target`; an invalid transition is a programmer error (Kafka's IllegalStateException). */
  transitionTo(target: GroupState): void {
    if (!isValidTransition(this.state, target)) {
      throw new Error(
        `programmer error: group ${this.groupId} should be in one of [${VALID_PREVIOUS_STATES[target].join(',')}] ` +
          `before moving to ${target}, but it is ${this.state}`,
      );
    }
    this.state = target;
    this.currentStateTimestamp = this.now();
  }

  get canRebalance(): boolean {
    return isValidTransition(this.state, 'PreparingRebalance');
  }

  // ---- members ----------------------------------------------------------------------------------

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`programmer error: ${memberId} is not a member of group ${this.groupId}`);
    return m;
  }

  get size(): number {
    return this.members.size;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  get leaderOrNull(): string | null {
    return this.leaderId;
  }

  get isConsumerGroup(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  get allMembers(): string[] {
    return [...this.members.keys()];
  }

  get allMemberMetadata(): MemberMetadata[] {
    return [...this.members.values()];
  }

  get allStaticMembers(): string[] {
    return [...this.staticMembers.keys()];
  }

  get numAwaiting(): number {
    return this.numMembersAwaitingJoin;
  }

  get numPending(): number {
    return this.pendingMembers.size;
  }

  /** The longest rebalance timeout of the members: how long a join phase may last. */
  get rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }

  add(member: MemberMetadata, callback: JoinCallback | null): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (
      this.protocolType !== member.protocolType ||
      !this.supportsProtocols(
        member.protocolType,
        member.supportedProtocols.map((p) => p.name),
      )
    ) {
      throw new Error(
        `programmer error: member ${member.memberId} does not fit the protocols of group ${this.groupId}`,
      );
    }
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    for (const p of member.supportedProtocols) this.countProtocol(p.name, 1);
    member.awaitingJoinCallback = callback;
    if (member.isAwaitingJoin) this.numMembersAwaitingJoin++;
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member) {
      this.members.delete(memberId);
      for (const p of member.supportedProtocols) this.countProtocol(p.name, -1);
      if (member.isAwaitingJoin) this.numMembersAwaitingJoin--;
      if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingSyncMembers.delete(memberId);
  }

  private countProtocol(name: string, delta: number): void {
    const n = (this.supportedProtocols.get(name) ?? 0) + delta;
    if (n === 0) this.supportedProtocols.delete(name);
    else this.supportedProtocols.set(name, n);
  }

  /**
   * Keeps the leader if it rejoined, else picks any member that did. False when the group has no
   * leader or nobody rejoined (the join phase is then extended).
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.get(this.leaderId);
    if (leader.isAwaitingJoin) return true;
    for (const [id, m] of this.members) {
      if (m.isAwaitingJoin) {
        this.leaderId = id;
        return true;
      }
    }
    return false;
  }

  /**
   * A static member rejoined with an unknown member id: the member keeps everything but its id; a
   * JoinGroup or SyncGroup the old id had parked is answered FENCED_INSTANCE_ID.
   */
  replaceGroupInstance(oldMemberId: string, newMemberId: string, groupInstanceId: string): MemberMetadata {
    const member = this.members.get(oldMemberId);
    if (!member) throw new Error(`programmer error: cannot replace non-existing member id ${oldMemberId}`);
    this.members.delete(oldMemberId);
    this.maybeInvokeJoinCallback(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.maybeInvokeSyncCallback(member, syncError(ErrorCode.FENCED_INSTANCE_ID));
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.addStaticMember(groupInstanceId, newMemberId);
    return member;
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId) && !this.has(memberId);
  }

  addPendingMember(memberId: string): void {
    this.pendingMembers.add(memberId);
  }

  removePendingMember(memberId: string): void {
    this.pendingMembers.delete(memberId);
  }

  hasStaticMember(groupInstanceId: string | null): boolean {
    return groupInstanceId !== null && this.staticMembers.has(groupInstanceId);
  }

  getStaticMemberId(groupInstanceId: string): string {
    const id = this.staticMembers.get(groupInstanceId);
    if (id === undefined)
      throw new Error(`programmer error: no static member ${groupInstanceId} in group ${this.groupId}`);
    return id;
  }

  addStaticMember(groupInstanceId: string, memberId: string): void {
    this.staticMembers.set(groupInstanceId, memberId);
  }

  /** A known group.instance.id presented with a member id other than the one it has now. */
  isStaticMemberFenced(memberId: string, groupInstanceId: string | null): boolean {
    return (
      groupInstanceId !== null &&
      this.hasStaticMember(groupInstanceId) &&
      this.getStaticMemberId(groupInstanceId) !== memberId
    );
  }

  /** Kafka's member id: client id (or group.instance.id) and a random UUID. */
  generateMemberId(clientId: string, groupInstanceId: string | null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`;
  }

  addPendingSyncMember(memberId: string): void {
    if (!this.has(memberId))
      throw new Error(`programmer error: pending sync for ${memberId}, not a member of ${this.groupId}`);
    this.pendingSyncMembers.add(memberId);
  }

  removePendingSyncMember(memberId: string): void {
    this.pendingSyncMembers.delete(memberId);
  }

  get hasReceivedSyncFromAllMembers(): boolean {
    return this.pendingSyncMembers.size === 0;
  }

  get allPendingSyncMembers(): string[] {
    return [...this.pendingSyncMembers];
  }

  clearPendingSyncMembers(): void {
    this.pendingSyncMembers.clear();
  }

  /** Members that have not sent a JoinGroup in this rebalance. */
  get notYetRejoinedMembers(): MemberMetadata[] {
    return this.allMemberMetadata.filter((m) => !m.isAwaitingJoin);
  }

  get hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  // ---- protocols --------------------------------------------------------------------------------

  /** The protocol most members prefer among those every member supports. */
  selectProtocol(): string {
    if (this.members.size === 0)
      throw new Error(`programmer error: cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, n] of this.supportedProtocols) if (n === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  /**
   * Can a member with this protocol type and protocols join? An Empty group takes any non-empty
   * type with at least one protocol; otherwise the type must match and one protocol must be
   * supported by every member.
   */
  supportsProtocols(memberProtocolType: string, memberProtocols: readonly string[]): boolean {
    if (this.is('Empty')) return memberProtocolType !== '' && memberProtocols.length > 0;
    return (
      this.protocolType === memberProtocolType &&
      memberProtocols.some((p) => (this.supportedProtocols.get(p) ?? 0) === this.members.size)
    );
  }

  /** True when the consumer group subscribes to `topic`, or when that is not known. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  get subscribedTopicsOrNull(): ReadonlySet<string> | null {
    return this.subscribedTopics;
  }

  private computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    try {
      const topics = new Set<string>();
      for (const m of this.members.values())
        for (const t of subscriptionTopics(m.metadata(this.protocolName))) topics.add(t);
      return topics;
    } catch {
      // Not a consumer subscription after all: the coordinator just does not know the topics.
      return null;
    }
  }

  updateMember(member: MemberMetadata, protocols: readonly Protocol[], callback: JoinCallback | null): void {
    for (const p of member.supportedProtocols) this.countProtocol(p.name, -1);
    for (const p of protocols) this.countProtocol(p.name, 1);
    member.supportedProtocols = protocols;
    if (callback !== null && !member.isAwaitingJoin) this.numMembersAwaitingJoin++;
    else if (callback === null && member.isAwaitingJoin) this.numMembersAwaitingJoin--;
    if (callback === null) member.awaitingJoinCallback = null;
    else member.parkJoin(callback); // a JoinGroup already parked is answered too, not dropped
  }

  maybeInvokeJoinCallback(member: MemberMetadata, result: JoinGroupResult): void {
    const cb = member.awaitingJoinCallback;
    if (cb === null) return;
    member.awaitingJoinCallback = null;
    this.numMembersAwaitingJoin--;
    cb(result);
  }

  /** Returns true when a parked SyncGroup was answered. */
  maybeInvokeSyncCallback(member: MemberMetadata, result: SyncGroupResult): boolean {
    const cb = member.awaitingSyncCallback;
    if (cb === null) return false;
    member.awaitingSyncCallback = null;
    cb(result);
    return true;
  }

  /** Next generation: CompletingRebalance with a protocol, or Empty without members. */
  initNextGeneration(): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance');
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty');
    }
    this.offsets.onNewGeneration();
    this.clearPendingSyncMembers();
  }

  /** Members and their metadata for the leader's JoinGroup answer. */
  currentMemberMetadata(): JoinGroupResponseMember[] {
    if (this.is('Dead') || this.is('PreparingRebalance') || this.protocolName === null) {
      throw new Error(
        `programmer error: no member metadata for group ${this.groupId} in state ${this.state}`,
      );
    }
    const protocol = this.protocolName;
    return this.allMemberMetadata.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  summary(): GroupSummary {
    if (this.is('Stable')) {
      const protocol = this.protocolName;
      if (protocol === null)
        throw new Error(`programmer error: stable group ${this.groupId} has no protocol`);
      return {
        state: this.state,
        protocolType: this.protocolType ?? '',
        protocol,
        members: this.allMemberMetadata.map((m) => m.summary(protocol)),
      };
    }
    return {
      state: this.state,
      protocolType: this.protocolType ?? '',
      protocol: '',
      members: this.allMemberMetadata.map((m) => m.summaryNoMetadata()),
    };
  }

  overview(): GroupOverview {
    return { groupId: this.groupId, protocolType: this.protocolType ?? '', state: this.state };
  }

  // ---- offsets ----------------------------------------------------------------------------------

  get hasOffsets(): boolean {
    return this.offsets.hasOffsets;
  }

  /**
   * Removes and returns the offsets past retention (Kafka's removeExpiredOffsets):
   * - a group with a protocol type that is Empty: offsets expire `retentionMs` after the group
   *   became Empty (after their commit when that time is unknown, from old records);
   * - a Stable consumer group that knows its subscription: offsets of topics it no longer
   *   subscribes to expire `retentionMs` after their commit;
   * - a group without protocol type (standalone commits): each offset `retentionMs` after its commit.
   * An offset with an expire timestamp of its own expires then instead; pending commits never expire.
   */
  removeExpiredOffsets(nowMs: number, retentionMs: number): OffsetsByPartition {
    const since = (
      base: (c: CommitRecordMetadataAndOffset) => number,
      subscribed: ReadonlySet<string> = new Set(),
    ) => this.offsets.expired(nowMs, retentionMs, base, subscribed);
    let tps: TopicPartition[] = [];
    if (this.protocolType !== null && this.is('Empty')) {
      tps = since((c) => this.currentStateTimestamp ?? c.offsetAndMetadata.commitTimestamp);
    } else if (this.isConsumerGroup && this.subscribedTopics !== null && this.is('Stable')) {
      tps = since((c) => c.offsetAndMetadata.commitTimestamp, this.subscribedTopics);
    } else if (this.protocolType === null) {
      tps = since((c) => c.offsetAndMetadata.commitTimestamp);
    }
    return this.offsets.removeOffsets(tps);
  }

  toString(): string {
    return `GroupMetadata(groupId=${this.groupId}, generation=${this.generationId}, protocolType=${this.protocolType}, currentState=${this.state}, members=${this.members.size})`;
  }
}
