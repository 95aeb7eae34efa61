import { rangeAssign, type GroupMemberSubscription } from './RangeAssignor';

const m = (memberId: string, topics: string[], groupInstanceId: string | null = null): GroupMemberSubscription => ({ memberId, groupInstanceId, topics });
const flat = (out: Map<string, Array<{ topic: string; partition: number }>>) => new Map([...out].map(([id, tps]) => [id, tps.map((tp) => `${tp.topic}-${tp.partition}`)]));

test('eachTopicIsSplitIntoRunsTheFirstMembersTakingOneMore', () => {
  expect(flat(rangeAssign(new Map([['a', 5], ['b', 2]]), [m('c2', ['a', 'b']), m('c1', ['a', 'b'])]))).toEqual(
    new Map([
      ['c2', ['a-3', 'a-4', 'b-1']],
      ['c1', ['a-0', 'a-1', 'a-2', 'b-0']],
    ]),
  );
});

test('onlySubscribersShareATopicAndUnknownTopicsGoToNobody', () => {
  expect(flat(rangeAssign(new Map([['a', 2]]), [m('x', ['a']), m('y', ['gone']), m('z', ['a'])]))).toEqual(
    new Map([
      ['x', ['a-0']],
      ['y', []],
      ['z', ['a-1']],
    ]),
  );
});

test('staticMembersComeFirstInInstanceIdOrder', () => {
  expect(flat(rangeAssign(new Map([['a', 3]]), [m('a-member', ['a']), m('z-member', ['a'], 'i2'), m('b-member', ['a'], 'i1')]))).toEqual(
    new Map([
      ['a-member', ['a-2']],
      ['z-member', ['a-1']],
      ['b-member', ['a-0']],
    ]),
  );
});
