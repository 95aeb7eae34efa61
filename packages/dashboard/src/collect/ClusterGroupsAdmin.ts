import { AdminClient, ClusterClient, parseHostPort } from '@samsa/client';
import { ApiKey, ErrorCode, errorInfo } from '@samsa/protocol';
import type { GroupsAdmin } from './GroupsReader';

const LIST_GROUPS_VERSION = 2;
const DESCRIBE_GROUPS_VERSION = 4;
/** v2+: null topics asks for every partition the group has an offset for; a group-level error. */
const OFFSET_FETCH_VERSION = 5;
/** v2: isolation level (read_uncommitted: the high watermark, as kafka-consumer-groups shows lag). */
const LIST_OFFSETS_VERSION = 2;
const LATEST = -1;

/** A broker's refusal, worded as the protocol's description of its code. */
function refusal(code: number, message?: string | null): Error {
  return new Error(message || errorInfo(code).message);
}

/**
 * The groups reader's Admin calls over Samsa's wire client (@samsa/client's AdminClient, the one
 * kafka-consumer-groups uses): ListGroups on every broker, DescribeGroups and OffsetFetch on each
 * group's coordinator (found with FindCoordinator, found again after NOT_COORDINATOR or
 * COORDINATOR_LOAD_IN_PROGRESS within the read's deadline; a broker still loading its groups is
 * asked for its ListGroups again; a lost connection is retried), ListOffsets on the partition leaders.
 */
export class ClusterGroupsAdmin implements GroupsAdmin {
  private readonly admin: AdminClient;
  private deadline = 0;

  constructor(
    readonly client: ClusterClient,
    private readonly timeoutMs: number,
  ) {
    this.admin = new AdminClient(client, () => this.deadline);
  }

  /** A client seeded with `brokers` ("host:port"). */
  static connect(brokers: readonly string[], options: { clientId: string; requestTimeoutMs: number }): ClusterGroupsAdmin {
    const client = new ClusterClient({ bootstrap: brokers.map(parseHostPort), clientId: options.clientId, requestTimeoutMs: options.requestTimeoutMs });
    return new ClusterGroupsAdmin(client, options.requestTimeoutMs);
  }

  private begin(): void {
    this.deadline = Date.now() + this.timeoutMs;
  }

  async listGroups(): Promise<{ groups: Array<{ groupId: string; protocolType: string }> }> {
    this.begin();
    const byId = new Map<string, { groupId: string; protocolType: string }>();
    for (const response of (await this.admin.sendToAllBrokers(ApiKey.ListGroups, LIST_GROUPS_VERSION, {}, (r) => r.errorCode)).values()) {
      if (response.errorCode !== ErrorCode.NONE) throw refusal(response.errorCode);
      for (const g of response.groups) byId.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType });
    }
    return { groups: [...byId.values()] };
  }

  async describeGroups(groupIds: string[]): ReturnType<GroupsAdmin['describeGroups']> {
    this.begin();
    const groups = await Promise.all(
      groupIds.map(async (groupId) => {
        const { response } = await this.admin.sendToCoordinator(
          groupId,
          ApiKey.DescribeGroups,
          DESCRIBE_GROUPS_VERSION,
          { groups: [groupId], includeAuthorizedOperations: false },
          (r) => r.groups[0]?.errorCode ?? ErrorCode.NONE,
        );
        const g = response.groups.find((x) => x.groupId === groupId);
        if (g === undefined) throw new Error(`No group found for GroupId: ${groupId}`);
        if (g.errorCode !== ErrorCode.NONE) throw refusal(g.errorCode);
        return {
          groupId,
          state: g.groupState,
          protocolType: g.protocolType,
          protocol: g.protocolData,
          members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
        };
      }),
    );
    return { groups };
  }

  async fetchOffsets({ groupId }: { groupId: string }): ReturnType<GroupsAdmin['fetchOffsets']> {
    this.begin();
    const { response } = await this.admin.sendToCoordinator(
      groupId,
      ApiKey.OffsetFetch,
      OFFSET_FETCH_VERSION,
      { groupId, topics: null },
      (r) => r.errorCode,
    );
    if (response.errorCode !== ErrorCode.NONE) throw refusal(response.errorCode);
    return response.topics.map((t) => ({
      topic: t.name,
      partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: p.errorCode === ErrorCode.NONE ? p.committedOffset : -1 })),
    }));
  }

  async fetchTopicOffsets(topic: string): ReturnType<GroupsAdmin['fetchTopicOffsets']> {
    this.begin();
    const md = await this.admin.metadata([topic]);
    const t = md.topics.find((x) => x.name === topic);
    if (t === undefined || t.errorCode !== ErrorCode.NONE) throw refusal(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const byLeader = new Map<number, number[]>();
    for (const p of t.partitions) {
      if (p.leaderId < 0) throw refusal(ErrorCode.LEADER_NOT_AVAILABLE);
      byLeader.set(p.leaderId, [...(byLeader.get(p.leaderId) ?? []), p.partitionIndex]);
    }
    const answers = await Promise.all(
      [...byLeader].map(([leader, partitions]) =>
        this.client.sendToNode(leader, ApiKey.ListOffsets, LIST_OFFSETS_VERSION, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp: LATEST })) }],
        }),
      ),
    );
    const out: Array<{ partition: number; high: number }> = [];
    for (const response of answers)
      for (const rt of response.topics)
        for (const p of rt.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw refusal(p.errorCode);
          out.push({ partition: p.partitionIndex, high: p.offset });
        }
    return out.sort((a, b) => a.partition - b.partition);
  }

  close(): void {
    this.client.close();
  }
}
