import { ErrorCode } from '../errors';
import {
  buildEndTxnMarkerBatch,
  ControlRecordType,
  decodeControlRecordType,
  decodeEndTxnMarkerValue,
  encodeControlRecordKey,
  encodeEndTxnMarkerValue,
} from './controlRecord';
import { decodeBatches } from './record';

/** `xxd -s 95 -l 78` of txn-0's log in ../shared/reference/kafka-2.1-samples/wave2/transactions.txt. */
const KAFKA_COMMIT_MARKER = Buffer.from(
  [
    '0000 0000 0000 0002 0000 0042 0000 0000',
    '0249 bde2 b500 3000 0000 0000 0001 a24f',
    '2172 cf00 0001 a24f 2172 cf00 0000 0000',
    '0003 e800 00ff ffff ff00 0000 0120 0000',
    '0008 0000 0001 0c00 0000 0000 0000',
  ]
    .join('')
    .replace(/ /g, ''),
  'hex',
);

describe('control records', () => {
  test('an end-transaction marker batch is byte for byte what Kafka 2.1.1 wrote', () => {
    const built = buildEndTxnMarkerBatch({
      type: ControlRecordType.COMMIT,
      producerId: 1000,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      timestamp: 1796623921871,
      baseOffset: 2,
      partitionLeaderEpoch: 0,
    });
    expect(KAFKA_COMMIT_MARKER.length).toBe(78);
    expect(built.toString('hex')).toBe(KAFKA_COMMIT_MARKER.toString('hex'));
  });

  test('key and value round-trip, and a decoded marker batch says control and transactional', () => {
    const batch = buildEndTxnMarkerBatch({
      type: ControlRecordType.ABORT,
      producerId: 7,
      producerEpoch: 3,
      coordinatorEpoch: 42,
      timestamp: 1,
    });
    const [decoded] = decodeBatches(batch);
    expect(decoded.header.attributes & 0x30).toBe(0x30);
    expect(decoded.header.baseSequence).toBe(-1);
    const rec = decoded.records[0];
    expect(decodeControlRecordType(rec.key)).toBe(ControlRecordType.ABORT);
    expect(decodeEndTxnMarkerValue(rec.value)).toEqual({ version: 0, coordinatorEpoch: 42 });
    expect(decodeControlRecordType(encodeControlRecordKey(ControlRecordType.COMMIT))).toBe(1);
    expect(decodeEndTxnMarkerValue(encodeEndTxnMarkerValue(-1)).coordinatorEpoch).toBe(-1);
  });

  test('short keys and values are CORRUPT_MESSAGE', () => {
    expect(() => decodeControlRecordType(Buffer.alloc(3))).toThrow(
      expect.objectContaining({ code: ErrorCode.CORRUPT_MESSAGE }),
    );
    expect(() => decodeControlRecordType(null)).toThrow(
      expect.objectContaining({ code: ErrorCode.CORRUPT_MESSAGE }),
    );
    expect(() => decodeEndTxnMarkerValue(Buffer.alloc(5))).toThrow(
      expect.objectContaining({ code: ErrorCode.CORRUPT_MESSAGE }),
    );
  });
});
