import type { PartitionDescription, TopicDescription } from '@samsa/admin-zk';

/**
 * What kafka-topics prints, in ONE style: Kafka 2.1's, byte for byte as captured from a Kafka 2.1.1
 * cluster (reference/kafka-2.1-samples/topics-cli.txt), in both --zookeeper and --bootstrap-server
 * mode. (Kafka 2.5+ would print `Created topic T.` and `Topic: T<TAB>PartitionCount: 3…`.)
 *
 *   Created topic "T".
 *   Topic:T<TAB>PartitionCount:3<TAB>ReplicationFactor:3<TAB>Configs:k=v,k2=v2[<TAB>MarkedForDeletion:true]
 *   <TAB>Topic: T<TAB>Partition: 0<TAB>Leader: 0<TAB>Replicas: 0,1,2<TAB>Isr: 0,1,2
 *   T - marked for deletion                      (--list)
 *   Topic T is marked for deletion.
 *   Note: This will have no impact if delete.topic.enable is not set to true.
 */
export const TopicOutput = {
  created: (topic: string): string => `Created topic "${topic}".`,
  collisionWarning:
    "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.",
  messageFormatVersionWarning: (value: string): string =>
    `WARNING: The configuration message.format.version=${value} is specified. ` +
    `This configuration will be ignored if the version is newer than the inter.broker.protocol.version specified in the broker.`,
  alterConfigWarning: [
    'WARNING: Altering topic configuration from this script has been deprecated and may be removed in future releases.',
    '         Going forward, please use kafka-configs.sh for this functionality',
  ],
  updatedConfig: (topic: string): string => `Updated config for topic "${topic}".`,
  partitionsWarning:
    'WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected',
  partitionsAdded: 'Adding partitions succeeded!',
  listed: (topic: string, markedForDeletion: boolean): string =>
    markedForDeletion ? `${topic} - marked for deletion` : topic,
  markedForDeletion: (topic: string): string[] => [
    `Topic ${topic} is marked for deletion.`,
    'Note: This will have no impact if delete.topic.enable is not set to true.',
  ],
  alreadyMarkedForDeletion: (topic: string): string => `Topic ${topic} is already marked for deletion.`,

  topicLine(topic: TopicDescription): string {
    const configs = [...topic.configs].map(([k, v]) => `${k}=${v}`).join(',');
    const replicationFactor = topic.partitions.length > 0 ? topic.partitions[0].replicas.length : 0;
    return (
      `Topic:${topic.topic}\tPartitionCount:${topic.partitions.length}\tReplicationFactor:${replicationFactor}` +
      `\tConfigs:${configs}${topic.markedForDeletion ? '\tMarkedForDeletion:true' : ''}`
    );
  },

  partitionLine(topic: string, p: PartitionDescription, markedForDeletion = false): string {
    return (
      `\tTopic: ${topic}\tPartition: ${p.partition}\tLeader: ${p.leader === null ? 'none' : p.leader}` +
      `\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}` +
      (markedForDeletion ? '\tMarkedForDeletion: true' : '')
    );
  },
};

export interface DescribeFilter {
  /** --under-replicated-partitions: only partitions whose ISR is smaller than their replicas. */
  readonly underReplicated: boolean;
  /** --unavailable-partitions: only partitions without a live leader. */
  readonly unavailable: boolean;
  /** --topics-with-overrides: only topics with config overrides, no partitions. */
  readonly topicsWithOverrides: boolean;
}

/** Kafka 2.1 TopicCommand.describeTopic's lines for the given topics. */
export function describeLines(
  topics: readonly TopicDescription[],
  filter: DescribeFilter,
  liveBrokers: ReadonlySet<number>,
): string[] {
  const describeConfigs = !filter.unavailable && !filter.underReplicated;
  const describePartitions = !filter.topicsWithOverrides;
  const lines: string[] = [];
  for (const topic of topics) {
    if (describeConfigs && (!filter.topicsWithOverrides || topic.configs.size > 0))
      lines.push(TopicOutput.topicLine(topic));
    if (!describePartitions) continue;
    for (const p of topic.partitions) {
      const show =
        (!filter.underReplicated && !filter.unavailable) ||
        (filter.underReplicated && p.isr.length < p.replicas.length) ||
        (filter.unavailable && (p.leader === null || !liveBrokers.has(p.leader)));
      if (show)
        lines.push(TopicOutput.partitionLine(topic.topic, p, topic.markedForDeletion && !describeConfigs));
    }
  }
  return lines;
}
