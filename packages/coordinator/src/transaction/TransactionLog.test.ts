import { topicPartition } from '@samsa/common';
import {
  readTransactionLogKey,
  readTransactionLogValue,
  transactionLogBatch,
  transactionLogKey,
  transactionLogValue,
} from './TransactionLog';
import type { TxnTransitMetadata } from './TransactionMetadata';

/**
 * Bytes Kafka 2.1.1 wrote to __transaction_state-0 for transactional id "tx-1", producer id 1000
 * (../shared/reference/kafka-2.1-samples/wave2/transactions.txt: `xxd -l 244` and rbparse.py).
 */
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const KAFKA_FIRST_TWO_BATCHES = hex(
  '0000000000000000000000650000000002eccc8290000000000000000001a24f217091000001a24f217091ffffffffffffffff' +
    'ffffffffffff0000000166000000100000000474782d314a000000000000000003e800000000ea6000ffffffff000001a24f21' +
    '7080ffffffffffffffff000000000000000001000000770000000002c4174d99000000000000000001a24f217263000001a24f' +
    '217263ffffffffffffffffffffffffffff000000018801000000100000000474782d316c000000000000000003e800000000ea' +
    '600100000001000374786e000000020000000000000001000001a24f217256000001a24f21725600',
);
const KEY = hex('00 00 00 04 74 78 2d 31');
const VALUE_EMPTY = hex('00 00 00 00 00 00 00 00 03 e8 00 00 00 00 ea 60 00 ff ff ff ff 00 00 01 a2 4f 21 70 80 ff ff ff ff ff ff ff ff');
const VALUE_ONGOING = hex(
  '00 00 00 00 00 00 00 00 03 e8 00 00 00 00 ea 60 01 00 00 00 01 00 03 74 78 6e 00 00 00 02 00 00 00 00 00 00 00 01 00 00 01 a2 4f 21 72 56 00 00 01 a2 4f 21 72 56',
);
const VALUE_COMPLETE_COMMIT = hex('00 00 00 00 00 00 00 00 03 e8 00 00 00 00 ea 60 04 00 00 00 00 00 00 01 a2 4f 21 72 a5 00 00 01 a2 4f 21 72 56');
const VALUE_WITH_OFFSETS = hex(
  '00 00 00 00 00 00 00 00 03 e8 00 00 00 00 ea 60 01 00 00 00 02 00 12 5f 5f 63 6f 6e 73 75 6d 65 72 5f 6f 66 66 73 65 74 73 00 00 00 01 00 00 00 00 00 03 74 78 6e 00 00 00 01 00 00 00 01 00 00 01 a2 4f 21 73 76 00 00 01 a2 4f 21 73 28',
);

const base: Omit<TxnTransitMetadata, 'txnState' | 'topicPartitions' | 'txnStartTimestamp' | 'txnLastUpdateTimestamp'> = {
  producerId: 1000,
  lastProducerId: -1,
  producerEpoch: 0,
  lastProducerEpoch: -1,
  txnTimeoutMs: 60000,
};

describe('TransactionLog (Kafka 2.1.1 bytes)', () => {
  it('writes the key and the values as Kafka did', () => {
    expect(transactionLogKey('tx-1')).toEqual(KEY);
    expect(
      transactionLogValue({ ...base, txnState: 'Empty', topicPartitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: 1796623921280 }),
    ).toEqual(VALUE_EMPTY);
    expect(
      transactionLogValue({
        ...base,
        txnState: 'Ongoing',
        topicPartitions: [topicPartition('txn', 1), topicPartition('txn', 0)],
        txnStartTimestamp: 1796623921750,
        txnLastUpdateTimestamp: 1796623921750,
      }),
    ).toEqual(VALUE_ONGOING);
    expect(
      transactionLogValue({
        ...base,
        txnState: 'CompleteCommit',
        topicPartitions: [],
        txnStartTimestamp: 1796623921750,
        txnLastUpdateTimestamp: 1796623921829,
      }),
    ).toEqual(VALUE_COMPLETE_COMMIT);
    expect(
      transactionLogValue({
        ...base,
        txnState: 'Ongoing',
        topicPartitions: [topicPartition('txn', 1), topicPartition('__consumer_offsets', 0)],
        txnStartTimestamp: 1796623921960,
        txnLastUpdateTimestamp: 1796623922038,
      }),
    ).toEqual(VALUE_WITH_OFFSETS);
  });

  it('writes the first two batches of __transaction_state-0 byte for byte', () => {
    const first = transactionLogBatch('tx-1', VALUE_EMPTY, 1796623921297);
    const second = transactionLogBatch('tx-1', VALUE_ONGOING, 1796623921763);
    // offsets and the leader epoch are the log's to assign; Kafka's were 0 and 1, epoch 0
    second.writeBigInt64BE(1n, 0);
    first.writeInt32BE(0, 12);
    second.writeInt32BE(0, 12);
    // the CRC covers neither: patching them leaves it valid
    expect(Buffer.concat([first, second])).toEqual(KAFKA_FIRST_TWO_BATCHES);
  });

  it('reads what Kafka wrote', () => {
    expect(readTransactionLogKey(KEY)).toBe('tx-1');
    const empty = readTransactionLogValue('tx-1', VALUE_EMPTY);
    expect(empty).toMatchObject({ producerId: 1000, producerEpoch: 0, txnTimeoutMs: 60000, state: 'Empty', txnStartTimestamp: -1 });
    expect(empty.partitions).toEqual([]);
    const withOffsets = readTransactionLogValue('tx-1', VALUE_WITH_OFFSETS);
    expect(withOffsets.state).toBe('Ongoing');
    expect(withOffsets.partitions).toEqual([topicPartition('__consumer_offsets', 0), topicPartition('txn', 1)]);
    expect(withOffsets.txnStartTimestamp).toBe(1796623921960);
    expect(withOffsets.txnLastUpdateTimestamp).toBe(1796623922038);
    const complete = readTransactionLogValue('tx-1', VALUE_COMPLETE_COMMIT);
    expect(complete.state).toBe('CompleteCommit');
    expect(complete.txnStartTimestamp).toBe(1796623921750);
  });

  it('refuses other versions and unknown states', () => {
    expect(() => readTransactionLogKey(hex('0001 0004 74782d31'))).toThrow(/Unknown version 1/);
    const bad = Buffer.from(VALUE_EMPTY);
    bad[16] = 9;
    expect(() => readTransactionLogValue('tx-1', bad)).toThrow(/Unknown transaction state byte 9/);
  });
});
