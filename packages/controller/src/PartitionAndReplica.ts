import { topicPartitionKey, type TopicPartition } from '@samsa/common';

/** One replica of one partition: the unit the replica state machine moves (Kafka PartitionAndReplica). */
export interface PartitionAndReplica {
  readonly topicPartition: TopicPartition;
  readonly replica: number;
}

export function partitionAndReplica(topicPartition: TopicPartition, replica: number): PartitionAndReplica {
  return { topicPartition: { topic: topicPartition.topic, partition: topicPartition.partition }, replica };
}

/** `[Topic=T,Partition=0,Replica=1]`, Kafka's PartitionAndReplica.toString. */
export function describeReplica(r: PartitionAndReplica): string {
  return `[Topic=${r.topicPartition.topic},Partition=${r.topicPartition.partition},Replica=${r.replica}]`;
}

/** Topic names cannot contain ':', so this key is unique per (topic, partition, replica). */
function key(r: PartitionAndReplica): string {
  return `${r.replica}:${topicPartitionKey(r.topicPartition)}`;
}

/** A Map keyed by PartitionAndReplica value; iterates in insertion order. */
export class PartitionAndReplicaMap<V> implements Iterable<[PartitionAndReplica, V]> {
  private readonly byKey = new Map<string, [PartitionAndReplica, V]>();

  get size(): number {
    return this.byKey.size;
  }

  get(r: PartitionAndReplica): V | undefined {
    return this.byKey.get(key(r))?.[1];
  }

  has(r: PartitionAndReplica): boolean {
    return this.byKey.has(key(r));
  }

  set(r: PartitionAndReplica, value: V): this {
    this.byKey.set(key(r), [partitionAndReplica(r.topicPartition, r.replica), value]);
    return this;
  }

  delete(r: PartitionAndReplica): boolean {
    return this.byKey.delete(key(r));
  }

  clear(): void {
    this.byKey.clear();
  }

  keys(): PartitionAndReplica[] {
    return [...this.byKey.values()].map(([r]) => r);
  }

  [Symbol.iterator](): Iterator<[PartitionAndReplica, V]> {
    return this.byKey.values();
  }
}

/** Groups replicas by broker id, keeping their order (state changes go broker by broker, as Kafka's). */
export function groupByReplica(replicas: readonly PartitionAndReplica[]): Map<number, PartitionAndReplica[]> {
  const groups = new Map<number, PartitionAndReplica[]>();
  for (const r of replicas) {
    const list = groups.get(r.replica);
    if (list === undefined) groups.set(r.replica, [r]);
    else list.push(r);
  }
  return groups;
}

/** Removes duplicates (by value), keeping the first of each. */
export function distinctReplicas(replicas: Iterable<PartitionAndReplica>): PartitionAndReplica[] {
  const seen = new Set<string>();
  const out: PartitionAndReplica[] = [];
  for (const r of replicas) {
    const k = key(r);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}
