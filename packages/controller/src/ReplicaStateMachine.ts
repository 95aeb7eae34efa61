import { TopicPartitionMap, topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ControllerMovedError, LeaderAndIsrConstants, replicaAssignment, TopicPartitionStateZNode, ZkError, type KafkaZkClient, type LeaderAndIsr, type LeaderIsrAndControllerEpoch } from '@samsa/zk';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import type { ControllerContext } from './ControllerContext';
import {
  describeReplica,
  groupByReplica,
  partitionAndReplica,
  type PartitionAndReplica,
} from './PartitionAndReplica';
import { VALID_PREVIOUS_REPLICA_STATES, type ReplicaState } from './ReplicaState';
import { describeLeaderAndIsr, type StateChangeLogger } from './StateChangeLogger';

/** The ZooKeeper operations the replica state machine needs (a fake in unit tests). */
export type ReplicaStateMachineZkClient = Pick<
  KafkaZkClient,
  'getTopicPartitionStatesRaw' | 'updateLeaderAndIsr'
>;

export interface ReplicaStateMachineOptions {
  readonly controllerId: number;
  readonly context: ControllerContext;
  readonly zkClient: ReplicaStateMachineZkClient;
  readonly batch: ControllerBrokerRequestBatch;
  readonly stateChangeLogger: StateChangeLogger;
  readonly logger: Logger;
}

/**
 * Moves replicas between the seven replica states (Kafka ZkReplicaStateMachine). A transition not
 * allowed by VALID_PREVIOUS_REPLICA_STATES is logged and refused for that replica only. Each call is
 * one request batch.
 */
export class ReplicaStateMachine {
  constructor(private readonly options: ReplicaStateMachineOptions) {}

  private get context(): ControllerContext {
    return this.options.context;
  }

  /**
   * On failover: replicas on live brokers are OnlineReplica, the others ReplicaDeletionIneligible
   * (so a topic being deleted waits for them); then online replicas get LeaderAndIsr and offline
   * ones go OfflineReplica (leave the ISRs). Both transitions are one batch, so each live broker gets
   * one LeaderAndIsr naming every partition it replicates in its final state, rather than one with
   * the states as loaded and another with the ISRs shrunk a moment later.
   */
  async startup(): Promise<void> {
    const online: PartitionAndReplica[] = [];
    const offline: PartitionAndReplica[] = [];
    for (const r of this.context.replicasForPartitions(this.context.allPartitions)) {
      if (this.context.isReplicaOnline(r.replica, r.topicPartition)) {
        this.context.putReplicaState(r, 'OnlineReplica');
        online.push(r);
      } else {
        this.context.putReplicaState(r, 'ReplicaDeletionIneligible');
        offline.push(r);
      }
    }
    if (online.length === 0 && offline.length === 0) return;
    await this.options.batch.runStateChange('replicas to their initial states', this.context.epoch, async () => {
      for (const [replicaId, ofBroker] of groupByReplica(online))
        await this.doHandleStateChanges(replicaId, ofBroker, 'OnlineReplica');
      for (const [replicaId, ofBroker] of groupByReplica(offline))
        await this.doHandleStateChanges(replicaId, ofBroker, 'OfflineReplica');
    });
  }

  /** Moves `replicas` to `targetState`, broker by broker. ControllerMovedError propagates; other errors are logged. */
  async handleStateChanges(
    replicas: readonly PartitionAndReplica[],
    targetState: ReplicaState,
  ): Promise<void> {
    if (replicas.length === 0) return;
    await this.options.batch.runStateChange(
      `some replicas to ${targetState} state`,
      this.context.epoch,
      async () => {
        for (const [replicaId, ofBroker] of groupByReplica(replicas))
          await this.doHandleStateChanges(replicaId, ofBroker, targetState);
      },
    );
  }

  private async doHandleStateChanges(
    replicaId: number,
    replicas: readonly PartitionAndReplica[],
    targetState: ReplicaState,
  ): Promise<void> {
    const ctx = this.context;
    const batch = this.options.batch;
    const log = this.options.stateChangeLogger.withControllerEpoch(ctx.epoch);
    const transitioned = (r: PartitionAndReplica, to: ReplicaState): void => {
      log.debug(
        `Changed state of replica ${r.replica} for partition ${topicPartitionKey(r.topicPartition)} from ${ctx.replicaState(r)} to ${to}`,
      );
      ctx.putReplicaState(r, to);
    };
    for (const r of replicas) ctx.putReplicaStateIfNotExists(r, 'NonExistentReplica');
    const { valid, invalid } = ctx.checkValidReplicaStateChange(replicas, targetState);
    for (const r of invalid) this.logInvalidTransition(r, targetState);

    switch (targetState) {
      case 'NewReplica':
        for (const r of valid) {
          const tp = r.topicPartition;
          const info = ctx.partitionLeadership(tp);
          if (info !== undefined && info.leaderAndIsr.leader === replicaId) {
            this.logFailedStateChange(
              r,
              ctx.replicaState(r),
              'NewReplica',
              `Replica ${replicaId} for partition ${topicPartitionKey(tp)} cannot be moved to NewReplica state as it is being requested to become leader`,
            );
            continue;
          }
          if (info !== undefined)
            batch.addLeaderAndIsrRequestForBrokers(
              [replicaId],
              tp,
              info,
              ctx.partitionFullReplicaAssignment(tp)!,
              true,
            );
          transitioned(r, 'NewReplica');
        }
        return;
      case 'OnlineReplica':
        for (const r of valid) {
          const tp = r.topicPartition;
          if (ctx.replicaState(r) === 'NewReplica') {
            const assignment = ctx.partitionFullReplicaAssignment(tp);
            if (assignment !== undefined && !assignment.replicas.includes(replicaId)) {
              this.options.logger.error(
                `Adding replica (${replicaId}) that is not part of the assignment of ${topicPartitionKey(tp)}`,
              );
              ctx.updatePartitionFullReplicaAssignment(
                tp,
                replicaAssignment(
                  [...assignment.replicas, replicaId],
                  assignment.addingReplicas,
                  assignment.removingReplicas,
                ),
              );
            }
          } else {
            const info = ctx.partitionLeadership(tp);
            if (info !== undefined)
              batch.addLeaderAndIsrRequestForBrokers(
                [replicaId],
                tp,
                info,
                ctx.partitionFullReplicaAssignment(tp)!,
                false,
              );
          }
          transitioned(r, 'OnlineReplica');
        }
        return;
      case 'OfflineReplica': {
        for (const r of valid) batch.addStopReplicaRequestForBrokers([replicaId], r.topicPartition, false);
        const withLeadership = valid.filter((r) => ctx.partitionLeadership(r.topicPartition) !== undefined);
        const withoutLeadership = valid.filter(
          (r) => ctx.partitionLeadership(r.topicPartition) === undefined,
        );
        const updated = await this.removeReplicasFromIsr(
          replicaId,
          withLeadership.map((r) => r.topicPartition),
        );
        for (const [tp, info] of updated) {
          log.info(
            `Partition ${topicPartitionKey(tp)} state changed to ${describeLeaderAndIsr(info.leaderAndIsr)} after removing ` +
              `replica ${replicaId} from the ISR as part of transition to OfflineReplica`,
          );
          if (!ctx.isTopicQueuedUpForDeletion(tp.topic)) {
            const recipients = ctx.partitionReplicaAssignment(tp).filter((id) => id !== replicaId);
            batch.addLeaderAndIsrRequestForBrokers(
              recipients,
              tp,
              info,
              ctx.partitionFullReplicaAssignment(tp)!,
              false,
            );
          }
          transitioned(partitionAndReplica(tp, replicaId), 'OfflineReplica');
        }
        for (const r of withoutLeadership) {
          batch.addUpdateMetadataRequestForBrokers(ctx.liveOrShuttingDownBrokerIds, [r.topicPartition]);
          transitioned(r, 'OfflineReplica');
        }
        return;
      }
      case 'ReplicaDeletionStarted':
        for (const r of valid) {
          transitioned(r, 'ReplicaDeletionStarted');
          batch.addStopReplicaRequestForBrokers([replicaId], r.topicPartition, true);
        }
        return;
      case 'ReplicaDeletionIneligible':
      case 'ReplicaDeletionSuccessful':
        for (const r of valid) transitioned(r, targetState);
        return;
      case 'NonExistentReplica':
        for (const r of valid) {
          const assignment = ctx.partitionFullReplicaAssignment(r.topicPartition);
          if (assignment !== undefined)
            ctx.updatePartitionFullReplicaAssignment(
              r.topicPartition,
              replicaAssignment(
                assignment.replicas.filter((id) => id !== replicaId),
                assignment.addingReplicas.filter((id) => id !== replicaId),
                assignment.removingReplicas.filter((id) => id !== replicaId),
              ),
            );
          log.debug(
            `Changed state of replica ${replicaId} for partition ${topicPartitionKey(r.topicPartition)} from ${ctx.replicaState(r)} to NonExistentReplica`,
          );
          ctx.removeReplicaState(r);
        }
        return;
    }
  }

  /** Removes `replicaId` from the ISR of `partitions` until no BADVERSION is left to retry. */
  private async removeReplicasFromIsr(
    replicaId: number,
    partitions: readonly TopicPartition[],
  ): Promise<TopicPartitionMap<LeaderIsrAndControllerEpoch>> {
    const results = new TopicPartitionMap<LeaderIsrAndControllerEpoch>();
    let remaining = partitions;
    while (remaining.length > 0) {
      const round = await this.doRemoveReplicasFromIsr(replicaId, remaining);
      for (const [tp, outcome] of round.finished) {
        if (outcome instanceof Error) {
          const r = partitionAndReplica(tp, replicaId);
          this.logFailedStateChange(r, this.context.replicaState(r), 'OfflineReplica', outcome);
        } else {
          results.set(tp, outcome);
        }
      }
      remaining = round.retry;
    }
    return results;
  }

  /**
   * One round of ISR shrinking:
   *   1. re-read the state znodes (a newer controller's state aborts that partition);
   *   2. for each ISR containing the replica: drop it (but never empty the ISR) and make the
   *      leader -1 if it was the leader;
   *   3. write conditionally on the versions read, fenced; BADVERSION partitions are retried;
   *   4. then record the new states (and the unchanged ones) in the context.
   */
  private async doRemoveReplicasFromIsr(
    replicaId: number,
    partitions: readonly TopicPartition[],
  ): Promise<{ finished: TopicPartitionMap<LeaderIsrAndControllerEpoch | Error>; retry: TopicPartition[] }> {
    const finished = new TopicPartitionMap<LeaderIsrAndControllerEpoch | Error>();
    const epoch = this.context.epoch;
    let responses;
    try {
      responses = await this.options.zkClient.getTopicPartitionStatesRaw([...partitions]);
    } catch (error) {
      if (error instanceof ControllerMovedError) throw error;
      for (const tp of partitions) finished.set(tp, error as Error);
      return { finished, retry: [] };
    }
    const toWrite = new TopicPartitionMap<LeaderAndIsr>();
    responses.forEach((response, i) => {
      const tp = partitions[i];
      if (response.code === 'NONODE') {
        if (!this.context.isTopicQueuedUpForDeletion(tp.topic))
          finished.set(
            tp,
            new Error(
              `Failed to change state of replica ${replicaId} for partition ${topicPartitionKey(tp)} since the leader and isr path in zookeeper is empty`,
            ),
          );
        return;
      }
      if (response.code !== 'OK') {
        finished.set(tp, new ZkError(response.code, response.path));
        return;
      }
      const state = TopicPartitionStateZNode.decode(response.data, response.stat!, response.path);
      if (state.controllerEpoch > epoch) {
        finished.set(
          tp,
          new Error(
            `Leader and isr path written by another controller (epoch ${state.controllerEpoch} > ${epoch}). Aborting state change by this controller`,
          ),
        );
        return;
      }
      const current = state.leaderAndIsr;
      if (!current.isr.includes(replicaId)) {
        this.context.putPartitionLeadershipInfo(tp, { leaderAndIsr: current, controllerEpoch: epoch });
        finished.set(tp, { leaderAndIsr: current, controllerEpoch: epoch });
        return;
      }
      const leader = current.leader === replicaId ? LeaderAndIsrConstants.NoLeader : current.leader;
      const isr = current.isr.length === 1 ? current.isr : current.isr.filter((r) => r !== replicaId);
      toWrite.set(tp, { leader, leaderEpoch: current.leaderEpoch + 1, isr, zkVersion: current.zkVersion });
    });
    if (toWrite.size === 0) return { finished, retry: [] };
    const { finishedPartitions, partitionsToRetry } = await this.options.zkClient.updateLeaderAndIsr(
      toWrite,
      epoch,
      this.context.epochZkVersion,
    );
    for (const [tp, outcome] of finishedPartitions) {
      if (!outcome.ok) {
        finished.set(tp, outcome.error);
        continue;
      }
      const info = { leaderAndIsr: outcome.leaderAndIsr, controllerEpoch: epoch };
      this.context.putPartitionLeadershipInfo(tp, info);
      finished.set(tp, info);
    }
    return { finished, retry: partitionsToRetry };
  }

  private logInvalidTransition(r: PartitionAndReplica, targetState: ReplicaState): void {
    const current = this.context.replicaState(r);
    this.logFailedStateChange(
      r,
      current,
      targetState,
      `Replica ${describeReplica(r)} should be in the ${VALID_PREVIOUS_REPLICA_STATES[targetState].join(',')} states ` +
        `before moving to ${targetState} state. Instead it is in ${current} state`,
    );
  }

  private logFailedStateChange(
    r: PartitionAndReplica,
    from: ReplicaState,
    to: ReplicaState,
    cause: unknown,
  ): void {
    const epoch = this.context.epoch;
    this.options.stateChangeLogger
      .withControllerEpoch(epoch)
      .error(
        `Controller ${this.options.controllerId} epoch ${epoch} initiated state change of replica ${r.replica} for ` +
          `partition ${topicPartitionKey(r.topicPartition)} from ${from} to ${to} failed`,
        typeof cause === 'string' ? new Error(cause) : cause,
      );
  }
}
