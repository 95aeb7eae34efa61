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
  type Struct,
  type UpdateMetadataPartitionState,
} from '@samsa/protocol';
import type { ControlRequest } from '../ControlRequests';

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

/** A response body as the controller's channel hands it over: encoded and decoded in `request`'s version. */
export function receivedResponse(request: ControlRequest, body: Struct): Struct {
  const frame = Buffer.concat(encodeResponse(request.apiKey, request.apiVersion, 0, body)).subarray(4);
  return decodeResponse(request.apiKey, request.apiVersion, frame).body;
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
