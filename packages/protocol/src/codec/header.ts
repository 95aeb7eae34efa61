import { ErrorCode, KafkaError } from '../errors';
import { Reader } from './reader';
import { Writer } from './writer';
import { contains } from './versions';

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** Absent (null) in header v0; an int16-length string even in flexible header v2. */
  readonly clientId: string | null;
}

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

/**
 * Header versions follow the API's flexible range: request v2 / response v1 when the body is
 * flexible, else request v1 / response v0. Two exceptions are Kafka's: ControlledShutdown v0 sends
 * header v0 (no client id), and ApiVersions responses are always header v0 so that a client can
 * read the error of an unsupported-version answer whatever it asked.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number, flexibleVersions: string | undefined): 0 | 1 | 2 {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  return contains(flexibleVersions, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number, flexibleVersions: string | undefined): 0 | 1 {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return contains(flexibleVersions, apiVersion) ? 1 : 0;
}

/** Reads api key, version and correlation id only: enough to answer even an unknown request. */
export function peekRequestIds(frame: Buffer, start = 0): { apiKey: number; apiVersion: number; correlationId: number } {
  if (frame.length - start < 8) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `request of ${frame.length - start} bytes is shorter than a header`);
  }
  return {
    apiKey: frame.readInt16BE(start),
    apiVersion: frame.readInt16BE(start + 2),
    correlationId: frame.readInt32BE(start + 4),
  };
}

export function readRequestHeader(r: Reader, headerVersion: 0 | 1 | 2): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  let clientId: string | null = null;
  if (headerVersion >= 1) {
    const n = r.int16();
    if (n < -1) r.fail('negative client id length');
    clientId = n === -1 ? null : r.utf8(n);
  }
  if (headerVersion >= 2) skipTaggedFields(r);
  return { apiKey, apiVersion, correlationId, clientId };
}

export function writeRequestHeader(w: Writer, h: RequestHeader, headerVersion: 0 | 1 | 2): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId);
  if (headerVersion >= 1) {
    if (h.clientId === null) w.int16(-1);
    else {
      const n = Buffer.byteLength(h.clientId);
      w.int16(n).utf8(h.clientId, n);
    }
  }
  if (headerVersion >= 2) w.uvarint(0);
}

export function readResponseHeader(r: Reader, headerVersion: 0 | 1): { correlationId: number } {
  const correlationId = r.int32();
  if (headerVersion >= 1) skipTaggedFields(r);
  return { correlationId };
}

export function writeResponseHeader(w: Writer, correlationId: number, headerVersion: 0 | 1): void {
  w.int32(correlationId);
  if (headerVersion >= 1) w.uvarint(0);
}

function skipTaggedFields(r: Reader): void {
  const count = r.uvarint();
  r.checkCount(count, 2, 'header tagged fields');
  for (let i = 0; i < count; i++) {
    r.uvarint();
    const size = r.uvarint();
    r.slice(size);
  }
}
