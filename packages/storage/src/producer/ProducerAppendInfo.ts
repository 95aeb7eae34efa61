import { ErrorCode, KafkaError } from '@samsa/protocol';
import type { AppendOrigin } from '../LogValidator';
import { ProducerStateEntry } from './ProducerStateEntry';
import { inSequence, NO_PRODUCER_EPOCH, NO_SEQUENCE } from './sequences';
import type { CompletedTxn, EndTxnMarker, TxnMetadata } from './transactions';

/**
 * One producer's part of one append, checked before anything is written (Kafka's
 * ProducerAppendInfo). It starts from the producer's entry after the last append and checks each
 * new batch against what came before it, in this append too:
 *
 * - epoch: a batch with an older epoch than the producer's is refused, INVALID_PRODUCER_EPOCH
 *   (a zombie: a producer whose epoch was bumped since). A follower only warns; the leader decided.
 * - sequence (client appends only): within an epoch each batch starts right after the last one
 *   (OUT_OF_ORDER_SEQUENCE_NUMBER otherwise); a new epoch starts at 0. A producer the partition does
 *   not know (never seen, or its state removed by retention, DeleteRecords or expiry) may start at any
 *   sequence: Kafka 2.8 accepts it rather than answer UNKNOWN_PRODUCER_ID (KIP-360), so a producer
 *   whose state was deleted goes on without losing its id.
 *
 * - transactions: a transactional batch opens the producer's transaction at its first offset unless
 *   one is open; a plain batch while one is open is INVALID_TXN_STATE. An end-transaction marker
 *   (a control batch the coordinator has the leader write, or replicated) closes it: an older
 *   producer epoch is INVALID_PRODUCER_EPOCH, an older coordinator epoch than the last marker's
 *   TRANSACTION_COORDINATOR_FENCED (followers only log both: the leader decided).
 *
 * Coordinator appends (the group coordinator's offset commits) check the epoch only.
 */
export class ProducerAppendInfo {
  /** The entry as it will be after this append. */
  readonly updatedEntry: ProducerStateEntry;
  /** Transactions this append opened (null when none: no allocation for plain producer batches). */
  startedTransactions: TxnMetadata[] | null = null;

  constructor(
    private readonly partition: string,
    readonly producerId: number,
    readonly currentEntry: ProducerStateEntry,
    readonly origin: AppendOrigin,
    private readonly warn: (message: string) => void,
  ) {
    this.updatedEntry = new ProducerStateEntry(
      producerId,
      currentEntry.producerEpoch,
      currentEntry.coordinatorEpoch,
      currentEntry.lastTimestamp,
      currentEntry.currentTxnFirstOffset,
    );
  }

  /**
   * A data batch at [firstOffset, lastOffset]: checked, then recorded in the updated entry. Throws
   * KafkaError (INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_TXN_STATE).
   */
  appendDataBatch(
    epoch: number,
    firstSeq: number,
    lastSeq: number,
    maxTimestamp: number,
    firstOffset: number,
    lastOffset: number,
    isTransactional: boolean,
  ): void {
    this.checkProducerEpoch(epoch, firstOffset);
    if (this.origin === 'client') this.checkSequence(epoch, firstSeq, firstOffset);
    this.updatedEntry.addBatch(epoch, lastSeq, lastOffset, lastOffset - firstOffset, maxTimestamp);
    const open = this.updatedEntry.currentTxnFirstOffset;
    if (open !== null && !isTransactional) {
      throw new KafkaError(
        ErrorCode.INVALID_TXN_STATE,
        `Expected transactional write from producer ${this.producerId} at offset ${firstOffset} in partition ${this.partition}`,
      );
    }
    if (open === null && isTransactional) {
      this.updatedEntry.currentTxnFirstOffset = firstOffset;
      (this.startedTransactions ??= []).push({ producerId: this.producerId, firstOffset, lastOffset: null });
    }
  }

  /**
   * An end-transaction marker at `offset` (Kafka's appendEndTxnMarker): checked, then the
   * producer's transaction ends. A marker with no open transaction (a transaction with no data here,
   * or a retried marker) completes an empty transaction at its own offset, as Kafka's does.
   */
  appendEndTxnMarker(marker: EndTxnMarker, producerEpoch: number, offset: number, timestamp: number): CompletedTxn {
    this.checkProducerEpoch(producerEpoch, offset);
    this.checkCoordinatorEpoch(marker, offset);
    const updated = this.updatedEntry;
    let firstOffset = updated.currentTxnFirstOffset;
    if (firstOffset === null) {
      firstOffset = offset;
      (this.startedTransactions ??= []).push({ producerId: this.producerId, firstOffset: offset, lastOffset: null });
    }
    updated.maybeUpdateProducerEpoch(producerEpoch);
    updated.currentTxnFirstOffset = null;
    updated.coordinatorEpoch = marker.coordinatorEpoch;
    updated.lastTimestamp = timestamp;
    return { producerId: this.producerId, firstOffset, lastOffset: offset, isAborted: marker.type === 0 };
  }

  private checkCoordinatorEpoch(marker: EndTxnMarker, offset: number): void {
    if (this.updatedEntry.coordinatorEpoch <= marker.coordinatorEpoch) return;
    const message =
      `Invalid coordinator epoch for producer ${this.producerId} at offset ${offset} in partition ${this.partition}: ` +
      `${marker.coordinatorEpoch} (zombie), ${this.updatedEntry.coordinatorEpoch} (current)`;
    if (this.origin === 'replication') {
      this.warn(message);
      return;
    }
    throw new KafkaError(ErrorCode.TRANSACTION_COORDINATOR_FENCED, message);
  }

  private checkProducerEpoch(epoch: number, offset: number): void {
    if (epoch >= this.updatedEntry.producerEpoch) return;
    const message =
      `Epoch of producer ${this.producerId} at offset ${offset} in ${this.partition} is ${epoch}, ` +
      `which is smaller than the last seen epoch ${this.updatedEntry.producerEpoch}`;
    if (this.origin === 'replication') {
      this.warn(message);
      return;
    }
    throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, message);
  }

  private checkSequence(epoch: number, firstSeq: number, offset: number): void {
    const updated = this.updatedEntry;
    if (epoch !== updated.producerEpoch) {
      if (firstSeq !== 0 && updated.producerEpoch !== NO_PRODUCER_EPOCH) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Invalid sequence number for new epoch of producer ${this.producerId} at offset ${offset} in partition ${this.partition}: ` +
            `${epoch} (request epoch), ${firstSeq} (seq. number), ${updated.producerEpoch} (current producer epoch)`,
        );
      }
      return;
    }
    const currentLastSeq = !updated.isEmpty
      ? updated.lastSeq
      : epoch === this.currentEntry.producerEpoch
        ? this.currentEntry.lastSeq
        : NO_SEQUENCE;
    if (this.currentEntry.producerEpoch === NO_PRODUCER_EPOCH || inSequence(currentLastSeq, firstSeq)) return;
    throw new KafkaError(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      `Out of order sequence number for producer ${this.producerId} at offset ${offset} in partition ${this.partition}: ` +
        `${firstSeq} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
    );
  }
}
