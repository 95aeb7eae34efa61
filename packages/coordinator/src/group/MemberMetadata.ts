import type { JoinGroupResult, MemberSummary, SyncGroupResult } from './GroupResults';
import type { Cancellable } from './CoordinatorTimer';

/** One protocol a member supports (e.g. the consumer assignor "range") and its metadata for it. */
export interface Protocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export type JoinCallback = (result: JoinGroupResult) => void;
export type SyncCallback = (result: SyncGroupResult) => void;

/**
 * One member of a group (Kafka's MemberMetadata): who it is, its timeouts, the protocols it supports
 * in preference order, its assignment, and the JoinGroup or SyncGroup it has parked at the
 * coordinator. Only GroupMetadata and GroupCoordinator change it.
 */
export class MemberMetadata {
  assignment: Buffer = Buffer.alloc(0);
  awaitingJoinCallback: JoinCallback | null = null;
  awaitingSyncCallback: SyncCallback | null = null;
  isLeaving = false;
  /** Joined in the current rebalance and has not received a JoinGroup answer yet. */
  isNew = false;
  /**
   * Set when something shows the member alive (heartbeat, commit, sync) and cleared when the next
   * expiration is scheduled (Kafka's DelayedHeartbeat completion flag).
   */
  heartbeatSatisfied = false;
  /** The member's one session timer (owned by the GroupCoordinator). */
  heartbeatTimer: Cancellable | null = null;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    readonly rebalanceTimeoutMs: number,
    readonly sessionTimeoutMs: number,
    readonly protocolType: string,
    public supportedProtocols: readonly Protocol[],
  ) {}

  get isStaticMember(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoinCallback !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSyncCallback !== null;
  }

  /**
   * Parks a JoinGroup (or SyncGroup, below) for this member. One already parked is answered with the
   * same result, never dropped. Kafka reads a connection's next request only after answering the
   * previous one, so a client pipelining two JoinGroups or SyncGroups for one member (kafkajs does
   * when each of its fetchers finds the topic's partitions changed) gets the second answered after
   * the first, with the same generation and assignment. Samsa dispatches a connection's requests as
   * they arrive and writes the answers in request order: a dropped callback would leave its slot
   * unanswered and every later answer on that connection (heartbeats included) stuck behind it, until
   * the session timed out.
   */
  parkJoin(callback: JoinCallback): void {
    const earlier = this.awaitingJoinCallback;
    this.awaitingJoinCallback =
      earlier === null
        ? callback
        : (result) => {
            earlier(result);
            callback(result);
          };
  }

  parkSync(callback: SyncCallback): void {
    const earlier = this.awaitingSyncCallback;
    this.awaitingSyncCallback =
      earlier === null
        ? callback
        : (result) => {
            earlier(result);
            callback(result);
          };
  }

  /** The metadata this member sent for `protocol`. */
  metadata(protocol: string): Buffer {
    const p = this.supportedProtocols.find((x) => x.name === protocol);
    if (!p)
      throw new Error(`programmer error: member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /**
   * Alive as far as the session timer is concerned: a new member only by a heartbeat; a member with a
   * JoinGroup or SyncGroup parked here is alive by definition; otherwise only by a heartbeat.
   */
  get hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return this.heartbeatSatisfied;
    if (this.isAwaitingJoin || this.isAwaitingSync) return true;
    return this.heartbeatSatisfied;
  }

  /** Same protocols with the same metadata, in the same order. */
  matches(protocols: readonly Protocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every(
      (p, i) =>
        p.name === this.supportedProtocols[i].name && p.metadata.equals(this.supportedProtocols[i].metadata),
    );
  }

  /** The first protocol, in this member's preference order, that is among `candidates`. */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.supportedProtocols.find((x) => candidates.has(x.name));
    if (!p)
      throw new Error(`programmer error: member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }

  summary(protocol: string): MemberSummary {
    return { ...this.identity(), metadata: this.metadata(protocol), assignment: this.assignment };
  }

  summaryNoMetadata(): MemberSummary {
    return { ...this.identity(), metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) };
  }

  private identity() {
    return {
      memberId: this.memberId,
      groupInstanceId: this.groupInstanceId,
      clientId: this.clientId,
      clientHost: this.clientHost,
    };
  }

  toString(): string {
    return (
      `MemberMetadata(memberId=${this.memberId}, groupInstanceId=${this.groupInstanceId}, clientId=${this.clientId}, ` +
      `clientHost=${this.clientHost}, sessionTimeoutMs=${this.sessionTimeoutMs}, rebalanceTimeoutMs=${this.rebalanceTimeoutMs}, ` +
      `supportedProtocols=[${this.supportedProtocols.map((p) => p.name).join(',')}])`
    );
  }
}
