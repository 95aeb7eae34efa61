import { decodeVersioned, encodeVersioned, peekVersion } from './internal';
import { ConsumerProtocolAssignment, GroupMetadataKey, OffsetCommitKey, OffsetCommitValue } from './messages/internal';
import { KafkaError } from './errors';

describe('version-prefixed data messages', () => {
  it('an offset commit key v1 is Kafka bytes: version, group, topic, partition', () => {
    const b = encodeVersioned(OffsetCommitKey, 1, { group: 'g', topic: 't', partition: 3 });
    expect(b.toString('hex')).toBe('0001' + '000167' + '000174' + '00000003');
    expect(peekVersion(b)).toBe(1);
    expect(decodeVersioned(OffsetCommitKey, b)).toEqual({ version: 1, value: { group: 'g', topic: 't', partition: 3 } });
  });

  it('an offset commit value v3 carries the leader epoch; v1 the expire timestamp', () => {
    const v3 = encodeVersioned(OffsetCommitValue, 3, { offset: 42, leaderEpoch: 5, metadata: '', commitTimestamp: 1000 });
    expect(decodeVersioned(OffsetCommitValue, v3).value).toMatchObject({ offset: 42, leaderEpoch: 5, commitTimestamp: 1000 });
    const v1 = encodeVersioned(OffsetCommitValue, 1, { offset: 42, metadata: 'm', commitTimestamp: 1000, expireTimestamp: 2000 });
    expect(v1.length).toBe(2 + 8 + 3 + 8 + 8);
    expect(decodeVersioned(OffsetCommitValue, v1).value).toMatchObject({ expireTimestamp: 2000, leaderEpoch: -1 });
  });

  it('a group metadata key is version 2', () => {
    expect(peekVersion(encodeVersioned(GroupMetadataKey, 2, { group: 'g' }))).toBe(2);
  });

  it('the consumer protocol assignment round-trips with null user data', () => {
    const value = { assignedPartitions: [{ topic: 't', partitions: [0, 2] }], userData: null };
    const b = encodeVersioned(ConsumerProtocolAssignment, 0, value);
    expect(decodeVersioned(ConsumerProtocolAssignment, b).value).toEqual(value);
  });

  it('an unknown version is CORRUPT_MESSAGE', () => {
    expect(() => decodeVersioned(GroupMetadataKey, Buffer.from([0, 9, 0, 1, 0x67]))).toThrow(KafkaError);
  });
});
