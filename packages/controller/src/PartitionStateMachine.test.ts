import { type TopicPartition } from '@samsa/common';
import { ApiKey } from '@samsa/protocol';
import { ControllerMovedError, replicaAssignment } from '@samsa/zk';
import type { ControllerContext } from './ControllerContext';
import type { ControllerNotification } from './ControllerNotification';
import { leaderAndIsrPartitionStates, updateMetadataPartitionStates } from './testing/receivedControlRequests';
import { offlinePartitionStrategy } from './Election';
import { PARTITION_STATES, isValidPartitionStateTransition, type PartitionState } from './PartitionState';
import { PartitionStateMachine } from './PartitionStateMachine';
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
const T1: TopicPartition = { topic: 'T', partition: 1 };

interface Fixture extends BatchFixture {
  context: ControllerContext;
  zk: FakePartitionStateZk;
  psm: PartitionStateMachine;
  stateChangeLines: string[];
  notifications: ControllerNotification[];
}

function fixture({ live = [1, 2, 3], unclean = false } = {}): Fixture {
  const context = contextWithBrokers(live);
  context.updatePartitionFullReplicaAssignment(T0, replicaAssignment([1, 2, 3]));
  context.updatePartitionFullReplicaAssignment(T1, replicaAssignment([2, 3, 1]));
  const zk = new FakePartitionStateZk();
  const batchFixture = batchFor(context);
  const stateChange = recordingLogger();
  const notifications: ControllerNotification[] = [];
  const psm = new PartitionStateMachine({
    controllerId: 0,
    context,
    zkClient: zk,
    batch: batchFixture.batch,
    stateChangeLogger: new StateChangeLogger(0, stateChange),
    logger: quietLogger,
    uncleanLeaderElectionEnable: unclean,
    observer: (n) => notifications.push(n),
  });
  return { ...batchFixture, context, zk, psm, stateChangeLines: stateChange.lines, notifications };
}

/** Puts `tp` in `state`, with a state znode led by `leader` when it should have one. */
function given(f: Fixture, tp: TopicPartition, state: PartitionState, leader = 1, isr = [1, 2, 3]): void {
  f.context.putPartitionState(tp, state);
  if (state === 'OnlinePartition' || state === 'OfflinePartition') {
    f.zk.put(tp, { leader, leaderEpoch: 0, isr });
    f.context.putPartitionLeadershipInfo(tp, f.zk.states.get(tp)!);
  }
}

describe('transition table', () => {
  test('tableIsKafkas', () => {
    const valid = PARTITION_STATES.flatMap((from) =>
      PARTITION_STATES.filter((to) => isValidPartitionStateTransition(from, to)).map(
        (to) => `${from}->${to}`,
      ),
    );
    expect(valid.sort()).toEqual(
      [
        'NonExistentPartition->NewPartition',
        'NewPartition->OnlinePartition',
        'OnlinePartition->OnlinePartition',
        'OfflinePartition->OnlinePartition',
        'NewPartition->OfflinePartition',
        'OnlinePartition->OfflinePartition',
        'OfflinePartition->OfflinePartition',
        'OfflinePartition->NonExistentPartition',
      ].sort(),
    );
  });
});

describe('valid transitions', () => {
  test('nonexistentToNewPartition', async () => {
    const f = fixture();
    await f.psm.handleStateChanges([T0], 'NewPartition');
    expect(f.context.partitionState(T0)).toBe('NewPartition');
    expect(f.sender.sent).toEqual([]);
    expect(f.stateChangeLines.join('\n')).toContain(
      'Changed partition T-0 state from NonExistentPartition to NewPartition with assigned replicas 1,2,3',
    );
  });

  test('newPartitionToOnlinePartition', async () => {
    const f = fixture({ live: [2, 3] });
    given(f, T0, 'NewPartition');
    const result = await f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy());
    expect(result.size).toBe(0);
    expect(f.context.partitionState(T0)).toBe('OnlinePartition');
    // Leader: first live replica; ISR: the live replicas; written before being recorded.
    expect(f.zk.states.get(T0)).toEqual({
      leaderAndIsr: { leader: 2, leaderEpoch: 0, isr: [2, 3], zkVersion: 0 },
      controllerEpoch: 5,
    });
    expect(f.context.partitionLeadership(T0)).toEqual(f.zk.states.get(T0));
    const lair = f.sender.byApi(ApiKey.LeaderAndIsr);
    expect(lair.map((s) => s.brokerId)).toEqual([2, 3]);
    expect(leaderAndIsrPartitionStates(lair[0].request)).toEqual([
      expect.objectContaining({
        topicName: 'T',
        partitionIndex: 0,
        leader: 2,
        isr: [2, 3],
        replicas: [1, 2, 3],
        isNew: true,
      }),
    ]);
    expect(f.sender.byApi(ApiKey.UpdateMetadata).map((s) => s.brokerId)).toEqual([2, 3]);
    expect(f.notifications).toContainEqual(
      expect.objectContaining({ type: 'LeaderElection', trigger: 'NewPartition' }),
    );
  });

  test('offlinePartitionToOnlinePartition', async () => {
    const f = fixture({ live: [2, 3] });
    given(f, T0, 'OfflinePartition', 1, [1, 3]);
    const result = await f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy());
    expect(result.get(T0)).toEqual({
      ok: true,
      leaderAndIsr: { leader: 3, leaderEpoch: 1, isr: [3], zkVersion: 1 },
    });
    expect(f.context.partitionState(T0)).toBe('OnlinePartition');
    expect(f.context.partitionLeadership(T0)!.leaderAndIsr.leader).toBe(3);
    // LeaderAndIsr to the live replicas, UpdateMetadata to every live broker.
    expect(f.sender.byApi(ApiKey.LeaderAndIsr).map((s) => s.brokerId)).toEqual([2, 3]);
    expect(f.sender.byApi(ApiKey.UpdateMetadata).map((s) => s.brokerId)).toEqual([2, 3]);
    expect(f.notifications).toContainEqual(
      expect.objectContaining({ type: 'LeaderElection', previousLeader: 1 }),
    );
  });

  test('onlinePartitionToOnlinePartition', async () => {
    const f = fixture();
    given(f, T0, 'OnlinePartition', 2, [2, 1]);
    const result = await f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy());
    expect(result.get(T0)).toEqual({
      ok: true,
      leaderAndIsr: { leader: 1, leaderEpoch: 1, isr: [2, 1], zkVersion: 1 },
    });
    expect(f.context.partitionState(T0)).toBe('OnlinePartition');
  });

  test.each([['NewPartition'], ['OnlinePartition'], ['OfflinePartition']] as const)(
    '%sToOfflinePartition',
    async (from) => {
      const f = fixture();
      given(f, T0, from);
      await f.psm.handleStateChanges([T0], 'OfflinePartition');
      expect(f.context.partitionState(T0)).toBe('OfflinePartition');
      expect(f.sender.sent).toEqual([]);
    },
  );

  test('offlinePartitionToNonexistentPartition', async () => {
    const f = fixture();
    given(f, T0, 'OfflinePartition');
    await f.psm.handleStateChanges([T0], 'NonExistentPartition');
    expect(f.context.partitionState(T0)).toBe('NonExistentPartition');
  });
});

describe('invalid transitions are refused for that partition only', () => {
  test('invalidNonexistentToOnlineIsRefused', async () => {
    const f = fixture();
    given(f, T1, 'NewPartition');
    await f.psm.handleStateChanges([T0, T1], 'OnlinePartition', offlinePartitionStrategy());
    expect(f.context.partitionState(T0)).toBe('NonExistentPartition');
    expect(f.zk.states.has(T0)).toBe(false);
    expect(f.context.partitionState(T1)).toBe('OnlinePartition');
    expect(f.stateChangeLines.join('\n')).toContain(
      'failed to change state for partition T-0 from NonExistentPartition to OnlinePartition',
    );
  });

  test.each([
    ['NonExistentPartition', 'OfflinePartition'],
    ['OnlinePartition', 'NewPartition'],
    ['OfflinePartition', 'NewPartition'],
    ['NewPartition', 'NewPartition'],
    ['NewPartition', 'NonExistentPartition'],
    ['OnlinePartition', 'NonExistentPartition'],
  ] as const)('invalid %s to %s is refused', async (from, to) => {
    const f = fixture();
    given(f, T0, from);
    given(f, T1, 'OfflinePartition');
    await f.psm.handleStateChanges([T0, T1], to);
    expect(f.context.partitionState(T0)).toBe(from);
    expect(
      f.stateChangeLines.some(
        (l) => l.startsWith('ERROR') && l.includes(`partition T-0 from ${from} to ${to}`),
      ),
    ).toBe(true);
  });
});

describe('elections', () => {
  test('newPartitionWithoutLiveReplicaStaysNew', async () => {
    const f = fixture({ live: [4] });
    given(f, T0, 'NewPartition');
    await f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy());
    expect(f.context.partitionState(T0)).toBe('NewPartition');
    expect(f.zk.states.has(T0)).toBe(false);
    expect(f.notifications).toContainEqual(expect.objectContaining({ type: 'LeaderElectionFailed' }));
  });

  test('offlineWithoutLiveIsrStaysOfflineWhenUncleanDisabled', async () => {
    const f = fixture({ live: [2, 3] });
    given(f, T0, 'OfflinePartition', 1, [1]);
    const result = await f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy());
    expect(result.get(T0)?.ok).toBe(false);
    expect(f.context.partitionState(T0)).toBe('OfflinePartition');
    expect(f.zk.writes).toBe(0);
  });

  test('topicConfigEnablesUncleanElection', async () => {
    const f = fixture({ live: [2, 3] });
    f.zk.topicConfigs.set('T', new Map([['unclean.leader.election.enable', 'true']]));
    given(f, T0, 'OfflinePartition', 1, [1]);
    const result = await f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy());
    expect(result.get(T0)).toEqual({
      ok: true,
      leaderAndIsr: { leader: 2, leaderEpoch: 1, isr: [2], zkVersion: 1 },
    });
  });

  test('badVersionIsRetriedWithTheStateReadAgain', async () => {
    const f = fixture({ live: [2, 3] });
    given(f, T0, 'OfflinePartition', 1, [1, 2, 3]);
    const read = f.zk.getTopicPartitionStatesRaw.bind(f.zk);
    let reads = 0;
    f.zk.getTopicPartitionStatesRaw = async (tps) => {
      const responses = await read(tps);
      // The leader shrinks the ISR right after our first read.
      if (reads++ === 0) f.zk.put(T0, { leader: 1, leaderEpoch: 0, isr: [1, 3] });
      return responses;
    };
    const result = await f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy());
    expect(reads).toBe(2);
    expect(result.get(T0)).toEqual({
      ok: true,
      leaderAndIsr: { leader: 3, leaderEpoch: 1, isr: [3], zkVersion: 2 },
    });
  });

  test('stateWrittenByNewerControllerAbortsElection', async () => {
    const f = fixture({ live: [2, 3] });
    given(f, T0, 'OfflinePartition');
    f.zk.put(T0, { leader: 1, leaderEpoch: 0, isr: [1, 2] }, 9);
    const result = await f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy());
    expect(result.get(T0)?.ok).toBe(false);
    expect(f.zk.states.get(T0)!.controllerEpoch).toBe(9);
  });

  test('controllerMovedPropagatesAndLeavesNoUnsentBatch', async () => {
    const f = fixture({ live: [2, 3] });
    given(f, T0, 'OfflinePartition');
    f.zk.epochZkVersion = 2;
    await expect(
      f.psm.handleStateChanges([T0], 'OnlinePartition', offlinePartitionStrategy()),
    ).rejects.toBeInstanceOf(ControllerMovedError);
    expect(f.batch.isEmpty).toBe(true);
    expect(() => f.batch.newBatch()).not.toThrow();
  });

  test('startupMarksPartitionsAndElectsForNewAndOffline', async () => {
    const f = fixture({ live: [2, 3] });
    f.zk.put(T0, { leader: 1, leaderEpoch: 2, isr: [1, 2] });
    f.context.putPartitionLeadershipInfo(T0, f.zk.states.get(T0)!);
    await f.psm.startup();
    expect(f.context.partitionState(T0)).toBe('OnlinePartition');
    expect(f.context.partitionLeadership(T0)!.leaderAndIsr).toEqual({
      leader: 2,
      leaderEpoch: 3,
      isr: [2],
      zkVersion: 1,
    });
    expect(f.context.partitionState(T1)).toBe('OnlinePartition');
    expect(f.context.partitionLeadership(T1)!.leaderAndIsr).toEqual({
      leader: 2,
      leaderEpoch: 0,
      isr: [2, 3],
      zkVersion: 0,
    });
    // One batch: one LeaderAndIsr per broker, one UpdateMetadata per broker with both partitions.
    expect(
      f.sender
        .byApi(ApiKey.LeaderAndIsr)
        .map((s) => s.brokerId)
        .sort(),
    ).toEqual([2, 3]);
    const um = f.sender.byApi(ApiKey.UpdateMetadata);
    expect(um.map((s) => s.brokerId)).toEqual([2, 3]);
    expect(
      updateMetadataPartitionStates(um[0].request)
        .map((p) => p.partitionIndex)
        .sort(),
    ).toEqual([0, 1]);
  });
});
