/**
 * A partition of a topic (Kafka's `org.apache.kafka.common.TopicPartition`). Its string form
 * `<topic>-<partition>` is also its log directory's name. Build keys with `topicPartitionKey`, never
 * by hand, and key maps with `TopicPartitionMap`.
 */
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

/**
 * A Map keyed by TopicPartition value (Kafka's `Map[TopicPartition, V]`); a JS Map would compare
 * key objects by identity. Iterates in insertion order.
 */
export class TopicPartitionMap<V> implements Iterable<[TopicPartition, V]> {
  private readonly entriesByKey = new Map<string, [TopicPartition, V]>();

  constructor(entries?: Iterable<readonly [TopicPartition, V]>) {
    if (entries !== undefined) for (const [tp, v] of entries) this.set(tp, v);
  }

  get size(): number {
    return this.entriesByKey.size;
  }

  get(tp: TopicPartition): V | undefined {
    return this.entriesByKey.get(topicPartitionKey(tp))?.[1];
  }

  has(tp: TopicPartition): boolean {
    return this.entriesByKey.has(topicPartitionKey(tp));
  }

  set(tp: TopicPartition, value: V): this {
    this.entriesByKey.set(topicPartitionKey(tp), [{ topic: tp.topic, partition: tp.partition }, value]);
    return this;
  }

  delete(tp: TopicPartition): boolean {
    return this.entriesByKey.delete(topicPartitionKey(tp));
  }

  keys(): TopicPartition[] {
    return [...this.entriesByKey.values()].map(([tp]) => tp);
  }

  values(): V[] {
    return [...this.entriesByKey.values()].map(([, v]) => v);
  }

  entries(): Array<[TopicPartition, V]> {
    return [...this.entriesByKey.values()];
  }

  [Symbol.iterator](): Iterator<[TopicPartition, V]> {
    return this.entriesByKey.values();
  }
}
