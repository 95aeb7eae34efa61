/**
 * @samsa/admin — the command-line tools, named as Kafka's:
 * kafka-topics, kafka-consumer-groups and kafka-dump-log.
 */
export { OptionParser, ParsedOptions, UsageError } from './cli/OptionParser';
export { TopicOutput, describeLines, type DescribeFilter } from './topics/TopicOutput';
export * from './topics/TopicCommandOptions';
export { ZkTopicService, type TopicService, type LineSink } from './topics/ZkTopicService';
export { AdminClientTopicService, topicDescriptions } from './topics/AdminClientTopicService';
export * from './topics/TopicCommand';
export { runConsumerGroupCommand, type ConsumerGroupCommandDeps } from './groups/ConsumerGroupCommand';
export type { GroupAdmin } from './groups/GroupAdmin';
export { runAclCommand, resourceToAcls, type AclBackend, type AclCommandDeps } from './acls/AclCommand';
