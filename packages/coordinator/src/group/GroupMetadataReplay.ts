import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import { decodeBatches, isControl, lastOffsetOf } from '@samsa/protocol';
import { GroupMetadata } from './GroupMetadata';
import type { CommitRecordMetadataAndOffset } from './GroupOffsets';
import { readGroupMessageValue, readMessageKey, readOffsetMessageValue } from './GroupMetadataRecords';

/** What one __consumer_offsets partition holds once replayed. */
export interface ReplayedPartition {
  /** Groups with a metadata record, their offsets initialized. */
  readonly groups: GroupMetadata[];
  /** Groups that only commit offsets (no metadata record): Empty groups holding those offsets. */
  readonly offsetOnlyGroups: GroupMetadata[];
  /** Groups whose last metadata record is a tombstone. */
  readonly removedGroups: string[];
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
 * doLoadGroupsAndOffsets): the last record of each key wins, a tombstone removes what came before,
 * control batches carry nothing for the coordinator. Each commit keeps the offset of its batch,
 * which orders it against commits appended after the load.
 */
export class GroupMetadataReplay {
  /** By `<groupId>NUL<topicPartitionKey>`: log order across groups decides which group is built first. */
  private readonly loadedOffsets = new Map<
    string,
    { groupId: string; tp: TopicPartition; commit: CommitRecordMetadataAndOffset }
  >();
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
      if (isControl(batch.header.attributes)) continue;
      const batchBaseOffset = batch.records.length > 0 ? batch.records[0].offset : batch.header.baseOffset;
      for (const record of batch.records) {
        if (record.key === null)
          throw new Error(`a record of __consumer_offsets at offset ${record.offset} has no key`);
        const key = readMessageKey(record.key);
        if (key.kind === 'offset') {
          const k = `${key.groupId}\u0000${topicPartitionKey(key.tp)}`;
          const value = readOffsetMessageValue(record.value);
          if (value === null) this.loadedOffsets.delete(k);
          else
            this.loadedOffsets.set(k, {
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

  /** The groups, each with its offsets; offsets without a group make an Empty group of their own. */
  result(): ReplayedPartition {
    const offsetsByGroup = new Map<string, [TopicPartition, CommitRecordMetadataAndOffset][]>();
    for (const { groupId, tp, commit } of this.loadedOffsets.values()) {
      let list = offsetsByGroup.get(groupId);
      if (!list) offsetsByGroup.set(groupId, (list = []));
      list.push([tp, commit]);
    }
    const groups = [...this.loadedGroups.values()];
    for (const g of groups) g.offsets.initializeOffsets(offsetsByGroup.get(g.groupId) ?? []);
    const offsetOnlyGroups: GroupMetadata[] = [];
    for (const [groupId, offsets] of offsetsByGroup) {
      if (this.loadedGroups.has(groupId)) continue;
      const g = new GroupMetadata(groupId, 'Empty', this.now);
      g.offsets.initializeOffsets(offsets);
      offsetOnlyGroups.push(g);
    }
    return { groups, offsetOnlyGroups, removedGroups: [...this.removedGroups] };
  }
}

/**
 * Reads a partition from its log start to `logEndOffset()` in chunks of `loadBufferSize` (the first
 * batch whole even when larger) and replays it. Stops early when `logEndOffset()` says -1 (this
 * broker no longer leads the partition) or `shouldStop()` (shutdown).
 */
export async function replayLog(
  log: OffsetsLog,
  opts: { loadBufferSize: number; logEndOffset: () => number; shouldStop: () => boolean; now: () => number },
): Promise<ReplayedPartition> {
  const replay = new GroupMetadataReplay(opts.now);
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
    const next = replay.applyBatches(await info.records.read());
    if (next === null || next <= currOffset) break;
    currOffset = next;
  }
  return replay.result();
}
