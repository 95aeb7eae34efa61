import { topicPartitionKey } from '@samsa/common';
import type { EventJournal, LeaderElectionReason } from '@samsa/metrics';
import type { ControllerNotification, ControllerObserver } from './ControllerNotification';

/** The journal's reason for an election, from the strategy that ran it. */
export function electionReason(trigger: string): LeaderElectionReason {
  if (trigger === 'NewPartition') return 'new-partition';
  if (trigger.startsWith('PreferredReplicaPartition')) return 'preferred';
  if (trigger.startsWith('ControlledShutdownPartition')) return 'controlled-shutdown';
  if (trigger.startsWith('ReassignPartition')) return 'reassignment';
  return 'offline';
}

/**
 * What the active controller writes in the event journal: its election and resignation, brokers
 * joining and lost, each partition's new leader (with why), topics created and deleted. A bounced
 * broker (re-registered with a new epoch before its old session was noticed gone) is both lost
 * and joined.
 */
export function controllerJournalObserver(journal: EventJournal, epoch: () => number): ControllerObserver {
  return (n: ControllerNotification) => {
    switch (n.type) {
      case 'ControllerElected':
        journal.record({
          type: 'ControllerElected',
          controllerEpoch: n.epoch,
          detail: `broker ${n.controllerId} became the controller with epoch ${n.epoch}`,
        });
        return;
      case 'ControllerResigned':
        journal.record({
          type: 'ControllerResigned',
          controllerEpoch: n.epoch,
          reason: n.reason,
          detail: `broker ${n.controllerId} resigned as controller of epoch ${n.epoch}: ${n.reason}`,
        });
        return;
      case 'BrokerChange':
        for (const c of n.changes) {
          const common = { controllerEpoch: epoch(), subjectBrokerId: c.brokerId, reason: c.reason };
          if (c.change !== 'added') {
            journal.record({ ...common, type: 'BrokerLost', detail: `broker ${c.brokerId} lost: ${c.reason}` });
          }
          if (c.change !== 'removed') {
            journal.record({ ...common, type: 'BrokerJoined', detail: `broker ${c.brokerId} joined: ${c.reason}` });
          }
        }
        return;
      case 'LeaderElection': {
        const { topic, partition } = n.topicPartition;
        const { leader, leaderEpoch, isr } = n.leaderAndIsr;
        const reason = electionReason(n.trigger);
        const from = n.previousLeader === null ? '' : ` (was ${n.previousLeader})`;
        journal.record({
          type: 'LeaderElected',
          controllerEpoch: epoch(),
          topic,
          partition,
          leader,
          leaderEpoch,
          newIsr: [...isr],
          reason,
          detail: `${topicPartitionKey({ topic, partition })}: leader ${leader}${from}, leader epoch ${leaderEpoch}, ISR [${isr.join(',')}] (${reason})`,
        });
        return;
      }
      case 'TopicCreated':
        journal.record({
          type: 'TopicCreated',
          controllerEpoch: epoch(),
          topic: n.topic,
          detail: `topic ${n.topic} created with ${n.partitions.length} partition${n.partitions.length === 1 ? '' : 's'}`,
        });
        return;
      case 'TopicDeletionStarted':
        journal.record({ type: 'TopicDeletionStarted', controllerEpoch: epoch(), topic: n.topic, detail: `deletion of topic ${n.topic} started` });
        return;
      case 'TopicDeleted':
        journal.record({ type: 'TopicDeleted', controllerEpoch: epoch(), topic: n.topic, detail: `topic ${n.topic} deleted` });
        return;
    }
  };
}
