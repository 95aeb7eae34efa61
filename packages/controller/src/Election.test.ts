import {
  controlledShutdownPartitionLeaderElection,
  leaderForControlledShutdown,
  leaderForOffline,
  leaderForPreferredReplica,
  leaderForReassign,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
} from './Election';

const tp = { topic: 'T', partition: 0 };
const live = (...ids: number[]): Set<number> => new Set(ids);
const state = (leader: number, isr: number[], leaderEpoch = 3, zkVersion = 7) => ({
  leader,
  leaderEpoch,
  isr,
  zkVersion,
});

describe('offlinePartitionLeaderElection', () => {
  test('firstLiveReplicaInAssignmentOrderThatIsInTheIsr', () => {
    expect(offlinePartitionLeaderElection([1, 2, 3], [3, 2], live(2, 3), false)).toBe(2);
  });
  test('assignmentOrderWinsOverIsrOrder', () => {
    expect(offlinePartitionLeaderElection([3, 1, 2], [1, 2, 3], live(1, 2, 3), false)).toBe(3);
  });
  test('noLiveIsrMemberAndUncleanDisabledElectsNobody', () => {
    expect(offlinePartitionLeaderElection([1, 2, 3], [1], live(2, 3), false)).toBeNull();
  });
  test('noLiveIsrMemberAndUncleanEnabledElectsFirstLiveReplica', () => {
    expect(offlinePartitionLeaderElection([1, 2, 3], [1], live(3, 2), true)).toBe(2);
  });
  test('uncleanEnabledStillPrefersAnIsrMember', () => {
    expect(offlinePartitionLeaderElection([1, 2, 3], [3], live(2, 3), true)).toBe(3);
  });
  test('noLiveReplicaAtAllElectsNobodyEvenUnclean', () => {
    expect(offlinePartitionLeaderElection([1, 2], [1, 2], live(), true)).toBeNull();
  });
});

describe('other algorithms', () => {
  test('reassignElectsFirstTargetReplicaThatIsLiveAndInIsr', () => {
    expect(reassignPartitionLeaderElection([4, 5, 6], [1, 5, 6], live(4, 5, 6))).toBe(5);
    expect(reassignPartitionLeaderElection([4, 5], [1], live(4, 5))).toBeNull();
  });
  test('preferredElectsOnlyTheFirstAssignedReplica', () => {
    expect(preferredReplicaPartitionLeaderElection([1, 2], [1, 2], live(1, 2))).toBe(1);
    expect(preferredReplicaPartitionLeaderElection([1, 2], [2], live(1, 2))).toBeNull();
    expect(preferredReplicaPartitionLeaderElection([1, 2], [1, 2], live(2))).toBeNull();
    expect(preferredReplicaPartitionLeaderElection([], [], live())).toBeNull();
  });
  test('controlledShutdownSkipsShuttingDownBrokers', () => {
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2, 3], live(1, 2, 3), live(1))).toBe(2);
    expect(controlledShutdownPartitionLeaderElection([1, 2], [1, 2], live(1, 2), live(1, 2))).toBeNull();
  });
});

describe('election results', () => {
  test('offlineElectionBumpsLeaderEpochKeepsZkVersionAndShrinksIsrToLiveMembers', () => {
    const result = leaderForOffline({
      topicPartition: tp,
      assignment: [1, 2, 3],
      leaderAndIsr: state(1, [1, 2, 3]),
      onlineReplicas: live(2, 3),
      uncleanLeaderElectionEnabled: false,
    });
    expect(result).toEqual({
      topicPartition: tp,
      leaderAndIsr: { leader: 2, leaderEpoch: 4, isr: [2, 3], zkVersion: 7 },
      liveReplicas: [2, 3],
    });
  });
  test('uncleanLeaderBecomesTheWholeIsr', () => {
    const result = leaderForOffline({
      topicPartition: tp,
      assignment: [1, 2, 3],
      leaderAndIsr: state(-1, [1]),
      onlineReplicas: live(3),
      uncleanLeaderElectionEnabled: true,
    });
    expect(result.leaderAndIsr).toEqual({ leader: 3, leaderEpoch: 4, isr: [3], zkVersion: 7 });
  });
  test('offlineWithoutCandidateHasNoLeaderButNamesLiveReplicas', () => {
    const result = leaderForOffline({
      topicPartition: tp,
      assignment: [1, 2],
      leaderAndIsr: state(1, [1]),
      onlineReplicas: live(2),
      uncleanLeaderElectionEnabled: false,
    });
    expect(result).toEqual({ topicPartition: tp, leaderAndIsr: null, liveReplicas: [2] });
  });
  test('preferredKeepsIsrAndSendsToAllAssigned', () => {
    const result = leaderForPreferredReplica({
      topicPartition: tp,
      assignment: [1, 2],
      leaderAndIsr: state(2, [2, 1]),
      onlineReplicas: live(1, 2),
    });
    expect(result.leaderAndIsr).toEqual({ leader: 1, leaderEpoch: 4, isr: [2, 1], zkVersion: 7 });
    expect(result.liveReplicas).toEqual([1, 2]);
  });
  test('reassignElectsAmongTargetReplicas', () => {
    const result = leaderForReassign({
      topicPartition: tp,
      targetReplicas: [3, 4],
      leaderAndIsr: state(1, [1, 3, 4]),
      onlineReplicas: live(1, 3, 4),
    });
    expect(result.leaderAndIsr?.leader).toBe(3);
    expect(result.liveReplicas).toEqual([3, 4]);
  });
  test('controlledShutdownRemovesShuttingDownBrokersFromIsr', () => {
    const result = leaderForControlledShutdown({
      topicPartition: tp,
      assignment: [1, 2, 3],
      leaderAndIsr: state(1, [1, 2, 3]),
      onlineReplicas: live(1, 2, 3),
      shuttingDownBrokers: live(1),
    });
    expect(result.leaderAndIsr).toEqual({ leader: 2, leaderEpoch: 4, isr: [2, 3], zkVersion: 7 });
    expect(result.liveReplicas).toEqual([1, 2, 3]);
  });
});
