import type { TopicPartition } from '@samsa/common';
import { AdminClient, AdminApiError } from '@samsa/client';
import { ApiKey, ErrorCode, type JoinGroupResponse, type RequestInputFor, type ResponseFor } from '@samsa/protocol';
import { CONSUMER_PROTOCOL_TYPE, decodeMemberAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './ConsumerProtocol';
import { RANGE_ASSIGNOR_NAME, rangeAssign, type GroupMemberSubscription } from './RangeAssignor';
import { javaException, sleep, type ToolClient } from './ToolClient';

export interface ConsumerCoordinatorOptions {
  readonly client: ToolClient;
  readonly groupId: string;
  /** group.instance.id: a static member (KIP-345); null for a dynamic one. */
  readonly groupInstanceId: string | null;
  /** The topics subscribed to. */
  readonly topics: readonly string[];
  /** session.timeout.ms: the coordinator drops a member that has not heartbeated for this long. */
  readonly sessionTimeoutMs: number;
  /** max.poll.interval.ms: how long the coordinator waits for members to rejoin a rebalance. */
  readonly rebalanceTimeoutMs: number;
  /** heartbeat.interval.ms. */
  readonly heartbeatIntervalMs: number;
  /** retry.backoff.ms: the wait before joining again after a refusal. */
  readonly retryBackoffMs: number;
  /** How long FindCoordinator is retried while the coordinator is not available. */
  readonly requestTimeoutMs: number;
}

/** The member's place in the group, as the last JoinGroup gave it (Kafka's AbstractCoordinator.Generation). */
export interface Generation {
  readonly generationId: number;
  readonly memberId: string;
}

/** Not a member: generation -1 and no member id, what a member starts from and falls back to when fenced. */
export const NO_GENERATION: Generation = { generationId: -1, memberId: '' };

/** Versions: the broker's newest (JoinGroup 5 has group.instance.id; SyncGroup, Heartbeat and LeaveGroup 3 too). */
const JOIN_GROUP_VERSION = 5;
const SYNC_GROUP_VERSION = 3;
const HEARTBEAT_VERSION = 3;
const LEAVE_GROUP_VERSION = 3;

const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

/** What one JoinGroup + SyncGroup round came to: the assignment, or join again (at once or after the backoff). */
type RoundOutcome = { readonly assigned: TopicPartition[] } | 'rejoinNow' | 'rejoinAfterBackoff';

/**
 * The member side of Kafka's group protocol for a consumer that subscribes (Kafka's
 * ConsumerCoordinator over AbstractCoordinator, eager rebalancing, the range assignor):
 *
 * 1. FindCoordinator (through AdminClient, retried while the coordinator is not available).
 * 2. JoinGroup with protocol type "consumer" and one protocol, "range", whose metadata is the
 *    ConsumerProtocol subscription. A first join without a member id is answered
 *    MEMBER_ID_REQUIRED with the id to join with (KIP-394): it joins again at once with it.
 * 3. SyncGroup: the leader (the member the coordinator names) assigns every member's subscribed
 *    topics' partitions with the range assignor and sends the assignments; the others send none.
 *    Each gets its ConsumerProtocol assignment back.
 * 4. Heartbeat every heartbeat.interval.ms while stable. REBALANCE_IN_PROGRESS asks for a rejoin
 *    with the same member id; UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION (the member was dropped or a
 *    generation passed it by) for one with a fresh member id; NOT_COORDINATOR,
 *    COORDINATOR_NOT_AVAILABLE or a lost connection for finding the coordinator again; no
 *    successful heartbeat for session.timeout.ms for a rejoin too (the coordinator has dropped us).
 * 5. LeaveGroup on close (a dynamic member only: a static one keeps its place, as Kafka's does).
 *
 * The owner polls: when `rejoinNeeded` it commits what it has read, forgets its partitions and
 * calls ensureActiveGroup(), which joins until it has an assignment. Refusals that no rejoin can
 * cure (FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED, INVALID_SESSION_TIMEOUT, …) are thrown
 * as Kafka's exceptions, from ensureActiveGroup() or, seen by a heartbeat, from the next call.
 */
export class ConsumerCoordinator {
  private readonly admin: AdminClient;
  private coordinator: number | null = null;
  private current: Generation = NO_GENERATION;
  private rejoin = true;
  private fatal: Error | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** Bumped whenever heartbeats stop, so an answer to an earlier one changes nothing. */
  private heartbeatEpoch = 0;
  private lastHeartbeatOkAtMs = 0;
  private closed = false;
  /** The deadline of the FindCoordinator retries in progress. */
  private lookupDeadlineMs = 0;

  constructor(private readonly options: ConsumerCoordinatorOptions) {
    this.admin = new AdminClient(options.client, () => this.lookupDeadlineMs);
  }

  /** The generation and member id commits carry; NO_GENERATION before the first join. */
  get generation(): Generation {
    return this.current;
  }

  get groupInstanceId(): string | null {
    return this.options.groupInstanceId;
  }

  /** The group needs a (re)join before the next fetch (true until the first join); throws a fatal refusal. */
  get rejoinNeeded(): boolean {
    if (this.fatal !== null) throw this.fatal;
    return this.rejoin;
  }

  /** Asks for a rejoin (an offset commit was refused for the generation), with a fresh member id if `resetMemberId`. */
  requestRejoin({ resetMemberId }: { resetMemberId: boolean }): void {
    if (resetMemberId) this.current = NO_GENERATION;
    this.rejoin = true;
  }

  /**
   * Joins the group (again) until stable, then heartbeats; resolves with this member's partitions,
   * or null once `signal` aborts (Kafka's wakeup(): a JoinGroup the coordinator is holding is
   * left unanswered, and close() then takes the member out of the group).
   */
  async ensureActiveGroup(signal?: AbortSignal): Promise<TopicPartition[] | null> {
    this.stopHeartbeats();
    for (;;) {
      if (this.fatal !== null) throw this.fatal;
      if (this.closed) throw new Error('The consumer is closed');
      if (signal?.aborted) return null;
      const outcome = await untilAborted(this.joinRound(), signal);
      if (outcome === ABORTED) return null;
      if (outcome === 'rejoinNow') continue;
      if (outcome === 'rejoinAfterBackoff') {
        await sleep(this.options.retryBackoffMs);
        continue;
      }
      this.rejoin = false;
      this.startHeartbeats();
      return outcome.assigned;
    }
  }

  /** Stops heartbeating and, for a dynamic member, leaves the group so its partitions move at once. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopHeartbeats();
    const { memberId } = this.current;
    this.current = NO_GENERATION;
    if (memberId === '' || this.options.groupInstanceId !== null || this.coordinator === null) return;
    try {
      await this.options.client.sendToNode(this.coordinator, ApiKey.LeaveGroup, LEAVE_GROUP_VERSION, {
        groupId: this.options.groupId,
        members: [{ memberId, groupInstanceId: null }],
      });
    } catch {
      // the session timeout removes the member instead
    }
  }

  private async joinRound(): Promise<RoundOutcome> {
    const join = await this.toCoordinator(ApiKey.JoinGroup, JOIN_GROUP_VERSION, {
      groupId: this.options.groupId,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
      memberId: this.current.memberId,
      groupInstanceId: this.options.groupInstanceId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocols: [{ name: RANGE_ASSIGNOR_NAME, metadata: encodeSubscription(this.options.topics) }],
    });
    if (join === null) return 'rejoinAfterBackoff';
    switch (join.errorCode) {
      case ErrorCode.NONE:
        break;
      case ErrorCode.MEMBER_ID_REQUIRED:
        this.current = { generationId: -1, memberId: join.memberId };
        return 'rejoinNow';
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        this.current = NO_GENERATION;
        return 'rejoinNow';
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return 'rejoinAfterBackoff';
      default:
        return this.refused(join.errorCode);
    }
    this.current = { generationId: join.generationId, memberId: join.memberId };
    let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
    if (join.leader === join.memberId) {
      try {
        assignments = await this.assign(join);
      } catch {
        // no metadata to assign with: join again, and lead (or follow) the next generation
        return 'rejoinAfterBackoff';
      }
    }
    const sync = await this.toCoordinator(ApiKey.SyncGroup, SYNC_GROUP_VERSION, {
      groupId: this.options.groupId,
      generationId: join.generationId,
      memberId: join.memberId,
      groupInstanceId: this.options.groupInstanceId,
      assignments,
    });
    if (sync === null) return 'rejoinAfterBackoff';
    switch (sync.errorCode) {
      case ErrorCode.NONE:
        this.lastHeartbeatOkAtMs = Date.now();
        return { assigned: decodeMemberAssignment(sync.assignment) };
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return 'rejoinNow';
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        this.current = NO_GENERATION;
        return 'rejoinNow';
      default:
        return this.refused(sync.errorCode);
    }
  }

  /** The leader's part: every member's subscription assigned with the range assignor. */
  private async assign(join: JoinGroupResponse): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    const members: GroupMemberSubscription[] = join.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      topics: decodeSubscription(m.metadata),
    }));
    const topics = [...new Set(members.flatMap((m) => m.topics))];
    const md = await this.options.client.metadata(topics);
    const counts = new Map(md.topics.filter((t) => t.errorCode === ErrorCode.NONE).map((t) => [t.name, t.partitions.length]));
    const assigned = rangeAssign(counts, members);
    return members.map((m) => ({ memberId: m.memberId, assignment: encodeAssignment(assigned.get(m.memberId) ?? []) }));
  }

  /** A coordinator error: find it again and join after the backoff; anything else is fatal. */
  private refused(code: number): RoundOutcome {
    if (COORDINATOR_ERRORS.has(code)) {
      this.coordinator = null;
      return 'rejoinAfterBackoff';
    }
    this.fatal = new Error(javaException(code));
    throw this.fatal;
  }

  /**
   * A request to the coordinator (found first if unknown). Null when it could not be sent or
   * answered: the coordinator is then found again.
   */
  private async toCoordinator<K extends number>(apiKey: K, apiVersion: number, body: RequestInputFor<K>): Promise<ResponseFor<K> | null> {
    try {
      if (this.coordinator === null) {
        this.lookupDeadlineMs = Date.now() + this.options.requestTimeoutMs;
        this.coordinator = (await this.admin.findCoordinator(this.options.groupId)).id;
      }
      return await this.options.client.sendToNode(this.coordinator, apiKey, apiVersion, body);
    } catch (error) {
      if (error instanceof AdminApiError && !COORDINATOR_ERRORS.has(error.code)) {
        this.fatal = new Error(javaException(error.code, error.brokerMessage));
        throw this.fatal;
      }
      this.coordinator = null;
      return null;
    }
  }

  private startHeartbeats(): void {
    const epoch = this.heartbeatEpoch;
    const next = (): void => {
      this.heartbeatTimer = setTimeout(() => {
        void this.heartbeat(epoch).then((again) => {
          if (again && epoch === this.heartbeatEpoch) next();
        });
      }, this.options.heartbeatIntervalMs);
      this.heartbeatTimer.unref();
    };
    next();
  }

  private stopHeartbeats(): void {
    this.heartbeatEpoch += 1;
    if (this.heartbeatTimer !== null) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** One heartbeat; true while heartbeats should go on. */
  private async heartbeat(epoch: number): Promise<boolean> {
    const { generationId, memberId } = this.current;
    const response = await this.toCoordinator(ApiKey.Heartbeat, HEARTBEAT_VERSION, {
      groupId: this.options.groupId,
      generationId,
      memberId,
      groupInstanceId: this.options.groupInstanceId,
    }).catch((error: unknown) => {
      this.fatal ??= error instanceof Error ? error : new Error(String(error));
      return undefined;
    });
    if (epoch !== this.heartbeatEpoch || response === undefined) return false;
    const code = response === null ? ErrorCode.COORDINATOR_NOT_AVAILABLE : response.errorCode;
    switch (code) {
      case ErrorCode.NONE:
        this.lastHeartbeatOkAtMs = Date.now();
        return true;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this.rejoin = true;
        return false;
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        this.current = NO_GENERATION;
        this.rejoin = true;
        return false;
      default:
        if (COORDINATOR_ERRORS.has(code)) {
          this.coordinator = null;
          if (Date.now() - this.lastHeartbeatOkAtMs < this.options.sessionTimeoutMs) return true;
          // past the session timeout the coordinator has dropped this member: join afresh
          this.current = NO_GENERATION;
          this.rejoin = true;
          return false;
        }
        this.fatal = new Error(javaException(code));
        return false;
    }
  }
}

const ABORTED = Symbol('aborted');

/** `promise`'s value, or ABORTED as soon as `signal` aborts (the promise is left to settle unobserved). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (signal === undefined) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
