import { ApiKey } from '@samsa/protocol';
import { connectZk, waitFor, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { createTopic, errorName, rawRequest, waitForPartitionState } from '../../fault/support';
import { storedBatches, type StoredBatch } from '../../interop/support';
import {
  handBuiltBatch,
  handBuiltRecord,
  produceBody,
  sendHandBuilt,
  stopSingleBroker,
  waitUntilServed,
} from '../hardening/support';

/**
 * The vocabulary of issue 14's wire tests: an idempotent producer's batches written byte by byte
 * (producer id, epoch and first sequence in the v2 header, CRC-32C computed by the test), sent as
 * Produce v7 to one broker, and what the partition then holds read with ListOffsets. No
 * InitProducerId: the broker does not check that an id was handed out (Kafka neither), so a test
 * picks any id.
 */

/** One batch of an idempotent producer: `values` as records, sequences baseSequence… */
export interface ProducerBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly values: readonly string[];
}

/** The batch's bytes; the same arguments give the same bytes (a retry is byte for byte the batch). */
export function idempotentBatch(b: ProducerBatch & { timestamp?: number }): Buffer {
  const records = Buffer.concat(
    b.values.map((v, i) => handBuiltRecord({ offsetDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(v) })),
  );
  return handBuiltBatch({
    records,
    count: b.values.length,
    baseTimestamp: b.timestamp,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
  });
}

/** A partition's answer to one produce, readable in an assertion. */
export interface ProduceAnswer {
  readonly error: string;
  readonly baseOffset: number;
}

/** Produce v7 (acks=all unless told) of one batch to partition 0 of `topic` on `broker`. */
export async function produceBatch(broker: BrokerHandle, topic: string, batch: Buffer, acks = -1): Promise<ProduceAnswer> {
  const body = await sendHandBuilt(broker, ApiKey.Produce, 7, produceBody(acks, [{ name: topic, partitions: [[0, batch]] }]));
  const p = body.responses[0].partitionResponses[0];
  return { error: errorName(p.errorCode), baseOffset: Number(p.baseOffset) };
}

/** `produceBatch` of an idempotent batch built from `b`. */
export function produceIdempotent(broker: BrokerHandle, topic: string, b: ProducerBatch): Promise<ProduceAnswer> {
  return produceBatch(broker, topic, idempotentBatch(b));
}

/**
 * Errors a produce meets while a (re)started broker does not lead the partition yet, or its ISR is
 * still short: each is answered before anything is appended.
 */
const NOT_YET_LEADER = new Set(['NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_ENOUGH_REPLICAS']);

/**
 * `produceIdempotent`, tried again while `broker` does not lead the partition yet (a refused
 * connection, or one of the errors above: nothing was appended, so the next try is the first
 * write). Any other answer is returned as it is.
 */
export function produceOnceLeading(broker: BrokerHandle, topic: string, b: ProducerBatch, timeoutMs = 30_000): Promise<ProduceAnswer> {
  return waitFor(
    async () => {
      const answer = await produceIdempotent(broker, topic, b);
      return NOT_YET_LEADER.has(answer.error) ? null : answer;
    },
    { timeoutMs, intervalMs: 200, what: `broker ${broker.brokerId} to take a produce to ${topic}-0` },
  );
}

/** ListOffsets v1 of partition 0: -1 the log end offset, -2 the log start offset. */
async function listOffset(broker: BrokerHandle, topic: string, timestamp: -1 | -2): Promise<number> {
  const body = await rawRequest(broker.port, ApiKey.ListOffsets, 1, {
    replicaId: -1,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp }] }],
  });
  const p = body.topics[0].partitions[0];
  if (errorName(p.errorCode) !== 'NONE') throw new Error(`ListOffsets of ${topic}-0 on broker ${broker.brokerId}: ${errorName(p.errorCode)}`);
  return Number(p.offset);
}

export function logEndOffset(broker: BrokerHandle, topic: string): Promise<number> {
  return listOffset(broker, topic, -1);
}

export function logStartOffset(broker: BrokerHandle, topic: string): Promise<number> {
  return listOffset(broker, topic, -2);
}

/** DeleteRecords v1 of partition 0 up to `offset` on its leader; the new low watermark. */
export async function deleteRecordsBefore(broker: BrokerHandle, topic: string, offset: number): Promise<number> {
  const body = await rawRequest(broker.port, ApiKey.DeleteRecords, 1, {
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }],
    timeoutMs: 10_000,
  });
  const p = body.topics[0].partitions[0];
  if (errorName(p.errorCode) !== 'NONE') throw new Error(`DeleteRecords of ${topic}-0 before ${offset}: ${errorName(p.errorCode)}`);
  return Number(p.lowWatermark);
}

// ---- three brokers, one RF 3 partition ----------------------------------------------------------

/** Three brokers and an RF 3, min.insync.replicas 2 topic of one partition, its ISR full. */
export interface Replicated {
  readonly cluster: ClusterHandle;
  readonly zk: ZkClient;
  /** The partition's first leader (its preferred replica). */
  readonly leader: BrokerHandle;
}

/**
 * Starts three brokers with automatic preferred-leader rebalance every 2 s (so a restarted leader
 * leads again once back in the ISR) and creates `topic`; returns once its ISR is full and the
 * leader serves it. Stops what it started if a step fails.
 */
export async function startReplicated(topic: string, topicConfigs: readonly string[] = []): Promise<Replicated> {
  const cluster = await startCluster({
    brokers: 3,
    overrides: {
      'auto.create.topics.enable': false,
      'auto.leader.rebalance.enable': true,
      'leader.imbalance.check.interval.seconds': 2,
      'controlled.shutdown.retry.backoff.ms': 500,
    },
  });
  let zk: ZkClient | undefined;
  try {
    zk = await connectZk(cluster.zkConnect);
    await createTopic(cluster.zkConnect, topic, 1, 3, ['min.insync.replicas=2', ...topicConfigs]);
    const s = await waitForPartitionState(zk, topic, 0, (p) => p.leader >= 0 && p.isr.length === 3, 'full ISR', 30_000);
    const leader = cluster.broker(s.leader);
    await waitUntilServed(leader, topic);
    return { cluster, zk, leader };
  } catch (e) {
    await stopSingleBroker({ cluster, zk }).catch(() => undefined);
    throw e;
  }
}

/** Waits until `broker` leads partition 0 of `topic` with the full ISR back. */
export async function waitUntilLeadsWithFullIsr(zk: ZkClient, topic: string, broker: BrokerHandle): Promise<void> {
  await waitForPartitionState(zk, topic, 0, (s) => s.leader === broker.brokerId && s.isr.length === 3, `broker ${broker.brokerId} leading, ISR full`, 60_000);
  await waitUntilServed(broker, topic);
}

export async function fetchStoredBatches(broker: BrokerHandle, topic: string, fromOffset: number): Promise<StoredBatch[]> {
  const out: StoredBatch[] = [];
  for (let fetchOffset = fromOffset; ; ) {
    const body = await rawRequest(broker.port, ApiKey.Fetch, 4, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
    });
    const p = body.responses[0].partitionResponses[0];
    if (errorName(p.errorCode) !== 'NONE') throw new Error(`Fetch of ${topic}-0 from ${fetchOffset}: ${errorName(p.errorCode)}`);
    const batches = storedBatches((p.recordSet as Buffer | null) ?? Buffer.alloc(0));
    if (batches.length === 0) return out;
    out.push(...batches);
    fetchOffset = batches[batches.length - 1].lastOffset + 1;
  }
}
