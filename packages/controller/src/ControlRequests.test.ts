import { TopicPartitionMap } from '@samsa/common';
import {
  ApiKey,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  randomUuid,
  type LeaderAndIsrPartitionState,
  type DecodedRequest,
  type Struct,
  type UpdateMetadataPartitionState,
} from '@samsa/protocol';
import {
  leaderAndIsrRequest,
  buildStopReplicaRequests,
  updateMetadataRequest,
  leaderAndIsrResponseErrors,
  type ControlRequest,
} from './ControlRequests';
import {
  leaderAndIsrPartitionStates,
  stopReplicaPartitions,
  updateMetadataPartitionStates,
} from './testing/receivedControlRequests';
import { plaintextBroker } from './testing/fakes';

const header = { controllerId: 1, controllerEpoch: 3, brokerEpoch: 4294967345 };

/** Encodes as the controller sends it and decodes as a broker reads it. */
function overTheWire(request: ControlRequest): DecodedRequest {
  const header = {
    apiKey: request.apiKey,
    apiVersion: request.apiVersion,
    correlationId: 9,
    clientId: 'controller',
  };
  const frame = Buffer.concat(encodeRequest(header, request.body)).subarray(4);
  const decoded = decodeRequest(frame);
  expect(decoded.header).toMatchObject(header);
  return decoded;
}

const lairState = (topicName: string, partitionIndex: number): LeaderAndIsrPartitionState => ({
  topicName,
  partitionIndex,
  controllerEpoch: 3,
  leader: 2,
  leaderEpoch: 7,
  isr: [2, 1],
  zkVersion: 11,
  replicas: [1, 2],
  addingReplicas: [],
  removingReplicas: [],
  isNew: true,
});

test.each([0, 1, 2, 3, 4, 5])('leaderAndIsrV%iRoundTrips', (version) => {
  const states = [lairState('a', 0), lairState('a', 1), lairState('b', 0)];
  const topicIds = new Map([['a', randomUuid()]]);
  const request = leaderAndIsrRequest(
    version,
    header,
    states,
    [{ brokerId: 2, hostName: 'h', port: 9 }],
    topicIds,
  );
  const received = overTheWire(request);
  const body = received.body;
  expect(body.controllerId).toBe(1);
  expect(body.controllerEpoch).toBe(3);
  expect(body.brokerEpoch).toBe(version >= 2 ? 4294967345 : -1);
  expect(body.liveLeaders).toEqual([{ brokerId: 2, hostName: 'h', port: 9 }]);
  const decoded = leaderAndIsrPartitionStates(received);
  expect(
    decoded.map((s) => [
      s.topicName,
      s.partitionIndex,
      s.leader,
      s.leaderEpoch,
      s.isr,
      s.zkVersion,
      s.replicas,
    ]),
  ).toEqual(states.map((s) => [s.topicName, s.partitionIndex, 2, 7, [2, 1], 11, [1, 2]]));
  expect(decoded.every((s) => s.isNew === version >= 1)).toBe(true);
  if (version >= 5) expect(body.topicStates[0].topicId).toBe(topicIds.get('a'));
});

test.each([0, 1, 2, 3, 4, 5, 6, 7])('updateMetadataV%iRoundTrips', (version) => {
  const state: UpdateMetadataPartitionState = {
    topicName: 'a',
    partitionIndex: 3,
    controllerEpoch: 3,
    leader: 1,
    leaderEpoch: 2,
    isr: [1],
    zkVersion: 4,
    replicas: [1, 2],
    offlineReplicas: [2],
  };
  const received = overTheWire(
    updateMetadataRequest(version, header, [state], [plaintextBroker(1), plaintextBroker(2)]),
  );
  const body = received.body;
  expect(updateMetadataPartitionStates(received)).toEqual([
    expect.objectContaining({
      topicName: 'a',
      partitionIndex: 3,
      leader: 1,
      isr: [1],
      replicas: [1, 2],
      offlineReplicas: version >= 4 ? [2] : [],
    }),
  ]);
  expect(body.liveBrokers.map((b: Struct) => b.id)).toEqual([1, 2]);
  if (version === 0) expect(body.liveBrokers[0]).toMatchObject({ v0Host: '127.0.0.1', v0Port: 9093 });
  else
    expect(body.liveBrokers[0].endpoints[0]).toMatchObject({
      host: '127.0.0.1',
      port: 9093,
      securityProtocol: 0,
    });
  if (version >= 3) expect(body.liveBrokers[0].endpoints[0].listener).toBe('PLAINTEXT');
});

test.each([0, 1, 2, 3])('stopReplicaV%iRoundTrips', (version) => {
  const states = new TopicPartitionMap([
    [
      { topic: 'a', partition: 0 },
      { leaderEpoch: 5, deletePartition: true },
    ],
    [
      { topic: 'a', partition: 1 },
      { leaderEpoch: 5, deletePartition: false },
    ],
  ]);
  const requests = buildStopReplicaRequests(version, header, states);
  expect(requests).toHaveLength(version >= 3 ? 1 : 2);
  const partitions = requests.flatMap(({ request }) => stopReplicaPartitions(overTheWire(request)));
  expect(partitions.sort((x, y) => x.partition - y.partition)).toEqual([
    { topic: 'a', partition: 0, deletePartition: true },
    { topic: 'a', partition: 1, deletePartition: false },
  ]);
});

test('leaderAndIsrV5ResponseNamesTopicsById', () => {
  const id = randomUuid();
  const frame = Buffer.concat(
    encodeResponse(ApiKey.LeaderAndIsr, 5, 1, {
      errorCode: 0,
      topics: [{ topicId: id, partitionErrors: [{ partitionIndex: 2, errorCode: 56 }] }],
    }),
  ).subarray(4);
  const { body } = decodeResponse(ApiKey.LeaderAndIsr, 5, frame);
  const errors = leaderAndIsrResponseErrors(body, new Map([[id, 'a']]));
  expect(errors.partitionErrors.get({ topic: 'a', partition: 2 })).toBe(56);
});
