/**
 * The transaction coordinator's settings (Kafka's TransactionConfig), read by the broker from its
 * transaction.* and transactional.id.* configs.
 */
export interface TransactionConfig {
  /** transactional.id.expiration.ms: an id without a transaction for this long is removed. */
  readonly transactionalIdExpirationMs: number;
  /** transaction.max.timeout.ms: a larger transaction timeout is INVALID_TRANSACTION_TIMEOUT. */
  readonly transactionMaxTimeoutMs: number;
  readonly transactionLogNumPartitions: number;
  readonly transactionLogReplicationFactor: number;
  readonly transactionLogSegmentBytes: number;
  readonly transactionLogLoadBufferSize: number;
  readonly transactionLogMinInsyncReplicas: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  readonly abortTimedOutTransactionsIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  readonly removeExpiredTransactionalIdsIntervalMs: number;
  /** request.timeout.ms: the deadline of a WriteTxnMarkers request. */
  readonly requestTimeoutMs: number;
}

/** Kafka 2.8's defaults. */
export const DEFAULT_TRANSACTION_CONFIG: TransactionConfig = {
  transactionalIdExpirationMs: 604800000,
  transactionMaxTimeoutMs: 900000,
  transactionLogNumPartitions: 50,
  transactionLogReplicationFactor: 3,
  transactionLogSegmentBytes: 104857600,
  transactionLogLoadBufferSize: 5242880,
  transactionLogMinInsyncReplicas: 2,
  abortTimedOutTransactionsIntervalMs: 10000,
  removeExpiredTransactionalIdsIntervalMs: 3600000,
  requestTimeoutMs: 30000,
};

/** Topic configs of __transaction_state (Kafka's TransactionStateManager.transactionTopicConfigs). */
export function transactionTopicConfigs(c: TransactionConfig): Record<string, string> {
  return {
    'compression.type': 'uncompressed',
    'cleanup.policy': 'compact',
    'min.insync.replicas': String(c.transactionLogMinInsyncReplicas),
    'segment.bytes': String(c.transactionLogSegmentBytes),
    'unclean.leader.election.enable': 'false',
  };
}
