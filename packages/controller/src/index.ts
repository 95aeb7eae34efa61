/**
 * @samsa/controller — the Kafka controller in ZooKeeper mode. The broker embeds it (broker →
 * controller); it never touches a log.
 */
export { KafkaController } from './KafkaController';
export * from './ControllerMetrics';
export { controllerConfig, type ControllerConfig, type KafkaControllerOptions } from './ControllerConfig';
export * from './ControllerNotification';
export type { ControllerEvent, ControllerEventName } from './ControllerEvent';
export * from './ControllerEventManager';
export * from './ControllerContext';
export * from './PartitionAndReplica';
export * from './PartitionState';
export * from './ReplicaState';
export * from './Election';
export * from './ControlledShutdown';
export * from './PartitionReassignment';
export * from './PreferredReplicaElection';
export * from './PartitionStateMachine';
export * from './ReplicaStateMachine';
export * from './TopicDeletionManager';
export * from './StateChangeLogger';
export * from './ControlRequests';
export * from './ControllerChannelManager';
export * from './ControllerBrokerRequestBatch';
