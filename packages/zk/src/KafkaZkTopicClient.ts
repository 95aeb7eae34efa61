import type { KafkaZkClientOptions } from './KafkaZkClientBase';
import { KafkaZkClusterClient } from './KafkaZkClusterClient';
import { maybeThrow, type CreateResponse, type GetDataResponse, type SetDataResponse } from './requests';
import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import {
  TopicPartitionStateZNode,
  TopicPartitionsZNode,
  TopicPartitionZNode,
  TopicsZNode,
  TopicZNode,
  ZkVersion,
  type LeaderAndIsr,
  type LeaderIsrAndControllerEpoch,
  type ReplicaAssignment,
  type TopicIdReplicaAssignment,
} from './ZkData';
import { ControllerMovedError, ZkError } from './ZkErrors';
import type { ZooKeeperClient } from './ZooKeeperClient';

export type UpdateLeaderAndIsrOutcome =
  { readonly ok: true; readonly leaderAndIsr: LeaderAndIsr } | { readonly ok: false; readonly error: Error };

export interface UpdateLeaderAndIsrResult {
  /** Written (with the new zkVersion) or failed for a reason other than a stale version. */
  readonly finishedPartitions: TopicPartitionMap<UpdateLeaderAndIsrOutcome>;
  /** BADVERSION: someone else (the leader, changing its ISR) wrote first; re-read and retry. */
  readonly partitionsToRetry: TopicPartition[];
}

/** Topics, their assignments and partition states (see KafkaZkClusterClient for the layering). */
export class KafkaZkTopicClient extends KafkaZkClusterClient {
  constructor(zooKeeperClient: ZooKeeperClient, options: KafkaZkClientOptions = {}) {
    super(zooKeeperClient, options);
  }

  // ---- topics -----------------------------------------------------------------------------------

  async getAllTopicsInCluster({ registerWatch = false } = {}): Promise<Set<string>> {
    const response = await this.retryRequestUntilConnected({
      type: 'getChildren',
      path: TopicsZNode.path(),
      registerWatch,
    });
    if (response.code === 'NONODE') return new Set();
    maybeThrow(response);
    return new Set(response.children);
  }

  topicExists(topic: string): Promise<boolean> {
    return this.pathExists(TopicZNode.path(topic));
  }

  /** Each topic's assignment and id; a topic without a znode comes back with no partitions. */
  async getReplicaAssignmentAndTopicIdForTopics(
    topics: Iterable<string>,
  ): Promise<TopicIdReplicaAssignment[]> {
    const names = [...new Set(topics)];
    const responses = await this.retryRequestsUntilConnected(
      names.map((t) => ({ type: 'getData' as const, path: TopicZNode.path(t) })),
    );
    return responses.map((response, i) => {
      if (response.code === 'NONODE') return { topic: names[i], topicId: null, partitions: new Map() };
      maybeThrow(response);
      return TopicZNode.decode(names[i], response.data);
    });
  }

  async getFullReplicaAssignmentForTopics(
    topics: Iterable<string>,
  ): Promise<TopicPartitionMap<ReplicaAssignment>> {
    const result = new TopicPartitionMap<ReplicaAssignment>();
    for (const t of await this.getReplicaAssignmentAndTopicIdForTopics(topics)) {
      for (const [partition, assignment] of t.partitions)
        result.set({ topic: t.topic, partition }, assignment);
    }
    return result;
  }

  async getReplicaAssignmentForTopics(
    topics: Iterable<string>,
  ): Promise<TopicPartitionMap<readonly number[]>> {
    const full = await this.getFullReplicaAssignmentForTopics(topics);
    return new TopicPartitionMap(full.entries().map(([tp, a]) => [tp, a.replicas] as const));
  }

  /** topic → partition → assignment, for the topics that exist. */
  async getPartitionAssignmentForTopics(
    topics: Iterable<string>,
  ): Promise<Map<string, Map<number, ReplicaAssignment>>> {
    const found = await this.getReplicaAssignmentAndTopicIdForTopics(topics);
    return new Map(found.filter((t) => t.partitions.size > 0).map((t) => [t.topic, new Map(t.partitions)]));
  }

  async getTopicPartitionCount(topic: string): Promise<number | null> {
    const [t] = await this.getReplicaAssignmentAndTopicIdForTopics([topic]);
    return t.partitions.size > 0 ? t.partitions.size : null;
  }

  /** Every partition that has a partition znode (a topic being deleted may have none). */
  async getAllPartitions(): Promise<TopicPartition[]> {
    const topics = await this.getChildren(TopicsZNode.path());
    const perTopic = await Promise.all(
      topics.map(async (topic) =>
        (await this.getChildren(TopicPartitionsZNode.path(topic))).map((p) => ({
          topic,
          partition: Number(p),
        })),
      ),
    );
    return perTopic.flat();
  }

  /** Writes a new topic's /brokers/topics/<topic> (version 2; 3 with a topic id). NODEEXISTS if it exists. */
  async createTopicAssignment(
    topic: string,
    topicId: string | null,
    assignment: ReadonlyMap<number, readonly number[]>,
  ): Promise<void> {
    const partitions = new Map(
      [...assignment].map(([p, replicas]) => [p, { replicas, addingReplicas: [], removingReplicas: [] }]),
    );
    await this.createRecursive(TopicZNode.path(topic), TopicZNode.encode(partitions, { topicId }));
  }

  async setTopicAssignment(
    topic: string,
    topicId: string | null,
    assignment: ReadonlyMap<number, ReplicaAssignment>,
    expectedControllerEpochZkVersion: number = ZkVersion.MatchAnyVersion,
  ): Promise<void> {
    const request = {
      type: 'setData' as const,
      path: TopicZNode.path(topic),
      data: TopicZNode.encode(assignment, { topicId }),
      version: -1,
    };
    maybeThrow(await this.retryRequestUntilConnected(request, expectedControllerEpochZkVersion));
  }

  // ---- partition states -------------------------------------------------------------------------

  getTopicPartitionStatesRaw(partitions: readonly TopicPartition[]): Promise<GetDataResponse[]> {
    return this.retryRequestsUntilConnected(
      partitions.map((tp) => ({ type: 'getData' as const, path: TopicPartitionStateZNode.path(tp) })),
    );
  }

  /** Leader, ISR and epochs of each partition that has a state znode, with its zkVersion. */
  async getTopicPartitionStates(
    partitions: readonly TopicPartition[],
  ): Promise<TopicPartitionMap<LeaderIsrAndControllerEpoch>> {
    const responses = await this.getTopicPartitionStatesRaw(partitions);
    const states = new TopicPartitionMap<LeaderIsrAndControllerEpoch>();
    responses.forEach((response, i) => {
      if (response.code === 'NONODE') return;
      maybeThrow(response);
      states.set(
        partitions[i],
        TopicPartitionStateZNode.decode(response.data, response.stat!, response.path),
      );
    });
    return states;
  }

  async getTopicPartitionState(partition: TopicPartition): Promise<LeaderIsrAndControllerEpoch | null> {
    return (await this.getTopicPartitionStates([partition])).get(partition) ?? null;
  }

  /**
   * Creates the state znodes of new partitions (and their /partitions and /partitions/<p> parents),
   * every create fenced. Returns each state create's response (NODEEXISTS if it was there).
   */
  async createTopicPartitionStatesRaw(
    states: TopicPartitionMap<LeaderIsrAndControllerEpoch>,
    expectedControllerEpochZkVersion: number,
  ): Promise<TopicPartitionMap<CreateResponse>> {
    const partitions = states.keys();
    const create = (path: string, data: Buffer | null) => ({
      type: 'create' as const,
      path,
      data,
      mode: 'PERSISTENT' as const,
    });
    const topics = [...new Set(partitions.map((tp) => tp.topic))];
    await this.retryRequestsUntilConnected(
      topics.map((t) => create(TopicPartitionsZNode.path(t), null)),
      expectedControllerEpochZkVersion,
    );
    await this.retryRequestsUntilConnected(
      partitions.map((tp) => create(TopicPartitionZNode.path(tp), null)),
      expectedControllerEpochZkVersion,
    );
    const responses = await this.retryRequestsUntilConnected(
      states
        .entries()
        .map(([tp, state]) =>
          create(TopicPartitionStateZNode.path(tp), TopicPartitionStateZNode.encode(state)),
        ),
      expectedControllerEpochZkVersion,
    );
    return new TopicPartitionMap(responses.map((r, i) => [partitions[i], r] as const));
  }

  /** Writes state znodes conditionally on each state's zkVersion, fenced. */
  async setTopicPartitionStatesRaw(
    states: TopicPartitionMap<LeaderIsrAndControllerEpoch>,
    expectedControllerEpochZkVersion: number,
  ): Promise<TopicPartitionMap<SetDataResponse>> {
    const entries = states.entries();
    const responses = await this.retryRequestsUntilConnected(
      entries.map(([tp, state]) => ({
        type: 'setData' as const,
        path: TopicPartitionStateZNode.path(tp),
        data: TopicPartitionStateZNode.encode(state),
        version: state.leaderAndIsr.zkVersion,
      })),
      expectedControllerEpochZkVersion,
    );
    return new TopicPartitionMap(responses.map((r, i) => [entries[i][0], r] as const));
  }

  /**
   * The controller's leader/ISR writes (Kafka updateLeaderAndIsr): each conditional on the
   * zkVersion in its LeaderAndIsr, all fenced. ControllerMovedError propagates; any other failure
   * of the whole batch fails every partition.
   */
  async updateLeaderAndIsr(
    leaderAndIsrs: TopicPartitionMap<LeaderAndIsr>,
    controllerEpoch: number,
    expectedControllerEpochZkVersion: number,
  ): Promise<UpdateLeaderAndIsrResult> {
    const states = new TopicPartitionMap(
      leaderAndIsrs.entries().map(([tp, leaderAndIsr]) => [tp, { leaderAndIsr, controllerEpoch }] as const),
    );
    const finishedPartitions = new TopicPartitionMap<UpdateLeaderAndIsrOutcome>();
    const partitionsToRetry: TopicPartition[] = [];
    let responses: TopicPartitionMap<SetDataResponse>;
    try {
      responses = await this.setTopicPartitionStatesRaw(states, expectedControllerEpochZkVersion);
    } catch (error) {
      if (error instanceof ControllerMovedError) throw error;
      for (const tp of leaderAndIsrs.keys()) finishedPartitions.set(tp, { ok: false, error: error as Error });
      return { finishedPartitions, partitionsToRetry };
    }
    for (const [tp, response] of responses) {
      if (response.code === 'OK') {
        finishedPartitions.set(tp, {
          ok: true,
          leaderAndIsr: { ...leaderAndIsrs.get(tp)!, zkVersion: response.stat!.version },
        });
      } else if (response.code === 'BADVERSION') {
        partitionsToRetry.push(tp);
      } else {
        finishedPartitions.set(tp, { ok: false, error: new ZkError(response.code, response.path) });
      }
    }
    return { finishedPartitions, partitionsToRetry };
  }
}
