import { decrementSequence, NO_PRODUCER_EPOCH, NO_SEQUENCE } from './sequences';

/** What is kept of one appended batch of a producer (Kafka's BatchMetadata). */
export interface BatchMetadata {
  readonly lastSeq: number;
  readonly lastOffset: number;
  /** lastOffset - firstOffset (= lastSeq - firstSeq). */
  readonly offsetDelta: number;
  /** The batch's max timestamp. */
  readonly timestamp: number;
}

export function batchFirstSeq(b: BatchMetadata): number {
  return decrementSequence(b.lastSeq, b.offsetDelta);
}

export function batchFirstOffset(b: BatchMetadata): number {
  return b.lastOffset - b.offsetDelta;
}

/**
 * The retried batches a leader recognises: a producer has at most five requests in flight
 * (max.in.flight.requests.per.connection ≤ 5 with idempotence), so a retry is one of its last five.
 */
export const NUM_BATCHES_TO_RETAIN = 5;

/**
 * One producer id's state in one partition (Kafka's ProducerStateEntry): its epoch, the metadata
 * of its last five batches (oldest first), the timestamp of its last write, and the transaction
 * fields (coordinator epoch, first offset of the open transaction) that transactions will use.
 */
export class ProducerStateEntry {
  constructor(
    readonly producerId: number,
    public producerEpoch: number,
    public coordinatorEpoch: number,
    public lastTimestamp: number,
    public currentTxnFirstOffset: number | null,
    readonly batchMetadata: BatchMetadata[] = [],
  ) {}

  static empty(producerId: number): ProducerStateEntry {
    return new ProducerStateEntry(producerId, NO_PRODUCER_EPOCH, -1, -1, null);
  }

  get isEmpty(): boolean {
    return this.batchMetadata.length === 0;
  }

  get firstSeq(): number {
    return this.isEmpty ? NO_SEQUENCE : batchFirstSeq(this.batchMetadata[0]);
  }

  get lastSeq(): number {
    return this.isEmpty ? NO_SEQUENCE : this.batchMetadata[this.batchMetadata.length - 1].lastSeq;
  }

  get firstDataOffset(): number {
    return this.isEmpty ? -1 : batchFirstOffset(this.batchMetadata[0]);
  }

  get lastDataOffset(): number {
    return this.isEmpty ? -1 : this.batchMetadata[this.batchMetadata.length - 1].lastOffset;
  }

  get lastOffsetDelta(): number {
    return this.isEmpty ? 0 : this.batchMetadata[this.batchMetadata.length - 1].offsetDelta;
  }

  addBatch(producerEpoch: number, lastSeq: number, lastOffset: number, offsetDelta: number, timestamp: number): void {
    this.maybeUpdateProducerEpoch(producerEpoch);
    this.addBatchMetadata({ lastSeq, lastOffset, offsetDelta, timestamp });
    this.lastTimestamp = timestamp;
  }

  /** A new epoch starts with no batches: sequences restart at 0. True when the epoch changed. */
  maybeUpdateProducerEpoch(producerEpoch: number): boolean {
    if (this.producerEpoch === producerEpoch) return false;
    this.batchMetadata.length = 0;
    this.producerEpoch = producerEpoch;
    return true;
  }

  private addBatchMetadata(batch: BatchMetadata): void {
    if (this.batchMetadata.length === NUM_BATCHES_TO_RETAIN) this.batchMetadata.shift();
    this.batchMetadata.push(batch);
  }

  /** Takes over what an append produced (`next` is that append's updated copy). */
  update(next: ProducerStateEntry): void {
    this.maybeUpdateProducerEpoch(next.producerEpoch);
    for (const b of next.batchMetadata) this.addBatchMetadata(b);
    this.coordinatorEpoch = next.coordinatorEpoch;
    this.currentTxnFirstOffset = next.currentTxnFirstOffset;
    this.lastTimestamp = next.lastTimestamp;
  }

  /** The retained batch with exactly this epoch and sequence range: a retry of it. */
  findDuplicateBatch(producerEpoch: number, firstSeq: number, lastSeq: number): BatchMetadata | null {
    if (producerEpoch !== this.producerEpoch) return null;
    for (const b of this.batchMetadata) {
      if (b.lastSeq === lastSeq && batchFirstSeq(b) === firstSeq) return b;
    }
    return null;
  }

  /** Forgets batches that ended before `offset` (the log start moved past them). */
  removeBatchesOlderThan(offset: number): void {
    while (this.batchMetadata.length > 0 && this.batchMetadata[0].lastOffset < offset) this.batchMetadata.shift();
  }
}
