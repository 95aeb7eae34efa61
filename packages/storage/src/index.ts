/**
 * @samsa/storage — Kafka's log on disk: LogManager, Log, LogSegment, the indexes, checkpoints,
 * recovery, retention and the LogCleaner. No networking.
 */
export { LogManager, type LogManagerOptions, type StartupStats } from './LogManager';
export {
  Log,
  UnexpectedAppendOffsetError,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type LogAppendInfo,
  type LogDeps,
  type LogParams,
  type ReadOptions,
  type Isolation,
} from './Log';
export { LocalLog, type SegmentDeletionReason } from './LocalLog';
export { createLog, loadLog, type LoadLogParams, type LoadStats } from './LogLoader';
export {
  LogConfig,
  LOG_CONFIG_NAMES,
  LONG_MAX_VALUE,
  type LogConfigValues,
  type ConfigProps,
  type CleanupPolicy,
} from './LogConfig';
export { LogSegment, type TimestampAndOffset, type LogOffsetPosition } from './LogSegment';
export { RecordsSlice, type FetchDataInfo, type LogOffsetMetadata } from './FetchDataInfo';
export { FileRecords, WRITE_MODES, type WriteMode } from './FileRecords';
export { BatchCursor } from './BatchCursor';
export { AbstractIndex } from './AbstractIndex';
export { OffsetIndex, OFFSET_INDEX_ENTRY_SIZE, type OffsetPosition } from './OffsetIndex';
export { TimeIndex, TIME_INDEX_ENTRY_SIZE, NO_TIMESTAMP, type TimestampOffset } from './TimeIndex';
export {
  LeaderEpochFileCache,
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
  type EpochAndOffset,
} from './LeaderEpochFileCache';
export {
  CheckpointFile,
  OffsetCheckpointFile,
  LeaderEpochCheckpointFile,
  CorruptCheckpointError,
  type EpochEntry,
  type TopicPartitionOffset,
} from './checkpoints';
export {
  BrokerMetadataCheckpoint,
  InconsistentBrokerMetadataError,
  type BrokerMetadata,
} from './BrokerMetadataCheckpoint';
export { LogCleaner, DEFAULT_CLEANER_CONFIG, type CleanerConfig } from './LogCleaner';
export { OffsetMap } from './OffsetMap';
export { LogDirFailureChannel, isIOError } from './LogDirFailureChannel';
export { disk, ioError, type FaultInjector } from './disk';
export { Scheduler } from './Scheduler';
export * as LogFiles from './LogFiles';
export type { AppendOrigin } from './LogValidator';
export { RecordValidationError } from './RecordValidationError';
export { ProducerStateManager, type ProducerAppendAnalysis } from './producer/ProducerStateManager';
export { ProducerStateEntry, NUM_BATCHES_TO_RETAIN, type BatchMetadata } from './producer/ProducerStateEntry';
export {
  encodeProducerSnapshot,
  decodeProducerSnapshot,
  CorruptSnapshotError,
  PRODUCER_SNAPSHOT_VERSION,
} from './producer/ProducerSnapshot';
export { DEFAULT_PRODUCER_ID_EXPIRATION_MS } from './producer/loadProducerState';
export {
  TransactionIndex,
  decodeAbortedTxns,
  encodeAbortedTxn,
  ABORTED_TXN_SIZE,
  CorruptIndexError,
  type AbortedTxn,
  type TxnIndexSearchResult,
} from './TransactionIndex';
export { readEndTxnMarker, type CompletedTxn, type EndTxnMarker, type TxnMetadata } from './producer/transactions';
export type { CompletedTxnListener } from './producer/ProducerStateManager';
