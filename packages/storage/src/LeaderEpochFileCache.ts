import { strict as assert } from 'node:assert';
import type { EpochEntry, LeaderEpochCheckpointFile } from './checkpoints';
import type { Logger } from '@samsa/common';

/**
 * Background checkpoint writes of every cache in the process go one at a time: a thousand
 * concurrent fsyncs (a broker becoming leader of a thousand partitions) would fill libuv's pool
 * ahead of the produce and fetch I/O and slow every other file-system call of the process (measured:
 * creating 1,000 logs took 5x longer during such a storm).
 */
let backgroundWrites: Promise<void> = Promise.resolve();
function inTurn(write: () => Promise<void>): Promise<void> {
  const turn = backgroundWrites.then(write);
  backgroundWrites = turn.catch(() => undefined);
  return turn;
}

/**
 * Leader epoch → the first offset written in that epoch (Kafka's LeaderEpochFileCache). A follower
 * asks the leader for the end offset of its latest epoch (OffsetsForLeaderEpoch) and truncates to
 * it; that answer comes from `endOffsetFor`, always from memory.
 *
 * Every change is written to `leader-epoch-checkpoint` (atomically, fsynced) in the background, on
 * libuv's pool, never on the caller's stack: a broker that becomes leader of a thousand partitions
 * at once used to spend seconds in a thousand fsyncs on the event loop, long enough to lose its
 * ZooKeeper session. Writes of one cache are coalesced (the file always receives the latest
 * entries; one write at a time), and `flushed()` resolves once the file holds every change made
 * before the call.
 *
 * Why the file may lag memory without losing what Kafka guarantees after a crash. After an unclean
 * shutdown the cache is the file's entries, then every batch after the recovery point is re-read
 * and assigns its own epoch (LogLoader), and entries past the log end are dropped. So:
 *   - an entry that starts at or after the recovery point is rebuilt from the batches themselves
 *     (and one whose batches did not survive is not needed: no offset of that epoch exists);
 *   - an entry that starts before the recovery point is not re-read, so it must be durable before
 *     the recovery point moves past it: Log.flush awaits `flushed()` before it advances the
 *     recovery point, and the recovery-point checkpoint is written from that value later still;
 *   - a leader's entry with no batch yet (assigned on becoming leader) lost in a crash changes no
 *     answer: OffsetForLeaderEpoch for it then gives the previous epoch and the same end offset,
 *     since no offset was written in it.
 * A clean shutdown closes every log before the clean-shutdown marker, and closing writes whatever
 * the file lacks among the entries below the log end (a log is loaded without the entries past
 * its end, clean shutdown or not). Kafka later dropped the fsync of truncations for the same
 * reasons (KAFKA-15046); this cache keeps fsyncing every write, off the event loop.
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
  /**
   * What the file holds: the entries of the last write that completed (at first, those it was read
   * with); null when unknown (a write failed part-way).
   */
  private written: readonly EpochEntry[] | null;
  /** The background writes of the checkpoint, queued or running (see `flushed`). */
  private writing: Promise<void> | null = null;
  /** The write that has taken its snapshot and is on its way to the file. */
  private inFlight: Promise<void> | null = null;
  /** A change not yet handed to a write. */
  private dirty = false;
  /** Moved to another file (Log.renameDir) or closed: this cache writes no more. */
  private stopped = false;
  /** The last background write failed with this (cleared by a successful one). */
  private writeError: unknown = null;
  /**
   * Told of a failed background write (Log points it at its directory's failure channel, which
   * takes the directory offline as a synchronous write error would).
   */
  onFlushError: ((error: unknown) => void) | null = null;

  constructor(
    private readonly name: string,
    private readonly logEndOffset: () => number,
    private readonly checkpoint: LeaderEpochCheckpointFile,
    private readonly logger: Logger,
    initial: readonly EpochEntry[] = checkpoint.read(),
  ) {
    for (const e of initial) this.assignEntry(e);
    this.written = [...initial];
  }

  /** Records that `epoch` starts at `startOffset` (if it is news); the file follows in the background. */
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
   * Drops the entries starting at or after `endOffset`, the log end — entries no record belongs to,
   * such as the one this broker assigned as a leader that appended nothing — without writing the
   * file (a leader stepping down for a thousand partitions would otherwise write a thousand files).
   * The file may keep them meanwhile, which is safe: any later write takes the whole list;
   * `flushed()` writes them out before the recovery point moves; and a log loaded with them drops
   * them again, as entries past its end (`flushed` at close leaves them only while that is so).
   */
  truncateFromEndInMemory(endOffset: number): void {
    this.epochs = this.epochs.filter((e) => e.startOffset < endOffset);
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

  /** Starts writing the current entries to the checkpoint file (coalesced with a write under way). */
  flush(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.writing === null) this.writing = this.writeLoop();
  }

  /**
   * Resolves once the file holds (durably) every entry this cache holds now — the barrier before a
   * log's recovery point moves; rejects with the error of a failed write.
   *
   * Closing, pass the log's final end offset: the file then only needs the entries that start
   * below it (the next load drops the others, as it does after any shutdown), so a queued write
   * whose content the file already has, as far as that goes, is cancelled instead of awaited (a
   * broker that became leader of a thousand new, still empty partitions just before stopping
   * would otherwise wait for a thousand fsynced writes of entries at offset 0). The cache writes
   * no more after that.
   */
  async flushed(closingAtLogEnd?: number): Promise<void> {
    for (;;) {
      if (closingAtLogEnd !== undefined) {
        // A write that took its snapshot may still land: wait for that one, not for queued ones.
        while (this.inFlight !== null) await this.inFlight.catch(() => undefined);
        if (this.written !== null && sameEntriesBelow(this.epochs, this.written, closingAtLogEnd)) {
          this.stopped = true;
          return;
        }
      }
      while (this.writing !== null) await this.writing;
      if (this.writeError !== null) throw this.writeError;
      if (this.stopped || (this.written !== null && sameEntriesBelow(this.epochs, this.written, Infinity)))
        return;
      this.flush();
    }
  }

  /**
   * The partition directory was renamed: a cache on the checkpoint at its new path takes over
   * (this one writes no more), rewriting the file there if it may lack some of the entries.
   */
  movedTo(checkpoint: LeaderEpochCheckpointFile, logEndOffset: () => number): LeaderEpochFileCache {
    const pending =
      this.dirty ||
      this.writing !== null ||
      this.written === null ||
      !sameEntriesBelow(this.epochs, this.written, Infinity);
    this.stop();
    const moved = new LeaderEpochFileCache(this.name, logEndOffset, checkpoint, this.logger, this.epochs);
    if (pending) {
      moved.written = null;
      moved.flush();
    }
    return moved;
  }

  /** Writes no more (the log's directory is being deleted). */
  stop(): void {
    this.stopped = true;
    this.dirty = false;
  }

  /** Never rejects: a failure is kept for `flushed()` and reported to `onFlushError`. */
  private async writeLoop(): Promise<void> {
    try {
      while (this.dirty && !this.stopped) {
        try {
          await inTurn(async () => {
            if (this.stopped) return;
            this.dirty = false; // the entries as they are when the turn comes (later changes coalesce)
            const snapshot = [...this.epochs];
            this.written = null; // until the write completes, the file holds the old or the new list
            this.inFlight = this.checkpoint.writeAsync(snapshot);
            try {
              await this.inFlight;
            } finally {
              this.inFlight = null;
            }
            this.written = snapshot;
          });
          this.writeError = null;
        } catch (error) {
          if (this.stopped) return;
          this.writeError = error;
          this.logger.error(`[LeaderEpochCache ${this.name}] Error writing the leader epoch checkpoint`, error);
          this.onFlushError?.(error);
          return;
        }
      }
    } finally {
      this.writing = null;
    }
  }
}

/** The entries starting below `endOffset` are the same in both lists. */
function sameEntriesBelow(a: readonly EpochEntry[], b: readonly EpochEntry[], endOffset: number): boolean {
  const below = (list: readonly EpochEntry[]) => list.filter((e) => e.startOffset < endOffset);
  const x = below(a);
  const y = below(b);
  return x.length === y.length && x.every((e, i) => e.epoch === y[i].epoch && e.startOffset === y[i].startOffset);
}

const fmt = (e: EpochEntry) => `EpochEntry(epoch=${e.epoch}, startOffset=${e.startOffset})`;
