/**
 * Offset management settings (Kafka's OffsetConfig), from the broker's offsets.* configs (the broker
 * reads them: broker/src/config/coordinatorConfigs.ts).
 */
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

/** Topic configs of __consumer_offsets (Kafka's offsetsTopicConfigs). */
export function offsetsTopicConfigs(o: OffsetConfig): Record<string, string> {
  return {
    'cleanup.policy': 'compact',
    'segment.bytes': String(o.offsetsTopicSegmentBytes),
    'compression.type': 'producer',
  };
}
