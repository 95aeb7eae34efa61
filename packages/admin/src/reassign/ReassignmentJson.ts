import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import { UsageError } from '../cli/OptionParser';

/** One partition's replicas, as the reassignment JSON files carry them. */
export interface PartitionReplicas {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
}

export function sortPartitions<T extends TopicPartition>(parts: readonly T[]): T[] {
  return [...parts].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/**
 * Kafka's formatAsReassignmentJson: version 1, partitions sorted by topic then partition, each
 * replica's log dir "any".
 */
export function formatAsReassignmentJson(parts: readonly PartitionReplicas[]): string {
  return JSON.stringify({
    version: 1,
    partitions: sortPartitions(parts).map((p) => ({
      topic: p.topic,
      partition: p.partition,
      replicas: [...p.replicas],
      log_dirs: p.replicas.map(() => 'any'),
    })),
  });
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} is not valid JSON`);
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * The --reassignment-json-file contents (Kafka parsePartitionReassignmentData), checked as Kafka
 * 2.x checks them: not empty, no duplicate partitions, no duplicate replicas within a partition.
 */
export function parseReassignmentJson(text: string): PartitionReplicas[] {
  const json = parseJson(text, 'Partition reassignment data file');
  const partitions = (json as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(partitions) || partitions.length === 0)
    throw new UsageError('Partition reassignment data file is empty');
  const parsed = partitions.map((p: unknown) => {
    const { topic, partition, replicas } = (p ?? {}) as Record<string, unknown>;
    if (typeof topic !== 'string' || !isInt(partition) || !Array.isArray(replicas) || !replicas.every(isInt))
      throw new UsageError(`Invalid partition in reassignment data: ${JSON.stringify(p)}`);
    return { topic, partition, replicas: replicas as number[] };
  });
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const p of parsed) (seen.has(topicPartitionKey(p)) ? duplicates : seen).add(topicPartitionKey(p));
  if (duplicates.size > 0)
    throw new UsageError(`Partition reassignment contains duplicate topic partitions: ${[...duplicates].join(',')}`);
  const withDuplicateReplicas = parsed.filter((p) => new Set(p.replicas).size !== p.replicas.length);
  if (withDuplicateReplicas.length > 0)
    throw new UsageError(
      `Partition replica lists may not contain duplicate entries: ${withDuplicateReplicas
        .map((p) => `${topicPartitionKey(p)} contains multiple entries for ${p.replicas.filter((r, i) => p.replicas.indexOf(r) !== i).join(',')}`)
        .join('. ')}`,
    );
  if (parsed.some((p) => p.replicas.length === 0))
    throw new UsageError('Partition replica list cannot be empty');
  return parsed;
}

/** The --topics-to-move-json-file contents: {"topics":[{"topic":"foo"}],"version":1}. */
export function parseTopicsToMoveJson(text: string): string[] {
  const json = parseJson(text, 'Topics to move file');
  const topics = (json as { topics?: unknown } | null)?.topics;
  if (!Array.isArray(topics)) throw new UsageError('Topics to move file has no "topics" list');
  const names = topics.map((t: unknown) => {
    const topic = (t as { topic?: unknown } | null)?.topic;
    if (typeof topic !== 'string') throw new UsageError(`Invalid topic entry: ${JSON.stringify(t)}`);
    return topic;
  });
  const duplicates = names.filter((t, i) => names.indexOf(t) !== i);
  if (duplicates.length > 0)
    throw new UsageError(`List of topics to reassign contains duplicate entries: ${[...new Set(duplicates)].join(',')}`);
  return names;
}

/** --broker-list 0,1,2 */
export function parseBrokerList(text: string): number[] {
  const ids = text.split(',').map((s) => s.trim());
  if (ids.some((s) => !/^\d+$/.test(s))) throw new UsageError(`Invalid broker list: ${text}`);
  const numbers = ids.map(Number);
  const duplicates = numbers.filter((b, i) => numbers.indexOf(b) !== i);
  if (duplicates.length > 0)
    throw new UsageError(`Broker list contains duplicate entries: ${[...new Set(duplicates)].join(',')}`);
  return numbers;
}
