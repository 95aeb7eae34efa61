import type { ReassignIo, ReassignZk } from './ReassignPartitionsCommand';
import type { PartitionReplicas } from './ReassignmentJson';

/**
 * The throttles of kafka-reassign-partitions, as Kafka 2.8's ReassignPartitionsCommand writes them
 * in ZooKeeper mode: --execute --throttle R sets, on every topic moved,
 * `leader.replication.throttled.replicas` to the partitions' current replicas and
 * `follower.replication.throttled.replicas` to the replicas being added ("partition:broker",
 * sorted as strings), and on every broker involved `leader.replication.throttled.rate` and
 * `follower.replication.throttled.rate` = R. --verify removes them all once no reassignment is
 * left running.
 */

export const LEADER_THROTTLED_REPLICAS = 'leader.replication.throttled.replicas';
export const FOLLOWER_THROTTLED_REPLICAS = 'follower.replication.throttled.replicas';
export const LEADER_THROTTLED_RATE = 'leader.replication.throttled.rate';
export const FOLLOWER_THROTTLED_RATE = 'follower.replication.throttled.rate';
export const LOG_DIR_THROTTLE = 'replica.alter.log.dirs.io.max.bytes.per.second';
const BROKER_LEVEL_THROTTLES = [LEADER_THROTTLED_RATE, FOLLOWER_THROTTLED_RATE, LOG_DIR_THROTTLE];
const TOPIC_LEVEL_THROTTLES = [LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS];

/** Per topic, per partition: where its replicas are now, and the replicas being added. */
type MoveMap = Map<string, Map<number, { sources: number[]; destinations: number[] }>>;

export function proposedMoveMap(proposed: readonly PartitionReplicas[], current: readonly PartitionReplicas[]): MoveMap {
  const moves: MoveMap = new Map();
  for (const p of proposed) {
    const sources = current.find((c) => c.topic === p.topic && c.partition === p.partition)?.replicas ?? [];
    if (sources.length === 0) throw new Error(`Trying to reassign a topic partition ${p.topic}-${p.partition} with 0 replicas`);
    let topic = moves.get(p.topic);
    if (!topic) moves.set(p.topic, (topic = new Map()));
    topic.set(p.partition, { sources: [...sources], destinations: p.replicas.filter((r) => !sources.includes(r)) });
  }
  return moves;
}

/** Kafka's TreeSet[String] of "partition:broker": sorted as strings, no duplicates. */
const joinSorted = (items: Iterable<string>) => [...new Set(items)].sort().join(',');

export function leaderThrottles(moves: MoveMap): Map<string, string> {
  return new Map([...moves].map(([topic, parts]) => [topic, joinSorted([...parts].flatMap(([p, m]) => m.sources.map((b) => `${p}:${b}`)))]));
}

export function followerThrottles(moves: MoveMap): Map<string, string> {
  return new Map(
    [...moves].map(([topic, parts]) => [
      topic,
      joinSorted([...parts].flatMap(([p, m]) => m.destinations.filter((b) => !m.sources.includes(b)).map((b) => `${p}:${b}`))),
    ]),
  );
}

export function reassigningBrokers(moves: MoveMap): number[] {
  const ids = new Set<number>();
  for (const parts of moves.values()) for (const m of parts.values()) for (const b of [...m.sources, ...m.destinations]) ids.add(b);
  return [...ids].sort((a, b) => a - b);
}

async function changeConfig(zk: ReassignZk, type: 'topics' | 'brokers', name: string, change: (c: Map<string, string>) => boolean): Promise<void> {
  const configs = await zk.getEntityConfigs(type, name);
  if (!change(configs)) return;
  await zk.setOrCreateEntityConfigs(type, name, configs);
  await zk.createConfigChangeNotification(`${type}/${name}`);
}

/** --execute with --throttle and/or --replica-alter-log-dirs-throttle (values < 0: not given). */
export async function applyThrottles(
  zk: ReassignZk,
  io: ReassignIo,
  proposed: readonly PartitionReplicas[],
  current: readonly PartitionReplicas[],
  throttle: { readonly interBroker: number; readonly logDirs: number },
): Promise<void> {
  io.out('Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.');
  const moves = proposedMoveMap(proposed, current);
  const brokers = reassigningBrokers(moves);
  if (throttle.interBroker >= 0) {
    const leader = leaderThrottles(moves);
    const follower = followerThrottles(moves);
    for (const topic of new Set([...leader.keys(), ...follower.keys()])) {
      await changeConfig(zk, 'topics', topic, (c) => {
        c.set(LEADER_THROTTLED_REPLICAS, leader.get(topic) ?? '');
        c.set(FOLLOWER_THROTTLED_REPLICAS, follower.get(topic) ?? '');
        return true;
      });
    }
    for (const id of brokers) {
      await changeConfig(zk, 'brokers', String(id), (c) => {
        c.set(LEADER_THROTTLED_RATE, String(throttle.interBroker));
        c.set(FOLLOWER_THROTTLED_RATE, String(throttle.interBroker));
        return true;
      });
    }
    io.out(`The inter-broker throttle limit was set to ${throttle.interBroker} B/s`);
  }
  if (throttle.logDirs >= 0) {
    for (const id of brokers) {
      await changeConfig(zk, 'brokers', String(id), (c) => {
        c.set(LOG_DIR_THROTTLE, String(throttle.logDirs));
        return true;
      });
    }
    io.out(`The replica-alter-dir throttle limit was set to ${throttle.logDirs} B/s`);
  }
}

/** --verify once nothing is reassigning: Kafka's clearAllThrottles (brokers alive or named, the plan's topics). */
export async function clearAllThrottles(zk: ReassignZk, io: ReassignIo, target: readonly PartitionReplicas[]): Promise<void> {
  const ids = new Set((await zk.getAllBrokersInCluster()).map((b) => b.id));
  for (const p of target) for (const r of p.replicas) ids.add(r);
  const brokers = [...ids].sort((a, b) => a - b);
  io.out(`Clearing broker-level throttles on broker${brokers.length === 1 ? '' : 's'} ${brokers.join(',')}`);
  for (const id of brokers) await changeConfig(zk, 'brokers', String(id), (c) => BROKER_LEVEL_THROTTLES.map((k) => c.delete(k)).some(Boolean));
  const topics = [...new Set(target.map((p) => p.topic))];
  io.out(`Clearing topic-level throttles on topic${topics.length === 1 ? '' : 's'} ${topics.join(',')}`);
  for (const topic of topics) await changeConfig(zk, 'topics', topic, (c) => TOPIC_LEVEL_THROTTLES.map((k) => c.delete(k)).some(Boolean));
}
