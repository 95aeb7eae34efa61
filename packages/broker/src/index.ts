/** @samsa/broker — the broker process. Grows with the first-working-cluster issue. */
export { KafkaConfig, ConfigError, configFromEnv, envNameToKey, type LoadOptions } from './config/KafkaConfig';
export { BROKER_CONFIGS, type ConfigDef, type ConfigType } from './config/definitions';
export { formatProperties, parseProperties, type PropertyEntry } from './config/properties';
export { Logging, kafkaTimestamp, type LoggingOptions } from './log/logging';
export { KafkaServer, FatalStartupError } from './server/KafkaServer';
export { MetadataCache } from './metadata/MetadataCache';
export { ReplicaManager } from './replica/ReplicaManager';
