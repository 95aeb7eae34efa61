import type { GroupsSnapshot } from '../model/snapshots';
import type { GroupPartitionLag, GroupRow } from '../model/viewModel';

/**
 * The Admin API calls the groups reader makes (ClusterGroupsAdmin answers them through Samsa's
 * client; tests pass a fake).
 */
export interface GroupsAdmin {
  /** ListGroups on every broker. */
  listGroups(): Promise<{ groups: Array<{ groupId: string; protocolType: string }> }>;
  /** DescribeGroups on each group's coordinator. */
  describeGroups(groupIds: string[]): Promise<{
    groups: Array<{
      groupId: string;
      state: string;
      protocolType: string;
      protocol: string;
      members: Array<{ memberId: string; clientId: string; clientHost: string }>;
    }>;
  }>;
  /** OffsetFetch on the group's coordinator: the committed offsets (-1: none). */
  fetchOffsets(request: { groupId: string }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: number }> }>>;
  /** ListOffsets (latest) on the topic's partition leaders: each partition's log end offset. */
  fetchTopicOffsets(topic: string): Promise<Array<{ partition: number; high: number }>>;
}

/**
 * Consumer groups through the Admin API, as kafka-consumer-groups --describe shows them: state,
 * members, and per partition the committed offset, the log end offset and the lag between them.
 * A group whose offsets cannot be read keeps its row with the error; a failed listGroups or
 * describeGroups fails the whole read (the caller keeps the last good snapshot).
 */
export async function readGroups(
  admin: GroupsAdmin,
  nowMs: () => number = Date.now,
): Promise<GroupsSnapshot> {
  const { groups: overview } = await admin.listGroups();
  const ids = overview.map((g) => g.groupId).sort();
  if (ids.length === 0) return { readAtMs: nowMs(), groups: [] };
  const { groups: described } = await admin.describeGroups(ids);
  const protocolTypes = new Map(overview.map((g) => [g.groupId, g.protocolType]));
  const committed = await Promise.all(
    ids.map(async (groupId) => {
      try {
        return { offsets: await admin.fetchOffsets({ groupId }), error: null };
      } catch (error) {
        return { offsets: [], error: (error as Error).message };
      }
    }),
  );
  const topics = new Set(committed.flatMap((c) => c.offsets.map((t) => t.topic)));
  const logEnds = new Map<string, Map<number, number>>();
  await Promise.all(
    [...topics].map(async (topic) => {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        logEnds.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
      } catch {
        // The topic's lag shows as unknown.
      }
    }),
  );
  const byId = new Map(described.map((g) => [g.groupId, g]));
  const groups = ids.map((groupId, i): GroupRow => {
    const d = byId.get(groupId);
    const partitions = committed[i].offsets
      .flatMap((t) =>
        t.partitions.map((p): GroupPartitionLag => {
          const offset = Number(p.offset);
          const committedOffset = Number.isFinite(offset) && offset >= 0 ? offset : null;
          const logEndOffset = logEnds.get(t.topic)?.get(p.partition) ?? null;
          const lag =
            committedOffset === null || logEndOffset === null
              ? null
              : Math.max(0, logEndOffset - committedOffset);
          return { topic: t.topic, partition: p.partition, committedOffset, logEndOffset, lag };
        }),
      )
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    const lags = partitions.map((p) => p.lag).filter((l): l is number => l !== null);
    return {
      groupId,
      state: d?.state ?? 'Unknown',
      protocolType: d?.protocolType || protocolTypes.get(groupId) || '',
      protocol: d?.protocol ?? '',
      members: (d?.members ?? []).map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
      })),
      totalLag: lags.length === 0 ? null : lags.reduce((a, b) => a + b, 0),
      partitions,
      error: committed[i].error,
    };
  });
  return { readAtMs: nowMs(), groups };
}
