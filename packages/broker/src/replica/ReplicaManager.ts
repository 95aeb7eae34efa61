import * as path from 'node:path';
import { topicPartition, topicPartitionKey, type Logger } from '@samsa/common';
import {
  ErrorCode,
  KafkaError,
  type ProducePartitionResult,
  type LeaderAndIsrPartitionError,
  type LeaderAndIsrPartitionState,
  type LeaderAndIsrRequestContent,
  type LeaderAndIsrResponseContent,
  type StopReplicaPartitionError,
  type StopReplicaRequestContent,
  type StopReplicaResponseContent,
} from '@samsa/protocol';
import {
  RecordsSlice,
  RecordValidationError,
  type AbortedTxn,
  type AppendOrigin,
  type ConfigProps,
  type Isolation,
  type Log,
  type LogConfig,
  type LogManager,
} from '@samsa/storage';
import type { IsrUpdater } from './IsrUpdater';
import { Partition, type EpochEndOffset, type LeaderAndIsrState, type SessionFetchTime } from './Partition';
import type { MetadataCache } from '../metadata/MetadataCache';
import { DelayedFetch, fetchedBytes, hasFetchError } from './DelayedFetch';
import { DelayedOperationPurgatory } from './DelayedOperationPurgatory';
import { DelayedProduce, type ProducePartitionStatus } from './DelayedProduce';
import { EXPECTED_PRODUCE_ERRORS } from '../metrics/BrokerTopicStats';
import { ReplicaAlterLogDirsManager } from './ReplicaAlterLogDirsManager';
import { ReplicaFetcherManager, type ReplicaFetcherConfig } from './ReplicaFetcherManager';
import type { ReplicaSelector } from './ReplicaSelector';
import type { ReplicationQuotaManager } from './ReplicationQuotaManager';

/** Kafka's Request.DebuggingConsumerId: a consumer that may read any replica. */
const DEBUGGING_CONSUMER_ID = -2;

export interface ReplicaManagerOptions {
  readonly brokerId: number;
  readonly logManager: LogManager;
  readonly metadataCache: MetadataCache;
  readonly logger: Logger;
  readonly stateChangeLogger: Logger;
  /** Topic-level overrides (from /config/topics/<t>), read when a log is created. */
  readonly topicConfig: (topic: string) => Promise<ConfigProps>;
  readonly fetcher: ReplicaFetcherConfig;
  /** Where a leader writes its partitions' ISR changes; without one the ISR never grows. */
  readonly isrUpdater?: IsrUpdater;
  /**
   * replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR (checked every
   * half of it). Without it (or without an isrUpdater) the ISR never shrinks.
   */
  readonly replicaLagTimeMaxMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
  /** Told of each ISR change this broker wrote as leader (metrics, the event journal). */
  readonly onIsrChange?: (change: IsrChange) => void;
  /** replica.selector.class (KIP-392): where consumers with a rack should read; none: the leader. */
  readonly replicaSelector?: ReplicaSelector;
  /** Replication throttles (leader.replication.throttled.rate and the topics' throttled replicas). */
  readonly leaderQuota?: ReplicationQuotaManager;
  /** replica.alter.log.dirs.io.max.bytes.per.second: the bytes moves between log dirs copy. */
  readonly alterLogDirsQuota?: ReplicationQuotaManager;
}

/** An ISR this broker, as leader, shrank or expanded (written to ZooKeeper). */
export interface IsrChange {
  readonly topic: string;
  readonly partition: number;
  readonly kind: 'shrink' | 'expand';
  readonly leaderEpoch: number;
  readonly oldIsr: readonly number[];
  readonly newIsr: readonly number[];
}

export interface FetchPartitionRequest {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

export interface FetchPartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
  readonly records: RecordsSlice | null;
  /** A read_committed read's aborted transactions overlapping it; absent otherwise (Fetch answers null). */
  readonly abortedTransactions?: readonly AbortedTxn[];
  /** KIP-392: the replica the consumer should fetch from instead (no records were read). */
  readonly preferredReadReplica?: number;
  /**
   * Nothing read, no error, and the fetch offset at the end of what this fetcher may read (a
   * follower in the ISR: the log end; a consumer: the high watermark, or the last stable offset for
   * read_committed): until the partition changes (ReplicaManager's change listeners hear of it), a
   * fetch at the same offset would answer the same. A fetch session need not read it again.
   */
  readonly atEnd?: boolean;
}

/** Partitions that became leader, and partitions that became follower, in one LeaderAndIsr. */
export type LeadershipChangeCallback = (updatedLeaders: readonly Partition[], updatedFollowers: readonly Partition[]) => void;

const key = (topic: string, partition: number) => topicPartitionKey({ topic, partition });
/** Longest stretch of a LeaderAndIsr's partitions handled without letting other work run. */
const YIELD_AFTER_MS = 20;

/** One partition of a LeaderAndIsr request, as becomeLeaderOrFollower works on it. */
interface LeaderAndIsrTarget {
  readonly topic: string;
  readonly partition: number;
  readonly state: LeaderAndIsrState;
}

function leaderAndIsrTarget(s: LeaderAndIsrPartitionState): LeaderAndIsrTarget {
  return {
    topic: s.topicName,
    partition: s.partitionIndex,
    state: {
      controllerEpoch: s.controllerEpoch,
      leader: s.leader,
      leaderEpoch: s.leaderEpoch,
      isr: s.isr,
      zkVersion: s.zkVersion,
      replicas: s.replicas,
      isNew: s.isNew,
    },
  };
}
/** New logs a LeaderAndIsr creates at once. */
const LOGS_CREATED_AT_ONCE = 8;

/**
 * Owns this broker's partitions: applies LeaderAndIsr and StopReplica from the controller (refusing
 * older controller epochs), appends for producers with acks 0/1/all, reads for consumers (up to the
 * high watermark) and followers (up to the log end), and parks acks=all produces and min.bytes
 * fetches in purgatories woken by appends and high watermark moves.
 */
export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  /**
   * Partitions whose log was in a log directory that failed (Kafka's HostedPartition.Offline), by
   * key: produce, fetch, LeaderAndIsr, StopReplica and OffsetForLeaderEpoch answer
   * KAFKA_STORAGE_ERROR for them until the broker restarts.
   */
  private readonly offlinePartitions = new Set<string>();
  controllerEpoch = 0;
  readonly producePurgatory = new DelayedOperationPurgatory('Produce');
  readonly fetchPurgatory = new DelayedOperationPurgatory('Fetch');
  private readonly now: () => number;
  private readonly fetcherManager: ReplicaFetcherManager;
  /** Partitions whose log moves to another log dir (AlterReplicaLogDirs). */
  readonly alterLogDirsManager: ReplicaAlterLogDirsManager;
  private isrShrinkTimer: NodeJS.Timeout | null = null;
  private readonly changeListeners: ((keys: readonly string[]) => readonly string[])[] = [];

  constructor(private readonly o: ReplicaManagerOptions) {
    this.now = o.now ?? Date.now;
    this.fetcherManager = new ReplicaFetcherManager(o.fetcher, o.metadataCache, o.logger, (p) => this.onPartitionChanged(p));
    this.alterLogDirsManager = new ReplicaAlterLogDirsManager({
      logManager: o.logManager,
      logger: o.logger,
      maxBytesPerStep: o.fetcher.fetchMaxBytes,
      quota: o.alterLogDirsQuota,
      onReplaced: (p, previous) => {
        p.log.onWrittenEndIncrement = previous.onWrittenEndIncrement;
        previous.onWrittenEndIncrement = null;
        p.log.onLogStartOffsetIncrement = previous.onLogStartOffsetIncrement;
        previous.onLogStartOffsetIncrement = null;
        this.onPartitionChanged(p);
      },
    });
    const lag = o.replicaLagTimeMaxMs;
    if (o.isrUpdater && lag !== undefined && lag > 0) {
      // Kafka's "isr-expiration" task: one timer for the broker, every replica.lag.time.max.ms / 2.
      this.isrShrinkTimer = setInterval(() => this.maybeShrinkIsr(), Math.max(1, Math.floor(lag / 2)));
      this.isrShrinkTimer.unref();
    }
  }

  get brokerId(): number {
    return this.o.brokerId;
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(key(topic, partition));
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  leaderPartitions(): Partition[] {
    return this.allPartitions().filter((p) => p.isLeader);
  }

  /** Replicas on this broker whose log directory failed (the OfflineReplicaCount gauge). */
  get offlinePartitionCount(): number {
    return this.offlinePartitions.size;
  }

  isPartitionOffline(topic: string, partition: number): boolean {
    return this.offlinePartitions.has(key(topic, partition));
  }

  private offlineError(k: string): KafkaError {
    return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Partition ${k} is in an offline log directory`);
  }

  /** The partition if this broker leads it, else the Kafka error a client should see. */
  leaderPartitionOrError(topic: string, partition: number): Partition {
    const p = this.partitions.get(key(topic, partition));
    if (p?.isLeader) return p;
    if (this.offlinePartitions.has(key(topic, partition))) throw this.offlineError(key(topic, partition));
    if (p || this.o.metadataCache.partitionState(topic, partition)) {
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `broker ${this.o.brokerId} does not lead ${key(topic, partition)}`);
    }
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown partition ${key(topic, partition)}`);
  }

  /** Kafka's shouldLeaderThrottle: a throttled replica out of the ISR, while the leader quota is exceeded. */
  private shouldLeaderThrottle(p: Partition, replicaId: number): boolean {
    const quota = this.o.leaderQuota;
    if (!quota || p.isr.includes(replicaId)) return false;
    return quota.isThrottled(p.partition, p.log.config.leaderReplicationThrottledReplicas) && quota.isQuotaExceeded();
  }

  /** What a follower fetch sends of throttled partitions counts against the leader quota. */
  private recordLeaderThrottledBytes(results: readonly FetchPartitionResult[]): void {
    const quota = this.o.leaderQuota;
    if (!quota) return;
    let bytes = 0;
    for (const r of results) {
      const size = r.records?.sizeInBytes ?? 0;
      if (size === 0) continue;
      const p = this.partitions.get(key(r.topic, r.partition));
      if (p && quota.isThrottled(p.partition, p.log.config.leaderReplicationThrottledReplicas)) bytes += size;
    }
    quota.record(bytes);
  }

  /**
   * The partition if this broker hosts it as leader or follower (a consumer's Fetch v11+), else the
   * error a client should see.
   */
  private localPartitionOrError(topic: string, partition: number): Partition {
    const p = this.partitions.get(key(topic, partition));
    if (p && p.leaderId >= 0) return p;
    return this.leaderPartitionOrError(topic, partition);
  }

  /**
   * KIP-392 (Kafka's findPreferredReadReplica): the replicas holding `fetchOffset` (remote ones by
   * the log end their last fetch reported; this leader by its own), viewed with their brokers'
   * racks, go to the selector; the chosen one's id, unless it is this leader or its broker is not
   * alive in the metadata.
   */
  private findPreferredReadReplica(p: Partition, clientRack: string, fetchOffset: number): number | undefined {
    const selector = this.o.replicaSelector;
    if (!selector) return undefined;
    const now = this.now();
    const rackOf = (id: number) => this.o.metadataCache.aliveBroker(id)?.rack ?? null;
    const leader = { brokerId: this.o.brokerId, rack: rackOf(this.o.brokerId), logEndOffset: p.log.logEndOffset, timeSinceLastCaughtUpMs: 0 };
    const replicas = p
      .remoteReplicaStates()
      .filter((r) => r.logEndOffset >= fetchOffset && this.o.metadataCache.aliveBroker(r.brokerId) !== undefined)
      .map((r) => ({ brokerId: r.brokerId, rack: rackOf(r.brokerId), logEndOffset: r.logEndOffset, timeSinceLastCaughtUpMs: now - r.lastCaughtUpTimeMs }));
    const selected = selector.select(clientRack, { replicas: [...replicas, leader], leader });
    return selected && selected !== leader ? selected.brokerId : undefined;
  }

  /**
   * The partition a fetch reads: the leader's, or for Kafka's debugging consumer (replica id -2,
   * what kafka-replica-verification sends) any replica this broker holds, read up to its own high
   * watermark (Kafka's ReplicaManager: fetchOnlyFromLeader is false for that id).
   */
  private fetchPartitionOrError(topic: string, partition: number, replicaId: number): Partition {
    const p = this.partitions.get(key(topic, partition));
    if (replicaId === DEBUGGING_CONSUMER_ID && p !== undefined && !this.offlinePartitions.has(key(topic, partition))) return p;
    return this.leaderPartitionOrError(topic, partition);
  }

  /**
   * LeaderAndIsr (any version): for each partition this broker replicates, with a leader epoch newer
   * than the one it knows, create the log if needed and become leader or follower. A request from an
   * older controller epoch is refused whole with STALE_CONTROLLER_EPOCH. Then `onLeadershipChange`
   * hears which partitions changed (Kafka's callback from KafkaApis: the group coordinator loads
   * and unloads __consumer_offsets partitions).
   */
  async becomeLeaderOrFollower(
    request: LeaderAndIsrRequestContent,
    onLeadershipChange?: LeadershipChangeCallback,
  ): Promise<LeaderAndIsrResponseContent> {
    const states = request.partitionStates.map(leaderAndIsrTarget);
    if (request.controllerEpoch < this.controllerEpoch) {
      this.o.stateChangeLogger.warn(
        `Ignoring LeaderAndIsr request from controller ${request.controllerId} with epoch ${request.controllerEpoch} ` +
          `since its epoch is older than the current ${this.controllerEpoch}`,
      );
      return {
        errorCode: ErrorCode.STALE_CONTROLLER_EPOCH,
        partitionErrors: states.map((s) => ({ topic: s.topic, partition: s.partition, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH })),
      };
    }
    this.controllerEpoch = request.controllerEpoch;
    const results: LeaderAndIsrPartitionError[] = [];
    const updatedLeaders: Partition[] = [];
    const updatedFollowers: Partition[] = [];
    const changed: Partition[] = [];
    const topicConfigs = new Map<string, Promise<LogConfig | undefined>>(); // one read per topic per request
    this.createLogsAhead(states, topicConfigs);
    let sliceStartMs = Date.now();
    for (const s of states) {
      // A thousand partitions are a second or more of work: let fetches, produces and ZooKeeper
      // pings run in between. (A controller sends one request at a time; a newer controller's
      // request that came meanwhile makes the rest of this one stale.)
      if (Date.now() - sliceStartMs > YIELD_AFTER_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStartMs = Date.now();
      }
      if (request.controllerEpoch < this.controllerEpoch) {
        results.push({ topic: s.topic, partition: s.partition, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH });
        continue;
      }
      if (this.offlinePartitions.has(key(s.topic, s.partition))) {
        this.o.stateChangeLogger.warn(
          `Ignoring LeaderAndIsr for ${key(s.topic, s.partition)} from controller ${request.controllerId} with epoch ` +
            `${request.controllerEpoch}: the local replica is in an offline log directory`,
        );
        results.push({ topic: s.topic, partition: s.partition, errorCode: ErrorCode.KAFKA_STORAGE_ERROR });
        continue;
      }
      if (!s.state.replicas.includes(this.o.brokerId)) {
        results.push({ topic: s.topic, partition: s.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      const existing = this.partitions.get(key(s.topic, s.partition));
      if (existing && s.state.leaderEpoch <= existing.leaderEpoch) {
        this.o.stateChangeLogger.info(
          `Ignoring LeaderAndIsr for ${key(s.topic, s.partition)}: leader epoch ${s.state.leaderEpoch} is not newer than ${existing.leaderEpoch}`,
        );
        results.push({ topic: s.topic, partition: s.partition, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH });
        continue;
      }
      try {
        const p = existing ?? (await this.createPartition(s.topic, s.partition, s.state.isNew, topicConfigs));
        if (request.controllerEpoch < this.controllerEpoch) {
          results.push({ topic: s.topic, partition: s.partition, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH });
          continue;
        }
        if (s.state.leader === this.o.brokerId) {
          this.fetcherManager.removePartition(p.key);
          p.makeLeader(s.state, this.now());
          updatedLeaders.push(p);
          this.o.stateChangeLogger.info(
            `Leader ${key(s.topic, s.partition)} starts at leader epoch ${s.state.leaderEpoch} from offset ${p.log.logEndOffset} with high watermark ${p.highWatermark}, ISR [${s.state.isr.join(',')}]`,
          );
        } else {
          p.makeFollower(s.state);
          updatedFollowers.push(p);
          this.fetcherManager.removePartition(p.key);
          if (s.state.leader >= 0) {
            // The fetcher first truncates by leader epoch (KIP-101/279: OffsetForLeaderEpoch to the
            // leader; the high watermark when this log has no epochs), then fetches.
            this.fetcherManager.addPartition(p, s.state.leader);
          }
          // No leader (the controller tells a returning broker about an offline partition before it
          // elects one): nothing to fetch from and nothing to truncate to. Truncating to a high
          // watermark not checkpointed before a crash would throw away the log this broker may be
          // elected to lead next (Kafka makes followers only of partitions whose leader is alive).
          this.o.stateChangeLogger.info(
            `Follower ${key(s.topic, s.partition)} starts at leader epoch ${s.state.leaderEpoch}, leader ${s.state.leader}`,
          );
        }
        changed.push(p);
        results.push({ topic: s.topic, partition: s.partition, errorCode: ErrorCode.NONE });
      } catch (e) {
        const code = e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR;
        this.o.logger.error(`LeaderAndIsr for ${key(s.topic, s.partition)} failed`, e);
        // Its log is (or may be) on an offline log directory: the partition is offline (Kafka's
        // markPartitionOffline in makeLeaders / makeFollowers), counted and answered as such.
        if (e instanceof KafkaError && e.code === ErrorCode.KAFKA_STORAGE_ERROR) {
          this.markPartitionOffline(key(s.topic, s.partition));
          if (existing) changed.push(existing);
        }
        results.push({ topic: s.topic, partition: s.partition, errorCode: code });
      }
    }
    for (const p of changed) {
      // A move between log dirs interrupted by a restart goes on (Kafka: the future log is found).
      if (this.partitions.get(p.key) === p && this.o.logManager.getFutureLog(p)) this.alterLogDirsManager.addPartition(p);
    }
    this.onPartitionsChanged(changed);
    onLeadershipChange?.(updatedLeaders, updatedFollowers);
    return { errorCode: ErrorCode.NONE, partitionErrors: results };
  }

  private async createPartition(
    topic: string,
    partition: number,
    isNew: boolean,
    topicConfigs: Map<string, Promise<LogConfig | undefined>>,
  ): Promise<Partition> {
    const log = await this.createLog(topic, partition, isNew, topicConfigs);
    const p = new Partition(topic, partition, this.o.brokerId, log);
    this.partitions.set(p.key, p);
    // A queued write came back: the high watermark may move, and readers may see more.
    log.onWrittenEndIncrement = () => {
      if (this.partitions.get(p.key) !== p) return;
      p.maybeIncrementHighWatermark();
      this.onPartitionChanged(p);
    };
    log.onLogStartOffsetIncrement = () => {
      if (this.partitions.get(p.key) === p) this.onPartitionChanged(p);
    };
    return p;
  }

  private async createLog(
    topic: string,
    partition: number,
    isNew: boolean,
    topicConfigs: Map<string, Promise<LogConfig | undefined>>,
  ): Promise<Log> {
    let config = topicConfigs.get(topic);
    if (config === undefined) {
      config = this.o.topicConfig(topic).then((overrides) =>
        Object.keys(overrides).length > 0 ? this.o.logManager.updateConfig(topic, overrides) : undefined,
      );
      topicConfigs.set(topic, config);
    }
    return this.o.logManager.getOrCreateLogAsync(topicPartition(topic, partition), await config, isNew);
  }

  /**
   * Starts creating the logs of the partitions new to this broker, LOGS_CREATED_AT_ONCE at a time:
   * creating files is file-system latency, which overlaps. The LeaderAndIsr loop then finds each
   * log made (or being made) and still applies the partitions in request order; an error shows there.
   */
  private createLogsAhead(
    states: readonly LeaderAndIsrTarget[],
    topicConfigs: Map<string, Promise<LogConfig | undefined>>,
  ): void {
    const missing = states.filter(
      (s) =>
        s.state.replicas.includes(this.o.brokerId) &&
        !this.partitions.has(key(s.topic, s.partition)) &&
        !this.offlinePartitions.has(key(s.topic, s.partition)),
    );
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < missing.length) {
        const s = missing[next++];
        await this.createLog(s.topic, s.partition, s.state.isNew, topicConfigs).catch(() => undefined);
      }
    };
    for (let i = 0; i < Math.min(LOGS_CREATED_AT_ONCE, missing.length); i++) void worker();
  }

  /** StopReplica (any version): stop serving, and delete the log when asked. */
  async stopReplicas(request: StopReplicaRequestContent): Promise<StopReplicaResponseContent> {
    const targets = request.partitions;
    if (request.controllerEpoch < this.controllerEpoch) {
      return {
        errorCode: ErrorCode.STALE_CONTROLLER_EPOCH,
        partitionErrors: targets.map((t) => ({ topic: t.topic, partition: t.partition, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH })),
      };
    }
    this.controllerEpoch = request.controllerEpoch;
    const partitionErrors: StopReplicaPartitionError[] = [];
    for (const t of targets) {
      let errorCode: number = ErrorCode.NONE;
      if (this.offlinePartitions.has(key(t.topic, t.partition))) {
        this.o.stateChangeLogger.warn(
          `Ignoring StopReplica (delete=${t.deletePartition}) for ${key(t.topic, t.partition)}: the local replica is in an offline log directory`,
        );
        partitionErrors.push({ topic: t.topic, partition: t.partition, errorCode: ErrorCode.KAFKA_STORAGE_ERROR });
        continue;
      }
      try {
        await this.stopReplica(t.topic, t.partition, t.deletePartition);
      } catch (e) {
        errorCode = e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR;
        this.o.logger.error(`StopReplica for ${key(t.topic, t.partition)} failed`, e);
      }
      partitionErrors.push({ topic: t.topic, partition: t.partition, errorCode });
    }
    return { errorCode: ErrorCode.NONE, partitionErrors };
  }

  async stopReplica(topic: string, partition: number, deletePartition: boolean): Promise<void> {
    const k = key(topic, partition);
    const p = this.partitions.get(k);
    this.partitions.delete(k);
    this.fetcherManager.removePartition(k);
    this.alterLogDirsManager.removePartition(k);
    if (p) {
      p.leaderId = -1;
      this.onPartitionChanged(p);
    }
    if (deletePartition) await this.o.logManager.deleteLog(topicPartition(topic, partition));
    this.o.stateChangeLogger.info(`Stopped replica ${k}${deletePartition ? ' and deleted its log' : ''}`);
  }

  /**
   * Appends each partition's records as leader (Kafka's appendRecords):
   * 1. per partition: leader and min ISR checks, validate and append (errors stay per partition);
   * 2. wait until the bytes are written to the OS;
   * 3. acks=0/1: answer now; acks=all: wait in the produce purgatory until the high watermark passes
   *    every appended batch, the ISR shrinks below min.insync.replicas, or the timeout ends.
   * An acks value other than -1, 0 or 1 appends nothing: every partition answers
   * INVALID_REQUIRED_ACKS (Kafka's isValidRequiredAcks), so a client with a broken acks setting
   * learns it instead of getting acks=1 silently.
   */
  async appendRecords(
    timeoutMs: number,
    requiredAcks: number,
    entries: readonly { topic: string; partition: number; records: Buffer | null }[],
    /** Called before waiting in the produce purgatory (request metrics: local time ends). */
    onLocalComplete?: () => void,
    /**
     * Who writes: 'client' (Produce), or 'coordinator' for the broker's own batches, such as the
     * transaction markers WriteTxnMarkers appends (Kafka's AppendOrigin).
     */
    origin: AppendOrigin = 'client',
  ): Promise<ProducePartitionResult[]> {
    if (!isValidRequiredAcks(requiredAcks)) {
      return entries.map((e) =>
        produceError(e.topic, e.partition, new KafkaError(ErrorCode.INVALID_REQUIRED_ACKS, `acks=${requiredAcks} is not -1, 0 or 1`), this.o.logger),
      );
    }
    const appended: ProducePartitionStatus[] = [];
    const results: ProducePartitionResult[] = new Array<ProducePartitionResult>(entries.length);
    const writes: Promise<void>[] = [];
    const appendOne = (e: (typeof entries)[number], i: number): void => {
      try {
        if (!e.records || e.records.length === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
        const p = this.leaderPartitionOrError(e.topic, e.partition);
        const info = p.appendRecordsToLeader(e.records, requiredAcks, p.log.config.minInsyncReplicas, origin);
        const result: ProducePartitionResult = {
          topic: e.topic,
          partition: e.partition,
          errorCode: ErrorCode.NONE,
          baseOffset: info.firstOffset,
          logAppendTimeMs: info.logAppendTime,
          logStartOffset: info.logStartOffset,
        };
        results[i] = result;
        appended.push({ partition: p, leaderEpoch: p.leaderEpoch, result, firstOffset: info.firstOffset, requiredOffset: info.lastOffset + 1 });
        writes.push(info.written);
        this.onPartitionChanged(p);
      } catch (err) {
        if (loggedAppendError(err)) this.o.logger.error(`Error processing append operation on partition ${key(e.topic, e.partition)}: ${err.message}`);
        results[i] = produceError(e.topic, e.partition, err, this.o.logger);
      }
    };
    // Partitions swapping their log for a future one (Partition.appendGate) are appended once the
    // swap is done; the others now, so that a later request cannot overtake this one on them.
    const gated = entries.map((e) => this.partitions.get(key(e.topic, e.partition))?.appendGate != null);
    entries.forEach((e, i) => {
      if (!gated[i]) appendOne(e, i);
    });
    if (gated.some((g) => g)) {
      await this.appendGatesOf(entries.filter((_, i) => gated[i]));
      entries.forEach((e, i) => {
        if (gated[i]) appendOne(e, i);
      });
    }
    try {
      await Promise.all(writes);
    } catch (err) {
      return results.map((r) => (r.errorCode === ErrorCode.NONE ? produceError(r.topic, r.partition, err, this.o.logger) : r));
    }
    if (requiredAcks !== -1 || appended.length === 0) return results;
    onLocalComplete?.();
    return new Promise((resolve) => {
      const op = new DelayedProduce(appended, results, (k) => this.partitions.get(k), resolve);
      this.producePurgatory.tryCompleteElseWatch(op, op.keys(), timeoutMs);
    });
  }

  /** Waits while a partition of `entries` swaps its log for its future one (Partition.appendGate). */
  private async appendGatesOf(entries: readonly { topic: string; partition: number }[]): Promise<void> {
    for (let round = 0; round < 3; round++) {
      let gate: Promise<void> | null = null;
      for (const e of entries) {
        gate = this.partitions.get(key(e.topic, e.partition))?.appendGate ?? null;
        if (gate) break;
      }
      if (!gate) return;
      await gate;
    }
  }

  /**
   * AlterReplicaLogDirs for one partition (Kafka 2.8's ReplicaManager.alterReplicaLogDirs): a
   * partition not here yet gets `dir` as the place of its future log (and NOT_LEADER_OR_FOLLOWER);
   * one here gets a future log in `dir`, unless its log is there already, and starts moving. An
   * earlier move to another dir is cancelled first. Errors are thrown as KafkaErrors.
   */
  async alterReplicaLogDir(topic: string, partition: number, dir: string): Promise<void> {
    const k = key(topic, partition);
    const tp = topicPartition(topic, partition);
    const lm = this.o.logManager;
    if (!lm.hasLogDir(dir)) throw new KafkaError(ErrorCode.LOG_DIR_NOT_FOUND, `Log dir ${dir} is not found in the config.`);
    if (!lm.isLogDirOnline(dir)) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Log directory ${dir} is offline`);
    if (this.offlinePartitions.has(k)) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Partition ${k} is offline`);
    const p = this.partitions.get(k);
    const planned = lm.getFutureLog(tp);
    if (p && planned && planned.parentDir !== path.resolve(dir)) this.alterLogDirsManager.removePartition(k);
    lm.maybeUpdatePreferredLogDir(tp, dir);
    if (!p) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker has no replica of ${k}`);
    const future = await lm.getOrCreateFutureLog(tp, dir);
    if (future === undefined) {
      this.alterLogDirsManager.removePartition(k);
      return;
    }
    if (this.partitions.get(k) === p) this.alterLogDirsManager.addPartition(p);
  }

  /**
   * Reads for a consumer (up to the high watermark) or a follower (replicaId ≥ 0: up to the log end,
   * and its fetch offset tells the leader how far it got). Waits in the fetch purgatory until
   * minBytes are there, an error shows, or maxWaitMs ends.
   *
   * As in Kafka's fetchMessages, a follower's position is recorded from the first read, and only
   * for partitions that read without error: a fetch offset past the leader's log end (or below its
   * start) answers OFFSET_OUT_OF_RANGE and moves nothing. A replica id outside the partition's
   * assignment moves nothing either and gets no records (Kafka 2.8's withEmptyFetchInfo).
   *
   * A fetch session's incremental fetch (`session`) reads only the partitions its session has yet
   * to settle, which may grow while it waits (`partitions` is then asked again on each attempt); it
   * waits even when there is none to read, and is woken through the session's watch key, which the
   * change listeners name for any partition of the session.
   */
  async fetchMessages(req: {
    replicaId: number;
    maxWaitMs: number;
    minBytes: number;
    maxBytes: number;
    partitions: readonly FetchPartitionRequest[] | (() => readonly FetchPartitionRequest[]);
    session?: {
      /** The fetch purgatory key its parked fetch watches. */
      readonly watchKey: string;
      /** A follower's session: the time of its latest fetch (see Partition's SessionFetchTime). */
      readonly fetchTime?: SessionFetchTime;
    };
    /**
     * Consumers' isolation level (Fetch v4+): 0 read_uncommitted, up to the high watermark; 1
     * read_committed, up to the last stable offset, with the aborted transactions of the range.
     */
    isolationLevel?: number;
    /** Called before waiting in the fetch purgatory (request metrics: local time ends). */
    onLocalComplete?: () => void;
    /**
     * A consumer's Fetch v11+ (Kafka's ClientMetadata): followers serve it too (up to their high
     * watermark), and a leader may answer a preferred read replica for the consumer's rack.
     */
    clientMetadata?: { readonly rackId: string };
  }): Promise<FetchPartitionResult[]> {
    const isolation: Isolation = req.replicaId >= 0 ? 'logEnd' : req.isolationLevel === 1 ? 'txnCommitted' : 'highWatermark';
    // A read_committed fetch waiting in the purgatory reads again on every append (markers too) and
    // high watermark move, counting the bytes below the last stable offset (Kafka's DelayedFetch).
    const client = req.replicaId >= 0 ? undefined : req.clientMetadata;
    const given = req.partitions;
    const partitionsNow = typeof given === 'function' ? given : () => given;
    const read = () => this.readFromLocalLog(partitionsNow(), req.maxBytes, req.replicaId, isolation, client);
    const answer = (results: FetchPartitionResult[]) => {
      if (req.replicaId >= 0) this.recordLeaderThrottledBytes(results);
      return results;
    };
    const firstPartitions = partitionsNow();
    let first = this.readFromLocalLog(firstPartitions, req.maxBytes, req.replicaId, isolation, client);
    if (req.replicaId >= 0) {
      const now = this.now();
      const fetchTime = req.session?.fetchTime;
      first = this.updateFollowerFetchState(req.replicaId, firstPartitions, first, now, fetchTime);
      // this fetch counts for every partition of the session it did not name (see SessionFetchTime)
      if (fetchTime && now > fetchTime.lastFetchMs) fetchTime.lastFetchMs = now;
    }
    const hasPreferredReadReplica = first.some((r) => r.preferredReadReplica !== undefined);
    if (
      req.maxWaitMs <= 0 ||
      (firstPartitions.length === 0 && !req.session) ||
      fetchedBytes(first) >= req.minBytes ||
      hasFetchError(first) ||
      hasPreferredReadReplica
    ) {
      return answer(first);
    }
    req.onLocalComplete?.();
    return new Promise((resolve) => {
      const op = new DelayedFetch(req.minBytes, read, (results) => resolve(answer(results)), first);
      const keys = req.session ? [req.session.watchKey] : firstPartitions.map((fp) => key(fp.topic, fp.partition));
      this.fetchPurgatory.tryCompleteElseWatch(op, keys, req.maxWaitMs);
    });
  }

  /**
   * Records follower `replicaId`'s fetch offsets (Kafka's ReplicaManager.updateFollowerFetchState):
   * skipped for partitions whose read answered an error, and for replicas not assigned to the
   * partition. A partition whose high watermark moved answers the new one, so the follower learns
   * it from this fetch rather than the next.
   */
  private updateFollowerFetchState(
    replicaId: number,
    partitions: readonly FetchPartitionRequest[],
    results: FetchPartitionResult[],
    now: number,
    fetchTime: SessionFetchTime | undefined,
  ): FetchPartitionResult[] {
    return results.map((r, i) => {
      if (r.errorCode !== ErrorCode.NONE) return r;
      const p = this.partitions.get(key(r.topic, r.partition));
      if (!p?.isLeader) return r;
      if (!p.isFollowerReplica(replicaId)) {
        this.o.logger.warn(
          `Leader ${this.o.brokerId} did not record replica ${replicaId}'s fetch offset ${partitions[i].fetchOffset}: it is not ` +
            `one of the assigned replicas ${p.assignment.join(',')} of ${p.key}. It gets no records.`,
        );
        return r;
      }
      const fetchOffset = partitions[i].fetchOffset;
      const moved = p.updateFollowerFetchState(replicaId, fetchOffset, now, fetchTime);
      if (moved) this.onPartitionChanged(p);
      this.maybeExpandIsr(p, replicaId);
      // The read ran before this fetch was recorded: an empty one is at its end once it is.
      const atEnd = r.atEnd === true || (r.atEnd === false && (r.records?.sizeInBytes ?? 0) === 0 && this.isAtEnd(p, fetchOffset, replicaId, 'logEnd', undefined));
      if (!moved && atEnd === r.atEnd) return r;
      return moved ? { ...r, atEnd, highWatermark: p.highWatermark, lastStableOffset: p.log.lastStableOffset } : { ...r, atEnd };
    });
  }

  private readFromLocalLog(
    partitions: readonly FetchPartitionRequest[],
    maxBytes: number,
    replicaId: number,
    isolation: Isolation,
    client?: { readonly rackId: string },
  ): FetchPartitionResult[] {
    const isFollower = replicaId >= 0;
    let remaining = maxBytes;
    let first = true;
    return partitions.map((fp) => {
      try {
        // Kafka 2.8: a consumer's v11+ fetch may be served by a follower (fetchOnlyFromLeader false)
        const p =
          replicaId === DEBUGGING_CONSUMER_ID
            ? this.fetchPartitionOrError(fp.topic, fp.partition, replicaId)
            : client
              ? this.localPartitionOrError(fp.topic, fp.partition)
              : this.leaderPartitionOrError(fp.topic, fp.partition);
        const preferred = client && p.isLeader ? this.findPreferredReadReplica(p, client.rackId, fp.fetchOffset) : undefined;
        if (preferred !== undefined) {
          return {
            topic: fp.topic,
            partition: fp.partition,
            errorCode: ErrorCode.NONE,
            highWatermark: p.highWatermark,
            lastStableOffset: p.log.lastStableOffset,
            logStartOffset: p.log.logStartOffset,
            records: RecordsSlice.EMPTY,
            preferredReadReplica: preferred,
          };
        }
        const limit = Math.min(fp.maxBytes, remaining);
        const info = p.log.read(fp.fetchOffset, limit, { isolation, minOneMessage: first });
        // A replica id outside the assignment reads nothing (see updateFollowerFetchState); nor does
        // a throttled follower out of the ISR while the leader's replication quota is exceeded.
        const records =
          isFollower && (!p.isFollowerReplica(replicaId) || this.shouldLeaderThrottle(p, replicaId)) ? RecordsSlice.EMPTY : info.records;
        const size = records.sizeInBytes;
        if (size > 0) first = false;
        remaining = Math.max(0, remaining - size);
        const result: FetchPartitionResult = {
          topic: fp.topic,
          partition: fp.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: p.highWatermark,
          lastStableOffset: p.log.lastStableOffset,
          logStartOffset: p.log.logStartOffset,
          records,
          atEnd: size === 0 && this.isAtEnd(p, fp.fetchOffset, replicaId, isolation, client),
        };
        return info.abortedTransactions === undefined ? result : { ...result, abortedTransactions: info.abortedTransactions };
      } catch (err) {
        const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
        if (!(err instanceof KafkaError)) this.o.logger.error(`fetch of ${key(fp.topic, fp.partition)} failed`, err);
        const p = this.partitions.get(key(fp.topic, fp.partition));
        return {
          topic: fp.topic,
          partition: fp.partition,
          errorCode: code,
          highWatermark: p?.isLeader ? p.highWatermark : -1,
          lastStableOffset: p?.isLeader ? p.log.lastStableOffset : -1,
          logStartOffset: p?.isLeader ? p.log.logStartOffset : -1,
          records: null,
        };
      }
    });
  }

  /**
   * Whether a fetch at `fetchOffset` that read nothing has nothing more to read until the partition
   * changes (FetchPartitionResult.atEnd): a follower in the ISR at the (written) log end, as this
   * leader's record of it says (Partition.followerAttachedAt); a consumer
   * at the high watermark or last stable offset, unless a replica selector may send it elsewhere.
   */
  private isAtEnd(p: Partition, fetchOffset: number, replicaId: number, isolation: Isolation, client: { readonly rackId: string } | undefined): boolean {
    const log = p.log;
    if (replicaId >= 0) {
      return (
        p.isLeader &&
        p.isFollowerReplica(replicaId) &&
        p.isr.includes(replicaId) &&
        fetchOffset >= log.logEndOffset &&
        log.writtenEndOffset >= log.logEndOffset &&
        p.followerAttachedAt(replicaId, fetchOffset)
      );
    }
    if (client && this.o.replicaSelector) return false;
    if (isolation === 'txnCommitted') return fetchOffset >= log.lastStableOffset;
    return fetchOffset >= p.highWatermark;
  }

  /**
   * A follower that caught up goes back into the ISR (Kafka's maybeExpandIsr): the partition
   * proposes the ISR plus the follower (one proposal in flight at a time), written as `proposeIsr`
   * does. A stale version means the controller changed the partition; its LeaderAndIsr brings the
   * new state, and the next fetch proposes again.
   */
  private maybeExpandIsr(p: Partition, replicaId: number): void {
    const newIsr = this.o.isrUpdater ? p.isrExpansionFor(replicaId) : null;
    if (newIsr) this.proposeIsr(p, newIsr, 'Expanding');
  }

  /**
   * Kafka's maybeShrinkIsr over every partition this broker leads (run every
   * replica.lag.time.max.ms / 2): followers whose log end is not the leader's and who last caught up
   * longer ago than replica.lag.time.max.ms leave the ISR. The high watermark may then advance, and
   * acks=all produces waiting on the lagging followers complete.
   */
  maybeShrinkIsr(): void {
    const lag = this.o.replicaLagTimeMaxMs;
    if (!this.o.isrUpdater || lag === undefined) return;
    const now = this.now();
    for (const p of this.partitions.values()) {
      const newIsr = p.isrShrink(now, lag);
      if (newIsr) this.proposeIsr(p, newIsr, 'Shrinking');
    }
  }

  /**
   * A leader's ISR change (Kafka 2.x with ZooKeeper):
   * 1. mark the proposal in flight on the partition (no other until it is answered; meanwhile the
   *    high watermark counts members of both ISRs);
   * 2. write the state znode conditionally on the zkVersion the leader last saw;
   * 3. if it was written and this broker still leads that epoch, take the new ISR and zkVersion
   *    (the high watermark may move, and waiting produces and fetches are woken) and announce the
   *    change under /isr_change_notification for the controller.
   * The ISR this broker acts on changes only after ZooKeeper holds it, so the controller never
   * elects a replica the leader did not count.
   */
  private proposeIsr(p: Partition, newIsr: number[], what: 'Expanding' | 'Shrinking'): void {
    const updater = this.o.isrUpdater;
    if (!updater) return;
    const epoch = p.leaderEpoch;
    const tp = { topic: p.topic, partition: p.partition };
    const proposal = p.beginIsrUpdate(newIsr);
    const stillLeading = () => this.partitions.get(p.key) === p && p.isLeader && p.leaderEpoch === epoch;
    updater
      .updateIsr(tp, { leader: p.leaderId, leaderEpoch: epoch, isr: newIsr, controllerEpoch: p.controllerEpoch }, p.zkVersion)
      .then(async (zkVersion) => {
        if (zkVersion === null) {
          this.o.stateChangeLogger.info(
            `Cached zkVersion ${p.zkVersion} of ${p.key} is stale: not ${what.toLowerCase()} the ISR to [${newIsr.join(',')}]`,
          );
          return;
        }
        if (!stillLeading() || p.pendingIsr !== proposal) return;
        const before = p.isr.join(',');
        const oldIsr = p.isr;
        p.applyIsrUpdate(newIsr, zkVersion);
        this.onPartitionChanged(p);
        this.o.onIsrChange?.({ topic: p.topic, partition: p.partition, kind: what === 'Shrinking' ? 'shrink' : 'expand', leaderEpoch: epoch, oldIsr, newIsr });
        this.o.stateChangeLogger.info(
          `${what} ISR of ${p.key} from ${before} to ${newIsr.join(',')} ` +
            `(leader epoch ${epoch}, high watermark ${p.highWatermark}, log end ${p.log.logEndOffset})`,
        );
        await updater.propagateIsrChanges([tp]);
      })
      .catch((e) => this.o.logger.warn(`Could not change the ISR of ${p.key} to [${newIsr.join(',')}]`, e))
      .finally(() => {
        if (p.pendingIsr === proposal && p.endIsrUpdate()) this.onPartitionChanged(p);
      });
  }

  /**
   * OffsetForLeaderEpoch for one partition (Kafka's ReplicaManager.lastOffsetForLeaderEpoch): an
   * unknown partition is NOT_LEADER_OR_FOLLOWER when the metadata knows it, else
   * UNKNOWN_TOPIC_OR_PARTITION; the rest is Partition.lastOffsetForLeaderEpoch.
   */
  lastOffsetForLeaderEpoch(
    topic: string,
    partition: number,
    currentLeaderEpoch: number,
    leaderEpoch: number,
    leaderOnly: boolean,
  ): EpochEndOffset {
    const p = this.partitions.get(key(topic, partition));
    if (!p && this.offlinePartitions.has(key(topic, partition)))
      return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, leaderEpoch: -1, endOffset: -1 };
    if (!p) {
      const errorCode = this.o.metadataCache.partitionState(topic, partition)
        ? ErrorCode.NOT_LEADER_OR_FOLLOWER
        : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return { errorCode, leaderEpoch: -1, endOffset: -1 };
    }
    return p.lastOffsetForLeaderEpoch(currentLeaderEpoch, leaderEpoch, leaderOnly);
  }

  /**
   * A log directory failed (Kafka's ReplicaManager.handleLogDirFailure, minus the ZooKeeper
   * notification, which LogDirFailureHandler writes): each partition whose log lives in `dir`
   * loses its fetcher, is dropped and remembered as offline, and the produces and fetches waiting on
   * it are answered now. Returns the partitions that went offline.
   */
  handleLogDirFailure(dir: string): Partition[] {
    const failed = this.allPartitions().filter((p) => p.log.parentDir === dir);
    for (const p of failed) this.markPartitionOffline(p.key);
    this.onPartitionsChanged(failed);
    this.o.logger.warn(
      `Broker ${this.o.brokerId} stopped fetcher for partitions ${failed.map((p) => p.key).join(',') || '(none)'} ` +
        `because they are in the failed log directory ${dir}.`,
    );
    return failed;
  }

  /** The partition stops (no fetcher, not led) and is remembered as offline. */
  private markPartitionOffline(k: string): void {
    const p = this.partitions.get(k);
    this.fetcherManager.removePartition(k);
    this.alterLogDirsManager.removePartition(k);
    this.partitions.delete(k);
    this.offlinePartitions.add(k);
    if (p) p.leaderId = -1;
  }

  /**
   * Listens to every change of a partition that a fetch could see (an append, a high watermark or
   * log start move, leadership and ISR changes, a stopped replica): fetch sessions mark the
   * partition to be read again. It returns further fetch purgatory keys to check (the sessions whose
   * parked fetches watch it).
   */
  addPartitionChangeListener(listener: (keys: readonly string[]) => readonly string[]): void {
    this.changeListeners.push(listener);
  }

  /** After an append or a high watermark move, wake whoever waits on the partition. */
  onPartitionChanged(p: Partition): void {
    const k = p.key;
    this.fetcherManager.partitionChanged(k);
    this.producePurgatory.checkAndComplete(k);
    if (this.changeListeners.length === 0) {
      this.fetchPurgatory.checkAndComplete(k);
      return;
    }
    const keys = [k];
    for (const listener of this.changeListeners) for (const extra of listener([k])) keys.push(extra);
    if (keys.length === 1) this.fetchPurgatory.checkAndComplete(k);
    else this.fetchPurgatory.checkAndCompleteAll(keys);
  }

  /** After a change to many partitions at once: each waiting operation is re-tried once. */
  onPartitionsChanged(partitions: Iterable<Partition>): void {
    const keys = [...partitions].map((p) => p.key);
    for (const k of keys) this.fetcherManager.partitionChanged(k);
    this.producePurgatory.checkAndCompleteAll(keys);
    const extra: string[] = [];
    for (const listener of this.changeListeners) for (const k of listener(keys)) extra.push(k);
    this.fetchPurgatory.checkAndCompleteAll(extra.length === 0 ? keys : [...keys, ...extra]);
  }

  /** Closes purgatories; logs are closed by the LogManager. */
  shutdown(): void {
    if (this.isrShrinkTimer) clearInterval(this.isrShrinkTimer);
    this.isrShrinkTimer = null;
    this.fetcherManager.shutdown();
    this.alterLogDirsManager.shutdown();
    this.producePurgatory.shutdown();
    this.fetchPurgatory.shutdown();
  }
}

/** Kafka's acks values: -1 (all in-sync replicas), 0 (no answer), 1 (the leader). */
export function isValidRequiredAcks(requiredAcks: number): boolean {
  return requiredAcks === -1 || requiredAcks === 0 || requiredAcks === 1;
}

/**
 * Append refusals Kafka 2.8 logs: all but its appendToLocalLog's expected cases (unknown partition,
 * not the leader, too large, corrupt, storage error: EXPECTED_PRODUCE_ERRORS) and invalid records.
 * OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, NOT_ENOUGH_REPLICAS, … are logged at error
 * with their message, as Kafka's "Error processing append operation on partition" line is: the
 * account an operator needs when an idempotent producer stops on a sequence error.
 */
function loggedAppendError(err: unknown): err is KafkaError {
  return err instanceof KafkaError && !(err instanceof RecordValidationError) && !EXPECTED_PRODUCE_ERRORS.has(err.code);
}

function produceError(topic: string, partition: number, err: unknown, logger: Logger): ProducePartitionResult {
  if (!(err instanceof KafkaError)) logger.error(`append to ${key(topic, partition)} failed`, err);
  return {
    topic,
    partition,
    errorCode: err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR,
    errorMessage: err instanceof Error ? err.message : String(err),
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    ...(err instanceof RecordValidationError ? { recordErrors: err.recordErrors } : {}),
  };
}
