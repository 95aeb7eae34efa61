import { topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import { ControllerMovedError } from '@samsa/zk';
import type { ControllerContext } from './ControllerContext';
import { partitionAndReplica } from './PartitionAndReplica';
import type { PartitionStateMachine } from './PartitionStateMachine';
import type { ReplicaStateMachine } from './ReplicaStateMachine';

/** Kafka's AbstractControlRequest.UNKNOWN_BROKER_EPOCH: ControlledShutdown v0–1 carry no broker epoch. */
export const UNKNOWN_BROKER_EPOCH = -1;

/** The answer to a broker asking to shut down: an error, or the partitions it still leads. */
export interface ControlledShutdownResult {
  readonly errorCode: number;
  /** Partitions whose leadership could not be moved (no other live ISR member); empty on error. */
  readonly remainingPartitions: readonly TopicPartition[];
}

/**
 * A ControlledShutdown request waiting on the controller's queue. Exactly one of `callback` (the
 * event was processed) or `preempt` (the controller resigned, or the deadline passed while it
 * queued) answers the caller.
 */
export interface ControlledShutdownEvent {
  readonly name: 'ControlledShutdown';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly deadlineMs?: number;
  readonly callback: (result: ControlledShutdownResult) => void;
  preempt(errorCode: number): void;
}

/** The event and the promise its caller waits on; the promise never rejects. */
export function controlledShutdownEvent(
  brokerId: number,
  brokerEpoch: number,
  deadlineMs?: number,
): { event: ControlledShutdownEvent; result: Promise<ControlledShutdownResult> } {
  let answer!: (result: ControlledShutdownResult) => void;
  const result = new Promise<ControlledShutdownResult>((resolve) => (answer = resolve));
  let answered = false;
  const once = (r: ControlledShutdownResult): void => {
    if (answered) return;
    answered = true;
    answer(r);
  };
  const event: ControlledShutdownEvent = {
    name: 'ControlledShutdown',
    brokerId,
    brokerEpoch,
    deadlineMs,
    callback: once,
    preempt: (errorCode) => once({ errorCode, remainingPartitions: [] }),
  };
  return { event, result };
}

/** A refusal carried as data until the response is built (not a programmer error). */
export class ControlledShutdownRefusedError extends Error {
  override readonly name = 'ControlledShutdownRefusedError';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlledShutdownDeps {
  readonly context: ControllerContext;
  readonly partitionStateMachine: PartitionStateMachine;
  readonly replicaStateMachine: ReplicaStateMachine;
  readonly logger: Logger;
  readonly isActive: boolean;
}

/**
 * Moves a shutting-down broker's leaderships away and takes it out of every ISR (Kafka
 * KafkaController.doControlledShutdown). Recipe, in the crash-safe order (ZooKeeper before memory,
 * each write fenced on the controller epoch):
 *   1. refuse unless active (NOT_CONTROLLER), unless the broker epoch is current
 *      (STALE_BROKER_EPOCH: a request from the broker's previous incarnation) and unless the
 *      broker is registered (BROKER_NOT_AVAILABLE);
 *   2. mark it shutting down: from now on no election picks it (isReplicaOnline excludes it);
 *   3. of its partitions with more than one replica, a known leadership and a topic not being
 *      deleted: those it leads go OnlinePartition under the controlled-shutdown election (first
 *      live ISR member not shutting down; the ISR loses the shutting-down brokers) → state znode
 *      written, LeaderAndIsr to the live replicas, the broker included (it becomes a follower);
 *   4. those it follows: its replica goes OfflineReplica → StopReplica (delete=false) to it, the
 *      ISR without it written, LeaderAndIsr to the others;
 *   5. answer with the partitions it still leads (no other ISR member was live): the broker
 *      retries, or shuts down anyway after its last retry.
 * It stays in shuttingDownBrokerIds until its registration disappears, then it is handled as a
 * failed broker (BrokerLifecycle.onBrokerFailure), or until a new controller loads the context.
 */
export async function doControlledShutdown(
  deps: ControlledShutdownDeps,
  brokerId: number,
  brokerEpoch: number,
): Promise<TopicPartition[]> {
  const { context, logger } = deps;
  if (!deps.isActive)
    throw new ControlledShutdownRefusedError(
      ErrorCode.NOT_CONTROLLER,
      'Controller moved to another broker. Aborting controlled shutdown',
    );
  if (brokerEpoch !== UNKNOWN_BROKER_EPOCH) {
    const cachedBrokerEpoch = context.brokerEpoch(brokerId);
    if (cachedBrokerEpoch !== undefined && brokerEpoch < cachedBrokerEpoch) {
      const message =
        `Received controlled shutdown request from an old broker epoch ${brokerEpoch} for broker ${brokerId}. ` +
        `Current broker epoch is ${cachedBrokerEpoch}.`;
      logger.info(message);
      throw new ControlledShutdownRefusedError(ErrorCode.STALE_BROKER_EPOCH, message);
    }
  }
  logger.info(`Shutting down broker ${brokerId}`);
  if (context.liveOrShuttingDownBroker(brokerId) === undefined)
    throw new ControlledShutdownRefusedError(
      ErrorCode.BROKER_NOT_AVAILABLE,
      `Broker id ${brokerId} does not exist.`,
    );

  context.shuttingDownBrokerIds.add(brokerId);
  logger.debug(`All shutting down brokers: ${[...context.shuttingDownBrokerIds].join(',')}`);
  logger.debug(`Live brokers: ${context.liveBrokerIds.join(',')}`);

  const partitionsToActOn = context
    .replicasOnBrokers([brokerId])
    .map((r) => r.topicPartition)
    .filter(
      (tp) =>
        context.partitionReplicaAssignment(tp).length > 1 &&
        context.partitionLeadership(tp) !== undefined &&
        !context.isTopicQueuedUpForDeletion(tp.topic),
    );
  const led = partitionsToActOn.filter(
    (tp) => context.partitionLeadership(tp)!.leaderAndIsr.leader === brokerId,
  );
  const followed = partitionsToActOn.filter(
    (tp) => context.partitionLeadership(tp)!.leaderAndIsr.leader !== brokerId,
  );
  await deps.partitionStateMachine.handleStateChanges(led, 'OnlinePartition', {
    kind: 'ControlledShutdownPartition',
  });
  // OfflineReplica sends the follower StopReplica (delete=false) and shrinks the ISR in one batch.
  await deps.replicaStateMachine.handleStateChanges(
    followed.map((tp) => partitionAndReplica(tp, brokerId)),
    'OfflineReplica',
  );
  const remaining = context.partitionLeadersOnBroker(brokerId);
  if (remaining.length > 0)
    logger.info(
      `Broker ${brokerId} still leads ${remaining.map(topicPartitionKey).join(',')} after controlled shutdown`,
    );
  return remaining;
}

/** The wire error for a failed controlled shutdown. */
export function controlledShutdownErrorCode(error: unknown): number {
  if (error instanceof ControlledShutdownRefusedError) return error.errorCode;
  if (error instanceof ControllerMovedError) return ErrorCode.NOT_CONTROLLER;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
