import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import type { ClientSecurity } from '@samsa/client';
import { ApiKey, ErrorCode, type DescribeGroupsResponseGroups } from '@samsa/protocol';
import { UsageError } from '../cli/OptionParser';
import { AdminApiError, AdminClient } from '@samsa/client';
import { RecordFetcher } from '../client/RecordFetcher';
import { ToolClient } from '../client/ToolClient';
import {
  parseConsumerGroupState,
  type ConsumerGroupDescription,
  type ConsumerGroupListing,
  type DeleteOffsetsResult,
  type GroupAdmin,
  type OffsetSpec,
} from './GroupAdmin';
import { KafkaApiError, NotConsumerGroupError } from './GroupErrors';
import { decodeMemberAssignment } from '../client/ConsumerProtocol';

const LIST_GROUPS_VERSION = 2;
/** v4: static members' group.instance.id. */
const DESCRIBE_GROUPS_VERSION = 4;
/** v2+: null topics asks for every partition the group has an offset for; a group-level error. */
const OFFSET_FETCH_VERSION = 5;
const OFFSET_COMMIT_VERSION = 2;
const DELETE_GROUPS_VERSION = 1;
const OFFSET_DELETE_VERSION = 0;
const API_VERSIONS_VERSION = 0;
/** ListOffsets' special timestamps. */
const LATEST = -1;
const EARLIEST = -2;

/** The tool's client: its name on the brokers, its requests bounded by --timeout. */
export function groupToolClient(bootstrapServer: string, timeoutMs: number, security?: ClientSecurity): ToolClient {
  try {
    return new ToolClient({ bootstrapServers: bootstrapServer, clientId: 'kafka-consumer-groups', requestTimeoutMs: timeoutMs, security });
  } catch (error) {
    // Kafka's tool reports the Admin's ConfigException as a failed command, not a usage error.
    if (error instanceof UsageError) throw new Error(error.message);
    throw error;
  }
}

/**
 * GroupAdmin as Kafka's KafkaAdminClient does it, over the tools' wire client (AdminClient):
 * ListGroups on every broker; DescribeGroups, OffsetFetch, the memberless OffsetCommit, DeleteGroups
 * and OffsetDelete on each group's coordinator (found with FindCoordinator, found again after
 * NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS); ListOffsets on the partition leaders
 * (RecordFetcher); Metadata on any broker. Member assignments arrive as consumer-protocol bytes and
 * are decoded with @samsa/protocol's ConsumerProtocolAssignment. Refusals are KafkaApiError.
 */
export class AdminClientGroupAdmin implements GroupAdmin {
  private readonly admin: AdminClient;
  /** The deadline of the call in progress (each call gets --timeout, as Kafka's per-call timeout). */
  private deadline = 0;

  constructor(
    private readonly client: ToolClient,
    private readonly timeoutMs: number,
  ) {
    this.admin = new AdminClient(client, () => this.deadline);
  }

  private begin(): void {
    this.deadline = Date.now() + this.timeoutMs;
  }

  async listConsumerGroups(options: { withState?: boolean } = {}): Promise<ConsumerGroupListing[]> {
    this.begin();
    // A broker still loading its groups (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE) is asked again until the deadline.
    const answers = await this.admin.sendToAllBrokers(ApiKey.ListGroups, LIST_GROUPS_VERSION, {}, (r) => r.errorCode);
    const ids: string[] = [];
    for (const response of answers.values()) {
      if (response.errorCode !== ErrorCode.NONE) throw new KafkaApiError(response.errorCode);
      for (const g of response.groups) if (g.protocolType === 'consumer' || g.protocolType === '') ids.push(g.groupId);
    }
    if (!options.withState || ids.length === 0) return ids.map((groupId) => ({ groupId }));
    const described = await Promise.all(ids.map((id) => this.describeGroup(id)));
    return ids.map((groupId, i) => ({ groupId, state: parseConsumerGroupState(described[i]!.group.groupState) }));
  }

  async describeConsumerGroups(groupIds: readonly string[]): Promise<ConsumerGroupDescription[]> {
    this.begin();
    const descriptions: ConsumerGroupDescription[] = [];
    for (const groupId of groupIds) {
      const { group, coordinator } = await this.describeGroup(groupId);
      if (group.protocolType !== 'consumer' && group.protocolType !== '') throw new NotConsumerGroupError(groupId, group.protocolType);
      descriptions.push({
        groupId,
        members: group.members.map((m) => ({
          consumerId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          clientId: m.clientId,
          host: m.clientHost,
          assignment: decodeMemberAssignment(m.memberAssignment),
        })),
        partitionAssignor: group.protocolData,
        state: parseConsumerGroupState(group.groupState),
        coordinator,
      });
    }
    return descriptions;
  }

  /** DescribeGroups for one group on its coordinator; a group-level error is thrown. */
  private async describeGroup(groupId: string): Promise<{ group: DescribeGroupsResponseGroups; coordinator: ConsumerGroupDescription['coordinator'] }> {
    const { coordinator, response } = await this.onCoordinator((admin) =>
      admin.sendToCoordinator(
        groupId,
        ApiKey.DescribeGroups,
        DESCRIBE_GROUPS_VERSION,
        { groups: [groupId], includeAuthorizedOperations: false },
        (r) => r.groups[0]?.errorCode ?? ErrorCode.NONE,
      ),
    );
    const group = response.groups.find((g) => g.groupId === groupId);
    if (group === undefined) throw new KafkaApiError(ErrorCode.INVALID_GROUP_ID, `No consumer group found for GroupId: ${groupId}`);
    if (group.errorCode !== ErrorCode.NONE) throw new KafkaApiError(group.errorCode);
    return { group, coordinator };
  }

  async listConsumerGroupOffsets(groupId: string): Promise<TopicPartitionMap<bigint>> {
    this.begin();
    const { response } = await this.onCoordinator((admin) =>
      admin.sendToCoordinator(groupId, ApiKey.OffsetFetch, OFFSET_FETCH_VERSION, { groupId, topics: null }, (r) => r.errorCode),
    );
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaApiError(response.errorCode);
    const offsets = new TopicPartitionMap<bigint>();
    for (const t of response.topics)
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE) throw new KafkaApiError(p.errorCode);
        // A negative offset means nothing committed (Kafka's Admin drops those too).
        if (p.committedOffset >= 0) offsets.set({ topic: t.name, partition: p.partitionIndex }, BigInt(p.committedOffset));
      }
    return offsets;
  }

  async listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<TopicPartitionMap<bigint>> {
    this.begin();
    const result = new TopicPartitionMap<bigint>();
    if (partitions.length === 0) return result;
    const leaders = await this.client.leaders([...new Set(partitions.map((tp) => tp.topic))], this.deadline);
    // A partition the topic does not have gets no answer (Kafka's Admin fails only that one).
    const known = partitions.filter((tp) => (leaders.get(tp.topic)?.length ?? 0) > tp.partition);
    const timestamp = spec.kind === 'latest' ? LATEST : spec.kind === 'earliest' ? EARLIEST : spec.timestampMs;
    const answers = await RecordFetcher.forOffsets(this.client, this.timeoutMs).listOffsets(known, timestamp);
    for (const [tp, offset] of answers) result.set(tp, BigInt(offset ?? -1));
    return result;
  }

  async describeTopics(topics: readonly string[]): Promise<Map<string, number[] | Error>> {
    this.begin();
    const result = new Map<string, number[] | Error>();
    for (const topic of topics) {
      const md = await this.admin.metadata([topic]);
      const t = md.topics.find((m) => m.name === topic);
      if (t === undefined) result.set(topic, new KafkaApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      else if (t.errorCode !== ErrorCode.NONE) result.set(topic, new KafkaApiError(t.errorCode));
      else result.set(topic, t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b));
    }
    return result;
  }

  async alterConsumerGroupOffsets(groupId: string, offsets: TopicPartitionMap<bigint>): Promise<void> {
    this.begin();
    if (offsets.size === 0) return;
    const topics = new Map<string, Array<{ partitionIndex: number; committedOffset: number; committedMetadata: string }>>();
    for (const [{ topic, partition }, offset] of offsets) {
      // The offset stays a bigint (exact past 2^53): the writer's int64 takes one, though the generated input type says number.
      const committedOffset = offset as unknown as number;
      topics.set(topic, [...(topics.get(topic) ?? []), { partitionIndex: partition, committedOffset, committedMetadata: '' }]);
    }
    const { response } = await this.onCoordinator((admin) =>
      admin.sendToCoordinator(
        groupId,
        ApiKey.OffsetCommit,
        OFFSET_COMMIT_VERSION,
        {
          groupId,
          generationId: -1,
          memberId: '',
          retentionTimeMs: -1,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        },
        // The coordinator answers per partition; a coordinator error is the same on every one.
        (r) => r.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.NONE,
      ),
    );
    for (const t of response.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) throw new KafkaApiError(p.errorCode);
  }

  async deleteConsumerGroups(groupIds: readonly string[]): Promise<Map<string, Error | null>> {
    this.begin();
    const results = new Map<string, Error | null>();
    for (const groupId of groupIds) {
      try {
        const { response } = await this.onCoordinator((admin) =>
          admin.sendToCoordinator(
            groupId,
            ApiKey.DeleteGroups,
            DELETE_GROUPS_VERSION,
            { groupsNames: [groupId] },
            (r) => r.results.find((g) => g.groupId === groupId)?.errorCode ?? ErrorCode.NONE,
          ),
        );
        const code = response.results.find((g) => g.groupId === groupId)?.errorCode ?? ErrorCode.NONE;
        results.set(groupId, code === ErrorCode.NONE ? null : new KafkaApiError(code));
      } catch (error) {
        if (!(error instanceof KafkaApiError)) throw error;
        results.set(groupId, error);
      }
    }
    return results;
  }

  async deleteConsumerGroupOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<DeleteOffsetsResult> {
    this.begin();
    const byTopic = new Map<string, Array<{ partitionIndex: number }>>();
    for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partitionIndex: partition }]);
    const { response } = await this.onCoordinator(async (admin) => {
      const coordinator = await admin.findCoordinator(groupId);
      const versions = await this.client.sendToNode(coordinator.id, ApiKey.ApiVersions, API_VERSIONS_VERSION, {});
      const supported = versions.apiKeys.find((k) => k.apiKey === ApiKey.OffsetDelete);
      if (supported === undefined || supported.minVersion > OFFSET_DELETE_VERSION)
        // Kafka's NodeApiVersions words it so (the API key's name).
        throw new KafkaApiError(ErrorCode.UNSUPPORTED_VERSION, 'The broker does not support OFFSET_DELETE');
      return admin.sendToCoordinator(
        groupId,
        ApiKey.OffsetDelete,
        OFFSET_DELETE_VERSION,
        { groupId, topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })) },
        (r) => r.errorCode,
      );
    });
    const results = new TopicPartitionMap<number>();
    for (const topic of response.topics)
      for (const p of topic.partitions) results.set({ topic: topic.name, partition: p.partitionIndex }, p.errorCode);
    return { errorCode: response.errorCode, partitions: results };
  }

  /** Runs a coordinator call; a FindCoordinator refusal becomes the KafkaApiError Kafka's Admin raises. */
  private async onCoordinator<T>(call: (admin: AdminClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.admin);
    } catch (error) {
      if (error instanceof AdminApiError) throw new KafkaApiError(error.code, error.brokerMessage ?? undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.admin.close();
  }
}
