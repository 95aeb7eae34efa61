import { Attribute, BatchField } from '@samsa/protocol';
import { readInt64 } from './BatchCursor';
import { readEndTxnMarker } from './producer/transactions';
import type { AbortedTxn, TransactionIndex } from './TransactionIndex';

/**
 * The transactions the cleaner walks through in one pass over a group of segments (Kafka's
 * CleanedTransactionMetadata):
 *
 * - the records of an aborted transaction are never mapped (an aborted value must not shadow a
 *   committed one) and are removed; its ABORT marker stays while this pass still saw records of
 *   the transaction (a later pass removes it, once they are gone) and goes back into the cleaned
 *   segment's `.txnindex`;
 * - a COMMIT marker stays while this pass saw records of its transaction;
 * - markers otherwise may go, past the delete horizon (the caller's decision).
 *
 * Batches are given as buffers holding the whole batch at `pos`.
 */
export class CleanedTransactionMetadata {
  /** Producers with a committed (or not yet known aborted) transaction seen in this pass. */
  private readonly ongoingCommittedTxns = new Set<number>();
  /** Producers in an aborted transaction: the transaction and whether a batch of it was seen. */
  private readonly ongoingAbortedTxns = new Map<number, { txn: AbortedTxn; lastObservedBatchOffset: number | null }>();
  /** Aborted transactions not yet reached, by first offset. */
  private abortedTransactions: AbortedTxn[] = [];
  /** Where retained ABORT markers' transactions go (the cleaned segment's index). */
  cleanedIndex: TransactionIndex | null = null;

  addAbortedTransactions(txns: readonly AbortedTxn[]): void {
    if (txns.length === 0) return;
    // Each segment's lookup may return a transaction that spans segments again: once is enough.
    const known = new Set(this.abortedTransactions.map((t) => `${t.producerId}:${t.firstOffset}`));
    const fresh = txns.filter((t) => !known.has(`${t.producerId}:${t.firstOffset}`) && !this.consumed(t));
    this.abortedTransactions = [...this.abortedTransactions, ...fresh].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  private consumed(t: AbortedTxn): boolean {
    const ongoing = this.ongoingAbortedTxns.get(t.producerId);
    return ongoing !== undefined && ongoing.txn.firstOffset === t.firstOffset;
  }

  private consumeAbortedTxnsUpTo(offset: number): void {
    let n = 0;
    while (n < this.abortedTransactions.length && this.abortedTransactions[n].firstOffset <= offset) {
      const txn = this.abortedTransactions[n++];
      if (!this.ongoingAbortedTxns.has(txn.producerId)) {
        this.ongoingAbortedTxns.set(txn.producerId, { txn, lastObservedBatchOffset: null });
      }
    }
    if (n > 0) this.abortedTransactions = this.abortedTransactions.slice(n);
  }

  /** A control batch read; true when it may be discarded (as far as transactions go). */
  onControlBatchRead(buf: Buffer, pos: number): boolean {
    const lastOffset = readInt64(buf, pos + BatchField.BASE_OFFSET) + buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA);
    this.consumeAbortedTxnsUpTo(lastOffset);
    const marker = readEndTxnMarker(buf, pos);
    // An empty control batch was cleaned already: it may go.
    if (marker === null) return buf.readInt32BE(pos + BatchField.RECORDS_COUNT) <= 0;
    const producerId = readInt64(buf, pos + BatchField.PRODUCER_ID);
    if (marker.type === 0) {
      const aborted = this.ongoingAbortedTxns.get(producerId);
      this.ongoingAbortedTxns.delete(producerId);
      if (aborted !== undefined && aborted.lastObservedBatchOffset !== null) {
        this.cleanedIndex?.append(aborted.txn);
        return false;
      }
      return true;
    }
    return !this.ongoingCommittedTxns.delete(producerId);
  }

  /** A data batch read; true when it belongs to an aborted transaction (its records go). */
  onBatchRead(buf: Buffer, pos: number): boolean {
    const lastOffset = readInt64(buf, pos + BatchField.BASE_OFFSET) + buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA);
    this.consumeAbortedTxnsUpTo(lastOffset);
    if ((buf.readInt16BE(pos + BatchField.ATTRIBUTES) & Attribute.TRANSACTIONAL) === 0) return false;
    const producerId = readInt64(buf, pos + BatchField.PRODUCER_ID);
    const aborted = this.ongoingAbortedTxns.get(producerId);
    if (aborted !== undefined) {
      aborted.lastObservedBatchOffset = lastOffset;
      return true;
    }
    this.ongoingCommittedTxns.add(producerId);
    return false;
  }
}
