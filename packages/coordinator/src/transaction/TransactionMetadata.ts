import { TopicPartitionMap, topicPartitionKey, type TopicPartition } from '@samsa/common';
import { MAX_PRODUCER_EPOCH, NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '@samsa/protocol';
import { isValidTxnTransition, type TransactionState } from './TransactionState';

/**
 * The metadata a transition will leave behind once its record is in __transaction_state
 * (Kafka's TxnTransitMetadata): what is written, and what completeTransitionTo then adopts.
 */
export interface TxnTransitMetadata {
  readonly producerId: number;
  readonly lastProducerId: number;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly txnState: TransactionState;
  readonly topicPartitions: readonly TopicPartition[];
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
}

/** A transition the state machine does not allow, or a transit that does not match its metadata: a bug. */
export class IllegalTransactionStateError extends Error {}

/** Kafka's TransactionMetadata.isEpochExhausted: the epoch leaves no room for one more bump. */
export function isEpochExhausted(producerEpoch: number): boolean {
  return producerEpoch >= MAX_PRODUCER_EPOCH - 1;
}

export interface TransactionMetadataInit {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly lastProducerId?: number;
  readonly producerEpoch: number;
  readonly lastProducerEpoch?: number;
  readonly txnTimeoutMs: number;
  readonly state: TransactionState;
  readonly topicPartitions?: readonly TopicPartition[];
  readonly txnStartTimestamp?: number;
  readonly txnLastUpdateTimestamp: number;
}

/**
 * One transactional id's state (Kafka 2.8's TransactionMetadata). Every change goes in two steps,
 * so that the cache only ever shows what __transaction_state holds:
 * 1. a prepare* method checks the transition against the table and returns the TxnTransitMetadata
 *    to write, leaving `pendingState` set (a second transition meanwhile is refused);
 * 2. once the record is appended, completeTransitionTo adopts it (or, on a failed append, the
 *    state manager clears `pendingState`).
 * Node runs one callback at a time: Kafka's inLock is every synchronous stretch of code.
 */
export class TransactionMetadata {
  readonly transactionalId: string;
  producerId: number;
  lastProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  readonly topicPartitions = new TopicPartitionMap<true>();
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  /** The state of a transition whose record is being written. */
  pendingState: TransactionState | null = null;
  /** An epoch fence (PrepareEpochFence → PrepareAbort) failed to be written: the next one keeps the epoch. */
  hasFailedEpochFence = false;

  constructor(init: TransactionMetadataInit) {
    this.transactionalId = init.transactionalId;
    this.producerId = init.producerId;
    this.lastProducerId = init.lastProducerId ?? NO_PRODUCER_ID;
    this.producerEpoch = init.producerEpoch;
    this.lastProducerEpoch = init.lastProducerEpoch ?? NO_PRODUCER_EPOCH;
    this.txnTimeoutMs = init.txnTimeoutMs;
    this.state = init.state;
    for (const tp of init.topicPartitions ?? []) this.topicPartitions.set(tp, true);
    this.txnStartTimestamp = init.txnStartTimestamp ?? -1;
    this.txnLastUpdateTimestamp = init.txnLastUpdateTimestamp;
  }

  get partitions(): TopicPartition[] {
    return this.topicPartitions.keys();
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** A transaction is open (Kafka's hasPendingTransaction). */
  get hasPendingTransaction(): boolean {
    return this.state === 'Ongoing' || this.state === 'PrepareAbort' || this.state === 'PrepareCommit';
  }

  addPartitions(tps: Iterable<TopicPartition>): void {
    for (const tp of tps) this.topicPartitions.set(tp, true);
  }

  /** A marker for `tp` is written (or need not be). */
  removePartition(tp: TopicPartition): void {
    if (this.state !== 'PrepareCommit' && this.state !== 'PrepareAbort')
      throw new IllegalTransactionStateError(
        `Transaction metadata's current state is ${this.state}, and its pending state is ${this.pendingState} ` +
          `while trying to remove partitions whose txn marker has been sent, this is not expected`,
      );
    this.topicPartitions.delete(tp);
  }

  /** The current metadata as a transit (Kafka's prepareNoTransit): what a resent record would say. */
  prepareNoTransit(): TxnTransitMetadata {
    return {
      producerId: this.producerId,
      lastProducerId: this.lastProducerId,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      txnTimeoutMs: this.txnTimeoutMs,
      txnState: this.state,
      topicPartitions: this.partitions,
      txnStartTimestamp: this.txnStartTimestamp,
      txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
    };
  }

  /** Bumps the epoch to fence the producer of an ongoing transaction, which is then aborted. */
  prepareFenceProducerEpoch(): TxnTransitMetadata {
    if (this.producerEpoch === MAX_PRODUCER_EPOCH)
      throw new IllegalTransactionStateError(`Cannot fence producer with epoch equal to Short.MaxValue since this would overflow`);
    // a failed fence already bumped the epoch in memory (EndTxn took it); do not bump twice
    const bumpedEpoch = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo('PrepareEpochFence', {
      ...this.prepareNoTransit(),
      producerEpoch: bumpedEpoch,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
    });
  }

  /**
   * InitProducerId on an id without an open transaction: the epoch bumped. With the producer's own
   * id and epoch (KIP-360), a retry of a bump that already happened answers the same epoch again,
   * and any other epoch is PRODUCER_FENCED.
   */
  prepareIncrementProducerEpoch(
    newTxnTimeoutMs: number,
    expectedProducerEpoch: number | null,
    updateTimestamp: number,
  ): TxnTransitMetadata | 'PRODUCER_FENCED' {
    if (this.isProducerEpochExhausted)
      throw new IllegalTransactionStateError(`Cannot allocate any more producer epochs for producerId ${this.producerId}`);
    const bumpedEpoch = this.producerEpoch + 1;
    let epochs: [number, number];
    if (expectedProducerEpoch === null) epochs = [bumpedEpoch, NO_PRODUCER_EPOCH];
    else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedProducerEpoch === this.producerEpoch)
      epochs = [bumpedEpoch, this.producerEpoch];
    else if (expectedProducerEpoch === this.lastProducerEpoch) epochs = [this.producerEpoch, this.lastProducerEpoch];
    else return 'PRODUCER_FENCED';
    return this.prepareTransitionTo('Empty', {
      ...this.prepareNoTransit(),
      producerEpoch: epochs[0],
      lastProducerEpoch: epochs[1],
      txnTimeoutMs: newTxnTimeoutMs,
      topicPartitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: updateTimestamp,
    });
  }

  /** The epoch is exhausted: a new producer id, epoch 0. */
  prepareProducerIdRotation(
    newProducerId: number,
    newTxnTimeoutMs: number,
    updateTimestamp: number,
    recordLastEpoch: boolean,
  ): TxnTransitMetadata {
    if (this.hasPendingTransaction)
      throw new IllegalTransactionStateError('Cannot rotate producer ids while a transaction is still pending');
    return this.prepareTransitionTo('Empty', {
      ...this.prepareNoTransit(),
      producerId: newProducerId,
      lastProducerId: this.producerId,
      producerEpoch: 0,
      lastProducerEpoch: recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      txnTimeoutMs: newTxnTimeoutMs,
      topicPartitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: updateTimestamp,
    });
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: Ongoing with the partitions added; a new transaction starts its clock. */
  prepareAddPartitions(added: readonly TopicPartition[], updateTimestamp: number): TxnTransitMetadata {
    const starts = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit';
    const partitions = new TopicPartitionMap<true>(this.topicPartitions);
    for (const tp of added) partitions.set(tp, true);
    return this.prepareTransitionTo('Ongoing', {
      ...this.prepareNoTransit(),
      topicPartitions: partitions.keys(),
      txnStartTimestamp: starts ? updateTimestamp : this.txnStartTimestamp,
      txnLastUpdateTimestamp: updateTimestamp,
    });
  }

  /** EndTxn: PrepareCommit or PrepareAbort. */
  prepareAbortOrCommit(newState: 'PrepareCommit' | 'PrepareAbort', updateTimestamp: number): TxnTransitMetadata {
    return this.prepareTransitionTo(newState, { ...this.prepareNoTransit(), txnLastUpdateTimestamp: updateTimestamp });
  }

  /** Every marker written: CompleteCommit or CompleteAbort, no partitions. */
  prepareComplete(updateTimestamp: number): TxnTransitMetadata {
    const newState = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    // the transition's record made it to the log: a failed epoch fence is behind us
    this.hasFailedEpochFence = false;
    return this.prepareTransitionTo(newState, {
      ...this.prepareNoTransit(),
      topicPartitions: [],
      txnLastUpdateTimestamp: updateTimestamp,
    });
  }

  /** The transactional id expired: its tombstone is written. */
  prepareDead(): TxnTransitMetadata {
    return this.prepareTransitionTo('Dead', { ...this.prepareNoTransit(), topicPartitions: [] });
  }

  private prepareTransitionTo(
    newState: TransactionState,
    transit: Omit<TxnTransitMetadata, 'txnState'>,
  ): TxnTransitMetadata {
    if (this.pendingState !== null)
      throw new IllegalTransactionStateError(
        `Preparing transaction state transition to ${newState} while it already a pending state ${this.pendingState}`,
      );
    if (transit.producerEpoch < 0) throw new IllegalTransactionStateError(`Illegal new producer epoch ${transit.producerEpoch}`);
    if (transit.txnStartTimestamp < -1)
      throw new IllegalTransactionStateError(`Illegal new transaction start timestamp ${transit.txnStartTimestamp}`);
    if (!isValidTxnTransition(this.state, newState))
      throw new IllegalTransactionStateError(
        `TransactionalId ${this.transactionalId} failed transition to state ${newState} from ${this.state}`,
      );
    this.pendingState = newState;
    return { ...transit, txnState: newState };
  }

  /**
   * Adopts a transit whose record is now in the log (Kafka's completeTransitionTo), after checking
   * it is the transition prepared and consistent with the state it leaves.
   */
  completeTransitionTo(transit: TxnTransitMetadata): void {
    const toState = this.pendingState;
    if (toState === null)
      throw new IllegalTransactionStateError(`TransactionalId ${this.transactionalId} completing transaction state transition while it does not have a pending state`);
    const fail = (): never => {
      throw new IllegalTransactionStateError(
        `TransactionalId ${this.transactionalId} failed transition to state ${JSON.stringify(transit)} ` +
          `from ${this.state} (pending ${toState})`,
      );
    };
    if (toState !== transit.txnState) fail();
    if (this.txnLastUpdateTimestamp > transit.txnLastUpdateTimestamp) fail();
    const sameProducer = transit.producerEpoch === this.producerEpoch && transit.producerId === this.producerId;
    const samePartitions = (strict: boolean) => {
      const next = new TopicPartitionMap<true>(transit.topicPartitions.map((tp) => [tp, true] as const));
      const subset = this.partitions.every((tp) => next.has(tp));
      return strict ? subset && next.size === this.topicPartitions.size : subset;
    };
    switch (toState) {
      case 'Empty': {
        const validBump =
          transit.producerEpoch === this.producerEpoch + 1 ||
          (transit.producerEpoch === 0 && transit.producerId !== this.producerId);
        if ((this.producerEpoch !== transit.producerEpoch && !validBump) || transit.topicPartitions.length > 0 || transit.txnStartTimestamp !== -1)
          fail();
        break;
      }
      case 'Ongoing':
        if (!sameProducer || !samePartitions(false) || this.txnTimeoutMs !== transit.txnTimeoutMs) fail();
        break;
      case 'PrepareAbort':
      case 'PrepareCommit':
        if (!sameProducer || !samePartitions(true) || this.txnTimeoutMs !== transit.txnTimeoutMs || this.txnStartTimestamp !== transit.txnStartTimestamp)
          fail();
        break;
      case 'CompleteAbort':
      case 'CompleteCommit':
        if (!sameProducer || this.txnTimeoutMs !== transit.txnTimeoutMs || transit.txnStartTimestamp === -1) fail();
        break;
      case 'Dead':
        if (!sameProducer || this.txnTimeoutMs !== transit.txnTimeoutMs) fail();
        break;
      case 'PrepareEpochFence':
        // never written: EndTxn turns it into PrepareAbort first
        fail();
    }
    this.state = toState;
    this.producerId = transit.producerId;
    this.lastProducerId = transit.lastProducerId;
    this.producerEpoch = transit.producerEpoch;
    this.lastProducerEpoch = transit.lastProducerEpoch;
    this.txnTimeoutMs = transit.txnTimeoutMs;
    this.topicPartitions.keys().forEach((tp) => this.topicPartitions.delete(tp));
    this.addPartitions(transit.topicPartitions);
    this.txnStartTimestamp = transit.txnStartTimestamp;
    this.txnLastUpdateTimestamp = transit.txnLastUpdateTimestamp;
    this.pendingState = null;
  }

  toString(): string {
    return (
      `TransactionMetadata(transactionalId=${this.transactionalId}, producerId=${this.producerId}, ` +
      `producerEpoch=${this.producerEpoch}, txnTimeoutMs=${this.txnTimeoutMs}, state=${this.state}, ` +
      `pendingState=${this.pendingState}, topicPartitions=${this.partitions.map(topicPartitionKey).join(',')})`
    );
  }
}
