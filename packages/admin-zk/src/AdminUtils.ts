import {
  AdminCommandFailedError,
  AdminOperationError,
  InvalidPartitionsError,
  InvalidReplicationFactorError,
} from './errors';

/**
 * Kafka's AdminUtils (core/src/main/scala/kafka/admin/AdminUtils.scala, 2.8): where the replicas of
 * new partitions go. Pure functions; the only state is the random start, drawn from `rng`.
 */

/** A broker as replica assignment sees it (Kafka's BrokerMetadata). */
export interface BrokerMetadata {
  readonly id: number;
  /** broker.rack, or null/undefined when the broker has none. */
  readonly rack?: string | null;
}

/** partition id → replica broker ids, the preferred leader first. */
export type ReplicaAssignmentMap = Map<number, number[]>;

/** Returns a uniformly random integer in [0, bound) (Java's Random.nextInt(bound)). */
export type RandomInt = (bound: number) => number;

export const defaultRandomInt: RandomInt = (bound) => Math.floor(Math.random() * bound);

const hasRack = (b: BrokerMetadata): boolean => b.rack !== undefined && b.rack !== null;

/**
 * Assigns `nPartitions` partitions of `replicationFactor` replicas each to `brokers`, exactly as
 * Kafka does (its three goals: spread replicas evenly, spread each broker's followers over the
 * others, and with racks put each partition's replicas on different racks where possible).
 *
 * - Rack-unaware (no broker has a rack): the first replica of partition p goes round-robin from a
 *   random start index; the followers follow at an increasing shift, bumped once per full round
 *   of the broker list.
 * - Rack-aware (every broker has a rack): the same over a rack-alternated broker list, taking a
 *   follower only if its rack (and the broker) has no replica of the partition yet, unless every
 *   rack (every broker) already has one.
 *
 * `fixedStartIndex` ≥ 0 fixes both the start index and the initial shift (otherwise two independent
 * random draws); `startPartitionId` ≥ 0 numbers the partitions from there (CreatePartitions).
 * Throws InvalidPartitionsError, InvalidReplicationFactorError, or AdminOperationError when only
 * some brokers have a rack.
 */
export function assignReplicasToBrokers(
  brokers: readonly BrokerMetadata[],
  nPartitions: number,
  replicationFactor: number,
  fixedStartIndex = -1,
  startPartitionId = -1,
  rng: RandomInt = defaultRandomInt,
): ReplicaAssignmentMap {
  if (nPartitions <= 0) throw new InvalidPartitionsError('Number of partitions must be larger than 0.');
  if (replicationFactor <= 0)
    throw new InvalidReplicationFactorError('Replication factor must be larger than 0.');
  if (replicationFactor > brokers.length) {
    throw new InvalidReplicationFactorError(
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`,
    );
  }
  if (brokers.every((b) => !hasRack(b))) {
    return assignRackUnaware(
      nPartitions,
      replicationFactor,
      brokers.map((b) => b.id),
      fixedStartIndex,
      startPartitionId,
      rng,
    );
  }
  if (brokers.some((b) => !hasRack(b))) {
    throw new AdminOperationError('Not all brokers have rack information for replica rack aware assignment.');
  }
  return assignRackAware(nPartitions, replicationFactor, brokers, fixedStartIndex, startPartitionId, rng);
}

function assignRackUnaware(
  nPartitions: number,
  replicationFactor: number,
  brokerArray: readonly number[],
  fixedStartIndex: number,
  startPartitionId: number,
  rng: RandomInt,
): ReplicaAssignmentMap {
  const n = brokerArray.length;
  const ret: ReplicaAssignmentMap = new Map();
  // Two draws, in Kafka's order: the start index first, then the shift.
  const startIndex = fixedStartIndex >= 0 ? fixedStartIndex : rng(n);
  let currentPartitionId = Math.max(0, startPartitionId);
  let nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : rng(n);
  for (let i = 0; i < nPartitions; i++) {
    if (currentPartitionId > 0 && currentPartitionId % n === 0) nextReplicaShift += 1;
    const firstReplicaIndex = (currentPartitionId + startIndex) % n;
    const replicas = [brokerArray[firstReplicaIndex]];
    for (let j = 0; j < replicationFactor - 1; j++)
      replicas.push(brokerArray[replicaIndex(firstReplicaIndex, nextReplicaShift, j, n)]);
    ret.set(currentPartitionId, replicas);
    currentPartitionId += 1;
  }
  return ret;
}

function assignRackAware(
  nPartitions: number,
  replicationFactor: number,
  brokers: readonly BrokerMetadata[],
  fixedStartIndex: number,
  startPartitionId: number,
  rng: RandomInt,
): ReplicaAssignmentMap {
  const brokerRackMap = new Map<number, string>(brokers.map((b) => [b.id, b.rack as string]));
  const numRacks = new Set(brokerRackMap.values()).size;
  const arranged = getRackAlternatedBrokerList(brokerRackMap);
  const numBrokers = arranged.length;
  const ret: ReplicaAssignmentMap = new Map();
  const startIndex = fixedStartIndex >= 0 ? fixedStartIndex : rng(numBrokers);
  let currentPartitionId = Math.max(0, startPartitionId);
  let nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : rng(numBrokers);
  for (let i = 0; i < nPartitions; i++) {
    if (currentPartitionId > 0 && currentPartitionId % numBrokers === 0) nextReplicaShift += 1;
    const firstReplicaIndex = (currentPartitionId + startIndex) % numBrokers;
    const leader = arranged[firstReplicaIndex];
    const replicas = [leader];
    const racksWithReplicas = new Set([brokerRackMap.get(leader)!]);
    const brokersWithReplicas = new Set([leader]);
    let k = 0;
    for (let r = 0; r < replicationFactor - 1; r++) {
      for (;;) {
        const broker = arranged[replicaIndex(firstReplicaIndex, nextReplicaShift * numRacks, k, numBrokers)];
        const rack = brokerRackMap.get(broker)!;
        k += 1;
        // Skip a broker whose rack already has a replica while some rack has none, and a broker
        // that already has one while some broker has none.
        if (
          (!racksWithReplicas.has(rack) || racksWithReplicas.size === numRacks) &&
          (!brokersWithReplicas.has(broker) || brokersWithReplicas.size === numBrokers)
        ) {
          replicas.push(broker);
          racksWithReplicas.add(rack);
          brokersWithReplicas.add(broker);
          break;
        }
      }
    }
    ret.set(currentPartitionId, replicas);
    currentPartitionId += 1;
  }
  return ret;
}

/**
 * The brokers alternated by rack: racks sorted by name, each rack's brokers sorted by id, one from
 * each rack in turn (a:[0,1,2], b:[3,4,5], c:[6,7,8] → 0,3,6,1,4,7,2,5,8).
 */
export function getRackAlternatedBrokerList(brokerRackMap: ReadonlyMap<number, string>): number[] {
  const byRack = new Map<string, number[]>();
  for (const [id, rack] of brokerRackMap) {
    const ids = byRack.get(rack) ?? [];
    ids.push(id);
    byRack.set(rack, ids);
  }
  // Java's String.compareTo orders by UTF-16 code unit, as JS's default sort does.
  const racks = [...byRack.keys()].sort();
  const iterators = new Map(
    racks.map((rack) => [
      rack,
      byRack
        .get(rack)!
        .sort((a, b) => a - b)
        .values(),
    ]),
  );
  const result: number[] = [];
  let rackIndex = 0;
  while (result.length < brokerRackMap.size) {
    const next = iterators.get(racks[rackIndex])!.next();
    if (!next.done) result.push(next.value);
    rackIndex = (rackIndex + 1) % racks.length;
  }
  return result;
}

function replicaIndex(
  firstReplicaIndex: number,
  secondReplicaShift: number,
  replicaIdx: number,
  nBrokers: number,
): number {
  const shift = 1 + ((secondReplicaShift + replicaIdx) % (nBrokers - 1));
  return (firstReplicaIndex + shift) % nBrokers;
}

/**
 * The assignment of partitions added to a topic (Kafka AdminZkClient.createNewPartitionsAssignment):
 * the replication factor is partition 0's replica count; the start index is the first position in
 * the id-sorted `brokers` whose id is ≥ partition 0's first replica (0 if none), used as the fixed
 * start index (so as the initial shift too); numbering continues from the current partition count.
 */
export function assignReplicasForNewPartitions(
  topic: string,
  existingAssignment: ReadonlyMap<number, readonly number[]>,
  brokers: readonly BrokerMetadata[],
  numPartitions: number,
): ReplicaAssignmentMap {
  const { partition0, partitionsToAdd } = checkPartitionIncrease(topic, existingAssignment, numPartitions);
  const startIndex = Math.max(
    0,
    brokers.findIndex((b) => b.id >= partition0[0]),
  );
  return assignReplicasToBrokers(
    brokers,
    partitionsToAdd,
    partition0.length,
    startIndex,
    existingAssignment.size,
  );
}

/**
 * What adding partitions requires of the existing assignment: a partition 0 (its replica count is
 * the topic's replication factor) and more partitions than now. Returns both facts.
 */
export function checkPartitionIncrease(
  topic: string,
  existingAssignment: ReadonlyMap<number, readonly number[]>,
  numPartitions: number,
): { partition0: readonly number[]; partitionsToAdd: number } {
  const partition0 = existingAssignment.get(0);
  if (partition0 === undefined) {
    throw new AdminOperationError(
      `Unexpected existing replica assignment for topic '${topic}', partition id 0 is missing. ` +
        `Assignment: ${formatAssignment(existingAssignment)}`,
    );
  }
  const partitionsToAdd = numPartitions - existingAssignment.size;
  if (partitionsToAdd <= 0) {
    throw new InvalidPartitionsError(
      `The number of partitions for a topic can only be increased. ` +
        `Topic ${topic} currently has ${existingAssignment.size} partitions, ` +
        `${numPartitions} would not be an increase.`,
    );
  }
  return { partition0, partitionsToAdd };
}

/**
 * Parses `--replica-assignment` ("0:1:2,1:2:0,…": partitions separated by commas, each partition's
 * broker ids by colons) into partitions numbered from `startPartitionId` (Kafka TopicCommand's
 * parseReplicaAssignment). Throws AdminCommandFailedError for duplicates within a partition,
 * AdminOperationError when partitions differ in replica count, and for a non-number.
 */
export function parseReplicaAssignment(
  replicaAssignmentList: string,
  startPartitionId = 0,
): ReplicaAssignmentMap {
  const ret: ReplicaAssignmentMap = new Map();
  const partitionList = replicaAssignmentList.split(',');
  let first: number[] | undefined;
  partitionList.forEach((partition, i) => {
    const brokerList = partition.split(':').map((s) => {
      const t = s.trim();
      if (!/^[-+]?\d+$/.test(t) || !Number.isSafeInteger(Number(t)))
        throw new AdminCommandFailedError(`For input string: "${t}"`);
      return Number(t);
    });
    const duplicates = [...new Set(brokerList.filter((b, j) => brokerList.indexOf(b) !== j))];
    if (duplicates.length > 0) {
      throw new AdminCommandFailedError(
        `Partition replica lists may not contain duplicate entries: ${duplicates.join(',')}`,
      );
    }
    first ??= brokerList;
    ret.set(startPartitionId + i, brokerList);
    if (brokerList.length !== first.length) {
      throw new AdminOperationError(
        `Partition ${startPartitionId + i} has different replication factor: [${brokerList.join(', ')}]`,
      );
    }
  });
  return ret;
}

/** Scala's Map toString, for messages that quote an assignment: Map(0 -> List(1, 2), …). */
export function formatAssignment(assignment: ReadonlyMap<number, readonly number[]>): string {
  const parts = [...assignment].map(([p, r]) => `${p} -> List(${r.join(', ')})`);
  return `Map(${parts.join(', ')})`;
}
