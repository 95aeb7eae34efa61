import * as path from 'node:path';
import { Attribute, BatchField } from '@samsa/protocol';
import type { Logger, Time } from '@samsa/common';
import { readInt64 } from '../BatchCursor';
import { disk } from '../disk';
import { parseSegmentFileName, producerSnapshotFile } from '../LogFiles';
import type { AppendOrigin } from '../LogValidator';
import { ProducerAppendInfo } from './ProducerAppendInfo';
import { CorruptSnapshotError, decodeProducerSnapshot, encodeProducerSnapshot } from './ProducerSnapshot';
import { ProducerStateEntry, type BatchMetadata } from './ProducerStateEntry';
import { incrementSequence } from './sequences';
import { readEndTxnMarker, type CompletedTxn, type TxnMetadata } from './transactions';

export interface ProducerStateManagerOptions {
  /** The partition's name, for messages. */
  readonly name: string;
  /** The partition directory, where `<offset>.snapshot` files live. */
  readonly dir: string;
  /** transactional.id.expiration.ms: a producer silent this long is forgotten. */
  readonly maxProducerIdExpirationMs: number;
  readonly time: Time;
  readonly logger: Logger;
  /** A new log's: no snapshot files to look for. */
  readonly isNew?: boolean;
}

/** What an append's producer batches did to the producer state, before anything is written. */
export interface ProducerAppendAnalysis {
  /** Each producer's updated state, applied with `update` once the append is in the log. */
  readonly updatedProducers: ReadonlyMap<number, ProducerAppendInfo>;
  /** A batch this append retries: the append is answered with it and writes nothing. */
  readonly duplicate: BatchMetadata | null;
  /** The transactions the append's end-transaction markers end (null when it has none). */
  readonly completedTxns: CompletedTxn[] | null;
}

/**
 * Told of each transaction a marker ends, with the last stable offset at that point, before the
 * state takes it (the log writes aborted ones to its segment's `.txnindex`).
 */
export type CompletedTxnListener = (txn: CompletedTxn, lastStableOffset: number) => void;

/** A batch with a producer id (> -1: the id's high word is not negative), data or marker. */
function hasProducerId(buf: Buffer, pos: number): boolean {
  return buf.readInt32BE(pos + BatchField.PRODUCER_ID) >= 0;
}

function isControlBatch(buf: Buffer, pos: number): boolean {
  return (buf.readInt16BE(pos + BatchField.ATTRIBUTES) & Attribute.CONTROL) !== 0;
}

function lastSequenceOf(buf: Buffer, pos: number, firstSeq: number): number {
  return firstSeq < 0 ? firstSeq : incrementSequence(firstSeq, buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA));
}

/**
 * The control batch at `pos` (offsets assigned) into a producer's append: the transaction its marker
 * ends, or null for an empty control batch (cleaned) or a control record that is no marker.
 */
function appendMarkerTo(info: ProducerAppendInfo, buf: Buffer, pos: number): CompletedTxn | null {
  const marker = readEndTxnMarker(buf, pos);
  if (marker === null) return null;
  return info.appendEndTxnMarker(
    marker,
    buf.readInt16BE(pos + BatchField.PRODUCER_EPOCH),
    readInt64(buf, pos + BatchField.BASE_OFFSET),
    readInt64(buf, pos + BatchField.MAX_TIMESTAMP),
  );
}

/** The batch at `pos` (offsets assigned) into a producer's append. */
function appendBatchTo(info: ProducerAppendInfo, buf: Buffer, pos: number): void {
  const firstSeq = buf.readInt32BE(pos + BatchField.BASE_SEQUENCE);
  const firstOffset = readInt64(buf, pos + BatchField.BASE_OFFSET);
  info.appendDataBatch(
    buf.readInt16BE(pos + BatchField.PRODUCER_EPOCH),
    firstSeq,
    lastSequenceOf(buf, pos, firstSeq),
    readInt64(buf, pos + BatchField.MAX_TIMESTAMP),
    firstOffset,
    firstOffset + buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA),
    (buf.readInt16BE(pos + BatchField.ATTRIBUTES) & Attribute.TRANSACTIONAL) !== 0,
  );
}

/**
 * Every producer id's state in one partition (Kafka's ProducerStateManager), what makes produce
 * idempotent: the leader checks each producer batch's epoch and sequence against it, answers a
 * retry of one of a producer's last five batches with that batch's offsets instead of writing it
 * again, and followers build the same state from the batches they replicate, so a new leader
 * recognises retries too.
 *
 * The state is the fold of the log's producer batches. `mapEndOffset` is the offset it covers up
 * to; snapshots `<offset>.snapshot` (the state of offsets below `offset`) are written at each
 * segment roll and at a clean close, so loading reads the latest one and replays the log after it.
 * Producers leave the state when silent for transactional.id.expiration.ms, or when the log start
 * passes their last batch (retention, DeleteRecords).
 *
 * Transactions: the transactions open in the partition (`ongoingTxns`, by first offset) and those
 * a marker ended whose marker is not yet below the high watermark (`unreplicatedTxns`: a new leader
 * might not have the marker) make the first unstable offset, the earliest first offset among them;
 * the log's last stable offset is that, or the high watermark (Kafka's ProducerStateManager).
 *
 * Snapshot files are written synchronously, without fsync except at close (they are small, and a
 * torn or missing one only means an older one is used and more of the log replayed), so that a
 * truncation deleting snapshots never races a write still in flight.
 */
export class ProducerStateManager {
  private dir: string;
  private readonly producers = new Map<number, ProducerStateEntry>();
  /** Open transactions by first offset. */
  private readonly ongoingTxns = new Map<number, TxnMetadata>();
  /** Ended transactions whose marker is at or above the high watermark, by first offset. */
  private readonly unreplicatedTxns = new Map<number, TxnMetadata>();
  /** Offsets of the snapshot files on disk, ascending. */
  private snapshots: number[];
  private lastMapOffset = 0;
  private lastSnapOffset = 0;

  constructor(private readonly opts: ProducerStateManagerOptions) {
    this.dir = opts.dir;
    this.snapshots = opts.isNew === true ? [] : this.listSnapshots();
  }

  get mapEndOffset(): number {
    return this.lastMapOffset;
  }

  get isEmpty(): boolean {
    return this.producers.size === 0;
  }

  /** The producers known (for tests, metrics and DescribeProducers). */
  get activeProducers(): ReadonlyMap<number, ProducerStateEntry> {
    return this.producers;
  }

  get snapshotOffsets(): readonly number[] {
    return this.snapshots;
  }

  get latestSnapshotOffset(): number | null {
    return this.snapshots.length > 0 ? this.snapshots[this.snapshots.length - 1] : null;
  }

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  prepareUpdate(producerId: number, origin: AppendOrigin): ProducerAppendInfo {
    const current = this.producers.get(producerId) ?? ProducerStateEntry.empty(producerId);
    return new ProducerAppendInfo(this.opts.name, producerId, current, origin, (m) => this.opts.logger.warn(m));
  }

  /**
   * The producer batches of an append whose offsets are assigned (Kafka's
   * Log.analyzeAndValidateProducerState): checked against the state, nothing changed yet. Null
   * when no batch carries a producer id, the non-idempotent case, which costs one read per batch.
   * Throws KafkaError (INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_TXN_STATE).
   */
  analyzeAppend(records: Buffer, origin: AppendOrigin): ProducerAppendAnalysis | null {
    let updated: Map<number, ProducerAppendInfo> | null = null;
    let completedTxns: CompletedTxn[] | null = null;
    for (let pos = 0; pos < records.length; pos += 12 + records.readInt32BE(pos + BatchField.BATCH_LENGTH)) {
      if (!hasProducerId(records, pos)) continue;
      const producerId = readInt64(records, pos + BatchField.PRODUCER_ID);
      if (isControlBatch(records, pos)) {
        // Clients never get here (LogValidator refuses their control batches).
        updated ??= new Map();
        const completed = appendMarkerTo(this.appendInfoFor(updated, producerId, origin), records, pos);
        if (completed !== null) (completedTxns ??= []).push(completed);
        continue;
      }
      if (origin === 'client') {
        const epoch = records.readInt16BE(pos + BatchField.PRODUCER_EPOCH);
        const firstSeq = records.readInt32BE(pos + BatchField.BASE_SEQUENCE);
        const lastSeq = lastSequenceOf(records, pos, firstSeq);
        const duplicate = this.producers.get(producerId)?.findDuplicateBatch(epoch, firstSeq, lastSeq) ?? null;
        if (duplicate !== null) return { updatedProducers: updated ?? new Map(), duplicate, completedTxns: null };
      }
      updated ??= new Map();
      appendBatchTo(this.appendInfoFor(updated, producerId, origin), records, pos);
    }
    return updated === null ? null : { updatedProducers: updated, duplicate: null, completedTxns };
  }

  private appendInfoFor(
    updated: Map<number, ProducerAppendInfo>,
    producerId: number,
    origin: AppendOrigin,
  ): ProducerAppendInfo {
    let info = updated.get(producerId);
    if (info === undefined) {
      info = this.prepareUpdate(producerId, origin);
      updated.set(producerId, info);
    }
    return info;
  }

  /** Takes an append's producer states over, once its batches are in the log. */
  update(info: ProducerAppendInfo): void {
    const current = this.producers.get(info.producerId);
    if (current) current.update(info.updatedEntry);
    else this.producers.set(info.producerId, info.updatedEntry);
    if (info.startedTransactions !== null) {
      for (const txn of info.startedTransactions) this.ongoingTxns.set(txn.firstOffset, txn);
    }
  }

  /**
   * Applies an analysis (its batches were appended) and moves the map's end past them; each
   * transaction a marker ended goes to `onCompleted` with the last stable offset it leaves, then
   * out of the open ones (Kafka's Log.append).
   */
  applyAppend(analysis: ProducerAppendAnalysis | null, nextOffset: number, onCompleted?: CompletedTxnListener): void {
    if (analysis !== null) {
      for (const info of analysis.updatedProducers.values()) this.update(info);
      if (analysis.completedTxns !== null) {
        for (const txn of analysis.completedTxns) {
          onCompleted?.(txn, this.lastStableOffset(txn));
          this.completeTxn(txn);
        }
      }
    }
    this.lastMapOffset = nextOffset;
  }

  /**
   * The last stable offset once `completedTxn` ends: the first offset of the earliest transaction
   * still open by another producer, else right after the marker (Kafka's lastStableOffset).
   */
  lastStableOffset(completedTxn: CompletedTxn): number {
    let first = Infinity;
    for (const txn of this.ongoingTxns.values()) {
      if (txn.producerId !== completedTxn.producerId && txn.firstOffset < first) first = txn.firstOffset;
    }
    return first === Infinity ? completedTxn.lastOffset + 1 : first;
  }

  /** The transaction leaves the open ones; it stays unstable until its marker is below the HW. */
  completeTxn(completedTxn: CompletedTxn): void {
    const txn = this.ongoingTxns.get(completedTxn.firstOffset);
    if (txn === undefined) {
      this.opts.logger.warn(
        `[ProducerStateManager partition=${this.opts.name}] Attempted to complete transaction ${JSON.stringify(completedTxn)} which was not started`,
      );
      return;
    }
    this.ongoingTxns.delete(completedTxn.firstOffset);
    txn.lastOffset = completedTxn.lastOffset;
    this.unreplicatedTxns.set(completedTxn.firstOffset, txn);
  }

  /** The high watermark moved: ended transactions whose marker is below it are stable. */
  onHighWatermarkUpdated(highWatermark: number): void {
    this.removeUnreplicatedTransactions(highWatermark);
  }

  private removeUnreplicatedTransactions(offset: number): void {
    if (this.unreplicatedTxns.size === 0) return;
    for (const [first, txn] of this.unreplicatedTxns) {
      if (txn.lastOffset !== null && txn.lastOffset < offset) this.unreplicatedTxns.delete(first);
    }
  }

  /** The earliest first offset of an open or unreplicated transaction, or null when none. */
  get firstUnstableOffset(): number | null {
    if (this.ongoingTxns.size === 0 && this.unreplicatedTxns.size === 0) return null;
    let first = Infinity;
    for (const k of this.ongoingTxns.keys()) if (k < first) first = k;
    for (const k of this.unreplicatedTxns.keys()) if (k < first) first = k;
    return first;
  }

  /** The open transactions (for tests, metrics and DescribeTransactions-style views). */
  get openTransactions(): ReadonlyMap<number, TxnMetadata> {
    return this.ongoingTxns;
  }

  updateMapEndOffset(offset: number): void {
    this.lastMapOffset = offset;
  }

  /**
   * Folds one batch in as a follower would (replay at load and after truncation: epochs and
   * sequences as written, no checks). `buf[pos…]` holds at least the batch's 61-byte header.
   */
  replayBatch(buf: Buffer, pos: number, onCompleted?: CompletedTxnListener): void {
    if (hasProducerId(buf, pos)) {
      const info = this.prepareUpdate(readInt64(buf, pos + BatchField.PRODUCER_ID), 'replication');
      if (isControlBatch(buf, pos)) {
        const completed = appendMarkerTo(info, buf, pos);
        this.update(info);
        if (completed !== null) {
          onCompleted?.(completed, this.lastStableOffset(completed));
          this.completeTxn(completed);
        }
      } else {
        appendBatchTo(info, buf, pos);
        this.update(info);
      }
    }
    this.lastMapOffset =
      readInt64(buf, pos + BatchField.BASE_OFFSET) + buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA) + 1;
  }

  /**
   * Writes a snapshot at the map's end unless one is there already (Kafka's takeSnapshot); returns
   * its path, or null. Not fsynced: the caller does when it must (a clean close).
   */
  takeSnapshot(): string | null {
    if (this.lastMapOffset <= this.lastSnapOffset) return null;
    const offset = this.lastMapOffset;
    const start = this.opts.time.hiResMs();
    const file = producerSnapshotFile(this.dir, offset);
    disk.writeFile(file, encodeProducerSnapshot([...this.producers.values()]));
    if (!this.snapshots.includes(offset)) {
      this.snapshots.push(offset);
      this.snapshots.sort((a, b) => a - b);
    }
    this.lastSnapOffset = offset;
    this.opts.logger.debug(
      `[ProducerStateManager partition=${this.opts.name}] Wrote producer snapshot at offset ${offset} with ${this.producers.size} producer ids in ${(this.opts.time.hiResMs() - start).toFixed(1)} ms.`,
    );
    return file;
  }

  /**
   * Drops the state and loads it again from the latest snapshot within [logStartOffset,
   * logEndOffset], deleting the snapshots outside (Kafka's truncateAndReload); the caller replays
   * the log from `mapEndOffset` to `logEndOffset`. A snapshot that fails its checks is deleted and the
   * one before it tried.
   */
  truncateAndReload(logStartOffset: number, logEndOffset: number, now: number): void {
    for (const offset of [...this.snapshots]) {
      if (offset > logEndOffset || offset < logStartOffset) this.deleteSnapshot(offset);
    }
    if (logEndOffset === this.lastMapOffset) {
      this.onLogStartOffsetIncremented(logStartOffset);
      return;
    }
    this.producers.clear();
    this.ongoingTxns.clear();
    this.unreplicatedTxns.clear();
    this.loadFromSnapshot(logStartOffset, now);
  }

  private loadFromSnapshot(logStartOffset: number, now: number): void {
    for (;;) {
      const offset = this.latestSnapshotOffset;
      if (offset === null) {
        this.lastSnapOffset = logStartOffset;
        this.lastMapOffset = logStartOffset;
        return;
      }
      const file = producerSnapshotFile(this.dir, offset);
      try {
        this.opts.logger.info(
          `[ProducerStateManager partition=${this.opts.name}] Loading producer state from snapshot file '${file}'`,
        );
        for (const entry of decodeProducerSnapshot(disk.readFile(file))) {
          if (this.isProducerExpired(now, entry)) continue;
          if (entry.currentTxnFirstOffset === null && !entry.isEmpty && entry.lastDataOffset < logStartOffset) continue;
          this.producers.set(entry.producerId, entry);
          const first = entry.currentTxnFirstOffset;
          if (first !== null) this.ongoingTxns.set(first, { producerId: entry.producerId, firstOffset: first, lastOffset: null });
        }
        this.lastSnapOffset = offset;
        this.lastMapOffset = offset;
        return;
      } catch (e) {
        if (!(e instanceof CorruptSnapshotError)) throw e;
        this.opts.logger.warn(
          `[ProducerStateManager partition=${this.opts.name}] Failed to load producer snapshot from '${file}': ${e.message}`,
        );
        this.producers.clear();
        this.ongoingTxns.clear();
        this.deleteSnapshot(offset);
      }
    }
  }

  /** Everything gone: the log starts over empty at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.producers.clear();
    this.ongoingTxns.clear();
    this.unreplicatedTxns.clear();
    for (const s of [...this.snapshots]) this.deleteSnapshot(s);
    this.lastSnapOffset = 0;
    this.lastMapOffset = offset;
  }

  /**
   * The log start moved (retention, DeleteRecords): producers whose last batch is now below it
   * are forgotten, as are the snapshots below it. Issue 14 asks for this (Kafka up to 2.3 did it);
   * Kafka 2.4+ keeps such producers until they expire, so there a retry of a deleted batch is
   * still recognised, while here it is appended again (the deleted original is gone from the log).
   */
  onLogStartOffsetIncremented(logStartOffset: number): void {
    for (const [producerId, entry] of this.producers) {
      if (entry.currentTxnFirstOffset !== null) continue;
      entry.removeBatchesOlderThan(logStartOffset);
      if (entry.isEmpty) this.producers.delete(producerId);
    }
    this.removeUnreplicatedTransactions(logStartOffset);
    for (const offset of [...this.snapshots]) if (offset < logStartOffset) this.deleteSnapshot(offset);
    if (this.lastMapOffset < logStartOffset) this.lastMapOffset = logStartOffset;
    this.lastSnapOffset = this.latestSnapshotOffset ?? logStartOffset;
  }

  private isProducerExpired(now: number, entry: ProducerStateEntry): boolean {
    return entry.currentTxnFirstOffset === null && now - entry.lastTimestamp >= this.opts.maxProducerIdExpirationMs;
  }

  /** Forgets producers silent for transactional.id.expiration.ms (LogManager's periodic check). */
  removeExpiredProducers(now: number): number {
    let removed = 0;
    for (const [producerId, entry] of this.producers) {
      if (this.isProducerExpired(now, entry)) {
        this.producers.delete(producerId);
        removed++;
      }
    }
    return removed;
  }

  /** The partition directory was renamed (deletion). */
  updateParentDir(dir: string): void {
    this.dir = dir;
  }

  private deleteSnapshot(offset: number): void {
    disk.unlink(producerSnapshotFile(this.dir, offset));
    this.snapshots = this.snapshots.filter((s) => s !== offset);
  }

  private listSnapshots(): number[] {
    const offsets: number[] = [];
    for (const e of disk.exists(this.dir) ? disk.readdir(this.dir) : []) {
      const parsed = e.isFile() ? parseSegmentFileName(e.name) : null;
      if (parsed && parsed.kind === 'snapshot' && parsed.suffix === '') offsets.push(parsed.baseOffset);
    }
    return offsets.sort((a, b) => a - b);
  }

  /** For messages: the directory's name. */
  toString(): string {
    return `ProducerStateManager(${path.basename(this.dir)}, ${this.producers.size} producers)`;
  }
}
