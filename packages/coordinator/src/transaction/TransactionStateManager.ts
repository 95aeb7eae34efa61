import { topicPartition, topicPartitionKey, type Logger } from '@samsa/common';
import { buildBatch, ErrorCode } from '@samsa/protocol';
import { TRANSACTION_STATE_TOPIC_NAME } from '@samsa/zk';
import type { CoordinatorTimer } from '../group/CoordinatorTimer';
import type { CoordinatorReplicaManager } from '../group/GroupMetadataManager';
import { partitionFor } from '../group/partitionFor';
import type { TransactionConfig } from './TransactionConfig';
import { TRANSACTION_LOG_REQUIRED_ACKS, transactionLogBatch, transactionLogKey, transactionLogValue } from './TransactionLog';
import { replayTransactionLog } from './TransactionLogReplay';
import type { TransactionMetadata, TxnTransitMetadata } from './TransactionMetadata';
import type { TransactionResult } from './TransactionState';

/**
 * What the transaction coordinator needs of the ReplicaManager: the same as the group
 * coordinator's (appends as the coordinator, Kafka's AppendOrigin.Coordinator, and the
 * partition's log for loading), which the broker's ReplicaManager fits structurally.
 */
export type TransactionStateReplicaManager = CoordinatorReplicaManager;

/** A transactional id's metadata with the epoch of the coordinator that holds it. */
export interface CoordinatorEpochAndTxnMetadata {
  readonly coordinatorEpoch: number;
  readonly transactionMetadata: TransactionMetadata;
}

/**
 * Kafka's Either[Errors, Option[CoordinatorEpochAndTxnMetadata]]: an error code (this broker does
 * not coordinate the id, or is loading its partition), the metadata, or null (no such id).
 */
export type TxnStateLookup = number | CoordinatorEpochAndTxnMetadata | null;

export function isLookupError(r: TxnStateLookup): r is number {
  return typeof r === 'number';
}

/** What loading found still to finish: PrepareCommit/PrepareAbort transactions whose markers are resent. */
export type SendTxnMarkers = (
  coordinatorEpoch: number,
  result: TransactionResult,
  txnMetadata: TransactionMetadata,
  newMetadata: TxnTransitMetadata,
) => void;

/** An ongoing transaction past its timeout. */
export interface TransactionalIdAndProducerIdEpoch {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** Kafka's mapping of append errors in appendTransactionToLog. */
function appendErrorToCoordinatorError(error: number): number {
  switch (error) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return error;
  }
}

const txnPartitionName = (partitionId: number) =>
  topicPartitionKey(topicPartition(TRANSACTION_STATE_TOPIC_NAME, partitionId));

/**
 * The transactional ids this broker coordinates, and how they are stored (Kafka 2.8's
 * TransactionStateManager):
 * 1. a cache per owned __transaction_state partition, with the coordinator epoch (the partition's
 *    leader epoch) it was loaded in; ids of a partition being loaded answer
 *    COORDINATOR_LOAD_IN_PROGRESS, ids of a partition not owned NOT_COORDINATOR;
 * 2. loading a partition when this broker becomes its leader (one load at a time, in order), then
 *    resending the markers of transactions left in PrepareCommit/PrepareAbort; unloading on losing it;
 * 3. writing a transition's record (acks=all, as the coordinator) and only then adopting it;
 * 4. the ongoing transactions past their timeout, and the removal of ids idle for
 *    transactional.id.expiration.ms (tombstones).
 */
export class TransactionStateManager {
  /** partition id → its coordinator epoch and metadata by transactional id. */
  private readonly transactionMetadataCache = new Map<
    number,
    { coordinatorEpoch: number; metadataPerTransactionalId: Map<string, TransactionMetadata> }
  >();
  /** partition id → the coordinator epoch it is being loaded in. */
  private readonly loadingPartitions = new Map<number, number>();
  private transactionTopicPartitionCount: number;
  private scheduler: Promise<void> = Promise.resolve();
  private shuttingDown = false;
  /** Who waits for an id's next transition to end (awaitTransitionEnd), by transactional id. */
  private readonly transitionWaiters = new Map<string, Array<() => void>>();
  /** Load times (ms) of the partitions loaded so far: Kafka's partition-load-time sensor. */
  readonly partitionLoadTimes: number[] = [];

  constructor(
    readonly brokerId: number,
    private readonly config: TransactionConfig,
    private readonly replicaManager: TransactionStateReplicaManager,
    private readonly timer: CoordinatorTimer,
    private readonly logger: Logger,
  ) {
    this.transactionTopicPartitionCount = config.transactionLogNumPartitions;
  }

  /** `partitionCount`: the partitions __transaction_state has (or will be created with). */
  startup(partitionCount: number): void {
    this.transactionTopicPartitionCount = partitionCount;
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.loadingPartitions.clear();
    this.transactionMetadataCache.clear();
    await this.scheduler;
  }

  /** The __transaction_state partition of a transactional id: abs(hashCode) % partitions. */
  partitionFor(transactionalId: string): number {
    return partitionFor(transactionalId, this.transactionTopicPartitionCount);
  }

  /** Kafka's validateTransactionTimeoutMs. */
  validateTransactionTimeoutMs(txnTimeoutMs: number): boolean {
    return txnTimeoutMs <= this.config.transactionMaxTimeoutMs && txnTimeoutMs > 0;
  }

  isLoading(partitionId: number): boolean {
    return this.loadingPartitions.has(partitionId);
  }

  ownedPartitions(): number[] {
    return [...this.transactionMetadataCache.keys()];
  }

  getTransactionState(transactionalId: string): TxnStateLookup {
    return this.getAndMaybeAddTransactionState(transactionalId, null);
  }

  /** Adds `created` unless the id is known; answers what is cached then. */
  putTransactionStateIfNotExists(created: TransactionMetadata): TxnStateLookup {
    return this.getAndMaybeAddTransactionState(created.transactionalId, created);
  }

  private getAndMaybeAddTransactionState(transactionalId: string, created: TransactionMetadata | null): TxnStateLookup {
    const partitionId = this.partitionFor(transactionalId);
    if (this.loadingPartitions.has(partitionId)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    const entry = this.transactionMetadataCache.get(partitionId);
    if (!entry) return ErrorCode.NOT_COORDINATOR;
    let metadata = entry.metadataPerTransactionalId.get(transactionalId);
    if (metadata === undefined && created !== null) {
      entry.metadataPerTransactionalId.set(transactionalId, created);
      metadata = created;
    }
    return metadata === undefined ? null : { coordinatorEpoch: entry.coordinatorEpoch, transactionMetadata: metadata };
  }

  /** Every cached transaction, for metrics and tests. */
  allTransactions(): TransactionMetadata[] {
    return [...this.transactionMetadataCache.values()].flatMap((e) => [...e.metadataPerTransactionalId.values()]);
  }

  // ---- writing ------------------------------------------------------------------------------------

  /**
   * Writes `newMetadata` as the id's record and adopts it (Kafka's appendTransactionToLog). Resolves
   * to the error for the caller: append errors mapped as Kafka maps them; NOT_COORDINATOR when the
   * partition moved (another coordinator epoch) meanwhile. On an error the pending state is cleared,
   * unless `retryOnError` says the caller will retry the same transition.
   */
  async appendTransactionToLog(
    transactionalId: string,
    coordinatorEpoch: number,
    newMetadata: TxnTransitMetadata,
    retryOnError: (error: number) => boolean = () => false,
  ): Promise<number> {
    const before = this.getTransactionState(transactionalId);
    if (isLookupError(before)) return before;
    if (before === null || before.coordinatorEpoch !== coordinatorEpoch) return ErrorCode.NOT_COORDINATOR;
    const partition = this.partitionFor(transactionalId);
    const records = transactionLogBatch(transactionalId, transactionLogValue(newMetadata), this.timer.now());
    let status: number;
    try {
      const [result] = await this.replicaManager.appendRecords(
        newMetadata.txnTimeoutMs,
        TRANSACTION_LOG_REQUIRED_ACKS,
        [{ topic: TRANSACTION_STATE_TOPIC_NAME, partition, records }],
        undefined,
        'coordinator',
      );
      status = result.errorCode;
    } catch (e) {
      this.logger.error(`Appending ${transactionalId}'s new metadata ${JSON.stringify(newMetadata)} failed`, e);
      status = ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    let responseError = status === ErrorCode.NONE ? ErrorCode.NONE : appendErrorToCoordinatorError(status);
    if (status !== ErrorCode.NONE)
      this.logger.debug(`Appending ${transactionalId}'s new metadata failed due to error ${status}`);
    const after = this.getTransactionState(transactionalId);
    if (responseError === ErrorCode.NONE) {
      if (isLookupError(after)) {
        this.logger.info(`Accessing the cached transaction metadata for ${transactionalId} returns error ${after}; aborting transition`);
        responseError = after;
      } else if (after === null || after.coordinatorEpoch !== coordinatorEpoch) {
        // the partition emigrated and maybe immigrated again: the client must find its coordinator anew
        this.logger.info(
          `The cached coordinator metadata for ${transactionalId} changed since the append was sent (epoch ${coordinatorEpoch}); answering NOT_COORDINATOR`,
        );
        responseError = ErrorCode.NOT_COORDINATOR;
      } else {
        after.transactionMetadata.completeTransitionTo(newMetadata);
        this.logger.debug(`Updating ${transactionalId}'s transaction state to ${newMetadata.txnState} succeeded`);
      }
      this.notifyTransitionEnd(transactionalId);
    } else if (!isLookupError(after) && after !== null && after.coordinatorEpoch === coordinatorEpoch) {
      if (retryOnError(responseError)) {
        this.logger.info(`TransactionalId ${transactionalId} append transaction log for ${newMetadata.txnState} failed with error ${responseError}, retrying`);
      } else {
        after.transactionMetadata.pendingState = null;
        this.notifyTransitionEnd(transactionalId);
      }
    }
    return responseError;
  }

  /**
   * Resolves when a transition of `transactionalId` ends (written and adopted, or given up), when
   * its partition is unloaded, or after `maxWaitMs`, whichever comes first. The caller looks at the
   * state again afterwards; nothing is promised about it.
   */
  awaitTransitionEnd(transactionalId: string, maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        timeout.cancel();
        const list = this.transitionWaiters.get(transactionalId);
        const rest = list?.filter((w) => w !== finish) ?? [];
        if (rest.length > 0) this.transitionWaiters.set(transactionalId, rest);
        else this.transitionWaiters.delete(transactionalId);
        resolve();
      };
      const timeout = this.timer.schedule(maxWaitMs, finish);
      const list = this.transitionWaiters.get(transactionalId) ?? [];
      list.push(finish);
      this.transitionWaiters.set(transactionalId, list);
    });
  }

  private notifyTransitionEnd(transactionalId: string): void {
    const list = this.transitionWaiters.get(transactionalId);
    if (list === undefined) return;
    for (const w of [...list]) w();
  }

  // ---- loading and unloading ----------------------------------------------------------------------

  private schedule(name: string, task: () => Promise<void>): void {
    this.scheduler = this.scheduler.then(task).catch((e) => this.logger.error(`${name} failed`, e));
  }

  /**
   * Becoming the leader of `partitionId` in `coordinatorEpoch`: marks it loading at once, then
   * loads it in the background; the transactions found half-way (PrepareCommit/PrepareAbort) have
   * their markers sent again through `sendTxnMarkers` once the partition answers requests.
   */
  loadTransactionsForTxnTopicPartition(partitionId: number, coordinatorEpoch: number, sendTxnMarkers: SendTxnMarkers): void {
    const tp = txnPartitionName(partitionId);
    this.loadingPartitions.set(partitionId, coordinatorEpoch);
    const startMs = this.timer.now();
    this.logger.info(`Scheduling loading of transaction metadata from ${tp} at epoch ${coordinatorEpoch}`);
    this.schedule(`loading ${tp}`, async () => {
      if (this.shuttingDown || this.loadingPartitions.get(partitionId) !== coordinatorEpoch) return;
      const stillLoading = () => !this.shuttingDown && this.loadingPartitions.get(partitionId) === coordinatorEpoch;
      const partition = this.replicaManager.getPartition(TRANSACTION_STATE_TOPIC_NAME, partitionId);
      let loaded = new Map<string, TransactionMetadata>();
      if (!partition) {
        this.logger.warn(`Attempted to load transaction metadata from ${tp}, but found no log`);
      } else {
        loaded = await replayTransactionLog(partition.log, {
          loadBufferSize: this.config.transactionLogLoadBufferSize,
          logEndOffset: () => {
            const p = this.replicaManager.getPartition(TRANSACTION_STATE_TOPIC_NAME, partitionId);
            return p === partition && p.isLeader ? p.log.logEndOffset : -1;
          },
          shouldStop: () => !stillLoading(),
        });
      }
      if (!stillLoading()) {
        this.logger.info(`Loading of ${tp} for epoch ${coordinatorEpoch} stopped: the partition was unloaded meanwhile`);
        return;
      }
      const previous = this.transactionMetadataCache.get(partitionId);
      if (previous)
        this.logger.warn(`Unloaded transaction metadata of ${tp} (epoch ${previous.coordinatorEpoch}) from the cache for a new load`);
      this.transactionMetadataCache.set(partitionId, { coordinatorEpoch, metadataPerTransactionalId: loaded });
      const pending: [TransactionResult, TransactionMetadata, TxnTransitMetadata][] = [];
      for (const txnMetadata of loaded.values()) {
        if (txnMetadata.state === 'PrepareCommit') pending.push(['COMMIT', txnMetadata, txnMetadata.prepareComplete(this.timer.now())]);
        else if (txnMetadata.state === 'PrepareAbort') pending.push(['ABORT', txnMetadata, txnMetadata.prepareComplete(this.timer.now())]);
      }
      // not loading any more first, so that the Complete* appends after the markers are not refused
      this.loadingPartitions.delete(partitionId);
      const loadMs = this.timer.now() - startMs;
      this.partitionLoadTimes.push(loadMs);
      this.logger.info(
        `Finished loading ${loaded.size} transaction metadata from ${tp} in ${loadMs} milliseconds for epoch ${coordinatorEpoch}; ` +
          `${pending.length} transactions to complete`,
      );
      for (const [result, txnMetadata, transit] of pending) sendTxnMarkers(coordinatorEpoch, result, txnMetadata, transit);
    });
  }

  /** No longer the leader of `partitionId`: its ids answer NOT_COORDINATOR from now (Kafka's removeTransactionsForTxnTopicPartition). */
  removeTransactionsForTxnTopicPartition(partitionId: number, coordinatorEpoch: number | null): void {
    const tp = txnPartitionName(partitionId);
    const loadingEpoch = this.loadingPartitions.get(partitionId);
    if (loadingEpoch !== undefined && (coordinatorEpoch === null || loadingEpoch <= coordinatorEpoch))
      this.loadingPartitions.delete(partitionId);
    const entry = this.transactionMetadataCache.get(partitionId);
    if (entry && (coordinatorEpoch === null || entry.coordinatorEpoch <= coordinatorEpoch)) {
      this.transactionMetadataCache.delete(partitionId);
      for (const id of entry.metadataPerTransactionalId.keys()) this.notifyTransitionEnd(id);
      this.logger.info(`Unloaded transaction metadata of ${entry.metadataPerTransactionalId.size} ids of ${tp} on become-follower transition`);
    } else {
      this.logger.info(`No cached transaction metadata found for ${tp} during become-follower transition`);
    }
  }

  // ---- timeouts and expiry ------------------------------------------------------------------------

  /** Ongoing transactions past txnStartTimestamp + txnTimeoutMs, in partitions not loading (Kafka's timedOutTransactions). */
  timedOutTransactions(): TransactionalIdAndProducerIdEpoch[] {
    const now = this.timer.now();
    const out: TransactionalIdAndProducerIdEpoch[] = [];
    for (const [partitionId, entry] of this.transactionMetadataCache) {
      if (this.loadingPartitions.has(partitionId)) continue;
      for (const m of entry.metadataPerTransactionalId.values()) {
        if (m.pendingTransitionInProgress || m.state !== 'Ongoing') continue;
        if (m.txnStartTimestamp + m.txnTimeoutMs < now)
          out.push({ transactionalId: m.transactionalId, producerId: m.producerId, producerEpoch: m.producerEpoch });
      }
    }
    return out;
  }

  /**
   * Removes the ids without a transaction whose last update is older than
   * transactional.id.expiration.ms (Kafka's removeExpiredTransactionalIds): each becomes Dead
   * pending, one batch of tombstones per partition is written (acks=all), and the ids whose
   * tombstone made it are dropped from the cache. Resolves to the ids removed.
   */
  async removeExpiredTransactionalIds(): Promise<string[]> {
    const now = this.timer.now();
    const appends: Promise<string[]>[] = [];
    for (const [partitionId, entry] of this.transactionMetadataCache) {
      if (this.loadingPartitions.has(partitionId)) continue;
      const expired: [TransactionMetadata, TxnTransitMetadata][] = [];
      for (const m of entry.metadataPerTransactionalId.values()) {
        const idle = m.state === 'Empty' || m.state === 'CompleteCommit' || m.state === 'CompleteAbort';
        if (idle && !m.pendingTransitionInProgress && m.txnLastUpdateTimestamp <= now - this.config.transactionalIdExpirationMs)
          expired.push([m, m.prepareDead()]);
      }
      if (expired.length === 0) continue;
      const coordinatorEpoch = entry.coordinatorEpoch;
      const records = buildBatch(
        expired.map(([m]) => ({ key: transactionLogKey(m.transactionalId), value: null, timestamp: now })),
        { baseTimestamp: now },
      );
      appends.push(
        this.replicaManager
          .appendRecords(
            this.config.requestTimeoutMs,
            TRANSACTION_LOG_REQUIRED_ACKS,
            [{ topic: TRANSACTION_STATE_TOPIC_NAME, partition: partitionId, records }],
            undefined,
            'coordinator',
          )
          .then(([r]) => r.errorCode, () => ErrorCode.UNKNOWN_SERVER_ERROR)
          .then((error) => {
            const removed: string[] = [];
            const current = this.transactionMetadataCache.get(partitionId);
            for (const [m, transit] of expired) {
              if (
                error === ErrorCode.NONE &&
                current?.coordinatorEpoch === coordinatorEpoch &&
                m.pendingState === 'Dead' &&
                m.producerEpoch === transit.producerEpoch &&
                current.metadataPerTransactionalId.get(m.transactionalId) === m
              ) {
                current.metadataPerTransactionalId.delete(m.transactionalId);
                removed.push(m.transactionalId);
              } else {
                this.logger.warn(`Failed to remove expired transactionalId ${m.transactionalId} (append error ${error})`);
              }
              m.pendingState = null;
            }
            return removed;
          }),
      );
    }
    const removed = (await Promise.all(appends)).flat();
    if (removed.length > 0) this.logger.info(`Removed ${removed.length} expired transactional ids in ${this.timer.now() - now} milliseconds`);
    return removed;
  }
}
