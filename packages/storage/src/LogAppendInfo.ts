import { ErrorCode, KafkaError } from '@samsa/protocol';

/** What an append did (Kafka's LogAppendInfo), returned by Log.appendAsLeader and appendAsFollower. */
export interface LogAppendInfo {
  /** First offset appended; -1 when nothing was. */
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly offsetOfMaxTimestamp: number;
  /** The broker's time stamped on the batches (LogAppendTime topics), else -1. */
  readonly logAppendTime: number;
  readonly logStartOffset: number;
  readonly batchCount: number;
  readonly recordCount: number;
  readonly validBytes: number;
  /** Resolves when the bytes are in the OS (acknowledge after this); rejects with KAFKA_STORAGE_ERROR. */
  readonly written: Promise<void>;
}

/** A follower append that does not start at the log end (Kafka's UnexpectedAppendOffsetException). */
export class UnexpectedAppendOffsetError extends KafkaError {
  constructor(
    message: string,
    readonly firstOffset: number,
    readonly lastOffset: number,
  ) {
    super(ErrorCode.UNKNOWN_SERVER_ERROR, message);
    this.name = 'UnexpectedAppendOffsetError';
  }
}
