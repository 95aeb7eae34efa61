import { TopicPartitionMap, type TopicPartition } from '@samsa/common';
import { ApiKey, NULL_UUID, type Struct } from '@samsa/protocol';
import { type Broker, type SecurityProtocol } from '@samsa/zk';

/**
 * The controller's three requests — LeaderAndIsr, UpdateMetadata, StopReplica — built in Kafka's wire
 * layout for any version the protocol package knows (LeaderAndIsr 0–5, UpdateMetadata 0–7,
 * StopReplica 0–3), and the parts of their responses the controller reads. Field names are the
 * protocol schemas' (Kafka's, lower camel case).
 */

/** One version per request, as Kafka picks them from inter.broker.protocol.version. */
export interface ControlRequestVersions {
  readonly leaderAndIsr: number;
  readonly updateMetadata: number;
  readonly stopReplica: number;
}

/**
 * Kafka's choice for IBP 2.6-IV0 … 2.8-IV0: LeaderAndIsr v4, UpdateMetadata v6, StopReplica v3 — all
 * flexible, no topic ids, and StopReplica carries a delete flag and leader epoch per partition.
 */
export const DEFAULT_CONTROL_REQUEST_VERSIONS: ControlRequestVersions = {
  leaderAndIsr: 4,
  updateMetadata: 6,
  stopReplica: 3,
};

export interface ControlRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly body: Struct;
}

/** What every control request starts with. */
export interface ControlRequestHeader {
  readonly controllerId: number;
  readonly controllerEpoch: number;
  /** The receiving broker's epoch: czxid of its /brokers/ids/<id> registration. */
  readonly brokerEpoch: number;
}

export interface LeaderAndIsrPartitionState {
  readonly topicName: string;
  readonly partitionIndex: number;
  readonly controllerEpoch: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly zkVersion: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly isNew: boolean;
}

export interface UpdateMetadataPartitionState {
  readonly topicName: string;
  readonly partitionIndex: number;
  readonly controllerEpoch: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly zkVersion: number;
  readonly replicas: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface StopReplicaPartitionState {
  readonly leaderEpoch: number;
  readonly deletePartition: boolean;
}

export interface LiveLeader {
  readonly brokerId: number;
  readonly hostName: string;
  readonly port: number;
}

/** Kafka's SecurityProtocol ids, as UpdateMetadata carries them. */
const SECURITY_PROTOCOL_IDS: Readonly<Record<SecurityProtocol, number>> = {
  PLAINTEXT: 0,
  SSL: 1,
  SASL_PLAINTEXT: 2,
  SASL_SSL: 3,
};

function groupByTopic<T extends { readonly topicName: string }>(states: readonly T[]): Map<string, T[]> {
  const byTopic = new Map<string, T[]>();
  for (const s of states) {
    const list = byTopic.get(s.topicName);
    if (list === undefined) byTopic.set(s.topicName, [s]);
    else list.push(s);
  }
  return byTopic;
}

// ---- LeaderAndIsr -------------------------------------------------------------------------------

export function buildLeaderAndIsrRequest(
  version: number,
  header: ControlRequestHeader,
  partitionStates: readonly LeaderAndIsrPartitionState[],
  liveLeaders: readonly LiveLeader[],
  topicIds: ReadonlyMap<string, string> = new Map(),
): ControlRequest {
  const body: Struct = { ...header, type: 0, liveLeaders: liveLeaders.map((l) => ({ ...l })) };
  const state = (s: LeaderAndIsrPartitionState): Struct => ({
    ...s,
    isr: [...s.isr],
    replicas: [...s.replicas],
  });
  if (version <= 1) {
    body.ungroupedPartitionStates = partitionStates.map(state);
  } else {
    body.topicStates = [...groupByTopic(partitionStates)].map(([topicName, states]) => ({
      topicName,
      topicId: topicIds.get(topicName) ?? NULL_UUID,
      partitionStates: states.map(state),
    }));
  }
  return { apiKey: ApiKey.LeaderAndIsr, apiVersion: version, body };
}

/** The partition states of a decoded LeaderAndIsr request, whatever its version (for receivers and tests). */
export function leaderAndIsrPartitionStates(body: Struct): LeaderAndIsrPartitionState[] {
  if (Array.isArray(body.topicStates) && body.topicStates.length > 0) {
    return body.topicStates.flatMap((t: Struct) =>
      t.partitionStates.map((p: Struct) => ({ ...p, topicName: t.topicName })),
    );
  }
  return body.ungroupedPartitionStates ?? [];
}

export interface PartitionErrors {
  readonly errorCode: number;
  readonly partitionErrors: TopicPartitionMap<number>;
}

/** Top-level and per-partition errors of a LeaderAndIsr response (v5 names topics by id). */
export function leaderAndIsrResponseErrors(
  body: Struct,
  topicNamesById: ReadonlyMap<string, string> = new Map(),
): PartitionErrors {
  const partitionErrors = new TopicPartitionMap<number>();
  for (const e of body.partitionErrors ?? [])
    partitionErrors.set({ topic: e.topicName, partition: e.partitionIndex }, e.errorCode);
  for (const t of body.topics ?? []) {
    const topic = topicNamesById.get(t.topicId);
    if (topic === undefined) continue;
    for (const e of t.partitionErrors)
      partitionErrors.set({ topic, partition: e.partitionIndex }, e.errorCode);
  }
  return { errorCode: body.errorCode, partitionErrors };
}

// ---- UpdateMetadata -----------------------------------------------------------------------------

export function buildUpdateMetadataRequest(
  version: number,
  header: ControlRequestHeader,
  partitionStates: readonly UpdateMetadataPartitionState[],
  liveBrokers: readonly Broker[],
  topicIds: ReadonlyMap<string, string> = new Map(),
): ControlRequest {
  const body: Struct = { ...header, liveBrokers: liveBrokers.map((b) => updateMetadataBroker(version, b)) };
  const state = (s: UpdateMetadataPartitionState): Struct => ({
    ...s,
    isr: [...s.isr],
    replicas: [...s.replicas],
    offlineReplicas: [...s.offlineReplicas],
  });
  if (version <= 4) {
    body.ungroupedPartitionStates = partitionStates.map(state);
  } else {
    body.topicStates = [...groupByTopic(partitionStates)].map(([topicName, states]) => ({
      topicName,
      topicId: topicIds.get(topicName) ?? NULL_UUID,
      partitionStates: states.map(state),
    }));
  }
  return { apiKey: ApiKey.UpdateMetadata, apiVersion: version, body };
}

function updateMetadataBroker(version: number, broker: Broker): Struct {
  if (version === 0) {
    // v0 knows only one PLAINTEXT host and port.
    const plaintext = broker.endPoints.find((e) => e.securityProtocol === 'PLAINTEXT');
    return { id: broker.id, v0Host: plaintext?.host ?? '', v0Port: plaintext?.port ?? -1 };
  }
  return {
    id: broker.id,
    endpoints: broker.endPoints.map((e) => ({
      port: e.port,
      host: e.host,
      listener: e.listenerName,
      securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol],
    })),
    rack: broker.rack,
  };
}

/** The partition states of a decoded UpdateMetadata request, whatever its version. */
export function updateMetadataPartitionStates(body: Struct): UpdateMetadataPartitionState[] {
  if (Array.isArray(body.topicStates) && body.topicStates.length > 0) {
    return body.topicStates.flatMap((t: Struct) =>
      t.partitionStates.map((p: Struct) => ({ ...p, topicName: t.topicName })),
    );
  }
  return body.ungroupedPartitionStates ?? [];
}

// ---- StopReplica --------------------------------------------------------------------------------

/**
 * StopReplica requests for one broker. v3 carries a delete flag per partition, so one request;
 * v0–2 have one flag per request, so partitions to delete and to stop go in two (Kafka's order:
 * delete first).
 */
export function buildStopReplicaRequests(
  version: number,
  header: ControlRequestHeader,
  partitionStates: TopicPartitionMap<StopReplicaPartitionState>,
): Array<{ request: ControlRequest; deletePartitions: boolean | null }> {
  const request = (body: Struct): ControlRequest => ({
    apiKey: ApiKey.StopReplica,
    apiVersion: version,
    body: { ...header, ...body },
  });
  const entries = partitionStates.entries();
  if (version >= 3) {
    const byTopic = new Map<string, Struct[]>();
    for (const [tp, s] of entries) {
      const list = byTopic.get(tp.topic) ?? [];
      list.push({
        partitionIndex: tp.partition,
        leaderEpoch: s.leaderEpoch,
        deletePartition: s.deletePartition,
      });
      byTopic.set(tp.topic, list);
    }
    const topicStates = [...byTopic].map(([topicName, states]) => ({ topicName, partitionStates: states }));
    return [{ request: request({ deletePartitions: false, topicStates }), deletePartitions: null }];
  }
  const out: Array<{ request: ControlRequest; deletePartitions: boolean | null }> = [];
  for (const deletePartitions of [true, false]) {
    const tps = entries.filter(([, s]) => s.deletePartition === deletePartitions).map(([tp]) => tp);
    if (tps.length === 0) continue;
    const body: Struct = { deletePartitions };
    if (version === 0) {
      body.ungroupedPartitions = tps.map((tp) => ({ topicName: tp.topic, partitionIndex: tp.partition }));
    } else {
      const byTopic = new Map<string, number[]>();
      for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
      body.topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    }
    out.push({ request: request(body), deletePartitions });
  }
  return out;
}

/** The partitions of a decoded StopReplica request with their delete flags, whatever its version. */
export function stopReplicaPartitions(body: Struct): Array<TopicPartition & { deletePartition: boolean }> {
  if (Array.isArray(body.topicStates) && body.topicStates.length > 0) {
    return body.topicStates.flatMap((t: Struct) =>
      t.partitionStates.map((p: Struct) => ({
        topic: t.topicName,
        partition: p.partitionIndex,
        deletePartition: p.deletePartition,
      })),
    );
  }
  if (Array.isArray(body.topics) && body.topics.length > 0) {
    return body.topics.flatMap((t: Struct) =>
      t.partitionIndexes.map((partition: number) => ({
        topic: t.name,
        partition,
        deletePartition: body.deletePartitions,
      })),
    );
  }
  return (body.ungroupedPartitions ?? []).map((p: Struct) => ({
    topic: p.topicName,
    partition: p.partitionIndex,
    deletePartition: body.deletePartitions,
  }));
}

export function stopReplicaResponseErrors(body: Struct): PartitionErrors {
  const partitionErrors = new TopicPartitionMap<number>();
  for (const e of body.partitionErrors ?? [])
    partitionErrors.set({ topic: e.topicName, partition: e.partitionIndex }, e.errorCode);
  return { errorCode: body.errorCode, partitionErrors };
}
