import { type TopicPartition } from '@samsa/common';
import type { LeaderAndIsr } from '@samsa/zk';

/**
 * Leader election rules as pure functions over plain data (Kafka Election.scala and
 * PartitionLeaderElectionAlgorithms). Callers compute which replicas are online; nothing here reads
 * the controller context or ZooKeeper, so every rule is testable with literals.
 */

/** How the partition state machine elects a leader when a partition goes (back) online. */
export type PartitionLeaderElectionStrategy =
  | { readonly kind: 'OfflinePartition'; readonly allowUnclean: boolean }
  | { readonly kind: 'ReassignPartition' }
  | { readonly kind: 'PreferredReplicaPartition' }
  | { readonly kind: 'ControlledShutdownPartition' };

export const offlinePartitionStrategy = (allowUnclean = false): PartitionLeaderElectionStrategy => ({
  kind: 'OfflinePartition',
  allowUnclean,
});

export function describeStrategy(s: PartitionLeaderElectionStrategy): string {
  return s.kind === 'OfflinePartition'
    ? `OfflinePartitionLeaderElectionStrategy(allowUnclean=${s.allowUnclean})`
    : `${s.kind}LeaderElectionStrategy`;
}

// ---- the algorithms ----------------------------------------------------------------------------

/**
 * The first replica in assignment order that is live and in the ISR; if there is none and unclean
 * election is enabled, the first live replica (it may lack acknowledged records); else none.
 */
export function offlinePartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  liveReplicas: ReadonlySet<number>,
  uncleanLeaderElectionEnabled: boolean,
): number | null {
  const clean = assignment.find((id) => liveReplicas.has(id) && isr.includes(id));
  if (clean !== undefined) return clean;
  if (!uncleanLeaderElectionEnabled) return null;
  return assignment.find((id) => liveReplicas.has(id)) ?? null;
}

/** The first replica of the reassignment target that is live and in the ISR. */
export function reassignPartitionLeaderElection(
  reassignment: readonly number[],
  isr: readonly number[],
  liveReplicas: ReadonlySet<number>,
): number | null {
  return reassignment.find((id) => liveReplicas.has(id) && isr.includes(id)) ?? null;
}

/** The preferred (first assigned) replica, if it is live and in the ISR. */
export function preferredReplicaPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  liveReplicas: ReadonlySet<number>,
): number | null {
  const preferred = assignment[0];
  return preferred !== undefined && liveReplicas.has(preferred) && isr.includes(preferred) ? preferred : null;
}

/** The first replica that is live, in the ISR and not on a broker that is shutting down. */
export function controlledShutdownPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  liveReplicas: ReadonlySet<number>,
  shuttingDownBrokers: ReadonlySet<number>,
): number | null {
  return (
    assignment.find((id) => liveReplicas.has(id) && isr.includes(id) && !shuttingDownBrokers.has(id)) ?? null
  );
}

// ---- results: the new LeaderAndIsr and who must hear of it --------------------------------------

/** The next leader and ISR: a new leader epoch, the zkVersion it was read at (the write is conditional on it). */
export function newLeaderAndIsr(current: LeaderAndIsr, leader: number, isr: readonly number[]): LeaderAndIsr {
  return { leader, leaderEpoch: current.leaderEpoch + 1, isr: [...isr], zkVersion: current.zkVersion };
}

export interface ElectionResult {
  readonly topicPartition: TopicPartition;
  /** Null: no replica qualifies; the partition keeps (or gets) no leader. */
  readonly leaderAndIsr: LeaderAndIsr | null;
  /** The replicas that receive the LeaderAndIsr request. */
  readonly liveReplicas: readonly number[];
}

export interface ElectionInput {
  readonly topicPartition: TopicPartition;
  /** Assigned replicas in preference order. */
  readonly assignment: readonly number[];
  readonly leaderAndIsr: LeaderAndIsr;
  /** Brokers whose replica of this partition is online. */
  readonly onlineReplicas: ReadonlySet<number>;
}

/**
 * Offline election. A new leader from the ISR keeps the ISR's live members; an unclean leader
 * becomes the whole ISR.
 */
export function leaderForOffline(
  input: ElectionInput & { uncleanLeaderElectionEnabled: boolean },
): ElectionResult {
  const { topicPartition, assignment, leaderAndIsr, onlineReplicas } = input;
  const liveReplicas = assignment.filter((r) => onlineReplicas.has(r));
  const leader = offlinePartitionLeaderElection(
    assignment,
    leaderAndIsr.isr,
    onlineReplicas,
    input.uncleanLeaderElectionEnabled,
  );
  if (leader === null) return { topicPartition, leaderAndIsr: null, liveReplicas };
  const isr = leaderAndIsr.isr.includes(leader)
    ? leaderAndIsr.isr.filter((r) => onlineReplicas.has(r))
    : [leader];
  return { topicPartition, leaderAndIsr: newLeaderAndIsr(leaderAndIsr, leader, isr), liveReplicas };
}

/** Reassignment election over the target replicas; the ISR is kept. */
export function leaderForReassign(
  input: Omit<ElectionInput, 'assignment'> & { targetReplicas: readonly number[] },
): ElectionResult {
  const { topicPartition, targetReplicas, leaderAndIsr, onlineReplicas } = input;
  const live = new Set(targetReplicas.filter((r) => onlineReplicas.has(r)));
  const leader = reassignPartitionLeaderElection(targetReplicas, leaderAndIsr.isr, live);
  return {
    topicPartition,
    leaderAndIsr: leader === null ? null : newLeaderAndIsr(leaderAndIsr, leader, leaderAndIsr.isr),
    liveReplicas: targetReplicas,
  };
}

/** Preferred replica election; the ISR is kept. */
export function leaderForPreferredReplica(input: ElectionInput): ElectionResult {
  const { topicPartition, assignment, leaderAndIsr, onlineReplicas } = input;
  const leader = preferredReplicaPartitionLeaderElection(assignment, leaderAndIsr.isr, onlineReplicas);
  return {
    topicPartition,
    leaderAndIsr: leader === null ? null : newLeaderAndIsr(leaderAndIsr, leader, leaderAndIsr.isr),
    liveReplicas: assignment,
  };
}

/**
 * Controlled shutdown election: `onlineReplicas` includes the shutting-down brokers (they still
 * serve until they stop); they leave the ISR.
 */
export function leaderForControlledShutdown(
  input: ElectionInput & { shuttingDownBrokers: ReadonlySet<number> },
): ElectionResult {
  const { topicPartition, assignment, leaderAndIsr, onlineReplicas, shuttingDownBrokers } = input;
  const liveOrShuttingDown = assignment.filter((r) => onlineReplicas.has(r));
  const leader = controlledShutdownPartitionLeaderElection(
    assignment,
    leaderAndIsr.isr,
    onlineReplicas,
    shuttingDownBrokers,
  );
  const isr = leaderAndIsr.isr.filter((r) => !shuttingDownBrokers.has(r));
  return {
    topicPartition,
    leaderAndIsr: leader === null ? null : newLeaderAndIsr(leaderAndIsr, leader, isr),
    liveReplicas: liveOrShuttingDown,
  };
}
