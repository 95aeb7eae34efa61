import { EventJournal, MetricName, MetricsRegistry, ObjectNamePattern, readAttributes } from '@samsa/metrics';
import { ControllerContext } from './ControllerContext';
import { controllerJournalObserver, electionReason } from './ControllerJournal';
import type { ControllerEventName } from './ControllerEvent';
import type { ControllerNotification } from './ControllerNotification';
import { EVENT_STATES, registerControllerStats } from './ControllerStats';

const tp = { topic: 't', partition: 0 };

function setup(active = true) {
  const registry = new MetricsRegistry({ autoTick: false });
  const context = new ControllerContext();
  let event = 'Idle';
  const observer = registerControllerStats(registry, {
    context,
    isActive: () => active,
    currentEvent: () => event,
    queueSize: () => 3,
  });
  const value = (type: string, name: string, attr = 'Value') =>
    readAttributes(registry.get(MetricName.of('kafka.controller', type, name))!, [attr])[attr];
  return { registry, observer, value, setEvent: (e: string) => (event = e) };
}

const election = (trigger: string, previousIsr: number[] | undefined, leader: number): ControllerNotification => ({
  type: 'LeaderElection',
  topicPartition: tp,
  trigger,
  previousLeader: 1,
  previousIsr,
  leaderAndIsr: { leader, leaderEpoch: 5, isr: [leader], zkVersion: 2 },
});

describe('ControllerStats', () => {
  test('gauges: active controller count, state number, queue size', () => {
    const { value, setEvent } = setup();
    expect(value('KafkaController', 'ActiveControllerCount')).toBe(1);
    expect(value('KafkaController', 'ControllerState')).toBe(0);
    setEvent('BrokerChange');
    expect(value('KafkaController', 'ControllerState')).toBe(2);
    setEvent('ElectLeaders');
    expect(value('KafkaController', 'ControllerState')).toBe(7);
    expect(value('ControllerEventManager', 'EventQueueSize')).toBe(3);
    expect(value('KafkaController', 'GlobalTopicCount')).toBe(0);
  });

  test('an inactive controller reports zeros', () => {
    const { value } = setup(false);
    expect(value('KafkaController', 'ActiveControllerCount')).toBe(0);
    expect(value('KafkaController', 'OfflinePartitionsCount')).toBe(0);
  });

  test('processed events time their Kafka state: BrokerChange is LeaderElectionRateAndTimeMs', () => {
    const { observer, value } = setup();
    observer({ type: 'EventProcessed', name: 'BrokerChange', queueTimeMs: 4, processingTimeMs: 12, queueSize: 0 });
    observer({ type: 'EventProcessed', name: 'BrokerModifications', queueTimeMs: 6, processingTimeMs: 20, queueSize: 0 });
    observer({ type: 'EventProcessed', name: 'TopicChange', queueTimeMs: 0, processingTimeMs: 3, queueSize: 0 });
    observer({ type: 'EventProcessed', name: 'SomethingNew', queueTimeMs: 0, processingTimeMs: 1, queueSize: 0 });
    expect(value('ControllerStats', 'LeaderElectionRateAndTimeMs', 'Count')).toBe(2);
    expect(value('ControllerStats', 'LeaderElectionRateAndTimeMs', 'Max')).toBe(20);
    expect(value('ControllerStats', 'TopicChangeRateAndTimeMs', 'Count')).toBe(1);
    expect(value('ControllerStats', 'SomethingNewRateAndTimeMs', 'Count')).toBe(1);
    expect(value('ControllerEventManager', 'EventQueueTimeMs', 'Count')).toBe(4);
    expect(value('ControllerEventManager', 'EventQueueTimeMs', 'Max')).toBe(6);
  });

  test('an offline election outside the previous ISR is unclean', () => {
    const { observer, value } = setup();
    observer(election('OfflinePartitionLeaderElectionStrategy(allowUnclean=false)', [1, 2], 2));
    observer(election('NewPartition', undefined, 3));
    expect(value('ControllerStats', 'UncleanLeaderElectionsPerSec', 'Count')).toBe(0);
    observer(election('OfflinePartitionLeaderElectionStrategy(allowUnclean=true)', [1], 3));
    expect(value('ControllerStats', 'UncleanLeaderElectionsPerSec', 'Count')).toBe(1);
  });

  test('the controller events map to Kafka states, each with its timer registered', () => {
    const { registry } = setup();
    const names: ControllerEventName[] = [
      'Startup', 'ControllerChange', 'Reelect', 'RegisterBrokerAndReelect', 'Expire', 'BrokerChange',
      'BrokerModifications', 'TopicChange', 'PartitionModifications', 'TopicDeletion',
      'TopicDeletionStopReplicaResponseReceived', 'IsrChangeNotification', 'LogDirEventNotification',
      'ZkPartitionReassignment', 'ApiPartitionReassignment', 'PartitionReassignmentIsrChange',
      'ListPartitionReassignments', 'ReplicaLeaderElection', 'ElectLeaders', 'AutoPreferredReplicaLeaderElection',
      'ControlledShutdown', 'LeaderAndIsrResponseReceived', 'UpdateMetadataResponseReceived',
    ];
    const timers = new Set(registry.matching(ObjectNamePattern.parse('kafka.controller:type=ControllerStats,name=*RateAndTimeMs')).map((m) => m.name.name));
    for (const name of names) {
      const state = EVENT_STATES[name];
      expect(state).toBeDefined();
      const timer = state === 'BrokerChange' ? 'LeaderElectionRateAndTimeMs' : state === 'AlterPartitionReassignment' ? 'PartitionReassignmentRateAndTimeMs' : `${state}RateAndTimeMs`;
      expect(state === 'UpdateMetadataResponseReceived' || timers.has(timer)).toBe(true);
    }
  });
});

describe('controller journal', () => {
  test('election reasons from the strategy', () => {
    expect(electionReason('NewPartition')).toBe('new-partition');
    expect(electionReason('OfflinePartitionLeaderElectionStrategy(allowUnclean=false)')).toBe('offline');
    expect(electionReason('PreferredReplicaPartitionLeaderElectionStrategy')).toBe('preferred');
    expect(electionReason('ControlledShutdownPartitionLeaderElectionStrategy')).toBe('controlled-shutdown');
    expect(electionReason('ReassignPartitionLeaderElectionStrategy')).toBe('reassignment');
  });

  test('records elections, broker changes and topic lifecycle with the epoch', () => {
    const journal = new EventJournal(1);
    const observe = controllerJournalObserver(journal, () => 9);
    observe({ type: 'ControllerElected', controllerId: 1, epoch: 9, epochZkVersion: 8 });
    observe({
      type: 'BrokerChange',
      changes: [
        { brokerId: 2, change: 'added', reason: 'registered' },
        { brokerId: 3, change: 'removed', reason: 'session ended' },
        { brokerId: 4, change: 'bounced', reason: 'new epoch' },
      ],
      liveBrokerIds: [1, 2, 4],
    });
    observe(election('OfflinePartitionLeaderElectionStrategy(allowUnclean=false)', [1, 2], 2));
    observe({ type: 'TopicCreated', topic: 'n', partitions: [0, 1] });
    observe({ type: 'TopicDeletionStarted', topic: 'n' });
    observe({ type: 'TopicDeleted', topic: 'n' });
    observe({ type: 'EventProcessed', name: 'TopicChange', queueTimeMs: 0, processingTimeMs: 1, queueSize: 0 });
    observe({ type: 'ControllerResigned', controllerId: 1, epoch: 9, reason: 'controller moved to broker 2' });
    const events = journal.read(0).events;
    expect(events.map((e) => e.type)).toEqual([
      'ControllerElected',
      'BrokerJoined',
      'BrokerLost',
      'BrokerLost',
      'BrokerJoined',
      'LeaderElected',
      'TopicCreated',
      'TopicDeletionStarted',
      'TopicDeleted',
      'ControllerResigned',
    ]);
    expect(events[0]).toMatchObject({ controllerEpoch: 9, brokerId: 1 });
    expect(events[2]).toMatchObject({ subjectBrokerId: 3, reason: 'session ended' });
    expect(events[5]).toMatchObject({ topic: 't', partition: 0, leader: 2, leaderEpoch: 5, reason: 'offline', newIsr: [2], controllerEpoch: 9 });
    expect(events[6].detail).toBe('topic n created with 2 partitions');
    expect(events[9]).toMatchObject({ reason: 'controller moved to broker 2' });
  });
});
