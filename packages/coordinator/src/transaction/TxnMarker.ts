import type { TopicPartition } from '@samsa/common';
import type { WriteTxnMarkersRequestInput, WriteTxnMarkersResponseInput } from '@samsa/protocol';
import type { TransactionResult } from './TransactionState';

/** One marker to write: a producer's transaction ends on these partitions (Kafka's TxnMarkerEntry). */
export interface TxnMarkerEntry {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly result: TransactionResult;
  readonly partitions: readonly TopicPartition[];
}

/** A marker with the transactional id it ends and the __transaction_state partition of that id. */
export interface TxnIdAndMarkerEntry {
  readonly transactionalId: string;
  readonly txnTopicPartition: number;
  readonly marker: TxnMarkerEntry;
}

/**
 * Where a partition's marker goes (Kafka's MetadataCache.getPartitionLeaderEndpoint on the
 * inter-broker listener): its leader; 'noNode' when the partition is known but its leader is not
 * alive or has no such endpoint (the marker waits); 'unknown' when the partition is not in the
 * metadata at all (deleted: its marker is dropped).
 */
export type PartitionLeader = { readonly brokerId: number } | 'noNode' | 'unknown';

/** The metadata the marker channel needs; the broker implements it with its MetadataCache. */
export interface TxnMarkerMetadata {
  partitionLeader(tp: TopicPartition): PartitionLeader;
}

/**
 * The network the marker channel sends on; the broker implements it with client's NetworkClient
 * on the inter-broker listener (one connection per broker, as the controller's channel).
 */
export interface TxnMarkerNetwork {
  /**
   * Sends WriteTxnMarkers v0 to `brokerId`. Resolves with the response, or with null when it could
   * not be sent or got no answer (disconnected, timed out, the broker unknown): the markers are
   * then retried.
   */
  sendWriteTxnMarkers(brokerId: number, request: WriteTxnMarkersRequestInput): Promise<WriteTxnMarkersResponseInput | null>;
  /** Closes every connection (the coordinator shuts down). */
  close(): void;
}

/** WriteTxnMarkers version sent (Kafka 2.8 sends its latest, 1, which is v0 with flexible encoding). */
export const WRITE_TXN_MARKERS_VERSION = 0;
