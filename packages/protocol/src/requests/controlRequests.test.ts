import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, isRequestOf } from '../api';
import { ApiKey } from '../apiKeys';
import type { RequestInputFor } from '../apiTypes';
import { randomUuid } from '../codec/uuid';
import { buildLeaderAndIsrRequest, readLeaderAndIsrRequest, type LeaderAndIsrRequestContent } from './LeaderAndIsrRequest';
import { buildLeaderAndIsrResponse, readLeaderAndIsrResponse } from './LeaderAndIsrResponse';
import { buildStopReplicaRequest, readStopReplicaRequest, type StopReplicaRequestContent } from './StopReplicaRequest';
import { buildStopReplicaResponse, readStopReplicaResponse } from './StopReplicaResponse';
import { buildUpdateMetadataRequest, readUpdateMetadataRequest, type UpdateMetadataRequestContent } from './UpdateMetadataRequest';

const header = { controllerId: 1, controllerEpoch: 3, brokerEpoch: 4294967345 };
const idA = randomUuid();

type ControlApiKey = typeof ApiKey.LeaderAndIsr | typeof ApiKey.UpdateMetadata | typeof ApiKey.StopReplica;

/** Encodes a request as the controller sends it and decodes it as a broker reads it. */
function overTheWire<K extends ControlApiKey>(apiKey: K, apiVersion: number, body: RequestInputFor<K>) {
  const frame = Buffer.concat(encodeRequest({ apiKey, apiVersion, correlationId: 1, clientId: 'c' }, body)).subarray(4);
  const decoded = decodeRequest(frame);
  if (!isRequestOf(decoded, apiKey)) throw new Error(`decoded api key ${decoded.header.apiKey}, sent ${apiKey}`);
  return decoded.body;
}

const lair = (topicName: string, partitionIndex: number) => ({
  topicName,
  partitionIndex,
  controllerEpoch: 3,
  leader: 2,
  leaderEpoch: 7,
  isr: [2, 1],
  zkVersion: 11,
  replicas: [1, 2, 3],
  addingReplicas: [3],
  removingReplicas: [1],
  isNew: true,
});

test.each([0, 1, 2, 3, 4, 5])('leaderAndIsrRequestV%iRoundTrips', (version) => {
  const content: LeaderAndIsrRequestContent = {
    ...header,
    partitionStates: [lair('a', 0), lair('a', 1), lair('b', 0)],
    liveLeaders: [{ brokerId: 2, hostName: 'h', port: 9 }],
    topicIds: new Map([['a', idA]]),
  };
  const body = overTheWire(ApiKey.LeaderAndIsr, version, buildLeaderAndIsrRequest(version, content));
  expect(readLeaderAndIsrRequest(body)).toEqual({
    ...content,
    brokerEpoch: version >= 2 ? header.brokerEpoch : -1,
    partitionStates: content.partitionStates.map((s) => ({
      ...s,
      isNew: version >= 1,
      addingReplicas: version >= 3 ? s.addingReplicas : [],
      removingReplicas: version >= 3 ? s.removingReplicas : [],
    })),
    topicIds: version >= 5 ? content.topicIds : new Map(),
  });
});

test.each([0, 1, 2, 3, 4, 5])('leaderAndIsrResponseV%iRoundTrips', (version) => {
  const response = {
    errorCode: 0,
    partitionErrors: [
      { topic: 'a', partition: 0, errorCode: 0 },
      { topic: 'a', partition: 1, errorCode: 56 },
    ],
  };
  const body = buildLeaderAndIsrResponse(version, response, new Map([['a', idA]]));
  const frame = Buffer.concat(encodeResponse(ApiKey.LeaderAndIsr, version, 1, body)).subarray(4);
  const decoded = decodeResponse(ApiKey.LeaderAndIsr, version, frame).body;
  expect(readLeaderAndIsrResponse(decoded, new Map([[idA, 'a']]))).toEqual(response);
});

test.each([0, 1, 2, 3, 4, 5, 6, 7])('updateMetadataRequestV%iRoundTrips', (version) => {
  const content: UpdateMetadataRequestContent = {
    ...header,
    partitionStates: [
      { topicName: 'a', partitionIndex: 3, controllerEpoch: 3, leader: 1, leaderEpoch: 2, isr: [1], zkVersion: 4, replicas: [1, 2], offlineReplicas: [2] },
      { topicName: 'b', partitionIndex: 0, controllerEpoch: 3, leader: -2, leaderEpoch: 0, isr: [], zkVersion: 0, replicas: [2], offlineReplicas: [] },
    ],
    liveBrokers: [
      { id: 1, endpoints: [{ port: 9093, host: '127.0.0.1', listener: 'PLAINTEXT', securityProtocol: 0 }], rack: 'r1' },
      { id: 2, endpoints: [{ port: 9094, host: '127.0.0.2', listener: 'INTERNAL', securityProtocol: 1 }], rack: null },
    ],
    topicIds: new Map([['a', idA]]),
  };
  const body = overTheWire(ApiKey.UpdateMetadata, version, buildUpdateMetadataRequest(version, content));
  const liveBrokers =
    version === 0
      ? // v0: the one PLAINTEXT endpoint; no rack (the decoder's default, '')
        [
          { id: 1, endpoints: [content.liveBrokers[0].endpoints[0]], rack: '' },
          { id: 2, endpoints: [], rack: '' },
        ]
      : content.liveBrokers.map((b) => ({
          ...b,
          rack: version >= 2 ? b.rack : '',
          // before v3 a listener is named after its security protocol
          endpoints: b.endpoints.map((e) => ({ ...e, listener: version >= 3 ? e.listener : ['PLAINTEXT', 'SSL'][e.securityProtocol] })),
        }));
  expect(readUpdateMetadataRequest(body)).toEqual({
    ...content,
    brokerEpoch: version >= 5 ? header.brokerEpoch : -1,
    partitionStates: content.partitionStates.map((s) => ({ ...s, offlineReplicas: version >= 4 ? s.offlineReplicas : [] })),
    liveBrokers,
    topicIds: version >= 7 ? content.topicIds : new Map(),
  });
});

test.each([0, 1, 2, 3])('stopReplicaRequestV%iRoundTrips', (version) => {
  const partitions = [
    { topic: 'a', partition: 0, leaderEpoch: 5, deletePartition: true },
    { topic: 'b', partition: 1, leaderEpoch: -2, deletePartition: version < 3 },
  ];
  const content: StopReplicaRequestContent = { ...header, deletePartitions: version < 3, partitions };
  const body = overTheWire(ApiKey.StopReplica, version, buildStopReplicaRequest(version, content));
  expect(readStopReplicaRequest(body)).toEqual({
    ...content,
    brokerEpoch: version >= 1 ? header.brokerEpoch : -1,
    partitions: partitions.map((p) => ({ ...p, leaderEpoch: version >= 3 ? p.leaderEpoch : -1 })),
  });
});

test('stopReplicaBeforeV3RefusesAPartitionWhoseDeleteFlagDiffersFromTheRequests', () => {
  const partitions = [{ topic: 'a', partition: 0, leaderEpoch: 1, deletePartition: true }];
  expect(() => buildStopReplicaRequest(2, { ...header, deletePartitions: false, partitions })).toThrow(/one delete flag/);
});

test.each([0, 1, 2, 3])('stopReplicaResponseV%iRoundTrips', (version) => {
  const response = { errorCode: 0, partitionErrors: [{ topic: 'a', partition: 0, errorCode: 0 }] };
  const frame = Buffer.concat(encodeResponse(ApiKey.StopReplica, version, 1, buildStopReplicaResponse(response))).subarray(4);
  expect(readStopReplicaResponse(decodeResponse(ApiKey.StopReplica, version, frame).body)).toEqual(response);
});
