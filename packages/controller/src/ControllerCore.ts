import { type Logger, type TopicPartition } from '@samsa/common';
import type { KafkaZkClient } from '@samsa/zk';
import type { ControllerChannelManager } from './ControllerChannelManager';
import type { ControllerConfig } from './ControllerConfig';
import type { ControllerContext } from './ControllerContext';
import type { ControllerNotification } from './ControllerNotification';
import type { ControllerZkWatches } from './ControllerZkWatches';
import type { PartitionStateMachine } from './PartitionStateMachine';
import type { ReplicaStateMachine } from './ReplicaStateMachine';
import type { TopicDeletionManager } from './TopicDeletionManager';

/**
 * The active controller's parts, as the event processors (BrokerLifecycle, TopicLifecycle) see
 * them. KafkaController owns and wires them; only the event loop uses them.
 */
export interface ControllerCore {
  readonly config: ControllerConfig;
  readonly context: ControllerContext;
  readonly zkClient: KafkaZkClient;
  readonly channelManager: ControllerChannelManager;
  readonly partitionStateMachine: PartitionStateMachine;
  readonly replicaStateMachine: ReplicaStateMachine;
  readonly topicDeletionManager: TopicDeletionManager;
  readonly watches: ControllerZkWatches;
  readonly logger: Logger;
  readonly isActive: boolean;
  notify(notification: ControllerNotification): void;
  /** One UpdateMetadata batch: `partitions`' states to `brokers`. */
  sendUpdateMetadataRequest(brokers: readonly number[], partitions: readonly TopicPartition[]): void;
}
