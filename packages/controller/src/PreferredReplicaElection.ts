import { topicPartitionKey, TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { ControllerMovedError, PreferredReplicaElectionZNode } from '@samsa/zk';
import type { ControllerCore } from './ControllerCore';
import { offlinePartitionStrategy, type PartitionLeaderElectionStrategy } from './Election';
import { StateChangeFailedError } from './PartitionStateMachine';

/** ElectLeaders election types (Kafka ElectionType): 0 = preferred, 1 = unclean. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;
export type ElectionType = (typeof ElectionType)[keyof typeof ElectionType];

/** Who asked (Kafka ElectionTrigger): the znode, the rebalance timer or the ElectLeaders API. */
export type ElectionTrigger = 'ZkTriggered' | 'AutoTriggered' | 'AdminClientTriggered';

/** One partition's answer to an election request, carried as data until the response is built. */
export interface PartitionElectionResult {
  readonly topicPartition: TopicPartition;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** The elected leader when errorCode is NONE. */
  readonly leader?: number;
}

/** The answer to ElectLeaders: a request-level error (NOT_CONTROLLER, REQUEST_TIMED_OUT) or per-partition results. */
export interface ElectLeadersResult {
  readonly errorCode: number;
  readonly partitions: readonly PartitionElectionResult[];
}

/**
 * An ElectLeaders request waiting on the controller's queue. Exactly one of `callback` or
 * `preempt` answers the caller (the pattern of ControlledShutdownEvent).
 */
export interface ElectLeadersEvent {
  readonly name: 'ElectLeaders';
  readonly electionType: ElectionType;
  /** Null: every partition the controller knows. */
  readonly partitions: readonly TopicPartition[] | null;
  readonly deadlineMs?: number;
  readonly callback: (result: ElectLeadersResult) => void;
  preempt(errorCode: number): void;
}

/** Timer event: check every broker's leader imbalance (Kafka AutoPreferredReplicaLeaderElection). */
export interface AutoPreferredReplicaLeaderElectionEvent {
  readonly name: 'AutoPreferredReplicaLeaderElection';
}

/** The event and the promise its caller waits on; the promise never rejects. */
export function electLeadersEvent(
  electionType: ElectionType,
  partitions: readonly TopicPartition[] | null,
  deadlineMs?: number,
): { event: ElectLeadersEvent; result: Promise<ElectLeadersResult> } {
  let answer!: (result: ElectLeadersResult) => void;
  const result = new Promise<ElectLeadersResult>((resolve) => (answer = resolve));
  let answered = false;
  const once = (r: ElectLeadersResult): void => {
    if (answered) return;
    answered = true;
    answer(r);
  };
  const event: ElectLeadersEvent = {
    name: 'ElectLeaders',
    electionType,
    partitions,
    deadlineMs,
    callback: once,
    preempt: (errorCode) => once({ errorCode, partitions: [] }),
  };
  return { event, result };
}

export interface PreferredReplicaElectionOptions {
  /** leader.imbalance.check.interval.seconds, in ms. */
  readonly checkIntervalMs: number;
  /** leader.imbalance.per.broker.percentage. */
  readonly imbalancePerBrokerPercentage: number;
  /** Delay of the first check after failover (Kafka: 5 s). */
  readonly firstCheckDelayMs?: number;
  /** Puts the timer event on the controller's queue. */
  readonly put: (event: AutoPreferredReplicaLeaderElectionEvent | { readonly name: 'ReplicaLeaderElection' }) => void;
}

/**
 * Preferred (and admin-requested unclean) leader election, Kafka 2.8's KafkaController
 * processReplicaLeaderElection / onReplicaElection / checkAndTriggerAutoLeaderRebalance. Three
 * triggers, one path:
 *   1. pick the partitions: the /admin/preferred_replica_election list (ZkTriggered), the
 *      ElectLeaders request's list or every partition (AdminClientTriggered), or those whose
 *      preferred broker's imbalance ratio exceeds the threshold (AutoTriggered);
 *   2. answer UNKNOWN_TOPIC_OR_PARTITION for partitions the context does not know,
 *      INVALID_TOPIC_EXCEPTION for topics queued for deletion, ELECTION_NOT_NEEDED when the
 *      preferred replica already leads (unclean: when the leader is live);
 *   3. the others go OnlinePartition → OnlinePartition under the preferred-replica strategy (the
 *      first assigned replica, if live and in the ISR; the ISR is kept) or, for unclean, the
 *      offline strategy with unclean allowed: the state znode is written fenced on the controller
 *      epoch, then the context, then LeaderAndIsr to the replicas and UpdateMetadata to every broker
 *      (one batch);
 *   4. a partition that could not be elected answers PREFERRED_LEADER_NOT_AVAILABLE
 *      (unclean: ELIGIBLE_LEADERS_NOT_AVAILABLE);
 *   5. ZkTriggered only: delete the znode (fenced) last, whatever the outcome, so a crash before
 *      it makes the next controller redo the (idempotent) election.
 */
export class PreferredReplicaElection {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly core: ControllerCore,
    private readonly options: PreferredReplicaElectionOptions,
  ) {}

  // ---- triggers ---------------------------------------------------------------------------------

  /** /admin/preferred_replica_election was created (or found at failover). */
  async processReplicaLeaderElection(): Promise<void> {
    const { core } = this;
    if (!core.isActive) return;
    // Re-arm the creation watch: reading and deleting the znode consumes it.
    const exists = await core.zkClient.registerZNodeChangeHandlerAndCheckExistence(
      PreferredReplicaElectionZNode.path(),
      { handleCreation: () => this.options.put({ name: 'ReplicaLeaderElection' }) },
    );
    if (!exists) return;
    const partitions = await core.zkClient.getPreferredReplicaElection();
    await this.processElection(partitions, ElectionType.PREFERRED, 'ZkTriggered');
  }

  /** The ElectLeaders API: answers the waiting caller in every case. */
  async processElectLeaders(event: ElectLeadersEvent): Promise<void> {
    if (!this.core.isActive) {
      event.callback({ errorCode: ErrorCode.NOT_CONTROLLER, partitions: [] });
      return;
    }
    try {
      const partitions = event.partitions ?? this.core.context.allPartitions;
      const results = await this.processElection(partitions, event.electionType, 'AdminClientTriggered');
      event.callback({ errorCode: ErrorCode.NONE, partitions: results });
    } catch (error) {
      event.callback({
        errorCode: error instanceof ControllerMovedError ? ErrorCode.NOT_CONTROLLER : ErrorCode.UNKNOWN_SERVER_ERROR,
        partitions: [],
      });
      throw error;
    }
  }

  /** The rebalance timer fired: check, then schedule the next check while active. */
  async processAutoPreferredReplicaLeaderElection(): Promise<void> {
    if (!this.core.isActive) return;
    try {
      if (this.core.config.autoLeaderRebalanceEnable) await this.checkAndTriggerAutoLeaderRebalance();
    } finally {
      this.scheduleAutoLeaderRebalance(this.options.checkIntervalMs);
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** On failover: start the rebalance timer (when enabled) and act on a pending znode. */
  async onControllerFailover(): Promise<void> {
    if (this.core.config.autoLeaderRebalanceEnable)
      this.scheduleAutoLeaderRebalance(this.options.firstCheckDelayMs ?? 5000);
    await this.processReplicaLeaderElection();
  }

  /** On resignation or shutdown: no more timer events. */
  onControllerResignation(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleAutoLeaderRebalance(delayMs: number): void {
    this.onControllerResignation();
    if (!this.core.isActive) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.options.put({ name: 'AutoPreferredReplicaLeaderElection' });
    }, delayMs);
    this.timer.unref();
  }

  // ---- the election -----------------------------------------------------------------------------

  /** Steps 2–5 of the recipe; returns one result per requested partition. */
  async processElection(
    partitions: readonly TopicPartition[],
    electionType: ElectionType,
    trigger: ElectionTrigger,
  ): Promise<PartitionElectionResult[]> {
    const { context, logger } = this.core;
    const results: PartitionElectionResult[] = [];
    const electable: TopicPartition[] = [];
    const seen = new Set<string>();
    for (const tp of partitions) {
      const key = topicPartitionKey(tp);
      if (seen.has(key)) continue;
      seen.add(key);
      const leadership = context.partitionLeadership(tp);
      if (context.partitionReplicaAssignment(tp).length === 0 || leadership === undefined) {
        logger.info(
          `Skipping replica leader election (${electionTypeName(electionType)}) for partition ${key} by ${trigger} since it doesn't exist.`,
        );
        results.push(failed(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The partition does not exist.'));
      } else if (context.isTopicQueuedUpForDeletion(tp.topic)) {
        logger.warn(`Skipping replica leader election for partition ${key} since its topic is being deleted`);
        results.push(failed(tp, ErrorCode.INVALID_TOPIC_EXCEPTION, 'The topic is being deleted'));
      } else if (electionNeeded(this.core, tp, electionType)) {
        electable.push(tp);
      } else {
        results.push(failed(tp, ErrorCode.ELECTION_NOT_NEEDED, null));
      }
    }
    try {
      if (electable.length > 0) {
        const outcomes = await this.onReplicaElection(electable, electionType, trigger);
        for (const tp of electable) {
          const outcome = outcomes.get(tp);
          if (outcome === undefined)
            results.push(failed(tp, ErrorCode.UNKNOWN_SERVER_ERROR, 'The partition is not online'));
          else if (outcome.ok)
            results.push({ topicPartition: tp, errorCode: ErrorCode.NONE, errorMessage: null, leader: outcome.leader });
          else if (outcome.error instanceof StateChangeFailedError)
            results.push(
              failed(
                tp,
                electionType === ElectionType.PREFERRED
                  ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE
                  : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
                outcome.error.message,
              ),
            );
          else results.push(failed(tp, ErrorCode.UNKNOWN_SERVER_ERROR, outcome.error.message));
        }
      }
    } finally {
      if (trigger === 'ZkTriggered') await this.core.zkClient.deletePreferredReplicaElection(context.epochZkVersion);
    }
    return results;
  }

  /** Step 3: one state change for all electable partitions. */
  private async onReplicaElection(
    partitions: readonly TopicPartition[],
    electionType: ElectionType,
    trigger: ElectionTrigger,
  ): Promise<TopicPartitionMap<{ ok: true; leader: number } | { ok: false; error: Error }>> {
    const { logger, partitionStateMachine } = this.core;
    logger.info(
      `Starting replica leader election (${electionTypeName(electionType)}) for partitions ${partitions.map(topicPartitionKey).join(',')} triggered by ${trigger}`,
    );
    // Only an admin request may elect an unclean leader (Kafka is conservative here too).
    const strategy: PartitionLeaderElectionStrategy =
      electionType === ElectionType.PREFERRED
        ? { kind: 'PreferredReplicaPartition' }
        : offlinePartitionStrategy(trigger === 'AdminClientTriggered');
    const outcomes = await partitionStateMachine.handleStateChanges(partitions, 'OnlinePartition', strategy);
    const mapped = new TopicPartitionMap<{ ok: true; leader: number } | { ok: false; error: Error }>();
    for (const [tp, outcome] of outcomes) {
      if (outcome.ok) mapped.set(tp, { ok: true, leader: outcome.leaderAndIsr.leader });
      else {
        mapped.set(tp, { ok: false, error: outcome.error });
        if (trigger !== 'AdminClientTriggered')
          logger.error(`Error completing replica leader election (${electionTypeName(electionType)}) for partition ${topicPartitionKey(tp)}`, outcome.error);
      }
    }
    return mapped;
  }

  /**
   * Kafka checkAndTriggerAutoLeaderRebalance: group partitions by preferred broker; a broker whose
   * share of partitions led by someone else exceeds leader.imbalance.per.broker.percentage gets
   * those partitions back, if it is live and no reassignment is in progress.
   */
  async checkAndTriggerAutoLeaderRebalance(): Promise<void> {
    const { context, logger } = this.core;
    const candidates = autoRebalanceCandidates(this.core, this.options.imbalancePerBrokerPercentage);
    if (candidates.length === 0) return;
    logger.info(`Triggering preferred leader election for ${candidates.map(topicPartitionKey).join(',')}`);
    const electable = candidates.filter((tp) => context.partitionLeadership(tp) !== undefined);
    await this.onReplicaElection(electable, ElectionType.PREFERRED, 'AutoTriggered');
  }
}

/**
 * The partitions an auto rebalance would elect: pure over the context, so it is testable alone.
 * Partitions of topics being deleted are ignored; nothing is chosen while a reassignment runs.
 */
export function autoRebalanceCandidates(
  core: Pick<ControllerCore, 'context' | 'logger'>,
  imbalancePerBrokerPercentage: number,
): TopicPartition[] {
  const { context } = core;
  const byPreferred = new Map<number, TopicPartition[]>();
  for (const tp of context.allPartitions) {
    if (context.isTopicQueuedUpForDeletion(tp.topic)) continue;
    const preferred = context.partitionReplicaAssignment(tp)[0];
    if (preferred === undefined) continue;
    const list = byPreferred.get(preferred) ?? [];
    list.push(tp);
    byPreferred.set(preferred, list);
  }
  const candidates: TopicPartition[] = [];
  for (const [broker, partitions] of byPreferred) {
    const notPreferred = partitions.filter((tp) => {
      const leadership = context.partitionLeadership(tp);
      return leadership !== undefined && leadership.leaderAndIsr.leader !== broker;
    });
    const imbalanceRatio = notPreferred.length / partitions.length;
    core.logger.debug(`Leader imbalance ratio for broker ${broker} is ${imbalanceRatio}`);
    if (imbalanceRatio <= imbalancePerBrokerPercentage / 100) continue;
    if (context.partitionsBeingReassigned.size > 0) continue;
    for (const tp of notPreferred)
      if (context.isReplicaOnline(broker, tp) && context.allTopics.has(tp.topic)) candidates.push(tp);
  }
  return candidates;
}

function electionNeeded(core: ControllerCore, tp: TopicPartition, electionType: ElectionType): boolean {
  const leader = core.context.partitionLeadership(tp)!.leaderAndIsr.leader;
  if (electionType === ElectionType.PREFERRED) return leader !== core.context.partitionReplicaAssignment(tp)[0];
  return leader < 0 || !core.context.liveBrokerIds.includes(leader);
}

function failed(topicPartition: TopicPartition, errorCode: number, errorMessage: string | null): PartitionElectionResult {
  return { topicPartition, errorCode, errorMessage };
}

function electionTypeName(electionType: ElectionType): string {
  return electionType === ElectionType.PREFERRED ? 'PREFERRED' : 'UNCLEAN';
}
