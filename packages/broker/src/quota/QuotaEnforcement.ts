import { performance } from 'node:perf_hooks';
import { ApiKey, type FetchResponseInput, type RecordsValue, type Struct } from '@samsa/protocol';
import { dispatchable, typedEntry, type DispatchableEntry } from '../api/registry';
import type { AnyApiHandlerEntry, ApiHandlerEntry, RequestContext } from '../api/types';
import type { QuotaManagers } from './QuotaManagers';

/** The quota identity of a request: the principal's name and the client id ('' when null). */
function who(ctx: RequestContext): { user: string; clientId: string } {
  return { user: ctx.principal.name, clientId: ctx.header.clientId ?? '' };
}

/**
 * Produce under producer_byte_rate (Kafka 2.8's handleProduceRequest): once appended, the request's
 * size is recorded against the client's quota; over it, the response carries throttle_time_ms and
 * the connection is muted for that time (KIP-219: the answer is not held back). acks=0 has no
 * response but its connection is muted all the same.
 */
export function withProduceQuota(
  entry: ApiHandlerEntry<typeof ApiKey.Produce>,
  quotas: QuotaManagers,
): ApiHandlerEntry<typeof ApiKey.Produce> {
  const throttled = async (ctx: RequestContext, body: Parameters<typeof entry.handle>[1]) => {
    const result = await entry.handle(ctx, body);
    const { user, clientId } = who(ctx);
    const throttleMs = quotas.produce.maybeRecordAndGetThrottleTimeMs(user, clientId, ctx.requestBytes ?? 0);
    if (throttleMs > 0) {
      quotas.produce.recordThrottle(user, clientId, throttleMs);
      ctx.throttle?.(throttleMs);
    }
    if (result === null) return null;
    return throttleMs > 0
      ? { ...result, throttleTimeMs: Math.max(result.throttleTimeMs ?? 0, throttleMs) }
      : result;
  };
  return {
    ...entry,
    // no quota set (the default): the handler itself, no extra await on every produce
    handle: (ctx, body) => (quotas.produce.quotasEnabled ? throttled(ctx, body) : entry.handle(ctx, body)),
  };
}

/**
 * Fetch under consumer_byte_rate (Kafka 2.8's handleFetchRequest), consumers only (followers have
 * replication quotas): the request's max_bytes is capped at what one quota window may return.
 * A client still in debt gets an empty response at once with throttle_time_ms (its session id
 * kept; nothing is read) and its connection muted until the debt is paid. Otherwise the fetch is
 * served and its size recorded; a response that overdraws the quota carries throttle_time_ms and
 * mutes the connection for the overdraft, as a Produce does.
 *
 * Kafka 2.8 instead records the response, and when that goes over the quota answers empty and
 * takes the bytes back: the throttle then covers the debt plus the response not sent, and a client
 * back a millisecond early (the ms rounding of throttle times on both sides) pays that whole
 * response's time again: a consumer measured at 0.85 of its quota over 30 s. Serving the fetch that
 * starts within quota keeps the long-run rate at the quota (the overdraft is paid by the mute).
 */
export function withFetchQuota(
  entry: ApiHandlerEntry<typeof ApiKey.Fetch>,
  quotas: QuotaManagers,
): ApiHandlerEntry<typeof ApiKey.Fetch> {
  const throttled = async (ctx: RequestContext, body: Parameters<typeof entry.handle>[1]) => {
    const { user, clientId } = who(ctx);
    const owed = quotas.fetch.currentThrottleTimeMs(user, clientId);
    if (owed > 0) {
      quotas.fetch.recordThrottle(user, clientId, owed);
      ctx.throttle?.(owed);
      // the handler answers it empty once its fetch session context is made (sessions' epochs move)
      return entry.handle({ ...ctx, fetchThrottleOwedMs: owed }, body);
    }
    const maxQuotaWindowBytes = quotas.fetch.getMaxValueInQuotaWindow(user, clientId);
    if (ctx.header.apiVersion >= 3 && maxQuotaWindowBytes < body.maxBytes) {
      body.maxBytes = Math.max(1, Math.floor(maxQuotaWindowBytes));
    }
    const result = await entry.handle(ctx, body);
    if (result === null) return null;
    const throttleMs = quotas.fetch.maybeRecordAndGetThrottleTimeMs(
      user,
      clientId,
      fetchResponseSize(result),
    );
    if (throttleMs <= 0) return result;
    quotas.fetch.recordThrottle(user, clientId, throttleMs);
    ctx.throttle?.(throttleMs);
    return { ...result, throttleTimeMs: Math.max(result.throttleTimeMs ?? 0, throttleMs) };
  };
  return {
    ...entry,
    // followers, and every fetch while no quota is set (the default): the handler itself
    handle: (ctx, body) =>
      body.replicaId >= 0 || !quotas.fetch.quotasEnabled ? entry.handle(ctx, body) : throttled(ctx, body),
  };
}

function recordsLength(r: RecordsValue | undefined): number {
  if (r === undefined || r === null) return 0;
  if (Buffer.isBuffer(r)) return r.length;
  let n = 0;
  for (const b of r as readonly Buffer[]) n += b.length;
  return n;
}

/**
 * The size recorded for a fetch response: its record bytes plus the fixed fields of each topic
 * and partition (Kafka records FetchResponse.sizeOf; the records are nearly all of it, and the
 * response is not encoded twice to know the rest exactly).
 */
export function fetchResponseSize(r: FetchResponseInput): number {
  let size = 4 + 4 + 2 + 4 + 4; // correlation id, throttle time, error code, session id, topic count
  for (const t of r.responses) {
    size += 2 + Buffer.byteLength(t.topic) + 4;
    for (const p of t.partitionResponses) {
      size += 4 + 2 + 8 + 8 + 8 + 4 + 4 + 4 + recordsLength(p.recordSet);
      size += 16 * (p.abortedTransactions?.length ?? 0);
    }
  }
  return size;
}

/**
 * Requests Kafka 2.8 never counts against request_percentage: the controller's and the other
 * brokers' (sendResponseExemptThrottle: cluster actions) and the SASL exchange, which the
 * authenticator answers before any quota applies.
 */
const REQUEST_QUOTA_EXEMPT: ReadonlySet<number> = new Set<number>([
  ApiKey.LeaderAndIsr,
  ApiKey.StopReplica,
  ApiKey.UpdateMetadata,
  ApiKey.ControlledShutdown,
  ApiKey.WriteTxnMarkers,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
]);

/** Kafka's ClientRequestQuotaManager.NanosToPercentagePerSecond, from milliseconds. */
const MS_TO_PERCENTAGE = 100 / 1000;

/**
 * request_percentage (Kafka's ClientRequestQuotaManager): the time a request's handler ran is
 * recorded as a percentage of one second; over the quota the response carries throttle_time_ms
 * (the larger of this and a byte-rate throttle) and the connection is muted, at most one quota
 * window. Kafka counts the request-handler thread's time; on Node the equivalent is the time the
 * handler held the event loop: its synchronous part is measured (the await-continuations of async
 * handlers, and the response encoding, are not). Follower fetches, acks=0 produces and the
 * exempt APIs above are not counted.
 */
export function withRequestQuota(entry: AnyApiHandlerEntry, quotas: QuotaManagers): AnyApiHandlerEntry {
  if (REQUEST_QUOTA_EXEMPT.has(entry.apiKey)) return entry;
  const inner = dispatchable(entry);
  const wrapped: DispatchableEntry = {
    apiKey: inner.apiKey,
    maxVersion: inner.maxVersion,
    handle(ctx, body) {
      if (!quotas.request.quotasEnabled) return inner.handle(ctx, body);
      const exempt =
        (entry.apiKey === ApiKey.Fetch && (body.replicaId as number) >= 0) ||
        (entry.apiKey === ApiKey.Produce && body.acks === 0);
      const started = performance.now();
      const result = inner.handle(ctx, body);
      const elapsedMs = performance.now() - started;
      if (exempt) return result;
      const { user, clientId } = who(ctx);
      const throttleMs = quotas.request.maybeRecordAndGetThrottleTimeMs(
        user,
        clientId,
        elapsedMs * MS_TO_PERCENTAGE,
      );
      if (throttleMs <= 0) return result;
      quotas.request.recordThrottle(user, clientId, throttleMs);
      ctx.throttle?.(throttleMs);
      const withThrottle = (r: Struct | null): Struct | null =>
        r === null
          ? r
          : {
              ...r,
              throttleTimeMs: Math.max(
                typeof r.throttleTimeMs === 'number' ? r.throttleTimeMs : 0,
                throttleMs,
              ),
            };
      return result instanceof Promise ? result.then(withThrottle) : withThrottle(result);
    },
  };
  return typedEntry(wrapped);
}
