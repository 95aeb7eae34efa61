/**
 * KIP-392, fetching from the closest replica: a leader answers a consumer's Fetch (v11+, with the
 * consumer's `client.rack`) with the replica it should read from instead (preferred_read_replica),
 * as chosen by `replica.selector.class`. Kafka 2.8 ships one selector, RackAwareReplicaSelector;
 * unset means consumers always read from the leader.
 */

/** A replica as a selector sees it (Kafka's ReplicaView). */
export interface ReplicaView {
  readonly brokerId: number;
  /** broker.rack of the replica's broker (null when it has none). */
  readonly rack: string | null;
  readonly logEndOffset: number;
  readonly timeSinceLastCaughtUpMs: number;
}

/** The replicas that hold the fetch offset, the leader among them (Kafka's PartitionView). */
export interface PartitionView {
  readonly replicas: readonly ReplicaView[];
  readonly leader: ReplicaView;
}

export interface ReplicaSelector {
  /** The replica a client in `clientRack` should fetch from; undefined: none. */
  select(clientRack: string, partition: PartitionView): ReplicaView | undefined;
}

export const RACK_AWARE_REPLICA_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';

/** Kafka's ReplicaView.comparator: the most caught-up first (log end, then most recently caught up). */
function moreCaughtUp(a: ReplicaView, b: ReplicaView): ReplicaView {
  if (a.logEndOffset !== b.logEndOffset) return a.logEndOffset > b.logEndOffset ? a : b;
  return a.timeSinceLastCaughtUpMs <= b.timeSinceLastCaughtUpMs ? a : b;
}

/**
 * Kafka's RackAwareReplicaSelector: a client without a rack, or in a rack with no replica, reads
 * from the leader; in the leader's rack, from the leader; otherwise from the most caught-up replica
 * of its rack.
 */
export class RackAwareReplicaSelector implements ReplicaSelector {
  select(clientRack: string, partition: PartitionView): ReplicaView | undefined {
    if (!clientRack) return partition.leader;
    const sameRack = partition.replicas.filter((r) => r.rack === clientRack);
    if (sameRack.length === 0) return partition.leader;
    if (sameRack.some((r) => r.brokerId === partition.leader.brokerId)) return partition.leader;
    return sameRack.reduce(moreCaughtUp);
  }
}

/**
 * The selector `replica.selector.class` names: none when unset or empty, Kafka's rack-aware one by
 * its class name; any other class cannot be loaded on Samsa, and the broker refuses to start, as
 * Kafka does for a class it cannot find.
 */
export function replicaSelectorOf(className: string | null): ReplicaSelector | undefined {
  const name = className?.trim() ?? '';
  if (name === '') return undefined;
  if (name === RACK_AWARE_REPLICA_SELECTOR) return new RackAwareReplicaSelector();
  throw new Error(`replica.selector.class: class ${name} cannot be found (Samsa provides ${RACK_AWARE_REPLICA_SELECTOR})`);
}
