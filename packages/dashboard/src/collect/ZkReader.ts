import { type TopicPartition } from '@samsa/common';
import { BrokerIdZNode, type KafkaZkClient } from '@samsa/zk';
import type { PartitionSnapshot, RegisteredBroker, ZkSnapshot } from '../model/snapshots';

/** The read-only part of KafkaZkClient the dashboard uses (tests pass an in-memory fake). */
export type ZkSource = Pick<
  KafkaZkClient,
  | 'getSortedBrokerList'
  | 'getDataAndStat'
  | 'getControllerId'
  | 'getControllerEpoch'
  | 'getAllTopicsInCluster'
  | 'getReplicaAssignmentAndTopicIdForTopics'
  | 'getTopicPartitionStates'
  | 'getTopicDeletions'
>;

/**
 * Reads the cluster as ZooKeeper holds it, in one round: registered brokers (/brokers/ids, with
 * their endpoints and metrics port), the controller and its epoch, every topic's assignment and
 * partition states, and topics marked for deletion. Paths and JSON come from @samsa/zk only.
 */
export async function readZkSnapshot(zk: ZkSource, nowMs: () => number = Date.now): Promise<ZkSnapshot> {
  const [brokers, controllerId, controllerEpoch, topicNames, deletions] = await Promise.all([
    readBrokers(zk),
    zk.getControllerId(),
    zk.getControllerEpoch(),
    zk.getAllTopicsInCluster(),
    zk.getTopicDeletions(),
  ]);
  const names = [...topicNames].sort();
  const assignments = await zk.getReplicaAssignmentAndTopicIdForTopics(names);
  const partitions: TopicPartition[] = assignments.flatMap((t) =>
    [...t.partitions.keys()].sort((a, b) => a - b).map((partition) => ({ topic: t.topic, partition })),
  );
  const states = await zk.getTopicPartitionStates(partitions);
  const topics = assignments.map((t) => ({
    name: t.topic,
    partitions: [...t.partitions]
      .sort(([a], [b]) => a - b)
      .map(([partition, assignment]): PartitionSnapshot => {
        const state = states.get({ topic: t.topic, partition });
        return {
          topic: t.topic,
          partition,
          replicas: assignment.replicas,
          leader: state?.leaderAndIsr.leader ?? -1,
          leaderEpoch: state?.leaderAndIsr.leaderEpoch ?? null,
          isr: state?.leaderAndIsr.isr ?? [],
        };
      }),
  }));
  return {
    readAtMs: nowMs(),
    brokers,
    controllerId,
    controllerEpoch: controllerEpoch?.epoch ?? null,
    topics,
    topicsMarkedForDeletion: [...deletions].sort(),
  };
}

/** Registered brokers; one that deregisters between the list and its read is left out. */
async function readBrokers(zk: ZkSource): Promise<RegisteredBroker[]> {
  const ids = await zk.getSortedBrokerList();
  const registrations = await Promise.all(
    ids.map(async (id) => {
      const { data, stat } = await zk.getDataAndStat(BrokerIdZNode.path(id));
      return stat === null ? null : BrokerIdZNode.decode(id, data);
    }),
  );
  return registrations.flatMap((info) => {
    if (info === null) return [];
    const endPoint = info.broker.endPoints[0];
    return [
      {
        id: info.broker.id,
        host: endPoint?.host ?? '',
        port: endPoint?.port ?? -1,
        rack: info.broker.rack,
        jmxPort: info.jmxPort,
      },
    ];
  });
}
