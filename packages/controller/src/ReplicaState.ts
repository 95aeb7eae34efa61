/**
 * The replica state machine's states and its transition table (Kafka ReplicaStateMachine.scala):
 * each target state lists the states a replica may be in before moving to it.
 *
 * - NewReplica: created during a reassignment; may only become a follower.
 * - OnlineReplica: started and part of the assignment; may become leader or follower.
 * - OfflineReplica: its broker is down (or it is being stopped for deletion).
 * - ReplicaDeletionStarted: StopReplica(delete=true) has been sent.
 * - ReplicaDeletionSuccessful: the broker answered that StopReplica without error.
 * - ReplicaDeletionIneligible: deletion failed or the broker is down; retried later.
 * - NonExistentReplica: deleted (or never created).
 */
export type ReplicaState =
  | 'NewReplica'
  | 'OnlineReplica'
  | 'OfflineReplica'
  | 'ReplicaDeletionStarted'
  | 'ReplicaDeletionSuccessful'
  | 'ReplicaDeletionIneligible'
  | 'NonExistentReplica';

export const REPLICA_STATES: readonly ReplicaState[] = [
  'NewReplica',
  'OnlineReplica',
  'OfflineReplica',
  'ReplicaDeletionStarted',
  'ReplicaDeletionSuccessful',
  'ReplicaDeletionIneligible',
  'NonExistentReplica',
];

/** Target state → valid previous states. */
export const VALID_PREVIOUS_REPLICA_STATES: Readonly<Record<ReplicaState, readonly ReplicaState[]>> = {
  NewReplica: ['NonExistentReplica'],
  OnlineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  OfflineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  ReplicaDeletionStarted: ['OfflineReplica'],
  ReplicaDeletionSuccessful: ['ReplicaDeletionStarted'],
  ReplicaDeletionIneligible: ['OfflineReplica', 'ReplicaDeletionStarted'],
  NonExistentReplica: ['ReplicaDeletionSuccessful'],
};

export function isValidReplicaStateTransition(from: ReplicaState, to: ReplicaState): boolean {
  return VALID_PREVIOUS_REPLICA_STATES[to].includes(from);
}
