import type { ControllerContext } from './ControllerContext';
import type { ReplicaState } from './ReplicaState';

/** Gauges of the controller (Kafka's KafkaController metrics); zero unless active. */
export interface ControllerMetrics {
  readonly activeControllerCount: number;
  readonly controllerEpoch: number;
  /** The event being processed, or Idle (Kafka's ControllerState). */
  readonly controllerState: string;
  readonly eventQueueSize: number;
  readonly offlinePartitionsCount: number;
  readonly globalTopicCount: number;
  readonly globalPartitionCount: number;
  readonly topicsToDeleteCount: number;
  readonly replicasToDeleteCount: number;
  readonly topicsIneligibleToDeleteCount: number;
  readonly replicasIneligibleToDeleteCount: number;
}

export function controllerMetrics(
  context: ControllerContext,
  active: boolean,
  eventManager: { readonly state: string; readonly queueSize: number },
): ControllerMetrics {
  const toDelete = [...context.topicsToBeDeleted];
  const replicasToDelete = (keep: (s: ReplicaState) => boolean): number =>
    toDelete.reduce(
      (n, t) => n + context.replicasForTopic(t).filter((r) => keep(context.replicaState(r))).length,
      0,
    );
  const ifActive = (value: () => number): number => (active ? value() : 0);
  return {
    activeControllerCount: active ? 1 : 0,
    controllerEpoch: ifActive(() => context.epoch),
    controllerState: eventManager.state,
    eventQueueSize: eventManager.queueSize,
    offlinePartitionsCount: ifActive(() => context.offlinePartitionCount),
    globalTopicCount: ifActive(() => context.allTopics.size),
    globalPartitionCount: ifActive(() => context.allPartitions.length),
    topicsToDeleteCount: ifActive(() => toDelete.length),
    replicasToDeleteCount: ifActive(() => replicasToDelete((s) => s !== 'ReplicaDeletionSuccessful')),
    topicsIneligibleToDeleteCount: ifActive(() => context.topicsIneligibleForDeletion.size),
    replicasIneligibleToDeleteCount: ifActive(() =>
      replicasToDelete((s) => s === 'ReplicaDeletionIneligible'),
    ),
  };
}
