import { TopicPartitionMap } from '@samsa/common';
import {
  ApiKey,
  buildLeaderAndIsrRequest,
  buildStopReplicaRequest,
  buildUpdateMetadataRequest,
  readLeaderAndIsrResponse,
  readStopReplicaResponse,
  type ControlRequestHeader,
  type LeaderAndIsrLiveLeader,
  type LeaderAndIsrPartitionState,
  type LeaderAndIsrResponse,
  type RequestInputOf,
  type StopReplicaPartition,
  type StopReplicaResponse,
  type UpdateMetadataBroker,
  type UpdateMetadataPartitionState,
} from '@samsa/protocol';
import { type Broker, type SecurityProtocol } from '@samsa/zk';

/**
 * The controller's side of its three requests — LeaderAndIsr, UpdateMetadata, StopReplica: which
 * version of each it sends, how it splits StopReplica for versions with one delete flag, how a
 * registered broker appears in UpdateMetadata, and the response errors it acts on. The layouts
 * themselves are @samsa/protocol's (requests/).
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

/** The api keys of the controller's requests. */
export type ControlApiKey =
  | typeof ApiKey.LeaderAndIsr
  | typeof ApiKey.UpdateMetadata
  | typeof ApiKey.StopReplica;

/** One controller request of api `K`: its version and its body in the generated input form. */
export interface ControlRequestOf<K extends ControlApiKey> {
  readonly apiKey: K;
  readonly apiVersion: number;
  readonly body: RequestInputOf<K>;
}

/**
 * Any of the controller's requests; narrowing on `apiKey` narrows the body. A union rather than
 * `ControlRequestOf<ControlApiKey>`, so that a body cannot belong to another api than its key.
 */
export type ControlRequest = { [K in ControlApiKey]: ControlRequestOf<K> }[ControlApiKey];

/** A LeaderAndIsr request of `version` to one broker. */
export function leaderAndIsrRequest(
  version: number,
  header: ControlRequestHeader,
  partitionStates: readonly LeaderAndIsrPartitionState[],
  liveLeaders: readonly LeaderAndIsrLiveLeader[],
  topicIds: ReadonlyMap<string, string> = new Map(),
): ControlRequestOf<typeof ApiKey.LeaderAndIsr> {
  return {
    apiKey: ApiKey.LeaderAndIsr,
    apiVersion: version,
    body: buildLeaderAndIsrRequest(version, { ...header, partitionStates, liveLeaders, topicIds }),
  };
}

/** An UpdateMetadata request of `version` to one broker, naming the registered brokers `liveBrokers`. */
export function updateMetadataRequest(
  version: number,
  header: ControlRequestHeader,
  partitionStates: readonly UpdateMetadataPartitionState[],
  liveBrokers: readonly Broker[],
  topicIds: ReadonlyMap<string, string> = new Map(),
): ControlRequestOf<typeof ApiKey.UpdateMetadata> {
  return {
    apiKey: ApiKey.UpdateMetadata,
    apiVersion: version,
    body: buildUpdateMetadataRequest(version, {
      ...header,
      partitionStates,
      liveBrokers: liveBrokers.map(updateMetadataBroker),
      topicIds,
    }),
  };
}

/** Kafka's SecurityProtocol ids, as UpdateMetadata carries them. */
const SECURITY_PROTOCOL_IDS: Readonly<Record<SecurityProtocol, number>> = {
  PLAINTEXT: 0,
  SSL: 1,
  SASL_PLAINTEXT: 2,
  SASL_SSL: 3,
};

/** A registered broker as UpdateMetadata describes it. */
export function updateMetadataBroker(broker: Broker): UpdateMetadataBroker {
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

export interface StopReplicaPartitionState {
  readonly leaderEpoch: number;
  readonly deletePartition: boolean;
}

type StopReplicaControlRequest = ControlRequestOf<typeof ApiKey.StopReplica>;

/** StopReplica requests, each with the delete flag it carries for all its partitions (null: per partition, v3+). */
export type StopReplicaRequests = Array<{
  request: StopReplicaControlRequest;
  deletePartitions: boolean | null;
}>;

/**
 * StopReplica requests for one broker. v3 carries a delete flag per partition, so one request;
 * v0–2 have one flag per request, so partitions to delete and to stop go in two (Kafka's order:
 * delete first).
 */
export function buildStopReplicaRequests(
  version: number,
  header: ControlRequestHeader,
  partitionStates: TopicPartitionMap<StopReplicaPartitionState>,
): StopReplicaRequests {
  const partitions: StopReplicaPartition[] = partitionStates
    .entries()
    .map(([tp, s]) => ({ topic: tp.topic, partition: tp.partition, leaderEpoch: s.leaderEpoch, deletePartition: s.deletePartition }));
  const request = (
    deletePartitions: boolean,
    of: readonly StopReplicaPartition[],
  ): StopReplicaControlRequest => ({
    apiKey: ApiKey.StopReplica,
    apiVersion: version,
    body: buildStopReplicaRequest(version, { ...header, deletePartitions, partitions: of }),
  });
  if (version >= 3) return [{ request: request(false, partitions), deletePartitions: null }];
  const out: StopReplicaRequests = [];
  for (const deletePartitions of [true, false]) {
    const of = partitions.filter((p) => p.deletePartition === deletePartitions);
    if (of.length > 0) out.push({ request: request(deletePartitions, of), deletePartitions });
  }
  return out;
}

export interface PartitionErrors {
  readonly errorCode: number;
  readonly partitionErrors: TopicPartitionMap<number>;
}

function partitionErrorMap(errors: readonly { topic: string; partition: number; errorCode: number }[]): TopicPartitionMap<number> {
  const map = new TopicPartitionMap<number>();
  for (const e of errors) map.set({ topic: e.topic, partition: e.partition }, e.errorCode);
  return map;
}

/** Top-level and per-partition errors of a LeaderAndIsr response (v5 names topics by id). */
export function leaderAndIsrResponseErrors(
  body: LeaderAndIsrResponse,
  topicNamesById: ReadonlyMap<string, string> = new Map(),
): PartitionErrors {
  const { errorCode, partitionErrors } = readLeaderAndIsrResponse(body, topicNamesById);
  return { errorCode, partitionErrors: partitionErrorMap(partitionErrors) };
}

export function stopReplicaResponseErrors(body: StopReplicaResponse): PartitionErrors {
  const { errorCode, partitionErrors } = readStopReplicaResponse(body);
  return { errorCode, partitionErrors: partitionErrorMap(partitionErrors) };
}
