/**
 * The controller's requests as data (Kafka's org.apache.kafka.common.requests): each builds the body
 * of any version from version-independent content and reads a decoded body of any version back.
 */
export { type ControlRequestHeader, UNKNOWN_BROKER_EPOCH } from './AbstractControlRequest';
export * from './LeaderAndIsrRequest';
export * from './LeaderAndIsrResponse';
export * from './UpdateMetadataRequest';
export * from './StopReplicaRequest';
export * from './StopReplicaResponse';
export * from './ProduceResponse';
