import type {
  UpdateMetadataRequest,
  UpdateMetadataRequestInput,
  UpdateMetadataRequestLiveBrokers,
  UpdateMetadataRequestTopicStatesPartitionStates,
  UpdateMetadataRequestUngroupedPartitionStates,
} from '../messages/types.generated';
import { topicIdsOf, topicStatesOf, type ControlRequestHeader } from './AbstractControlRequest';

/**
 * UpdateMetadata as the controller means it and the broker's metadata cache applies it, whatever
 * the version (Kafka's UpdateMetadataRequest and its Builder): v0 knows one PLAINTEXT host and
 * port per broker, v1+ a list of endpoints (with listener names from v3, racks from v2); v0–4
 * list partition states ungrouped, v5+ group them by topic; offline replicas from v4, the broker
 * epoch from v5, topic ids from v7.
 */
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

export interface UpdateMetadataEndpoint {
  readonly port: number;
  readonly host: string;
  readonly listener: string;
  /** Kafka's SecurityProtocol id: PLAINTEXT 0, SSL 1, SASL_PLAINTEXT 2, SASL_SSL 3. */
  readonly securityProtocol: number;
}

export interface UpdateMetadataBroker {
  readonly id: number;
  readonly endpoints: readonly UpdateMetadataEndpoint[];
  readonly rack: string | null;
}

export interface UpdateMetadataRequestContent extends ControlRequestHeader {
  readonly partitionStates: readonly UpdateMetadataPartitionState[];
  readonly liveBrokers: readonly UpdateMetadataBroker[];
  /** Topic name → topic id; on the wire from v7 (topics missing here go as the null id). */
  readonly topicIds: ReadonlyMap<string, string>;
}

/** Kafka's SecurityProtocol names by id: versions before v3 name a listener after its protocol. */
const SECURITY_PROTOCOL_NAMES: readonly string[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const PLAINTEXT = 0;

/** The request body of `version` (0–7) carrying `request`. */
export function buildUpdateMetadataRequest(version: number, request: UpdateMetadataRequestContent): UpdateMetadataRequestInput {
  const header = {
    controllerId: request.controllerId,
    controllerEpoch: request.controllerEpoch,
    brokerEpoch: request.brokerEpoch,
    liveBrokers: request.liveBrokers.map((b) => liveBroker(version, b)),
  };
  const partitionState = (s: UpdateMetadataPartitionState) => ({
    partitionIndex: s.partitionIndex,
    controllerEpoch: s.controllerEpoch,
    leader: s.leader,
    leaderEpoch: s.leaderEpoch,
    isr: s.isr,
    zkVersion: s.zkVersion,
    replicas: s.replicas,
    offlineReplicas: s.offlineReplicas,
  });
  if (version <= 4) {
    return {
      ...header,
      ungroupedPartitionStates: request.partitionStates.map((s) => ({ topicName: s.topicName, ...partitionState(s) })),
    };
  }
  return { ...header, topicStates: topicStatesOf(request.partitionStates, request.topicIds, partitionState) };
}

function liveBroker(version: number, broker: UpdateMetadataBroker) {
  if (version === 0) {
    // v0 knows only one PLAINTEXT host and port; a broker without one goes with none (Kafka refuses
    // to build such a v0 request; our controller has always sent the empty host).
    const plaintext = broker.endpoints.find((e) => e.securityProtocol === PLAINTEXT);
    return { id: broker.id, v0Host: plaintext?.host ?? '', v0Port: plaintext?.port ?? -1 };
  }
  return {
    id: broker.id,
    endpoints: broker.endpoints.map((e) => ({
      port: e.port,
      host: e.host,
      listener: e.listener,
      securityProtocol: e.securityProtocol,
    })),
    rack: broker.rack,
  };
}

/** The content of a decoded UpdateMetadata request of any version (fields a version lacks read as their defaults). */
export function readUpdateMetadataRequest(body: UpdateMetadataRequest): UpdateMetadataRequestContent {
  const partitionState = (
    topicName: string,
    p: UpdateMetadataRequestUngroupedPartitionStates | UpdateMetadataRequestTopicStatesPartitionStates,
  ): UpdateMetadataPartitionState => ({
    topicName,
    partitionIndex: p.partitionIndex,
    controllerEpoch: p.controllerEpoch,
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    isr: p.isr,
    zkVersion: p.zkVersion,
    replicas: p.replicas,
    offlineReplicas: p.offlineReplicas,
  });
  return {
    controllerId: body.controllerId,
    controllerEpoch: body.controllerEpoch,
    brokerEpoch: body.brokerEpoch,
    partitionStates: [
      ...body.ungroupedPartitionStates.map((p) => partitionState(p.topicName, p)),
      ...body.topicStates.flatMap((t) => t.partitionStates.map((p) => partitionState(t.topicName, p))),
    ],
    liveBrokers: body.liveBrokers.map(readLiveBroker),
    topicIds: topicIdsOf(body.topicStates),
  };
}

function readLiveBroker(b: UpdateMetadataRequestLiveBrokers): UpdateMetadataBroker {
  if (b.endpoints.length === 0) {
    // v0: the one PLAINTEXT endpoint (none when the controller had none to send).
    const endpoints = b.v0Host ? [{ port: b.v0Port, host: b.v0Host, listener: 'PLAINTEXT', securityProtocol: PLAINTEXT }] : [];
    return { id: b.id, endpoints, rack: b.rack ?? null };
  }
  return {
    id: b.id,
    endpoints: b.endpoints.map((e) => ({
      port: e.port,
      host: e.host,
      // v1–2 carry no listener name: the listener is named after its security protocol (Kafka's normalize).
      listener: e.listener || (SECURITY_PROTOCOL_NAMES[e.securityProtocol] ?? 'PLAINTEXT'),
      securityProtocol: e.securityProtocol,
    })),
    rack: b.rack ?? null,
  };
}

/** The parts of an UpdateMetadata body that name its topics, in either layout. */
export interface UpdateMetadataTopicNames {
  readonly ungroupedPartitionStates?: readonly { readonly topicName: string }[];
  readonly topicStates?: readonly { readonly topicName: string }[];
}

/**
 * The topic names an UpdateMetadata body of any version carries (v0–4 ungrouped, v5+ by topic),
 * without reading the rest: what the broker re-checks its waiting topic operations with.
 */
export function readUpdateMetadataTopicNames(body: UpdateMetadataTopicNames): string[] {
  const names: string[] = [];
  for (const p of body.ungroupedPartitionStates ?? []) names.push(p.topicName);
  for (const t of body.topicStates ?? []) names.push(t.topicName);
  return names;
}
