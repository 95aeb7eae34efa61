import {
  NULL_UUID,
  readLeaderAndIsrRequest,
  readUpdateMetadataRequest,
  type LeaderAndIsrRequest,
  type LeaderAndIsrRequestContent,
  type Struct,
  type UpdateMetadataRequest,
  type UpdateMetadataRequestContent,
} from '@samsa/protocol';

/**
 * Hand-built control request bodies in the decoded layout (as tests write them, fields left out)
 * read as the broker reads decoded ones: the fields a test leaves out get the defaults the decoder
 * would give them.
 */
export function updateMetadataContent(body: Struct): UpdateMetadataRequestContent {
  const decoded = {
    controllerId: 0,
    controllerEpoch: 0,
    brokerEpoch: -1,
    ungroupedPartitionStates: [],
    ...body,
    liveBrokers: (body.liveBrokers ?? []).map((b: Struct) => ({ v0Host: '', v0Port: -1, endpoints: [], rack: null, ...b })),
    topicStates: (body.topicStates ?? []).map((t: Struct) => ({ topicId: NULL_UUID, ...t })),
  };
  return readUpdateMetadataRequest(decoded as UpdateMetadataRequest);
}

export function leaderAndIsrContent(body: Struct): LeaderAndIsrRequestContent {
  const partitionState = (p: Struct) => ({ addingReplicas: [], removingReplicas: [], isNew: false, ...p });
  const decoded = {
    controllerId: 0,
    controllerEpoch: 0,
    brokerEpoch: -1,
    type: 0,
    liveLeaders: [],
    ...body,
    ungroupedPartitionStates: (body.ungroupedPartitionStates ?? []).map(partitionState),
    topicStates: (body.topicStates ?? []).map((t: Struct) => ({
      topicId: NULL_UUID,
      ...t,
      partitionStates: t.partitionStates.map(partitionState),
    })),
  };
  return readLeaderAndIsrRequest(decoded as LeaderAndIsrRequest);
}
