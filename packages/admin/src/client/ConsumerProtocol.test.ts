import { encodeVersioned, internalMessages } from '@samsa/protocol';
import { decodeMemberAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './ConsumerProtocol';

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

test('subscriptionAndAssignmentRoundTrip', () => {
  expect(decodeSubscription(encodeSubscription(['a', 'b']))).toEqual(['a', 'b']);
  const tps = [
    { topic: 'a', partition: 2 },
    { topic: 'b', partition: 0 },
    { topic: 'a', partition: 3 },
  ];
  expect(decodeMemberAssignment(encodeAssignment(tps))).toEqual([
    { topic: 'a', partition: 2 },
    { topic: 'a', partition: 3 },
    { topic: 'b', partition: 0 },
  ]);
});

test('aSubscriptionOfVersionOneOrNewerIsReadForItsTopics', () => {
  const v1 = encodeVersioned(internalMessages.ConsumerProtocolSubscription, 1, { topics: ['t'], userData: null, ownedPartitions: [{ topic: 't', partitions: [0] }] });
  expect(decodeSubscription(v1)).toEqual(['t']);
  const v3 = Buffer.from(v1);
  v3.writeInt16BE(3, 0);
  expect(decodeSubscription(v3)).toEqual(['t']);
});
