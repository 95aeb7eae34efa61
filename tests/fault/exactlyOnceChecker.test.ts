import { checkExactlyOnce, type ProducerRecords, type ReadRecord } from './exactlyOnceChecker';

/**
 * The judge of idempotentProducers.test.ts must be able to say no: each read-back below breaks one
 * rule (a duplicate, a lost acknowledged record, an offset other than the acknowledged one, producer
 * order, a value nobody sent), and the report must name it, with the offsets, in its problem lines.
 * (No cluster: this is a pure-function test living beside the fault scenario it serves.)
 */

/** Producer "a": a-0…a-3 alternately to partitions 0 and 1, all acknowledged at 0@0, 1@0, 0@1, 1@1. */
const producer: ProducerRecords = {
  client: 'a',
  records: [
    { value: 'a-0', partition: 0, acked: true, offset: 0 },
    { value: 'a-1', partition: 1, acked: true, offset: 0 },
    { value: 'a-2', partition: 0, acked: true, offset: 1 },
    { value: 'a-3', partition: 1, acked: true, offset: 1 },
  ],
};
/** Producer "b" reports no offsets; b-1 was never acknowledged. */
const noOffsets: ProducerRecords = {
  client: 'b',
  records: [
    { value: 'b-0', partition: 0, acked: true },
    { value: 'b-1', partition: 0, acked: false },
    { value: 'b-2', partition: 0, acked: true },
  ],
};

const exact: ReadRecord[] = [
  { partition: 0, offset: 0, value: 'a-0' },
  { partition: 0, offset: 1, value: 'a-2' },
  { partition: 0, offset: 2, value: 'b-0' },
  { partition: 0, offset: 3, value: 'b-2' },
  { partition: 1, offset: 0, value: 'a-1' },
  { partition: 1, offset: 1, value: 'a-3' },
];

test('aReadBackWithEveryAcknowledgedRecordOnceInOrderAtItsOffsetHasNoProblems', () => {
  const report = checkExactlyOnce([producer, noOffsets], exact);
  expect(report.problems).toEqual([]);
  expect(report.counts).toEqual([
    { client: 'a', sent: 4, acked: 4, readBack: 4 },
    { client: 'b', sent: 3, acked: 2, readBack: 2 },
  ]);
});

test('anUnacknowledgedRecordReadBackOnceInOrderIsAllowed', () => {
  const withB1 = [...exact.slice(0, 3), { partition: 0, offset: 3, value: 'b-1' }, { partition: 0, offset: 4, value: 'b-2' }, ...exact.slice(4)];
  expect(checkExactlyOnce([producer, noOffsets], withB1).problems).toEqual([]);
});

test('aDuplicateIsReportedWithTheOffsetsOfBothCopiesEvenForAnUnacknowledgedValue', () => {
  const dup = [
    ...exact.slice(0, 3),
    { partition: 0, offset: 3, value: 'b-1' },
    { partition: 0, offset: 4, value: 'b-1' },
    { partition: 0, offset: 5, value: 'b-2' },
    ...exact.slice(4),
  ];
  const report = checkExactlyOnce([producer, noOffsets], dup);
  expect(report.duplicates).toEqual([{ value: 'b-1', client: 'b', at: [{ partition: 0, offset: 3 }, { partition: 0, offset: 4 }] }]);
  expect(report.problems).toEqual([
    '1 duplicated values (partition@offset of each copy)',
    '  b-1 (b, not acknowledged): 0@3, 0@4',
  ]);
});

test('aRetriedAcknowledgedBatchAppendedTwiceIsADuplicateAndItsSecondCopyIsNotWhereItWasAcknowledged', () => {
  // a-2 acknowledged at 0@1, appended again at 0@4 by a retry
  const dup = [...exact, { partition: 0, offset: 4, value: 'a-2' }];
  const report = checkExactlyOnce([producer, noOffsets], dup);
  expect(report.duplicates.map((d) => d.value)).toEqual(['a-2']);
  expect(report.misplaced).toEqual([
    { value: 'a-2', client: 'a', ackedAt: { partition: 0, offset: 1 }, foundAt: [{ partition: 0, offset: 1 }, { partition: 0, offset: 4 }] },
  ]);
  expect(report.outOfOrder).toEqual([]);
  expect(report.problems.join('\n')).toContain('a-2 (a, acknowledged): 0@1, 0@4');
});

test('aGapAnAcknowledgedRecordNotReadBackIsMissing', () => {
  const gap = exact.filter((r) => r.value !== 'a-3' && r.value !== 'b-2');
  const report = checkExactlyOnce([producer, noOffsets], gap);
  expect(report.missing).toEqual([
    { value: 'a-3', client: 'a', ackedAt: { partition: 1, offset: 1 } },
    { value: 'b-2', client: 'b', ackedAt: null },
  ]);
  expect(report.problems).toEqual([
    '2 acknowledged values not read back',
    '  a-3 (a) acknowledged at 1@1',
    '  b-2 (b) acknowledged without an offset',
  ]);
});

test('anAcknowledgedRecordAtAnotherOffsetThanItWasAcknowledgedWithIsMisplaced', () => {
  // the broker answered a-2's batch with offset 1 but the log holds it at 2 (b-0 at 1)
  const shifted = exact.map((r) => (r.value === 'a-2' ? { ...r, offset: 2 } : r.value === 'b-0' ? { ...r, offset: 1 } : r));
  const report = checkExactlyOnce([producer, noOffsets], shifted);
  expect(report.misplaced).toEqual([
    { value: 'a-2', client: 'a', ackedAt: { partition: 0, offset: 1 }, foundAt: [{ partition: 0, offset: 2 }] },
  ]);
  expect(report.duplicates).toEqual([]);
  expect(report.problems).toContain('  a-2 (a) acknowledged at 0@1, found at 0@2');
});

test('anAcknowledgedRecordInAnotherPartitionIsMisplacedEvenWithoutAnOffset', () => {
  const moved = exact.map((r) => (r.value === 'b-2' ? { ...r, partition: 1, offset: 2 } : r));
  const report = checkExactlyOnce([producer, noOffsets], moved);
  expect(report.misplaced.map((m) => [m.value, m.foundAt])).toEqual([['b-2', [{ partition: 1, offset: 2 }]]]);
});

test('aProducersValuesOutOfItsSendOrderInAPartitionAreReported', () => {
  // b-2 before b-0 (no offsets reported by b, so only the order gives it away)
  const swapped = exact.map((r) => (r.value === 'b-0' ? { ...r, value: 'b-2' } : r.value === 'b-2' ? { ...r, value: 'b-0' } : r));
  const report = checkExactlyOnce([producer, noOffsets], swapped);
  expect(report.outOfOrder).toEqual([{ client: 'b', partition: 0, value: 'b-0', offset: 3, after: 'b-2', afterOffset: 2 }]);
  expect(report.problems).toContain('  b-0 at 0@3 after b-2 at 0@2 (b sent it earlier)');
  // interleaving with another producer is not disorder
  expect(report.outOfOrder.every((o) => o.client === 'b')).toBe(true);
});

test('aValueNoProducerSentIsReported', () => {
  const report = checkExactlyOnce([producer, noOffsets], [...exact, { partition: 1, offset: 2, value: 'stranger' }]);
  expect(report.unknown).toEqual([{ partition: 1, offset: 2, value: 'stranger' }]);
  expect(report.problems).toEqual(['1 values no producer sent', '  stranger at 1@2']);
});

test('longListsAreCutToExamplesButCountedInFull', () => {
  const many: ProducerRecords = {
    client: 'm',
    records: Array.from({ length: 30 }, (_, i) => ({ value: `m-${i}`, partition: 0, acked: true, offset: i })),
  };
  const report = checkExactlyOnce([many], []);
  expect(report.missing).toHaveLength(30);
  expect(report.problems[0]).toBe('30 acknowledged values not read back');
  expect(report.problems).toHaveLength(1 + 20 + 1);
  expect(report.problems[21]).toBe('  … and 10 more');
});
