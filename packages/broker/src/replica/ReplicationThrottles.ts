import type { BrokerReconfigurable, DynamicBrokerConfig } from '../server/DynamicBrokerConfig';
import { UNLIMITED_RATE, type ReplicationQuotaManager } from './ReplicationQuotaManager';

export const LEADER_REPLICATION_THROTTLED_RATE = 'leader.replication.throttled.rate';
export const FOLLOWER_REPLICATION_THROTTLED_RATE = 'follower.replication.throttled.rate';
export const REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND = 'replica.alter.log.dirs.io.max.bytes.per.second';

/**
 * The replication throttle rates follow /config/brokers/<this id> (Kafka 2.8's BrokerConfigHandler:
 * only the broker's own entity sets them; /config/brokers/<default> does not, and a rate removed
 * from it means no limit). kafka-reassign-partitions --throttle writes them there, and
 * --replica-alter-log-dirs-throttle the rate of moves between this broker's log dirs.
 */
export function replicationThrottles(
  dynamic: Pick<DynamicBrokerConfig, 'perBrokerConfigs'>,
  leader: ReplicationQuotaManager,
  follower: ReplicationQuotaManager,
  alterLogDirs?: ReplicationQuotaManager,
): BrokerReconfigurable {
  const rate = (name: string): number => {
    const v = dynamic.perBrokerConfigs.get(name);
    if (v === undefined) return UNLIMITED_RATE;
    const n = Number(v.trim());
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number of bytes per second, not ${v}`);
    return n;
  };
  return {
    name: 'ReplicationQuotas',
    reconfigurableConfigs: new Set([
      LEADER_REPLICATION_THROTTLED_RATE,
      FOLLOWER_REPLICATION_THROTTLED_RATE,
      REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND,
    ]),
    reconfigure() {
      const [l, f, a] = [
        rate(LEADER_REPLICATION_THROTTLED_RATE),
        rate(FOLLOWER_REPLICATION_THROTTLED_RATE),
        rate(REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND),
      ];
      leader.updateQuota(l);
      follower.updateQuota(f);
      alterLogDirs?.updateQuota(a);
    },
  };
}
