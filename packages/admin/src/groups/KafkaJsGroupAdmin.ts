import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ErrorCode, type OffsetDeleteResponse } from '@samsa/protocol';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import {
  parseConsumerGroupState,
  type ConsumerGroupDescription,
  type ConsumerGroupListing,
  type DeleteOffsetsResult,
  type GroupAdmin,
  type OffsetSpec,
} from './GroupAdmin';
import { KafkaApiError, NotConsumerGroupError } from './GroupErrors';
import {
  createKafkaJsCluster,
  sendOffsetDelete,
  type ClusterConfig,
  type KafkaJsBroker,
  type KafkaJsCluster,
} from './kafkajsCoordinator';
import { decodeMemberAssignment } from './memberAssignment';
import type { ClientSecurity } from '@samsa/client';
import { kafkaJsSecurity } from '../cli/CommandConfig';

/** The kafkajs Admin calls this adapter makes (tests pass a fake). */
export type KafkaJsAdminLike = Pick<
  Admin,
  | 'connect'
  | 'disconnect'
  | 'listGroups'
  | 'describeGroups'
  | 'fetchOffsets'
  | 'fetchTopicOffsets'
  | 'fetchTopicOffsetsByTimestamp'
  | 'fetchTopicMetadata'
  | 'deleteGroups'
>;

export interface KafkaJsGroupAdminDeps {
  readonly admin?: KafkaJsAdminLike;
  readonly createCluster?: (config: ClusterConfig) => KafkaJsCluster;
  /** --command-config's security (undefined: plaintext). */
  readonly security?: ClientSecurity;
}

/** Errors after which Kafka's Admin finds the coordinator again and retries. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);
const COORDINATOR_ATTEMPTS = 5;

/**
 * GroupAdmin through kafkajs (a real, unmodified client): its Admin for ListGroups, DescribeGroups,
 * OffsetFetch, ListOffsets (fetchTopicOffsets / fetchTopicOffsetsByTimestamp, on the partition
 * leaders), Metadata and DeleteGroups; its cluster and broker objects (kafkajsCoordinator.ts) for
 * FindCoordinator, the memberless OffsetCommit and OffsetDelete. Member assignments arrive as
 * consumer-protocol bytes and are decoded with @samsa/protocol's ConsumerProtocolAssignment.
 * kafkajs' protocol errors become KafkaApiError by their Kafka code.
 */
export class KafkaJsGroupAdmin implements GroupAdmin {
  private readonly admin: KafkaJsAdminLike;
  private readonly clusterConfig: ClusterConfig;
  private readonly createCluster: (config: ClusterConfig) => KafkaJsCluster;
  private adminConnected: Promise<void> | undefined;
  private cluster: { client: KafkaJsCluster; connected: Promise<void> } | undefined;

  constructor(
    bootstrapServer: string,
    private readonly timeoutMs: number,
    deps: KafkaJsGroupAdminDeps = {},
  ) {
    this.clusterConfig = {
      brokers: bootstrapServer.split(',').map((b) => b.trim()),
      clientId: 'kafka-consumer-groups',
      connectionTimeoutMs: Math.max(1, Math.min(timeoutMs, 10_000)),
      requestTimeoutMs: Math.max(1, timeoutMs),
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
      security: kafkaJsSecurity(deps.security),
    };
    this.createCluster = deps.createCluster ?? createKafkaJsCluster;
    this.admin =
      deps.admin ??
      new Kafka({
        clientId: this.clusterConfig.clientId,
        brokers: this.clusterConfig.brokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: this.clusterConfig.connectionTimeoutMs,
        requestTimeout: this.clusterConfig.requestTimeoutMs,
        retry: this.clusterConfig.retry,
        ...this.clusterConfig.security,
      }).admin();
  }

  private async connected(): Promise<KafkaJsAdminLike> {
    this.adminConnected ??= this.admin.connect();
    await this.adminConnected;
    return this.admin;
  }

  private async coordinatorCluster(): Promise<KafkaJsCluster> {
    if (this.cluster === undefined) {
      const client = this.createCluster(this.clusterConfig);
      this.cluster = { client, connected: client.connect().then(() => client.refreshMetadata()) };
    }
    await this.cluster.connected;
    return this.cluster.client;
  }

  listConsumerGroups(options: { withState?: boolean } = {}): Promise<ConsumerGroupListing[]> {
    return translated(async () => {
      const admin = await this.connected();
      const { groups } = await admin.listGroups();
      const consumerGroups = groups.filter((g) => g.protocolType === 'consumer' || g.protocolType === '');
      if (!options.withState || consumerGroups.length === 0)
        return consumerGroups.map((g) => ({ groupId: g.groupId }));
      const described = await admin.describeGroups(consumerGroups.map((g) => g.groupId));
      const states = new Map(described.groups.map((g) => [g.groupId, parseConsumerGroupState(g.state)]));
      return consumerGroups.map((g) => ({ groupId: g.groupId, state: states.get(g.groupId) ?? 'Unknown' }));
    });
  }

  describeConsumerGroups(groupIds: readonly string[]): Promise<ConsumerGroupDescription[]> {
    return translated(async () => {
      if (groupIds.length === 0) return [];
      const admin = await this.connected();
      const cluster = await this.coordinatorCluster();
      const { groups } = await admin.describeGroups([...groupIds]);
      const byId = new Map(groups.map((g) => [g.groupId, g]));
      const descriptions: ConsumerGroupDescription[] = [];
      for (const groupId of groupIds) {
        const group = byId.get(groupId);
        if (group === undefined)
          throw new KafkaApiError(
            ErrorCode.INVALID_GROUP_ID,
            `No consumer group found for GroupId: ${groupId}`,
          );
        if (group.protocolType !== 'consumer' && group.protocolType !== '')
          throw new NotConsumerGroupError(groupId, group.protocolType);
        const { coordinator } = await cluster.findGroupCoordinatorMetadata({ groupId });
        descriptions.push({
          groupId,
          members: group.members.map((m) => ({
            consumerId: m.memberId,
            // kafkajs reads DescribeGroups up to v2, before static members (v4) existed.
            groupInstanceId: null,
            clientId: m.clientId,
            host: m.clientHost,
            assignment: decodeMemberAssignment(m.memberAssignment),
          })),
          partitionAssignor: group.protocol,
          state: parseConsumerGroupState(group.state),
          coordinator: { id: coordinator.nodeId, host: coordinator.host, port: coordinator.port },
        });
      }
      return descriptions;
    });
  }

  listConsumerGroupOffsets(groupId: string): Promise<TopicPartitionMap<bigint>> {
    return translated(async () => {
      const admin = await this.connected();
      const offsets = new TopicPartitionMap<bigint>();
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        for (const { partition, offset } of partitions) {
          const committed = BigInt(offset);
          // A negative offset means nothing committed (Kafka's Admin drops those too).
          if (committed >= 0n) offsets.set({ topic, partition }, committed);
        }
      }
      return offsets;
    });
  }

  listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<TopicPartitionMap<bigint>> {
    return translated(async () => {
      const result = new TopicPartitionMap<bigint>();
      if (partitions.length === 0) return result;
      const admin = await this.connected();
      const wanted = new TopicPartitionMap(partitions.map((tp): [TopicPartition, true] => [tp, true]));
      for (const topic of new Set(partitions.map((tp) => tp.topic))) {
        const answers =
          spec.kind === 'timestamp'
            ? (await admin.fetchTopicOffsetsByTimestamp(topic, spec.timestampMs)).map((p) => ({
                partition: p.partition,
                offset: p.offset,
              }))
            : (await admin.fetchTopicOffsets(topic)).map((p) => ({
                partition: p.partition,
                offset: spec.kind === 'latest' ? p.high : p.low,
              }));
        for (const { partition, offset } of answers)
          if (wanted.has({ topic, partition })) result.set({ topic, partition }, BigInt(offset));
      }
      return result;
    });
  }

  async describeTopics(topics: readonly string[]): Promise<Map<string, number[] | Error>> {
    const admin = await translated(() => this.connected());
    const result = new Map<string, number[] | Error>();
    for (const topic of topics) {
      try {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [topic] });
        const t = metadata.find((m) => m.name === topic);
        if (t === undefined) throw new KafkaApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        result.set(
          topic,
          t.partitions.map((p) => p.partitionId).sort((a, b) => a - b),
        );
      } catch (error) {
        const apiError = error instanceof KafkaApiError ? error : kafkaJsApiError(error);
        if (apiError === undefined) throw error;
        result.set(topic, apiError);
      }
    }
    return result;
  }

  alterConsumerGroupOffsets(groupId: string, offsets: TopicPartitionMap<bigint>): Promise<void> {
    return translated(async () => {
      if (offsets.size === 0) return;
      const topics = new Map<string, Array<{ partition: number; offset: string; metadata: string }>>();
      for (const [{ topic, partition }, offset] of offsets)
        topics.set(topic, [
          ...(topics.get(topic) ?? []),
          { partition, offset: String(offset), metadata: '' },
        ]);
      await this.withCoordinator(groupId, async (broker) => {
        await broker.offsetCommit({
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
        });
        return ErrorCode.NONE;
      });
    });
  }

  deleteConsumerGroups(groupIds: readonly string[]): Promise<Map<string, Error | null>> {
    return translated(async () => {
      const results = new Map<string, Error | null>(groupIds.map((g) => [g, null]));
      if (groupIds.length === 0) return results;
      const admin = await this.connected();
      try {
        await admin.deleteGroups([...groupIds]);
      } catch (error) {
        const failed = (error as { groups?: Array<{ groupId: string; errorCode: number }> }).groups;
        if (!Array.isArray(failed)) throw error;
        for (const { groupId, errorCode } of failed) results.set(groupId, new KafkaApiError(errorCode));
      }
      return results;
    });
  }

  deleteConsumerGroupOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<DeleteOffsetsResult> {
    return translated(async () => {
      const byTopic = new Map<string, Array<{ partitionIndex: number }>>();
      for (const { topic, partition } of partitions)
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partitionIndex: partition }]);
      const body = {
        groupId,
        topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })),
      };
      let response: OffsetDeleteResponse | undefined;
      const errorCode = await this.withCoordinator(groupId, async (broker) => {
        response = await sendOffsetDelete(broker, body, this.clusterConfig.requestTimeoutMs);
        return response.errorCode;
      });
      const results = new TopicPartitionMap<number>();
      for (const topic of response?.topics ?? [])
        for (const p of topic.partitions)
          results.set({ topic: topic.name, partition: p.partitionIndex }, p.errorCode);
      return { errorCode, partitions: results };
    });
  }

  /**
   * Runs a request on the group's coordinator; when the answer (or the error thrown) says the
   * coordinator moved or is loading, finds it again and retries, as Kafka's Admin does.
   */
  private async withCoordinator(
    groupId: string,
    request: (broker: KafkaJsBroker) => Promise<number>,
  ): Promise<number> {
    const cluster = await this.coordinatorCluster();
    for (let attempt = 1; ; attempt++) {
      let code: number;
      try {
        code = await request(await cluster.findGroupCoordinator({ groupId }));
      } catch (error) {
        const apiError = kafkaJsApiError(error);
        if (
          apiError === undefined ||
          !COORDINATOR_ERRORS.has(apiError.code) ||
          attempt >= COORDINATOR_ATTEMPTS
        )
          throw error;
        code = apiError.code;
      }
      if (!COORDINATOR_ERRORS.has(code) || attempt >= COORDINATOR_ATTEMPTS) return code;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, this.timeoutMs)));
    }
  }

  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    if (this.adminConnected !== undefined)
      closing.push(this.adminConnected.then(() => this.admin.disconnect()));
    if (this.cluster !== undefined) {
      const { client, connected } = this.cluster;
      closing.push(connected.then(() => client.disconnect()));
    }
    await Promise.allSettled(closing);
  }
}

/**
 * The Kafka error code inside a kafkajs error: a KafkaJSProtocolError (numeric `code`, string
 * `type`), possibly wrapped by kafkajs' retrier (`cause`) or its aggregate error (`errors`).
 */
export function kafkaJsApiError(error: unknown): KafkaApiError | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (e instanceof KafkaApiError) return e;
    const { code, type, cause, errors } = e as {
      code?: unknown;
      type?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'number' && typeof type === 'string') return new KafkaApiError(code);
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

/** Runs a kafkajs call, turning its protocol errors into KafkaApiError (others pass unchanged). */
async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw kafkaJsApiError(error) ?? error;
  }
}
