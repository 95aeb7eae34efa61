import { performance } from 'node:perf_hooks';
import { ApiKey, apiSpec } from '@samsa/protocol';
import type { Histogram, Meter, MetricsGroup, MetricsRegistry } from '@samsa/metrics';

/**
 * Kafka's per-request-type metrics (kafka.network:type=RequestMetrics, RequestChannel.scala), one
 * set per API name, with Fetch also counted as FetchConsumer or FetchFollower:
 *   RequestsPerSec (tags request, version)  meter
 *   RequestQueueTimeMs   frame received → handler called (waiting behind the connection's budget)
 *   LocalTimeMs          handler called → local work done (for Produce and Fetch: the moment the
 *                        request parks in a purgatory; otherwise the answer)
 *   RemoteTimeMs         local work done → answer ready (the purgatory wait: acks=all, min.bytes)
 *   ResponseQueueTimeMs  answer ready → written (waiting for earlier responses on the connection)
 *   ResponseSendTimeMs   written → the socket took the last byte
 *   TotalTimeMs          frame received → sent
 *   RequestBytes         size of the request frame
 * Times are histograms of whole milliseconds, rounded as Kafka rounds them.
 */
export class RequestMetrics {
  private readonly byApiKey: (RequestMetricSet | undefined)[] = [];
  private readonly fetchConsumer: RequestMetricSet;
  private readonly fetchFollower: RequestMetricSet;
  private readonly group: MetricsGroup;
  private readonly clock: () => number;

  /** Registers the metric sets of every API served, as Kafka does at startup. */
  constructor(registry: MetricsRegistry, apiKeys: readonly number[]) {
    this.group = registry.group('kafka.network', 'RequestMetrics');
    this.clock = registry.clock;
    for (const apiKey of apiKeys) this.set(apiKey);
    this.fetchConsumer = new RequestMetricSet(this.group, 'FetchConsumer');
    this.fetchFollower = new RequestMetricSet(this.group, 'FetchFollower');
  }

  /** Timing of one request, from the moment its frame was complete (performance.now() ms). */
  start(apiKey: number, apiVersion: number, receivedAtHrMs: number, requestBytes: number): RequestTimes {
    return new RequestTimes(this, apiKey, apiVersion, receivedAtHrMs, requestBytes);
  }

  /** @internal RequestTimes.completed */
  record(t: RequestTimes, endMs: number): void {
    const nowMs = this.clock(); // one reading of the histograms' clock for all their updates
    this.set(t.apiKey).record(t, endMs, nowMs);
    if (t.apiKey === ApiKey.Fetch) (t.fromFollower ? this.fetchFollower : this.fetchConsumer).record(t, endMs, nowMs);
  }

  private set(apiKey: number): RequestMetricSet {
    let s = this.byApiKey[apiKey];
    if (s === undefined) {
      s = new RequestMetricSet(this.group, apiSpec(apiKey)?.name ?? `ApiKey${apiKey}`);
      this.byApiKey[apiKey] = s;
    }
    return s;
  }
}

class RequestMetricSet {
  private readonly requestRates: (Meter | undefined)[] = [];
  private readonly requestQueueTime: Histogram;
  private readonly localTime: Histogram;
  private readonly remoteTime: Histogram;
  private readonly responseQueueTime: Histogram;
  private readonly responseSendTime: Histogram;
  private readonly totalTime: Histogram;
  private readonly requestBytes: Histogram;

  constructor(
    private readonly group: MetricsGroup,
    private readonly name: string,
  ) {
    const tags = [['request', name]] as const;
    this.requestQueueTime = group.histogram('RequestQueueTimeMs', tags);
    this.localTime = group.histogram('LocalTimeMs', tags);
    this.remoteTime = group.histogram('RemoteTimeMs', tags);
    this.responseQueueTime = group.histogram('ResponseQueueTimeMs', tags);
    this.responseSendTime = group.histogram('ResponseSendTimeMs', tags);
    this.totalTime = group.histogram('TotalTimeMs', tags);
    this.requestBytes = group.histogram('RequestBytes', tags);
  }

  record(t: RequestTimes, endMs: number, nowMs: number): void {
    this.requestRate(t.apiVersion).mark(1);
    this.requestQueueTime.update(roundedMs(t.dequeueMs - t.startMs), nowMs);
    this.localTime.update(roundedMs(t.apiLocalCompleteMs - t.dequeueMs), nowMs);
    this.remoteTime.update(roundedMs(t.responseCompleteMs - t.apiLocalCompleteMs), nowMs);
    this.responseQueueTime.update(roundedMs(t.responseDequeueMs - t.responseCompleteMs), nowMs);
    this.responseSendTime.update(roundedMs(endMs - t.responseDequeueMs), nowMs);
    this.totalTime.update(roundedMs(endMs - t.startMs), nowMs);
    this.requestBytes.update(t.requestBytes, nowMs);
  }

  /** Kafka's RequestsPerSec carries the request's version as a tag: one meter per version seen. */
  private requestRate(version: number): Meter {
    let m = this.requestRates[version];
    if (m === undefined) {
      m = this.group.meter('RequestsPerSec', 'requests', [['request', this.name], ['version', String(version)]]);
      this.requestRates[version] = m;
    }
    return m;
  }
}

function roundedMs(ms: number): number {
  return ms > 0 ? Math.round(ms) : 0;
}

/**
 * The moments of one request (performance.now() milliseconds), filled in as it goes through the
 * dispatcher and its connection; recorded when the response has been handed to the socket.
 * One is made per request, so its fields are set in the constructor: V8 makes objects with class
 * field initializers several times slower (~300 ns against ~60 ns here).
 */
export class RequestTimes {
  /** The handler was called. */
  readonly dequeueMs: number;
  apiLocalCompleteMs: number;
  responseCompleteMs: number;
  responseDequeueMs: number;
  /** Fetch from a follower (replica id ≥ 0): counted as FetchFollower. */
  fromFollower: boolean;
  /**
   * Handlers that wait in a purgatory call this when their local work is done (Kafka's
   * apiLocalCompleteTimeNanos); the rest of the wait is remote time. The first call counts.
   */
  readonly markApiLocalComplete: () => void;

  constructor(
    private readonly metrics: RequestMetrics,
    readonly apiKey: number,
    readonly apiVersion: number,
    readonly startMs: number,
    readonly requestBytes: number,
  ) {
    this.dequeueMs = performance.now();
    this.apiLocalCompleteMs = -1;
    this.responseCompleteMs = -1;
    this.responseDequeueMs = -1;
    this.fromFollower = false;
    this.markApiLocalComplete = () => {
      if (this.apiLocalCompleteMs < 0) this.apiLocalCompleteMs = performance.now();
    };
  }

  /** The handler's answer is ready (or failed into an error response). */
  responseComplete(): void {
    this.responseCompleteMs = performance.now();
    if (this.apiLocalCompleteMs < 0) this.apiLocalCompleteMs = this.responseCompleteMs;
  }

  /** The connection writes the response (its turn came in the connection's order). */
  responseDequeued(): void {
    this.responseDequeueMs = performance.now();
  }

  /** The response is sent (or, with no response, done): record. */
  completed(): void {
    const end = performance.now();
    if (this.responseCompleteMs < 0) this.responseComplete();
    if (this.responseDequeueMs < 0) this.responseDequeueMs = end;
    this.metrics.record(this, end);
  }
}
