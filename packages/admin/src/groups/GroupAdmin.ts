import { type TopicPartition, type TopicPartitionMap } from '@samsa/common';

/**
 * The Admin API calls kafka-consumer-groups makes, by the names of Kafka's Admin client (the tool
 * is written against this interface; AdminClientGroupAdmin answers it through Samsa's client, tests through a
 * fake). Broker refusals are thrown as KafkaApiError (groups/GroupErrors.ts) carrying Kafka's
 * error code, so the command can print them as Kafka's tool does.
 */
export interface GroupAdmin {
  /**
   * ListGroups on every broker: the groups whose protocol type is "consumer" or empty (groups that
   * only commit offsets), with their state when asked for.
   */
  listConsumerGroups(options?: { withState?: boolean }): Promise<ConsumerGroupListing[]>;
  /** FindCoordinator + DescribeGroups, per group, in the order asked. */
  describeConsumerGroups(groupIds: readonly string[]): Promise<ConsumerGroupDescription[]>;
  /** OffsetFetch for all of the group's partitions: the committed offsets (none → no entry). */
  listConsumerGroupOffsets(groupId: string): Promise<TopicPartitionMap<bigint>>;
  /**
   * ListOffsets on the partition leaders; a partition without an answer has no entry. For a
   * timestamp, -1 where no record is that late.
   */
  listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<TopicPartitionMap<bigint>>;
  /** Metadata: each topic's partition ids, or the error the broker gave for that topic. */
  describeTopics(topics: readonly string[]): Promise<Map<string, number[] | Error>>;
  /** OffsetCommit with generation -1 and no member id (Kafka's alterConsumerGroupOffsets). */
  alterConsumerGroupOffsets(groupId: string, offsets: TopicPartitionMap<bigint>): Promise<void>;
  /** DeleteGroups: per group, null when deleted or the reason it was not. */
  deleteConsumerGroups(groupIds: readonly string[]): Promise<Map<string, Error | null>>;
  /** OffsetDelete: the group-level error code and each partition's (0 = deleted). */
  deleteConsumerGroupOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<DeleteOffsetsResult>;
  close(): Promise<void>;
}

/** Kafka's ConsumerGroupState names, as DescribeGroups and ListGroups carry them. */
export const CONSUMER_GROUP_STATES = [
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
  'Empty',
] as const;
export type ConsumerGroupState = (typeof CONSUMER_GROUP_STATES)[number] | 'Unknown';

export function parseConsumerGroupState(name: string): ConsumerGroupState {
  return (CONSUMER_GROUP_STATES as readonly string[]).includes(name)
    ? (name as ConsumerGroupState)
    : 'Unknown';
}

export interface ConsumerGroupListing {
  readonly groupId: string;
  /** Set when listed with `withState`. */
  readonly state?: ConsumerGroupState;
}

export interface Node {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

export interface MemberDescription {
  readonly consumerId: string;
  /** group.instance.id of a static member, or null. */
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly host: string;
  /** The partitions in the member's assignment (consumer protocol), each once. */
  readonly assignment: readonly TopicPartition[];
}

export interface ConsumerGroupDescription {
  readonly groupId: string;
  readonly members: readonly MemberDescription[];
  /** The protocol the group chose (the partition assignor's name), "" when none. */
  readonly partitionAssignor: string;
  readonly state: ConsumerGroupState;
  readonly coordinator: Node;
}

/** Kafka's OffsetSpec: earliest (-2), latest (-1), or the first offset at or after a timestamp. */
export type OffsetSpec =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'timestamp'; readonly timestampMs: number };

export interface DeleteOffsetsResult {
  /** The group-level error code (0 when none). */
  readonly errorCode: number;
  /** Per partition asked: 0, or the error code that kept its offset. */
  readonly partitions: TopicPartitionMap<number>;
}
