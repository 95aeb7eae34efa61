import { readTransactionLogKey, readTransactionLogValue } from '@samsa/coordinator';
import { ApiKey, decodeBatches, decodeControlRecordType, decodeEndTxnMarkerValue, isControl, type Struct } from '@samsa/protocol';
import { waitFor } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { errorName, rawRequest } from '../../fault/support';

/**
 * What the transaction coordinator's integration tests share: finding the coordinator, and the
 * requests of a transactional producer built on the wire (the generic codec encodes the bodies
 * given as plain fields, so every field is the test's own).
 */

/** Broker settings for a small cluster: __transaction_state with 3 partitions on every broker. */
export function txnOverrides(brokers: number): Record<string, string | number | boolean> {
  return {
    'auto.create.topics.enable': false,
    'transaction.state.log.num.partitions': 3,
    'transaction.state.log.replication.factor': brokers,
    'transaction.state.log.min.isr': 1,
  };
}

/** FindCoordinator v2 key type 1 until a broker answers NONE; that broker. */
export async function findTxnCoordinator(cluster: ClusterHandle, transactionalId: string, timeoutMs = 60_000): Promise<BrokerHandle> {
  const found = await waitFor(
    async () => {
      // any broker that answers (one may be down in a fault test)
      for (const broker of cluster.brokers) {
        const r = await rawRequest(broker.port, ApiKey.FindCoordinator, 2, { key: transactionalId, keyType: 1 }).catch(() => null);
        if (r === null) continue;
        if (errorName(r.errorCode) !== 'NONE') return null;
        return cluster.brokers.find((b) => b.brokerId === r.nodeId && b.port === r.port) ?? null;
      }
      return null;
    },
    { timeoutMs, intervalMs: 200, what: `the transaction coordinator of ${transactionalId}` },
  );
  return found;
}

export interface TxnProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** InitProducerId v4 with a transactional id; the raw answer. */
export function initProducerId(broker: BrokerHandle, transactionalId: string, transactionTimeoutMs = 60_000, version = 4): Promise<Struct> {
  return rawRequest(broker.port, ApiKey.InitProducerId, version, {
    transactionalId,
    transactionTimeoutMs,
    producerId: -1,
    producerEpoch: -1,
  });
}

/** InitProducerId retried while the coordinator is loading or busy (as clients do); the answer. */
export async function initProducerIdWhenReady(broker: BrokerHandle, transactionalId: string, timeoutMs = 60_000): Promise<Struct> {
  return waitFor(
    async () => {
      const r = await initProducerId(broker, transactionalId);
      const name = errorName(r.errorCode);
      if (name === 'COORDINATOR_LOAD_IN_PROGRESS' || name === 'CONCURRENT_TRANSACTIONS' || name === 'NOT_COORDINATOR') return null;
      return r;
    },
    { timeoutMs, intervalMs: 200, what: `InitProducerId of ${transactionalId}` },
  );
}

/** AddPartitionsToTxn (v2 unless told); the error of each partition as "topic-partition": name. */
export async function addPartitions(
  broker: BrokerHandle,
  transactionalId: string,
  p: TxnProducer,
  topics: Record<string, number[]>,
  version = 2,
): Promise<Record<string, string>> {
  const r = await rawRequest(broker.port, ApiKey.AddPartitionsToTxn, version, {
    transactionalId,
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    topics: Object.entries(topics).map(([name, partitions]) => ({ name, partitions })),
  });
  const out: Record<string, string> = {};
  for (const t of r.results as Struct[])
    for (const x of t.results as Struct[]) out[`${t.name as string}-${x.partitionIndex as number}`] = errorName(x.errorCode as number);
  return out;
}

/** EndTxn (v2 unless told); the error name. */
export async function endTxn(broker: BrokerHandle, transactionalId: string, p: TxnProducer, committed: boolean, version = 2): Promise<string> {
  const r = await rawRequest(broker.port, ApiKey.EndTxn, version, {
    transactionalId,
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    committed,
  });
  return errorName(r.errorCode);
}

/** AddOffsetsToTxn (v2 unless told); the error name. */
export async function addOffsets(broker: BrokerHandle, transactionalId: string, p: TxnProducer, groupId: string, version = 2): Promise<string> {
  const r = await rawRequest(broker.port, ApiKey.AddOffsetsToTxn, version, {
    transactionalId,
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    groupId,
  });
  return errorName(r.errorCode);
}

/**
 * The records of a __transaction_state partition as its leader serves them (Fetch v4 from the log
 * start): [transactional id, state or null for a tombstone, producer epoch].
 */
export async function transactionLogRecords(leader: BrokerHandle, partition: number): Promise<[string, string | null, number][]> {
  const r = await rawRequest(leader.port, ApiKey.Fetch, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic: '__transaction_state', partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  });
  const records = ((r.responses as Struct[])[0].partitionResponses as Struct[])[0].recordSet as Buffer | null;
  const out: [string, string | null, number][] = [];
  for (const batch of decodeBatches(records ?? Buffer.alloc(0)))
    for (const rec of batch.records) {
      const id = readTransactionLogKey(rec.key!);
      const m = rec.value === null ? null : readTransactionLogValue(id, rec.value);
      out.push([id, m?.state ?? null, m?.producerEpoch ?? -1]);
    }
  return out;
}

/** The __transaction_state partition of a transactional id (abs(hashCode) % 3 for these tests). */
export function txnPartitionOf(transactionalId: string, partitions = 3): number {
  let h = 0;
  for (let i = 0; i < transactionalId.length; i++) h = (Math.imul(31, h) + transactionalId.charCodeAt(i)) | 0;
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

/** A transaction marker as a partition's leader serves it. */
export interface StoredMarker {
  readonly offset: number;
  readonly type: 'COMMIT' | 'ABORT';
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
}

/** The control batches of a partition (Fetch v4, read_uncommitted, from offset 0) on its leader. */
export async function storedMarkers(leader: BrokerHandle, topic: string, partition: number): Promise<StoredMarker[]> {
  const r = await rawRequest(leader.port, ApiKey.Fetch, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  });
  const records = ((r.responses as Struct[])[0].partitionResponses as Struct[])[0].recordSet as Buffer | null;
  const out: StoredMarker[] = [];
  for (const batch of decodeBatches(records ?? Buffer.alloc(0))) {
    if (!isControl(batch.header.attributes)) continue;
    for (const rec of batch.records)
      out.push({
        offset: rec.offset,
        type: decodeControlRecordType(rec.key) === 1 ? 'COMMIT' : 'ABORT',
        producerId: batch.header.producerId,
        producerEpoch: batch.header.producerEpoch,
        coordinatorEpoch: decodeEndTxnMarkerValue(rec.value).coordinatorEpoch,
      });
  }
  return out;
}

/** The leader of a partition as broker 0's metadata says (-1 when none). */
export async function leaderOf(cluster: ClusterHandle, topic: string, partition: number): Promise<number> {
  const m = await rawRequest(cluster.brokers[0].port, ApiKey.Metadata, 1, { topics: [{ name: topic }] });
  const p = ((m.topics as Struct[])[0].partitions as Struct[]).find((x) => x.partitionIndex === partition);
  return (p?.leaderId as number | undefined) ?? -1;
}
