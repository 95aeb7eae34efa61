import { type TopicPartition } from '@samsa/common';
import { ApiKey, ErrorCode } from '@samsa/protocol';
import { ControllerMovedError, replicaAssignment } from '@samsa/zk';
import {
  controlledShutdownErrorCode,
  controlledShutdownEvent,
  ControlledShutdownRefusedError,
  doControlledShutdown,
  UNKNOWN_BROKER_EPOCH,
  type ControlledShutdownEvent,
} from './ControlledShutdown';
import type { ControllerContext } from './ControllerContext';
import { ControllerEventManager } from './ControllerEventManager';
import { leaderAndIsrPartitionStates, stopReplicaPartitions } from './testing/receivedControlRequests';
import { partitionAndReplica } from './PartitionAndReplica';
import { PartitionStateMachine } from './PartitionStateMachine';
import { ReplicaStateMachine } from './ReplicaStateMachine';
import { StateChangeLogger } from './StateChangeLogger';
import {
  batchFor,
  contextWithBrokers,
  FakePartitionStateZk,
  quietLogger,
  type BatchFixture,
} from './testing/fakes';

/** Led by broker 1, followers 2 and 3: its leadership moves to 2. */
const LED: TopicPartition = { topic: 'T', partition: 0 };
/** Led by 2, followed by 1: 1 leaves the ISR. */
const FOLLOWED: TopicPartition = { topic: 'T', partition: 1 };
/** Led by 1 whose only other replica is out of the ISR: it cannot move. */
const STUCK: TopicPartition = { topic: 'T', partition: 2 };
/** One replica, on 1: left alone (Kafka acts only on partitions with more than one replica). */
const SINGLE: TopicPartition = { topic: 'U', partition: 0 };

interface Fixture extends BatchFixture {
  context: ControllerContext;
  zk: FakePartitionStateZk;
  psm: PartitionStateMachine;
  rsm: ReplicaStateMachine;
}

function fixture(): Fixture {
  const context = contextWithBrokers([1, 2, 3]);
  const zk = new FakePartitionStateZk();
  const partitions: Array<[TopicPartition, number[], number, number[]]> = [
    [LED, [1, 2, 3], 1, [1, 2, 3]],
    [FOLLOWED, [2, 1, 3], 2, [2, 1, 3]],
    [STUCK, [1, 2], 1, [1]],
    [SINGLE, [1], 1, [1]],
  ];
  for (const [tp, replicas, leader, isr] of partitions) {
    context.allTopics.add(tp.topic);
    context.updatePartitionFullReplicaAssignment(tp, replicaAssignment(replicas));
    zk.put(tp, { leader, leaderEpoch: 3, isr }, 5);
    context.putPartitionLeadershipInfo(tp, zk.states.get(tp)!);
    context.putPartitionState(tp, 'OnlinePartition');
    for (const r of replicas) context.putReplicaState(partitionAndReplica(tp, r), 'OnlineReplica');
  }
  const batchFixture = batchFor(context);
  const stateChangeLogger = new StateChangeLogger(0, quietLogger);
  const psm = new PartitionStateMachine({
    controllerId: 0,
    context,
    zkClient: zk,
    batch: batchFixture.batch,
    stateChangeLogger,
    logger: quietLogger,
    uncleanLeaderElectionEnable: false,
  });
  const rsm = new ReplicaStateMachine({
    controllerId: 0,
    context,
    zkClient: zk,
    batch: batchFixture.batch,
    stateChangeLogger,
    logger: quietLogger,
  });
  return { ...batchFixture, context, zk, psm, rsm };
}

function shutdown(f: Fixture, brokerId: number, brokerEpoch: number, isActive = true) {
  return doControlledShutdown(
    {
      context: f.context,
      partitionStateMachine: f.psm,
      replicaStateMachine: f.rsm,
      logger: quietLogger,
      isActive,
    },
    brokerId,
    brokerEpoch,
  );
}

async function refusal(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    return controlledShutdownErrorCode(error);
  }
  throw new Error('expected a refusal');
}

describe('doControlledShutdown', () => {
  test('ledPartitionMovesToFirstLiveIsrMemberNotShuttingDown', async () => {
    const f = fixture();
    await shutdown(f, 1, 101);
    expect(f.zk.states.get(LED)!.leaderAndIsr).toMatchObject({ leader: 2, leaderEpoch: 4, isr: [2, 3] });
    expect(f.context.partitionLeadership(LED)!.leaderAndIsr).toMatchObject({ leader: 2, isr: [2, 3] });
    // Every live replica hears of it, the shutting-down broker too (it becomes a follower).
    const lair = f.sender
      .byApi(ApiKey.LeaderAndIsr)
      .filter((s) =>
        leaderAndIsrPartitionStates(s.request).some(
          (p) => p.topicName === 'T' && p.partitionIndex === 0,
        ),
      );
    expect(lair.map((s) => s.brokerId).sort()).toEqual([1, 2, 3]);
  });

  test('followedPartitionShrinksIsrAndStopsTheReplica', async () => {
    const f = fixture();
    await shutdown(f, 1, 101);
    expect(f.zk.states.get(FOLLOWED)!.leaderAndIsr).toMatchObject({ leader: 2, leaderEpoch: 4, isr: [2, 3] });
    expect(f.context.replicaState(partitionAndReplica(FOLLOWED, 1))).toBe('OfflineReplica');
    const stop = f.sender.byApi(ApiKey.StopReplica);
    expect(stop.map((s) => s.brokerId)).toEqual([1]);
    expect(stopReplicaPartitions(stop[0].request)).toEqual([
      { topic: 'T', partition: 1, deletePartition: false },
    ]);
    const toLeader = f.sender
      .byApi(ApiKey.LeaderAndIsr)
      .filter((s) => s.brokerId === 2)
      .flatMap((s) => leaderAndIsrPartitionStates(s.request))
      .find((p) => p.partitionIndex === 1);
    expect(toLeader).toMatchObject({ leader: 2, isr: [2, 3] });
  });

  test('partitionWithoutAnotherIsrMemberIsRemaining', async () => {
    const f = fixture();
    const remaining = await shutdown(f, 1, 101);
    expect(remaining).toEqual([STUCK]);
    expect(f.zk.states.get(STUCK)!.leaderAndIsr).toMatchObject({ leader: 1, leaderEpoch: 3, isr: [1] });
  });

  test('singleReplicaPartitionIsLeftAlone', async () => {
    const f = fixture();
    await shutdown(f, 1, 101);
    expect(f.zk.states.get(SINGLE)!.leaderAndIsr).toMatchObject({ leader: 1, leaderEpoch: 3 });
  });

  test('shuttingDownBrokerIsNotElectedMeanwhile', async () => {
    const f = fixture();
    await shutdown(f, 1, 101);
    expect(f.context.shuttingDownBrokerIds.has(1)).toBe(true);
    expect(f.context.liveBrokerIds).toEqual([2, 3]);
    // Broker 2 fails: LED (leader 2, ISR [2,3]) must go to 3, never back to 1.
    f.context.removeLiveBrokers([2]);
    await f.psm.handleStateChanges([LED], 'OfflinePartition');
    await f.psm.triggerOnlinePartitionStateChange();
    expect(f.zk.states.get(LED)!.leaderAndIsr.leader).toBe(3);
  });

  test('retryIsIdempotent', async () => {
    const f = fixture();
    await shutdown(f, 1, 101);
    const writes = f.zk.writes;
    expect(await shutdown(f, 1, 101)).toEqual([STUCK]);
    expect(f.zk.states.get(LED)!.leaderAndIsr.leader).toBe(2);
    expect(f.zk.writes).toBe(writes);
  });

  test('staleBrokerEpochIsRefusedAndChangesNothing', async () => {
    const f = fixture();
    expect(await refusal(shutdown(f, 1, 100))).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(f.context.shuttingDownBrokerIds.size).toBe(0);
    expect(f.zk.writes).toBe(0);
    expect(f.sender.sent).toEqual([]);
  });

  test('unknownBrokerEpochIsAccepted', async () => {
    const f = fixture();
    expect(await shutdown(f, 1, UNKNOWN_BROKER_EPOCH)).toEqual([STUCK]);
  });

  test('notActiveIsNotController', async () => {
    const f = fixture();
    expect(await refusal(shutdown(f, 1, 101, false))).toBe(ErrorCode.NOT_CONTROLLER);
    expect(f.zk.writes).toBe(0);
  });

  test('unregisteredBrokerIsBrokerNotAvailable', async () => {
    const f = fixture();
    expect(await refusal(shutdown(f, 7, UNKNOWN_BROKER_EPOCH))).toBe(ErrorCode.BROKER_NOT_AVAILABLE);
  });

  test('controllerMovedDuringTheShutdownIsNotController', async () => {
    const f = fixture();
    f.zk.epochZkVersion = 2; // a newer controller won: fenced writes fail
    await expect(shutdown(f, 1, 101)).rejects.toBeInstanceOf(ControllerMovedError);
    expect(controlledShutdownErrorCode(new ControllerMovedError('moved'))).toBe(ErrorCode.NOT_CONTROLLER);
    expect(controlledShutdownErrorCode(new ControlledShutdownRefusedError(77, 'x'))).toBe(77);
    expect(controlledShutdownErrorCode(new Error('boom'))).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
  });
});

describe('the event and its waiting caller', () => {
  function manager(process: (e: ControlledShutdownEvent) => Promise<void>, now = () => 1_000) {
    return new ControllerEventManager<ControlledShutdownEvent>({ process }, { logger: quietLogger, now });
  }

  test('processedEventAnswersWithRemainingPartitions', async () => {
    const m = manager(async (e) => e.callback({ errorCode: 0, remainingPartitions: [STUCK] }));
    const { event, result } = controlledShutdownEvent(1, 101);
    m.put(event);
    expect(await result).toEqual({ errorCode: 0, remainingPartitions: [STUCK] });
  });

  test('queuedEventIsPreemptedWithNotControllerOnClose', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const m = manager(() => blocked);
    const first = controlledShutdownEvent(2, 102);
    const second = controlledShutdownEvent(1, 101);
    m.put(first.event);
    m.put(second.event);
    await new Promise((r) => setImmediate(r));
    const closing = m.close();
    expect(await second.result).toEqual({ errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
    release();
    await closing;
  });

  test('eventPutAfterCloseIsNotController', async () => {
    const m = manager(async () => undefined);
    await m.close();
    const { event, result } = controlledShutdownEvent(1, 101);
    m.put(event);
    expect((await result).errorCode).toBe(ErrorCode.NOT_CONTROLLER);
  });

  test('eventPastItsDeadlineIsRequestTimedOut', async () => {
    const m = manager(
      async (e) => e.callback({ errorCode: 0, remainingPartitions: [] }),
      () => 5_000,
    );
    const { event, result } = controlledShutdownEvent(1, 101, 4_000);
    m.put(event);
    expect((await result).errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });

  test('callerIsAnsweredOnce', async () => {
    const { event, result } = controlledShutdownEvent(1, 101);
    event.callback({ errorCode: 0, remainingPartitions: [] });
    event.preempt(ErrorCode.NOT_CONTROLLER);
    expect((await result).errorCode).toBe(0);
  });
});
