import type { GroupConfig, OffsetConfig, TransactionConfig } from '@samsa/coordinator';
import type { KafkaConfig } from './KafkaConfig';

/** The group coordinator's settings, read from the broker's offsets.* and group.* configs. */
export function offsetConfigOf(c: KafkaConfig): OffsetConfig {
  return {
    maxMetadataSize: c.int('offset.metadata.max.bytes'),
    loadBufferSize: c.int('offsets.load.buffer.size'),
    offsetsRetentionMs: c.int('offsets.retention.minutes') * 60 * 1000,
    offsetsRetentionCheckIntervalMs: c.int('offsets.retention.check.interval.ms'),
    offsetsTopicNumPartitions: c.int('offsets.topic.num.partitions'),
    offsetsTopicSegmentBytes: c.int('offsets.topic.segment.bytes'),
    offsetsTopicReplicationFactor: c.int('offsets.topic.replication.factor'),
    offsetsTopicCompressionCodec: c.int('offsets.topic.compression.codec'),
    offsetCommitTimeoutMs: c.int('offsets.commit.timeout.ms'),
    offsetCommitRequiredAcks: c.int('offsets.commit.required.acks'),
  };
}

export function groupConfigOf(c: KafkaConfig): GroupConfig {
  return {
    groupMinSessionTimeoutMs: c.int('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: c.int('group.max.session.timeout.ms'),
    groupMaxSize: c.int('group.max.size'),
    groupInitialRebalanceDelayMs: c.int('group.initial.rebalance.delay.ms'),
  };
}

/** The transaction coordinator's settings, read from the broker's transaction.* configs. */
export function transactionConfigOf(c: KafkaConfig): TransactionConfig {
  return {
    transactionalIdExpirationMs: c.int('transactional.id.expiration.ms'),
    transactionMaxTimeoutMs: c.int('transaction.max.timeout.ms'),
    transactionLogNumPartitions: c.int('transaction.state.log.num.partitions'),
    transactionLogReplicationFactor: c.int('transaction.state.log.replication.factor'),
    transactionLogSegmentBytes: c.int('transaction.state.log.segment.bytes'),
    transactionLogLoadBufferSize: c.int('transaction.state.log.load.buffer.size'),
    transactionLogMinInsyncReplicas: c.int('transaction.state.log.min.isr'),
    abortTimedOutTransactionsIntervalMs: c.int('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    removeExpiredTransactionalIdsIntervalMs: c.int('transaction.remove.expired.transaction.cleanup.interval.ms'),
    requestTimeoutMs: c.int('request.timeout.ms'),
  };
}
