import { strict as assert } from 'node:assert';
import type { EpochEntry, LeaderEpochCheckpointFile } from './checkpoints';
import type { Logger } from './logger';

/**
 * Leader epoch → the first offset written in that epoch (Kafka's LeaderEpochFileCache). A follower
 * asks the leader for the end offset of its latest epoch (OffsetsForLeaderEpoch) and truncates to
 * it; that answer comes from `endOffsetFor`. Every change is written to `leader-epoch-checkpoint`
 * at once (changes are rare: one per leader election, plus truncations).
 */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochAndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

export class LeaderEpochFileCache {
  /** Sorted by epoch; start offsets also strictly grow. */
  private epochs: EpochEntry[] = [];

  constructor(
    private readonly name: string,
    private readonly logEndOffset: () => number,
    private readonly checkpoint: LeaderEpochCheckpointFile,
    private readonly logger: Logger,
    initial: readonly EpochEntry[] = checkpoint.read(),
  ) {
    for (const e of initial) this.assignEntry(e);
  }

  /** Records that `epoch` starts at `startOffset` (if it is news); flushes when changed. */
  assign(epoch: number, startOffset: number): void {
    if (this.assignEntry({ epoch, startOffset })) this.flush();
  }

  private assignEntry(entry: EpochEntry): boolean {
    assert(entry.epoch >= 0 && entry.startOffset >= 0, `invalid leader epoch entry ${JSON.stringify(entry)}`);
    const last = this.latestEntry;
    if (last && entry.epoch === last.epoch && entry.startOffset >= last.startOffset) return false;
    // Remove entries that conflict with the new one: a later or equal epoch, or a start offset not below it.
    const removed: EpochEntry[] = [];
    while (this.epochs.length > 0) {
      const e = this.epochs[this.epochs.length - 1];
      if (e.epoch >= entry.epoch || e.startOffset >= entry.startOffset) removed.push(this.epochs.pop()!);
      else break;
    }
    if (removed.length > 1 || (removed.length === 1 && removed[0].startOffset !== entry.startOffset)) {
      this.logger.warn(
        `[LeaderEpochCache ${this.name}] New epoch entry ${fmt(entry)} caused truncation of conflicting entries ` +
          `${removed.map(fmt).join(', ')}. Cache now contains ${this.epochs.length} entries.`,
      );
    }
    this.epochs.push(entry);
    return true;
  }

  get nonEmpty(): boolean {
    return this.epochs.length > 0;
  }

  get latestEntry(): EpochEntry | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  get latestEpoch(): number | undefined {
    return this.latestEntry?.epoch;
  }

  get earliestEntry(): EpochEntry | undefined {
    return this.epochs[0];
  }

  /** The epoch before the latest, if any. */
  get previousEpoch(): number | undefined {
    return this.epochs.length >= 2 ? this.epochs[this.epochs.length - 2].epoch : undefined;
  }

  /**
   * The end offset of `requestedEpoch`: the start offset of the first later epoch, or the log end
   * offset when it is the latest; with the largest epoch <= the requested one. (UNDEFINED, UNDEFINED)
   * when the requested epoch is unknown and later than all, or below the first with none before it
   * is handled as Kafka does (the requested epoch with the first entry's start offset).
   */
  endOffsetFor(requestedEpoch: number): EpochAndOffset {
    if (requestedEpoch === UNDEFINED_EPOCH)
      return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (this.latestEpoch === requestedEpoch) return { epoch: requestedEpoch, endOffset: this.logEndOffset() };
    const higher = this.epochs.find((e) => e.epoch > requestedEpoch);
    if (!higher) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    let floor: EpochEntry | undefined;
    for (const e of this.epochs) if (e.epoch <= requestedEpoch) floor = e;
    return floor
      ? { epoch: floor.epoch, endOffset: higher.startOffset }
      : { epoch: requestedEpoch, endOffset: higher.startOffset };
  }

  /** Drops epochs starting at or after `endOffset` (log truncated to it). */
  truncateFromEnd(endOffset: number): void {
    if (endOffset < 0) return;
    const last = this.latestEntry;
    if (!last || last.startOffset < endOffset) return;
    this.epochs = this.epochs.filter((e) => e.startOffset < endOffset);
    this.flush();
  }

  /**
   * The log now starts at `startOffset`: epochs wholly before it go, and the one covering it is
   * moved up to start there.
   */
  truncateFromStart(startOffset: number): void {
    let lastRemoved: EpochEntry | undefined;
    while (this.epochs.length > 0 && this.epochs[0].startOffset <= startOffset)
      lastRemoved = this.epochs.shift();
    if (lastRemoved) {
      this.epochs.unshift({ epoch: lastRemoved.epoch, startOffset });
      this.flush();
    }
  }

  clearAndFlush(): void {
    this.epochs = [];
    this.flush();
  }

  clear(): void {
    this.epochs = [];
  }

  epochEntries(): readonly EpochEntry[] {
    return this.epochs;
  }

  flush(): void {
    this.checkpoint.write(this.epochs);
  }
}

const fmt = (e: EpochEntry) => `EpochEntry(epoch=${e.epoch}, startOffset=${e.startOffset})`;
