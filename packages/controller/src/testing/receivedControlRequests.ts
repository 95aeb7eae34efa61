import {
  ApiKey,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isRequestOf,
  readLeaderAndIsrRequest,
  readStopReplicaRequest,
  readUpdateMetadataRequest,
  type DecodedRequest,
  type LeaderAndIsrPartitionState,
  type ResponseOf,
  type Struct,
  type UpdateMetadataPartitionState,
} from '@samsa/protocol';
import type { ControlApiKey, ControlRequestOf } from '../ControlRequests';

/** Any request the controller hands to its sender. */
type ControlRequest = ControlRequestOf<ControlApiKey>;

/**
 * What a broker reads from the controller's requests, for tests: a request the controller handed
 * to its sender goes over the wire first (encoded and decoded as a broker would), a request a
 * fake broker received is read as it is.
 */
export function receivedRequest(request: ControlRequest | DecodedRequest): DecodedRequest {
  if ('header' in request) return request;
  const header = { apiKey: request.apiKey, apiVersion: request.apiVersion, correlationId: 0, clientId: 'controller' };
  return decodeRequest(Buffer.concat(encodeRequest(header, request.body)).subarray(4));
}

/**
 * A response body as the controller's channel hands it over: encoded and decoded in `request`'s
 * version. `body` is as loose as a test writes it (the codec fills the fields it leaves out).
 */
export function receivedResponse<K extends ControlApiKey>(
  request: ControlRequestOf<K>,
  body: Struct,
): ResponseOf<K> {
  const apiKey: number = request.apiKey;
  const frame = Buffer.concat(encodeResponse(apiKey, request.apiVersion, 0, body)).subarray(4);
  // Decoded by the request's own api key, so it is that api's response.
  return decodeResponse(apiKey, request.apiVersion, frame).body as ResponseOf<K>;
}

function wrongApi(request: DecodedRequest, expected: string): Error {
  return new Error(`expected a ${expected} request, got api key ${request.header.apiKey}`);
}

/** The partition states of a LeaderAndIsr request, whatever its version. */
export function leaderAndIsrPartitionStates(request: ControlRequest | DecodedRequest): LeaderAndIsrPartitionState[] {
  const received = receivedRequest(request);
  if (!isRequestOf(received, ApiKey.LeaderAndIsr)) throw wrongApi(received, 'LeaderAndIsr');
  return [...readLeaderAndIsrRequest(received.body).partitionStates];
}

/** The partition states of an UpdateMetadata request, whatever its version. */
export function updateMetadataPartitionStates(request: ControlRequest | DecodedRequest): UpdateMetadataPartitionState[] {
  const received = receivedRequest(request);
  if (!isRequestOf(received, ApiKey.UpdateMetadata)) throw wrongApi(received, 'UpdateMetadata');
  return [...readUpdateMetadataRequest(received.body).partitionStates];
}

/** The partitions of a StopReplica request with their delete flags, whatever its version. */
export function stopReplicaPartitions(
  request: ControlRequest | DecodedRequest,
): Array<{ topic: string; partition: number; deletePartition: boolean }> {
  const received = receivedRequest(request);
  if (!isRequestOf(received, ApiKey.StopReplica)) throw wrongApi(received, 'StopReplica');
  return readStopReplicaRequest(received.body).partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    deletePartition: p.deletePartition,
  }));
}
