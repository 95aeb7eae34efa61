import { topicPartition, topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { buildBatch, ErrorCode, type ProducePartitionResult, type RecordInput } from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '@samsa/zk';
import type { Cancellable, CoordinatorTimer } from './CoordinatorTimer';
import { GroupMetadata } from './GroupMetadata';
import {
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
} from './GroupMetadataRecords';
import type { OffsetsByPartition } from './GroupOffsets';
import { replayLog, type OffsetsLog } from './GroupMetadataReplay';
import { noOffset, type OffsetAndMetadata, type OffsetFetchPartitionData } from './GroupResults';
import type { OffsetConfig } from './OffsetConfig';
import { partitionFor } from './partitionFor';

/**
 * What the manager needs of the ReplicaManager: the broker wires the real one in (it fits
 * structurally); tests give a store in memory. The coordinator never sees a log otherwise.
 * Every append of the coordinator is made with origin 'coordinator' (Kafka's appendForGroup uses
 * AppendOrigin.Coordinator): its transactional offset commits carry a producer id without the
 * client's sequence checks.
 */
export interface CoordinatorReplicaManager {
  appendRecords(
    timeoutMs: number,
    requiredAcks: number,
    entries: readonly { topic: string; partition: number; records: Buffer | null }[],
    onLocalComplete: undefined,
    /** Always 'coordinator' (storage's AppendOrigin; the ReplicaManager takes any origin). */
    origin: 'coordinator',
  ): Promise<ProducePartitionResult[]>;
  getPartition(
    topic: string,
    partition: number,
  ): { readonly isLeader: boolean; readonly log: OffsetsLog & { readonly logEndOffset: number } } | undefined;
}

/** Offsets to commit, by topicPartitionKey. */
export type OffsetCommits = ReadonlyMap<
  string,
  { readonly tp: TopicPartition; readonly offsetAndMetadata: OffsetAndMetadata }
>;

/** The producer of a transactional offset commit (TxnOffsetCommit). */
export interface TxnProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** `__consumer_offsets-<n>`, as the coordinator's log lines name an offsets partition. */
function offsetsTopicPartitionName(offsetsPartition: number): string {
  return topicPartitionKey(topicPartition(GROUP_METADATA_TOPIC_NAME, offsetsPartition));
}

/**
 * What a client is told when the coordinator's append failed (Kafka's mapping in storeGroup and
 * storeOffsets): the offsets partition unavailable or short of replicas → COORDINATOR_NOT_AVAILABLE;
 * not its leader or its disk failed → NOT_COORDINATOR; a batch too large → `tooLarge`; a
 * replication timeout → `timeout` when given; anything else as it is.
 */
function appendErrorToClientError(error: number, map: { timeout?: number; tooLarge: number }): number {
  switch (error) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.REQUEST_TIMED_OUT:
      return map.timeout ?? error;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return map.tooLarge;
    default:
      return error;
  }
}

/**
 * The groups this broker coordinates and how they are stored (Kafka's GroupMetadataManager):
 * 1. the cache of groups, and which __consumer_offsets partitions this broker owns or is loading;
 * 2. storing a group's metadata and offsets by appending records to its offsets partition through
 *    the ReplicaManager (offsets.commit.timeout.ms, offsets.commit.required.acks);
 * 3. loading a partition when this broker becomes its leader, and unloading it when it stops —
 *    one at a time, in the order asked (Kafka's single-thread scheduler);
 * 4. every offsets.retention.check.interval.ms, removing expired offsets and writing tombstones.
 */
export class GroupMetadataManager {
  private readonly groupMetadataCache = new Map<string, GroupMetadata>();
  private readonly loadingPartitions = new Set<number>();
  private readonly ownedPartitions = new Set<number>();
  /** Leader epoch of the last load or unload of each partition, to drop reordered requests. */
  private readonly epochForPartitionId = new Map<number, number>();
  /** Groups with transactional offset commits pending, by producer id (Kafka's openGroupsForProducer). */
  private readonly openGroupsForProducer = new Map<number, Set<string>>();
  private groupMetadataTopicPartitionCount: number;
  private shuttingDown = false;
  /** Loads and unloads, one after another. */
  private scheduler: Promise<void> = Promise.resolve();
  private expirationTask: Cancellable | null = null;

  constructor(
    readonly brokerId: number,
    private readonly config: OffsetConfig,
    private readonly replicaManager: CoordinatorReplicaManager,
    private readonly timer: CoordinatorTimer,
    private readonly logger: Logger,
  ) {
    this.groupMetadataTopicPartitionCount = config.offsetsTopicNumPartitions;
  }

  /** `partitionCount`: the partitions __consumer_offsets has (or will be created with). */
  startup(partitionCount: number, enableMetadataExpiration = true): void {
    this.groupMetadataTopicPartitionCount = partitionCount;
    if (enableMetadataExpiration) this.scheduleExpiration();
  }

  private scheduleExpiration(): void {
    this.expirationTask = this.timer.schedule(this.config.offsetsRetentionCheckIntervalMs, () => {
      if (this.shuttingDown) return;
      try {
        this.cleanupExpiredOffsets();
      } catch (e) {
        this.logger.error('Removing expired offsets failed', e);
      }
      this.scheduleExpiration();
    });
  }

  /** Stops loading and the expiration task; resolves when a load in progress has stopped. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.expirationTask?.cancel();
    this.expirationTask = null;
    await this.scheduler;
  }

  /** Kafka's NumGroups gauge: groups cached by this coordinator. */
  get numGroups(): number {
    return this.groupMetadataCache.size;
  }

  /** Kafka's NumOffsets gauge: committed offsets cached over every group. */
  get numOffsets(): number {
    let n = 0;
    for (const g of this.groupMetadataCache.values()) n += g.offsets.numOffsets;
    return n;
  }

  get currentGroups(): GroupMetadata[] {
    return [...this.groupMetadataCache.values()];
  }

  isPartitionOwned(partition: number): boolean {
    return this.ownedPartitions.has(partition);
  }

  isPartitionLoading(partition: number): boolean {
    return this.loadingPartitions.has(partition);
  }

  partitionFor(groupId: string): number {
    return partitionFor(groupId, this.groupMetadataTopicPartitionCount);
  }

  isGroupLocal(groupId: string): boolean {
    return this.isPartitionOwned(this.partitionFor(groupId));
  }

  isGroupLoading(groupId: string): boolean {
    return this.isPartitionLoading(this.partitionFor(groupId));
  }

  get isLoading(): boolean {
    return this.loadingPartitions.size > 0;
  }

  /** This broker coordinates the group and has no live group by that id. */
  groupNotExists(groupId: string): boolean {
    if (!this.isGroupLocal(groupId)) return false;
    const g = this.groupMetadataCache.get(groupId);
    return g === undefined || g.is('Dead');
  }

  getGroup(groupId: string): GroupMetadata | undefined {
    return this.groupMetadataCache.get(groupId);
  }

  getOrMaybeCreateGroup(groupId: string, createIfNotExist: boolean): GroupMetadata | undefined {
    const g = this.groupMetadataCache.get(groupId);
    if (g || !createIfNotExist) return g;
    return this.addGroup(new GroupMetadata(groupId, 'Empty', () => this.timer.now()));
  }

  /** Adds the group unless one by that id is cached; returns the cached one. */
  addGroup(group: GroupMetadata): GroupMetadata {
    const current = this.groupMetadataCache.get(group.groupId);
    if (current) return current;
    this.groupMetadataCache.set(group.groupId, group);
    return group;
  }

  private offsetsPartition(groupId: string): number {
    return this.partitionFor(groupId);
  }

  /** Kafka's getMagic: is the group's offsets partition a replica here at all? */
  private hasLocalReplica(partition: number): boolean {
    return this.replicaManager.getPartition(GROUP_METADATA_TOPIC_NAME, partition) !== undefined;
  }

  /**
   * One batch of the coordinator's records; a transactional offset commit's batch carries the
   * producer's id and epoch, base sequence 0 and the transactional bit (Kafka's storeOffsets).
   */
  private batch(records: readonly RecordInput[], producer: TxnProducer | null = null): Buffer {
    return buildBatch(records, {
      compression: this.config.offsetsTopicCompressionCodec,
      baseTimestamp: this.timer.now(),
      ...(producer && {
        producerId: producer.producerId,
        producerEpoch: producer.producerEpoch,
        baseSequence: 0,
        isTransactional: true,
      }),
    });
  }

  private async append(
    partition: number,
    records: Buffer,
    requiredAcks = this.config.offsetCommitRequiredAcks,
  ): Promise<ProducePartitionResult> {
    const [result] = await this.replicaManager.appendRecords(
      this.config.offsetCommitTimeoutMs,
      requiredAcks,
      [{ topic: GROUP_METADATA_TOPIC_NAME, partition, records }],
      undefined,
      'coordinator',
    );
    return result;
  }

  /**
   * Writes the group's metadata with `assignment` (member id → assignment bytes). Resolves to the
   * error for the client: append errors become COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR or
   * REBALANCE_IN_PROGRESS (a timeout), as in Kafka.
   */
  async storeGroup(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): Promise<number> {
    const partition = this.offsetsPartition(group.groupId);
    if (!this.hasLocalReplica(partition)) return ErrorCode.NOT_COORDINATOR;
    const records = this.batch([
      { key: groupMetadataKey(group.groupId), value: groupMetadataValue(group, assignment) },
    ]);
    const generation = group.generationId;
    const status = await this.append(partition, records);
    if (status.errorCode === ErrorCode.NONE) return ErrorCode.NONE;
    this.logger.debug(
      `Metadata from group ${group.groupId} with generation ${generation} failed when appending to log: error ${status.errorCode}`,
    );
    const error = appendErrorToClientError(status.errorCode, {
      timeout: ErrorCode.REBALANCE_IN_PROGRESS,
      tooLarge: ErrorCode.UNKNOWN_SERVER_ERROR,
    });
    if (error === ErrorCode.UNKNOWN_SERVER_ERROR) {
      this.logger.error(
        `Appending metadata of group ${group.groupId} generation ${generation} failed: error ${status.errorCode}`,
      );
    }
    return error;
  }

  private validOffsetMetadataLength(metadata: string | null): boolean {
    return metadata === null || metadata.length <= this.config.maxMetadataSize;
  }

  /**
   * Commits offsets (Kafka's storeOffsets): metadata longer than offset.metadata.max.bytes is
   * OFFSET_METADATA_TOO_LARGE; the rest is appended as one batch, marked pending in the group
   * meanwhile, and becomes the group's committed offsets when the append succeeds. Resolves to an
   * error per partition (by topicPartitionKey).
   * With a `producer` (TxnOffsetCommit) the batch is transactional and the offsets stay pending
   * for that producer until its transaction's marker is written (handleTxnCompletion).
   */
  async storeOffsets(
    group: GroupMetadata,
    offsets: OffsetCommits,
    producer: TxnProducer | null = null,
  ): Promise<Map<string, number>> {
    const valid = new Map(
      [...offsets].filter(([, o]) => this.validOffsetMetadataLength(o.offsetAndMetadata.metadata)),
    );
    const answer = (error: number) =>
      new Map(
        [...offsets].map(([k, o]) => [
          k,
          this.validOffsetMetadataLength(o.offsetAndMetadata.metadata)
            ? error
            : ErrorCode.OFFSET_METADATA_TOO_LARGE,
        ]),
      );
    if (!group.offsets.hasReceivedConsistentOffsetCommits) {
      this.logger.warn(
        `group: ${group.groupId} with leader: ${group.leaderOrNull} has received offset commits from consumers as well as transactional producers. Mixing both types of offset commits will generally result in surprises and should be avoided.`,
      );
    }
    if (valid.size === 0) return answer(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    const partition = this.offsetsPartition(group.groupId);
    if (!this.hasLocalReplica(partition)) return answer(ErrorCode.NOT_COORDINATOR);

    const records = this.batch(
      [...valid.values()].map(({ tp, offsetAndMetadata }) => ({
        key: offsetCommitKey(group.groupId, tp),
        value: offsetCommitValue(offsetAndMetadata),
      })),
      producer,
    );
    if (producer) {
      this.addProducerGroup(producer.producerId, group.groupId);
      // Only the offsets written: Kafka 2.8 also marks those refused for their metadata, which
      // then can never complete (its completion throws on a commit without a batch offset).
      group.offsets.prepareTxnOffsetCommit(producer.producerId, valid.values());
    } else {
      group.offsets.prepareOffsetCommit(valid.values());
    }
    const status = await this.append(partition, records);
    if (status.errorCode === ErrorCode.NONE) {
      if (!group.is('Dead')) {
        for (const { tp, offsetAndMetadata } of valid.values()) {
          const commit = { appendedBatchOffset: status.baseOffset, offsetAndMetadata };
          if (producer) group.offsets.onTxnOffsetCommitAppend(producer.producerId, tp, commit);
          else group.offsets.onOffsetCommitAppend(tp, commit);
        }
      }
      return answer(ErrorCode.NONE);
    }
    if (!group.is('Dead')) {
      for (const { tp, offsetAndMetadata } of valid.values()) {
        if (producer) group.offsets.failPendingTxnOffsetCommit(producer.producerId, tp);
        else group.offsets.failPendingOffsetWrite(tp, offsetAndMetadata);
      }
      if (producer && !group.offsets.hasPendingOffsetCommitsFromProducer(producer.producerId))
        this.removeProducerGroup(producer.producerId, group.groupId);
    }
    this.logger.debug(
      `Offset commit of group ${group.groupId} failed when appending to log: error ${status.errorCode}`,
    );
    return answer(
      appendErrorToClientError(status.errorCode, { tooLarge: ErrorCode.INVALID_COMMIT_OFFSET_SIZE }),
    );
  }

  /**
   * Committed offsets of a group: of `tps`, or of every partition it has offsets for when null.
   * A partition without an offset gets -1. Never a stale offset: a partition with a commit in
   * flight answers UNSTABLE_OFFSET_COMMIT when `requireStable`.
   */
  getOffsets(
    groupId: string,
    requireStable: boolean,
    tps: readonly TopicPartition[] | null,
  ): { tp: TopicPartition; data: OffsetFetchPartitionData }[] {
    const group = this.groupMetadataCache.get(groupId);
    if (!group || group.is('Dead')) return (tps ?? []).map((tp) => ({ tp, data: noOffset() }));
    return (tps ?? group.offsets.allOffsets.map((o) => o.tp)).map((tp) => {
      if (requireStable && group.offsets.hasPendingOffsetCommitsForTopicPartition(tp))
        return { tp, data: noOffset(ErrorCode.UNSTABLE_OFFSET_COMMIT) };
      const o = group.offsets.offset(tp);
      if (!o) return { tp, data: noOffset() };
      return {
        tp,
        data: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, error: ErrorCode.NONE },
      };
    });
  }

  // ---- transactions ------------------------------------------------------------------------------

  /**
   * A COMMIT or ABORT marker of `producerId` is written to `completedPartitions` of
   * __consumer_offsets (WriteTxnMarkers): the producer's pending offsets in the groups of those
   * partitions become committed or are dropped. Runs on the scheduler, after any load already
   * scheduled, as Kafka's scheduleHandleTxnCompletion: a load in progress for the partition first
   * brings the pending offsets from the log, then the completion applies to them.
   */
  scheduleHandleTxnCompletion(
    producerId: number,
    completedPartitions: readonly number[],
    isCommit: boolean,
  ): void {
    const partitions = new Set(completedPartitions);
    this.schedule(`handleTxnCompletion-${producerId}`, () =>
      this.handleTxnCompletion(producerId, partitions, isCommit),
    );
  }

  /** Kafka's handleTxnCompletion (the scheduled task; exposed for tests). */
  handleTxnCompletion(producerId: number, completedPartitions: ReadonlySet<number>, isCommit: boolean): void {
    const groups = [...(this.openGroupsForProducer.get(producerId) ?? [])].filter((g) =>
      completedPartitions.has(this.partitionFor(g)),
    );
    for (const groupId of groups) {
      const group = this.groupMetadataCache.get(groupId);
      if (!group) {
        this.logger.info(
          `Group ${groupId} has moved away from ${this.brokerId} after transaction marker was written but before the cache was updated. The cache on the new group owner will be updated instead.`,
        );
        this.removeProducerGroup(producerId, groupId);
        continue;
      }
      if (group.is('Dead')) {
        this.removeProducerGroup(producerId, groupId);
        continue;
      }
      group.offsets.completePendingTxnOffsetCommit(producerId, isCommit);
      this.removeProducerGroup(producerId, groupId);
    }
  }

  /** Is a transactional commit of `producerId` pending in `groupId`? (Kafka's isGroupOpenForProducer) */
  isGroupOpenForProducer(producerId: number, groupId: string): boolean {
    return this.openGroupsForProducer.get(producerId)?.has(groupId) ?? false;
  }

  private addProducerGroup(producerId: number, groupId: string): void {
    let groups = this.openGroupsForProducer.get(producerId);
    if (!groups) this.openGroupsForProducer.set(producerId, (groups = new Set()));
    groups.add(groupId);
  }

  private removeProducerGroup(producerId: number, groupId: string): void {
    const groups = this.openGroupsForProducer.get(producerId);
    if (!groups) return;
    groups.delete(groupId);
    if (groups.size === 0) this.openGroupsForProducer.delete(producerId);
  }

  private removeGroupFromAllProducers(groupId: string): void {
    for (const [producerId, groups] of this.openGroupsForProducer) {
      groups.delete(groupId);
      if (groups.size === 0) this.openGroupsForProducer.delete(producerId);
    }
  }

  // ---- loading and unloading ---------------------------------------------------------------------

  private schedule(name: string, task: () => Promise<void> | void): void {
    this.scheduler = this.scheduler.then(task).catch((e) => this.logger.error(`${name} failed`, e));
  }

  /** Loads `offsetsPartition` in the background; its groups answer COORDINATOR_LOAD_IN_PROGRESS meanwhile. */
  scheduleLoadGroupAndOffsets(
    offsetsPartition: number,
    coordinatorEpoch: number,
    onGroupLoaded: (g: GroupMetadata) => void,
  ): void {
    const tp = offsetsTopicPartitionName(offsetsPartition);
    this.logger.info(
      `Scheduling loading of offsets and group metadata from ${tp} for epoch ${coordinatorEpoch}`,
    );
    const startMs = this.timer.now();
    // Marked loading at once, so requests arriving before the task runs are told to wait.
    if (
      this.maybeUpdateCoordinatorEpoch(offsetsPartition, coordinatorEpoch) &&
      !this.ownedPartitions.has(offsetsPartition)
    ) {
      this.loadingPartitions.add(offsetsPartition);
    }
    this.schedule(`loading ${tp}`, () =>
      this.loadGroupsAndOffsets(offsetsPartition, coordinatorEpoch, onGroupLoaded, startMs),
    );
  }

  private async loadGroupsAndOffsets(
    offsetsPartition: number,
    coordinatorEpoch: number,
    onGroupLoaded: (g: GroupMetadata) => void,
    startMs: number,
  ): Promise<void> {
    const tp = offsetsTopicPartitionName(offsetsPartition);
    if (this.epochForPartitionId.get(offsetsPartition) !== coordinatorEpoch) {
      this.logger.info(
        `Not loading ${tp} in epoch ${coordinatorEpoch}: the current epoch is ${this.epochForPartitionId.get(offsetsPartition)}`,
      );
      return;
    }
    if (this.ownedPartitions.has(offsetsPartition)) {
      this.logger.info(`Already loaded offsets and group metadata from ${tp}`);
      return;
    }
    if (!this.loadingPartitions.has(offsetsPartition)) {
      // unloaded again before this task ran
      return;
    }
    try {
      await this.doLoadGroupsAndOffsets(offsetsPartition, onGroupLoaded);
      this.logger.info(
        `Finished loading offsets and group metadata from ${tp} in ${this.timer.now() - startMs} milliseconds for epoch ${coordinatorEpoch}`,
      );
    } catch (e) {
      this.logger.error(`Error loading offsets from ${tp}`, e);
    } finally {
      if (this.loadingPartitions.delete(offsetsPartition)) this.ownedPartitions.add(offsetsPartition);
    }
  }

  private async doLoadGroupsAndOffsets(
    offsetsPartition: number,
    onGroupLoaded: (g: GroupMetadata) => void,
  ): Promise<void> {
    const partition = this.replicaManager.getPartition(GROUP_METADATA_TOPIC_NAME, offsetsPartition);
    if (!partition) {
      this.logger.warn(
        `Attempted to load offsets and group metadata from ${offsetsTopicPartitionName(offsetsPartition)}, but found no log`,
      );
      return;
    }
    const log = partition.log;
    const replayed = await replayLog(log, {
      loadBufferSize: this.config.loadBufferSize,
      // -1 as soon as this broker stops leading the partition: the load stops there
      logEndOffset: () => {
        const p = this.replicaManager.getPartition(GROUP_METADATA_TOPIC_NAME, offsetsPartition);
        return p === partition && p.isLeader ? p.log.logEndOffset : -1;
      },
      shouldStop: () => this.shuttingDown || !this.loadingPartitions.has(offsetsPartition),
      now: () => this.timer.now(),
    });
    if (this.shuttingDown || !this.loadingPartitions.has(offsetsPartition)) return;
    for (const [producerId, groupIds] of replayed.pendingTxnGroups)
      for (const groupId of groupIds) this.addProducerGroup(producerId, groupId);
    for (const group of [...replayed.groups, ...replayed.offsetOnlyGroups]) {
      const current = this.addGroup(group);
      if (current !== group) {
        this.logger.debug(
          `Attempt to load group ${group.groupId} from log with generation ${group.generationId} failed: a group with generation ${current.generationId} is cached`,
        );
        continue;
      }
      onGroupLoaded(group);
    }
    for (const groupId of replayed.removedGroups) {
      if (
        this.groupMetadataCache.has(groupId) &&
        !replayed.offsetOnlyGroups.some((g) => g.groupId === groupId)
      ) {
        this.logger.warn(
          `Group ${groupId} is cached while its metadata record in ${offsetsTopicPartitionName(offsetsPartition)} is a tombstone`,
        );
      }
    }
  }

  /**
   * Unloads `offsetsPartition`: stops owning it and drops its groups after `onGroupUnloaded` (which
   * answers what the groups' members have parked). An unload of an older epoch than the last load
   * is ignored. Runs at once; a load in progress for the partition stops at its next read.
   */
  removeGroupsForPartition(
    offsetsPartition: number,
    coordinatorEpoch: number | null,
    onGroupUnloaded: (g: GroupMetadata) => void,
  ): void {
    const tp = offsetsTopicPartitionName(offsetsPartition);
    if (!this.maybeUpdateCoordinatorEpoch(offsetsPartition, coordinatorEpoch)) {
      this.logger.info(
        `Not removing offsets and group metadata for ${tp} in epoch ${coordinatorEpoch}: the current epoch is ${this.epochForPartitionId.get(offsetsPartition)}`,
      );
      return;
    }
    this.ownedPartitions.delete(offsetsPartition);
    this.loadingPartitions.delete(offsetsPartition);
    let numGroupsRemoved = 0;
    let numOffsetsRemoved = 0;
    for (const group of this.currentGroups) {
      if (this.partitionFor(group.groupId) !== offsetsPartition) continue;
      onGroupUnloaded(group);
      if (this.groupMetadataCache.get(group.groupId) === group) this.groupMetadataCache.delete(group.groupId);
      this.removeGroupFromAllProducers(group.groupId);
      numGroupsRemoved++;
      numOffsetsRemoved += group.offsets.numOffsets;
    }
    this.logger.info(
      `Finished unloading ${tp} for coordinator epoch ${coordinatorEpoch}. Removed ${numOffsetsRemoved} cached offsets and ${numGroupsRemoved} cached groups.`,
    );
  }

  /** Records `epoch` if newer; true when the caller may go on (no epoch given, or ≥ the last one). */
  private maybeUpdateCoordinatorEpoch(partition: number, epoch: number | null): boolean {
    const current = this.epochForPartitionId.get(partition);
    if (epoch === null) return true;
    if (current === undefined || epoch > current) {
      this.epochForPartitionId.set(partition, epoch);
      return true;
    }
    return epoch === current;
  }

  // ---- expiration and deletion -------------------------------------------------------------------

  /** The periodic task: expired offsets of every group (Kafka's cleanupGroupMetadata()). */
  cleanupExpiredOffsets(): number {
    const now = this.timer.now();
    const removed = this.cleanupGroupMetadata(this.currentGroups, (g) =>
      g.removeExpiredOffsets(now, this.config.offsetsRetentionMs),
    );
    if (removed > 0)
      this.logger.info(`Removed ${removed} expired offsets in ${this.timer.now() - now} milliseconds.`);
    return removed;
  }

  /**
   * Removes what `selector` picks from each group, turns a group left Empty without offsets Dead,
   * and writes tombstones: one per removed offset, and one for the metadata of a Dead group that
   * had a generation (a group only committing offsets never wrote any). The tombstones are not
   * waited for: a lost one is written again by the next check. Returns the offsets removed.
   */
  cleanupGroupMetadata(
    groups: readonly GroupMetadata[],
    selector: (g: GroupMetadata) => OffsetsByPartition,
  ): number {
    let offsetsRemoved = 0;
    for (const group of groups) {
      const removed = selector(group);
      if (group.is('Empty') && !group.hasOffsets) {
        this.logger.info(`Group ${group.groupId} transitioned to Dead in generation ${group.generationId}`);
        group.transitionTo('Dead');
      }
      const partition = this.offsetsPartition(group.groupId);
      if (!this.hasLocalReplica(partition)) {
        this.logger.info(`Broker ${this.brokerId} is no longer a coordinator for the group ${group.groupId}`);
        continue;
      }
      const now = this.timer.now();
      const tombstones: RecordInput[] = removed.keys().map((tp) => ({
        key: offsetCommitKey(group.groupId, tp),
        value: null,
        timestamp: now,
      }));
      if (group.is('Dead') && this.groupMetadataCache.get(group.groupId) === group) {
        this.groupMetadataCache.delete(group.groupId);
        this.removeGroupFromAllProducers(group.groupId);
        if (group.generationId > 0)
          tombstones.push({ key: groupMetadataKey(group.groupId), value: null, timestamp: now });
      }
      if (tombstones.length === 0) continue;
      offsetsRemoved += removed.size;
      this.append(partition, this.batch(tombstones), 1)
        .then((r) => {
          if (r.errorCode !== ErrorCode.NONE)
            this.logger.warn(
              `Failed to append ${tombstones.length} tombstones of group ${group.groupId}: error ${r.errorCode}`,
            );
        })
        .catch((e) =>
          this.logger.error(`Failed to append ${tombstones.length} tombstones of group ${group.groupId}`, e),
        );
    }
    return offsetsRemoved;
  }
}
