import { type TopicPartition } from '@samsa/common';
import type { LeaderAndIsr } from '@samsa/zk';
import type { EventTiming } from './ControllerEventManager';

/** Why a broker joined or left the controller's view of the cluster. */
export type BrokerChangeKind = 'added' | 'removed' | 'bounced';

export interface BrokerChange {
  readonly brokerId: number;
  readonly change: BrokerChangeKind;
  /** In words, for the dashboard timeline. */
  readonly reason: string;
}

/**
 * What the controller tells its observers (metrics, the dashboard timeline). Observers are called
 * synchronously from the event loop and must not throw or block.
 */
export type ControllerNotification =
  | {
      readonly type: 'ControllerElected';
      readonly controllerId: number;
      readonly epoch: number;
      readonly epochZkVersion: number;
    }
  | {
      readonly type: 'ControllerResigned';
      readonly controllerId: number;
      readonly epoch: number;
      readonly reason: string;
    }
  | {
      readonly type: 'BrokerChange';
      readonly changes: readonly BrokerChange[];
      readonly liveBrokerIds: readonly number[];
    }
  | {
      readonly type: 'LeaderElection';
      readonly topicPartition: TopicPartition;
      /** What triggered it: "NewPartition" for a new partition's first leader, else the election strategy. */
      readonly trigger: string;
      readonly previousLeader: number | null;
      /** The ISR before the election (absent for a new partition): a leader outside it was elected uncleanly. */
      readonly previousIsr?: readonly number[];
      readonly leaderAndIsr: LeaderAndIsr;
    }
  | {
      readonly type: 'LeaderElectionFailed';
      readonly topicPartition: TopicPartition;
      readonly trigger: string;
      readonly reason: string;
    }
  | { readonly type: 'TopicCreated'; readonly topic: string; readonly partitions: readonly number[] }
  | { readonly type: 'TopicDeletionStarted'; readonly topic: string }
  | { readonly type: 'TopicDeleted'; readonly topic: string }
  | ({ readonly type: 'EventProcessed' } & EventTiming);

export type ControllerObserver = (notification: ControllerNotification) => void;
