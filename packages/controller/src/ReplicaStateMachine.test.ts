import { type TopicPartition } from '@samsa/common';
import { ApiKey } from '@samsa/protocol';
import { replicaAssignment } from '@samsa/zk';
import type { ControllerContext } from './ControllerContext';
import { leaderAndIsrPartitionStates, stopReplicaPartitions } from './testing/receivedControlRequests';
import { partitionAndReplica, type PartitionAndReplica } from './PartitionAndReplica';
import { REPLICA_STATES, isValidReplicaStateTransition, type ReplicaState } from './ReplicaState';
import { ReplicaStateMachine } from './ReplicaStateMachine';
import { StateChangeLogger } from './StateChangeLogger';
import {
  batchFor,
  contextWithBrokers,
  FakePartitionStateZk,
  quietLogger,
  recordingLogger,
  type BatchFixture,
} from './testing/fakes';

const T0: TopicPartition = { topic: 'T', partition: 0 };
const r = (replica: number, tp = T0): PartitionAndReplica => partitionAndReplica(tp, replica);

interface Fixture extends BatchFixture {
  context: ControllerContext;
  zk: FakePartitionStateZk;
  rsm: ReplicaStateMachine;
  stateChangeLines: string[];
}

function fixture({ leader = 1, isr = [1, 2, 3], withLeadership = true } = {}): Fixture {
  const context = contextWithBrokers([1, 2, 3]);
  context.updatePartitionFullReplicaAssignment(T0, replicaAssignment([1, 2, 3]));
  const zk = new FakePartitionStateZk();
  if (withLeadership) {
    zk.put(T0, { leader, leaderEpoch: 4, isr });
    context.putPartitionLeadershipInfo(T0, zk.states.get(T0)!);
  }
  const batchFixture = batchFor(context);
  const stateChange = recordingLogger();
  const rsm = new ReplicaStateMachine({
    controllerId: 0,
    context,
    zkClient: zk,
    batch: batchFixture.batch,
    stateChangeLogger: new StateChangeLogger(0, stateChange),
    logger: quietLogger,
  });
  return { ...batchFixture, context, zk, rsm, stateChangeLines: stateChange.lines };
}

function given(f: Fixture, replica: PartitionAndReplica, state: ReplicaState): void {
  f.context.putReplicaState(replica, state);
}

describe('transition table', () => {
  test('tableIsKafkas', () => {
    const from = (to: ReplicaState) =>
      REPLICA_STATES.filter((s) => isValidReplicaStateTransition(s, to)).sort();
    expect(from('NewReplica')).toEqual(['NonExistentReplica']);
    expect(from('OnlineReplica')).toEqual([
      'NewReplica',
      'OfflineReplica',
      'OnlineReplica',
      'ReplicaDeletionIneligible',
    ]);
    expect(from('OfflineReplica')).toEqual([
      'NewReplica',
      'OfflineReplica',
      'OnlineReplica',
      'ReplicaDeletionIneligible',
    ]);
    expect(from('ReplicaDeletionStarted')).toEqual(['OfflineReplica']);
    expect(from('ReplicaDeletionSuccessful')).toEqual(['ReplicaDeletionStarted']);
    expect(from('ReplicaDeletionIneligible')).toEqual(['OfflineReplica', 'ReplicaDeletionStarted']);
    expect(from('NonExistentReplica')).toEqual(['ReplicaDeletionSuccessful']);
  });
});

describe('valid transitions', () => {
  test('nonexistentToNewReplica', async () => {
    const f = fixture();
    await f.rsm.handleStateChanges([r(2)], 'NewReplica');
    expect(f.context.replicaState(r(2))).toBe('NewReplica');
    const lair = f.sender.byApi(ApiKey.LeaderAndIsr);
    expect(lair.map((s) => s.brokerId)).toEqual([2]);
    expect(leaderAndIsrPartitionStates(lair[0].request)[0]).toMatchObject({ leader: 1, isNew: true });
  });

  test('nonexistentToNewReplicaWithoutLeaderSendsNothing', async () => {
    const f = fixture({ withLeadership: false });
    await f.rsm.handleStateChanges([r(1), r(2)], 'NewReplica');
    expect(f.context.replicaState(r(1))).toBe('NewReplica');
    expect(f.sender.sent).toEqual([]);
  });

  test('newReplicaToOnlineReplica', async () => {
    const f = fixture();
    given(f, r(2), 'NewReplica');
    await f.rsm.handleStateChanges([r(2)], 'OnlineReplica');
    expect(f.context.replicaState(r(2))).toBe('OnlineReplica');
    expect(f.sender.sent).toEqual([]);
  });

  test.each([['OnlineReplica'], ['OfflineReplica'], ['ReplicaDeletionIneligible']] as const)(
    '%sToOnlineReplica',
    async (from) => {
      const f = fixture();
      given(f, r(2), from);
      await f.rsm.handleStateChanges([r(2)], 'OnlineReplica');
      expect(f.context.replicaState(r(2))).toBe('OnlineReplica');
      expect(f.sender.byApi(ApiKey.LeaderAndIsr).map((s) => s.brokerId)).toEqual([2]);
      expect(f.sender.byApi(ApiKey.UpdateMetadata).map((s) => s.brokerId)).toEqual([1, 2, 3]);
    },
  );

  test('onlineReplicaToOfflineReplica', async () => {
    const f = fixture();
    given(f, r(2), 'OnlineReplica');
    await f.rsm.handleStateChanges([r(2)], 'OfflineReplica');
    expect(f.context.replicaState(r(2))).toBe('OfflineReplica');
    // The ISR shrinks in ZooKeeper first (new leader epoch), then in the context.
    expect(f.zk.states.get(T0)!.leaderAndIsr).toEqual({
      leader: 1,
      leaderEpoch: 5,
      isr: [1, 3],
      zkVersion: 1,
    });
    expect(f.context.partitionLeadership(T0)!.leaderAndIsr.isr).toEqual([1, 3]);
    const stop = f.sender.byApi(ApiKey.StopReplica);
    expect(stop.map((s) => s.brokerId)).toEqual([2]);
    expect(stopReplicaPartitions(stop[0].request)).toEqual([
      { topic: 'T', partition: 0, deletePartition: false },
    ]);
    expect(f.sender.byApi(ApiKey.LeaderAndIsr).map((s) => s.brokerId)).toEqual([1, 3]);
  });

  test('offlineLeaderLeavesPartitionWithoutLeader', async () => {
    const f = fixture();
    given(f, r(1), 'OnlineReplica');
    await f.rsm.handleStateChanges([r(1)], 'OfflineReplica');
    expect(f.zk.states.get(T0)!.leaderAndIsr).toMatchObject({ leader: -1, isr: [2, 3] });
  });

  test('lastIsrMemberStaysInIsr', async () => {
    const f = fixture({ leader: 1, isr: [1] });
    given(f, r(1), 'OnlineReplica');
    await f.rsm.handleStateChanges([r(1)], 'OfflineReplica');
    expect(f.zk.states.get(T0)!.leaderAndIsr).toMatchObject({ leader: -1, isr: [1] });
  });

  test.each([['NewReplica'], ['OfflineReplica'], ['ReplicaDeletionIneligible']] as const)(
    '%sToOfflineReplica',
    async (from) => {
      const f = fixture({ isr: [1, 3] });
      given(f, r(2), from);
      await f.rsm.handleStateChanges([r(2)], 'OfflineReplica');
      expect(f.context.replicaState(r(2))).toBe('OfflineReplica');
      expect(f.zk.writes).toBe(0); // not in the ISR: nothing to write
    },
  );

  test('offlineReplicaToReplicaDeletionStarted', async () => {
    const f = fixture();
    given(f, r(3), 'OfflineReplica');
    f.context.queueTopicDeletion(['T']);
    await f.rsm.handleStateChanges([r(3)], 'ReplicaDeletionStarted');
    expect(f.context.replicaState(r(3))).toBe('ReplicaDeletionStarted');
    const stop = f.sender.byApi(ApiKey.StopReplica);
    expect(stop.map((s) => s.brokerId)).toEqual([3]);
    expect(stop[0].request.body.topicStates![0].partitionStates[0]).toEqual({
      partitionIndex: 0,
      leaderEpoch: -2,
      deletePartition: true,
    });
  });

  test.each([
    ['ReplicaDeletionStarted', 'ReplicaDeletionSuccessful'],
    ['ReplicaDeletionStarted', 'ReplicaDeletionIneligible'],
    ['OfflineReplica', 'ReplicaDeletionIneligible'],
  ] as const)('%s to %s only records the state', async (from, to) => {
    const f = fixture();
    given(f, r(3), from);
    await f.rsm.handleStateChanges([r(3)], to);
    expect(f.context.replicaState(r(3))).toBe(to);
    expect(f.sender.sent).toEqual([]);
  });

  test('replicaDeletionSuccessfulToNonexistentReplica', async () => {
    const f = fixture();
    given(f, r(3), 'ReplicaDeletionSuccessful');
    await f.rsm.handleStateChanges([r(3)], 'NonExistentReplica');
    expect(f.context.replicaStates.has(r(3))).toBe(false);
    expect(f.context.partitionReplicaAssignment(T0)).toEqual([1, 2]);
  });
});

describe('invalid transitions are refused for that replica only', () => {
  test('invalidNonexistentToOnlineIsRefused', async () => {
    const f = fixture();
    given(f, r(3), 'OfflineReplica');
    await f.rsm.handleStateChanges([r(2), r(3)], 'OnlineReplica');
    expect(f.context.replicaState(r(2))).toBe('NonExistentReplica');
    expect(f.context.replicaState(r(3))).toBe('OnlineReplica');
    expect(f.sender.byApi(ApiKey.LeaderAndIsr).map((s) => s.brokerId)).toEqual([3]);
    expect(f.stateChangeLines.join('\n')).toContain(
      'replica 2 for partition T-0 from NonExistentReplica to OnlineReplica failed',
    );
  });

  test('newReplicaThatWouldLeadIsRefused', async () => {
    const f = fixture();
    await f.rsm.handleStateChanges([r(1)], 'NewReplica');
    expect(f.context.replicaState(r(1))).toBe('NonExistentReplica');
  });

  test.each([
    ['OnlineReplica', 'ReplicaDeletionStarted'],
    ['OnlineReplica', 'NewReplica'],
    ['OfflineReplica', 'ReplicaDeletionSuccessful'],
    ['OnlineReplica', 'NonExistentReplica'],
    ['ReplicaDeletionSuccessful', 'OnlineReplica'],
    ['ReplicaDeletionStarted', 'OfflineReplica'],
  ] as const)('invalid %s to %s is refused', async (from, to) => {
    const f = fixture();
    given(f, r(2), from);
    given(f, r(3), 'ReplicaDeletionStarted');
    await f.rsm.handleStateChanges([r(2), r(3)], to);
    expect(f.context.replicaState(r(2))).toBe(from);
    expect(
      f.stateChangeLines.some((l) => l.startsWith('ERROR') && l.includes(`from ${from} to ${to} failed`)),
    ).toBe(true);
  });
});

describe('startup', () => {
  test('failoverSendsEachLiveBrokerOneLeaderAndIsrWithTheIsrsAlreadyShrunk', async () => {
    const f = fixture({ leader: 1, isr: [1, 2, 3] });
    f.context.removeLiveBrokers([3]); // broker 3 died with the old controller
    await f.rsm.startup();
    expect(f.context.replicaState(r(1))).toBe('OnlineReplica');
    expect(f.context.replicaState(r(3))).toBe('OfflineReplica');
    expect(f.zk.states.get(T0)!.leaderAndIsr).toMatchObject({ leader: 1, leaderEpoch: 5, isr: [1, 2] });
    const lair = f.sender.byApi(ApiKey.LeaderAndIsr);
    expect(lair.map((s) => s.brokerId).sort()).toEqual([1, 2]);
    for (const s of lair)
      expect(leaderAndIsrPartitionStates(s.request)).toEqual([
        expect.objectContaining({ leader: 1, leaderEpoch: 5, isr: [1, 2] }),
      ]);
    expect(f.sender.byApi(ApiKey.UpdateMetadata)).toHaveLength(2); // one per live broker
  });
});
