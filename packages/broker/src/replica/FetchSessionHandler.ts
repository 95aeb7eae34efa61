import { topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { INITIAL_EPOCH, INVALID_SESSION_ID, isFullFetch, nextEpoch, type FetchMetadata, type FetchRequestPartition } from './FetchSession';

const INITIAL: FetchMetadata = { sessionId: INVALID_SESSION_ID, epoch: INITIAL_EPOCH };

/** What one fetch sends: its session metadata, the partitions to name, and those to forget. */
export interface FetchRequestData {
  readonly metadata: FetchMetadata;
  /** A full fetch: every partition; an incremental one: only the added and the altered. */
  readonly toSend: readonly FetchRequestPartition[];
  readonly toForget: readonly TopicPartition[];
  /** Every partition the session holds after this request (what the answers may name). */
  readonly sessionPartitions: ReadonlyMap<string, FetchRequestPartition>;
}

/** The answer to a fetch, as far as the session is concerned. */
export interface FetchResponseData {
  readonly errorCode: number;
  readonly sessionId: number;
  /** The partitions it answered. */
  readonly partitions: readonly TopicPartition[];
}

function sameFetchData(a: FetchRequestPartition, b: FetchRequestPartition): boolean {
  return (
    a.fetchOffset === b.fetchOffset &&
    a.logStartOffset === b.logStartOffset &&
    a.maxBytes === b.maxBytes &&
    a.currentLeaderEpoch === b.currentLeaderEpoch &&
    a.lastFetchedEpoch === b.lastFetchedEpoch
  );
}

/**
 * The fetcher's side of a fetch session (Kafka's clients FetchSessionHandler), one per leader: the
 * first fetch is full (epoch 0) and the leader may answer with a session id; from then on each
 * fetch names only partitions added or whose fetch parameters changed (for an idle follower:
 * none), forgets the ones dropped, and carries the next epoch. Any error, or an answer naming a
 * partition it should not, sends the next fetch full again (closing the session, or starting
 * afresh when the leader no longer knows it).
 */
export class FetchSessionHandler {
  private nextMetadata: FetchMetadata = INITIAL;
  private sessionPartitions = new Map<string, FetchRequestPartition>();

  constructor(
    private readonly node: number,
    private readonly logger?: Logger,
  ) {}

  /** The session id and epoch the next fetch carries. */
  get metadata(): FetchMetadata {
    return this.nextMetadata;
  }

  /**
   * The next fetch for the partitions wanted now (in order), per Kafka's Builder.build. A fetcher
   * that keeps its wanted partitions in a map, replacing an entry only when its fetch parameters
   * change, and says which keys it set or deleted since the last build (`touched`), has an
   * incremental fetch built from those alone: an idle follower's costs nothing per partition.
   */
  build(
    wanted: readonly FetchRequestPartition[] | ReadonlyMap<string, FetchRequestPartition>,
    touched?: Iterable<string>,
  ): FetchRequestData {
    const next: ReadonlyMap<string, FetchRequestPartition> = Array.isArray(wanted)
      ? new Map(wanted.map((p) => [topicPartitionKey(p), p]))
      : (wanted as ReadonlyMap<string, FetchRequestPartition>);
    if (isFullFetch(this.nextMetadata)) {
      this.sessionPartitions = new Map(next);
      return { metadata: this.nextMetadata, toSend: [...next.values()], toForget: [], sessionPartitions: this.sessionPartitions };
    }
    const altered: FetchRequestPartition[] = [];
    const added: FetchRequestPartition[] = [];
    const toForget: TopicPartition[] = [];
    const session = this.sessionPartitions;
    if (touched !== undefined && !Array.isArray(wanted)) {
      for (const k of touched) {
        const now = next.get(k);
        const prev = session.get(k);
        if (!now) {
          if (prev && session.delete(k)) toForget.push({ topic: prev.topic, partition: prev.partition });
        } else if (!prev) {
          session.set(k, now);
          added.push(now);
        } else if (now !== prev) {
          session.set(k, now);
          if (!sameFetchData(prev, now)) altered.push(now);
        }
      }
      return { metadata: this.nextMetadata, toSend: [...altered, ...added], toForget, sessionPartitions: session };
    }
    let kept = 0;
    for (const [k, prev] of session) {
      const now = next.get(k);
      if (!now) {
        session.delete(k);
        toForget.push({ topic: prev.topic, partition: prev.partition });
        continue;
      }
      kept++;
      if (now === prev) continue;
      session.set(k, now);
      if (!sameFetchData(prev, now)) altered.push(now);
    }
    if (kept < next.size) {
      for (const [k, p] of next) {
        if (session.has(k)) continue;
        session.set(k, p);
        added.push(p);
      }
    }
    return { metadata: this.nextMetadata, toSend: [...altered, ...added], toForget, sessionPartitions: session };
  }

  /**
   * Takes the answer to the last built fetch; false when its partitions are not to be processed
   * (an error, or an answer inconsistent with the session).
   */
  handleResponse(response: FetchResponseData): boolean {
    if (response.errorCode !== ErrorCode.NONE) {
      this.logger?.info(
        `Node ${this.node} was unable to process the fetch request with (sessionId=${this.nextMetadata.sessionId}, epoch=${this.nextMetadata.epoch}): error ${response.errorCode}.`,
      );
      this.nextMetadata =
        response.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND ? INITIAL : { sessionId: this.nextMetadata.sessionId, epoch: INITIAL_EPOCH };
      return false;
    }
    const answered = new Set(response.partitions.map(topicPartitionKey));
    const extra = [...answered].filter((k) => !this.sessionPartitions.has(k));
    if (isFullFetch(this.nextMetadata)) {
      const omitted = [...this.sessionPartitions.keys()].filter((k) => !answered.has(k));
      if (extra.length > 0 || omitted.length > 0) {
        this.logger?.info(
          `Node ${this.node} sent an invalid full fetch response with ${extra.length > 0 ? `extra=(${extra.join(', ')})` : ''}${omitted.length > 0 ? ` omitted=(${omitted.join(', ')})` : ''}`,
        );
        this.nextMetadata = INITIAL;
        return false;
      }
      this.nextMetadata = response.sessionId === INVALID_SESSION_ID ? INITIAL : { sessionId: response.sessionId, epoch: nextEpoch(INITIAL_EPOCH) };
      return true;
    }
    if (extra.length > 0) {
      this.logger?.info(`Node ${this.node} sent an invalid incremental fetch response with extra=(${extra.join(', ')})`);
      this.nextMetadata = { sessionId: this.nextMetadata.sessionId, epoch: INITIAL_EPOCH };
      return false;
    }
    this.nextMetadata =
      response.sessionId === INVALID_SESSION_ID ? INITIAL : { sessionId: this.nextMetadata.sessionId, epoch: nextEpoch(this.nextMetadata.epoch) };
    return true;
  }

  /** The fetch failed (no answer): the next one is full and closes the session. */
  handleError(): void {
    this.nextMetadata = { sessionId: this.nextMetadata.sessionId, epoch: INITIAL_EPOCH };
  }
}
