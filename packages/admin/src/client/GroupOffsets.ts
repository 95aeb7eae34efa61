import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ApiKey, ErrorCode, isRetriable } from '@samsa/protocol';
import { javaException, sleep, type ToolClient } from './ToolClient';

/**
 * A group's committed offsets for a consumer that assigns its own partitions (Kafka's consumer
 * with assign() and a group.id): the coordinator found with FindCoordinator, offsets read with
 * OffsetFetch and written with OffsetCommit as a simple (generation -1) member — what the
 * coordinator accepts from a group with no members, so the console consumer and the consumer perf
 * test keep their place under --group without joining it.
 */
export class GroupOffsets {
  private coordinator: number | null = null;

  constructor(
    private readonly client: ToolClient,
    readonly groupId: string,
    private readonly deadlineMs: () => number,
  ) {}

  async committed(tps: readonly TopicPartition[]): Promise<TopicPartitionMap<number>> {
    const response = await this.withCoordinator((node) =>
      this.client.sendToNode(node, ApiKey.OffsetFetch, 1, {
        groupId: this.groupId,
        topics: byTopic(tps).map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      }),
    );
    const out = new TopicPartitionMap<number>();
    for (const t of response.topics)
      for (const p of t.partitions)
        if (p.errorCode === ErrorCode.NONE && p.committedOffset >= 0) out.set({ topic: t.name, partition: p.partitionIndex }, p.committedOffset);
    return out;
  }

  async commit(offsets: Iterable<readonly [TopicPartition, number]>): Promise<void> {
    const list = [...offsets];
    if (list.length === 0) return;
    const byName = new Map<string, { partitionIndex: number; committedOffset: number; committedMetadata: string }[]>();
    for (const [tp, offset] of list) {
      const partitions = byName.get(tp.topic) ?? [];
      partitions.push({ partitionIndex: tp.partition, committedOffset: offset, committedMetadata: '' });
      byName.set(tp.topic, partitions);
    }
    const response = await this.withCoordinator((node) =>
      this.client.sendToNode(node, ApiKey.OffsetCommit, 2, {
        groupId: this.groupId,
        generationId: -1,
        memberId: '',
        retentionTimeMs: -1,
        topics: [...byName].map(([name, partitions]) => ({ name, partitions })),
      }),
    );
    for (const t of response.topics)
      for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) throw new Error(`Offset commit failed: ${javaException(p.errorCode)}`);
  }

  private async withCoordinator<T extends object>(request: (node: number) => Promise<T>): Promise<T> {
    for (;;) {
      if (this.coordinator === null) {
        const found = await this.client.send(await this.anyBroker(), ApiKey.FindCoordinator, 1, { key: this.groupId, keyType: 0 });
        if (found.errorCode === ErrorCode.NONE) this.coordinator = found.nodeId;
        else if (!isRetriable(found.errorCode) || Date.now() > this.deadlineMs()) throw new Error(javaException(found.errorCode, found.errorMessage));
      }
      if (this.coordinator !== null) {
        const response = await request(this.coordinator);
        const code = 'errorCode' in response && typeof response.errorCode === 'number' ? response.errorCode : ErrorCode.NONE;
        if (code === ErrorCode.NONE) return response;
        if (!isRetriable(code) || Date.now() > this.deadlineMs()) throw new Error(javaException(code));
        this.coordinator = null;
      }
      await sleep(200);
    }
  }

  private async anyBroker(): Promise<{ host: string; port: number }> {
    if (this.client.knownBrokers.size === 0) await this.client.metadata([]);
    const first = [...this.client.knownBrokers.values()][0];
    if (first === undefined) throw new Error('The cluster has no brokers');
    return first;
  }
}

function byTopic(tps: readonly TopicPartition[]): Array<[string, number[]]> {
  const out = new Map<string, number[]>();
  for (const tp of tps) out.set(tp.topic, [...(out.get(tp.topic) ?? []), tp.partition]);
  return [...out];
}
