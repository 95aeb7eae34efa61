import { systemClock, type Clock } from './Clock';

/** What the dashboard's timeline shows (the metrics contract's event types). */
export type JournalEventType =
  | 'ControllerElected'
  | 'ControllerResigned'
  | 'BrokerJoined'
  | 'BrokerLost'
  | 'LeaderElected'
  | 'TopicCreated'
  | 'TopicDeletionStarted'
  | 'TopicDeleted'
  | 'IsrShrunk'
  | 'IsrExpanded';

/** Why a leader was elected (LeaderElected's `reason`). */
export type LeaderElectionReason = 'offline' | 'preferred' | 'controlled-shutdown' | 'reassignment' | 'new-partition';

/** What the recorder says; the journal adds seq, timeMs and brokerId. */
export interface JournalEventInput {
  readonly type: JournalEventType;
  readonly controllerEpoch?: number;
  readonly topic?: string;
  readonly partition?: number;
  readonly reason?: string;
  /** BrokerJoined / BrokerLost: the broker that joined or was lost. */
  readonly subjectBrokerId?: number;
  /** LeaderElected: the new leader (-1 for none) and its leader epoch. */
  readonly leader?: number;
  readonly leaderEpoch?: number;
  /** IsrShrunk / IsrExpanded (and LeaderElected's new ISR in `newIsr`). */
  readonly oldIsr?: readonly number[];
  readonly newIsr?: readonly number[];
  /** In words, for people. */
  readonly detail: string;
}

export interface JournalEvent extends JournalEventInput {
  readonly seq: number;
  readonly timeMs: number;
  /** The broker that recorded it. */
  readonly brokerId: number;
}

export interface JournalPage {
  readonly brokerId: number;
  /** Pass as `since` to get what follows the returned events. */
  readonly nextSeq: number;
  readonly events: readonly JournalEvent[];
}

export const DEFAULT_JOURNAL_CAPACITY = 5000;

/**
 * A broker's recent cluster events: a ring buffer of the last `capacity` events, numbered from 1.
 * Readers poll with the `nextSeq` of their last page; events that fell out of the ring are skipped.
 * Sequence numbers restart with the broker process: a `since` beyond the next number (a reader
 * that saw an earlier incarnation) reads from the oldest event kept.
 */
export class EventJournal {
  private readonly ring: (JournalEvent | undefined)[];
  private nextSeqValue = 1;

  constructor(
    readonly brokerId: number,
    readonly capacity = DEFAULT_JOURNAL_CAPACITY,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`programmer error: journal capacity ${capacity}`);
    this.ring = new Array(capacity);
  }

  record(input: JournalEventInput): JournalEvent {
    const event: JournalEvent = { seq: this.nextSeqValue++, timeMs: this.clock(), brokerId: this.brokerId, ...input };
    this.ring[(event.seq - 1) % this.capacity] = event;
    return event;
  }

  /** The sequence number the next event will get. */
  get nextSeq(): number {
    return this.nextSeqValue;
  }

  /** The oldest sequence number still kept (= nextSeq when empty). */
  get oldestSeq(): number {
    return Math.max(1, this.nextSeqValue - this.capacity);
  }

  /** Events with seq ≥ `since`, oldest first, at most `limit`. */
  read(since = 0, limit = this.capacity): JournalPage {
    let from = Number.isFinite(since) ? Math.max(Math.floor(since), this.oldestSeq) : this.oldestSeq;
    if (from > this.nextSeqValue) from = this.oldestSeq;
    const to = Math.min(this.nextSeqValue, from + Math.max(0, Math.floor(limit)));
    const events: JournalEvent[] = [];
    for (let seq = from; seq < to; seq++) events.push(this.ring[(seq - 1) % this.capacity]!);
    return { brokerId: this.brokerId, nextSeq: to, events };
  }
}
