import { compileMessage, type CompiledMessage, type Struct, type UntypedStruct } from './codec/compile';
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
import type { ApiKeyValue, RequestFor, RequestOf, RequestInputFor, ResponseFor, ResponseInputFor } from './apiTypes';

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

/**
 * The request codec of an api at a version. With a literal key (`ApiKey.Produce`) it is typed with
 * the generated `ProduceRequest` / `ProduceRequestInput`; with a plain number it works on `Struct`.
 */
export function requestCodec<K extends number>(
  apiKey: K,
  apiVersion: number,
): CompiledMessage<RequestFor<K>, RequestInputFor<K>> {
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown api key ${apiKey}`);
  if (!isSupportedVersion(apiKey, apiVersion)) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `${spec.name} v${apiVersion} is not supported`);
  }
  return compileMessage(spec.request, apiVersion) as CompiledMessage<RequestFor<K>, RequestInputFor<K>>;
}

/** The response codec of an api at a version; typed like `requestCodec`. */
export function responseCodec<K extends number>(
  apiKey: K,
  apiVersion: number,
): CompiledMessage<ResponseFor<K>, ResponseInputFor<K>> {
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown api key ${apiKey}`);
  return compileMessage(spec.response, apiVersion) as CompiledMessage<ResponseFor<K>, ResponseInputFor<K>>;
}

/**
 * A decoded request. The api key is known only at run time, so `body` is `Struct` until narrowed
 * with `isRequestOf(request, ApiKey.Produce)` (then it is the generated `ProduceRequest`).
 */
export interface DecodedRequest<Body = Struct> {
  readonly header: RequestHeader;
  readonly body: Body;
}

/** Narrows a decoded request to the typed body of one api, by its header's api key. */
export function isRequestOf<K extends ApiKeyValue>(request: DecodedRequest, apiKey: K): request is DecodedRequest<RequestOf<K>> {
  return request.header.apiKey === apiKey;
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

/**
 * Encodes a request with its header and size prefix, as chunks for a vectored socket write. With a
 * literal `header.apiKey` the body is checked against the generated input type (`ProduceRequestInput`).
 */
export function encodeRequest<K extends number>(header: RequestHeader & { readonly apiKey: K }, body: RequestInputFor<K>): Buffer[];
/** A body typed only as `Struct` (untyped callers). */
export function encodeRequest<B extends Struct>(header: RequestHeader, body: UntypedStruct<B>): Buffer[];
export function encodeRequest(header: RequestHeader, body: Struct): Buffer[] {
  const spec = BY_KEY.get(header.apiKey);
  if (!spec) throw new Error(`unknown api key ${header.apiKey}`);
  const w = new Writer();
  writeRequestHeader(w, header, requestHeaderVersion(header.apiKey, header.apiVersion, spec.request.flexibleVersions));
  compileMessage(spec.request, header.apiVersion).encode(w, body);
  return frameChunks(w.chunksOut());
}

/**
 * Encodes a response with its header and size prefix, as chunks (record bytes are not copied). With a
 * literal api key the body is checked against the generated input type (`ProduceResponseInput`).
 */
export function encodeResponse<K extends number>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseInputFor<K>,
): Buffer[];
/** A body typed only as `Struct` (untyped callers). */
export function encodeResponse<B extends Struct>(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: UntypedStruct<B>,
): Buffer[];
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: Struct): Buffer[] {
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new Error(`unknown api key ${apiKey}`);
  const w = new Writer();
  writeResponseHeader(w, correlationId, responseHeaderVersion(apiKey, apiVersion, spec.response.flexibleVersions));
  compileMessage(spec.response, apiVersion).encode(w, body);
  return frameChunks(w.chunksOut());
}

/**
 * Decodes a response frame (without its size prefix) of a known api and version. With a literal api
 * key the body is the generated decoded type (`MetadataResponse` for `ApiKey.Metadata`).
 */
export function decodeResponse<K extends number>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: ResponseFor<K> } {
  const spec = BY_KEY.get(apiKey);
  if (!spec) throw new Error(`unknown api key ${apiKey}`);
  const r = new Reader(frame);
  const { correlationId } = readResponseHeader(r, responseHeaderVersion(apiKey, apiVersion, spec.response.flexibleVersions));
  const body = compileMessage(spec.response, apiVersion).decode(r) as ResponseFor<K>;
  if (r.remaining !== 0) r.fail(`${spec.response.name} v${apiVersion} has ${r.remaining} trailing bytes`);
  return { correlationId, body };
}
