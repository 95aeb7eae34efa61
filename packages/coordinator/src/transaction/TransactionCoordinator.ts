import { topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode, errorInfo, NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '@samsa/protocol';
import { TRANSACTION_STATE_TOPIC_NAME } from '@samsa/zk';
import type { Cancellable, CoordinatorTimer } from '../group/CoordinatorTimer';
import type { TransactionConfig } from './TransactionConfig';
import { endTransaction, type EndTransactionDeps } from './TransactionEndTxn';
import { TransactionMarkerChannelManager } from './TransactionMarkerChannelManager';
import { isEpochExhausted, TransactionMetadata, type TxnTransitMetadata } from './TransactionMetadata';
import type { TransactionResult } from './TransactionState';
import { isLookupError, TransactionStateManager, type TransactionStateReplicaManager } from './TransactionStateManager';
import type { TxnMarkerMetadata, TxnMarkerNetwork } from './TxnMarker';

/**
 * How long AddPartitionsToTxn (and AddOffsetsToTxn) waits for the producer's previous
 * transaction to complete (markers written, CompleteCommit/CompleteAbort logged) before answering
 * CONCURRENT_TRANSACTIONS. Kafka 2.8 answers at once, and clients back off about 20 ms before
 * they retry (librdkafka, and the Java producer since KAFKA-5477), while completing takes a few
 * milliseconds: a producer that begins its next transaction right after a commit lost ~20 ms per
 * transaction (measured: 47 transactions/s of 100 × 1 KB, 21 ms each, 20 of them in that backoff).
 * Waiting here answers the same request once the completion is written; after this bound the
 * client gets Kafka's answer and its own backoff, as before.
 */
const COMPLETION_WAIT_MS = 50;
/** tryAddPartitions' answer while the previous transaction's markers are out. */
const COMPLETING = -1000;

/** InitProducerId's answer. */
export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: number;
  readonly producerEpoch: number;
}

const initError = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });

export interface TransactionCoordinatorOptions {
  readonly brokerId: number;
  readonly config: TransactionConfig;
  readonly replicaManager: TransactionStateReplicaManager;
  readonly producerIdManager: { generateProducerId(): Promise<number> };
  readonly markerNetwork: TxnMarkerNetwork;
  readonly markerMetadata: TxnMarkerMetadata;
  readonly timer: CoordinatorTimer;
  /** The coordinator's logger ("[TransactionCoordinator id=N]"); the state manager and marker channel get their own. */
  readonly logger: Logger;
  readonly stateManagerLogger?: Logger;
  readonly markerChannelLogger?: Logger;
  /** Wait before retrying a marker (default 100 ms). */
  readonly markerRetryBackoffMs?: number;
}

/** The producer id and epoch an InitProducerId carries (KIP-360), or null for a fresh start. */
export interface ProducerIdAndEpoch {
  readonly producerId: number;
  readonly epoch: number;
}

/**
 * The transaction coordinator (Kafka 2.8's TransactionCoordinator): InitProducerId with a
 * transactional id, AddPartitionsToTxn / AddOffsetsToTxn, EndTxn, the election and resignation of
 * __transaction_state partitions, and two periodic tasks (aborting transactions past their timeout,
 * removing expired transactional ids). The state lives in the TransactionStateManager; markers are
 * written by the TransactionMarkerChannelManager.
 */
export class TransactionCoordinator {
  readonly txnManager: TransactionStateManager;
  readonly txnMarkerChannelManager: TransactionMarkerChannelManager;
  private readonly endTxnDeps: EndTransactionDeps;
  private readonly tasks: Cancellable[] = [];
  private active = false;

  constructor(private readonly options: TransactionCoordinatorOptions) {
    const { brokerId, config, replicaManager, timer, logger } = options;
    this.txnManager = new TransactionStateManager(brokerId, config, replicaManager, timer, options.stateManagerLogger ?? logger);
    this.txnMarkerChannelManager = new TransactionMarkerChannelManager({
      brokerId,
      txnStateManager: this.txnManager,
      network: options.markerNetwork,
      metadata: options.markerMetadata,
      timer,
      retryBackoffMs: options.markerRetryBackoffMs,
      logger: options.markerChannelLogger ?? logger,
    });
    this.endTxnDeps = { txnManager: this.txnManager, txnMarkerChannelManager: this.txnMarkerChannelManager, timer, logger };
  }

  /** `partitionCount`: the partitions __transaction_state has (or will be created with). */
  startup(partitionCount: number, enableTransactionalIdExpiration = true): void {
    this.options.logger.info('Starting up.');
    this.txnManager.startup(partitionCount);
    this.active = true;
    this.schedulePeriodic(this.options.config.abortTimedOutTransactionsIntervalMs, () => this.abortTimedOutTransactions());
    if (enableTransactionalIdExpiration)
      this.schedulePeriodic(this.options.config.removeExpiredTransactionalIdsIntervalMs, () => {
        void this.txnManager.removeExpiredTransactionalIds().catch((e) => this.options.logger.error('Removing expired transactional ids failed', e));
      });
    this.options.logger.info('Startup complete.');
  }

  private schedulePeriodic(intervalMs: number, task: () => void): void {
    const run = () => {
      if (!this.active) return;
      try {
        task();
      } catch (e) {
        this.options.logger.error('A periodic task of the transaction coordinator failed', e);
      }
      this.tasks.push(this.options.timer.schedule(intervalMs, run));
    };
    this.tasks.push(this.options.timer.schedule(intervalMs, run));
  }

  async shutdown(): Promise<void> {
    this.options.logger.info('Shutting down.');
    this.active = false;
    for (const t of this.tasks) t.cancel();
    this.tasks.length = 0;
    this.txnMarkerChannelManager.shutdown();
    await this.txnManager.shutdown();
    this.options.logger.info('Shutdown complete.');
  }

  partitionFor(transactionalId: string): number {
    return this.txnManager.partitionFor(transactionalId);
  }

  /** This broker became the leader of __transaction_state partition `partitionId` (Kafka's onElection). */
  onElection(partitionId: number, coordinatorEpoch: number): void {
    this.options.logger.info(`Elected as the txn coordinator for partition ${partitionId} at epoch ${coordinatorEpoch}`);
    // a previous load in an older epoch (leadership lost and regained) is dropped first
    this.txnMarkerChannelManager.removeMarkersForTxnTopicPartition(partitionId);
    this.txnManager.loadTransactionsForTxnTopicPartition(partitionId, coordinatorEpoch, (epoch, result, txnMetadata, transit) =>
      this.txnMarkerChannelManager.addTxnMarkersToSend(epoch, result, txnMetadata, transit),
    );
  }

  /** This broker stopped leading partition `partitionId` (Kafka's onResignation; epoch null: deleted). */
  onResignation(partitionId: number, coordinatorEpoch: number | null): void {
    this.options.logger.info(`Resigned as the txn coordinator for partition ${partitionId} at epoch ${coordinatorEpoch}`);
    this.txnManager.removeTransactionsForTxnTopicPartition(partitionId, coordinatorEpoch);
    this.txnMarkerChannelManager.removeMarkersForTxnTopicPartition(partitionId);
  }

  /**
   * Kafka's onLeadershipChange, called after a LeaderAndIsr was applied: __transaction_state
   * partitions this broker now leads are loaded (the leader epoch is the coordinator epoch), those
   * it now follows unloaded.
   */
  onLeadershipChange(
    updatedLeaders: readonly { topic: string; partition: number; leaderEpoch: number }[],
    updatedFollowers: readonly { topic: string; partition: number; leaderEpoch: number }[],
  ): void {
    for (const p of updatedLeaders) if (p.topic === TRANSACTION_STATE_TOPIC_NAME) this.onElection(p.partition, p.leaderEpoch);
    for (const p of updatedFollowers) if (p.topic === TRANSACTION_STATE_TOPIC_NAME) this.onResignation(p.partition, p.leaderEpoch);
  }

  // ---- InitProducerId -----------------------------------------------------------------------------

  /**
   * InitProducerId with a transactional id (Kafka 2.8's handleInitProducerId):
   * 1. an empty id → INVALID_REQUEST; a timeout ≤ 0 or above transaction.max.timeout.ms →
   *    INVALID_TRANSACTION_TIMEOUT;
   * 2. an unknown id gets a new producer id (epoch -1, bumped to 0 below);
   * 3. a transition in flight or a transaction completing → CONCURRENT_TRANSACTIONS; a producer id
   *    and epoch that are not the id's (KIP-360) → PRODUCER_FENCED; no transaction open → the epoch
   *    bumped (a new producer id once the epoch is exhausted), written, and answered;
   * 4. a transaction open → the epoch is bumped to fence its producer and the transaction aborted;
   *    the answer is CONCURRENT_TRANSACTIONS, and the client's retry gets the epoch bumped again.
   */
  async handleInitProducerId(
    transactionalId: string,
    transactionTimeoutMs: number,
    expected: ProducerIdAndEpoch | null,
  ): Promise<InitProducerIdResult> {
    const { logger, producerIdManager, timer } = this.options;
    if (transactionalId === '') return initError(ErrorCode.INVALID_REQUEST);
    if (!this.txnManager.validateTransactionTimeoutMs(transactionTimeoutMs)) return initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT);

    let lookup = this.txnManager.getTransactionState(transactionalId);
    if (lookup === null) {
      const producerId = await producerIdManager.generateProducerId();
      lookup = this.txnManager.putTransactionStateIfNotExists(
        new TransactionMetadata({
          transactionalId,
          producerId,
          producerEpoch: NO_PRODUCER_EPOCH,
          txnTimeoutMs: transactionTimeoutMs,
          state: 'Empty',
          txnLastUpdateTimestamp: timer.now(),
        }),
      );
    }
    if (isLookupError(lookup)) return initError(lookup);
    if (lookup === null) return initError(ErrorCode.NOT_COORDINATOR);
    const { coordinatorEpoch, transactionMetadata: txnMetadata } = lookup;

    let rotatedProducerId: number | null = null;
    let transit = this.prepareInitProducerIdTransit(transactionalId, transactionTimeoutMs, txnMetadata, expected, rotatedProducerId);
    if (transit === 'needsNewProducerId') {
      rotatedProducerId = await producerIdManager.generateProducerId();
      transit = this.prepareInitProducerIdTransit(transactionalId, transactionTimeoutMs, txnMetadata, expected, rotatedProducerId);
    }
    if (typeof transit === 'number') return initError(transit);
    if (transit === 'needsNewProducerId') return initError(ErrorCode.CONCURRENT_TRANSACTIONS);

    if (transit.txnState === 'PrepareEpochFence') {
      // abort the open transaction first; the client retries and gets the next epoch
      const error = await endTransaction(this.endTxnDeps, transactionalId, transit.producerId, transit.producerEpoch, 'ABORT', false);
      return initError(error === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : error);
    }
    const error = await this.txnManager.appendTransactionToLog(transactionalId, coordinatorEpoch, transit);
    if (error !== ErrorCode.NONE) {
      logger.info(`Returning ${errorInfo(error).name} error code to client for ${transactionalId}'s InitProducerId request`);
      return initError(error);
    }
    logger.info(
      `Initialized transactionalId ${transactionalId} with producerId ${transit.producerId} and producer epoch ${transit.producerEpoch} on partition ${this.partitionFor(transactionalId)}`,
    );
    return { errorCode: ErrorCode.NONE, producerId: transit.producerId, producerEpoch: transit.producerEpoch };
  }

  /** Kafka's prepareInitProducerIdTransit; asks for a new producer id (and is called again) when the epoch is exhausted. */
  private prepareInitProducerIdTransit(
    transactionalId: string,
    transactionTimeoutMs: number,
    txnMetadata: TransactionMetadata,
    expected: ProducerIdAndEpoch | null,
    newProducerId: number | null,
  ): TxnTransitMetadata | number | 'needsNewProducerId' {
    const isValidProducerId = (p: ProducerIdAndEpoch) =>
      // 1. the metadata was just created (a producer recovering from UNKNOWN_PRODUCER_ID);
      // 2. the producer's own id (its epoch is checked by the bump);
      // 3. the previous id with an exhausted epoch: a retry of a rotation whose answer was lost
      txnMetadata.producerEpoch === NO_PRODUCER_EPOCH ||
      p.producerId === txnMetadata.producerId ||
      (p.producerId === txnMetadata.lastProducerId && isEpochExhausted(p.epoch));
    if (txnMetadata.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (expected !== null && !isValidProducerId(expected)) return ErrorCode.PRODUCER_FENCED;
    const now = this.options.timer.now();
    switch (txnMetadata.state) {
      case 'PrepareAbort':
      case 'PrepareCommit':
        return ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'CompleteAbort':
      case 'CompleteCommit':
      case 'Empty': {
        if (txnMetadata.isProducerEpochExhausted && (expected === null || expected.epoch === txnMetadata.producerEpoch)) {
          if (newProducerId === null) return 'needsNewProducerId';
          return txnMetadata.prepareProducerIdRotation(newProducerId, transactionTimeoutMs, now, expected !== null);
        }
        const r = txnMetadata.prepareIncrementProducerEpoch(transactionTimeoutMs, expected?.epoch ?? null, now);
        return r === 'PRODUCER_FENCED' ? ErrorCode.PRODUCER_FENCED : r;
      }
      case 'Ongoing':
        return txnMetadata.prepareFenceProducerEpoch();
      case 'Dead':
      case 'PrepareEpochFence':
        this.options.logger.error(`Found transactionalId ${transactionalId} with state ${txnMetadata.state}. This is illegal as we should never have transitioned to this state.`);
        return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn -------------------------------------------------------

  /**
   * Adds partitions to the producer's transaction (Kafka 2.8's handleAddPartitionsToTransaction);
   * AddOffsetsToTxn adds the group's __consumer_offsets partition the same way. Resolves to one
   * error for all the partitions.
   */
  async handleAddPartitionsToTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: readonly TopicPartition[],
  ): Promise<number> {
    const deadline = this.options.timer.now() + COMPLETION_WAIT_MS;
    for (;;) {
      const error = await this.tryAddPartitions(transactionalId, producerId, producerEpoch, partitions);
      const waitMs = deadline - this.options.timer.now();
      if (error !== COMPLETING || waitMs <= 0) return error === COMPLETING ? ErrorCode.CONCURRENT_TRANSACTIONS : error;
      await this.txnManager.awaitTransitionEnd(transactionalId, waitMs);
    }
  }

  /** One attempt of handleAddPartitionsToTransaction; COMPLETING while the last transaction's markers are out. */
  private async tryAddPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: readonly TopicPartition[],
  ): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const lookup = this.txnManager.getTransactionState(transactionalId);
    if (isLookupError(lookup)) return lookup;
    if (lookup === null) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    const { coordinatorEpoch, transactionMetadata: m } = lookup;
    if (m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') return COMPLETING;
    if (m.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    // already in the transaction: nothing to write
    if (m.state === 'Ongoing' && partitions.every((tp) => m.topicPartitions.has(tp))) return ErrorCode.NONE;
    const transit = m.prepareAddPartitions(partitions, this.options.timer.now());
    const error = await this.txnManager.appendTransactionToLog(transactionalId, coordinatorEpoch, transit);
    if (error === ErrorCode.NONE)
      this.options.logger.debug(`Added partitions ${partitions.map(topicPartitionKey).join(', ')} to the transaction of ${transactionalId}`);
    return error;
  }

  // ---- EndTxn and timeouts ------------------------------------------------------------------------

  /** EndTxn from the client. */
  handleEndTransaction(transactionalId: string, producerId: number, producerEpoch: number, result: TransactionResult): Promise<number> {
    return endTransaction(this.endTxnDeps, transactionalId, producerId, producerEpoch, result, true);
  }

  /**
   * The periodic task: every ongoing transaction past its timeout has its producer fenced (epoch
   * bumped) and is aborted (Kafka's abortTimedOutTransactions).
   */
  abortTimedOutTransactions(): void {
    const { logger } = this.options;
    for (const t of this.txnManager.timedOutTransactions()) {
      const lookup = this.txnManager.getTransactionState(t.transactionalId);
      if (isLookupError(lookup) || lookup === null) continue;
      const m = lookup.transactionMetadata;
      if (m.producerId !== t.producerId) {
        logger.error(`Found incorrect producerId when expiring transactionalId: ${t.transactionalId}. Expected producerId: ${t.producerId}. Found producerId: ${m.producerId}`);
        continue;
      }
      if (m.pendingTransitionInProgress) {
        logger.debug(`Skipping abort of timed out transaction ${t.transactionalId} since there is a pending state transition`);
        continue;
      }
      const fence = m.prepareFenceProducerEpoch();
      logger.info(`Aborting the timed out transaction of ${t.transactionalId} (producer id ${fence.producerId}, epoch bumped to ${fence.producerEpoch})`);
      void endTransaction(this.endTxnDeps, t.transactionalId, fence.producerId, fence.producerEpoch, 'ABORT', false).then(
        (error) => {
          if (error !== ErrorCode.NONE)
            logger.info(`Completed rollback of ongoing transaction for transactionalId ${t.transactionalId} due to timeout with error ${errorInfo(error).name}`);
          else logger.info(`Completed rollback of ongoing transaction for transactionalId ${t.transactionalId} due to timeout`);
        },
        (e) => logger.error(`Rollback of the timed out transaction of ${t.transactionalId} failed`, e),
      );
    }
  }
}
