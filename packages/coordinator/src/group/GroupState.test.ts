import { GROUP_STATES, isValidTransition, type GroupState } from './GroupState';
import { GroupMetadata } from './GroupMetadata';

/** Every (from, to) pair Kafka 2.8's validPreviousStates allows; all others are refused. */
const ALLOWED: readonly [GroupState, GroupState][] = [
  ['Empty', 'PreparingRebalance'],
  ['Stable', 'PreparingRebalance'],
  ['CompletingRebalance', 'PreparingRebalance'],
  ['PreparingRebalance', 'Empty'],
  ['PreparingRebalance', 'CompletingRebalance'],
  ['CompletingRebalance', 'Stable'],
  ['Stable', 'Dead'],
  ['PreparingRebalance', 'Dead'],
  ['CompletingRebalance', 'Dead'],
  ['Empty', 'Dead'],
  ['Dead', 'Dead'],
];

const allowed = (from: GroupState, to: GroupState) => ALLOWED.some(([f, t]) => f === from && t === to);

/** A group driven into `state` through allowed transitions only. */
function groupIn(state: GroupState): GroupMetadata {
  const g = new GroupMetadata('g', 'Empty', () => 0);
  const path: Record<GroupState, GroupState[]> = {
    Empty: [],
    PreparingRebalance: ['PreparingRebalance'],
    CompletingRebalance: ['PreparingRebalance', 'CompletingRebalance'],
    Stable: ['PreparingRebalance', 'CompletingRebalance', 'Stable'],
    Dead: ['Dead'],
  };
  for (const s of path[state]) g.transitionTo(s);
  return g;
}

describe('GroupState transition table', () => {
  for (const from of GROUP_STATES) {
    for (const to of GROUP_STATES) {
      const ok = allowed(from, to);
      test(`${from}To${to}${ok ? '' : 'IsRefused'}`, () => {
        expect(isValidTransition(from, to)).toBe(ok);
        const g = groupIn(from);
        if (ok) {
          g.transitionTo(to);
          expect(g.currentState).toBe(to);
        } else {
          expect(() => g.transitionTo(to)).toThrow(/programmer error/);
          expect(g.currentState).toBe(from);
        }
      });
    }
  }

  test('aTransitionStampsTheStateTime', () => {
    let now = 5;
    const g = new GroupMetadata('g', 'Empty', () => now);
    expect(g.currentStateTimestamp).toBe(5);
    now = 9;
    g.transitionTo('PreparingRebalance');
    expect(g.currentStateTimestamp).toBe(9);
  });

  test('onlyEmptyStableAndCompletingRebalanceCanRebalance', () => {
    expect(GROUP_STATES.filter((s) => groupIn(s).canRebalance)).toEqual([
      'Empty',
      'CompletingRebalance',
      'Stable',
    ]);
  });
});
