import { ErrorCode, KafkaError } from '../errors';
import { NO_SEQUENCE } from './batch';
import { buildBatch } from './record';

/**
 * Control records (Kafka's ControlRecordType and EndTransactionMarker): the one record of a control
 * batch (attributes bit 5) that a transaction coordinator has a partition leader write to end a
 * producer's transaction there. The batch is transactional, carries the producer's id and epoch,
 * has no sequence, and is never compressed.
 *
 * Key (4 bytes): version int16 (0), type int16 (ABORT 0, COMMIT 1).
 * Value of an end-transaction marker (6 bytes): version int16 (0), coordinatorEpoch int32.
 */
export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
} as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

export type EndTxnMarkerType = typeof ControlRecordType.ABORT | typeof ControlRecordType.COMMIT;

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;
const CONTROL_KEY_SIZE = 4;
const END_TXN_MARKER_VALUE_SIZE = 6;

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.alloc(CONTROL_KEY_SIZE);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/**
 * The type of a control record's key. Kafka reads the version and type and ignores what follows
 * (later versions may append fields); a key shorter than 4 bytes is CORRUPT_MESSAGE. Types other
 * than ABORT and COMMIT (Kafka 2.8 adds LEADER_CHANGE, 2) are returned as read; the caller decides.
 */
export function decodeControlRecordType(key: Buffer | null): number {
  if (key === null || key.length < CONTROL_KEY_SIZE)
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `a control record key needs ${CONTROL_KEY_SIZE} bytes`);
  return key.readInt16BE(2);
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(END_TXN_MARKER_VALUE_SIZE);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** The coordinator epoch of an end-transaction marker's value (Kafka's EndTransactionMarker.deserializeValue). */
export function decodeEndTxnMarkerValue(value: Buffer | null): { version: number; coordinatorEpoch: number } {
  if (value === null || value.length < END_TXN_MARKER_VALUE_SIZE)
    throw new KafkaError(
      ErrorCode.CORRUPT_MESSAGE,
      `an end-transaction marker's value needs ${END_TXN_MARKER_VALUE_SIZE} bytes`,
    );
  const version = value.readInt16BE(0);
  if (version < 0)
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `end-transaction marker version ${version}`);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface EndTxnMarkerOptions {
  readonly type: EndTxnMarkerType;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  /** The record's and the batch's timestamp (Kafka: the leader's clock when it builds the marker). */
  readonly timestamp: number;
  readonly baseOffset?: number;
  readonly partitionLeaderEpoch?: number;
}

/**
 * One end-transaction marker as a control batch (Kafka's MemoryRecords.withEndTransactionMarker):
 * byte for byte what Kafka 2.1.1 writes (checked against its log in controlRecord.test.ts).
 */
export function buildEndTxnMarkerBatch(o: EndTxnMarkerOptions): Buffer {
  return buildBatch(
    [{ key: encodeControlRecordKey(o.type), value: encodeEndTxnMarkerValue(o.coordinatorEpoch) }],
    {
      baseOffset: o.baseOffset ?? 0,
      partitionLeaderEpoch: o.partitionLeaderEpoch ?? -1,
      baseTimestamp: o.timestamp,
      producerId: o.producerId,
      producerEpoch: o.producerEpoch,
      baseSequence: NO_SEQUENCE,
      isTransactional: true,
      isControl: true,
    },
  );
}
