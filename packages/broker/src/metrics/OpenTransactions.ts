import { topicPartitionKey } from '@samsa/common';
import type { MetricsRegistry } from '@samsa/metrics';
import type { BatchMetadata } from '@samsa/storage';

/** What is read of one producer's state in a partition (storage's ProducerStateEntry). */
interface ProducerTxnState {
  /** First offset of the producer's open transaction in the partition; null when none is open. */
  readonly currentTxnFirstOffset: number | null;
  readonly batchMetadata: readonly BatchMetadata[];
}

/** A partition this broker leads, as far as its open transactions go. */
export interface TxnPartition {
  readonly topic: string;
  readonly partition: number;
  readonly log: {
    readonly producerStateManager: { readonly activeProducers: ReadonlyMap<number, ProducerTxnState> };
  };
}

export interface OpenTransactionsSample {
  /** Producers with a transaction open in some partition this broker leads. */
  readonly count: number;
  /** Age of the oldest of them (0 when none is open). */
  readonly oldestAgeMs: number;
}

/**
 * The transactions open on this broker's partitions, from their logs' producer state (what
 * kafka-transactions' find-hanging looks at per broker): a producer counts once however many of
 * the broker's partitions its transaction writes to. A transaction's start here is the timestamp of
 * its first batch while the producer state still holds that batch (the last five per producer),
 * else the moment this broker first saw it open; ages are never negative (client clocks).
 * Kafka 2.8 has no such metric; the dashboard reads these two gauges.
 */
export class OpenTransactions {
  /** When a transaction (producer, partition, first offset) was first seen open. */
  private readonly firstSeenMs = new Map<string, number>();
  private cached: { atMs: number; sample: OpenTransactionsSample } | null = null;

  constructor(
    private readonly leaders: () => Iterable<TxnPartition>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** A fresh sample, or the one of the last 500 ms (the two gauges are read together). */
  sample(): OpenTransactionsSample {
    const now = this.nowMs();
    if (this.cached !== null && now - this.cached.atMs >= 0 && now - this.cached.atMs < 500)
      return this.cached.sample;
    const startByProducer = new Map<number, number>();
    const seen = new Set<string>();
    for (const p of this.leaders()) {
      for (const [producerId, entry] of p.log.producerStateManager.activeProducers) {
        const firstOffset = entry.currentTxnFirstOffset;
        if (firstOffset === null) continue;
        const key = `${producerId} ${firstOffset} ${topicPartitionKey(p)}`;
        seen.add(key);
        let firstSeen = this.firstSeenMs.get(key);
        if (firstSeen === undefined) this.firstSeenMs.set(key, (firstSeen = now));
        const firstBatch = entry.batchMetadata.find((b) => b.lastOffset - b.offsetDelta === firstOffset);
        const start = Math.min(firstSeen, firstBatch?.timestamp ?? firstSeen);
        startByProducer.set(producerId, Math.min(start, startByProducer.get(producerId) ?? start));
      }
    }
    for (const key of this.firstSeenMs.keys()) if (!seen.has(key)) this.firstSeenMs.delete(key);
    let oldestStart = now;
    for (const start of startByProducer.values()) oldestStart = Math.min(oldestStart, start);
    const sample = { count: startByProducer.size, oldestAgeMs: Math.max(0, now - oldestStart) };
    this.cached = { atMs: now, sample };
    return sample;
  }
}

/**
 * Registers kafka.log:type=ProducerStateManager,name=OngoingTransactionCount and
 * name=OldestOngoingTransactionAgeMs (Samsa's; the dashboard's open transactions per broker).
 */
export function registerOpenTransactions(
  registry: MetricsRegistry,
  leaders: () => Iterable<TxnPartition>,
): void {
  const open = new OpenTransactions(leaders);
  const g = registry.group('kafka.log', 'ProducerStateManager');
  g.gauge('OngoingTransactionCount', () => open.sample().count);
  g.gauge('OldestOngoingTransactionAgeMs', () => open.sample().oldestAgeMs);
}
