import { type Logger } from '@samsa/common';
import { performance } from 'node:perf_hooks';
import {
  ApiKey,
  apiSpec,
  decodeRequest,
  encodeResponse,
  ErrorCode,
  KafkaError,
  peekRequestIds,
  type Struct,
} from '@samsa/protocol';
import type { KafkaPrincipal, SecurityProtocol } from '@samsa/security';
import { apiVersionsBody } from '../api/apiVersions';
import { errorResponse } from '../api/errorResponse';
import type { ApiRegistry, DispatchableEntry } from '../api/registry';
import type { RequestContext } from '../api/types';
import type { RequestMetrics, RequestTimes } from './RequestMetrics';

/** What a connection knows about itself, for the RequestContext. */
export interface ConnectionInfo {
  readonly connectionId: string;
  /** "ip:port" of the client. */
  readonly clientAddress: string;
  /** The client's IP address alone. */
  readonly clientHost: string;
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocol;
  /** The connection's principal now (SASL sets it once authenticated; re-authentication may change it). */
  readonly principal: KafkaPrincipal;
}

/** What to do with one request frame, in its place in the connection's response order. */
export type DispatchOutcome =
  /** Size-prefixed response chunks (record bytes by reference) and their total length. */
  | {
      readonly kind: 'response';
      readonly chunks: readonly Buffer[];
      readonly bytes: number;
      times?: RequestTimes;
      /** Callbacks for when the chunks are with the kernel (RequestContext.onResponseSent). */
      onSent?: (() => void)[];
      /** KIP-219: the connection reads no further request for this long (RequestContext.throttle). */
      throttleMs?: number;
    }
  /** Produce with acks=0: nothing goes back, the order of later responses is kept. */
  | { readonly kind: 'noResponse'; readonly times?: RequestTimes; readonly throttleMs?: number }
  /** Kafka closes the connection (malformed or unknown request): earlier responses go first. */
  | { readonly kind: 'close'; readonly reason: string };

/** The seam between the SocketServer and request handling (tests plug in their own). */
export interface RequestProcessor {
  /** Must never throw or reject; a sync result is written without waiting for a tick. */
  dispatch(
    frame: Buffer,
    conn: ConnectionInfo,
    receivedAtMs: number,
    /** The same moment as performance.now(), for request metrics. */
    receivedAtHrMs?: number,
  ): DispatchOutcome | Promise<DispatchOutcome>;
}

const NO_RESPONSE: DispatchOutcome = { kind: 'noResponse' };

function isThenable<T>(v: unknown): v is PromiseLike<T> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<T>).then === 'function';
}

function responseOf(chunks: Buffer[]): DispatchOutcome {
  let bytes = 0;
  for (const c of chunks) bytes += c.length;
  return { kind: 'response', chunks, bytes, times: undefined };
}

/**
 * Decodes a request frame, calls its handler from the registry, and encodes the answer with the
 * request's version (Kafka's KafkaApis.handle, without the per-API switch). Wire rules, as Kafka 2.x:
 *   - an api key with no handler: close the connection;
 *   - a version the registry does not serve: ApiVersions gets UNSUPPORTED_VERSION in the v0 body
 *     layout with the api list (clients step down from there); any other API: close;
 *   - a frame that does not decode: close;
 *   - a handler throwing KafkaError: that API's error response with the code; anything else:
 *     UNKNOWN_SERVER_ERROR and an error line; Produce acks=0 has no response to carry an error, so
 *     the connection is closed instead (how Kafka tells such a producer).
 * The handler is called synchronously from `dispatch`, so handlers start in arrival order.
 * With request metrics, each decoded request carries its RequestTimes in its outcome; the
 * connection records them once the response is sent.
 */
export class RequestDispatcher implements RequestProcessor {
  constructor(
    private readonly registry: ApiRegistry,
    private readonly logger: Logger,
    private readonly requestMetrics: RequestMetrics | null = null,
  ) {}

  dispatch(
    frame: Buffer,
    conn: ConnectionInfo,
    receivedAtMs: number,
    receivedAtHrMs?: number,
  ): DispatchOutcome | Promise<DispatchOutcome> {
    if (frame.length < 8) return close(`request of ${frame.length} bytes is shorter than a request header`);
    const { apiKey, apiVersion, correlationId } = peekRequestIds(frame);
    const entry = this.registry.get(apiKey);
    const name = apiSpec(apiKey)?.name ?? `api key ${apiKey}`;
    if (!entry) return close(`${name} is not served (correlation id ${correlationId})`);
    if (apiVersion < 0 || apiVersion > entry.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) {
        // KIP-511: the client cannot know our layout, so answer in v0's, which it can always read.
        const body = apiVersionsBody(this.registry, ErrorCode.UNSUPPORTED_VERSION);
        return responseOf(encodeResponse(ApiKey.ApiVersions, 0, correlationId, body));
      }
      return close(`${name} v${apiVersion} is not supported (0-${entry.maxVersion})`);
    }

    let header: RequestContext['header'];
    let body: Struct;
    try {
      ({ header, body } = decodeRequest(frame));
    } catch (e) {
      return close(`malformed ${name} v${apiVersion} request: ${e instanceof Error ? e.message : String(e)}`);
    }
    const times = this.requestMetrics?.start(apiKey, apiVersion, receivedAtHrMs ?? performance.now(), frame.length);
    if (times !== undefined && apiKey === ApiKey.Fetch) times.fromFollower = body.replicaId >= 0;
    const ctx: RequestContext = {
      header,
      clientAddress: conn.clientAddress,
      connectionId: conn.connectionId,
      listenerName: conn.listenerName,
      securityProtocol: conn.securityProtocol,
      principal: conn.principal,
      clientHost: conn.clientHost,
      receivedAtMs,
      onApiLocalComplete: times?.markApiLocalComplete,
      onResponseSent: (fn) => (onSent ??= []).push(fn),
      requestBytes: frame.length,
      throttle: (ms) => (throttleMs = Math.max(throttleMs, ms)),
    };
    let onSent: (() => void)[] | undefined;
    let throttleMs = 0;
    const done = (outcome: DispatchOutcome) => throttled(whenSent(timed(outcome, times), onSent), throttleMs);

    let result: Struct | null | Promise<Struct | null>;
    try {
      result = entry.handle(ctx, body);
    } catch (e) {
      return done(this.onHandlerError(entry, ctx, body, e));
    }
    if (isThenable<Struct | null>(result)) {
      return Promise.resolve(result).then(
        (r) => done(this.complete(entry, ctx, body, r)),
        (e) => done(this.onHandlerError(entry, ctx, body, e)),
      );
    }
    return done(this.complete(entry, ctx, body, result));
  }

  private complete(
    entry: DispatchableEntry,
    ctx: RequestContext,
    request: Struct,
    body: Struct | null,
  ): DispatchOutcome {
    // acks=0: the producer reads no response, so one sent would be taken for the next request's.
    if (body === null || (ctx.header.apiKey === ApiKey.Produce && request.acks === 0)) return NO_RESPONSE;
    const { apiKey, apiVersion, correlationId } = ctx.header;
    try {
      return responseOf(encodeResponse(apiKey, apiVersion, correlationId, body));
    } catch (e) {
      // A handler built a body its own version cannot carry: a programmer error, but the client
      // still gets a well-formed answer.
      this.logger.error(`${describe(ctx)}: the response does not encode; answering UNKNOWN_SERVER_ERROR`, e);
      return this.errorOutcome(entry, ctx, request, ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  }

  private onHandlerError(
    entry: DispatchableEntry,
    ctx: RequestContext,
    request: Struct,
    e: unknown,
  ): DispatchOutcome {
    if (ctx.header.apiKey === ApiKey.Produce && request.acks === 0) {
      const why = e instanceof KafkaError ? e.errorName : 'UNKNOWN_SERVER_ERROR';
      if (!(e instanceof KafkaError)) this.logger.error(`${describe(ctx)} failed`, e);
      return close(`Produce with acks=0 failed with ${why}; closing is the only way to tell the producer`);
    }
    if (e instanceof KafkaError) return this.errorOutcome(entry, ctx, request, e.code, e.message);
    this.logger.error(`${describe(ctx)} failed; answering UNKNOWN_SERVER_ERROR`, e);
    return this.errorOutcome(entry, ctx, request, ErrorCode.UNKNOWN_SERVER_ERROR);
  }

  private errorOutcome(
    entry: DispatchableEntry,
    ctx: RequestContext,
    request: Struct,
    code: number,
    message?: string,
  ): DispatchOutcome {
    const { apiKey, apiVersion, correlationId } = ctx.header;
    try {
      const body = errorResponse(entry.apiKey, apiVersion, request, code, message);
      return responseOf(encodeResponse(apiKey, apiVersion, correlationId, body));
    } catch (e) {
      this.logger.error(`${describe(ctx)}: cannot build its error response`, e);
      return close(`no well-formed error response for ${describe(ctx)}`);
    }
  }
}

/** Attaches the request's times to its outcome (a closed connection records nothing, as in Kafka). */
function timed(outcome: DispatchOutcome, times: RequestTimes | undefined): DispatchOutcome {
  if (times === undefined || outcome.kind === 'close') return outcome;
  times.responseComplete();
  if (outcome.kind === 'noResponse') return { kind: 'noResponse', times };
  outcome.times = times;
  return outcome;
}

/** A response (or non-response) carries the throttle a quota asked for, for its connection to mute. */
function throttled(outcome: DispatchOutcome, throttleMs: number): DispatchOutcome {
  if (throttleMs <= 0 || outcome.kind === 'close') return outcome;
  if (outcome.kind === 'noResponse') return { ...outcome, throttleMs };
  outcome.throttleMs = throttleMs;
  return outcome;
}

/** A response carries the handler's onResponseSent callbacks; without one they run at once. */
function whenSent(outcome: DispatchOutcome, onSent: (() => void)[] | undefined): DispatchOutcome {
  if (onSent === undefined) return outcome;
  if (outcome.kind === 'response') outcome.onSent = onSent;
  else for (const fn of onSent) fn();
  return outcome;
}

function close(reason: string): DispatchOutcome {
  return { kind: 'close', reason };
}

function describe(ctx: RequestContext): string {
  const h = ctx.header;
  const name = apiSpec(h.apiKey)?.name ?? `api key ${h.apiKey}`;
  return `${name} v${h.apiVersion} (correlation id ${h.correlationId}, client ${h.clientId ?? '-'} at ${ctx.clientAddress})`;
}
