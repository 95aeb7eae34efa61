import { NetworkClient } from '@samsa/controller';
import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import type { Logger } from '../log/logging';
import type { MetadataCache } from '../metadata/MetadataCache';
import type { Partition } from '../cluster/Partition';

export interface ReplicaFetcherConfig {
  readonly brokerId: number;
  readonly interBrokerListenerName: string;
  /** replica.fetch.wait.max.ms, replica.fetch.min.bytes, replica.fetch.max.bytes, replica.fetch.response.max.bytes */
  readonly fetchWaitMaxMs: number;
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly fetchResponseMaxBytes: number;
  /** replica.fetch.backoff.ms */
  readonly fetchBackoffMs: number;
  /** replica.socket.timeout.ms */
  readonly socketTimeoutMs: number;
}

const FETCH_VERSION = 11;
const LIST_OFFSETS_VERSION = 1;

/**
 * Followers copy their leaders' logs (Kafka's ReplicaFetcherManager): one fetcher per source
 * broker, each a loop of Fetch requests carrying this broker's id, appending what comes back as
 * follower and taking the leader's high watermark (capped at its own log end). The leader learns
 * each follower's position from the fetch offsets it sends.
 *
 * Not yet here (the replication issue): truncation by leader epoch (OffsetForLeaderEpoch) — a new
 * follower truncates to its high watermark instead, as Kafka did before KIP-101.
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

class ReplicaFetcher {
  private readonly partitions = new Map<string, Partition>();
  private client: NetworkClient | null = null;
  private running = true;
  private loop: Promise<void> | null = null;

  constructor(
    readonly leaderId: number,
    private readonly config: ReplicaFetcherConfig,
    private readonly metadataCache: MetadataCache,
    private readonly logger: Logger,
    private readonly onFollowerAppend: (p: Partition) => void,
  ) {}

  get isEmpty(): boolean {
    return this.partitions.size === 0;
  }

  add(p: Partition): void {
    this.partitions.set(p.key, p);
    this.loop ??= this.run();
  }

  remove(key: string): boolean {
    return this.partitions.delete(key);
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

  private async fetchOnce(client: NetworkClient): Promise<void> {
    const parts = [...this.partitions.values()];
    const byTopic = new Map<string, Struct[]>();
    for (const p of parts) {
      let list = byTopic.get(p.topic);
      if (!list) byTopic.set(p.topic, (list = []));
      list.push({
        partition: p.partition,
        currentLeaderEpoch: p.leaderEpoch,
        fetchOffset: p.log.logEndOffset,
        logStartOffset: p.log.logStartOffset,
        partitionMaxBytes: this.config.fetchMaxBytes,
      });
    }
    const response = await client.send(ApiKey.Fetch, FETCH_VERSION, {
      replicaId: this.config.brokerId,
      maxWaitMs: this.config.fetchWaitMaxMs,
      minBytes: this.config.fetchMinBytes,
      maxBytes: this.config.fetchResponseMaxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      forgottenTopicsData: [],
      rackId: '',
    });
    let backoff = false;
    for (const t of response.responses as Struct[]) {
      for (const r of t.partitionResponses as Struct[]) {
        const p = this.partitions.get(`${t.topic}-${r.partition}`);
        if (!p) continue; // moved while the fetch was in flight
        if (r.errorCode === ErrorCode.NONE) {
          const records: Buffer | null = r.recordSet;
          if (records && records.length > 0) p.log.appendAsFollower(records);
          p.log.updateHighWatermark(Math.min(r.highWatermark, p.log.logEndOffset));
          this.onFollowerAppend(p);
        } else if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          await this.handleOutOfRange(client, p);
        } else {
          backoff = true;
        }
      }
    }
    if (backoff) await new Promise((res) => setTimeout(res, this.config.fetchBackoffMs));
  }

  /**
   * The leader does not have our fetch offset: if our log runs past the leader's end, truncate to
   * it; otherwise our log is behind the leader's start, so start over at that offset.
   */
  private async handleOutOfRange(client: NetworkClient, p: Partition): Promise<void> {
    const ask = async (timestamp: number) => {
      const res = await client.send(ApiKey.ListOffsets, LIST_OFFSETS_VERSION, {
        replicaId: this.config.brokerId,
        topics: [{ name: p.topic, partitions: [{ partitionIndex: p.partition, timestamp }] }],
      });
      return res.topics[0].partitions[0].offset as number;
    };
    const leaderEnd = await ask(-1);
    if (leaderEnd >= 0 && leaderEnd < p.log.logEndOffset) {
      this.logger.warn(`Truncating ${p.key} to the leader's end offset ${leaderEnd}`);
      p.log.truncateTo(leaderEnd);
      return;
    }
    const leaderStart = await ask(-2);
    this.logger.warn(`Restarting ${p.key} at the leader's start offset ${leaderStart}`);
    p.log.truncateFullyAndStartAt(leaderStart);
  }
}
