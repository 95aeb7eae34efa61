/**
 * The states of a group and the transitions between them, as a table (Kafka's GroupState objects
 * and their validPreviousStates):
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance
 *     ▲                 │    ▲                                                  │
 *     └─ nobody joined ─┘    └── join, leave, member failure ◀──────────────────┤
 *                            ▲                                                  ▼ leader's SyncGroup stored
 *                            └─────────────── join, leave, member failure ── Stable
 *
 * Any state goes to Dead when the group is unloaded (this broker stops leading its offsets
 * partition), deleted, or its last offset expires while Empty.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

/** For each state, the states a group may enter it from. */
export const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export function isValidTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}

/** The state names ListGroups filters by and DescribeGroups reports (Kafka's toString). */
export function isGroupState(s: string): s is GroupState {
  return (GROUP_STATES as readonly string[]).includes(s);
}
