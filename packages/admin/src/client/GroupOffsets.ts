import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ApiKey, ErrorCode, isRetriable } from '@samsa/protocol';
import { javaException, sleep, type ToolClient } from './ToolClient';

/** OffsetCommit v7: the first with group.instance.id. */
const OFFSET_COMMIT_VERSION = 7;

/** A commit refused because the committer is not (or no longer) a member of the group's generation. */
const GENERATION_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.FENCED_INSTANCE_ID,
]);

/** Who commits: a member of the group's generation (Kafka's commit with the consumer's generation). */
export interface GroupMember {
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

/** Kafka's CommitFailedException: the group rebalanced (or dropped the member) before the commit. */
export class CommitFailedError extends Error {
  constructor(readonly code: number) {
    super(`org.apache.kafka.clients.consumer.CommitFailedException: Commit cannot be completed since the group has already rebalanced (${javaException(code)})`);
  }
}

/**
 * A group's committed offsets: the coordinator found with FindCoordinator, offsets read with
 * OffsetFetch and written with OffsetCommit, either as a simple (generation -1) consumer that
 * assigns its own partitions (the consumer perf test; what the coordinator accepts from a group
 * with no members) or as a member of the group's generation (the console consumer, a
 * ConsumerCoordinator member).
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

  /**
   * Commits `offsets` as a simple consumer (generation -1), or, given `member`, as that member of
   * the group's current generation. A refusal because of the generation (the group rebalanced, the
   * member was dropped) is a CommitFailedError; any other one an Error with Kafka's exception.
   */
  async commit(offsets: Iterable<readonly [TopicPartition, number]>, member?: GroupMember): Promise<void> {
    const list = [...offsets];
    if (list.length === 0) return;
    const byName = new Map<string, { partitionIndex: number; committedOffset: number; committedMetadata: string }[]>();
    for (const [tp, offset] of list) {
      const partitions = byName.get(tp.topic) ?? [];
      partitions.push({ partitionIndex: tp.partition, committedOffset: offset, committedMetadata: '' });
      byName.set(tp.topic, partitions);
    }
    const response = await this.withCoordinator((node) =>
      this.client.sendToNode(node, ApiKey.OffsetCommit, OFFSET_COMMIT_VERSION, {
        groupId: this.groupId,
        generationId: member?.generationId ?? -1,
        memberId: member?.memberId ?? '',
        groupInstanceId: member?.groupInstanceId ?? null,
        topics: [...byName].map(([name, partitions]) => ({ name, partitions })),
      }),
    );
    for (const t of response.topics)
      for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.NONE) continue;
        if (GENERATION_ERRORS.has(p.errorCode)) throw new CommitFailedError(p.errorCode);
        throw new Error(`Offset commit failed: ${javaException(p.errorCode)}`);
      }
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
