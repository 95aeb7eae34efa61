import type {
  LeaderAndIsrRequest,
  LeaderAndIsrRequestInput,
  LeaderAndIsrRequestTopicStatesPartitionStates,
  LeaderAndIsrRequestUngroupedPartitionStates,
} from '../messages/types.generated';
import { topicIdsOf, topicStatesOf, type ControlRequestHeader } from './AbstractControlRequest';

/**
 * LeaderAndIsr as the controller means it and the broker acts on it, whatever the version
 * (Kafka's LeaderAndIsrRequest and its Builder): v0–1 list partition states ungrouped, each with
 * its topic name; v2+ group them by topic; v5 adds topic ids; isNew is on the wire from v1, the
 * adding/removing replicas from v3, the broker epoch from v2.
 */
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

/** A leader the receiver may have to fetch from, with its inter-broker endpoint. */
export interface LeaderAndIsrLiveLeader {
  readonly brokerId: number;
  readonly hostName: string;
  readonly port: number;
}

export interface LeaderAndIsrRequestContent extends ControlRequestHeader {
  readonly partitionStates: readonly LeaderAndIsrPartitionState[];
  readonly liveLeaders: readonly LeaderAndIsrLiveLeader[];
  /** Topic name → topic id; on the wire from v5 (topics missing here go as the null id). */
  readonly topicIds: ReadonlyMap<string, string>;
}

/** The request body of `version` (0–5) carrying `request`. */
export function buildLeaderAndIsrRequest(version: number, request: LeaderAndIsrRequestContent): LeaderAndIsrRequestInput {
  const header = {
    controllerId: request.controllerId,
    controllerEpoch: request.controllerEpoch,
    brokerEpoch: request.brokerEpoch,
    // v5's request type (Kafka's UNKNOWN, 0): the controller does not tell full from incremental.
    type: 0,
    liveLeaders: request.liveLeaders.map((l) => ({ brokerId: l.brokerId, hostName: l.hostName, port: l.port })),
  };
  const partitionState = (s: LeaderAndIsrPartitionState) => ({
    partitionIndex: s.partitionIndex,
    controllerEpoch: s.controllerEpoch,
    leader: s.leader,
    leaderEpoch: s.leaderEpoch,
    isr: s.isr,
    zkVersion: s.zkVersion,
    replicas: s.replicas,
    addingReplicas: s.addingReplicas,
    removingReplicas: s.removingReplicas,
    isNew: s.isNew,
  });
  if (version <= 1) {
    return {
      ...header,
      ungroupedPartitionStates: request.partitionStates.map((s) => ({ topicName: s.topicName, ...partitionState(s) })),
    };
  }
  return { ...header, topicStates: topicStatesOf(request.partitionStates, request.topicIds, partitionState) };
}

/** The content of a decoded LeaderAndIsr request of any version (fields a version lacks read as their defaults). */
export function readLeaderAndIsrRequest(body: LeaderAndIsrRequest): LeaderAndIsrRequestContent {
  const partitionState = (
    topicName: string,
    p: LeaderAndIsrRequestUngroupedPartitionStates | LeaderAndIsrRequestTopicStatesPartitionStates,
  ): LeaderAndIsrPartitionState => ({
    topicName,
    partitionIndex: p.partitionIndex,
    controllerEpoch: p.controllerEpoch,
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    isr: p.isr,
    zkVersion: p.zkVersion,
    replicas: p.replicas,
    addingReplicas: p.addingReplicas,
    removingReplicas: p.removingReplicas,
    isNew: p.isNew,
  });
  return {
    controllerId: body.controllerId,
    controllerEpoch: body.controllerEpoch,
    brokerEpoch: body.brokerEpoch,
    partitionStates: [
      ...body.ungroupedPartitionStates.map((p) => partitionState(p.topicName, p)),
      ...body.topicStates.flatMap((t) => t.partitionStates.map((p) => partitionState(t.topicName, p))),
    ],
    liveLeaders: body.liveLeaders.map((l) => ({ brokerId: l.brokerId, hostName: l.hostName, port: l.port })),
    topicIds: topicIdsOf(body.topicStates),
  };
}
