import { BrokersZNode } from './BrokerInfo';
import { JsonReader, jsonBytes, obj } from './json';
import type { TopicPartition } from '@samsa/common';
import { ZkDataError } from './ZkErrors';

/**
 * Part of the ZkData module (see ZkData.ts): topics, their partitions and partition states,
 * /brokers/topics/<topic>[/partitions/<p>[/state]].
 */

/** A partition's replicas, with those being added and removed by a reassignment (KIP-455). */
export interface ReplicaAssignment {
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export function replicaAssignment(
  replicas: readonly number[],
  addingReplicas: readonly number[] = [],
  removingReplicas: readonly number[] = [],
): ReplicaAssignment {
  return { replicas, addingReplicas, removingReplicas };
}

/** The content of /brokers/topics/<topic>: partition number → assignment. */
export interface TopicIdReplicaAssignment {
  readonly topic: string;
  /** Kafka 2.8's topic id (base64 UUID), when the znode has one. */
  readonly topicId: string | null;
  readonly partitions: ReadonlyMap<number, ReplicaAssignment>;
}

export const TopicsZNode = {
  path: (): string => `${BrokersZNode.path()}/topics`,
};

export const TopicZNode = {
  path: (topic: string): string => `${TopicsZNode.path()}/${topic}`,

  /**
   * Version 2 (Kafka 2.4–2.7): {"version":2,"partitions":{…},"adding_replicas":{…},"removing_replicas":{…}},
   * the last two listing only partitions that have some. With a topic id: version 3 as Kafka 2.8
   * writes it (its Scala 2.13 hash-map order).
   */
  encode(
    partitions: ReadonlyMap<number, ReplicaAssignment>,
    { topicId }: { topicId?: string | null } = {},
  ): Buffer {
    const sorted = [...partitions].sort(([a], [b]) => a - b);
    const replicas = obj(sorted.map(([p, a]) => [String(p), a.replicas]));
    const adding = obj(
      sorted.filter(([, a]) => a.addingReplicas.length > 0).map(([p, a]) => [String(p), a.addingReplicas]),
    );
    const removing = obj(
      sorted
        .filter(([, a]) => a.removingReplicas.length > 0)
        .map(([p, a]) => [String(p), a.removingReplicas]),
    );
    if (topicId === undefined || topicId === null) {
      return jsonBytes(
        obj([
          ['version', 2],
          ['partitions', replicas],
          ['adding_replicas', adding],
          ['removing_replicas', removing],
        ]),
      );
    }
    return jsonBytes(
      obj([
        ['partitions', replicas],
        ['removing_replicas', removing],
        ['topic_id', topicId],
        ['adding_replicas', adding],
        ['version', 3],
      ]),
    );
  },

  /** Reads versions 1, 2 and 3 (Kafka TopicZNode.decode). */
  decode(topic: string, bytes: Buffer | null): TopicIdReplicaAssignment {
    const what = TopicZNode.path(topic);
    const js = JsonReader.of(bytes, what);
    const partitionsJs = js.optObject('partitions');
    const adding = js.optObject('adding_replicas');
    const removing = js.optObject('removing_replicas');
    const partitions = new Map<number, ReplicaAssignment>();
    for (const key of partitionsJs?.keys() ?? []) {
      if (!/^\d+$/.test(key)) throw new ZkDataError(`${what}: partition "${key}" is not a number`);
      partitions.set(
        Number(key),
        replicaAssignment(
          partitionsJs!.intArray(key),
          adding?.has(key) ? adding.intArray(key) : [],
          removing?.has(key) ? removing.intArray(key) : [],
        ),
      );
    }
    return { topic, topicId: js.optString('topic_id') ?? null, partitions };
  },
};

export const TopicPartitionsZNode = {
  path: (topic: string): string => `${TopicZNode.path(topic)}/partitions`,
};

export const TopicPartitionZNode = {
  path: (tp: TopicPartition): string => `${TopicPartitionsZNode.path(tp.topic)}/${tp.partition}`,
};

/** A partition's leader, leader epoch and ISR, with the version of the state znode they came from. */
export interface LeaderAndIsr {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** Version of the state znode this was read from or written as; the next write is conditional on it. */
  readonly zkVersion: number;
}

export const LeaderAndIsrConstants = {
  NoLeader: -1,
  LeaderDuringDelete: -2,
  InitialLeaderEpoch: 0,
  InitialZkVersion: 0,
} as const;

export interface LeaderIsrAndControllerEpoch {
  readonly leaderAndIsr: LeaderAndIsr;
  /** Epoch of the controller that wrote the state. */
  readonly controllerEpoch: number;
}

export const TopicPartitionStateZNode = {
  path: (tp: TopicPartition): string => `${TopicPartitionZNode.path(tp)}/state`,
  /** Five keys in a Scala immutable HashMap: this is its order (matches the 2.1 captures). */
  encode: (state: LeaderIsrAndControllerEpoch): Buffer =>
    jsonBytes(
      obj([
        ['controller_epoch', state.controllerEpoch],
        ['leader', state.leaderAndIsr.leader],
        ['version', 1],
        ['leader_epoch', state.leaderAndIsr.leaderEpoch],
        ['isr', state.leaderAndIsr.isr],
      ]),
    ),
  decode(
    bytes: Buffer | null,
    stat: { readonly version: number },
    what = 'partition state',
  ): LeaderIsrAndControllerEpoch {
    const js = JsonReader.of(bytes, what);
    return {
      leaderAndIsr: {
        leader: js.int('leader'),
        leaderEpoch: js.int('leader_epoch'),
        isr: js.intArray('isr'),
        zkVersion: stat.version,
      },
      controllerEpoch: js.int('controller_epoch'),
    };
  },
};
