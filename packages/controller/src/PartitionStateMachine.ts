import { TopicPartitionMap, topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ControllerMovedError, TopicPartitionStateZNode, ZkError, type KafkaZkClient, type LeaderAndIsr, type LeaderIsrAndControllerEpoch, type UpdateLeaderAndIsrOutcome } from '@samsa/zk';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import type { ControllerContext } from './ControllerContext';
import type { ControllerObserver } from './ControllerNotification';
import {
  describeStrategy,
  leaderForControlledShutdown,
  leaderForOffline,
  leaderForPreferredReplica,
  leaderForReassign,
  offlinePartitionStrategy,
  type ElectionResult,
  type PartitionLeaderElectionStrategy,
} from './Election';
import { VALID_PREVIOUS_PARTITION_STATES, type PartitionState } from './PartitionState';
import { describeLeaderAndIsr, type StateChangeLogger } from './StateChangeLogger';

/** The ZooKeeper operations the partition state machine needs (a fake in unit tests). */
export type PartitionStateMachineZkClient = Pick<
  KafkaZkClient,
  'createTopicPartitionStatesRaw' | 'getTopicPartitionStatesRaw' | 'updateLeaderAndIsr' | 'getTopicConfigs'
>;

export interface PartitionStateMachineOptions {
  readonly controllerId: number;
  readonly context: ControllerContext;
  readonly zkClient: PartitionStateMachineZkClient;
  readonly batch: ControllerBrokerRequestBatch;
  readonly stateChangeLogger: StateChangeLogger;
  readonly logger: Logger;
  /** unclean.leader.election.enable of the broker; a topic config overrides it. */
  readonly uncleanLeaderElectionEnable: boolean;
  readonly observer?: ControllerObserver;
}

export class StateChangeFailedError extends Error {
  override readonly name = 'StateChangeFailedError';
}

const UNCLEAN_CONFIG = 'unclean.leader.election.enable';

/**
 * Moves partitions between NonExistentPartition, NewPartition, OnlinePartition and OfflinePartition
 * (Kafka ZkPartitionStateMachine). A transition not allowed by VALID_PREVIOUS_PARTITION_STATES is
 * logged and refused for that partition only. Each call is one request batch: at most one
 * LeaderAndIsr and one UpdateMetadata per broker.
 */
export class PartitionStateMachine {
  constructor(private readonly options: PartitionStateMachineOptions) {}

  private get context(): ControllerContext {
    return this.options.context;
  }

  /**
   * On failover: every known partition gets its initial state (NewPartition without a leader,
   * OnlinePartition when its leader is alive, else OfflinePartition), then new and offline
   * partitions go online.
   */
  async startup(): Promise<void> {
    for (const tp of this.context.allPartitions) {
      const info = this.context.partitionLeadership(tp);
      if (info === undefined) this.context.putPartitionState(tp, 'NewPartition');
      else
        this.context.putPartitionState(
          tp,
          this.context.isReplicaOnline(info.leaderAndIsr.leader, tp) ? 'OnlinePartition' : 'OfflinePartition',
        );
    }
    await this.triggerOnlinePartitionStateChange();
  }

  /** Elects leaders for every NewPartition and OfflinePartition (of `topic`, if given), except topics being deleted. */
  async triggerOnlinePartitionStateChange(topic?: string): Promise<void> {
    const partitions = this.context
      .partitionsInStates(['OfflinePartition', 'NewPartition'], topic)
      .filter((tp) => !this.context.isTopicQueuedUpForDeletion(tp.topic));
    await this.handleStateChanges(partitions, 'OnlinePartition', offlinePartitionStrategy(false));
  }

  /**
   * Moves `partitions` to `targetState`. For OnlinePartition, returns each partition's new leader
   * and ISR or the reason it has none. ControllerMovedError propagates (the caller resigns); any
   * other error fails every partition of this call.
   */
  async handleStateChanges(
    partitions: readonly TopicPartition[],
    targetState: PartitionState,
    strategy?: PartitionLeaderElectionStrategy,
  ): Promise<TopicPartitionMap<UpdateLeaderAndIsrOutcome>> {
    if (partitions.length === 0) return new TopicPartitionMap();
    const run = await this.options.batch.runStateChange(
      `some partitions to ${targetState} state`,
      this.context.epoch,
      () => this.doHandleStateChanges(partitions, targetState, strategy),
    );
    if (run.ok) return run.value;
    return new TopicPartitionMap(partitions.map((tp) => [tp, { ok: false, error: run.error }] as const));
  }

  private async doHandleStateChanges(
    partitions: readonly TopicPartition[],
    targetState: PartitionState,
    strategy: PartitionLeaderElectionStrategy | undefined,
  ): Promise<TopicPartitionMap<UpdateLeaderAndIsrOutcome>> {
    const log = this.options.stateChangeLogger.withControllerEpoch(this.context.epoch);
    for (const tp of partitions) this.context.putPartitionStateIfNotExists(tp, 'NonExistentPartition');
    const { valid, invalid } = this.context.checkValidPartitionStateChange(partitions, targetState);
    for (const tp of invalid) this.logInvalidTransition(tp, targetState);

    switch (targetState) {
      case 'NewPartition':
        for (const tp of valid) {
          log.info(
            `Changed partition ${topicPartitionKey(tp)} state from ${this.context.partitionState(tp)} to NewPartition ` +
              `with assigned replicas ${this.context.partitionReplicaAssignment(tp).join(',')}`,
          );
          this.context.putPartitionState(tp, 'NewPartition');
        }
        return new TopicPartitionMap();
      case 'OnlinePartition': {
        const uninitialized = valid.filter((tp) => this.context.partitionState(tp) === 'NewPartition');
        const toElect = valid.filter((tp) => {
          const s = this.context.partitionState(tp);
          return s === 'OfflinePartition' || s === 'OnlinePartition';
        });
        if (uninitialized.length > 0) {
          for (const tp of await this.initializeLeaderAndIsrForPartitions(uninitialized)) {
            const info = this.context.partitionLeadership(tp)!;
            log.info(
              `Changed partition ${topicPartitionKey(tp)} from ${this.context.partitionState(tp)} to OnlinePartition ` +
                `with state ${describeLeaderAndIsr(info.leaderAndIsr)}`,
            );
            this.context.putPartitionState(tp, 'OnlinePartition');
          }
        }
        if (toElect.length === 0) return new TopicPartitionMap();
        if (strategy === undefined)
          throw new Error('Election strategy is a required field when the target state is OnlinePartition');
        const results = await this.electLeaderForPartitions(toElect, strategy);
        for (const [tp, outcome] of results) {
          if (!outcome.ok) continue;
          log.info(
            `Changed partition ${topicPartitionKey(tp)} from ${this.context.partitionState(tp)} to OnlinePartition ` +
              `with state ${describeLeaderAndIsr(outcome.leaderAndIsr)}`,
          );
          this.context.putPartitionState(tp, 'OnlinePartition');
        }
        return results;
      }
      case 'OfflinePartition':
      case 'NonExistentPartition':
        for (const tp of valid) {
          log.debug(
            `Changed partition ${topicPartitionKey(tp)} state from ${this.context.partitionState(tp)} to ${targetState}`,
          );
          this.context.putPartitionState(tp, targetState);
        }
        return new TopicPartitionMap();
    }
  }

  /**
   * First leader and ISR of new partitions:
   *   1. leader = first live assigned replica, ISR = the live assigned replicas;
   *   2. create each state znode (fenced; NODEEXISTS means another controller got there first —
   *      the partition is left in NewPartition);
   *   3. only then record the leadership in the context and queue LeaderAndIsr (isNew) to the ISR.
   */
  private async initializeLeaderAndIsrForPartitions(
    partitions: readonly TopicPartition[],
  ): Promise<TopicPartition[]> {
    const epoch = this.context.epoch;
    const states = new TopicPartitionMap<LeaderIsrAndControllerEpoch>();
    for (const tp of partitions) {
      const replicas = this.context.partitionReplicaAssignment(tp);
      const live = replicas.filter((r) => this.context.isReplicaOnline(r, tp));
      if (live.length === 0) {
        this.logFailedStateChange(
          tp,
          'NewPartition',
          'OnlinePartition',
          `assigned replicas are [${replicas.join(',')}], live brokers are [${this.context.liveBrokerIds.join(',')}]. ` +
            `No assigned replica is alive.`,
        );
        this.notifyFailure(tp, 'NewPartition', 'No assigned replica is alive');
        continue;
      }
      const leaderAndIsr: LeaderAndIsr = { leader: live[0], leaderEpoch: 0, isr: live, zkVersion: 0 };
      states.set(tp, { leaderAndIsr, controllerEpoch: epoch });
    }
    if (states.size === 0) return [];
    let responses;
    try {
      responses = await this.options.zkClient.createTopicPartitionStatesRaw(
        states,
        this.context.epochZkVersion,
      );
    } catch (error) {
      if (error instanceof ControllerMovedError) throw error;
      for (const tp of states.keys())
        this.logFailedStateChange(tp, this.context.partitionState(tp), 'NewPartition', error);
      return [];
    }
    const succeeded: TopicPartition[] = [];
    for (const [tp, response] of responses) {
      const state = states.get(tp)!;
      if (response.code !== 'OK') {
        this.logFailedStateChange(
          tp,
          'NewPartition',
          'OnlinePartition',
          new ZkError(response.code, response.path),
        );
        this.notifyFailure(tp, 'NewPartition', `creating the state znode failed: ${response.code}`);
        continue;
      }
      this.context.putPartitionLeadershipInfo(tp, state);
      this.options.batch.addLeaderAndIsrRequestForBrokers(
        state.leaderAndIsr.isr,
        tp,
        state,
        this.context.partitionFullReplicaAssignment(tp)!,
        true,
      );
      this.options.observer?.({
        type: 'LeaderElection',
        topicPartition: tp,
        trigger: 'NewPartition',
        previousLeader: null,
        leaderAndIsr: state.leaderAndIsr,
      });
      succeeded.push(tp);
    }
    return succeeded;
  }

  /** Elects until no partition is left to retry (a retry follows a BADVERSION: the leader changed the ISR meanwhile). */
  private async electLeaderForPartitions(
    partitions: readonly TopicPartition[],
    strategy: PartitionLeaderElectionStrategy,
  ): Promise<TopicPartitionMap<UpdateLeaderAndIsrOutcome>> {
    const finished = new TopicPartitionMap<UpdateLeaderAndIsrOutcome>();
    let remaining = partitions;
    while (remaining.length > 0) {
      const round = await this.doElectLeaderForPartitions(remaining, strategy);
      for (const [tp, outcome] of round.finished) {
        if (!outcome.ok) {
          this.logFailedStateChange(tp, this.context.partitionState(tp), 'OnlinePartition', outcome.error);
          this.notifyFailure(tp, describeStrategy(strategy), outcome.error.message);
        }
        finished.set(tp, outcome);
      }
      remaining = round.retry;
      if (remaining.length > 0)
        this.options.logger.info(
          `Retrying leader election with strategy ${describeStrategy(strategy)} for partitions ${remaining.map(topicPartitionKey).join(',')}`,
        );
    }
    return finished;
  }

  /**
   * One election round:
   *   1. re-read each state znode (ZooKeeper, not the cache, is the truth: the leader may have
   *      changed the ISR); a state written by a newer controller aborts that partition;
   *   2. elect with the pure rules of Election.ts;
   *   3. write the new states conditionally on the versions just read, fenced on the controller
   *      epoch; BADVERSION partitions are retried;
   *   4. only written states go to the context and into LeaderAndIsr requests.
   */
  private async doElectLeaderForPartitions(
    partitions: readonly TopicPartition[],
    strategy: PartitionLeaderElectionStrategy,
  ): Promise<{ finished: TopicPartitionMap<UpdateLeaderAndIsrOutcome>; retry: TopicPartition[] }> {
    const finished = new TopicPartitionMap<UpdateLeaderAndIsrOutcome>();
    const fail = (tp: TopicPartition, message: string): void => {
      finished.set(tp, { ok: false, error: new StateChangeFailedError(message) });
    };
    let responses;
    try {
      responses = await this.options.zkClient.getTopicPartitionStatesRaw([...partitions]);
    } catch (error) {
      for (const tp of partitions) finished.set(tp, { ok: false, error: error as Error });
      return { finished, retry: [] };
    }
    const current = new TopicPartitionMap<LeaderAndIsr>();
    responses.forEach((response, i) => {
      const tp = partitions[i];
      if (response.code === 'NONODE') {
        fail(
          tp,
          `LeaderAndIsr information doesn't exist for partition ${topicPartitionKey(tp)} in ${this.context.partitionState(tp)} state`,
        );
      } else if (response.code !== 'OK') {
        finished.set(tp, { ok: false, error: new ZkError(response.code, response.path) });
      } else {
        const state = TopicPartitionStateZNode.decode(response.data, response.stat!, response.path);
        if (state.controllerEpoch > this.context.epoch) {
          fail(
            tp,
            `Aborted leader election for partition ${topicPartitionKey(tp)} since the LeaderAndIsr path was already ` +
              `written by another controller. This probably means that the current controller ${this.options.controllerId} ` +
              `went through a soft failure and another controller was elected with epoch ${state.controllerEpoch}.`,
          );
        } else {
          current.set(tp, state.leaderAndIsr);
        }
      }
    });
    if (current.size === 0) return { finished, retry: [] };

    const results = await this.elect(current, strategy);
    const elected = new TopicPartitionMap<LeaderAndIsr>();
    const recipients = new TopicPartitionMap<readonly number[]>();
    for (const result of results) {
      if (result.leaderAndIsr === null) {
        fail(
          result.topicPartition,
          `Failed to elect leader for partition ${topicPartitionKey(result.topicPartition)} under strategy ${describeStrategy(strategy)}`,
        );
      } else {
        elected.set(result.topicPartition, result.leaderAndIsr);
        recipients.set(result.topicPartition, result.liveReplicas);
      }
    }
    if (elected.size === 0) return { finished, retry: [] };

    const { finishedPartitions, partitionsToRetry } = await this.options.zkClient.updateLeaderAndIsr(
      elected,
      this.context.epoch,
      this.context.epochZkVersion,
    );
    for (const [tp, outcome] of finishedPartitions) {
      finished.set(tp, outcome);
      if (!outcome.ok) continue;
      const info: LeaderIsrAndControllerEpoch = {
        leaderAndIsr: outcome.leaderAndIsr,
        controllerEpoch: this.context.epoch,
      };
      const previousLeader = current.get(tp)!.leader;
      this.context.putPartitionLeadershipInfo(tp, info);
      this.options.batch.addLeaderAndIsrRequestForBrokers(
        recipients.get(tp)!,
        tp,
        info,
        this.context.partitionFullReplicaAssignment(tp)!,
        false,
      );
      this.options.observer?.({
        type: 'LeaderElection',
        topicPartition: tp,
        trigger: describeStrategy(strategy),
        previousLeader: previousLeader < 0 ? null : previousLeader,
        previousIsr: current.get(tp)!.isr,
        leaderAndIsr: outcome.leaderAndIsr,
      });
    }
    for (const tp of partitionsToRetry)
      this.options.logger.debug(
        `Controller failed to elect leader for partition ${topicPartitionKey(tp)}: bad ZK version; will retry.`,
      );
    return { finished, retry: partitionsToRetry };
  }

  private async elect(
    current: TopicPartitionMap<LeaderAndIsr>,
    strategy: PartitionLeaderElectionStrategy,
  ): Promise<ElectionResult[]> {
    const ctx = this.context;
    const input = (tp: TopicPartition, leaderAndIsr: LeaderAndIsr, includeShuttingDown = false) => ({
      topicPartition: tp,
      assignment: ctx.partitionReplicaAssignment(tp),
      leaderAndIsr,
      onlineReplicas: ctx.onlineReplicas(tp, includeShuttingDown),
    });
    switch (strategy.kind) {
      case 'OfflinePartition': {
        const unclean = await this.uncleanLeaderElectionEnabled(current, strategy.allowUnclean);
        return current.entries().map(([tp, l]) =>
          leaderForOffline({
            ...input(tp, l),
            uncleanLeaderElectionEnabled: unclean.has(topicPartitionKey(tp)),
          }),
        );
      }
      case 'ReassignPartition':
        return current.entries().map(([tp, l]) => {
          const a = ctx.partitionFullReplicaAssignment(tp)!;
          const targetReplicas = a.replicas.filter((r) => !a.removingReplicas.includes(r));
          return leaderForReassign({
            topicPartition: tp,
            targetReplicas,
            leaderAndIsr: l,
            onlineReplicas: ctx.onlineReplicas(tp),
          });
        });
      case 'PreferredReplicaPartition':
        return current.entries().map(([tp, l]) => leaderForPreferredReplica(input(tp, l)));
      case 'ControlledShutdownPartition':
        return current.entries().map(([tp, l]) =>
          leaderForControlledShutdown({
            ...input(tp, l, true),
            shuttingDownBrokers: ctx.shuttingDownBrokerIds,
          }),
        );
    }
  }

  /**
   * Partitions (by key) allowed an unclean election: those without a live ISR member, when the
   * strategy allows it or their topic's unclean.leader.election.enable (default: the broker's) is true.
   */
  private async uncleanLeaderElectionEnabled(
    current: TopicPartitionMap<LeaderAndIsr>,
    allowUnclean: boolean,
  ): Promise<Set<string>> {
    const noLiveIsr = current
      .entries()
      .filter(([tp, l]) => !l.isr.some((r) => this.context.isReplicaOnline(r, tp)))
      .map(([tp]) => tp);
    if (noLiveIsr.length === 0) return new Set();
    if (allowUnclean) return new Set(noLiveIsr.map(topicPartitionKey));
    const configs = await this.options.zkClient.getTopicConfigs(noLiveIsr.map((tp) => tp.topic));
    return new Set(
      noLiveIsr
        .filter((tp) => {
          const value = configs.get(tp.topic)?.get(UNCLEAN_CONFIG);
          return value === undefined
            ? this.options.uncleanLeaderElectionEnable
            : value.toLowerCase() === 'true';
        })
        .map(topicPartitionKey),
    );
  }

  private logInvalidTransition(tp: TopicPartition, targetState: PartitionState): void {
    const current = this.context.partitionState(tp);
    this.logFailedStateChange(
      tp,
      current,
      targetState,
      `Partition ${topicPartitionKey(tp)} should be in one of ${VALID_PREVIOUS_PARTITION_STATES[targetState].join(',')} ` +
        `states before moving to ${targetState} state. Instead it is in ${current} state`,
    );
  }

  private logFailedStateChange(
    tp: TopicPartition,
    from: PartitionState,
    to: PartitionState,
    cause: unknown,
  ): void {
    this.options.stateChangeLogger
      .withControllerEpoch(this.context.epoch)
      .error(
        `Controller ${this.options.controllerId} epoch ${this.context.epoch} failed to change state for partition ` +
          `${topicPartitionKey(tp)} from ${from} to ${to}`,
        typeof cause === 'string' ? new StateChangeFailedError(cause) : cause,
      );
  }

  private notifyFailure(tp: TopicPartition, trigger: string, reason: string): void {
    this.options.observer?.({ type: 'LeaderElectionFailed', topicPartition: tp, trigger, reason });
  }
}
