import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { BrokerIdZNode, replicaAssignment, type Broker, type LeaderIsrAndControllerEpoch, type ZkStat } from '@samsa/zk';
import type { ZkSource } from '../collect/ZkReader';

/**
 * An in-memory cluster behind the ZkSource calls: brokers are stored as the registration bytes
 * BrokerIdZNode writes (so the reader's decode path is the real one), topics and partition states
 * as KafkaZkClient returns them. `fail` makes every call reject; `hang` makes every call wait forever.
 */
export class FakeZkSource implements ZkSource {
  readonly registrations = new Map<number, Buffer>();
  readonly assignments = new Map<string, Map<number, number[]>>();
  readonly states = new TopicPartitionMap<LeaderIsrAndControllerEpoch>();
  readonly deletions = new Set<string>();
  controllerId: number | null = null;
  controllerEpoch: number | null = null;
  fail: Error | null = null;
  hang = false;

  registerBroker(id: number, port: number, jmxPort: number, host = '127.0.0.1'): void {
    const broker: Broker = {
      id,
      endPoints: [{ host, port, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' }],
      rack: null,
      features: {},
    };
    this.registrations.set(id, BrokerIdZNode.encode(broker, { jmxPort }));
  }

  createTopic(topic: string, replicas: number[][]): void {
    this.assignments.set(topic, new Map(replicas.map((r, p) => [p, r])));
    replicas.forEach((r, partition) => this.setState({ topic, partition }, r[0], r));
  }

  setState(tp: TopicPartition, leader: number, isr: number[], leaderEpoch = 0): void {
    this.states.set(tp, { leaderAndIsr: { leader, leaderEpoch, isr, zkVersion: 0 }, controllerEpoch: 1 });
  }

  private async answer<T>(value: () => T): Promise<T> {
    if (this.hang) return new Promise<T>(() => undefined);
    if (this.fail !== null) throw this.fail;
    return value();
  }

  getSortedBrokerList(): Promise<number[]> {
    return this.answer(() => [...this.registrations.keys()].sort((a, b) => a - b));
  }

  getDataAndStat(path: string): ReturnType<ZkSource['getDataAndStat']> {
    return this.answer(() => {
      const id = Number(path.substring(path.lastIndexOf('/') + 1));
      const data = path === BrokerIdZNode.path(id) ? this.registrations.get(id) : undefined;
      if (data === undefined) return { data: null, stat: null };
      return { data, stat: stat(0, data.length) };
    });
  }

  getControllerId(): Promise<number | null> {
    return this.answer(() => this.controllerId);
  }

  getControllerEpoch(): ReturnType<ZkSource['getControllerEpoch']> {
    return this.answer(() =>
      this.controllerEpoch === null
        ? null
        : { epoch: this.controllerEpoch, stat: stat(this.controllerEpoch, 1) },
    );
  }

  getAllTopicsInCluster(): Promise<Set<string>> {
    return this.answer(() => new Set(this.assignments.keys()));
  }

  getReplicaAssignmentAndTopicIdForTopics(
    topics: Iterable<string>,
  ): ReturnType<ZkSource['getReplicaAssignmentAndTopicIdForTopics']> {
    return this.answer(() =>
      [...topics].map((topic) => ({
        topic,
        topicId: null,
        partitions: new Map(
          [...(this.assignments.get(topic) ?? new Map<number, number[]>())].map(([p, r]) => [
            p,
            replicaAssignment(r),
          ]),
        ),
      })),
    );
  }

  getTopicPartitionStates(
    partitions: readonly TopicPartition[],
  ): ReturnType<ZkSource['getTopicPartitionStates']> {
    return this.answer(
      () =>
        new TopicPartitionMap(
          partitions.flatMap((tp) => (this.states.has(tp) ? [[tp, this.states.get(tp)!] as const] : [])),
        ),
    );
  }

  getTopicDeletions(): Promise<string[]> {
    return this.answer(() => [...this.deletions]);
  }
}

function stat(version: number, dataLength: number): ZkStat {
  const [czxid, mzxid, pzxid, ctime, mtime, cversion, aversion, numChildren] = [1, 1, 1, 0, 0, 0, 0, 0];
  return {
    czxid,
    mzxid,
    pzxid,
    ctime,
    mtime,
    version,
    cversion,
    aversion,
    ephemeralOwner: 0n,
    dataLength,
    numChildren,
  };
}
