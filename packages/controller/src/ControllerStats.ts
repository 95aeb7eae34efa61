import type { Histogram, Meter, MetricsRegistry, Timer } from '@samsa/metrics';
import type { ControllerContext } from './ControllerContext';
import type { ControllerNotification, ControllerObserver } from './ControllerNotification';

/**
 * Kafka's ControllerState: its number (the ControllerState gauge) and its RateAndTimeMs timer in
 * kafka.controller:type=ControllerStats (BrokerChange's is LeaderElectionRateAndTimeMs, for
 * history; Idle and UpdateMetadataResponseReceived have none).
 */
const CONTROLLER_STATES: readonly (readonly [state: string, value: number, timer: string | null])[] = [
  ['Idle', 0, null],
  ['ControllerChange', 1, 'ControllerChangeRateAndTimeMs'],
  ['BrokerChange', 2, 'LeaderElectionRateAndTimeMs'],
  ['TopicChange', 3, 'TopicChangeRateAndTimeMs'],
  ['TopicDeletion', 4, 'TopicDeletionRateAndTimeMs'],
  ['AlterPartitionReassignment', 5, 'PartitionReassignmentRateAndTimeMs'],
  ['AutoLeaderBalance', 6, 'AutoLeaderBalanceRateAndTimeMs'],
  ['ManualLeaderBalance', 7, 'ManualLeaderBalanceRateAndTimeMs'],
  ['ControlledShutdown', 8, 'ControlledShutdownRateAndTimeMs'],
  ['IsrChange', 9, 'IsrChangeRateAndTimeMs'],
  ['LeaderAndIsrResponseReceived', 10, 'LeaderAndIsrResponseReceivedRateAndTimeMs'],
  ['LogDirChange', 11, 'LogDirChangeRateAndTimeMs'],
  ['ControllerShutdown', 12, 'ControllerShutdownRateAndTimeMs'],
  ['UncleanLeaderElectionEnable', 13, 'UncleanLeaderElectionEnableRateAndTimeMs'],
  ['TopicUncleanLeaderElectionEnable', 14, 'TopicUncleanLeaderElectionEnableRateAndTimeMs'],
  ['ListPartitionReassignment', 15, 'ListPartitionReassignmentRateAndTimeMs'],
  ['UpdateMetadataResponseReceived', 16, null],
  ['UpdateFeatures', 17, 'UpdateFeaturesRateAndTimeMs'],
];

/** Each controller event's ControllerState, as Kafka's events declare them. */
export const EVENT_STATES: Readonly<Record<string, string>> = {
  Startup: 'ControllerChange',
  ControllerChange: 'ControllerChange',
  Reelect: 'ControllerChange',
  RegisterBrokerAndReelect: 'ControllerChange',
  Expire: 'ControllerChange',
  BrokerChange: 'BrokerChange',
  BrokerModifications: 'BrokerChange',
  TopicChange: 'TopicChange',
  PartitionModifications: 'TopicChange',
  TopicDeletion: 'TopicDeletion',
  TopicDeletionStopReplicaResponseReceived: 'TopicDeletion',
  ZkPartitionReassignment: 'AlterPartitionReassignment',
  ApiPartitionReassignment: 'AlterPartitionReassignment',
  PartitionReassignmentIsrChange: 'AlterPartitionReassignment',
  AutoPreferredReplicaLeaderElection: 'AutoLeaderBalance',
  ReplicaLeaderElection: 'ManualLeaderBalance',
  ElectLeaders: 'ManualLeaderBalance',
  ControlledShutdown: 'ControlledShutdown',
  IsrChangeNotification: 'IsrChange',
  LeaderAndIsrResponseReceived: 'LeaderAndIsrResponseReceived',
  LogDirEventNotification: 'LogDirChange',
  ListPartitionReassignments: 'ListPartitionReassignment',
  UpdateMetadataResponseReceived: 'UpdateMetadataResponseReceived',
};

/** What the controller's gauges read. */
export interface ControllerStatsSource {
  readonly context: ControllerContext;
  isActive(): boolean;
  /** The event being processed, or 'Idle'. */
  currentEvent(): string;
  queueSize(): number;
}

/**
 * Registers the controller's metrics and returns the observer that keeps them:
 *   kafka.controller:type=KafkaController        ActiveControllerCount, OfflinePartitionsCount,
 *     PreferredReplicaImbalanceCount, ControllerState, GlobalTopicCount, GlobalPartitionCount,
 *     TopicsToDeleteCount, ReplicasToDeleteCount, TopicsIneligibleToDeleteCount,
 *     ReplicasIneligibleToDeleteCount (gauges; 0 unless active, as in Kafka)
 *   kafka.controller:type=ControllerStats        UncleanLeaderElectionsPerSec (meter) and one
 *     <State>RateAndTimeMs timer per controller state (processing time of its events); an event
 *     with no Kafka state gets <EventName>RateAndTimeMs
 *   kafka.controller:type=ControllerEventManager EventQueueSize (gauge), EventQueueTimeMs (histogram)
 */
export function registerControllerStats(registry: MetricsRegistry, source: ControllerStatsSource): ControllerObserver {
  const { context } = source;
  const k = registry.group('kafka.controller', 'KafkaController');
  const ifActive = (read: () => number) => () => (source.isActive() ? read() : 0);
  const stateValue = new Map(CONTROLLER_STATES.map(([s, v]) => [s, v]));
  k.gauge('ActiveControllerCount', () => (source.isActive() ? 1 : 0));
  k.gauge('OfflinePartitionsCount', ifActive(() => context.offlinePartitionCount));
  k.gauge('PreferredReplicaImbalanceCount', ifActive(() => preferredReplicaImbalanceCount(context)));
  k.gauge('ControllerState', () => stateValue.get(EVENT_STATES[source.currentEvent()] ?? 'Idle') ?? 0);
  k.gauge('GlobalTopicCount', ifActive(() => context.allTopics.size));
  k.gauge('GlobalPartitionCount', ifActive(() => context.allPartitions.length));
  k.gauge('TopicsToDeleteCount', ifActive(() => context.topicsToBeDeleted.size));
  k.gauge('ReplicasToDeleteCount', ifActive(() => replicasToDelete(context, false)));
  k.gauge('TopicsIneligibleToDeleteCount', ifActive(() => context.topicsIneligibleForDeletion.size));
  k.gauge('ReplicasIneligibleToDeleteCount', ifActive(() => replicasToDelete(context, true)));

  const stats = registry.group('kafka.controller', 'ControllerStats');
  const unclean: Meter = stats.meter('UncleanLeaderElectionsPerSec', 'elections');
  const timers = new Map<string, Timer>();
  for (const [state, , timer] of CONTROLLER_STATES) if (timer !== null) timers.set(state, stats.timer(timer));
  const timerOf = (eventName: string): Timer | null => {
    const state = EVENT_STATES[eventName];
    if (state !== undefined) return timers.get(state) ?? null;
    let t = timers.get(eventName);
    if (t === undefined) {
      t = stats.timer(`${eventName}RateAndTimeMs`);
      timers.set(eventName, t);
    }
    return t;
  };

  const events = registry.group('kafka.controller', 'ControllerEventManager');
  events.gauge('EventQueueSize', () => source.queueSize());
  const queueTime: Histogram = events.histogram('EventQueueTimeMs');

  return (n: ControllerNotification) => {
    switch (n.type) {
      case 'EventProcessed':
        queueTime.update(Math.round(n.queueTimeMs));
        timerOf(n.name)?.update(n.processingTimeMs);
        return;
      case 'LeaderElection':
        if (isUncleanElection(n)) unclean.mark(1);
        return;
    }
  };
}

/** An offline election that chose a leader outside the previous ISR (Kafka marks it in leaderForOffline). */
export function isUncleanElection(n: Extract<ControllerNotification, { type: 'LeaderElection' }>): boolean {
  return n.trigger.startsWith('OfflinePartition') && n.previousIsr !== undefined && !n.previousIsr.includes(n.leaderAndIsr.leader);
}

/** Partitions led by another replica than their preferred (first) one, deletions excluded. */
function preferredReplicaImbalanceCount(context: ControllerContext): number {
  let n = 0;
  for (const tp of context.partitionsWithLeaders) {
    const leader = context.partitionLeadership(tp)?.leaderAndIsr.leader;
    if (leader !== undefined && context.partitionReplicaAssignment(tp)[0] !== leader) n++;
  }
  return n;
}

function replicasToDelete(context: ControllerContext, ineligibleOnly: boolean): number {
  let n = 0;
  for (const topic of context.topicsToBeDeleted) {
    for (const r of context.replicasForTopic(topic)) {
      const s = context.replicaState(r);
      if (ineligibleOnly ? s === 'ReplicaDeletionIneligible' : s !== 'ReplicaDeletionSuccessful') n++;
    }
  }
  return n;
}
