import type { GroupsAdmin } from './GroupsReader';
import { readGroups } from './GroupsReader';

type Offsets = Record<string, Record<number, string>>;

/** Admin answers for a few groups (offsets as strings, which the reader's Number() also takes); `failOffsets` names groups whose fetchOffsets rejects. */
function fakeAdmin(
  groups: Array<{ groupId: string; state: string; members: number; committed: Offsets }>,
  logEnd: Offsets,
  failOffsets: string[] = [],
): GroupsAdmin {
  const admin = {
    listGroups: async () => ({
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: 'consumer' })),
    }),
    describeGroups: async (ids: string[]) => ({
      groups: ids.map((id) => {
        const g = groups.find((x) => x.groupId === id)!;
        return {
          groupId: id,
          state: g.state,
          protocol: 'range',
          protocolType: 'consumer',
          members: Array.from({ length: g.members }, (_, i) => ({
            memberId: `m-${i}`,
            clientId: `client-${i}`,
            clientHost: '/127.0.0.1',
            memberAssignment: Buffer.alloc(0),
            memberMetadata: Buffer.alloc(0),
          })),
        };
      }),
    }),
    fetchOffsets: async ({ groupId }: { groupId: string }) => {
      if (failOffsets.includes(groupId)) throw new Error('The coordinator is not available');
      const committed = groups.find((g) => g.groupId === groupId)!.committed;
      return Object.entries(committed).map(([topic, parts]) => ({
        topic,
        partitions: Object.entries(parts).map(([p, offset]) => ({
          partition: Number(p),
          offset,
          metadata: null,
        })),
      }));
    },
    fetchTopicOffsets: async (topic: string) => {
      const ends = logEnd[topic];
      if (ends === undefined) throw new Error(`unknown topic ${topic}`);
      return Object.entries(ends).map(([p, high]) => ({
        partition: Number(p),
        offset: high,
        high,
        low: '0',
      }));
    },
  };
  return admin as unknown as GroupsAdmin;
}

describe('readGroups', () => {
  test('lagIsLogEndMinusCommittedPerPartition', async () => {
    const admin = fakeAdmin(
      [
        {
          groupId: 'billing',
          state: 'Stable',
          members: 2,
          committed: { orders: { 0: '90', 1: '-1' }, audit: { 0: '5' } },
        },
        { groupId: 'archive', state: 'Empty', members: 0, committed: {} },
      ],
      { orders: { 0: '100', 1: '40' }, audit: { 0: '5' } },
    );
    const snapshot = await readGroups(admin, () => 99);
    expect(snapshot.readAtMs).toBe(99);
    expect(snapshot.groups.map((g) => g.groupId)).toEqual(['archive', 'billing']);
    const billing = snapshot.groups[1];
    expect(billing).toMatchObject({
      state: 'Stable',
      protocol: 'range',
      protocolType: 'consumer',
      totalLag: 10,
      error: null,
    });
    expect(billing.members.map((m) => m.clientId)).toEqual(['client-0', 'client-1']);
    expect(billing.partitions).toEqual([
      { topic: 'audit', partition: 0, committedOffset: 5, logEndOffset: 5, lag: 0 },
      { topic: 'orders', partition: 0, committedOffset: 90, logEndOffset: 100, lag: 10 },
      // Nothing committed: the lag is unknown, not the whole log.
      { topic: 'orders', partition: 1, committedOffset: null, logEndOffset: 40, lag: null },
    ]);
    expect(snapshot.groups[0]).toMatchObject({ state: 'Empty', totalLag: null, partitions: [] });
  });

  test('aGroupWhoseOffsetsFailKeepsItsRowWithTheError', async () => {
    const admin = fakeAdmin(
      [
        { groupId: 'a', state: 'Stable', members: 1, committed: { t: { 0: '1' } } },
        { groupId: 'b', state: 'PreparingRebalance', members: 1, committed: { t: { 0: '1' } } },
      ],
      { t: { 0: '3' } },
      ['b'],
    );
    const snapshot = await readGroups(admin);
    expect(snapshot.groups.map((g) => [g.groupId, g.totalLag, g.error])).toEqual([
      ['a', 2, null],
      ['b', null, 'The coordinator is not available'],
    ]);
  });

  test('aTopicWhoseLogEndCannotBeReadHasUnknownLag', async () => {
    const admin = fakeAdmin(
      [{ groupId: 'g', state: 'Stable', members: 1, committed: { gone: { 0: '7' } } }],
      {},
    );
    const snapshot = await readGroups(admin);
    expect(snapshot.groups[0].partitions).toEqual([
      { topic: 'gone', partition: 0, committedOffset: 7, logEndOffset: null, lag: null },
    ]);
  });

  test('noGroupsAsksNothingMore', async () => {
    const admin = fakeAdmin([], {});
    admin.describeGroups = () => Promise.reject(new Error('must not be called'));
    expect((await readGroups(admin)).groups).toEqual([]);
  });

  test('aFailedListGroupsRejects', async () => {
    const admin = fakeAdmin([], {});
    admin.listGroups = () => Promise.reject(new Error('Connection error: connect ECONNREFUSED'));
    await expect(readGroups(admin)).rejects.toThrow('ECONNREFUSED');
  });
});
