import { type TopicPartition } from '@samsa/common';
import { IsrChangeNotificationSequenceZNode, TopicPartitionStateZNode, type KafkaZkClient } from '@samsa/zk';

/** A leader's ISR writes (Kafka 2.x before AlterIsr: the leader writes ZooKeeper itself). */
export interface IsrUpdater {
  /**
   * Writes the partition state znode with `isr`, conditional on `zkVersion` (the version the leader
   * last saw). Resolves with the new version, or null when someone else wrote first (the controller;
   * its LeaderAndIsr with the new state follows).
   */
  updateIsr(
    tp: TopicPartition,
    state: { leader: number; leaderEpoch: number; isr: readonly number[]; controllerEpoch: number },
    zkVersion: number,
  ): Promise<number | null>;
  /** Announces changed ISRs under /isr_change_notification, so the controller sends UpdateMetadata. */
  propagateIsrChanges(partitions: readonly TopicPartition[]): Promise<void>;
}

/** The IsrUpdater of a broker: conditional setData on the state znode, then a sequential notification. */
export function zkIsrUpdater(zk: KafkaZkClient): IsrUpdater {
  return {
    async updateIsr(tp, state, zkVersion) {
      const data = TopicPartitionStateZNode.encode({
        leaderAndIsr: { leader: state.leader, leaderEpoch: state.leaderEpoch, isr: [...state.isr], zkVersion },
        controllerEpoch: state.controllerEpoch,
      });
      // A BADVERSION may be our own write, resent by the ZooKeeper client after a lost answer
      // (a reconnect after a pause): when the znode holds exactly what we wrote, it succeeded, at
      // its current version (Kafka's checkLeaderAndIsrZkData). Without this the leader would keep
      // a stale version and every later ISR change would fail.
      const r = await zk.conditionalUpdatePath(TopicPartitionStateZNode.path(tp), data, zkVersion, async (path) => {
        const written = await zk.getDataAndVersion(path);
        return written.data !== null && written.data.equals(data)
          ? { succeeded: true, version: written.version }
          : { succeeded: false, version: -1 };
      });
      return r.succeeded ? r.version : null;
    },
    async propagateIsrChanges(partitions) {
      await zk.createSequentialPersistentPath(
        IsrChangeNotificationSequenceZNode.path(),
        IsrChangeNotificationSequenceZNode.encode(partitions),
      );
    },
  };
}
