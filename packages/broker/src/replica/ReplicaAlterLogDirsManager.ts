import type { Logger } from '@samsa/common';
import { batchSize, LOG_OVERHEAD } from '@samsa/protocol';
import type { Log, LogManager } from '@samsa/storage';
import { appendAsFollowerOrFuture, type Partition } from './Partition';
import type { ReplicationQuotaManager } from './ReplicationQuotaManager';

export interface ReplicaAlterLogDirsOptions {
  readonly logManager: LogManager;
  readonly logger: Logger;
  /** Bytes copied per step (Kafka's ReplicaAlterLogDirsThread fetches replica.fetch.max.bytes). */
  readonly maxBytesPerStep: number;
  /**
   * replica.alter.log.dirs.io.max.bytes.per.second (Kafka's QuotaType.AlterLogDirs): while the bytes
   * copied exceed it, copying waits; every partition being moved counts.
   */
  readonly quota?: ReplicationQuotaManager;
  /** Called with the partition once its future log has replaced its log (the caller re-wires it). */
  readonly onReplaced: (partition: Partition, previous: Log) => void;
}

/**
 * Below this many bytes of lag, the copy ends: appends to the partition pause while the rest is
 * copied and the logs are swapped.
 */
const FINAL_STEP_LAG_BYTES = 256 * 1024;
/** Wait between steps when there is nothing to copy yet. */
const IDLE_WAIT_MS = 50;

/**
 * Moves partitions' logs between this broker's log dirs while they serve (Kafka's
 * ReplicaAlterLogDirsManager and ReplicaAlterLogDirsThread, AlterReplicaLogDirs): for each moving
 * partition a loop copies the batches of its current log into its future log, in order, as a
 * follower would from a leader. The future log follows the current one's truncations: each step
 * compares their leader epochs (as a follower compares with its leader's OffsetForLeaderEpoch) and
 * cuts the future log where they part.
 *
 * When the future log is less than FINAL_STEP_LAG_BYTES behind, the partition's appends pause
 * (Partition.appendGate), the current log's queued writes complete, the rest is copied, and the
 * future log replaces the current one (LogManager.replaceCurrentWithFutureLog) before appends
 * resume: Kafka does the same under the partition's leaderIsrUpdateLock.
 */
export class ReplicaAlterLogDirsManager {
  private readonly moving = new Map<string, { partition: Partition; stopped: boolean }>();

  constructor(private readonly o: ReplicaAlterLogDirsOptions) {}

  /** Partitions being moved, by key. */
  get movingPartitions(): ReadonlySet<string> {
    return new Set(this.moving.keys());
  }

  isMoving(key: string): boolean {
    return this.moving.has(key);
  }

  /** Starts (or keeps) moving `partition`'s log into its future log. */
  addPartition(partition: Partition): void {
    const existing = this.moving.get(partition.key);
    if (existing && existing.partition === partition && !existing.stopped) return;
    this.removePartition(partition.key);
    const state = { partition, stopped: false };
    this.moving.set(partition.key, state);
    void this.run(state)
      .catch((e) => {
        if (!state.stopped) this.o.logger.error(`Moving the log of ${partition.key} between log dirs stopped`, e);
      })
      .finally(() => {
        if (this.moving.get(partition.key) === state) this.moving.delete(partition.key);
      });
  }

  /** Stops moving the partition's log (its future log stays, unless the caller deletes it). */
  removePartition(key: string): void {
    const state = this.moving.get(key);
    if (!state) return;
    state.stopped = true;
    this.moving.delete(key);
  }

  shutdown(): void {
    for (const key of [...this.moving.keys()]) this.removePartition(key);
  }

  private async run(state: { partition: Partition; stopped: boolean }): Promise<void> {
    const p = state.partition;
    const tp = { topic: p.topic, partition: p.partition };
    const future = this.o.logManager.getFutureLog(tp);
    if (!future) return;
    this.o.logger.info(`Moving the log of ${p.key} from ${p.log.parentDir} to ${future.parentDir}, from offset ${future.logEndOffset}`);
    while (!state.stopped) {
      if (this.o.logManager.getFutureLog(tp) !== future) return; // cancelled or redirected meanwhile
      const current = p.log;
      this.followCurrent(current, future);
      const lagBytes = bytesBehind(current, future);
      if (lagBytes < FINAL_STEP_LAG_BYTES) {
        await this.finish(state, current, future);
        return;
      }
      if (this.o.quota?.isQuotaExceeded()) {
        await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
        continue;
      }
      const copied = await this.copyStep(state, current, future);
      if (!copied) await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
    }
  }

  /**
   * Makes the future log a prefix of the current one: started at the current log start, cut where
   * the leader epochs part (the current log was truncated as a follower), and never past its end.
   */
  private followCurrent(current: Log, future: Log): void {
    if (future.logEndOffset < current.logStartOffset || (future.logEndOffset === future.logStartOffset && future.logStartOffset !== current.logStartOffset)) {
      future.truncateFullyAndStartAt(current.logStartOffset);
      return;
    }
    let cut = future.logEndOffset > current.logEndOffset ? current.logEndOffset : null;
    const epoch = future.latestEpoch;
    if (epoch !== undefined) {
      const found = current.endOffsetForEpoch(epoch);
      if (found === null) cut = Math.min(cut ?? Infinity, future.logStartOffset);
      else if (found.epoch === epoch) {
        if (found.endOffset < future.logEndOffset) cut = Math.min(cut ?? Infinity, found.endOffset);
      } else {
        const mine = future.endOffsetForEpoch(found.epoch);
        cut = Math.min(cut ?? Infinity, found.endOffset, mine?.endOffset ?? future.logStartOffset);
      }
    }
    if (cut === null || cut >= future.logEndOffset) return;
    if (cut <= future.logStartOffset) future.truncateFullyAndStartAt(current.logStartOffset);
    else future.truncateTo(cut);
  }

  /** Copies one step's worth of the current log's written batches; false when there was nothing. */
  private async copyStep(state: { stopped: boolean }, current: Log, future: Log): Promise<boolean> {
    const from = future.logEndOffset;
    if (from >= current.writtenEndOffset) return false;
    const info = current.read(from, this.o.maxBytesPerStep, { minOneMessage: true });
    const bytes = wholeBatches(await info.records.read());
    // The logs may have changed during the read: append only what still continues the future log.
    if (state.stopped || bytes.length === 0 || future.logEndOffset !== from) return bytes.length > 0;
    const appended = appendAsFollowerOrFuture(future, bytes);
    this.o.quota?.record(bytes.length);
    await appended.written;
    return true;
  }

  /** The last step: appends paused, the rest copied, the logs swapped, appends resumed. */
  private async finish(state: { partition: Partition; stopped: boolean }, current: Log, future: Log): Promise<void> {
    const p = state.partition;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    p.appendGate = gate;
    try {
      await current.whenWritten().catch(() => undefined);
      while (!state.stopped && p.log === current) {
        this.followCurrent(current, future);
        if (future.logEndOffset === current.logEndOffset) {
          await future.whenWritten();
          if (state.stopped || p.log !== current || future.logEndOffset !== current.logEndOffset) continue;
          if (current.logStartOffset > future.logStartOffset) {
            future.maybeIncrementLogStartOffset(current.logStartOffset, 'log dir move');
          }
          const replaced = this.o.logManager.replaceCurrentWithFutureLog({ topic: p.topic, partition: p.partition });
          p.log = replaced;
          this.o.onReplaced(p, current);
          this.o.logger.info(`The log of ${p.key} moved to ${replaced.parentDir}, at offset ${replaced.logEndOffset}`);
          return;
        }
        if (!(await this.copyStep(state, current, future))) {
          // nothing readable although the ends differ: the current log's last writes are still queued
          await current.whenWritten().catch(() => undefined);
        }
      }
    } finally {
      if (p.appendGate === gate) p.appendGate = null;
      open();
    }
    if (!state.stopped && this.moving.get(p.key) === state) {
      // The partition's log changed under us (a failure, a restart of the move): start again.
      this.moving.delete(p.key);
      queueMicrotask(() => this.addPartition(p));
    }
  }
}

/** How far the future log is behind the current one, in bytes of the current log (estimate). */
function bytesBehind(current: Log, future: Log): number {
  if (future.logEndOffset >= current.logEndOffset) return 0;
  if (future.logEndOffset < current.logStartOffset) return current.size;
  try {
    const info = current.read(future.logEndOffset, Math.max(1, current.size), { maxOffset: current.logEndOffset });
    return info.records.sizeInBytes + current.unwrittenBytes;
  } catch {
    return current.size;
  }
}

/** The complete batches at the start of `buf` (a read may end inside the last one). */
function wholeBatches(buf: Buffer): Buffer {
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const size = batchSize(buf, pos);
    if (size <= LOG_OVERHEAD || pos + size > buf.length) break;
    pos += size;
  }
  return pos === buf.length ? buf : buf.subarray(0, pos);
}
