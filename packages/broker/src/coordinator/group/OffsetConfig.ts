import type { KafkaConfig } from '../../config/KafkaConfig';

/** Offset management settings (Kafka's OffsetConfig), from the broker's offsets.* configs. */
export interface OffsetConfig {
  /** offset.metadata.max.bytes: longest metadata string a commit may carry. */
  readonly maxMetadataSize: number;
  /** offsets.load.buffer.size: bytes read at a time when loading a partition. */
  readonly loadBufferSize: number;
  /** offsets.retention.minutes in ms. */
  readonly offsetsRetentionMs: number;
  readonly offsetsRetentionCheckIntervalMs: number;
  readonly offsetsTopicNumPartitions: number;
  readonly offsetsTopicSegmentBytes: number;
  readonly offsetsTopicReplicationFactor: number;
  /** Codec of the coordinator's own batches (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  readonly offsetsTopicCompressionCodec: number;
  readonly offsetCommitTimeoutMs: number;
  readonly offsetCommitRequiredAcks: number;
}

/** Group membership settings (Kafka's GroupConfig). */
export interface GroupConfig {
  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  readonly groupMaxSize: number;
  readonly groupInitialRebalanceDelayMs: number;
}

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

/** Topic configs of __consumer_offsets (Kafka's offsetsTopicConfigs). */
export function offsetsTopicConfigs(o: OffsetConfig): Record<string, string> {
  return {
    'cleanup.policy': 'compact',
    'segment.bytes': String(o.offsetsTopicSegmentBytes),
    'compression.type': 'producer',
  };
}
