/**
 * @samsa/common — the few concepts every package shares, each with one home: the Logger interface,
 * the injectable clock (Time), and TopicPartition with its key and keyed map. No I/O but stderr.
 */
export { consoleLogger, MemoryLogger, type Logger } from './Logger';
export { SystemTime, MockTime, type Time } from './Time';
export {
  topicPartition,
  topicPartitionKey,
  parseTopicPartitionKey,
  TopicPartitionMap,
  type TopicPartition,
} from './TopicPartition';
