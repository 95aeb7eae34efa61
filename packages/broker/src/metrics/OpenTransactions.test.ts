import { MetricsRegistry } from '@samsa/metrics';
import type { BatchMetadata } from '@samsa/storage';
import { OpenTransactions, registerOpenTransactions, type TxnPartition } from './OpenTransactions';

type Entry = { currentTxnFirstOffset: number | null; batchMetadata: BatchMetadata[] };

function partition(topic: string, producers: Record<number, Entry>): TxnPartition {
  return {
    topic,
    partition: 0,
    log: {
      producerStateManager: {
        activeProducers: new Map(Object.entries(producers).map(([id, e]) => [Number(id), e])),
      },
    },
  };
}

const batch = (firstOffset: number, lastOffset: number, timestamp: number): BatchMetadata => ({
  lastSeq: lastOffset,
  lastOffset,
  offsetDelta: lastOffset - firstOffset,
  timestamp,
});

describe('OpenTransactions', () => {
  test('aProducerCountsOnceAndTheOldestAgeIsFromItsFirstBatchStillHeld', () => {
    let now = 10_000;
    const leaders = [
      partition('a', {
        1: { currentTxnFirstOffset: 5, batchMetadata: [batch(5, 7, 4_000)] },
        2: { currentTxnFirstOffset: null, batchMetadata: [batch(0, 3, 1_000)] },
      }),
      partition('b', { 1: { currentTxnFirstOffset: 0, batchMetadata: [batch(0, 0, 6_000)] } }),
    ];
    const open = new OpenTransactions(
      () => leaders,
      () => now,
    );
    expect(open.sample()).toEqual({ count: 1, oldestAgeMs: 6_000 });
    now += 1_000; // past the cache
    expect(open.sample()).toEqual({ count: 1, oldestAgeMs: 7_000 });
  });

  test('withoutItsFirstBatchATransactionAgesFromWhenItWasFirstSeenAndIsForgottenOnceClosed', () => {
    let now = 50_000;
    const entry: Entry = { currentTxnFirstOffset: 3, batchMetadata: [batch(20, 21, 49_000)] };
    const leaders = [partition('a', { 7: entry })];
    const open = new OpenTransactions(
      () => leaders,
      () => now,
    );
    expect(open.sample()).toEqual({ count: 1, oldestAgeMs: 0 });
    now += 2_000;
    expect(open.sample()).toEqual({ count: 1, oldestAgeMs: 2_000 });
    entry.currentTxnFirstOffset = null;
    now += 1_000;
    expect(open.sample()).toEqual({ count: 0, oldestAgeMs: 0 });
    entry.currentTxnFirstOffset = 30;
    now += 1_000;
    expect(open.sample()).toEqual({ count: 1, oldestAgeMs: 0 });
  });

  test('aFirstBatchStampedInTheFutureByItsClientIsNotANegativeAge', () => {
    const leaders = [
      partition('a', { 1: { currentTxnFirstOffset: 0, batchMetadata: [batch(0, 0, 99_000)] } }),
    ];
    expect(
      new OpenTransactions(
        () => leaders,
        () => 1_000,
      ).sample(),
    ).toEqual({ count: 1, oldestAgeMs: 0 });
  });

  test('theGaugesAreRegisteredUnderKafkaLogProducerStateManager', () => {
    const registry = new MetricsRegistry();
    registerOpenTransactions(registry, () => [
      partition('a', { 1: { currentTxnFirstOffset: 0, batchMetadata: [] } }),
    ]);
    const value = (name: string) => {
      const m = registry.get(`kafka.log:type=ProducerStateManager,name=${name}`);
      return m?.kind === 'Gauge' ? m.value : undefined;
    };
    expect([value('OngoingTransactionCount'), value('OldestOngoingTransactionAgeMs')]).toEqual([1, 0]);
  });
});
