import { type Logger } from '@samsa/common';
import {
  BrokerNotAvailableError,
  InvalidConfigurationError,
  InvalidPartitionsError,
  InvalidReplicaAssignmentError,
  InvalidReplicationFactorError,
  TopicExistsError,
  UnknownTopicOrPartitionError,
} from '@samsa/admin-zk';
import { ErrorCode, KafkaError } from '@samsa/protocol';
import { InvalidTopicError } from '@samsa/zk';

/** An error as a response carries it: code and message (Kafka's ApiError). */
export interface ApiError {
  readonly code: number;
  readonly message: string | null;
}

export const NO_ERROR: ApiError = { code: ErrorCode.NONE, message: null };

export function apiError(code: number, message: string | null = null): ApiError {
  return { code, message };
}

/**
 * Kafka's ApiError.fromThrowable for what the admin path throws: @samsa/admin-zk's exceptions by their
 * Kafka names, KafkaError by its code; anything else is UNKNOWN_SERVER_ERROR and is logged (as is
 * Kafka's AdminOperationException, which is no ApiException either).
 */
export function toApiError(e: unknown, logger: Logger, what: string): ApiError {
  const message = e instanceof Error ? e.message : String(e);
  const code = knownCode(e);
  if (code === undefined) {
    logger.error(`Error processing ${what}`, e);
    return { code: ErrorCode.UNKNOWN_SERVER_ERROR, message };
  }
  return { code, message };
}

function knownCode(e: unknown): number | undefined {
  if (e instanceof KafkaError) return e.code;
  if (e instanceof TopicExistsError) return ErrorCode.TOPIC_ALREADY_EXISTS;
  if (e instanceof InvalidTopicError) return ErrorCode.INVALID_TOPIC_EXCEPTION;
  if (e instanceof InvalidPartitionsError) return ErrorCode.INVALID_PARTITIONS;
  if (e instanceof InvalidReplicationFactorError) return ErrorCode.INVALID_REPLICATION_FACTOR;
  if (e instanceof InvalidReplicaAssignmentError) return ErrorCode.INVALID_REPLICA_ASSIGNMENT;
  if (e instanceof InvalidConfigurationError) return ErrorCode.INVALID_CONFIG;
  if (e instanceof UnknownTopicOrPartitionError) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (e instanceof BrokerNotAvailableError) return ErrorCode.BROKER_NOT_AVAILABLE;
  return undefined;
}
