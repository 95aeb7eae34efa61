import { topicPartitionKey, TopicPartitionMap, type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { ControllerMovedError, ReassignPartitionsZNode, replicaAssignment, type LeaderAndIsr, type LeaderIsrAndControllerEpoch, type ReplicaAssignment, type UpdateLeaderAndIsrResult, type ZNodeChangeHandler } from '@samsa/zk';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import type { ControllerContext } from './ControllerContext';
import { partitionAndReplica } from './PartitionAndReplica';
import type { PartitionStateMachine } from './PartitionStateMachine';
import type { ReplicaStateMachine } from './ReplicaStateMachine';

/** A per-partition outcome, carried as data until the response is built. */
export interface ReassignmentApiError {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

const NONE: ReassignmentApiError = { errorCode: ErrorCode.NONE, errorMessage: null };

/** The answer to AlterPartitionReassignments: a top-level error, or one outcome per partition. */
export interface AlterPartitionReassignmentsResult {
  readonly errorCode: number;
  readonly partitions: TopicPartitionMap<ReassignmentApiError>;
}

/** The answer to ListPartitionReassignments: a top-level error, or the reassignments in progress. */
export interface ListPartitionReassignmentsResult {
  readonly errorCode: number;
  readonly reassignments: TopicPartitionMap<ReplicaAssignment>;
}

/** AlterPartitionReassignments waiting on the queue; `null` targets cancel (revert to the origin). */
export interface ApiPartitionReassignmentEvent {
  readonly name: 'ApiPartitionReassignment';
  readonly reassignments: TopicPartitionMap<readonly number[] | null>;
  readonly deadlineMs?: number;
  readonly callback: (result: AlterPartitionReassignmentsResult) => void;
  preempt(errorCode: number): void;
}

/** ListPartitionReassignments waiting on the queue; `null` partitions lists all. */
export interface ListPartitionReassignmentsEvent {
  readonly name: 'ListPartitionReassignments';
  readonly partitions: readonly TopicPartition[] | null;
  readonly deadlineMs?: number;
  readonly callback: (result: ListPartitionReassignmentsResult) => void;
  preempt(errorCode: number): void;
}

export type PartitionReassignmentEvent =
  | ApiPartitionReassignmentEvent
  | ListPartitionReassignmentsEvent
  /** An ISR changed (or a check is due): complete the reassignments whose targets caught up. */
  | { readonly name: 'PartitionReassignmentIsrChange' };

function once<T>(): { promise: Promise<T>; answer: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  let answered = false;
  return {
    promise,
    answer: (value) => {
      if (answered) return;
      answered = true;
      resolve(value);
    },
  };
}

/** The event and the promise its caller waits on; the promise never rejects. */
export function apiPartitionReassignmentEvent(
  reassignments: TopicPartitionMap<readonly number[] | null>,
  deadlineMs?: number,
): { event: ApiPartitionReassignmentEvent; result: Promise<AlterPartitionReassignmentsResult> } {
  const { promise, answer } = once<AlterPartitionReassignmentsResult>();
  return {
    event: {
      name: 'ApiPartitionReassignment',
      reassignments,
      deadlineMs,
      callback: answer,
      preempt: (errorCode) => answer({ errorCode, partitions: new TopicPartitionMap() }),
    },
    result: promise,
  };
}

/** The event and the promise its caller waits on; the promise never rejects. */
export function listPartitionReassignmentsEvent(
  partitions: readonly TopicPartition[] | null,
  deadlineMs?: number,
): { event: ListPartitionReassignmentsEvent; result: Promise<ListPartitionReassignmentsResult> } {
  const { promise, answer } = once<ListPartitionReassignmentsResult>();
  return {
    event: {
      name: 'ListPartitionReassignments',
      partitions,
      deadlineMs,
      callback: answer,
      preempt: (errorCode) => answer({ errorCode, reassignments: new TopicPartitionMap() }),
    },
    result: promise,
  };
}

/** The ZooKeeper calls reassignment makes (KafkaZkClient; a fake in tests). */
export interface PartitionReassignmentZk {
  getTopicPartitionStates(partitions: readonly TopicPartition[]): Promise<TopicPartitionMap<LeaderIsrAndControllerEpoch>>;
  updateLeaderAndIsr(
    leaderAndIsrs: TopicPartitionMap<LeaderAndIsr>,
    controllerEpoch: number,
    expectedControllerEpochZkVersion: number,
  ): Promise<UpdateLeaderAndIsrResult>;
  setTopicAssignment(
    topic: string,
    topicId: string | null,
    assignment: ReadonlyMap<number, ReplicaAssignment>,
    expectedControllerEpochZkVersion: number,
  ): Promise<void>;
  getPartitionReassignment(): Promise<TopicPartitionMap<number[]>>;
  setOrCreatePartitionReassignment(
    reassignment: Iterable<readonly [TopicPartition, readonly number[]]>,
    expectedControllerEpochZkVersion: number,
  ): Promise<void>;
  deletePartitionReassignment(expectedControllerEpochZkVersion: number): Promise<void>;
  reassignPartitionsInProgress(): Promise<boolean>;
  registerZNodeChangeHandlerAndCheckExistence(path: string, handler: ZNodeChangeHandler): Promise<boolean>;
}

export interface PartitionReassignmentOptions {
  readonly context: ControllerContext;
  readonly zkClient: PartitionReassignmentZk;
  readonly batch: ControllerBrokerRequestBatch;
  readonly partitionStateMachine: PartitionStateMachine;
  readonly replicaStateMachine: ReplicaStateMachine;
  readonly logger: Logger;
  isActive(): boolean;
  /** Puts ZkPartitionReassignment when /admin/reassign_partitions is created. */
  onReassignPartitionsCreated(): void;
  /** Lets deletion of `topics` proceed once their reassignments are over. */
  resumeDeletionForTopics(topics: ReadonlySet<string>): Promise<void>;
  sendUpdateMetadataRequest(brokers: readonly number[], partitions: readonly TopicPartition[]): void;
}

const sameReplicas = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((r, i) => r === b[i]);

/** The replicas a partition had before its reassignment began (Kafka ReplicaAssignment.originReplicas). */
export function originReplicas(a: ReplicaAssignment): number[] {
  return a.replicas.filter((r) => !a.addingReplicas.includes(r));
}

/** The replicas a partition will have once its reassignment completes (targetReplicas). */
export function targetReplicas(a: ReplicaAssignment): number[] {
  return a.replicas.filter((r) => !a.removingReplicas.includes(r));
}

/**
 * The assignment of a partition moving from `current` to `target` (Kafka ReplicaAssignment.reassignTo):
 * replicas = target then the origin replicas not in it; adding = target − origin; removing = origin − target.
 */
export function reassignTo(current: ReplicaAssignment, target: readonly number[]): ReplicaAssignment {
  const origin = originReplicas(current);
  const full = [...new Set([...target, ...origin])];
  return replicaAssignment(
    full,
    target.filter((r) => !origin.includes(r)),
    origin.filter((r) => !target.includes(r)),
  );
}

/** Why a target replica list cannot be used, or null (Kafka KafkaController.validateReplicas). */
export function validateReplicas(
  tp: TopicPartition,
  replicas: readonly number[],
  brokerIds: readonly number[],
): ReassignmentApiError | null {
  const key = topicPartitionKey(tp);
  if (replicas.length === 0)
    return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Empty replica list specified in partition reassignment for ${key}.` };
  if (new Set(replicas).size !== replicas.length)
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `Duplicate replica ids in partition reassignment replica list: ${replicas.join(',')}`,
    };
  if (replicas.some((r) => r < 0))
    return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Invalid broker id in replica list: ${replicas.join(',')}` };
  const unknown = replicas.filter((r) => !brokerIds.includes(r));
  if (unknown.length > 0)
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `Replica assignment for ${key} includes non-existent broker(s) ${unknown.join(',')}`,
    };
  return null;
}

/**
 * Partition reassignment in ZooKeeper mode (Kafka 2.8 KafkaController: onPartitionReassignment,
 * maybeTriggerPartitionReassignment, processZkPartitionReassignment, processApiPartitionReassignment,
 * processListPartitionReassignments). Runs on the controller's event loop only.
 *
 * Notation: ORS origin replicas, TRS target replicas, RS = ORS + TRS the full set while moving,
 * AR = TRS − ORS adding, RR = ORS − TRS removing.
 */
export class PartitionReassignment {
  constructor(private readonly options: PartitionReassignmentOptions) {}

  private get context(): ControllerContext {
    return this.options.context;
  }

  /**
   * /admin/reassign_partitions was created (or failover found it): re-arm the watch, build each
   * listed partition's reassignment and start it. Partitions that fail (unknown, invalid, topic being
   * deleted) are dropped from the znode. Returns the partitions started.
   */
  async processZkPartitionReassignment(): Promise<Set<string>> {
    const started = new Set<string>();
    if (!this.options.isActive()) return started;
    const exists = await this.options.zkClient.registerZNodeChangeHandlerAndCheckExistence(ReassignPartitionsZNode.path(), {
      handleCreation: () => this.options.onReassignPartitionsCreated(),
    });
    if (!exists) return started;
    const requested = await this.options.zkClient.getPartitionReassignment();
    const results = new TopicPartitionMap<ReassignmentApiError>();
    const toReassign = new TopicPartitionMap<ReplicaAssignment>();
    for (const [tp, target] of requested) {
      const invalid = this.validate(tp, target);
      if (invalid !== null) {
        results.set(tp, invalid);
        continue;
      }
      const built = this.maybeBuildReassignment(tp, target);
      if (built === null) results.set(tp, { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null });
      else toReassign.set(tp, built);
    }
    for (const [tp, error] of await this.maybeTriggerPartitionReassignment(toReassign)) results.set(tp, error);
    const failed = new Set<string>();
    for (const [tp, error] of results) {
      if (error.errorCode === ErrorCode.NONE) started.add(topicPartitionKey(tp));
      else {
        failed.add(topicPartitionKey(tp));
        this.options.logger.warn(
          `Partition reassignment of ${topicPartitionKey(tp)} failed: ${error.errorMessage ?? error.errorCode}`,
        );
      }
    }
    if (failed.size > 0) await this.maybeRemoveFromZkReassignment((tp) => failed.has(topicPartitionKey(tp)));
    return started;
  }

  /** AlterPartitionReassignments: answers the waiting caller in every case. */
  async processApiPartitionReassignment(event: ApiPartitionReassignmentEvent): Promise<void> {
    if (!this.options.isActive()) {
      event.callback({ errorCode: ErrorCode.NOT_CONTROLLER, partitions: new TopicPartitionMap() });
      return;
    }
    const results = new TopicPartitionMap<ReassignmentApiError>();
    const toReassign = new TopicPartitionMap<ReplicaAssignment>();
    try {
      for (const [tp, target] of event.reassignments) {
        const invalid = target === null ? this.validateExists(tp) : this.validate(tp, target);
        if (invalid !== null) {
          results.set(tp, invalid);
          continue;
        }
        const built = this.maybeBuildReassignment(tp, target);
        if (built === null) results.set(tp, { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null });
        else toReassign.set(tp, built);
      }
      // The latest reassignment, by API or by ZooKeeper, takes precedence.
      await this.maybeRemoveFromZkReassignment((tp) => toReassign.has(tp));
      for (const [tp, error] of await this.maybeTriggerPartitionReassignment(toReassign)) results.set(tp, error);
      event.callback({ errorCode: ErrorCode.NONE, partitions: results });
    } catch (error) {
      event.callback({
        errorCode: error instanceof ControllerMovedError ? ErrorCode.NOT_CONTROLLER : ErrorCode.UNKNOWN_SERVER_ERROR,
        partitions: new TopicPartitionMap(),
      });
      throw error;
    }
  }

  /** ListPartitionReassignments: the full assignments of the partitions being reassigned. */
  processListPartitionReassignments(event: ListPartitionReassignmentsEvent): void {
    if (!this.options.isActive()) {
      event.callback({ errorCode: ErrorCode.NOT_CONTROLLER, reassignments: new TopicPartitionMap() });
      return;
    }
    const reassignments = new TopicPartitionMap<ReplicaAssignment>();
    const candidates = event.partitions ?? this.context.partitionsBeingReassigned.keys();
    for (const tp of candidates) {
      if (!this.context.partitionsBeingReassigned.has(tp)) continue;
      const a = this.context.partitionFullReplicaAssignment(tp);
      if (a !== undefined && (a.addingReplicas.length > 0 || a.removingReplicas.length > 0)) reassignments.set(tp, a);
    }
    event.callback({ errorCode: ErrorCode.NONE, reassignments });
  }

  /**
   * After failover (Kafka initializePartitionReassignments): start what /admin/reassign_partitions
   * asks for, then resume the reassignments the topic znodes show in progress (their adding and
   * removing replicas were loaded into the context).
   */
  async onControllerFailover(): Promise<void> {
    const zkStarted = await this.processZkPartitionReassignment();
    for (const tp of this.context.partitionsBeingReassigned.keys()) {
      if (zkStarted.has(topicPartitionKey(tp))) continue;
      const a = this.context.partitionFullReplicaAssignment(tp);
      if (a === undefined) continue;
      await this.tryOnPartitionReassignment(tp, a);
    }
  }

  /** An ISR changed somewhere: complete the reassignments whose target replicas are all in sync. */
  async processIsrChange(): Promise<void> {
    if (!this.options.isActive()) return;
    for (const tp of this.context.partitionsBeingReassigned.keys()) {
      const a = this.context.partitionFullReplicaAssignment(tp);
      if (a === undefined) continue;
      if (await this.isReassignmentComplete(tp, a)) await this.tryOnPartitionReassignment(tp, a);
    }
  }

  // ---- the recipe -------------------------------------------------------------------------------

  /**
   * Moves one partition towards `reassignment` (Kafka onPartitionReassignment). Every ZooKeeper
   * write is fenced on the controller epoch and made before memory changes, so a new controller
   * resumes from the topic znode (whose adding/removing replicas say a move is in progress):
   *   1. write RS = ORS + TRS with AR and RR to /brokers/topics/T, then record it in the context and
   *      mark the partition as being reassigned; replicas dropped by a changed earlier reassignment
   *      are stopped and deleted (steps 8–9 for them);
   *   while some TRS replica is not in the ISR (re-checked on every ISR change notification):
   *   2. bump the leader epoch in the state znode and send LeaderAndIsr with RS/AR/RR to every
   *      replica of RS;
   *   3. AR replicas → NewReplica (they start fetching and join the ISR);
   *   once every TRS replica is in the ISR:
   *   4. TRS replicas → OnlineReplica;
   *   5. set RS = TRS, AR = RR = [] in memory;
   *   6. if the leader is not in TRS or not live, elect one from TRS (ReassignPartition election);
   *      else bump the leader epoch and send LeaderAndIsr with the new RS to TRS;
   *   7. RR replicas → OfflineReplica (out of the ISR, StopReplica) → ReplicaDeletionStarted
   *      (StopReplica delete) → ReplicaDeletionSuccessful → NonExistentReplica;
   *   8. write RS = TRS to /brokers/topics/T (the move is now final);
   *   9. remove the partition from /admin/reassign_partitions (delete the znode when empty) and
   *      from partitionsBeingReassigned;
   *  10. UpdateMetadata to every live broker; resume deletion of the topic if it was waiting.
   * A crash before 8 leaves AR/RR in the topic znode: the next controller resumes at 1.
   */
  async onPartitionReassignment(tp: TopicPartition, reassignment: ReplicaAssignment): Promise<void> {
    const { logger, replicaStateMachine } = this.options;
    const key = topicPartitionKey(tp);
    this.context.partitionsBeingReassigned.set(tp, true);
    await this.updateCurrentReassignment(tp, reassignment);
    const target = targetReplicas(reassignment);
    const adding = reassignment.addingReplicas;
    const removing = reassignment.removingReplicas;
    if (!(await this.isReassignmentComplete(tp, reassignment))) {
      logger.info(`Reassignment of ${key} to ${target.join(',')} started: waiting for ${adding.join(',')} to join the ISR`);
      await this.updateLeaderEpochAndSendRequest(tp, reassignment, reassignment.replicas);
      await replicaStateMachine.handleStateChanges(
        adding.map((r) => partitionAndReplica(tp, r)),
        'NewReplica',
      );
      return;
    }
    await replicaStateMachine.handleStateChanges(
      target.map((r) => partitionAndReplica(tp, r)),
      'OnlineReplica',
    );
    const completed = replicaAssignment(target);
    this.context.updatePartitionFullReplicaAssignment(tp, completed);
    await this.moveReassignedPartitionLeaderIfRequired(tp, completed);
    await this.stopRemovedReplicas(tp, removing);
    await this.writeAssignment(tp);
    await this.maybeRemoveFromZkReassignment(
      (candidate, replicas) => topicPartitionKey(candidate) === key && sameReplicas(replicas, target),
    );
    this.context.partitionsBeingReassigned.delete(tp);
    this.options.sendUpdateMetadataRequest(this.context.liveOrShuttingDownBrokerIds, [tp]);
    logger.info(`Reassignment of ${key} to ${target.join(',')} completed`);
    await this.options.resumeDeletionForTopics(new Set([tp.topic]));
  }

  private async tryOnPartitionReassignment(tp: TopicPartition, a: ReplicaAssignment): Promise<ReassignmentApiError> {
    try {
      await this.onPartitionReassignment(tp, a);
      return NONE;
    } catch (error) {
      if (error instanceof ControllerMovedError) throw error;
      this.options.logger.error(`Error completing reassignment of partition ${topicPartitionKey(tp)}`, error);
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: String(error) };
    }
  }

  private async maybeTriggerPartitionReassignment(
    reassignments: TopicPartitionMap<ReplicaAssignment>,
  ): Promise<TopicPartitionMap<ReassignmentApiError>> {
    const results = new TopicPartitionMap<ReassignmentApiError>();
    for (const [tp, a] of reassignments) {
      if (this.context.isTopicQueuedUpForDeletion(tp.topic)) {
        results.set(tp, {
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: `Reassignment of partition ${topicPartitionKey(tp)} failed since the topic is being deleted`,
        });
        continue;
      }
      results.set(tp, await this.tryOnPartitionReassignment(tp, a));
    }
    return results;
  }

  /** The reassignment `target` asks for, or null when it changes nothing (null target: cancel). */
  private maybeBuildReassignment(tp: TopicPartition, target: readonly number[] | null): ReplicaAssignment | null {
    const current = this.context.partitionFullReplicaAssignment(tp)!;
    const next = target === null ? replicaAssignment(originReplicas(current)) : reassignTo(current, target);
    const unchanged =
      sameReplicas(next.replicas, current.replicas) &&
      sameReplicas(next.addingReplicas, current.addingReplicas) &&
      sameReplicas(next.removingReplicas, current.removingReplicas);
    if (!unchanged) return next;
    // Resubmitting an identical target of a move in progress is accepted (it is under way).
    return target !== null && this.context.partitionsBeingReassigned.has(tp) ? current : null;
  }

  private validateExists(tp: TopicPartition): ReassignmentApiError | null {
    if (this.context.partitionFullReplicaAssignment(tp) === undefined)
      return {
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `Partition ${topicPartitionKey(tp)} does not exist`,
      };
    return null;
  }

  private validate(tp: TopicPartition, target: readonly number[]): ReassignmentApiError | null {
    return this.validateExists(tp) ?? validateReplicas(tp, target, this.context.liveOrShuttingDownBrokerIds);
  }

  /** Step 1: the full replica set to ZooKeeper, then memory; stop replicas a changed move no longer wants. */
  private async updateCurrentReassignment(tp: TopicPartition, reassignment: ReplicaAssignment): Promise<void> {
    const current = this.context.partitionFullReplicaAssignment(tp)!;
    if (
      sameReplicas(current.replicas, reassignment.replicas) &&
      sameReplicas(current.addingReplicas, reassignment.addingReplicas) &&
      sameReplicas(current.removingReplicas, reassignment.removingReplicas)
    )
      return;
    const unneeded = current.replicas.filter((r) => !reassignment.replicas.includes(r));
    await this.writeAssignment(tp, reassignment);
    this.context.updatePartitionFullReplicaAssignment(tp, reassignment);
    if (unneeded.length > 0) await this.stopRemovedReplicas(tp, unneeded);
  }

  /** Writes the topic znode with `tp`'s assignment replaced (fenced). */
  private async writeAssignment(tp: TopicPartition, override?: ReplicaAssignment): Promise<void> {
    const partitions = new Map(this.context.partitionAssignments.get(tp.topic) ?? []);
    if (override !== undefined) partitions.set(tp.partition, override);
    await this.options.zkClient.setTopicAssignment(
      tp.topic,
      this.context.topicIds.get(tp.topic) ?? null,
      partitions,
      this.context.epochZkVersion,
    );
  }

  /** All TRS replicas are in the ISR, as the state znode says now. */
  private async isReassignmentComplete(tp: TopicPartition, a: ReplicaAssignment): Promise<boolean> {
    if (a.addingReplicas.length === 0 && a.removingReplicas.length === 0) return true;
    const state = (await this.options.zkClient.getTopicPartitionStates([tp])).get(tp);
    if (state === undefined) return false;
    this.context.putPartitionLeadershipInfo(tp, state);
    return targetReplicas(a).every((r) => state.leaderAndIsr.isr.includes(r));
  }

  /** Steps 2 and 6: bump the leader epoch (fenced, conditional), then LeaderAndIsr to `recipients`. */
  private async updateLeaderEpochAndSendRequest(
    tp: TopicPartition,
    a: ReplicaAssignment,
    recipients: readonly number[],
  ): Promise<void> {
    const { zkClient, batch, logger } = this.options;
    const key = topicPartitionKey(tp);
    for (;;) {
      const state = (await zkClient.getTopicPartitionStates([tp])).get(tp);
      if (state === undefined) {
        logger.error(`Failed to send LeaderAndIsr for ${key}: it has no state znode`);
        return;
      }
      if (state.controllerEpoch > this.context.epoch) {
        logger.error(`Aborting reassignment of ${key}: its state was written by a newer controller`);
        return;
      }
      const current = state.leaderAndIsr;
      const next = new TopicPartitionMap<LeaderAndIsr>([[tp, { ...current, leaderEpoch: current.leaderEpoch + 1 }]]);
      const { finishedPartitions, partitionsToRetry } = await zkClient.updateLeaderAndIsr(
        next,
        this.context.epoch,
        this.context.epochZkVersion,
      );
      if (partitionsToRetry.length > 0) continue;
      const outcome = finishedPartitions.get(tp);
      if (outcome === undefined || !outcome.ok) {
        logger.error(`Failed to bump the leader epoch of ${key}`, outcome?.ok === false ? outcome.error : undefined);
        return;
      }
      const info = { leaderAndIsr: outcome.leaderAndIsr, controllerEpoch: this.context.epoch };
      this.context.putPartitionLeadershipInfo(tp, info);
      batch.newBatch();
      try {
        batch.addLeaderAndIsrRequestForBrokers(recipients, tp, info, a, false);
        batch.sendRequestsToBrokers(this.context.epoch);
      } catch (error) {
        batch.clear();
        throw error;
      }
      return;
    }
  }

  /** Step 6. */
  private async moveReassignedPartitionLeaderIfRequired(tp: TopicPartition, completed: ReplicaAssignment): Promise<void> {
    const leader = this.context.partitionLeadership(tp)?.leaderAndIsr.leader ?? -1;
    const target = completed.replicas;
    if (!target.includes(leader) || !this.context.isReplicaOnline(leader, tp)) {
      this.options.logger.info(
        `Leader ${leader} for partition ${topicPartitionKey(tp)} being reassigned is not in the new list of replicas ${target.join(',')} or is offline. Re-electing leader`,
      );
      await this.options.partitionStateMachine.handleStateChanges([tp], 'OnlinePartition', {
        kind: 'ReassignPartition',
      });
    } else {
      await this.updateLeaderEpochAndSendRequest(tp, completed, target);
    }
  }

  /** Step 7: the removed replicas leave the ISR, delete their logs and are forgotten. */
  private async stopRemovedReplicas(tp: TopicPartition, removed: readonly number[]): Promise<void> {
    if (removed.length === 0) return;
    const rsm = this.options.replicaStateMachine;
    const replicas = removed.map((r) => partitionAndReplica(tp, r));
    await rsm.handleStateChanges(replicas, 'OfflineReplica');
    await rsm.handleStateChanges(replicas, 'ReplicaDeletionStarted');
    await rsm.handleStateChanges(replicas, 'ReplicaDeletionSuccessful');
    await rsm.handleStateChanges(replicas, 'NonExistentReplica');
  }

  /** Drops the partitions `shouldRemove` picks from /admin/reassign_partitions (fenced). */
  private async maybeRemoveFromZkReassignment(
    shouldRemove: (tp: TopicPartition, replicas: readonly number[]) => boolean,
  ): Promise<void> {
    const { zkClient } = this.options;
    if (!(await zkClient.reassignPartitionsInProgress())) return;
    const pending = await zkClient.getPartitionReassignment();
    const kept = pending.entries().filter(([tp, replicas]) => !shouldRemove(tp, replicas));
    if (kept.length === pending.size) return;
    if (kept.length === 0) {
      await zkClient.deletePartitionReassignment(this.context.epochZkVersion);
      // The deletion used up the watch: arm it again so the next request is seen.
      const recreated = await zkClient.registerZNodeChangeHandlerAndCheckExistence(ReassignPartitionsZNode.path(), {
        handleCreation: () => this.options.onReassignPartitionsCreated(),
      });
      if (recreated) this.options.onReassignPartitionsCreated();
    } else await zkClient.setOrCreatePartitionReassignment(kept, this.context.epochZkVersion);
  }
}
