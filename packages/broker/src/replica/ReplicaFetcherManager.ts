import { topicPartitionKey, type Logger } from '@samsa/common';
import { NetworkClient, type ClientSecurity } from '@samsa/client';
import {
  ApiKey,
  ErrorCode,
  KafkaError,
  type FetchRequestTopicsPartitionsInput,
  type OffsetForLeaderEpochRequestTopicsPartitionsInput,
  type ResponseOf,
} from '@samsa/protocol';
import type { FetchRequestPartition } from './FetchSession';
import { FetchSessionHandler } from './FetchSessionHandler';
import type { ReplicationQuotaManager } from './ReplicationQuotaManager';
import type { MetadataCache } from '../metadata/MetadataCache';
import type { Partition } from './Partition';

export interface ReplicaFetcherConfig {
  readonly brokerId: number;
  readonly interBrokerListenerName: string;
  /** replica.fetch.wait.max.ms, replica.fetch.min.bytes, replica.fetch.max.bytes, replica.fetch.response.max.bytes */
  readonly fetchWaitMaxMs: number;
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly fetchResponseMaxBytes: number;
  /** How connections to the leaders' inter-broker listener are secured; PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
  /** replica.fetch.backoff.ms */
  readonly fetchBackoffMs: number;
  /** replica.socket.timeout.ms */
  readonly socketTimeoutMs: number;
  /** The follower replication throttle (follower.replication.throttled.rate and the topics' lists). */
  readonly quota?: ReplicationQuotaManager;
}

const FETCH_VERSION = 11;
/** v4+ carries the follower's current leader epoch, so a stale leader answers FENCED_LEADER_EPOCH. */
const LIST_OFFSETS_VERSION = 4;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 3;

/**
 * Followers copy their leaders' logs (Kafka's ReplicaFetcherManager): one fetcher per source
 * broker, each a loop of Fetch requests carrying this broker's id, appending what comes back as
 * follower and taking the leader's high watermark (capped at its own log end). The leader learns
 * each follower's position from the fetch offsets it sends.
 *
 * A partition added to a fetcher first truncates by leader epoch (KIP-101/279, Kafka's
 * AbstractFetcherThread.maybeTruncate): it asks the leader OffsetForLeaderEpoch for its own latest
 * epoch and truncates to the end offset the leader has for it (never above its own log end); a log
 * with no epochs, or an UNDEFINED answer, truncates to its high watermark. Only then is it fetched.
 */
export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();

  constructor(
    private readonly config: ReplicaFetcherConfig,
    private readonly metadataCache: MetadataCache,
    private readonly logger: Logger,
    private readonly onFollowerAppend: (p: Partition) => void,
  ) {}

  /** Starts fetching `partition` from `leaderId` (moving it off any other fetcher). */
  addPartition(partition: Partition, leaderId: number): void {
    this.removePartition(partition.key);
    let f = this.fetchers.get(leaderId);
    if (!f) {
      f = new ReplicaFetcher(leaderId, this.config, this.metadataCache, this.logger, this.onFollowerAppend);
      this.fetchers.set(leaderId, f);
    }
    f.add(partition);
  }

  /**
   * `key` changed on this broker (an append, a truncation, a log start or high watermark move, a
   * leader epoch change): the fetcher copying it looks at its fetch parameters again.
   */
  partitionChanged(key: string): void {
    for (const f of this.fetchers.values()) f.partitionChanged(key);
  }

  removePartition(key: string): void {
    for (const [leaderId, f] of this.fetchers) {
      if (f.remove(key) && f.isEmpty) {
        f.shutdown();
        this.fetchers.delete(leaderId);
      }
    }
  }

  shutdown(): void {
    for (const f of this.fetchers.values()) f.shutdown();
    this.fetchers.clear();
  }
}

/** One partition on a fetcher; a new one on each add, so answers to an older add are recognised. */
interface FetchState {
  readonly p: Partition;
  /** Still to truncate by leader epoch before fetching. */
  truncating: boolean;
  /** The leader's high watermark less our log end after the last append (undefined: none yet). */
  lag?: number;
  /** What the last fetch asked of it (replaced, not changed, when the log end, start or epoch moves). */
  fetchData?: FetchRequestPartition;
}

/** What a follower truncates to, given the leader's answer for its epoch (Kafka's getOffsetTruncationState). */
export function offsetTruncationState(
  log: {
    readonly logEndOffset: number;
    readonly highWatermark: number;
    endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } | null;
  },
  leader: { readonly leaderEpoch: number; readonly endOffset: number },
): { offset: number; completed: boolean } {
  const logEnd = log.logEndOffset;
  // The leader knows nothing of the epoch: fall back to the high watermark.
  if (leader.endOffset < 0) return { offset: Math.min(log.highWatermark, logEnd), completed: true };
  // An answer without its epoch (v0): the leader's end offset is all there is.
  if (leader.leaderEpoch < 0) return { offset: Math.min(leader.endOffset, logEnd), completed: true };
  const mine = log.endOffsetForEpoch(leader.leaderEpoch);
  // We did not track that epoch: the leader answered with an epoch below ours, so its offset holds.
  if (!mine) return { offset: Math.min(leader.endOffset, logEnd), completed: true };
  // We do not have the leader's epoch: cut to the end of our largest epoch below it, and ask again
  // for that one (KIP-279).
  if (mine.epoch !== leader.leaderEpoch) return { offset: Math.min(mine.endOffset, logEnd), completed: false };
  return { offset: Math.min(mine.endOffset, leader.endOffset, logEnd), completed: true };
}

class ReplicaFetcher {
  private readonly partitions = new Map<string, FetchState>();
  /**
   * The partitions the next fetch asks for, with what it asks (kept from fetch to fetch: an entry
   * changes only when its partition's fetch parameters do, see FetchSessionHandler.build).
   */
  private readonly wanted = new Map<string, FetchRequestPartition>();
  /**
   * The partitions whose fetch parameters may have moved since the last fetch (added, appended to,
   * truncated, changed on the broker), or that must be looked at on every fetch (behind the leader,
   * or held back by the replication throttle): what the next fetch looks at. An idle follower's
   * fetch looks at none.
   */
  private changed = new Set<string>();
  /** Keys whose entry in `wanted` was set or deleted since the last fetch was built. */
  private touched = new Set<string>();
  /** The partitions still to truncate by leader epoch before they are fetched. */
  private readonly truncating = new Set<FetchState>();
  /** Partitions behind the leader's high watermark at their last answer (their throttle may change). */
  private readonly lagging = new Set<string>();
  /** KIP-227: after the first full fetch, each fetch names only the partitions whose offsets moved. */
  private readonly sessionHandler: FetchSessionHandler;

  private client: NetworkClient | null = null;
  private running = true;
  private loop: Promise<void> | null = null;

  constructor(
    readonly leaderId: number,
    private readonly config: ReplicaFetcherConfig,
    private readonly metadataCache: MetadataCache,
    private readonly logger: Logger,
    private readonly onFollowerAppend: (p: Partition) => void,
  ) {
    this.sessionHandler = new FetchSessionHandler(leaderId, logger);
  }

  get isEmpty(): boolean {
    return this.partitions.size === 0;
  }

  add(p: Partition): void {
    const k = p.key;
    const previous = this.partitions.get(k);
    if (previous) this.truncating.delete(previous);
    const s: FetchState = { p, truncating: true };
    this.partitions.set(k, s);
    this.truncating.add(s);
    this.unwant(k);
    this.lagging.delete(k);
    this.loop ??= this.run();
  }

  remove(key: string): boolean {
    const s = this.partitions.get(key);
    if (s) this.truncating.delete(s);
    this.unwant(key);
    this.lagging.delete(key);
    this.changed.delete(key);
    return this.partitions.delete(key);
  }

  partitionChanged(key: string): void {
    if (this.partitions.has(key)) this.changed.add(key);
  }

  shutdown(): void {
    this.running = false;
    this.client?.shutdown();
  }

  private connect(): NetworkClient | null {
    if (this.client) return this.client;
    const b = this.metadataCache.aliveBroker(this.leaderId);
    const e = b?.endpoints.get(this.config.interBrokerListenerName);
    if (!e) return null;
    this.client = new NetworkClient({
      host: e.host,
      port: e.port,
      clientId: `broker-${this.config.brokerId}-fetcher-${this.leaderId}`,
      requestTimeoutMs: this.config.socketTimeoutMs,
      maxResponseBytes: this.config.fetchResponseMaxBytes + 1024 * 1024,
      security: this.config.security,
      logger: this.logger,
    });
    return this.client;
  }

  private async run(): Promise<void> {
    while (this.running && this.partitions.size > 0) {
      const client = this.connect();
      try {
        if (!client) throw new Error(`leader ${this.leaderId} is not in the metadata cache`);
        await client.ready();
        if (!(await this.maybeTruncate(client))) {
          await new Promise((r) => setTimeout(r, this.config.fetchBackoffMs));
          continue;
        }
        await this.fetchOnce(client);
      } catch (e) {
        if (!this.running) break;
        this.logger.warn(`Error fetching from broker ${this.leaderId}: ${(e as Error).message}`);
        this.client?.shutdown();
        this.client = null;
        await new Promise((r) => setTimeout(r, this.config.fetchBackoffMs));
      }
    }
    this.loop = null;
  }

  /**
   * Truncation by leader epoch of the partitions added since the last round:
   * 1. a log without leader epochs truncates to its high watermark;
   * 2. the others ask the leader OffsetForLeaderEpoch (v3, this broker's id, the current leader
   *    epoch to fence a stale leader) for their latest epoch, and truncate per
   *    `offsetTruncationState`; an incomplete truncation (an epoch the follower lacks) asks again
   *    next round with the now lower latest epoch.
   * Errors (a leader not yet aware of its epoch, or no longer leader) leave the partition
   * truncating. Returns false when nothing can be fetched yet (back off).
   */
  private async maybeTruncate(client: NetworkClient): Promise<boolean> {
    if (this.truncating.size === 0) return true;
    const truncating = [...this.truncating];
    const byTopic = new Map<string, OffsetForLeaderEpochRequestTopicsPartitionsInput[]>();
    const asked = new Map<string, FetchState>();
    for (const s of truncating) {
      const epoch = s.p.log.latestEpoch;
      if (epoch === undefined) {
        this.truncate(s.p, s.p.highWatermark, 'its high watermark (no leader epochs in its log)');
        s.truncating = false;
        this.truncating.delete(s);
        this.changed.add(s.p.key);
        continue;
      }
      let list = byTopic.get(s.p.topic);
      if (!list) byTopic.set(s.p.topic, (list = []));
      list.push({ partition: s.p.partition, currentLeaderEpoch: s.p.leaderEpoch, leaderEpoch: epoch });
      asked.set(s.p.key, s);
    }
    if (asked.size > 0) {
      const response = await client.send(ApiKey.OffsetForLeaderEpoch, OFFSET_FOR_LEADER_EPOCH_VERSION, {
        replicaId: this.config.brokerId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
      for (const t of response.topics) {
        for (const r of t.partitions) {
          const k = topicPartitionKey({ topic: t.topic, partition: r.partition });
          const s = asked.get(k);
          if (!s || this.partitions.get(k) !== s) continue; // moved while the request was in flight
          if (r.errorCode !== ErrorCode.NONE) {
            this.logger.info(`OffsetForLeaderEpoch for ${k} from broker ${this.leaderId} failed with error ${r.errorCode}; retrying`);
            continue;
          }
          const state = offsetTruncationState(s.p.log, { leaderEpoch: r.leaderEpoch, endOffset: r.endOffset });
          this.truncate(
            s.p,
            state.offset,
            `the end offset ${r.endOffset} of leader epoch ${r.leaderEpoch} on broker ${this.leaderId}` +
              (state.completed ? '' : ' (an epoch this log lacks: asking again)'),
          );
          if (state.completed) {
            s.truncating = false;
            this.truncating.delete(s);
            this.changed.add(k);
          }
        }
      }
    }
    return this.partitions.size > this.truncating.size;
  }

  private truncate(p: Partition, offset: number, why: string): void {
    const target = Math.max(0, Math.min(offset, p.log.logEndOffset));
    if (target < p.log.logEndOffset) {
      this.logger.info(`Truncating ${p.key} from log end ${p.log.logEndOffset} to ${target}: ${why}`);
    }
    const end = p.log.logEndOffset;
    p.log.truncateTo(target);
    // readers of this replica (consumers' fetch sessions, KIP-392) look at it again
    if (target < end) this.onFollowerAppend(p);
  }

  /** Kafka's shouldFollowerThrottle: a throttled replica not in sync, while the follower quota is exceeded. */
  private shouldFollowerThrottle(s: FetchState): boolean {
    const quota = this.config.quota;
    if (!quota || s.lag === 0) return false;
    return quota.isThrottled(s.p.partition, s.p.log.config.followerReplicationThrottledReplicas) && quota.isQuotaExceeded();
  }

  /** `s` is asked for at its log end, start and leader epoch now (a new entry only if one moved). */
  private want(k: string, s: FetchState): void {
    const { p } = s;
    const log = p.log;
    let d = s.fetchData;
    if (!d || d.fetchOffset !== log.logEndOffset || d.logStartOffset !== log.logStartOffset || d.currentLeaderEpoch !== p.leaderEpoch) {
      d = s.fetchData = {
        topic: p.topic,
        partition: p.partition,
        fetchOffset: log.logEndOffset,
        logStartOffset: log.logStartOffset,
        maxBytes: this.config.fetchMaxBytes,
        currentLeaderEpoch: p.leaderEpoch,
        lastFetchedEpoch: -1,
      };
    }
    if (this.wanted.get(k) !== d) {
      this.wanted.set(k, d);
      this.touched.add(k);
    }
  }

  /** `k` is not asked for by the next fetch. */
  private unwant(k: string): void {
    if (this.wanted.delete(k)) this.touched.add(k);
  }

  private async fetchOnce(client: NetworkClient): Promise<void> {
    // Only the partitions that may have changed are looked at: an idle follower's fetch looks at
    // none, and (with a session) names none.
    const check = this.changed;
    this.changed = new Set(this.lagging);
    let throttled = 0;
    let unwritten: FetchState[] | undefined;
    for (const k of check) {
      const s = this.partitions.get(k);
      if (!s) {
        this.unwant(k);
        continue;
      }
      if (s.truncating) continue; // looked at again once truncated
      if (this.shouldFollowerThrottle(s)) {
        this.unwant(k);
        this.changed.add(k);
        throttled++;
        continue;
      }
      // A fetch offset tells the leader what this follower has: only bytes write(2) has returned for
      // (a log that was leader a moment ago may still have some queued).
      if (s.p.log.writtenEndOffset < s.p.log.logEndOffset) (unwritten ??= []).push(s);
      else this.want(k, s);
    }
    if (unwritten) {
      await Promise.allSettled(unwritten.map((s) => s.p.log.whenWritten()));
      for (const s of unwritten) {
        const k = s.p.key;
        if (this.partitions.get(k) === s && s.p.log.writtenEndOffset >= s.p.log.logEndOffset) this.want(k, s);
        else {
          this.unwant(k);
          if (this.partitions.get(k) === s) this.changed.add(k);
        }
      }
    }
    if (this.wanted.size === 0) {
      // everything is held back by the replication throttle: wait as Kafka's fetcher does
      if (throttled > 0) await new Promise((res) => setTimeout(res, this.config.fetchBackoffMs));
      return;
    }
    const fetchData = this.sessionHandler.build(this.wanted, this.touched);
    this.touched = new Set();
    const byTopic = new Map<string, FetchRequestTopicsPartitionsInput[]>();
    for (const p of fetchData.toSend) {
      let list = byTopic.get(p.topic);
      if (!list) byTopic.set(p.topic, (list = []));
      list.push({
        partition: p.partition,
        currentLeaderEpoch: p.currentLeaderEpoch,
        fetchOffset: p.fetchOffset,
        logStartOffset: p.logStartOffset,
        partitionMaxBytes: p.maxBytes,
      });
    }
    const forgotten = new Map<string, number[]>();
    for (const tp of fetchData.toForget) forgotten.set(tp.topic, [...(forgotten.get(tp.topic) ?? []), tp.partition]);
    let response: ResponseOf<typeof ApiKey.Fetch>;
    try {
      response = await client.send(ApiKey.Fetch, FETCH_VERSION, {
        replicaId: this.config.brokerId,
        maxWaitMs: this.config.fetchWaitMaxMs,
        minBytes: this.config.fetchMinBytes,
        maxBytes: this.config.fetchResponseMaxBytes,
        isolationLevel: 0,
        sessionId: fetchData.metadata.sessionId,
        sessionEpoch: fetchData.metadata.epoch,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        forgottenTopicsData: [...forgotten].map(([topic, partitions]) => ({ topic, partitions })),
        rackId: '',
      });
    } catch (e) {
      this.sessionHandler.handleError();
      throw e;
    }
    const accepted = this.sessionHandler.handleResponse({
      errorCode: response.errorCode,
      sessionId: response.sessionId,
      partitions: response.responses.flatMap((t) => t.partitionResponses.map((r) => ({ topic: t.topic, partition: r.partition }))),
    });
    if (!accepted) return;
    let backoff = false;
    const appended: { s: FetchState; highWatermark: number; logStartOffset: number; written: Promise<void> }[] = [];
    for (const t of response.responses) {
      for (const r of t.partitionResponses) {
        const k = topicPartitionKey({ topic: t.topic, partition: r.partition });
        const s = this.partitions.get(k);
        // moved while the fetch was in flight (a partition added again truncates before its fetch)
        if (!s || s.truncating) continue;
        this.changed.add(k);
        const p = s.p;
        if (p.appendGate) continue; // its log is being swapped for its future log: fetched again next time
        if (r.errorCode === ErrorCode.NONE) {
          const records: Buffer | null = r.recordSet;
          let written: Promise<void>;
          try {
            written = records && records.length > 0 ? p.appendRecordsToFollower(records).written : Promise.resolve();
            const quota = this.config.quota;
            if (records && records.length > 0 && quota?.isThrottled(p.partition, p.log.config.followerReplicationThrottledReplicas)) {
              quota.record(records.length);
            }
          } catch (e) {
            // Its log directory failed: the ReplicaManager's log dir failure handler removes it from
            // this fetcher; the other partitions of the response are still appended.
            if (e instanceof KafkaError && e.code === ErrorCode.KAFKA_STORAGE_ERROR) {
              this.logger.warn(`Not appending to ${p.key}: ${e.message}`);
              continue;
            }
            throw e;
          }
          appended.push({ s, highWatermark: r.highWatermark, logStartOffset: Number(r.logStartOffset), written });
        } else if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          try {
            await this.handleOutOfRange(client, p);
          } catch (e) {
            this.logger.info(`Handling OFFSET_OUT_OF_RANGE for ${k} from broker ${this.leaderId} failed: ${(e as Error).message}; retrying`);
            backoff = true;
          }
        } else {
          backoff = true;
        }
      }
    }
    // What this follower has counts only once write(2) returned for it: its high watermark, and the
    // offset its next fetch reports to the leader (a log end whose bytes a kill -9 could still take).
    const writes = await Promise.allSettled(appended.map((a) => a.written));
    appended.forEach(({ s, highWatermark, logStartOffset }, i) => {
      const p = s.p;
      if (writes[i].status === 'rejected' || this.partitions.get(p.key) !== s) return; // failed, or moved meanwhile
      p.log.updateHighWatermark(Math.min(highWatermark, p.log.writtenEndOffset));
      s.lag = Math.max(0, highWatermark - p.log.logEndOffset);
      if (s.lag > 0) this.lagging.add(p.key);
      else this.lagging.delete(p.key);
      this.changed.add(p.key);
      // The leader's log start moved (DeleteRecords, retention): so does ours, once our high
      // watermark covers it (Kafka's processPartitionData; above it, a later fetch does it).
      if (logStartOffset > p.log.logStartOffset && logStartOffset <= p.log.highWatermark) {
        p.log.maybeIncrementLogStartOffset(logStartOffset, 'leader offset increment');
      }
      this.onFollowerAppend(p);
    });
    if (backoff) await new Promise((res) => setTimeout(res, this.config.fetchBackoffMs));
  }

  /**
   * The leader answered OFFSET_OUT_OF_RANGE for our fetch offset (Kafka's handleOutOfRangeError):
   * ask it for its log end offset, and its log start offset if needed, and act per
   * `outOfRangeTruncation`. ListOffsets carries our leader epoch; an error in its answer (a leader
   * fenced or no longer leading) throws, and the fetcher backs off and tries again.
   */
  private async handleOutOfRange(client: NetworkClient, p: Partition): Promise<void> {
    const ask = async (timestamp: number): Promise<number> => {
      const res = await client.send(ApiKey.ListOffsets, LIST_OFFSETS_VERSION, {
        replicaId: this.config.brokerId,
        isolationLevel: 0,
        topics: [
          { name: p.topic, partitions: [{ partitionIndex: p.partition, currentLeaderEpoch: p.leaderEpoch, timestamp }] },
        ],
      });
      const r = res.topics[0]?.partitions[0];
      if (!r || r.errorCode !== ErrorCode.NONE || r.offset < 0) {
        throw new Error(`ListOffsets(${timestamp}) for ${p.key} answered error ${r?.errorCode ?? 'none'}, offset ${r?.offset ?? -1}`);
      }
      return r.offset;
    };
    const replicaEndOffset = p.log.logEndOffset;
    const action = await outOfRangeTruncation(replicaEndOffset, await ask(-1), () => ask(-2));
    if (this.partitions.get(p.key)?.p !== p || p.log.logEndOffset !== replicaEndOffset) return; // changed meanwhile: fetch again
    if (action.kind === 'truncate') {
      this.logger.warn(`Reset fetch offset for ${p.key} from ${replicaEndOffset} to the leader's latest offset ${action.offset}`);
      this.truncate(p, action.offset, `the leader's log end offset ${action.offset} is below ours`);
    } else if (action.kind === 'truncateFully') {
      this.logger.warn(`Reset fetch offset for ${p.key} from ${replicaEndOffset} to the leader's start offset ${action.offset}`);
      p.log.truncateFullyAndStartAt(action.offset);
      this.onFollowerAppend(p);
    } else {
      this.logger.warn(
        `Fetch offset ${replicaEndOffset} of ${p.key} was out of range; the leader's log now covers it (start ${action.leaderStartOffset}): keeping the log and fetching again`,
      );
    }
  }
}

/** What a follower does after OFFSET_OUT_OF_RANGE (see `outOfRangeTruncation`). */
export type OutOfRangeAction =
  | { readonly kind: 'truncate'; readonly offset: number }
  | { readonly kind: 'truncateFully'; readonly offset: number }
  | { readonly kind: 'keep'; readonly leaderStartOffset: number };

/**
 * Kafka 2.8's AbstractFetcherThread.fetchOffsetAndTruncate, given the follower's log end offset and
 * the leader's log end offset (its start offset is asked only when needed):
 * 1. leader end < ours (an unclean election left us ahead): truncate to the leader's end;
 * 2. else, leader start > ours (we were down while the leader deleted what we lack): truncate
 *    fully and start at the leader's start;
 * 3. else (the leader's log grew past our offset meanwhile): keep our log and fetch again from its
 *    end. Wiping it here would throw away records the leader still holds.
 */
export async function outOfRangeTruncation(
  replicaEndOffset: number,
  leaderEndOffset: number,
  leaderStartOffset: () => Promise<number>,
): Promise<OutOfRangeAction> {
  if (leaderEndOffset < replicaEndOffset) return { kind: 'truncate', offset: leaderEndOffset };
  const start = await leaderStartOffset();
  if (start > replicaEndOffset) return { kind: 'truncateFully', offset: start };
  return { kind: 'keep', leaderStartOffset: start };
}
