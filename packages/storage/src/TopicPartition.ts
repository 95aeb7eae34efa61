/** A partition of a topic; its string form `<topic>-<partition>` is also its directory's name. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function topicPartition(topic: string, partition: number): TopicPartition {
  return { topic, partition };
}

/** `<topic>-<partition>`, Kafka's TopicPartition.toString and log directory name. */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Parses `<topic>-<partition>` (the last dash separates); null when it is not one. */
export function parseTopicPartitionKey(key: string): TopicPartition | null {
  const dash = key.lastIndexOf('-');
  if (dash <= 0 || dash === key.length - 1) return null;
  const p = key.slice(dash + 1);
  if (!/^\d+$/.test(p)) return null;
  const partition = Number(p);
  if (partition > 2147483647) return null;
  return { topic: key.slice(0, dash), partition };
}
