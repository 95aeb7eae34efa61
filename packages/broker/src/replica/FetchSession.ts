import { topicPartitionKey, type Time } from '@samsa/common';
import type { SessionFetchTime } from './Partition';

/**
 * Fetch sessions (KIP-227), Kafka 2.8's FetchSession.scala: a fetcher that keeps asking for the
 * same partitions registers them once (a full fetch), and from then on sends only the partitions
 * whose fetch parameters changed (incremental fetches), while the broker answers only the
 * partitions with something new (records, a moved high watermark or log start offset, an error).
 * With thousands of idle partitions this is what keeps replication from encoding, sending and
 * decoding every partition twice a second.
 */

/** The session id of "no session" (a full fetch asking for one, or a response that created none). */
export const INVALID_SESSION_ID = 0;
/** The epoch of a full fetch that creates a session (closing the one it names, if any). */
export const INITIAL_EPOCH = 0;
/** The epoch of a full fetch that wants no session (and of every fetch before v7). */
export const FINAL_EPOCH = -1;

/** How long a session is safe from eviction by size, and how long unused before it is stale (Kafka's fixed 120 s). */
export const MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS = 120_000;

/** The (session id, epoch) of a fetch request: Kafka's FetchMetadata. */
export interface FetchMetadata {
  readonly sessionId: number;
  readonly epoch: number;
}

/** A full fetch: no session to use (it may create one, epoch 0, or not, epoch -1). */
export function isFullFetch(m: FetchMetadata): boolean {
  return m.epoch === INITIAL_EPOCH || m.epoch === FINAL_EPOCH;
}

/** The epoch after `epoch`: wraps to 1 past int32 max (0 and -1 are reserved), -1 stays. */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  if (epoch === 0x7fffffff) return 1;
  return epoch + 1;
}

/** What a fetch asks of one partition (Kafka's FetchRequest.PartitionData). */
export interface PartitionFetchData {
  readonly fetchOffset: number;
  readonly logStartOffset: number;
  readonly maxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly lastFetchedEpoch: number;
}

export interface FetchRequestPartition extends PartitionFetchData {
  readonly topic: string;
  readonly partition: number;
}

/** What decides whether an incremental response carries a partition. */
export interface PartitionResponseSummary {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly preferredReadReplica: number;
  /** Bytes of records the partition carries. */
  readonly recordsSize: number;
  /** Nothing more to read at this fetch offset until the partition changes (FetchPartitionResult.atEnd). */
  readonly atEnd?: boolean;
}

/**
 * One partition of a session: the fetcher's last request parameters, and the high watermark and
 * log start offset last sent back for it (Kafka's CachedPartition).
 */
export class CachedPartition implements FetchRequestPartition {
  fetchOffset: number;
  logStartOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  highWatermark = -1;
  localLogStartOffset = -1;

  constructor(
    readonly topic: string,
    readonly partition: number,
    req: PartitionFetchData,
  ) {
    this.fetchOffset = req.fetchOffset;
    this.logStartOffset = req.logStartOffset;
    this.maxBytes = req.maxBytes;
    this.currentLeaderEpoch = req.currentLeaderEpoch;
    this.lastFetchedEpoch = req.lastFetchedEpoch;
  }

  updateRequestParams(req: PartitionFetchData): void {
    this.fetchOffset = req.fetchOffset;
    this.logStartOffset = req.logStartOffset;
    this.maxBytes = req.maxBytes;
    this.currentLeaderEpoch = req.currentLeaderEpoch;
    this.lastFetchedEpoch = req.lastFetchedEpoch;
  }

  /**
   * Whether an incremental response must carry this partition (Kafka's maybeUpdateResponseData):
   * records, a high watermark or log start offset other than the last sent, a preferred read
   * replica, or an error (which also forgets the high watermark, so the partition is sent again
   * once the error is gone). `update` records what is sent.
   */
  maybeUpdateResponseData(resp: PartitionResponseSummary, update: boolean): boolean {
    let mustRespond = resp.recordsSize > 0;
    if (this.highWatermark !== resp.highWatermark) {
      mustRespond = true;
      if (update) this.highWatermark = resp.highWatermark;
    }
    if (this.localLogStartOffset !== resp.logStartOffset) {
      mustRespond = true;
      if (update) this.localLogStartOffset = resp.logStartOffset;
    }
    if (resp.preferredReadReplica >= 0) mustRespond = true;
    if (resp.errorCode !== 0) {
      if (update) this.highWatermark = -1;
      mustRespond = true;
    }
    return mustRespond;
  }
}

/**
 * A fetch session: its partitions in order (a Map keeps insertion order; re-adding moves to the end).
 *
 * Which of them an incremental fetch reads: Kafka reads every partition of the session on every
 * fetch; here only the unsettled ones are. A partition is unsettled from the moment it joins the
 * session, is named by a fetch, or changes on this broker (an append, a high watermark or log start
 * move, a leadership or ISR change: FetchSessionCache.partitionsChanged), until a read of it finds
 * nothing to send and nothing more to read at that offset (PartitionResponseSummary.atEnd) with no
 * change in between. An idle session's fetch then reads nothing, at the cost of one map lookup per
 * change on the broker.
 */
export class FetchSession {
  readonly partitionMap = new Map<string, CachedPartition>();
  /** The unsettled partitions, in the order to read them, each with a count of its changes. */
  readonly unsettled = new Map<string, number>();
  /** A follower's session: when it last fetched (the partitions it skipped were fetched then too). */
  readonly fetchTime: SessionFetchTime = { lastFetchMs: 0 };
  lastUsedMs: number;
  /** Sessions older than the eviction time at their last use may be evicted for a more valuable one. */
  evictable = false;
  /** The size the cache last counted (-1: not in the cache). */
  cachedSize = -1;

  constructor(
    readonly id: number,
    /** Created by a follower: only a follower's session may evict it. */
    readonly privileged: boolean,
    partitions: readonly CachedPartition[],
    readonly creationMs: number,
    public epoch: number,
  ) {
    this.lastUsedMs = creationMs;
    for (const p of partitions) {
      const k = topicPartitionKey(p);
      this.partitionMap.set(k, p);
      this.unsettled.set(k, 0);
    }
  }

  /** The fetch purgatory key a parked fetch of this session watches. */
  get watchKey(): string {
    return `fetch-session:${this.id}`;
  }

  /** `key` changed (or was named): it is read again by the next fetch, or the one waiting. */
  markUnsettled(key: string): void {
    this.unsettled.set(key, (this.unsettled.get(key) ?? 0) + 1);
  }

  get size(): number {
    return this.partitionMap.size;
  }

  /**
   * An incremental request's partitions: new ones are added, known ones take the new request
   * parameters, forgotten ones are removed (Kafka's FetchSession.update).
   */
  update(
    fetchData: readonly FetchRequestPartition[],
    toForget: readonly { readonly topic: string; readonly partition: number }[],
  ): { added: string[]; updated: number; removed: string[] } {
    const added: string[] = [];
    let updated = 0;
    const removed: string[] = [];
    for (const p of fetchData) {
      const k = topicPartitionKey(p);
      const cached = this.partitionMap.get(k);
      if (cached) {
        cached.updateRequestParams(p);
        updated++;
      } else {
        this.partitionMap.set(k, new CachedPartition(p.topic, p.partition, p));
        added.push(k);
      }
      this.markUnsettled(k);
    }
    for (const tp of toForget) {
      const k = topicPartitionKey(tp);
      if (!this.partitionMap.delete(k)) continue;
      this.unsettled.delete(k);
      removed.push(k);
    }
    return { added, updated, removed };
  }
}

/** Kafka's EvictableKey order: unprivileged before privileged, then smaller before larger, then id. */
function compareEvictable(a: { privileged: boolean; size: number; id: number }, b: { privileged: boolean; size: number; id: number }): number {
  if (a.privileged !== b.privileged) return a.privileged ? 1 : -1;
  if (a.size !== b.size) return a.size - b.size;
  return a.id - b.id;
}

/**
 * The broker's fetch sessions (Kafka's FetchSessionCache): at most `maxEntries` sessions
 * (max.incremental.fetch.session.cache.slots; 0 turns sessions off). When full, a new session
 * takes the slot of one unused for `evictionMs`, else of the least valuable session that has
 * existed for `evictionMs`, if that is less valuable than the new one: a follower's (privileged)
 * session may evict only consumers' sessions, a consumer's session only smaller consumers' ones.
 */
export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  /** The sessions holding each partition (who to tell of its changes). */
  private readonly byPartition = new Map<string, Set<FetchSession>>();
  private partitionsCached = 0;
  private evictions = 0;
  /** Told of each eviction (the IncrementalFetchSessionEvictionsPerSec meter). */
  onEviction: () => void = () => undefined;

  constructor(
    private readonly o: {
      readonly maxEntries: number;
      /** Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS, 120 s. */
      readonly evictionMs: number;
      readonly time: Time;
      /** Session ids (int32, never 0); random by default as Kafka's. */
      readonly nextId?: () => number;
    },
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Partitions in all sessions (the NumIncrementalFetchPartitionsCached gauge). */
  get totalPartitions(): number {
    return this.partitionsCached;
  }

  /** Sessions evicted so far (IncrementalFetchSessionEvictionsPerSec counts these). */
  get evictionCount(): number {
    return this.evictions;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * A new session with `partitions`, if there is room or a session can be evicted for it; its id,
   * or INVALID_SESSION_ID (the fetcher keeps doing full fetches).
   */
  maybeCreateSession(now: number, privileged: boolean, size: number, partitions: () => CachedPartition[]): number {
    if (this.sessions.size >= this.o.maxEntries && !this.tryEvict(privileged, size, now)) return INVALID_SESSION_ID;
    const id = this.newSessionId();
    const session = new FetchSession(id, privileged, partitions(), now, nextEpoch(INITIAL_EPOCH));
    this.sessions.set(id, session);
    this.index(session, session.partitionMap.keys());
    this.touch(session, now);
    return id;
  }

  /** An incremental fetch's partitions and forgotten partitions (FetchSession.update), indexed. */
  update(
    session: FetchSession,
    fetchData: readonly FetchRequestPartition[],
    toForget: readonly { readonly topic: string; readonly partition: number }[],
  ): { added: string[]; updated: number; removed: string[] } {
    const changes = session.update(fetchData, toForget);
    if (this.sessions.get(session.id) === session) {
      this.index(session, changes.added);
      this.unindex(session, changes.removed);
    }
    return changes;
  }

  /**
   * Partitions changed on this broker: each session holding one reads it again. Returns the watch
   * keys of those sessions (their parked fetches look again).
   */
  partitionsChanged(keys: readonly string[]): string[] {
    let woken: Set<string> | undefined;
    for (const k of keys) {
      const holders = this.byPartition.get(k);
      if (!holders) continue;
      for (const s of holders) {
        s.markUnsettled(k);
        (woken ??= new Set()).add(s.watchKey);
      }
    }
    return woken ? [...woken] : [];
  }

  private index(session: FetchSession, keys: Iterable<string>): void {
    for (const k of keys) {
      let holders = this.byPartition.get(k);
      if (!holders) this.byPartition.set(k, (holders = new Set()));
      holders.add(session);
    }
  }

  private unindex(session: FetchSession, keys: Iterable<string>): void {
    for (const k of keys) {
      const holders = this.byPartition.get(k);
      if (!holders) continue;
      holders.delete(session);
      if (holders.size === 0) this.byPartition.delete(k);
    }
  }

  /** Marks `session` used at `now`, and recounts its size (Kafka's touch). */
  touch(session: FetchSession, now: number): void {
    session.lastUsedMs = now;
    if (session.cachedSize >= 0) this.partitionsCached -= session.cachedSize;
    session.cachedSize = session.size;
    this.partitionsCached += session.cachedSize;
    session.evictable = session.creationMs + this.o.evictionMs < now;
  }

  remove(id: number): FetchSession | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    this.sessions.delete(id);
    this.unindex(s, s.partitionMap.keys());
    if (s.cachedSize >= 0) this.partitionsCached -= s.cachedSize;
    s.cachedSize = -1;
    return s;
  }

  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    let lastUsed: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (!lastUsed || s.lastUsedMs < lastUsed.lastUsedMs || (s.lastUsedMs === lastUsed.lastUsedMs && s.id < lastUsed.id)) lastUsed = s;
    }
    if (!lastUsed) return false;
    if (now - lastUsed.lastUsedMs > this.o.evictionMs) {
      this.remove(lastUsed.id);
      this.evictions++;
      this.onEviction();
      return true;
    }
    let candidate: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (!s.evictable || (privileged && s.privileged)) continue;
      if (!candidate || compareEvictable(keyOf(s), keyOf(candidate)) < 0) candidate = s;
    }
    if (!candidate) return false;
    if (compareEvictable({ privileged, size, id: INVALID_SESSION_ID }, keyOf(candidate)) < 0) return false;
    this.remove(candidate.id);
    this.evictions++;
    this.onEviction();
    return true;
  }

  private newSessionId(): number {
    for (;;) {
      const id = this.o.nextId ? this.o.nextId() : (Math.random() * 0x100000000) | 0;
      if (id !== INVALID_SESSION_ID && !this.sessions.has(id)) return id;
    }
  }
}

function keyOf(s: FetchSession): { privileged: boolean; size: number; id: number } {
  return { privileged: s.privileged, size: s.cachedSize, id: s.id };
}
