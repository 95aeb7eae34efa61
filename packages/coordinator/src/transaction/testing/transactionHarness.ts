import { consoleLogger, topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { decodeBatches, ErrorCode, type WriteTxnMarkersRequestInput, type WriteTxnMarkersResponse } from '@samsa/protocol';
import { GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME } from '@samsa/zk';
import { FakeOffsetsStore } from '../../group/testing/FakeOffsetsStore';
import { MockCoordinatorTimer } from '../../group/testing/MockCoordinatorTimer';
import { DEFAULT_TRANSACTION_CONFIG, type TransactionConfig } from '../TransactionConfig';
import { TransactionCoordinator } from '../TransactionCoordinator';
import { readTransactionLogKey, readTransactionLogValue } from '../TransactionLog';
import type { TransactionStateReplicaManager } from '../TransactionStateManager';
import type { PartitionLeader, TxnMarkerMetadata, TxnMarkerNetwork } from '../TxnMarker';

/** __transaction_state in memory: the offsets store of the group tests, under the other topic's name. Test support only. */
export class FakeTxnStateStore implements TransactionStateReplicaManager {
  readonly store = new FakeOffsetsStore();
  appendRecords(timeoutMs: number, acks: number, entries: readonly { topic: string; partition: number; records: Buffer | null }[]) {
    return this.store
      .appendRecords(timeoutMs, acks, entries.map((e) => ({ ...e, topic: e.topic === TRANSACTION_STATE_TOPIC_NAME ? GROUP_METADATA_TOPIC_NAME : e.topic })))
      .then((rs) => rs.map((r) => ({ ...r, topic: TRANSACTION_STATE_TOPIC_NAME })));
  }
  getPartition(topic: string, partition: number) {
    return topic === TRANSACTION_STATE_TOPIC_NAME ? this.store.getPartition(GROUP_METADATA_TOPIC_NAME, partition) : undefined;
  }
  /** The records of a partition: [transactional id, state or null for a tombstone, producer epoch]. */
  records(partition: number): [string, string | null, number][] {
    const out: [string, string | null, number][] = [];
    for (const b of this.store.batches(partition))
      for (const batch of decodeBatches(b))
        for (const r of batch.records) {
          const id = readTransactionLogKey(r.key!);
          const m = r.value === null ? null : readTransactionLogValue(id, r.value);
          out.push([id, m?.state ?? null, m?.producerEpoch ?? -1]);
        }
    return out;
  }
}

/** A sent WriteTxnMarkers, flattened. */
export interface SentMarker {
  readonly brokerId: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly commit: boolean;
  readonly coordinatorEpoch: number;
  readonly partitions: string[];
}

/**
 * Partition leaders and the brokers' answers to WriteTxnMarkers, by hand. Every partition answers
 * NONE unless `answers` says otherwise (a queue of error codes per partition key); `disconnectNext`
 * makes the next request fail without an answer. Test support only.
 */
export class FakeMarkerCluster implements TxnMarkerNetwork, TxnMarkerMetadata {
  readonly leaders = new Map<string, PartitionLeader>();
  readonly answers = new Map<string, number[]>();
  readonly sent: SentMarker[] = [];
  disconnectNext = 0;
  closed = false;

  setLeader(tp: TopicPartition, leader: PartitionLeader): this {
    this.leaders.set(topicPartitionKey(tp), leader);
    return this;
  }

  partitionLeader(tp: TopicPartition): PartitionLeader {
    return this.leaders.get(topicPartitionKey(tp)) ?? 'unknown';
  }

  sendWriteTxnMarkers(brokerId: number, request: WriteTxnMarkersRequestInput): Promise<WriteTxnMarkersResponse | null> {
    if (this.disconnectNext > 0) {
      this.disconnectNext--;
      return Promise.resolve(null);
    }
    const markers = request.markers.map((m) => {
      this.sent.push({
        brokerId,
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        commit: m.transactionResult,
        coordinatorEpoch: m.coordinatorEpoch,
        partitions: m.topics.flatMap((t) => t.partitionIndexes.map((p) => topicPartitionKey({ topic: t.name, partition: p }))),
      });
      return {
        producerId: m.producerId,
        topics: m.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p) => {
            const q = this.answers.get(topicPartitionKey({ topic: t.name, partition: p }));
            return { partitionIndex: p, errorCode: q?.shift() ?? ErrorCode.NONE };
          }),
        })),
      };
    });
    return Promise.resolve({ markers });
  }

  close(): void {
    this.closed = true;
  }
}

/** Lets promise callbacks run, and the mock clock move `ms` (in steps) meanwhile. */
export async function settle(timer: MockCoordinatorTimer, ms = 0, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setImmediate(r));
    timer.advance(i === 0 ? ms : 0);
  }
}

const quiet: Logger = consoleLogger('txn-test', 'error');

export function transactionHarness(opts: { config?: Partial<TransactionConfig>; startProducerId?: number } = {}) {
  const timer = new MockCoordinatorTimer();
  const store = new FakeTxnStateStore();
  const cluster = new FakeMarkerCluster();
  let nextProducerId = opts.startProducerId ?? 1000;
  const config: TransactionConfig = { ...DEFAULT_TRANSACTION_CONFIG, transactionLogNumPartitions: 3, ...opts.config };
  const make = () =>
    new TransactionCoordinator({
      brokerId: 0,
      config,
      replicaManager: store,
      producerIdManager: { generateProducerId: () => Promise.resolve(nextProducerId++) },
      markerNetwork: cluster,
      markerMetadata: cluster,
      timer,
      logger: quiet,
    });
  const coordinator = make();
  coordinator.startup(config.transactionLogNumPartitions);
  return { timer, store, cluster, config, coordinator, make };
}
