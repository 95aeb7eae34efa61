import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import type {
  ConsumerGroupDescription,
  ConsumerGroupListing,
  DeleteOffsetsResult,
  GroupAdmin,
  OffsetSpec,
} from '../GroupAdmin';
import { KafkaApiError } from '../GroupErrors';

/**
 * A stand-in for the Admin API with a small cluster in memory, answering as a broker would (Dead
 * for a group it does not know, UNKNOWN_TOPIC_OR_PARTITION for a topic, GROUP_ID_NOT_FOUND and
 * NON_EMPTY_GROUP on deletion). Every call is recorded.
 */
export class FakeGroupAdmin implements GroupAdmin {
  readonly calls: Array<[string, unknown]> = [];
  /** Groups in the order ListGroups returns them. */
  readonly groups = new Map<string, ConsumerGroupDescription>();
  readonly committed = new Map<string, TopicPartitionMap<bigint>>();
  readonly topics = new Map<string, number[]>();
  readonly logStart = new TopicPartitionMap<bigint>();
  readonly logEnd = new TopicPartitionMap<bigint>();
  /** The offset for a timestamp (-1: no record that late). */
  offsetForTimestamp: (tp: TopicPartition, timestampMs: number) => bigint = () => -1n;
  /** Per partition, the error OffsetDelete gives (absent: deleted). */
  readonly offsetDeleteErrors = new TopicPartitionMap<number>();
  /** Make the next call of this name fail (or hang, with 'hang'). */
  readonly failures = new Map<string, Error | 'hang'>();
  closed = false;

  private record(name: string, arg: unknown): Promise<void> {
    this.calls.push([name, arg]);
    const failure = this.failures.get(name);
    if (failure === 'hang') return new Promise(() => {});
    if (failure !== undefined) return Promise.reject(failure);
    return Promise.resolve();
  }

  callsOf(name: string): unknown[] {
    return this.calls.filter(([n]) => n === name).map(([, arg]) => arg);
  }

  async listConsumerGroups(options: { withState?: boolean } = {}): Promise<ConsumerGroupListing[]> {
    await this.record('listConsumerGroups', options);
    return [...this.groups.values()].map((g) =>
      options.withState ? { groupId: g.groupId, state: g.state } : { groupId: g.groupId },
    );
  }

  async describeConsumerGroups(groupIds: readonly string[]): Promise<ConsumerGroupDescription[]> {
    await this.record('describeConsumerGroups', [...groupIds]);
    return groupIds.map(
      (groupId) =>
        this.groups.get(groupId) ?? {
          groupId,
          members: [],
          partitionAssignor: '',
          state: 'Dead',
          coordinator: { id: 0, host: '127.0.0.1', port: 9092 },
        },
    );
  }

  async listConsumerGroupOffsets(groupId: string): Promise<TopicPartitionMap<bigint>> {
    await this.record('listConsumerGroupOffsets', groupId);
    return new TopicPartitionMap(this.committed.get(groupId) ?? []);
  }

  async listOffsets(
    partitions: readonly TopicPartition[],
    spec: OffsetSpec,
  ): Promise<TopicPartitionMap<bigint>> {
    await this.record('listOffsets', { partitions: [...partitions], spec });
    const result = new TopicPartitionMap<bigint>();
    for (const tp of partitions) {
      if (!(this.topics.get(tp.topic) ?? []).includes(tp.partition)) continue;
      const offset =
        spec.kind === 'earliest'
          ? this.logStart.get(tp)
          : spec.kind === 'latest'
            ? this.logEnd.get(tp)
            : this.offsetForTimestamp(tp, spec.timestampMs);
      if (offset !== undefined) result.set(tp, offset);
    }
    return result;
  }

  async describeTopics(topics: readonly string[]): Promise<Map<string, number[] | Error>> {
    await this.record('describeTopics', [...topics]);
    return new Map(
      topics.map((t) => [t, this.topics.get(t) ?? new KafkaApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)]),
    );
  }

  async alterConsumerGroupOffsets(groupId: string, offsets: TopicPartitionMap<bigint>): Promise<void> {
    await this.record('alterConsumerGroupOffsets', { groupId, offsets: offsets.entries() });
    const committed = this.committed.get(groupId) ?? new TopicPartitionMap<bigint>();
    for (const [tp, offset] of offsets) committed.set(tp, offset);
    this.committed.set(groupId, committed);
  }

  async deleteConsumerGroups(groupIds: readonly string[]): Promise<Map<string, Error | null>> {
    await this.record('deleteConsumerGroups', [...groupIds]);
    return new Map(
      groupIds.map((groupId): [string, Error | null] => {
        const group = this.groups.get(groupId);
        if (group === undefined) return [groupId, new KafkaApiError(ErrorCode.GROUP_ID_NOT_FOUND)];
        if (group.state !== 'Empty') return [groupId, new KafkaApiError(ErrorCode.NON_EMPTY_GROUP)];
        this.groups.delete(groupId);
        return [groupId, null];
      }),
    );
  }

  async deleteConsumerGroupOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<DeleteOffsetsResult> {
    await this.record('deleteConsumerGroupOffsets', { groupId, partitions: [...partitions] });
    if (!this.groups.has(groupId))
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: new TopicPartitionMap() };
    return {
      errorCode: ErrorCode.NONE,
      partitions: new TopicPartitionMap(
        partitions.map((tp): [TopicPartition, number] => [tp, this.offsetDeleteErrors.get(tp) ?? 0]),
      ),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

/**
 * The example of src/fixtures/consumer-groups-formats.txt: `my-group` (Stable; consumer-1 owns
 * orders-0 and orders-1, consumer-2 owns nothing; committed orders-0 = 5 and payments-0 = 3) and
 * `idle` (Empty; committed orders-0 = 8); orders has partitions 0 and 1, payments partition 0.
 */
export function exampleCluster(): FakeGroupAdmin {
  const admin = new FakeGroupAdmin();
  const coordinator = { id: 0, host: '127.0.0.1', port: 9092 };
  admin.groups.set('my-group', {
    groupId: 'my-group',
    state: 'Stable',
    partitionAssignor: 'range',
    coordinator,
    members: [
      {
        consumerId: 'consumer-1-0a9b6a52-5c41-4b1e-9a66-3f8e7c5d2b10',
        groupInstanceId: null,
        clientId: 'consumer-1',
        host: '/127.0.0.1',
        assignment: [tp('orders', 1), tp('orders', 0)],
      },
      {
        consumerId: 'consumer-2-77c1e0d4-0f55-4a63-8d2b-5d1c9e0a6f31',
        groupInstanceId: null,
        clientId: 'consumer-2',
        host: '/127.0.0.2',
        assignment: [],
      },
    ],
  });
  admin.groups.set('idle', {
    groupId: 'idle',
    state: 'Empty',
    partitionAssignor: '',
    coordinator,
    members: [],
  });
  admin.committed.set(
    'my-group',
    new TopicPartitionMap([
      [tp('orders', 0), 5n],
      [tp('payments', 0), 3n],
    ]),
  );
  admin.committed.set('idle', new TopicPartitionMap([[tp('orders', 0), 8n]]));
  admin.topics.set('orders', [0, 1]);
  admin.topics.set('payments', [0]);
  for (const [p, start, end] of [
    [tp('orders', 0), 0n, 10n],
    [tp('orders', 1), 0n, 7n],
    [tp('payments', 0), 0n, 3n],
  ] as const) {
    admin.logStart.set(p, start);
    admin.logEnd.set(p, end);
  }
  return admin;
}
