import { ApiKey } from '@samsa/protocol';
import type { BrokerHandle } from '../../harness/broker';
import { errorName, KCAT, rawRequest, runTool } from '../../fault/support';
import { storedBatches, type StoredBatch } from '../../interop/support';
import { array, handBuiltBatch, handBuiltRecord, int16, int32, produceBody, sendHandBuilt, string } from '../hardening/support';

/**
 * The partition side of transactions on the wire (issue 15): a transactional producer's batches
 * written byte by byte (attributes bit 4, producer id, epoch and sequence in the v2 header), the
 * coordinator's markers as a hand-built WriteTxnMarkers v0 request, and what a partition then
 * answers to read_committed and read_uncommitted readers (Fetch v4 isolation_level, ListOffsets v2
 * isolation_level). No InitProducerId or AddPartitionsToTxn: the partition leader checks neither
 * (Kafka neither), so a test picks any producer id.
 */

const TRANSACTIONAL = 0x10;

/** A transactional producer's batch of `values`, sequences from `baseSequence`. */
export function txnBatch(b: { producerId: number; producerEpoch?: number; baseSequence: number; values: readonly string[] }): Buffer {
  const records = Buffer.concat(
    b.values.map((v, i) => handBuiltRecord({ offsetDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(v) })),
  );
  return handBuiltBatch({
    records,
    count: b.values.length,
    attributes: TRANSACTIONAL,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch ?? 0,
    baseSequence: b.baseSequence,
  });
}

/**
 * Produce v7 (acks=all) of one batch to partition 0 of `topic`, under a transactional id (a
 * transactional batch needs one; these tests play the coordinator themselves, so any id will do);
 * the error name and base offset.
 */
export async function produceTo(broker: BrokerHandle, topic: string, batch: Buffer): Promise<{ error: string; baseOffset: number }> {
  const body = await sendHandBuilt(broker, ApiKey.Produce, 7, produceBody(-1, [{ name: topic, partitions: [[0, batch]] }], 'hand-built-txn'));
  const p = body.responses[0].partitionResponses[0];
  return { error: errorName(p.errorCode), baseOffset: Number(p.baseOffset) };
}

export interface Marker {
  readonly producerId: number;
  readonly producerEpoch?: number;
  readonly commit: boolean;
  readonly coordinatorEpoch?: number;
  readonly topic: string;
  readonly partitions?: readonly number[];
}

/**
 * WriteTxnMarkers v0 as bytes (what a transaction coordinator sends a partition leader), one marker;
 * the error name of each partition in the answer.
 */
export async function writeTxnMarker(broker: BrokerHandle, m: Marker): Promise<string[]> {
  const partitions = m.partitions ?? [0];
  const body = [
    array([
      Buffer.concat([
        int64(m.producerId),
        int16(m.producerEpoch ?? 0),
        Buffer.from([m.commit ? 1 : 0]),
        array([Buffer.concat([string(m.topic), array(partitions.map((p) => int32(p)))])]),
        int32(m.coordinatorEpoch ?? 0),
      ]),
    ]),
  ];
  const answer = await sendHandBuilt(broker, ApiKey.WriteTxnMarkers, 0, body);
  return answer.markers[0].topics[0].partitions.map((p: { errorCode: number }) => errorName(p.errorCode));
}

function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}

/** ListOffsets v2 LATEST (-1) of partition 0 with an isolation level: 0 the HW, 1 the LSO. */
export async function latestOffset(broker: BrokerHandle, topic: string, isolationLevel: 0 | 1): Promise<number> {
  const body = await rawRequest(broker.port, ApiKey.ListOffsets, 2, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
  });
  const p = body.topics[0].partitions[0];
  if (errorName(p.errorCode) !== 'NONE') throw new Error(`ListOffsets of ${topic}-0: ${errorName(p.errorCode)}`);
  return Number(p.offset);
}

/** One Fetch v4 answer for partition 0, readable in assertions. */
export interface FetchAnswer {
  readonly error: string;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  /** null when the broker sent none (read_uncommitted). */
  readonly abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  readonly batches: StoredBatch[];
}

export async function fetchFrom(
  broker: BrokerHandle,
  topic: string,
  fetchOffset: number,
  isolationLevel: 0 | 1,
  wait: { maxWaitMs: number; minBytes: number } = { maxWaitMs: 0, minBytes: 0 },
): Promise<FetchAnswer> {
  const body = await rawRequest(
    broker.port,
    ApiKey.Fetch,
    4,
    {
      replicaId: -1,
      maxWaitMs: wait.maxWaitMs,
      minBytes: wait.minBytes,
      maxBytes: 1 << 20,
      isolationLevel,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
    },
    wait.maxWaitMs + 10_000,
  );
  const p = body.responses[0].partitionResponses[0];
  const aborted = p.abortedTransactions as { producerId: bigint | number; firstOffset: bigint | number }[] | null;
  return {
    error: errorName(p.errorCode),
    highWatermark: Number(p.highWatermark),
    lastStableOffset: Number(p.lastStableOffset),
    abortedTransactions: aborted === null ? null : aborted.map((t) => ({ producerId: Number(t.producerId), firstOffset: Number(t.firstOffset) })),
    batches: storedBatches((p.recordSet as Buffer | null) ?? Buffer.alloc(0)),
  };
}

/**
 * kcat (librdkafka) reads partition 0 from the beginning to its end with `isolation.level`; the
 * values in order. A read_committed reader's end is the last stable offset, and it drops the
 * records of the aborted transactions the Fetch answers name.
 */
export async function kcatConsumeIsolated(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const r = await runTool(KCAT, [
    '-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n',
    '-X', 'auto.offset.reset=error', '-X', `isolation.level=${isolation}`,
  ]);
  if (r.code !== 0) throw new Error(`kcat -C (${isolation}) from ${topic}-0 failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout === '' ? [] : r.stdout.replace(/\n$/, '').split('\n');
}
