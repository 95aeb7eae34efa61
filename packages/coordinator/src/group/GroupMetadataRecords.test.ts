import { decodeVersioned, internalMessages } from '@samsa/protocol';
import { GroupMetadata } from './GroupMetadata';
import {
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
  readGroupMessageValue,
  readMessageKey,
  readOffsetMessageValue,
} from './GroupMetadataRecords';
import { MemberMetadata } from './MemberMetadata';

const hex = (b: Buffer) => b.toString('hex');
const str = (s: string) => Buffer.concat([Buffer.from([0, s.length]), Buffer.from(s)]).toString('hex');
const i16 = (n: number) => n.toString(16).padStart(4, '0');
const i32 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const i64 = (n: number) => BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, '0');

/** A Stable consumer group of two members (one static), generation 3, as a SyncGroup leaves it. */
function stableGroup(): GroupMetadata {
  const mk = (id: string, instance: string | null, metadata: string) =>
    new MemberMetadata(id, instance, `client-${id}`, '/127.0.0.1', 60000, 30000, 'consumer', [
      { name: 'range', metadata: Buffer.from(metadata) },
    ]);
  const group = GroupMetadata.loadGroup(
    'g',
    {
      generationId: 3,
      protocolType: 'consumer',
      protocolName: 'range',
      leaderId: 'm1',
      currentStateTimestamp: 1234,
      members: [mk('m1', null, 'sub-1'), mk('m2', 'instance-2', 'sub-2')],
    },
    () => 0,
  );
  return group;
}

describe('__consumer_offsets records', () => {
  test('offsetCommitKeyIsVersion1GroupTopicPartition', () => {
    const key = offsetCommitKey('grp', { topic: 'orders', partition: 7 });
    expect(hex(key)).toBe(i16(1) + str('grp') + str('orders') + i32(7));
    expect(readMessageKey(key)).toEqual({
      kind: 'offset',
      groupId: 'grp',
      tp: { topic: 'orders', partition: 7 },
    });
  });

  test('offsetCommitValueIsVersion3WithoutAnExpireTimestampAndVersion1WithOne', () => {
    const v3 = offsetCommitValue({
      offset: 42,
      leaderEpoch: 5,
      metadata: 'm',
      commitTimestamp: 1000,
      expireTimestamp: null,
    });
    expect(hex(v3)).toBe(i16(3) + i64(42) + i32(5) + str('m') + i64(1000));
    expect(readOffsetMessageValue(v3)).toEqual({
      offset: 42,
      leaderEpoch: 5,
      metadata: 'm',
      commitTimestamp: 1000,
      expireTimestamp: null,
    });

    const v1 = offsetCommitValue({
      offset: 42,
      leaderEpoch: 5,
      metadata: '',
      commitTimestamp: 1000,
      expireTimestamp: 9000,
    });
    // v1 has no leader epoch: it is lost, as in Kafka
    expect(hex(v1)).toBe(i16(1) + i64(42) + str('') + i64(1000) + i64(9000));
    expect(readOffsetMessageValue(v1)).toEqual({
      offset: 42,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: 1000,
      expireTimestamp: 9000,
    });
  });

  test('groupMetadataKeyIsVersion2', () => {
    const key = groupMetadataKey('grp');
    expect(hex(key)).toBe(i16(2) + str('grp'));
    expect(readMessageKey(key)).toEqual({ kind: 'group', groupId: 'grp' });
  });

  test('anUnknownKeyVersionIsRefused', () => {
    expect(() => readMessageKey(Buffer.from(i16(3) + str('grp'), 'hex'))).toThrow();
  });

  test('groupMetadataValueV3RoundTripsThroughTheSchema', () => {
    const group = stableGroup();
    const assignment = new Map([
      ['m1', Buffer.from('a-1')],
      ['m2', Buffer.from('a-2')],
    ]);
    const value = groupMetadataValue(group, assignment);
    const decoded = decodeVersioned(internalMessages.GroupMetadataValue, value);
    expect(decoded.version).toBe(3);
    expect(decoded.value).toMatchObject({
      protocolType: 'consumer',
      generation: 3,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 1234,
    });
    expect(
      decoded.value.members.map((m: { memberId: string; groupInstanceId: string | null }) => [
        m.memberId,
        m.groupInstanceId,
      ]),
    ).toEqual([
      ['m1', null],
      ['m2', 'instance-2'],
    ]);

    const loaded = readGroupMessageValue('g', value, () => 0)!;
    expect(loaded.currentState).toBe('Stable');
    expect(loaded.generationId).toBe(3);
    expect(loaded.protocolName).toBe('range');
    expect(loaded.leaderOrNull).toBe('m1');
    expect(loaded.currentStateTimestamp).toBe(1234);
    expect(loaded.get('m2').assignment.toString()).toBe('a-2');
    expect(loaded.get('m2').metadata('range').toString()).toBe('sub-2');
    expect(loaded.get('m1').rebalanceTimeoutMs).toBe(60000);
    expect(loaded.get('m1').sessionTimeoutMs).toBe(30000);
    expect(loaded.getStaticMemberId('instance-2')).toBe('m2');
  });

  test('anEmptyGroupIsStoredWithoutProtocolOrLeaderAndLoadsEmpty', () => {
    const group = new GroupMetadata('g', 'Empty', () => 77);
    group.protocolType = 'consumer';
    group.generationId = 4;
    const loaded = readGroupMessageValue('g', groupMetadataValue(group, new Map()), () => 0)!;
    expect(loaded.currentState).toBe('Empty');
    expect(loaded.generationId).toBe(4);
    expect(loaded.protocolName).toBeNull();
    expect(loaded.leaderOrNull).toBeNull();
    expect(loaded.currentStateTimestamp).toBe(77);
  });

  test('aMemberWithoutAssignmentCannotBeStored', () => {
    expect(() => groupMetadataValue(stableGroup(), new Map([['m1', Buffer.alloc(0)]]))).toThrow(
      /programmer error/,
    );
  });

  test('tombstonesReadAsNull', () => {
    expect(readOffsetMessageValue(null)).toBeNull();
    expect(readGroupMessageValue('g', null, () => 0)).toBeNull();
  });
});
