import { RACK_AWARE_REPLICA_SELECTOR, RackAwareReplicaSelector, replicaSelectorOf, type ReplicaView } from './ReplicaSelector';

const view = (brokerId: number, rack: string | null, logEndOffset = 100, timeSinceLastCaughtUpMs = 0): ReplicaView => ({
  brokerId,
  rack,
  logEndOffset,
  timeSinceLastCaughtUpMs,
});

describe('RackAwareReplicaSelector (KIP-392)', () => {
  const selector = new RackAwareReplicaSelector();
  const leader = view(0, 'a');

  test('noClientRackOrNoReplicaInItMeansTheLeader', () => {
    const replicas = [leader, view(1, 'b')];
    expect(selector.select('', { replicas, leader })).toBe(leader);
    expect(selector.select('z', { replicas, leader })).toBe(leader);
  });

  test('theLeaderWhenItIsInTheClientsRack', () => {
    const replicas = [leader, view(1, 'a')];
    expect(selector.select('a', { replicas, leader })).toBe(leader);
  });

  test('otherwiseTheMostCaughtUpReplicaOfTheRack', () => {
    const behind = view(1, 'b', 90);
    const ahead = view(2, 'b', 100, 500);
    const fresher = view(3, 'b', 100, 10);
    expect(selector.select('b', { replicas: [leader, behind, ahead], leader })).toBe(ahead);
    expect(selector.select('b', { replicas: [leader, behind, ahead, fresher], leader })).toBe(fresher);
  });

  test('replicaSelectorClassNamesKafkasSelectorOrNone', () => {
    expect(replicaSelectorOf(null)).toBeUndefined();
    expect(replicaSelectorOf(' ')).toBeUndefined();
    expect(replicaSelectorOf(RACK_AWARE_REPLICA_SELECTOR)).toBeInstanceOf(RackAwareReplicaSelector);
    expect(() => replicaSelectorOf('com.example.Mine')).toThrow(/cannot be found/);
  });
});
