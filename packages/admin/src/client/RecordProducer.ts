import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ApiKey, buildBatch, ErrorCode, isRetriable, type RecordInput } from '@samsa/protocol';
import { javaException, partitionForKey, sleep, type ToolClient } from './ToolClient';

export interface ProducerRecord {
  readonly topic: string;
  /** An explicit partition; otherwise the key's hash, or the sticky partition of unkeyed records. */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly { key: string; value: Buffer | null }[];
}

export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface RecordProducerOptions {
  readonly client: ToolClient;
  /**
   * acks: -1 (all), 1, or 0: the broker answers no acks=0 Produce, so its records complete once
   * the request is written, with offset -1 (as Kafka's RecordMetadata without an answer).
   */
  readonly acks: number;
  readonly requestTimeoutMs: number;
  /** Kafka's compression type id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  readonly compression: number;
  /** linger.ms: how long a batch waits for more records. */
  readonly lingerMs: number;
  /** batch.size in bytes: a partition's batch is sent once this full. */
  readonly batchSize: number;
  /** retries of a batch that failed with a retriable error. */
  readonly retries: number;
  readonly retryBackoffMs: number;
  /** max.in.flight.requests.per.connection. */
  readonly maxInFlight?: number;
  /** max.block.ms: how long to wait for a topic's metadata. */
  readonly maxBlockMs?: number;
}

interface Pending {
  readonly record: RecordInput;
  readonly resolve: (m: RecordMetadata) => void;
  readonly reject: (e: Error) => void;
}

interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly records: Pending[];
  bytes: number;
}

/** Produce v3: the first version with record batch v2 (headers). */
const PRODUCE_VERSION = 3;

/**
 * The part of Kafka's KafkaProducer (RecordAccumulator + Sender) the console producer and the
 * producer perf test need: records gathered per partition into batches (batch.size, linger.ms),
 * keyed records placed by the DefaultPartitioner's murmur2 hash and unkeyed ones by the sticky
 * partitioner (one partition until its batch is sent), one Produce request per leader with all of
 * its ready batches, at most max.in.flight requests per broker, and retriable errors retried after a
 * metadata refresh. Each send resolves with the record's offset once its batch is acknowledged.
 */
export class RecordProducer {
  private readonly batches = new TopicPartitionMap<Batch>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly sticky = new Map<string, number>();
  private leaders = new Map<string, number[]>();
  private lingerTimer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Map<number, number>();
  private readonly waiters: Array<() => void> = [];
  private readonly sending = new Set<Promise<void>>();
  /** After close(): every record is sent as soon as it has its partition (KafkaProducer.close flushes). */
  private closing = false;

  constructor(private readonly options: RecordProducerOptions) {}

  /** Queues a record; resolves with its offset once written (rejects with the send's error). */
  async send(record: ProducerRecord): Promise<RecordMetadata> {
    const count = await this.partitionCount(record.topic);
    let partition: number;
    if (record.partition !== undefined) {
      if (record.partition < 0 || record.partition >= count)
        throw new Error(`Invalid partition given with record: ${record.partition} is not in the range [0...${count}).`);
      partition = record.partition;
    } else if (record.key !== null) {
      partition = partitionForKey(record.key, count);
    } else {
      partition = this.sticky.get(record.topic) ?? Math.floor(Math.random() * count);
      this.sticky.set(record.topic, partition);
    }
    const tp: TopicPartition = { topic: record.topic, partition };
    let batch = this.batches.get(tp);
    if (batch === undefined) {
      batch = { topic: record.topic, partition, records: [], bytes: 0 };
      this.batches.set(tp, batch);
    }
    const result = new Promise<RecordMetadata>((resolve, reject) => {
      batch.records.push({
        record: { key: record.key, value: record.value, headers: record.headers, timestamp: Date.now() },
        resolve,
        reject,
      });
    });
    batch.bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0) + 16;
    if (batch.bytes >= this.options.batchSize || this.closing) this.drain(tp);
    else if (this.lingerTimer === null) this.lingerTimer = setTimeout(() => this.drainAll(), this.options.lingerMs);
    return result;
  }

  /** Sends every batch now and waits until every request sent so far is answered. */
  async flush(): Promise<void> {
    this.drainAll();
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }

  /** Sends what is queued and what is still being placed, without waiting for linger.ms. */
  async close(): Promise<void> {
    this.closing = true;
    await this.flush();
  }

  private drainAll(): void {
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    for (const tp of this.batches.keys()) this.drain(tp);
  }

  private drain(tp: TopicPartition): void {
    const batch = this.batches.get(tp);
    if (batch === undefined) return;
    this.batches.delete(tp);
    // the sticky partitioner moves on once its batch is sent
    if (this.sticky.get(batch.topic) === batch.partition) {
      const count = this.partitionCounts.get(batch.topic) ?? 1;
      this.sticky.set(batch.topic, count > 1 ? (batch.partition + 1 + Math.floor(Math.random() * (count - 1))) % count : 0);
    }
    const sent = this.sendBatch(batch, 0).finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  private async sendBatch(batch: Batch, attempt: number): Promise<void> {
    let leader = this.leaders.get(batch.topic)?.[batch.partition] ?? -1;
    try {
      if (leader < 0) {
        await this.refresh(batch.topic);
        leader = this.leaders.get(batch.topic)?.[batch.partition] ?? -1;
      }
      await this.acquire(leader);
      let response;
      try {
        const records = buildBatch(
          batch.records.map((p) => p.record),
          { compression: this.options.compression },
        );
        const request = {
          transactionalId: null,
          acks: this.options.acks,
          timeoutMs: this.options.requestTimeoutMs,
          topicData: [{ name: batch.topic, partitionData: [{ index: batch.partition, records }] }],
        };
        if (this.options.acks === 0) {
          await this.options.client.sendToNodeWithoutResponse(leader, ApiKey.Produce, PRODUCE_VERSION, request);
        } else {
          response = await this.options.client.sendToNode(leader, ApiKey.Produce, PRODUCE_VERSION, request);
        }
      } finally {
        this.release(leader);
      }
      if (response === undefined) {
        batch.records.forEach((r) => r.resolve({ topic: batch.topic, partition: batch.partition, offset: -1 }));
        return;
      }
      const p = response.responses[0]?.partitionResponses[0];
      const code = p?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (code !== ErrorCode.NONE) {
        if (isRetriable(code) && attempt < this.options.retries) {
          await sleep(this.options.retryBackoffMs);
          await this.refresh(batch.topic);
          return this.sendBatch(batch, attempt + 1);
        }
        throw new Error(javaException(code, p?.errorMessage));
      }
      batch.records.forEach((r, i) => r.resolve({ topic: batch.topic, partition: batch.partition, offset: p!.baseOffset + i }));
    } catch (error) {
      const retriableNetwork = !(error instanceof Error && error.message.startsWith('org.apache.kafka'));
      if (retriableNetwork && attempt < this.options.retries) {
        await sleep(this.options.retryBackoffMs);
        await this.refresh(batch.topic).catch(() => undefined);
        return this.sendBatch(batch, attempt + 1);
      }
      const e = error instanceof Error ? error : new Error(String(error));
      for (const r of batch.records) r.reject(e);
    }
  }

  private async partitionCount(topic: string): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    await this.refresh(topic);
    return this.partitionCounts.get(topic)!;
  }

  private async refresh(topic: string): Promise<void> {
    const leaders = await this.options.client.leaders([topic], Date.now() + (this.options.maxBlockMs ?? 60_000), true);
    for (const [t, byPartition] of leaders) {
      this.leaders.set(t, byPartition);
      this.partitionCounts.set(t, byPartition.length);
    }
  }

  private async acquire(node: number): Promise<void> {
    const max = this.options.maxInFlight ?? 5;
    while ((this.inFlight.get(node) ?? 0) >= max) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.inFlight.set(node, (this.inFlight.get(node) ?? 0) + 1);
  }

  private release(node: number): void {
    this.inFlight.set(node, (this.inFlight.get(node) ?? 1) - 1);
    const waiting = this.waiters.splice(0);
    for (const w of waiting) w();
  }
}

/** compression.type / --compression-codec names → Kafka's codec id. */
export function compressionCodecId(name: string): number | undefined {
  const ids: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
  return ids[name.toLowerCase()];
}
