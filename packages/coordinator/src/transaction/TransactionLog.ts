import { topicPartition, type TopicPartition } from '@samsa/common';
import { buildBatch, ErrorCode, KafkaError, Reader, Writer } from '@samsa/protocol';
import { TransactionMetadata, type TxnTransitMetadata } from './TransactionMetadata';
import { TRANSACTION_STATES, transactionStateFromByte } from './TransactionState';

/**
 * The records of __transaction_state (Kafka 2.8's TransactionLog with its TransactionLogKey and
 * TransactionLogValue schemas, version 0, the only one 2.8 writes). One record per batch,
 * uncompressed, not transactional, key = the transactional id, value = its metadata, a null value
 * a tombstone (the id expired). Byte for byte what Kafka 2.1.1 wrote (transactions.txt):
 *   key   = int16 version 0 | string transactionalId
 *   value = int16 version 0 | int64 producerId | int16 producerEpoch | int32 txnTimeoutMs
 *           | int8 state | nullable array of (string topic, array of int32 partition)
 *           | int64 txnLastUpdateTimestamp | int64 txnStartTimestamp
 * Empty writes a null partition array; every other state an array (empty once complete).
 */
export const TRANSACTION_LOG_KEY_VERSION = 0;
export const TRANSACTION_LOG_VALUE_VERSION = 0;

/** Kafka's TransactionLog.EnforcedRequiredAcks: every write waits for the whole ISR. */
export const TRANSACTION_LOG_REQUIRED_ACKS = -1;

function writeString(w: Writer, s: string): void {
  const len = Buffer.byteLength(s, 'utf8');
  w.int16(len).utf8(s, len);
}

function readString(r: Reader): string {
  const len = r.int16();
  if (len < 0) r.fail('null string in a transaction log record');
  return r.utf8(len);
}

export function transactionLogKey(transactionalId: string): Buffer {
  const w = new Writer(32);
  w.int16(TRANSACTION_LOG_KEY_VERSION);
  writeString(w, transactionalId);
  return w.toBuffer();
}

/** The transactional id of a key; a key of another version is corrupt (Kafka throws too). */
export function readTransactionLogKey(key: Buffer): string {
  const r = new Reader(key);
  const version = r.int16();
  if (version !== TRANSACTION_LOG_KEY_VERSION)
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `Unknown version ${version} from the transaction log message key`);
  return readString(r);
}

/** Partitions grouped by topic, topics and partitions in ascending order (what the sample shows). */
function byTopic(tps: readonly TopicPartition[]): [string, number[]][] {
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    const list = m.get(tp.topic) ?? [];
    list.push(tp.partition);
    m.set(tp.topic, list);
  }
  return [...m.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([t, ps]) => [t, ps.sort((a, b) => a - b)]);
}

export function transactionLogValue(t: TxnTransitMetadata): Buffer {
  if (t.txnState === 'Empty' && t.topicPartitions.length > 0)
    throw new Error(`programmer error: transaction is not expected to have any partitions since its state is Empty`);
  if (t.txnState === 'PrepareEpochFence')
    throw new Error('programmer error: PrepareEpochFence is never written to the transaction log');
  const w = new Writer(64);
  w.int16(TRANSACTION_LOG_VALUE_VERSION);
  w.int64(t.producerId);
  w.int16(t.producerEpoch);
  w.int32(t.txnTimeoutMs);
  w.int8(TRANSACTION_STATES[t.txnState].byte);
  if (t.txnState === 'Empty') w.int32(-1);
  else {
    const topics = byTopic(t.topicPartitions);
    w.int32(topics.length);
    for (const [topic, partitions] of topics) {
      writeString(w, topic);
      w.int32(partitions.length);
      for (const p of partitions) w.int32(p);
    }
  }
  w.int64(t.txnLastUpdateTimestamp);
  w.int64(t.txnStartTimestamp);
  return w.toBuffer();
}

/** The metadata a value holds (Kafka's readTxnRecordValue); last producer id and epoch are not stored. */
export function readTransactionLogValue(transactionalId: string, value: Buffer): TransactionMetadata {
  const r = new Reader(value);
  const version = r.int16();
  if (version !== TRANSACTION_LOG_VALUE_VERSION)
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `Unknown version ${version} from the transaction log message value`);
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const txnTimeoutMs = r.int32();
  const state = transactionStateFromByte(r.int8());
  const topicCount = r.int32();
  const topicPartitions: TopicPartition[] = [];
  if (topicCount > 0) r.checkCount(topicCount, 6, 'transaction partitions');
  for (let i = 0; i < topicCount; i++) {
    const topic = readString(r);
    const n = r.int32();
    if (n > 0) r.checkCount(n, 4, 'partition ids');
    for (let j = 0; j < n; j++) topicPartitions.push(topicPartition(topic, r.int32()));
  }
  const txnLastUpdateTimestamp = r.int64();
  const txnStartTimestamp = r.int64();
  return new TransactionMetadata({
    transactionalId,
    producerId,
    producerEpoch,
    txnTimeoutMs,
    state,
    topicPartitions,
    txnStartTimestamp,
    txnLastUpdateTimestamp,
  });
}

/** The batch one transition is written as: one record with `timestamp`, uncompressed. */
export function transactionLogBatch(transactionalId: string, value: Buffer | null, timestamp: number): Buffer {
  return buildBatch([{ key: transactionLogKey(transactionalId), value, timestamp }], { baseTimestamp: timestamp });
}
