import type { ControlledShutdownEvent } from './ControlledShutdown';
import type { BatchResponseEvent } from './ControllerBrokerRequestBatch';
import type { PartitionReassignmentEvent } from './PartitionReassignment';
import type { AutoPreferredReplicaLeaderElectionEvent, ElectLeadersEvent } from './PreferredReplicaElection';

/**
 * Everything that can happen to the controller, as events on its one queue (Kafka's ControllerEvent
 * case classes). ZooKeeper watches produce payload-less events: processing re-reads ZooKeeper.
 * The name is also the event's timing metric.
 */
export type ControllerEvent =
  /** Watch /controller and try to become controller. */
  | { readonly name: 'Startup' }
  /** /controller was created or changed: resign if it is no longer us. */
  | { readonly name: 'ControllerChange' }
  /** /controller was deleted: resign if needed, then try to become controller. */
  | { readonly name: 'Reelect' }
  /** The ZooKeeper session expired: resign (put with clearAndPut). */
  | { readonly name: 'Expire' }
  /** A new session is up: let the broker re-register, then re-elect. */
  | { readonly name: 'RegisterBrokerAndReelect' }
  | { readonly name: 'BrokerChange' }
  | { readonly name: 'BrokerModifications'; readonly brokerId: number }
  | { readonly name: 'TopicChange' }
  | { readonly name: 'PartitionModifications'; readonly topic: string }
  | { readonly name: 'TopicDeletion' }
  | { readonly name: 'IsrChangeNotification' }
  | { readonly name: 'LogDirEventNotification' }
  /** /admin/reassign_partitions was created: start the reassignments it lists. */
  | { readonly name: 'ZkPartitionReassignment' }
  /** AlterPartitionReassignments / ListPartitionReassignments callers, ISR re-checks. */
  | PartitionReassignmentEvent
  /** /admin/preferred_replica_election was created: elect the listed preferred replicas. */
  | { readonly name: 'ReplicaLeaderElection' }
  /** The ElectLeaders API: elect, answer the waiting request. */
  | ElectLeadersEvent
  /** The leader-imbalance timer fired. */
  | AutoPreferredReplicaLeaderElectionEvent
  /** A broker asks to shut down: move its leaderships away, answer its waiting request. */
  | ControlledShutdownEvent
  | BatchResponseEvent;

export type ControllerEventName = ControllerEvent['name'];
