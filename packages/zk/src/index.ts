/**
 * @samsa/zk — Kafka's ZooKeeper data model (ZkData: every path and its JSON) and a typed client
 * (KafkaZkClient) over node-zookeeper-client.
 */
export * from './BrokerInfo';
export * from './BrokerRegistration';
export * from './ZkData';
export * from './ZkErrors';
export * from './Topic';
export * from './requests';
export { javaPropertiesOrder, writeJson, type JsonValue } from './json';
export * from './ZooKeeperClient';
export { chrootOf, type KafkaZkClientOptions } from './KafkaZkClientBase';
export type { UpdateLeaderAndIsrOutcome, UpdateLeaderAndIsrResult } from './KafkaZkTopicClient';
export { KafkaZkClient } from './KafkaZkClient';
export type { RegisterBrokerOptions } from './KafkaZkClusterClient';
export * from './acl';
