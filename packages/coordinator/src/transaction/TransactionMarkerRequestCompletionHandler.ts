import { topicPartition, topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode, errorInfo, type WriteTxnMarkersResponseInput } from '@samsa/protocol';
import { isLookupError, type TransactionStateManager } from './TransactionStateManager';
import type { TxnIdAndMarkerEntry } from './TxnMarker';

/** What the handler asks of the channel manager. */
export interface MarkerChannelCallbacks {
  /** Queues a marker again (with the partitions' current leaders), after the retry backoff. */
  retryTxnMarkers(entry: TxnIdAndMarkerEntry, partitions: readonly TopicPartition[]): void;
  /** Forgets every marker queued for the id (of that coordinator epoch only, when given), and its wait for completion. */
  removeMarkersForTxnId(transactionalId: string, coordinatorEpoch?: number): void;
  /** Completes the id's transaction when no partition waits for a marker any more. */
  completeSendMarkersForTxnId(transactionalId: string): void;
}

const RETRIABLE: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

const name = (code: number) => errorInfo(code).name;

/**
 * What a WriteTxnMarkers answer (or its absence) means for each marker it carried (Kafka 2.8's
 * TransactionMarkerRequestCompletionHandler):
 * - no answer (disconnected, timed out): every marker queued again, unless the id moved away;
 * - per partition: NONE → the partition is done; not the leader, not enough replicas, timed out,
 *   unknown partition, storage error → retried; INVALID_PRODUCER_EPOCH or
 *   TRANSACTION_COORDINATOR_FENCED → the transaction was already ended by a newer producer or
 *   coordinator: stop sending; UNSUPPORTED_FOR_MESSAGE_FORMAT / UNSUPPORTED_VERSION → the partition
 *   is skipped; anything else is unexpected (logged, and the markers dropped).
 * A marker whose coordinator epoch is no longer the id's (the partition moved) is dropped.
 */
export class TransactionMarkerRequestCompletionHandler {
  constructor(
    private readonly brokerId: number,
    private readonly txnStateManager: TransactionStateManager,
    private readonly channel: MarkerChannelCallbacks,
    private readonly logger: Logger,
  ) {}

  /** Checks the id is still ours in the marker's epoch; false (and its markers removed) otherwise. */
  private stillOurs(entry: TxnIdAndMarkerEntry): boolean {
    const { transactionalId, marker } = entry;
    const state = this.txnStateManager.getTransactionState(transactionalId);
    if (isLookupError(state) || state === null) {
      this.logger.info(
        `I am no longer the coordinator for ${transactionalId} (${isLookupError(state) ? name(state) : 'unknown id'}); cancel sending transaction markers to broker ${this.brokerId}`,
      );
      this.channel.removeMarkersForTxnId(transactionalId);
      return false;
    }
    if (state.coordinatorEpoch !== marker.coordinatorEpoch) {
      this.logger.info(
        `Transaction coordinator epoch for ${transactionalId} has changed from ${marker.coordinatorEpoch} to ${state.coordinatorEpoch}; cancel sending transaction markers to broker ${this.brokerId}`,
      );
      // only the stale epoch's: the current epoch's markers (resent on its election) go on
      this.channel.removeMarkersForTxnId(transactionalId, marker.coordinatorEpoch);
      return false;
    }
    return true;
  }

  onDisconnected(entries: readonly TxnIdAndMarkerEntry[]): void {
    for (const entry of entries) {
      if (this.stillOurs(entry)) this.channel.retryTxnMarkers(entry, entry.marker.partitions);
    }
  }

  onResponse(entries: readonly TxnIdAndMarkerEntry[], response: WriteTxnMarkersResponseInput): void {
    for (const entry of entries) {
      const { transactionalId, marker } = entry;
      const answer = response.markers.find((m) => m.producerId === marker.producerId);
      if (!this.stillOurs(entry)) continue;
      const state = this.txnStateManager.getTransactionState(transactionalId);
      if (isLookupError(state) || state === null) continue;
      if (answer === undefined) {
        this.logger.error(
          `WriteTxnMarkerResponse from broker ${this.brokerId} does not contain expected error map for producer id ${marker.producerId}`,
        );
        this.channel.retryTxnMarkers(entry, marker.partitions);
        continue;
      }
      const errors = new Map<string, number>();
      for (const t of answer.topics)
        for (const p of t.partitions)
          errors.set(topicPartitionKey(topicPartition(t.name, p.partitionIndex)), p.errorCode);
      const txnMetadata = state.transactionMetadata;
      const retryPartitions: TopicPartition[] = [];
      let abortSending = false;
      for (const tp of marker.partitions) {
        // a partition the broker did not answer for is retried
        const error = errors.get(topicPartitionKey(tp)) ?? ErrorCode.REQUEST_TIMED_OUT;
        if (error === ErrorCode.NONE) {
          txnMetadata.removePartition(tp);
        } else if (RETRIABLE.has(error)) {
          this.logger.info(
            `Sending ${transactionalId}'s transaction marker for partition ${topicPartitionKey(tp)} has failed with error ${name(error)}, retrying with current coordinator epoch ${state.coordinatorEpoch}`,
          );
          retryPartitions.push(tp);
        } else if (
          error === ErrorCode.INVALID_PRODUCER_EPOCH ||
          error === ErrorCode.TRANSACTION_COORDINATOR_FENCED
        ) {
          this.logger.info(
            `Sending ${transactionalId}'s transaction marker for partition ${topicPartitionKey(tp)} has permanently failed with error ${name(error)} with the current coordinator epoch ${state.coordinatorEpoch}; cancel sending any more transaction markers to the brokers`,
          );
          this.channel.removeMarkersForTxnId(transactionalId, marker.coordinatorEpoch);
          abortSending = true;
          break;
        } else if (
          error === ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT ||
          error === ErrorCode.UNSUPPORTED_VERSION
        ) {
          this.logger.info(
            `Sending ${transactionalId}'s transaction marker from partition ${topicPartitionKey(tp)} has failed with ${name(error)}. This partition will be removed from the set of partitions waiting for completion`,
          );
          txnMetadata.removePartition(tp);
        } else {
          this.logger.error(
            `Unexpected error ${name(error)} while sending txn marker for ${transactionalId} to broker ${this.brokerId}`,
          );
          this.channel.removeMarkersForTxnId(transactionalId, marker.coordinatorEpoch);
          abortSending = true;
          break;
        }
      }
      if (abortSending) continue;
      if (retryPartitions.length > 0) this.channel.retryTxnMarkers(entry, retryPartitions);
      else this.channel.completeSendMarkersForTxnId(transactionalId);
    }
  }
}
