import { topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode, errorInfo } from '@samsa/protocol';
import type { Cancellable, CoordinatorTimer } from '../group/CoordinatorTimer';
import { TransactionMarkerRequestCompletionHandler } from './TransactionMarkerRequestCompletionHandler';
import type { TransactionMetadata, TxnTransitMetadata } from './TransactionMetadata';
import type { TransactionResult } from './TransactionState';
import { isLookupError, type TransactionStateManager } from './TransactionStateManager';
import type { TxnIdAndMarkerEntry, TxnMarkerMetadata, TxnMarkerNetwork } from './TxnMarker';

/** A transaction whose markers are being written, and the Complete* record to write after them. */
interface PendingCompleteTxn {
  readonly transactionalId: string;
  readonly coordinatorEpoch: number;
  readonly txnMetadata: TransactionMetadata;
  readonly newMetadata: TxnTransitMetadata;
}

export interface TransactionMarkerChannelManagerOptions {
  readonly brokerId: number;
  readonly txnStateManager: TransactionStateManager;
  readonly network: TxnMarkerNetwork;
  readonly metadata: TxnMarkerMetadata;
  readonly timer: CoordinatorTimer;
  /** Wait before a marker or a Complete* append is retried (Kafka retries at its next send-thread turn). */
  readonly retryBackoffMs?: number;
  readonly logger: Logger;
}

/**
 * Writes the COMMIT/ABORT markers of ended transactions to the leaders of their partitions, then
 * the transaction's CompleteCommit/CompleteAbort record (Kafka 2.8's TransactionMarkerChannelManager
 * with its DelayedTxnMarker purgatory):
 * 1. addTxnMarkersToSend: the transaction waits (`pending`) until every partition has its marker;
 * 2. markers are queued per destination broker (the partition's leader on the inter-broker
 *    listener); a partition whose leader is not known waits in the unknown-broker queue and is
 *    looked up again at every drain; a partition not in the metadata (deleted) needs no marker;
 * 3. a drain sends one WriteTxnMarkers v0 per broker with everything queued for it (one request in
 *    flight per broker); answers go through TransactionMarkerRequestCompletionHandler, and retried
 *    markers come back after the retry backoff with the leaders known then;
 * 4. once no partition waits, the Complete* record is appended; COORDINATOR_NOT_AVAILABLE (not
 *    enough replicas, a timeout) retries it until it is written, NOT_COORDINATOR drops it (the
 *    next coordinator resumes from PrepareCommit/PrepareAbort).
 */
export class TransactionMarkerChannelManager {
  private readonly markersQueuePerBroker = new Map<number, TxnIdAndMarkerEntry[]>();
  private markersQueueForUnknownBroker: TxnIdAndMarkerEntry[] = [];
  private readonly inFlightBrokers = new Set<number>();
  private readonly pending = new Map<string, PendingCompleteTxn>();
  private txnLogAppendRetryQueue: PendingCompleteTxn[] = [];
  private readonly timers = new Set<Cancellable>();
  private drainScheduled = false;
  /** A drain is due after the retry backoff (one timer, however many markers wait). */
  private backoffScheduled = false;
  private shuttingDown = false;
  private readonly retryBackoffMs: number;

  constructor(private readonly options: TransactionMarkerChannelManagerOptions) {
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
  }

  /** Kafka's UnknownDestinationQueueSize gauge: markers waiting for a leader. */
  get unknownDestinationQueueSize(): number {
    return this.markersQueueForUnknownBroker.length;
  }

  /** Kafka's LogAppendRetryQueueSize gauge: Complete* appends waiting to be retried. */
  get logAppendRetryQueueSize(): number {
    return this.txnLogAppendRetryQueue.length;
  }

  /** Transactions whose markers are not all written yet. */
  get pendingTransactionCount(): number {
    return this.pending.size;
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.markersQueuePerBroker.clear();
    this.markersQueueForUnknownBroker = [];
    this.pending.clear();
    this.txnLogAppendRetryQueue = [];
    this.options.network.close();
  }

  /**
   * Starts writing the markers of `txnMetadata`'s transaction (its partitions, with its producer id
   * and epoch), to end with `newMetadata` (CompleteCommit/CompleteAbort) once they are all written.
   */
  addTxnMarkersToSend(
    coordinatorEpoch: number,
    result: TransactionResult,
    txnMetadata: TransactionMetadata,
    newMetadata: TxnTransitMetadata,
  ): void {
    const transactionalId = txnMetadata.transactionalId;
    this.pending.set(transactionalId, { transactionalId, coordinatorEpoch, txnMetadata, newMetadata });
    this.addTxnMarkersToBrokerQueue(
      transactionalId,
      txnMetadata.producerId,
      txnMetadata.producerEpoch,
      result,
      coordinatorEpoch,
      txnMetadata.partitions,
    );
    // a transaction without partitions (or only deleted ones) completes at once
    this.completeSendMarkersForTxnId(transactionalId);
  }

  /** Queues the markers of `partitions` by their current leader (Kafka's addTxnMarkersToBrokerQueue). */
  addTxnMarkersToBrokerQueue(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    result: TransactionResult,
    coordinatorEpoch: number,
    partitions: readonly TopicPartition[],
  ): void {
    this.enqueueMarkers(transactionalId, producerId, producerEpoch, result, coordinatorEpoch, partitions);
    this.wakeup();
  }

  /**
   * Puts the markers in the queue of each partition's leader, or of unknown leaders, without
   * waking the send loop: the loop itself re-queues markers whose leader it still does not know,
   * and waking itself from there would turn its backoff into a busy loop.
   */
  private enqueueMarkers(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    result: TransactionResult,
    coordinatorEpoch: number,
    partitions: readonly TopicPartition[],
  ): void {
    const txnTopicPartition = this.options.txnStateManager.partitionFor(transactionalId);
    const byDestination = new Map<number | 'noNode' | 'unknown', TopicPartition[]>();
    for (const tp of partitions) {
      const leader = this.options.metadata.partitionLeader(tp);
      const key = typeof leader === 'string' ? leader : leader.brokerId;
      const list = byDestination.get(key) ?? [];
      list.push(tp);
      byDestination.set(key, list);
    }
    for (const [destination, tps] of byDestination) {
      const entry: TxnIdAndMarkerEntry = {
        transactionalId,
        txnTopicPartition,
        marker: { producerId, producerEpoch, coordinatorEpoch, result, partitions: tps },
      };
      if (destination === 'noNode') {
        this.markersQueueForUnknownBroker.push(entry);
      } else if (destination === 'unknown') {
        this.skipDeletedPartitions(entry);
      } else {
        const queue = this.markersQueuePerBroker.get(destination) ?? [];
        queue.push(entry);
        this.markersQueuePerBroker.set(destination, queue);
      }
    }
  }

  /** Partitions no longer in the metadata are likely deleted: their markers are skipped. */
  private skipDeletedPartitions(entry: TxnIdAndMarkerEntry): void {
    const { transactionalId, marker } = entry;
    const state = this.options.txnStateManager.getTransactionState(transactionalId);
    if (isLookupError(state) || state === null || state.coordinatorEpoch !== marker.coordinatorEpoch) {
      this.options.logger.info(
        `No longer the coordinator of ${transactionalId} in epoch ${marker.coordinatorEpoch}; cancel sending its markers`,
      );
      this.removeMarkersForTxnId(transactionalId);
      return;
    }
    this.options.logger.info(
      `Couldn't find leader endpoint for partitions ${marker.partitions.map(topicPartitionKey).join(', ')} while trying to send transaction markers for ` +
        `${transactionalId}, these partitions are likely deleted already and hence can be skipped`,
    );
    try {
      for (const tp of marker.partitions) state.transactionMetadata.removePartition(tp);
    } catch (e) {
      // only a transaction in PrepareCommit/PrepareAbort has markers to skip; anything else is a bug
      this.options.logger.error(`Skipping the markers of ${transactionalId}'s deleted partitions failed`, e);
      return;
    }
    this.completeSendMarkersForTxnId(transactionalId);
  }

  /** The id's transaction completes if no partition waits for a marker any more (DelayedTxnMarker.tryComplete). */
  completeSendMarkersForTxnId(transactionalId: string): void {
    const p = this.pending.get(transactionalId);
    if (p === undefined || p.txnMetadata.topicPartitions.size > 0) return;
    this.pending.delete(transactionalId);
    const state = this.options.txnStateManager.getTransactionState(transactionalId);
    if (isLookupError(state)) {
      this.options.logger.info(
        `I am no longer the coordinator for ${transactionalId} (${errorInfo(state).name}); cancel appending its complete record`,
      );
      return;
    }
    if (state === null || state.coordinatorEpoch !== p.coordinatorEpoch) {
      this.options.logger.info(
        `The coordinator epoch of ${transactionalId} changed from ${p.coordinatorEpoch}; cancel appending its complete record`,
      );
      return;
    }
    this.tryAppendToLog(p);
  }

  private tryAppendToLog(p: PendingCompleteTxn): void {
    this.options.txnStateManager
      .appendTransactionToLog(
        p.transactionalId,
        p.coordinatorEpoch,
        p.newMetadata,
        (e) => e === ErrorCode.COORDINATOR_NOT_AVAILABLE,
      )
      .then((error) => {
        if (
          error === ErrorCode.NONE ||
          error === ErrorCode.NOT_COORDINATOR ||
          error === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
        ) {
          if (error !== ErrorCode.NONE)
            this.options.logger.info(
              `No longer the coordinator for ${p.transactionalId} (${errorInfo(error).name}); cancel completing its transaction`,
            );
          return;
        }
        if (error === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
          this.options.logger.warn(
            `Failed updating transaction state for ${p.transactionalId} when appending to transaction log due to COORDINATOR_NOT_AVAILABLE; retrying`,
          );
          if (!this.shuttingDown) {
            this.txnLogAppendRetryQueue.push(p);
            this.wakeupAfter(this.retryBackoffMs);
          }
          return;
        }
        this.options.logger.error(
          `Unexpected error ${errorInfo(error).name} while appending to transaction log for ${p.transactionalId}`,
        );
      })
      .catch((e) =>
        this.options.logger.error(`Appending the complete record of ${p.transactionalId} failed`, e),
      );
  }

  /**
   * Forgets the id's queued markers and its wait (Kafka's removeMarkersForTxnId). Given a
   * coordinator epoch, only what belongs to that epoch: a stale answer or retry of an earlier
   * epoch (the partition lost and regained meanwhile) must not cancel the current epoch's markers.
   */
  removeMarkersForTxnId(transactionalId: string, coordinatorEpoch?: number): void {
    const drop = (e: TxnIdAndMarkerEntry) =>
      e.transactionalId === transactionalId &&
      (coordinatorEpoch === undefined || e.marker.coordinatorEpoch === coordinatorEpoch);
    for (const [broker, queue] of this.markersQueuePerBroker)
      this.markersQueuePerBroker.set(
        broker,
        queue.filter((e) => !drop(e)),
      );
    this.markersQueueForUnknownBroker = this.markersQueueForUnknownBroker.filter((e) => !drop(e));
    const p = this.pending.get(transactionalId);
    if (p !== undefined && (coordinatorEpoch === undefined || p.coordinatorEpoch === coordinatorEpoch))
      this.pending.delete(transactionalId);
  }

  /** The coordinator left `txnTopicPartition`: its markers stop (the next coordinator resends them). */
  removeMarkersForTxnTopicPartition(txnTopicPartition: number): void {
    const ids = new Set<string>();
    const keep = (e: TxnIdAndMarkerEntry) => {
      if (e.txnTopicPartition !== txnTopicPartition) return true;
      ids.add(e.transactionalId);
      return false;
    };
    for (const [broker, queue] of this.markersQueuePerBroker)
      this.markersQueuePerBroker.set(broker, queue.filter(keep));
    this.markersQueueForUnknownBroker = this.markersQueueForUnknownBroker.filter(keep);
    for (const [id, p] of this.pending)
      if (this.options.txnStateManager.partitionFor(p.transactionalId) === txnTopicPartition) ids.add(id);
    for (const id of ids) this.pending.delete(id);
    this.txnLogAppendRetryQueue = this.txnLogAppendRetryQueue.filter((p) => !ids.has(p.transactionalId));
  }

  // ---- sending ------------------------------------------------------------------------------------

  private wakeup(): void {
    this.wakeupAfter(0);
  }

  /**
   * Runs the send loop once. Without a delay it runs in the event loop's next check phase
   * (setImmediate): after the current request has been answered and every marker queued in this
   * turn can go in the same request, but not 1 ms later, as a zero timer would (Node's timers wait
   * at least 1 ms, and every transaction's markers waited that long; Kafka's send thread is woken
   * at once). With a delay (retry backoff) it runs on the coordinator's timer.
   */
  private wakeupAfter(delayMs: number): void {
    if (this.shuttingDown) return;
    const run = () => {
      if (this.shuttingDown) return;
      try {
        this.drainQueuedTransactionMarkers();
      } catch (e) {
        this.options.logger.error('Sending transaction markers failed', e);
      }
    };
    if (delayMs === 0) {
      if (this.drainScheduled) return;
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        run();
      });
      return;
    }
    if (this.backoffScheduled) return;
    this.backoffScheduled = true;
    const t = this.options.timer.schedule(delayMs, () => {
      this.timers.delete(t);
      this.backoffScheduled = false;
      run();
    });
    this.timers.add(t);
  }

  /** One turn of Kafka's send thread: retried appends, markers whose leader may now be known, one request per broker. */
  private drainQueuedTransactionMarkers(): void {
    if (this.shuttingDown) return;
    const retries = this.txnLogAppendRetryQueue;
    this.txnLogAppendRetryQueue = [];
    for (const p of retries) this.tryAppendToLog(p);

    const unknown = this.markersQueueForUnknownBroker;
    this.markersQueueForUnknownBroker = [];
    for (const { transactionalId, marker } of unknown)
      this.enqueueMarkers(
        transactionalId,
        marker.producerId,
        marker.producerEpoch,
        marker.result,
        marker.coordinatorEpoch,
        marker.partitions,
      );
    if (this.markersQueueForUnknownBroker.length > 0) this.wakeupAfter(this.retryBackoffMs);

    for (const [brokerId, queue] of this.markersQueuePerBroker) {
      if (queue.length === 0 || this.inFlightBrokers.has(brokerId)) continue;
      this.markersQueuePerBroker.set(brokerId, []);
      this.send(brokerId, queue);
    }
  }

  private send(brokerId: number, entries: TxnIdAndMarkerEntry[]): void {
    const handler = new TransactionMarkerRequestCompletionHandler(
      brokerId,
      this.options.txnStateManager,
      this.callbacks,
      this.options.logger,
    );
    const request = {
      markers: entries.map(({ marker }) => ({
        producerId: marker.producerId,
        producerEpoch: marker.producerEpoch,
        transactionResult: marker.result === 'COMMIT',
        coordinatorEpoch: marker.coordinatorEpoch,
        topics: groupByTopic(marker.partitions),
      })),
    };
    this.inFlightBrokers.add(brokerId);
    this.options.network
      .sendWriteTxnMarkers(brokerId, request)
      .catch((e) => {
        this.options.logger.warn(`WriteTxnMarkers to broker ${brokerId} failed: ${(e as Error).message}`);
        return null;
      })
      .then((response) => {
        this.inFlightBrokers.delete(brokerId);
        if (this.shuttingDown) return;
        if (response === null) handler.onDisconnected(entries);
        else handler.onResponse(entries, response);
        this.wakeup();
      })
      .catch((e) =>
        this.options.logger.error(`Handling the WriteTxnMarkers answer of broker ${brokerId} failed`, e),
      );
  }

  private readonly callbacks = {
    retryTxnMarkers: (entry: TxnIdAndMarkerEntry, partitions: readonly TopicPartition[]) => {
      const t = this.options.timer.schedule(this.retryBackoffMs, () => {
        this.timers.delete(t);
        const { marker } = entry;
        // a retry of an earlier coordinator epoch's marker is dropped (the current epoch resent its own)
        if (
          this.shuttingDown ||
          this.pending.get(entry.transactionalId)?.coordinatorEpoch !== marker.coordinatorEpoch
        )
          return;
        this.addTxnMarkersToBrokerQueue(
          entry.transactionalId,
          marker.producerId,
          marker.producerEpoch,
          marker.result,
          marker.coordinatorEpoch,
          partitions,
        );
      });
      this.timers.add(t);
    },
    removeMarkersForTxnId: (id: string, coordinatorEpoch?: number) =>
      this.removeMarkersForTxnId(id, coordinatorEpoch),
    completeSendMarkersForTxnId: (id: string) => this.completeSendMarkersForTxnId(id),
  };
}

function groupByTopic(tps: readonly TopicPartition[]): { name: string; partitionIndexes: number[] }[] {
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    const list = m.get(tp.topic) ?? [];
    list.push(tp.partition);
    m.set(tp.topic, list);
  }
  return [...m].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}
