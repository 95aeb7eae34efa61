import { topicPartitionKey, TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { type Broker, type LeaderIsrAndControllerEpoch, type ReplicaAssignment } from '@samsa/zk';
import { partitionAndReplica, PartitionAndReplicaMap, type PartitionAndReplica } from './PartitionAndReplica';
import { isValidPartitionStateTransition, type PartitionState } from './PartitionState';
import { isValidReplicaStateTransition, type ReplicaState } from './ReplicaState';

/** A live broker as the controller knows it: its registration and its epoch (czxid of /brokers/ids/<id>). */
export interface LiveBroker {
  readonly broker: Broker;
  readonly epoch: number;
}

/** Kafka's initial controller epoch and epoch zkVersion (before any election). */
export const INITIAL_CONTROLLER_EPOCH = 0;
export const INITIAL_CONTROLLER_EPOCH_ZK_VERSION = 0;

/**
 * Everything the active controller knows (Kafka ControllerContext.scala). Only the controller's
 * event loop reads or writes it; it is loaded from ZooKeeper on failover and cleared on resignation.
 * ZooKeeper is the truth: every change is written there first, then recorded here.
 */
export class ControllerContext {
  epoch = INITIAL_CONTROLLER_EPOCH;
  /** Version of /controller_epoch after our election: every controller write is fenced on it. */
  epochZkVersion = INITIAL_CONTROLLER_EPOCH_ZK_VERSION;

  readonly shuttingDownBrokerIds = new Set<number>();
  private readonly liveBrokers = new Map<number, LiveBroker>();

  readonly allTopics = new Set<string>();
  readonly topicIds = new Map<string, string>();
  /** topic → partition → assignment */
  readonly partitionAssignments = new Map<string, Map<number, ReplicaAssignment>>();
  private readonly partitionLeadershipInfo = new TopicPartitionMap<LeaderIsrAndControllerEpoch>();
  /** Hook for reassignment (a later issue): partitions whose assignment has adding/removing replicas. */
  readonly partitionsBeingReassigned = new TopicPartitionMap<true>();
  readonly partitionStates = new TopicPartitionMap<PartitionState>();
  readonly replicaStates = new PartitionAndReplicaMap<ReplicaState>();
  /** broker → partitions whose log directory failed there (answered KAFKA_STORAGE_ERROR). */
  readonly replicasOnOfflineDirs = new Map<number, Set<string>>();

  readonly topicsToBeDeleted = new Set<string>();
  readonly topicsWithDeletionStarted = new Set<string>();
  readonly topicsIneligibleForDeletion = new Set<string>();

  // ---- brokers ----------------------------------------------------------------------------------

  setLiveBrokers(brokers: Iterable<LiveBroker>): void {
    this.liveBrokers.clear();
    this.addLiveBrokers(brokers);
  }

  addLiveBrokers(brokers: Iterable<LiveBroker>): void {
    for (const b of brokers) this.liveBrokers.set(b.broker.id, b);
  }

  removeLiveBrokers(brokerIds: Iterable<number>): void {
    for (const id of brokerIds) this.liveBrokers.delete(id);
  }

  updateBrokerMetadata(broker: Broker): void {
    const current = this.liveBrokers.get(broker.id);
    if (current !== undefined) this.liveBrokers.set(broker.id, { broker, epoch: current.epoch });
  }

  /** Live brokers not shutting down, ascending. */
  get liveBrokerIds(): number[] {
    return this.liveOrShuttingDownBrokerIds.filter((id) => !this.shuttingDownBrokerIds.has(id));
  }

  /** Every registered broker, ascending. */
  get liveOrShuttingDownBrokerIds(): number[] {
    return [...this.liveBrokers.keys()].sort((a, b) => a - b);
  }

  get liveOrShuttingDownBrokers(): LiveBroker[] {
    return this.liveOrShuttingDownBrokerIds.map((id) => this.liveBrokers.get(id)!);
  }

  liveOrShuttingDownBroker(brokerId: number): LiveBroker | undefined {
    return this.liveBrokers.get(brokerId);
  }

  brokerEpoch(brokerId: number): number | undefined {
    return this.liveBrokers.get(brokerId)?.epoch;
  }

  isReplicaOnline(brokerId: number, tp: TopicPartition, includeShuttingDownBrokers = false): boolean {
    const brokerOnline =
      this.liveBrokers.has(brokerId) &&
      (includeShuttingDownBrokers || !this.shuttingDownBrokerIds.has(brokerId));
    return brokerOnline && !(this.replicasOnOfflineDirs.get(brokerId)?.has(topicPartitionKey(tp)) ?? false);
  }

  /** The assigned replicas of `tp` that are online. */
  onlineReplicas(tp: TopicPartition, includeShuttingDownBrokers = false): Set<number> {
    return new Set(
      this.partitionReplicaAssignment(tp).filter((r) =>
        this.isReplicaOnline(r, tp, includeShuttingDownBrokers),
      ),
    );
  }

  // ---- topics and assignments -------------------------------------------------------------------

  setAllTopics(topics: Iterable<string>): void {
    this.allTopics.clear();
    for (const t of topics) this.allTopics.add(t);
  }

  partitionReplicaAssignment(tp: TopicPartition): readonly number[] {
    return this.partitionFullReplicaAssignment(tp)?.replicas ?? [];
  }

  partitionFullReplicaAssignment(tp: TopicPartition): ReplicaAssignment | undefined {
    return this.partitionAssignments.get(tp.topic)?.get(tp.partition);
  }

  updatePartitionFullReplicaAssignment(tp: TopicPartition, assignment: ReplicaAssignment): void {
    let byPartition = this.partitionAssignments.get(tp.topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.partitionAssignments.set(tp.topic, byPartition);
    }
    byPartition.set(tp.partition, assignment);
  }

  /** Every partition with an assignment, topics and partitions in ascending order. */
  get allPartitions(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const topic of [...this.partitionAssignments.keys()].sort())
      out.push(...this.partitionsForTopic(topic));
    return out;
  }

  partitionsForTopic(topic: string): TopicPartition[] {
    const byPartition = this.partitionAssignments.get(topic);
    if (byPartition === undefined) return [];
    return [...byPartition.keys()].sort((a, b) => a - b).map((partition) => ({ topic, partition }));
  }

  replicasForTopic(topic: string): PartitionAndReplica[] {
    return this.replicasForPartitions(this.partitionsForTopic(topic));
  }

  replicasForPartitions(partitions: Iterable<TopicPartition>): PartitionAndReplica[] {
    const out: PartitionAndReplica[] = [];
    for (const tp of partitions)
      for (const r of this.partitionReplicaAssignment(tp)) out.push(partitionAndReplica(tp, r));
    return out;
  }

  replicasOnBrokers(brokerIds: Iterable<number>): PartitionAndReplica[] {
    const ids = new Set(brokerIds);
    return this.replicasForPartitions(this.allPartitions).filter((r) => ids.has(r.replica));
  }

  /** Forgets a topic entirely (after deletion, or when its znode vanished). */
  removeTopic(topic: string): void {
    this.topicsToBeDeleted.delete(topic);
    this.topicsWithDeletionStarted.delete(topic);
    this.topicsIneligibleForDeletion.delete(topic);
    this.allTopics.delete(topic);
    this.topicIds.delete(topic);
    for (const tp of this.partitionsForTopic(topic)) {
      this.partitionLeadershipInfo.delete(tp);
      this.partitionStates.delete(tp);
      this.partitionsBeingReassigned.delete(tp);
    }
    for (const r of this.replicaStates.keys())
      if (r.topicPartition.topic === topic) this.replicaStates.delete(r);
    this.partitionAssignments.delete(topic);
  }

  // ---- leadership -------------------------------------------------------------------------------

  putPartitionLeadershipInfo(tp: TopicPartition, info: LeaderIsrAndControllerEpoch): void {
    this.partitionLeadershipInfo.set(tp, info);
  }

  partitionLeadership(tp: TopicPartition): LeaderIsrAndControllerEpoch | undefined {
    return this.partitionLeadershipInfo.get(tp);
  }

  clearPartitionLeadershipInfo(): void {
    for (const tp of this.partitionLeadershipInfo.keys()) this.partitionLeadershipInfo.delete(tp);
  }

  /** Partitions with a known leader and ISR, except those of topics queued for deletion. */
  get partitionsWithLeaders(): TopicPartition[] {
    return this.partitionLeadershipInfo.keys().filter((tp) => !this.isTopicQueuedUpForDeletion(tp.topic));
  }

  /** Partitions whose leader is not online (topics queued for deletion excluded). */
  get partitionsWithOfflineLeader(): TopicPartition[] {
    return this.partitionLeadershipInfo
      .entries()
      .filter(
        ([tp, info]) =>
          !this.isReplicaOnline(info.leaderAndIsr.leader, tp) && !this.isTopicQueuedUpForDeletion(tp.topic),
      )
      .map(([tp]) => tp);
  }

  /** Partitions led by `brokerId` that have followers: what controlled shutdown still has to move. */
  partitionLeadersOnBroker(brokerId: number): TopicPartition[] {
    return this.partitionLeadershipInfo
      .entries()
      .filter(
        ([tp, info]) =>
          !this.isTopicQueuedUpForDeletion(tp.topic) &&
          info.leaderAndIsr.leader === brokerId &&
          this.partitionReplicaAssignment(tp).length > 1,
      )
      .map(([tp]) => tp);
  }

  // ---- states -----------------------------------------------------------------------------------

  partitionState(tp: TopicPartition): PartitionState {
    return this.partitionStates.get(tp) ?? 'NonExistentPartition';
  }

  putPartitionState(tp: TopicPartition, state: PartitionState): void {
    this.partitionStates.set(tp, state);
  }

  putPartitionStateIfNotExists(tp: TopicPartition, state: PartitionState): void {
    if (!this.partitionStates.has(tp)) this.partitionStates.set(tp, state);
  }

  partitionsInStates(states: readonly PartitionState[], topic?: string): TopicPartition[] {
    return this.partitionStates
      .entries()
      .filter(([tp, s]) => states.includes(s) && (topic === undefined || tp.topic === topic))
      .map(([tp]) => tp);
  }

  /** Splits partitions into those that may move to `target` and those that may not. */
  checkValidPartitionStateChange(
    partitions: readonly TopicPartition[],
    target: PartitionState,
  ): { valid: TopicPartition[]; invalid: TopicPartition[] } {
    const valid: TopicPartition[] = [];
    const invalid: TopicPartition[] = [];
    for (const tp of partitions)
      (isValidPartitionStateTransition(this.partitionState(tp), target) ? valid : invalid).push(tp);
    return { valid, invalid };
  }

  replicaState(r: PartitionAndReplica): ReplicaState {
    return this.replicaStates.get(r) ?? 'NonExistentReplica';
  }

  putReplicaState(r: PartitionAndReplica, state: ReplicaState): void {
    this.replicaStates.set(r, state);
  }

  putReplicaStateIfNotExists(r: PartitionAndReplica, state: ReplicaState): void {
    if (!this.replicaStates.has(r)) this.replicaStates.set(r, state);
  }

  removeReplicaState(r: PartitionAndReplica): void {
    this.replicaStates.delete(r);
  }

  checkValidReplicaStateChange(
    replicas: readonly PartitionAndReplica[],
    target: ReplicaState,
  ): { valid: PartitionAndReplica[]; invalid: PartitionAndReplica[] } {
    const valid: PartitionAndReplica[] = [];
    const invalid: PartitionAndReplica[] = [];
    for (const r of replicas)
      (isValidReplicaStateTransition(this.replicaState(r), target) ? valid : invalid).push(r);
    return { valid, invalid };
  }

  replicasInState(topic: string, state: ReplicaState): PartitionAndReplica[] {
    return this.replicasForTopic(topic).filter((r) => this.replicaState(r) === state);
  }

  areAllReplicasInState(topic: string, state: ReplicaState): boolean {
    return this.replicasForTopic(topic).every((r) => this.replicaState(r) === state);
  }

  isAnyReplicaInState(topic: string, state: ReplicaState): boolean {
    return this.replicasForTopic(topic).some((r) => this.replicaState(r) === state);
  }

  // ---- topic deletion ---------------------------------------------------------------------------

  queueTopicDeletion(topics: Iterable<string>): void {
    for (const t of topics) this.topicsToBeDeleted.add(t);
  }

  beginTopicDeletion(topics: Iterable<string>): void {
    for (const t of topics) this.topicsWithDeletionStarted.add(t);
  }

  isTopicQueuedUpForDeletion(topic: string): boolean {
    return this.topicsToBeDeleted.has(topic);
  }

  isTopicDeletionInProgress(topic: string): boolean {
    return this.topicsWithDeletionStarted.has(topic);
  }

  // ---- gauges -----------------------------------------------------------------------------------

  get offlinePartitionCount(): number {
    return this.partitionStates
      .entries()
      .filter(([tp, s]) => s === 'OfflinePartition' && !this.isTopicQueuedUpForDeletion(tp.topic)).length;
  }

  /** Clears everything, as on resignation (Kafka resetContext). */
  resetContext(): void {
    this.topicsToBeDeleted.clear();
    this.topicsWithDeletionStarted.clear();
    this.topicsIneligibleForDeletion.clear();
    this.shuttingDownBrokerIds.clear();
    this.epoch = INITIAL_CONTROLLER_EPOCH;
    this.epochZkVersion = INITIAL_CONTROLLER_EPOCH_ZK_VERSION;
    this.allTopics.clear();
    this.topicIds.clear();
    this.partitionAssignments.clear();
    this.clearPartitionLeadershipInfo();
    for (const tp of this.partitionsBeingReassigned.keys()) this.partitionsBeingReassigned.delete(tp);
    for (const tp of this.partitionStates.keys()) this.partitionStates.delete(tp);
    this.replicaStates.clear();
    this.replicasOnOfflineDirs.clear();
    this.liveBrokers.clear();
  }
}
