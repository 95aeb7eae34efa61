import type { TimelineEvent } from './viewModel';

/** One event as GET /samsa/events returns it (the metrics contract); other fields are kept as text. */
export interface RawBrokerEvent {
  readonly seq: number;
  readonly timeMs: number;
  readonly brokerId: number;
  readonly type: string;
  readonly controllerEpoch?: number;
  readonly topic?: string;
  readonly partition?: number;
  readonly reason?: string;
  readonly detail?: string;
  readonly [field: string]: unknown;
}

/** The body of GET /samsa/events?since=<seq>. */
export interface BrokerEventsPage {
  readonly brokerId: number;
  readonly nextSeq: number;
  readonly events: readonly RawBrokerEvent[];
}

interface Cursor {
  /** The broker process the cursor belongs to (its status startTimeMs). */
  readonly incarnation: number;
  nextSeq: number;
}

/**
 * The controller event timeline: every broker's /samsa/events merged, deduplicated by broker, broker
 * process and seq, newest first, bounded. It also keeps, per broker, the `since` to ask for next.
 *
 * A broker's sequence numbers start again when its process restarts (the ring buffer lives in
 * memory). The broker's start time tells the processes apart: a new one resets the cursor to 0 and
 * keys its events apart from the old process's, so neither set hides the other.
 */
export class EventLog {
  private readonly byKey = new Map<string, TimelineEvent>();
  private readonly cursors = new Map<number, Cursor>();
  private sorted: TimelineEvent[] | null = [];

  constructor(private readonly capacity = 5000) {}

  /** The `since` to send broker `brokerId` (whose process started at `incarnation`). */
  since(brokerId: number, incarnation: number): number {
    const cursor = this.cursors.get(brokerId);
    return cursor === undefined || cursor.incarnation !== incarnation ? 0 : cursor.nextSeq;
  }

  /**
   * Takes one page fetched with `since(brokerId, incarnation)`. A page whose nextSeq is below what
   * was asked means the process restarted between the status and the events request: the cursor
   * goes back to 0 and the page is dropped (the next poll re-reads it under the right incarnation).
   */
  add(brokerId: number, incarnation: number, askedSince: number, page: BrokerEventsPage): void {
    if (page.nextSeq < askedSince) {
      this.cursors.set(brokerId, { incarnation: Number.NaN, nextSeq: 0 });
      return;
    }
    this.cursors.set(brokerId, { incarnation, nextSeq: page.nextSeq });
    for (const raw of page.events) {
      const event = toTimelineEvent(brokerId, incarnation, raw);
      if (event === null || this.byKey.has(event.key)) continue;
      this.byKey.set(event.key, event);
      this.sorted = null;
    }
    this.trim();
  }

  /** The newest `limit` events, newest first. */
  newest(limit = Number.POSITIVE_INFINITY): TimelineEvent[] {
    return this.ordered().slice(0, limit);
  }

  get size(): number {
    return this.byKey.size;
  }

  private ordered(): TimelineEvent[] {
    this.sorted ??= [...this.byKey.values()].sort(newestFirst);
    return this.sorted;
  }

  private trim(): void {
    if (this.byKey.size <= this.capacity) return;
    const keep = this.ordered().slice(0, this.capacity);
    this.byKey.clear();
    for (const e of keep) this.byKey.set(e.key, e);
    this.sorted = keep;
  }
}

function newestFirst(a: TimelineEvent, b: TimelineEvent): number {
  return b.timeMs - a.timeMs || a.brokerId - b.brokerId || b.seq - a.seq;
}

const optional = <T>(v: T | undefined | null): T | null => (v === undefined ? null : v);

/** Null for an entry too malformed to show (no seq, time or type). */
function toTimelineEvent(brokerId: number, incarnation: number, raw: RawBrokerEvent): TimelineEvent | null {
  if (!Number.isFinite(raw?.seq) || !Number.isFinite(raw.timeMs) || typeof raw.type !== 'string') return null;
  return {
    key: `${brokerId}@${incarnation}#${raw.seq}`,
    seq: raw.seq,
    timeMs: raw.timeMs,
    brokerId: Number.isInteger(raw.brokerId) ? raw.brokerId : brokerId,
    type: raw.type,
    controllerEpoch: optional(raw.controllerEpoch),
    topic: optional(raw.topic),
    partition: optional(raw.partition),
    reason: optional(raw.reason),
    detail: typeof raw.detail === 'string' ? raw.detail : '',
    fields: otherFields(raw),
  };
}

const KNOWN_FIELDS = new Set([
  'seq',
  'timeMs',
  'brokerId',
  'type',
  'controllerEpoch',
  'topic',
  'partition',
  'reason',
  'detail',
]);

/** Fields beyond the common ones, e.g. leader and leaderEpoch of LeaderElected, the ISRs of IsrShrunk. */
function otherFields(raw: RawBrokerEvent): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(raw)) {
    if (KNOWN_FIELDS.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      fields.push([key, String(value)]);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'number' || typeof v === 'string'))
      fields.push([key, `[${value.join(',')}]`]);
  }
  return fields;
}
