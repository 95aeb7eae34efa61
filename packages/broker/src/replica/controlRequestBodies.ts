import type { Struct } from '@samsa/protocol';
import type { LeaderAndIsrState } from './Partition';

/**
 * The controller's request bodies in every version's layout, flattened to what ReplicaManager
 * works on, and the LeaderAndIsr response in both layouts (a flat list up to v4, by topic in v5).
 */
export interface FlatLeaderAndIsr {
  readonly topic: string;
  readonly partition: number;
  readonly state: LeaderAndIsrState;
}

/** LeaderAndIsr v0–1 lists partitions ungrouped; v2+ groups them by topic. */
export function flattenLeaderAndIsr(body: Struct): FlatLeaderAndIsr[] {
  const out: FlatLeaderAndIsr[] = [];
  const one = (topic: string, p: Struct) =>
    out.push({
      topic,
      partition: p.partitionIndex,
      state: {
        controllerEpoch: p.controllerEpoch,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        isr: p.isr,
        zkVersion: p.zkVersion,
        replicas: p.replicas,
        isNew: !!p.isNew,
      },
    });
  for (const p of (body.ungroupedPartitionStates ?? []) as Struct[]) one(p.topicName, p);
  for (const t of (body.topicStates ?? []) as Struct[]) for (const p of t.partitionStates as Struct[]) one(t.topicName, p);
  return out;
}

export function leaderAndIsrResponse(errorCode: number, results: readonly { topic: string; partition: number; errorCode: number }[]): Struct {
  const byTopic = new Map<string, Struct[]>();
  for (const r of results) {
    let list = byTopic.get(r.topic);
    if (!list) byTopic.set(r.topic, (list = []));
    list.push({ topicName: r.topic, partitionIndex: r.partition, errorCode: r.errorCode });
  }
  return {
    errorCode,
    // v0–4: one flat list; v5: grouped by topic id (topic ids are not used by our controller yet)
    partitionErrors: results.map((r) => ({ topicName: r.topic, partitionIndex: r.partition, errorCode: r.errorCode })),
    topics: [...byTopic.values()].map((partitionErrors) => ({ partitionErrors })),
  };
}

/** StopReplica v0 ungrouped, v1–2 by topic with one delete flag, v3 per-partition delete flags. */
export function flattenStopReplica(body: Struct): { topic: string; partition: number; deletePartition: boolean }[] {
  const out: { topic: string; partition: number; deletePartition: boolean }[] = [];
  for (const p of (body.ungroupedPartitions ?? []) as Struct[]) {
    out.push({ topic: p.topicName, partition: p.partitionIndex, deletePartition: !!body.deletePartitions });
  }
  for (const t of (body.topics ?? []) as Struct[]) {
    for (const i of t.partitionIndexes as number[]) out.push({ topic: t.name, partition: i, deletePartition: !!body.deletePartitions });
  }
  for (const t of (body.topicStates ?? []) as Struct[]) {
    for (const p of t.partitionStates as Struct[]) {
      out.push({ topic: t.topicName, partition: p.partitionIndex, deletePartition: !!p.deletePartition });
    }
  }
  return out;
}
