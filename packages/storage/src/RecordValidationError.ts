import { ErrorCode, KafkaError, type RecordError } from '@samsa/protocol';

/**
 * The leader refused a batch because of some of its records (Kafka's RecordValidationException):
 * INVALID_RECORD, or INVALID_TIMESTAMP when a timestamp is among the reasons, with each refused
 * record's index in its batch and why. Produce v8+ answers them as `record_errors`, and the error
 * message as Kafka's ("One or more records have been rejected").
 */
export class RecordValidationError extends KafkaError {
  constructor(
    code: number,
    message: string,
    readonly recordErrors: readonly RecordError[],
  ) {
    super(code, message);
    this.name = 'RecordValidationError';
  }

  /** Kafka's processRecordErrors: one error for all the records, its code by their reasons. */
  static of(recordErrors: readonly RecordError[], anyTimestampError: boolean): RecordValidationError {
    return anyTimestampError
      ? new RecordValidationError(
          ErrorCode.INVALID_TIMESTAMP,
          'One or more records have been rejected due to invalid timestamp',
          recordErrors,
        )
      : new RecordValidationError(ErrorCode.INVALID_RECORD, 'One or more records have been rejected', recordErrors);
  }
}
