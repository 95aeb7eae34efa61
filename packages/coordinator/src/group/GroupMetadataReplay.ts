import { TopicPartitionMap, topicPartitionKey, type TopicPartition } from '@samsa/common';
import {
  ControlRecordType,
  decodeBatches,
  decodeControlRecordType,
  isControl,
  isTransactional,
  lastOffsetOf,
} from '@samsa/protocol';
import { GroupMetadata } from './GroupMetadata';
import type { CommitRecordMetadataAndOffset, PendingTxnOffsetCommit } from './GroupOffsets';
import { readGroupMessageValue, readMessageKey, readOffsetMessageValue } from './GroupMetadataRecords';

/** What one __consumer_offsets partition holds once replayed. */
export interface ReplayedPartition {
  /** Groups with a metadata record, their offsets initialized. */
  readonly groups: GroupMetadata[];
  /** Groups that only commit offsets (no metadata record): Empty groups holding those offsets. */
  readonly offsetOnlyGroups: GroupMetadata[];
  /** Groups whose last metadata record is a tombstone. */
  readonly removedGroups: string[];
  /**
   * Groups with transactional offset commits no marker has ended yet, by producer id: their
   * offsets are pending in the groups above, and a later marker completes them.
   */
  readonly pendingTxnGroups: ReadonlyMap<number, ReadonlySet<string>>;
}

/** One offset of the replay: its group, partition and commit. */
interface LoadedOffset {
  readonly groupId: string;
  readonly tp: TopicPartition;
  readonly commit: CommitRecordMetadataAndOffset;
}

/** What the log of a __consumer_offsets partition must offer for loading. */
export interface OffsetsLog {
  readonly logStartOffset: number;
  read(
    startOffset: number,
    maxLength: number,
    opts: { isolation: 'logEnd'; minOneMessage: boolean },
  ): { records: { readonly sizeInBytes: number; read(): Promise<Buffer> } };
  /**
   * Resolves when every append so far is written: reads stop at the bytes write(2) has returned
   * for, so a tail still queued (write-behind) reads as nothing until then.
   */
  whenWritten?(): Promise<void>;
}

/**
 * Replays the records of one __consumer_offsets partition in log order (Kafka's
 * doLoadGroupsAndOffsets): the last record of each key wins, a tombstone removes what came before.
 * Each commit keeps the offset of its batch, which orders it against commits appended after the
 * load. Offsets of transactional batches (TxnOffsetCommit) are held per producer until a control
 * batch of that producer ends its transaction: COMMIT makes them committed (unless a later batch
 * holds a newer commit), ABORT drops them; those no marker ended yet stay pending in their group.
 */
export class GroupMetadataReplay {
  /** By `<groupId>NUL<topicPartitionKey>`: log order across groups decides which group is built first. */
  private readonly loadedOffsets = new Map<string, LoadedOffset>();
  /** Transactional commits by producer id, then by the same key as loadedOffsets. */
  private readonly pendingOffsets = new Map<number, Map<string, LoadedOffset>>();
  private readonly loadedGroups = new Map<string, GroupMetadata>();
  private readonly removedGroups = new Set<string>();

  constructor(private readonly now: () => number) {}

  /**
   * Applies the whole batches in `records` (decoded, decompressed, CRC-checked); returns the offset
   * after the last one, or null when `records` held no whole batch.
   */
  applyBatches(records: Buffer): number | null {
    let next: number | null = null;
    for (const batch of decodeBatches(records)) {
      next = lastOffsetOf(batch.header) + 1;
      const producerId = batch.header.producerId;
      if (isControl(batch.header.attributes)) {
        if (batch.records.length > 0) this.applyControlRecord(producerId, batch.records[0].key);
        continue;
      }
      const txn = isTransactional(batch.header.attributes);
      let pending: Map<string, LoadedOffset> | undefined;
      if (txn) {
        pending = this.pendingOffsets.get(producerId);
        if (!pending) this.pendingOffsets.set(producerId, (pending = new Map()));
      }
      const offsets = pending ?? this.loadedOffsets;
      const batchBaseOffset = batch.records.length > 0 ? batch.records[0].offset : batch.header.baseOffset;
      for (const record of batch.records) {
        if (record.key === null)
          throw new Error(`a record of __consumer_offsets at offset ${record.offset} has no key`);
        const key = readMessageKey(record.key);
        if (key.kind === 'offset') {
          const k = `${key.groupId}\u0000${topicPartitionKey(key.tp)}`;
          const value = readOffsetMessageValue(record.value);
          if (value === null) offsets.delete(k);
          else
            offsets.set(k, {
              groupId: key.groupId,
              tp: key.tp,
              commit: { appendedBatchOffset: batchBaseOffset, offsetAndMetadata: value },
            });
        } else {
          const group = readGroupMessageValue(key.groupId, record.value, this.now);
          if (group !== null) {
            this.removedGroups.delete(key.groupId);
            this.loadedGroups.set(key.groupId, group);
          } else {
            this.loadedGroups.delete(key.groupId);
            this.removedGroups.add(key.groupId);
          }
        }
      }
    }
    return next;
  }

  /**
   * A control batch of `producerId`: its transaction ended here. A COMMIT makes the producer's
   * pending offsets committed unless a later batch holds one; any marker ends its pending offsets.
   */
  private applyControlRecord(producerId: number, key: Buffer | null): void {
    if (decodeControlRecordType(key) === ControlRecordType.COMMIT) {
      for (const [k, loaded] of this.pendingOffsets.get(producerId) ?? []) {
        const current = this.loadedOffsets.get(k);
        if (!current || current.commit.appendedBatchOffset < loaded.commit.appendedBatchOffset)
          this.loadedOffsets.set(k, loaded);
      }
    }
    this.pendingOffsets.delete(producerId);
  }

  /** The groups, each with its offsets; offsets without a group make an Empty group of their own. */
  result(): ReplayedPartition {
    const offsetsByGroup = new Map<string, [TopicPartition, CommitRecordMetadataAndOffset][]>();
    for (const { groupId, tp, commit } of this.loadedOffsets.values()) {
      let list = offsetsByGroup.get(groupId);
      if (!list) offsetsByGroup.set(groupId, (list = []));
      list.push([tp, commit]);
    }
    // still pending at the end of the log: by group, then producer
    const pendingByGroup = new Map<string, Map<number, TopicPartitionMap<PendingTxnOffsetCommit>>>();
    const pendingTxnGroups = new Map<number, Set<string>>();
    for (const [producerId, offsets] of this.pendingOffsets) {
      for (const { groupId, tp, commit } of offsets.values()) {
        let byProducer = pendingByGroup.get(groupId);
        if (!byProducer) pendingByGroup.set(groupId, (byProducer = new Map()));
        let tps = byProducer.get(producerId);
        if (!tps) byProducer.set(producerId, (tps = new TopicPartitionMap()));
        tps.set(tp, commit);
        let groups = pendingTxnGroups.get(producerId);
        if (!groups) pendingTxnGroups.set(producerId, (groups = new Set()));
        groups.add(groupId);
      }
    }
    const groups = [...this.loadedGroups.values()];
    for (const g of groups)
      g.offsets.initializeOffsets(offsetsByGroup.get(g.groupId) ?? [], pendingByGroup.get(g.groupId));
    const offsetOnlyGroups: GroupMetadata[] = [];
    for (const groupId of new Set([...offsetsByGroup.keys(), ...pendingByGroup.keys()])) {
      if (this.loadedGroups.has(groupId)) continue;
      const g = new GroupMetadata(groupId, 'Empty', this.now);
      g.offsets.initializeOffsets(offsetsByGroup.get(groupId) ?? [], pendingByGroup.get(groupId));
      offsetOnlyGroups.push(g);
    }
    return { groups, offsetOnlyGroups, removedGroups: [...this.removedGroups], pendingTxnGroups };
  }
}

/** How a coordinator reads its partition when it loads it. */
export interface CoordinatorLoadOptions {
  readonly loadBufferSize: number;
  /** The partition's log end; -1 once this broker no longer leads it. */
  readonly logEndOffset: () => number;
  /** True once the load should stop (shutdown, or the partition unloaded). */
  readonly shouldStop: () => boolean;
}

/**
 * Reads a coordinator's partition from its log start to `logEndOffset()` in chunks of
 * `loadBufferSize` (the first batch whole even when larger), handing each chunk's bytes to `apply`,
 * which answers the offset after its last batch (null: nothing in it). Stops early when
 * `logEndOffset()` says -1 (this broker no longer leads the partition) or `shouldStop()`. The group
 * and the transaction coordinators both load this way (Kafka's doLoadGroupsAndOffsets and
 * loadTransactionMetadata).
 */
export async function readCoordinatorLog(
  log: OffsetsLog,
  opts: CoordinatorLoadOptions,
  apply: (bytes: Buffer) => number | null,
): Promise<void> {
  let currOffset = log.logStartOffset;
  while (currOffset < opts.logEndOffset() && !opts.shouldStop()) {
    let info = log.read(currOffset, opts.loadBufferSize, { isolation: 'logEnd', minOneMessage: true });
    if (info.records.sizeInBytes === 0 && log.whenWritten) {
      // Below the log end yet nothing to read: the tail is still queued for write(2).
      await log.whenWritten().catch(() => undefined);
      if (currOffset >= opts.logEndOffset() || opts.shouldStop()) break;
      info = log.read(currOffset, opts.loadBufferSize, { isolation: 'logEnd', minOneMessage: true });
    }
    if (info.records.sizeInBytes === 0) break;
    const next = apply(await info.records.read());
    if (next === null || next <= currOffset) break;
    currOffset = next;
  }
}

/** Reads a partition of __consumer_offsets (readCoordinatorLog) and replays it. */
export async function replayLog(
  log: OffsetsLog,
  opts: CoordinatorLoadOptions & { now: () => number },
): Promise<ReplayedPartition> {
  const replay = new GroupMetadataReplay(opts.now);
  await readCoordinatorLog(log, opts, (bytes) => replay.applyBatches(bytes));
  return replay.result();
}
