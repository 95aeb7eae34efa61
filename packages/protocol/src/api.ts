import { compileMessage, type CompiledMessage, type Struct } from './codec/compile';
import { frameChunks } from './codec/frame';
import {
  peekRequestIds,
  readRequestHeader,
  readResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
  writeResponseHeader,
  type RequestHeader,
} from './codec/header';
import { Reader } from './codec/reader';
import { inRange, parseVersions } from './codec/versions';
import { Writer } from './codec/writer';
import { ErrorCode, KafkaError } from './errors';
import { ALL_APIS } from './messages';
import type { ApiSpec } from './schema/types';

const BY_KEY = new Map<number, ApiSpec>(ALL_APIS.map((a) => [a.apiKey, a]));

export function apiSpec(apiKey: number): ApiSpec | undefined {
  return BY_KEY.get(apiKey);
}

export function allApis(): readonly ApiSpec[] {
  return ALL_APIS;
}

export function versionRange(spec: ApiSpec): { min: number; max: number } {
  const r = parseVersions(spec.request.validVersions);
  return { min: r.lowest, max: r.highest };
}

export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  const spec = BY_KEY.get(apiKey);
  return !!spec && inRange(parseVersions(spec.request.validVersions), apiVersion);
}

export function requestCodec(apiKey: number, apiVersion: number): CompiledMessage {
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown api key ${apiKey}`);
  if (!isSupportedVersion(apiKey, apiVersion)) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `${spec.name} v${apiVersion} is not supported`);
  }
  return compileMessage(spec.request, apiVersion);
}

export function responseCodec(apiKey: number, apiVersion: number): CompiledMessage {
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown api key ${apiKey}`);
  return compileMessage(spec.response, apiVersion);
}

export interface DecodedRequest {
  readonly header: RequestHeader;
  readonly body: Struct;
}

/**
 * Decodes one request frame (without its size prefix). Unknown keys and unsupported versions raise
 * KafkaError(UNSUPPORTED_VERSION / INVALID_REQUEST); the caller still has the ids from
 * `peekRequestIds` to answer with.
 */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const { apiKey, apiVersion } = peekRequestIds(frame);
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown api key ${apiKey}`);
  const r = new Reader(frame);
  const header = readRequestHeader(r, requestHeaderVersion(apiKey, apiVersion, spec.request.flexibleVersions));
  const body = requestCodec(apiKey, apiVersion).decode(r);
  if (r.remaining !== 0) r.fail(`${spec.name} v${apiVersion} has ${r.remaining} trailing bytes`);
  return { header, body };
}

/** Encodes a request with its header and size prefix, as chunks for a vectored socket write. */
export function encodeRequest(header: RequestHeader, body: Struct): Buffer[] {
  const spec = BY_KEY.get(header.apiKey);
  if (!spec) throw new Error(`unknown api key ${header.apiKey}`);
  const w = new Writer();
  writeRequestHeader(w, header, requestHeaderVersion(header.apiKey, header.apiVersion, spec.request.flexibleVersions));
  compileMessage(spec.request, header.apiVersion).encode(w, body);
  return frameChunks(w.chunksOut());
}

/** Encodes a response with its header and size prefix, as chunks (record bytes are not copied). */
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: Struct): Buffer[] {
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new Error(`unknown api key ${apiKey}`);
  const w = new Writer();
  writeResponseHeader(w, correlationId, responseHeaderVersion(apiKey, apiVersion, spec.response.flexibleVersions));
  compileMessage(spec.response, apiVersion).encode(w, body);
  return frameChunks(w.chunksOut());
}

/** Decodes a response frame (without its size prefix) of a known api and version. */
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): { correlationId: number; body: Struct } {
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new Error(`unknown api key ${apiKey}`);
  const r = new Reader(frame);
  const { correlationId } = readResponseHeader(r, responseHeaderVersion(apiKey, apiVersion, spec.response.flexibleVersions));
  const body = compileMessage(spec.response, apiVersion).decode(r);
  if (r.remaining !== 0) r.fail(`${spec.response.name} v${apiVersion} has ${r.remaining} trailing bytes`);
  return { correlationId, body };
}
