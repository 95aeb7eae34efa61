import { topicPartitionKey, type Logger, type Time } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import {
  CachedPartition,
  FINAL_EPOCH,
  INVALID_SESSION_ID,
  isFullFetch,
  nextEpoch,
  type FetchMetadata,
  type FetchRequestPartition,
  type FetchSession,
  type FetchSessionCache,
  type PartitionResponseSummary,
} from './FetchSession';

/** A partition's answer, as the fetch handler built it, with what sessions look at. */
export interface FetchResponsePartition {
  readonly topic: string;
  readonly partition: number;
  readonly summary: PartitionResponseSummary;
}

/** What a FetchContext answers: the top-level error, the session id and the partitions to send. */
export interface FetchContextResponse<T extends FetchResponsePartition> {
  readonly errorCode: number;
  readonly sessionId: number;
  readonly partitions: T[];
}

/**
 * How one fetch request is served with respect to sessions (Kafka's FetchContext): which
 * partitions to read (`partitions`), and which of the answers to send (`updateAndGenerateResponse`).
 */
export interface FetchContext {
  readonly kind: 'error' | 'sessionless' | 'full' | 'incremental';
  /** An incremental fetch's session (its parked fetch watches `session.watchKey`). */
  readonly session?: FetchSession;
  /**
   * The partitions to read, with their fetch parameters. An incremental fetch: the session's
   * unsettled partitions at the time of the call (a parked fetch asks again on each attempt).
   */
  partitions(): readonly FetchRequestPartition[];
  updateAndGenerateResponse<T extends FetchResponsePartition>(updates: T[]): FetchContextResponse<T>;
}

/** FETCH_SESSION_ID_NOT_FOUND or INVALID_FETCH_SESSION_EPOCH: no partitions, session id 0. */
class SessionErrorContext implements FetchContext {
  readonly kind = 'error';
  constructor(readonly errorCode: number) {}
  partitions(): readonly FetchRequestPartition[] {
    return [];
  }
  updateAndGenerateResponse<T extends FetchResponsePartition>(): FetchContextResponse<T> {
    return { errorCode: this.errorCode, sessionId: INVALID_SESSION_ID, partitions: [] };
  }
}

/** Before v7, epoch -1, or a session that became empty: every partition asked, every one answered. */
class SessionlessFetchContext implements FetchContext {
  readonly kind = 'sessionless';
  constructor(private readonly fetchData: readonly FetchRequestPartition[]) {}
  partitions(): readonly FetchRequestPartition[] {
    return this.fetchData;
  }
  updateAndGenerateResponse<T extends FetchResponsePartition>(updates: T[]): FetchContextResponse<T> {
    return { errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, partitions: updates };
  }
}

/** Epoch 0: every partition answered, and a session created of them if the cache has room. */
class FullFetchContext implements FetchContext {
  readonly kind = 'full';
  constructor(
    private readonly time: Time,
    private readonly cache: FetchSessionCache,
    private readonly fetchData: readonly FetchRequestPartition[],
    private readonly isFromFollower: boolean,
  ) {}
  partitions(): readonly FetchRequestPartition[] {
    return this.fetchData;
  }
  updateAndGenerateResponse<T extends FetchResponsePartition>(updates: T[]): FetchContextResponse<T> {
    const requested = new Map(this.fetchData.map((p) => [topicPartitionKey(p), p]));
    const sessionId = this.cache.maybeCreateSession(this.time.milliseconds(), this.isFromFollower, updates.length, () =>
      updates.flatMap((u) => {
        const req = requested.get(topicPartitionKey(u));
        if (!req) return [];
        const cached = new CachedPartition(u.topic, u.partition, req);
        cached.highWatermark = u.summary.highWatermark;
        cached.localLogStartOffset = u.summary.logStartOffset;
        return [cached];
      }),
    );
    return { errorCode: ErrorCode.NONE, sessionId, partitions: updates };
  }
}

/**
 * An incremental fetch of a known session at the expected epoch: the session's unsettled partitions
 * are read (FetchSession); only those with something new are answered. A partition answered with
 * records moves to the end of the session and of the unsettled ones, so that when the response is
 * full the others get their turn next time. A partition read at its end with no change since that
 * read is settled.
 */
class IncrementalFetchContext implements FetchContext {
  readonly kind = 'incremental';
  /** The change count of each partition at its latest read by this fetch. */
  private readonly readAt = new Map<string, number>();
  constructor(readonly session: FetchSession) {}
  partitions(): readonly FetchRequestPartition[] {
    const out: CachedPartition[] = [];
    for (const [k, changes] of this.session.unsettled) {
      const cached = this.session.partitionMap.get(k);
      if (!cached) continue;
      this.readAt.set(k, changes);
      out.push(cached);
    }
    return out;
  }
  updateAndGenerateResponse<T extends FetchResponsePartition>(updates: T[]): FetchContextResponse<T> {
    const out: T[] = [];
    const { partitionMap, unsettled } = this.session;
    for (const u of updates) {
      const k = topicPartitionKey(u);
      const cached = partitionMap.get(k);
      if (!cached) continue;
      if (cached.maybeUpdateResponseData(u.summary, true)) out.push(u);
      if (u.summary.recordsSize > 0) {
        partitionMap.delete(k);
        partitionMap.set(k, cached);
        const changes = unsettled.get(k) ?? 0;
        unsettled.delete(k);
        unsettled.set(k, changes);
      } else if (u.summary.atEnd && u.summary.errorCode === ErrorCode.NONE && unsettled.get(k) === this.readAt.get(k)) {
        unsettled.delete(k);
      }
    }
    return { errorCode: ErrorCode.NONE, sessionId: this.session.id, partitions: out };
  }
}

/**
 * Picks the FetchContext of a fetch request (Kafka's FetchManager.newContext):
 * - a full fetch (epoch 0 or -1) closes the session it names; epoch -1 is sessionless, epoch 0
 *   may create a new session;
 * - an incremental fetch of an unknown session answers FETCH_SESSION_ID_NOT_FOUND, of a known one
 *   at another epoch INVALID_FETCH_SESSION_EPOCH; otherwise the session takes the request's
 *   partitions and forgotten partitions, moves to the next epoch, and the fetch is incremental
 *   (sessionless if the session is left empty, which closes it).
 */
export class FetchManager {
  constructor(
    private readonly o: { readonly time: Time; readonly cache: FetchSessionCache; readonly logger?: Logger },
  ) {}

  get cache(): FetchSessionCache {
    return this.o.cache;
  }

  newContext(
    metadata: FetchMetadata,
    fetchData: readonly FetchRequestPartition[],
    toForget: readonly { readonly topic: string; readonly partition: number }[],
    isFromFollower: boolean,
  ): FetchContext {
    const cache = this.o.cache;
    if (isFullFetch(metadata)) {
      if (metadata.sessionId !== INVALID_SESSION_ID && cache.remove(metadata.sessionId)) {
        this.o.logger?.debug(`Full fetch closed session ${metadata.sessionId}`);
      }
      if (metadata.epoch === FINAL_EPOCH) return new SessionlessFetchContext(fetchData);
      return new FullFetchContext(this.o.time, cache, fetchData, isFromFollower);
    }
    const session = cache.get(metadata.sessionId);
    if (!session) return new SessionErrorContext(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    if (session.epoch !== metadata.epoch) return new SessionErrorContext(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    cache.update(session, fetchData, toForget);
    if (session.size === 0) {
      cache.remove(session.id);
      return new SessionlessFetchContext(fetchData);
    }
    cache.touch(session, this.o.time.milliseconds());
    session.epoch = nextEpoch(session.epoch);
    return new IncrementalFetchContext(session);
  }
}
