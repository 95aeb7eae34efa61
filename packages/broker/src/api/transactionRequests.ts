import { ErrorCode } from '@samsa/protocol';

/**
 * What the transaction handlers share: PRODUCER_FENCED (KIP-588) is answered as
 * INVALID_PRODUCER_EPOCH to the versions before it (AddPartitionsToTxn, AddOffsetsToTxn and EndTxn
 * below v2), as Kafka 2.8's KafkaApis does.
 */
export function producerFencedForVersion(errorCode: number, version: number, firstVersionWithFenced: number): number {
  return version < firstVersionWithFenced && errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
