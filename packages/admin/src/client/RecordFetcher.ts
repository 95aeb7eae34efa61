import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import {
  ApiKey,
  ControlRecordType,
  decodeBatch,
  decodeControlRecordType,
  ErrorCode,
  isControl,
  isTransactional,
  lastOffsetOf,
  LOG_OVERHEAD,
  readBatchHeader,
  RECORD_BATCH_OVERHEAD,
  timestampTypeOf,
  type RecordHeader,
} from '@samsa/protocol';
import { javaException, type ToolClient } from './ToolClient';

/** One record as a consumer hands it out (Kafka's ConsumerRecord). */
export interface ConsumerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: 'CreateTime' | 'LogAppendTime';
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
  /** Bytes of key and value, as the perf test counts them. */
  readonly serializedSize: number;
}

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';

export interface RecordFetcherOptions {
  readonly client: ToolClient;
  /** fetch.max.wait.ms */
  readonly maxWaitMs: number;
  /** fetch.min.bytes */
  readonly minBytes: number;
  /** fetch.max.bytes */
  readonly maxBytes: number;
  /** max.partition.fetch.bytes */
  readonly partitionMaxBytes: number;
  /** 0 read_uncommitted, 1 read_committed */
  readonly isolationLevel: number;
  /** auto.offset.reset, when a position falls outside the log. */
  readonly offsetReset: OffsetResetStrategy;
  readonly requestTimeoutMs: number;
}

/** Fetch v5: isolation level, aborted transactions and the log start offset. */
const FETCH_VERSION = 5;
/** ListOffsets v2: isolation level. */
const LIST_OFFSETS_VERSION = 2;

/**
 * The part of Kafka's consumer Fetcher the console consumer, the consumer perf test and
 * kafka-get-offsets need, for partitions assigned by the caller: ListOffsets to the leaders, one
 * Fetch per leader per round with every partition it leads, record batches decoded with control
 * batches skipped (and, read_committed, the aborted transactions' records), OFFSET_OUT_OF_RANGE
 * reset per auto.offset.reset, and leaders looked up again after NOT_LEADER_OR_FOLLOWER.
 */
export class RecordFetcher {
  private readonly positions = new TopicPartitionMap<number>();
  private leaders = new Map<string, number[]>();

  constructor(private readonly options: RecordFetcherOptions) {}

  /** A fetcher for ListOffsets only (kafka-get-offsets, kafka-replica-verification): it fetches no records. */
  static forOffsets(client: RecordFetcherOptions['client'], requestTimeoutMs: number): RecordFetcher {
    return new RecordFetcher({
      client,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1,
      partitionMaxBytes: 1,
      isolationLevel: 0,
      offsetReset: 'latest',
      requestTimeoutMs,
    });
  }

  assign(positions: Iterable<readonly [TopicPartition, number]>): void {
    for (const [tp, offset] of positions) this.positions.set(tp, offset);
  }

  unassign(tp: TopicPartition): void {
    this.positions.delete(tp);
  }

  position(tp: TopicPartition): number | undefined {
    return this.positions.get(tp);
  }

  assignment(): TopicPartition[] {
    return [...this.positions.keys()];
  }

  /** The offsets ListOffsets answers for `timestamp` (-1 latest, -2 earliest); null where none. */
  async listOffsets(tps: readonly TopicPartition[], timestamp: number): Promise<TopicPartitionMap<number | null>> {
    await this.refreshLeaders(tps.map((tp) => tp.topic));
    const out = new TopicPartitionMap<number | null>();
    await Promise.all(
      [...this.byLeader(tps)].map(async ([leader, group]) => {
        const response = await this.options.client.sendToNode(leader, ApiKey.ListOffsets, LIST_OFFSETS_VERSION, {
          replicaId: -1,
          isolationLevel: this.options.isolationLevel,
          topics: groupByTopic(group).map(([name, partitions]) => ({
            name,
            partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })),
          })),
        });
        for (const t of response.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== ErrorCode.NONE) throw new Error(javaException(p.errorCode));
            out.set({ topic: t.name, partition: p.partitionIndex }, p.offset < 0 ? null : p.offset);
          }
        }
      }),
    );
    return out;
  }

  /** One fetch round: every leader asked in parallel; the records in partition order. */
  async poll(): Promise<ConsumerRecord[]> {
    const tps = this.assignment();
    if (tps.length === 0) return [];
    if (tps.some((tp) => (this.leaders.get(tp.topic)?.[tp.partition] ?? -1) < 0)) await this.refreshLeaders(tps.map((tp) => tp.topic));
    const rounds = await Promise.all(
      [...this.byLeader(tps)].map(([leader, group]) => this.fetchFrom(leader, group)),
    );
    return rounds.flat();
  }

  private async fetchFrom(leader: number, tps: readonly TopicPartition[]): Promise<ConsumerRecord[]> {
    const response = await this.options.client.sendToNode(leader, ApiKey.Fetch, FETCH_VERSION, {
      replicaId: -1,
      maxWaitMs: this.options.maxWaitMs,
      minBytes: this.options.minBytes,
      maxBytes: this.options.maxBytes,
      isolationLevel: this.options.isolationLevel,
      topics: groupByTopic(tps).map(([topic, partitions]) => ({
        topic,
        partitions: partitions.map((partition) => ({
          partition,
          fetchOffset: this.positions.get({ topic, partition }) ?? 0,
          logStartOffset: -1,
          partitionMaxBytes: this.options.partitionMaxBytes,
        })),
      })),
    });
    const out: ConsumerRecord[] = [];
    const reset: TopicPartition[] = [];
    for (const t of response.responses) {
      for (const p of t.partitionResponses) {
        const tp = { topic: t.topic, partition: p.partition };
        if (!this.positions.has(tp)) continue;
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          if (this.options.offsetReset === 'none')
            throw new Error(`org.apache.kafka.clients.consumer.OffsetOutOfRangeException: Offsets out of range with no configured reset policy for partitions: {${t.topic}-${p.partition}=${this.positions.get(tp)}}`);
          reset.push(tp);
          continue;
        }
        if (p.errorCode !== ErrorCode.NONE) {
          // leadership moved or the partition is being created: ask for leaders again next round
          this.leaders.delete(t.topic);
          continue;
        }
        out.push(...this.records(tp, p.recordSet, p.abortedTransactions));
      }
    }
    if (reset.length > 0) {
      const offsets = await this.listOffsets(reset, this.options.offsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP);
      for (const [tp, offset] of offsets) this.positions.set(tp, offset ?? 0);
    }
    return out;
  }

  private records(
    tp: TopicPartition,
    set: Buffer | null,
    aborted: readonly { producerId: number; firstOffset: number }[] | null,
  ): ConsumerRecord[] {
    if (set === null || set.length === 0) return [];
    const fetchOffset = this.positions.get(tp) ?? 0;
    const pendingAborts = [...(aborted ?? [])].sort((a, b) => a.firstOffset - b.firstOffset);
    const abortedProducers = new Set<number>();
    const out: ConsumerRecord[] = [];
    let next = fetchOffset;
    let pos = 0;
    while (set.length - pos >= RECORD_BATCH_OVERHEAD) {
      const size = LOG_OVERHEAD + set.readInt32BE(pos + 8);
      if (size > set.length - pos) break;
      const header = readBatchHeader(set, pos);
      const last = lastOffsetOf(header);
      if (this.options.isolationLevel === 1) {
        while (pendingAborts.length > 0 && pendingAborts[0]!.firstOffset <= last) abortedProducers.add(pendingAborts.shift()!.producerId);
      }
      if (last >= fetchOffset) {
        const decoded = decodeBatch(set, pos);
        if (isControl(header.attributes)) {
          const type = decodeControlRecordType(decoded.records[0]?.key ?? null);
          if (type === ControlRecordType.ABORT) abortedProducers.delete(header.producerId);
        } else if (!(this.options.isolationLevel === 1 && isTransactional(header.attributes) && abortedProducers.has(header.producerId))) {
          const timestampType = timestampTypeOf(header.attributes) === 1 ? 'LogAppendTime' : 'CreateTime';
          for (const r of decoded.records) {
            if (r.offset < fetchOffset) continue;
            out.push({
              topic: tp.topic,
              partition: tp.partition,
              offset: r.offset,
              timestamp: r.timestamp,
              timestampType,
              key: r.key,
              value: r.value,
              headers: r.headers,
              serializedSize: (r.key?.length ?? 0) + (r.value?.length ?? 0),
            });
          }
        }
        next = last + 1;
      }
      pos += size;
    }
    this.positions.set(tp, next);
    return out;
  }

  private async refreshLeaders(topics: readonly string[]): Promise<void> {
    const unique = [...new Set(topics)];
    const leaders = await this.options.client.leaders(unique, Date.now() + this.options.requestTimeoutMs);
    for (const [t, byPartition] of leaders) this.leaders.set(t, byPartition);
  }

  private byLeader(tps: readonly TopicPartition[]): Map<number, TopicPartition[]> {
    const out = new Map<number, TopicPartition[]>();
    for (const tp of tps) {
      const leader = this.leaders.get(tp.topic)?.[tp.partition] ?? -1;
      if (leader < 0) continue;
      const list = out.get(leader) ?? [];
      list.push(tp);
      out.set(leader, list);
    }
    return out;
  }
}

function groupByTopic(tps: readonly TopicPartition[]): Array<[string, number[]]> {
  const out = new Map<string, number[]>();
  for (const tp of tps) {
    const list = out.get(tp.topic) ?? [];
    list.push(tp.partition);
    out.set(tp.topic, list);
  }
  return [...out];
}
