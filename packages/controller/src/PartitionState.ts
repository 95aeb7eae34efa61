/**
 * The partition state machine's states and its transition table (Kafka PartitionStateMachine.scala):
 * each target state lists the states a partition may be in before moving to it.
 *
 * - NonExistentPartition: never created, or created and then deleted.
 * - NewPartition: replicas assigned, no leader or ISR yet.
 * - OnlinePartition: a leader has been elected.
 * - OfflinePartition: its leader died after an election.
 */
export type PartitionState = 'NonExistentPartition' | 'NewPartition' | 'OnlinePartition' | 'OfflinePartition';

export const PARTITION_STATES: readonly PartitionState[] = [
  'NonExistentPartition',
  'NewPartition',
  'OnlinePartition',
  'OfflinePartition',
];

/** Target state → valid previous states. */
export const VALID_PREVIOUS_PARTITION_STATES: Readonly<Record<PartitionState, readonly PartitionState[]>> = {
  NewPartition: ['NonExistentPartition'],
  OnlinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  OfflinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  NonExistentPartition: ['OfflinePartition'],
};

export function isValidPartitionStateTransition(from: PartitionState, to: PartitionState): boolean {
  return VALID_PREVIOUS_PARTITION_STATES[to].includes(from);
}
