import { encodeVersioned, internalMessages } from '@samsa/protocol';
import { decodeMemberAssignment } from './memberAssignment';

/** Member assignments as DescribeGroups carries them: versioned ConsumerProtocolAssignment bytes. */
const { ConsumerProtocolAssignment } = internalMessages;
const assignment = (version: number, topics: Array<[string, number[]]>): Buffer =>
  encodeVersioned(ConsumerProtocolAssignment, version, {
    assignedPartitions: topics.map(([topic, partitions]) => ({ topic, partitions })),
    userData: null,
  });

test('versionZeroAndOneDecodeToTheirPartitions', () => {
  for (const version of [0, 1]) {
    expect(
      decodeMemberAssignment(
        assignment(version, [
          ['a', [0, 2]],
          ['b', [1]],
        ]),
      ),
    ).toEqual([
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 2 },
      { topic: 'b', partition: 1 },
    ]);
  }
});

test('noBytesIsNoAssignment', () => {
  expect(decodeMemberAssignment(Buffer.alloc(0))).toEqual([]);
});

test('aPartitionListedTwiceCountsOnce', () => {
  expect(
    decodeMemberAssignment(
      assignment(0, [
        ['a', [1, 1]],
        ['a', [1]],
      ]),
    ),
  ).toEqual([{ topic: 'a', partition: 1 }]);
});

test('aNewerVersionIsReadAsTheNewestKnownWithoutTouchingTheBytes', () => {
  const bytes = Buffer.concat([assignment(1, [['a', [3]]]), Buffer.from([0, 0, 0, 0])]);
  bytes.writeInt16BE(3, 0);
  const copy = Buffer.from(bytes);
  expect(decodeMemberAssignment(bytes)).toEqual([{ topic: 'a', partition: 3 }]);
  expect(bytes).toEqual(copy);
});

test('truncatedBytesAreAnError', () => {
  const bytes = assignment(0, [['a', [0, 1]]]);
  expect(() => decodeMemberAssignment(bytes.subarray(0, bytes.length - 3))).toThrow();
});
