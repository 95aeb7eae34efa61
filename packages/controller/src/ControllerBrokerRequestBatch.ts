import { topicPartitionKey, TopicPartitionMap, type Logger, type TopicPartition } from '@samsa/common';
import { ControllerMovedError, type LeaderIsrAndControllerEpoch, type ReplicaAssignment } from '@samsa/zk';
import { brokerEndPoint, type ControlRequestSender } from './ControllerChannelManager';
import type { ControllerContext } from './ControllerContext';
import {
  type LeaderAndIsrLiveLeader,
  type LeaderAndIsrPartitionState,
  type StopReplicaResponse,
  type UpdateMetadataPartitionState,
} from '@samsa/protocol';
import {
  buildStopReplicaRequests,
  leaderAndIsrRequest,
  leaderAndIsrResponseErrors,
  stopReplicaResponseErrors,
  updateMetadataRequest,
  type ControlRequestVersions,
  type PartitionErrors,
  type StopReplicaPartitionState,
} from './ControlRequests';
import { LeaderAndIsrConstants } from '@samsa/zk';
import type { StateChangeLogger } from './StateChangeLogger';

/** What the batch reports back to the controller's event queue when brokers answer. */
export type BatchResponseEvent =
  | {
      readonly name: 'LeaderAndIsrResponseReceived';
      readonly brokerId: number;
      readonly response: PartitionErrors;
    }
  | { readonly name: 'UpdateMetadataResponseReceived'; readonly brokerId: number; readonly errorCode: number }
  | {
      readonly name: 'TopicDeletionStopReplicaResponseReceived';
      readonly replicaId: number;
      readonly requestErrorCode: number;
      readonly partitionErrors: TopicPartitionMap<number>;
    };

export interface ControllerBrokerRequestBatchOptions {
  readonly controllerId: number;
  readonly context: ControllerContext;
  readonly versions: ControlRequestVersions;
  readonly interBrokerListenerName: string;
  readonly sender: ControlRequestSender;
  /** Puts a response event on the controller's queue. */
  readonly sendEvent: (event: BatchResponseEvent) => void;
  readonly stateChangeLogger: StateChangeLogger;
  readonly logger: Logger;
}

/** Kafka's LeaderAndIsr.EpochDuringDelete: StopReplica's leader epoch for a topic being deleted. */
const EPOCH_DURING_DELETE = -2;
const NO_EPOCH = -1;

/**
 * Collects the requests of one state change and sends at most one LeaderAndIsr, one UpdateMetadata
 * and one StopReplica (two below v3) per broker (Kafka ControllerBrokerRequestBatch):
 *
 *   batch.newBatch(); …add…; batch.sendRequestsToBrokers(epoch)
 *
 * Opening a batch while the previous one is unsent is a bug and throws. Requests are built at send
 * time from the controller context, each carrying controller id, controller epoch and the
 * receiving broker's epoch; brokers that are not live get nothing.
 */
export class ControllerBrokerRequestBatch {
  private readonly leaderAndIsrRequestMap = new Map<number, TopicPartitionMap<LeaderAndIsrPartitionState>>();
  private readonly stopReplicaRequestMap = new Map<number, TopicPartitionMap<StopReplicaPartitionState>>();
  private readonly updateMetadataRequestBrokerSet = new Set<number>();
  private readonly updateMetadataRequestPartitionInfoMap =
    new TopicPartitionMap<UpdateMetadataPartitionState>();

  constructor(private readonly options: ControllerBrokerRequestBatchOptions) {}

  get isEmpty(): boolean {
    return (
      this.leaderAndIsrRequestMap.size === 0 &&
      this.stopReplicaRequestMap.size === 0 &&
      this.updateMetadataRequestBrokerSet.size === 0
    );
  }

  /** Asserts that nothing is pending: a pending request here would otherwise be lost. */
  newBatch(): void {
    if (this.leaderAndIsrRequestMap.size > 0)
      throw new Error(
        `Controller to broker state change requests batch is not empty while creating a new one. ` +
          `Some LeaderAndIsr state changes to brokers ${[...this.leaderAndIsrRequestMap.keys()]} might be lost`,
      );
    if (this.stopReplicaRequestMap.size > 0)
      throw new Error(
        `Controller to broker state change requests batch is not empty while creating a new one. ` +
          `Some StopReplica state changes to brokers ${[...this.stopReplicaRequestMap.keys()]} might be lost`,
      );
    if (this.updateMetadataRequestBrokerSet.size > 0)
      throw new Error(
        `Controller to broker state change requests batch is not empty while creating a new one. ` +
          `Some UpdateMetadata state changes to brokers ${[...this.updateMetadataRequestBrokerSet]} might be lost`,
      );
  }

  /** Drops everything pending (after a failed state change, or on resignation). */
  clear(): void {
    this.leaderAndIsrRequestMap.clear();
    this.stopReplicaRequestMap.clear();
    this.updateMetadataRequestBrokerSet.clear();
    for (const tp of this.updateMetadataRequestPartitionInfoMap.keys())
      this.updateMetadataRequestPartitionInfoMap.delete(tp);
  }

  /** LeaderAndIsr for `tp` to `brokerIds`, and UpdateMetadata for it to every live broker. */
  addLeaderAndIsrRequestForBrokers(
    brokerIds: readonly number[],
    tp: TopicPartition,
    leaderIsrAndControllerEpoch: LeaderIsrAndControllerEpoch,
    replicaAssignment: ReplicaAssignment,
    isNew: boolean,
  ): void {
    const { leaderAndIsr, controllerEpoch } = leaderIsrAndControllerEpoch;
    for (const brokerId of brokerIds) {
      if (brokerId < 0) continue;
      let states = this.leaderAndIsrRequestMap.get(brokerId);
      if (states === undefined) {
        states = new TopicPartitionMap();
        this.leaderAndIsrRequestMap.set(brokerId, states);
      }
      const alreadyNew = states.get(tp)?.isNew ?? false;
      states.set(tp, {
        topicName: tp.topic,
        partitionIndex: tp.partition,
        controllerEpoch,
        leader: leaderAndIsr.leader,
        leaderEpoch: leaderAndIsr.leaderEpoch,
        isr: [...leaderAndIsr.isr],
        zkVersion: leaderAndIsr.zkVersion,
        replicas: [...replicaAssignment.replicas],
        addingReplicas: [...replicaAssignment.addingReplicas],
        removingReplicas: [...replicaAssignment.removingReplicas],
        isNew: isNew || alreadyNew,
      });
    }
    this.addUpdateMetadataRequestForBrokers(this.options.context.liveOrShuttingDownBrokerIds, [tp]);
  }

  addStopReplicaRequestForBrokers(
    brokerIds: readonly number[],
    tp: TopicPartition,
    deletePartition: boolean,
  ): void {
    const context = this.options.context;
    // A topic being deleted gets the sentinel epoch, which overrides any the broker has.
    const leaderEpoch = context.isTopicQueuedUpForDeletion(tp.topic)
      ? EPOCH_DURING_DELETE
      : (context.partitionLeadership(tp)?.leaderAndIsr.leaderEpoch ?? NO_EPOCH);
    for (const brokerId of brokerIds) {
      if (brokerId < 0) continue;
      let states = this.stopReplicaRequestMap.get(brokerId);
      if (states === undefined) {
        states = new TopicPartitionMap();
        this.stopReplicaRequestMap.set(brokerId, states);
      }
      const alreadyDelete = states.get(tp)?.deletePartition ?? false;
      states.set(tp, { leaderEpoch, deletePartition: alreadyDelete || deletePartition });
    }
  }

  /** UpdateMetadata to `brokerIds` with the states of `partitions` (leader -2 for topics being deleted). */
  addUpdateMetadataRequestForBrokers(
    brokerIds: readonly number[],
    partitions: Iterable<TopicPartition>,
  ): void {
    const context = this.options.context;
    for (const id of brokerIds) if (id >= 0) this.updateMetadataRequestBrokerSet.add(id);
    for (const tp of partitions) {
      const info = context.partitionLeadership(tp);
      if (info === undefined) {
        this.options.logger.info(
          `Leader not yet assigned for partition ${topicPartitionKey(tp)}. Skip sending UpdateMetadataRequest.`,
        );
        continue;
      }
      const beingDeleted = context.topicsToBeDeleted.has(tp.topic);
      const replicas = context.partitionReplicaAssignment(tp);
      const { leaderAndIsr } = info;
      this.updateMetadataRequestPartitionInfoMap.set(tp, {
        topicName: tp.topic,
        partitionIndex: tp.partition,
        controllerEpoch: info.controllerEpoch,
        leader: beingDeleted ? LeaderAndIsrConstants.LeaderDuringDelete : leaderAndIsr.leader,
        leaderEpoch: beingDeleted ? LeaderAndIsrConstants.InitialLeaderEpoch : leaderAndIsr.leaderEpoch,
        isr: [...leaderAndIsr.isr],
        zkVersion: beingDeleted ? LeaderAndIsrConstants.InitialZkVersion : leaderAndIsr.zkVersion,
        replicas: [...replicas],
        offlineReplicas: replicas.filter((r) => !context.isReplicaOnline(r, tp)),
      });
    }
  }

  /**
   * Runs one state change as one batch (the shape of Kafka's handleStateChanges): opens the batch,
   * runs `work`, sends what it added. On failure the batch is dropped; ControllerMovedError is
   * rethrown (the caller resigns), any other error is logged and returned to the caller.
   */
  async runStateChange<T>(
    what: string,
    controllerEpoch: number,
    work: () => Promise<T>,
  ): Promise<{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error }> {
    this.newBatch();
    try {
      const value = await work();
      this.sendRequestsToBrokers(controllerEpoch);
      return { ok: true, value };
    } catch (error) {
      this.clear();
      if (error instanceof ControllerMovedError) {
        this.options.logger.error(`Controller moved to another broker when moving ${what}`, error);
        throw error;
      }
      this.options.logger.error(`Error while moving ${what}`, error);
      return { ok: false, error: error as Error };
    }
  }

  /** Builds and hands every pending request to the sender, then empties the batch. */
  sendRequestsToBrokers(controllerEpoch: number): void {
    const log = this.options.stateChangeLogger.withControllerEpoch(controllerEpoch);
    try {
      this.sendLeaderAndIsrRequests(controllerEpoch, log);
      this.sendUpdateMetadataRequests(controllerEpoch, log);
      this.sendStopReplicaRequests(controllerEpoch, log);
    } finally {
      this.clear();
    }
  }

  private header(brokerId: number, controllerEpoch: number) {
    return {
      controllerId: this.options.controllerId,
      controllerEpoch,
      brokerEpoch: this.options.context.brokerEpoch(brokerId) ?? -1,
    };
  }

  private sendLeaderAndIsrRequests(controllerEpoch: number, log: Logger): void {
    const { context, versions, sender, sendEvent, interBrokerListenerName } = this.options;
    const topicNamesById = new Map([...context.topicIds].map(([name, id]) => [id, name]));
    for (const [brokerId, states] of this.leaderAndIsrRequestMap) {
      if (!context.liveOrShuttingDownBrokerIds.includes(brokerId)) continue;
      const partitionStates = states.values();
      const leaderIds = new Set(partitionStates.map((s) => s.leader));
      const becomeLeaders = partitionStates.filter((s) => s.leader === brokerId).length;
      log.info(
        `Sending LeaderAndIsr request to broker ${brokerId} with ${becomeLeaders} become-leader and ` +
          `${partitionStates.length - becomeLeaders} become-follower partitions`,
      );
      const liveLeaders: LeaderAndIsrLiveLeader[] = context.liveOrShuttingDownBrokers
        .filter((b) => leaderIds.has(b.broker.id))
        .flatMap((b) => {
          const e = brokerEndPoint(b.broker, interBrokerListenerName);
          return e === undefined ? [] : [{ brokerId: b.broker.id, hostName: e.host, port: e.port }];
        });
      const request = leaderAndIsrRequest(
        versions.leaderAndIsr,
        this.header(brokerId, controllerEpoch),
        partitionStates,
        liveLeaders,
        context.topicIds,
      );
      sender.sendRequest(brokerId, request, (response) =>
        sendEvent({
          name: 'LeaderAndIsrResponseReceived',
          brokerId,
          response: leaderAndIsrResponseErrors(response, topicNamesById),
        }),
      );
    }
    this.leaderAndIsrRequestMap.clear();
  }

  private sendUpdateMetadataRequests(controllerEpoch: number, log: Logger): void {
    const { context, versions, sender, sendEvent } = this.options;
    if (this.updateMetadataRequestBrokerSet.size === 0) return;
    const partitionStates = this.updateMetadataRequestPartitionInfoMap.values();
    log.info(
      `Sending UpdateMetadata request to brokers ${[...this.updateMetadataRequestBrokerSet].join(',')} ` +
        `for ${partitionStates.length} partitions`,
    );
    const liveBrokers = context.liveOrShuttingDownBrokers.map((b) => b.broker);
    const live = new Set(context.liveOrShuttingDownBrokerIds);
    for (const brokerId of this.updateMetadataRequestBrokerSet) {
      if (!live.has(brokerId)) continue;
      const request = updateMetadataRequest(
        versions.updateMetadata,
        this.header(brokerId, controllerEpoch),
        partitionStates,
        liveBrokers,
        context.topicIds,
      );
      sender.sendRequest(brokerId, request, (response) =>
        sendEvent({ name: 'UpdateMetadataResponseReceived', brokerId, errorCode: response.errorCode }),
      );
    }
  }

  private sendStopReplicaRequests(controllerEpoch: number, log: Logger): void {
    const { context, versions, sender, sendEvent } = this.options;
    for (const [brokerId, states] of this.stopReplicaRequestMap) {
      if (!context.liveOrShuttingDownBrokerIds.includes(brokerId)) continue;
      const requests = buildStopReplicaRequests(
        versions.stopReplica,
        this.header(brokerId, controllerEpoch),
        states,
      );
      for (const { request, deletePartitions } of requests) {
        const count =
          deletePartitions === null
            ? states.size
            : states.values().filter((s) => s.deletePartition === deletePartitions).length;
        log.info(
          `Sending StopReplica request${deletePartitions === null ? '' : ` (delete = ${deletePartitions})`} ` +
            `for ${count} replicas to broker ${brokerId}`,
        );
        const isDeleted = (tp: TopicPartition): boolean => states.get(tp)?.deletePartition === true;
        // Only answers about partitions of topics being deleted matter: they drive the deletion.
        const callback =
          deletePartitions === false
            ? undefined
            : (body: StopReplicaResponse) => {
                const { errorCode, partitionErrors } = stopReplicaResponseErrors(body);
                const forDeletingTopics = new TopicPartitionMap<number>();
                for (const [tp, code] of partitionErrors) {
                  if (context.isTopicDeletionInProgress(tp.topic) && isDeleted(tp))
                    forDeletingTopics.set(tp, code);
                }
                if (forDeletingTopics.size > 0)
                  sendEvent({
                    name: 'TopicDeletionStopReplicaResponseReceived',
                    replicaId: brokerId,
                    requestErrorCode: errorCode,
                    partitionErrors: forDeletingTopics,
                  });
              };
        sender.sendRequest(brokerId, request, callback);
      }
    }
    this.stopReplicaRequestMap.clear();
  }
}
