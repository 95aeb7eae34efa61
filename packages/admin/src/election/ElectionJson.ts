import { topicPartitionKey, type TopicPartition } from '@samsa/common';

/**
 * The partitions file of kafka-preferred-replica-election and kafka-leader-election:
 * `{"partitions":[{"topic":"foo","partition":1}]}` (Kafka's parse(Preferred)ReplicaElectionData).
 * Errors are Kafka's messages; `prefix` is "Preferred replica election" or "Replica election".
 */
export function parseElectionJson(json: string, prefix: string): TopicPartition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`${prefix} data is empty`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${prefix} data is empty`);
  const list = (parsed as Record<string, unknown>).partitions;
  if (list === undefined)
    throw new Error(
      prefix === 'Replica election' ? `${prefix} data is missing "partitions" field` : `${prefix} data is empty`,
    );
  if (!Array.isArray(list)) throw new Error(`${prefix} data: "partitions" is not an array`);
  const partitions = list.map((p: unknown) => {
    const entry = (p ?? {}) as Record<string, unknown>;
    if (typeof entry.topic !== 'string' || entry.topic.length === 0)
      throw new Error(`${prefix} data: every entry needs a "topic" string, got ${JSON.stringify(p)}`);
    if (!Number.isInteger(entry.partition) || (entry.partition as number) < 0)
      throw new Error(`${prefix} data: every entry needs a non-negative integer "partition", got ${JSON.stringify(p)}`);
    return { topic: entry.topic, partition: entry.partition as number };
  });
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const tp of partitions) {
    const key = topicPartitionKey(tp);
    if (seen.has(key)) duplicates.add(key);
    seen.add(key);
  }
  if (duplicates.size > 0)
    throw new Error(`${prefix} data contains duplicate partitions: ${[...duplicates].join(',')}`);
  return partitions;
}
