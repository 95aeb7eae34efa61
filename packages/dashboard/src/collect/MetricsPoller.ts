import type { BrokerEventsPage, RawBrokerEvent } from '../model/EventLog';
import type { BrokerMetrics, BrokerProbe, BrokerStatus, BrokerTransactions } from '../model/snapshots';
import { describeHttpError, type HttpRequester } from './http';

/**
 * Polls one broker's metrics endpoint (the metrics contract): GET /samsa/status, one bulk
 * POST /jolokia read of the counters and percentiles the dashboard graphs, and
 * GET /samsa/events?since=… for the timeline. Every failure comes back as data (a probe with
 * ok=false, or a rejected events promise) for the caller to mark the broker; nothing throws past it.
 */

/** What one poll reads through Jolokia, in the order of the bulk request. */
const READS = [
  {
    key: 'bytesInTotal',
    mbean: 'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec',
    attribute: 'Count',
  },
  {
    key: 'bytesOutTotal',
    mbean: 'kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec',
    attribute: 'Count',
  },
  {
    key: 'messagesInTotal',
    mbean: 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec',
    attribute: 'Count',
  },
  // A pattern: one mbean per request type (and version); their Counts are summed.
  {
    key: 'requestsTotal',
    mbean: 'kafka.network:type=RequestMetrics,name=RequestsPerSec,*',
    attribute: 'Count',
  },
  {
    key: 'produceP99Ms',
    mbean: 'kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce',
    attribute: '99thPercentile',
  },
  {
    key: 'fetchP99Ms',
    mbean: 'kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Fetch',
    attribute: '99thPercentile',
  },
] as const satisfies ReadonlyArray<{ key: keyof BrokerMetrics; mbean: string; attribute: string }>;

/** Read in the same bulk request, after READS: the broker's open transactions. */
const TRANSACTION_READS = [
  {
    key: 'open',
    mbean: 'kafka.log:type=ProducerStateManager,name=OngoingTransactionCount',
    attribute: 'Value',
  },
  {
    key: 'oldestOpenAgeMs',
    mbean: 'kafka.log:type=ProducerStateManager,name=OldestOngoingTransactionAgeMs',
    attribute: 'Value',
  },
] as const satisfies ReadonlyArray<{ key: keyof BrokerTransactions; mbean: string; attribute: string }>;

export interface MetricsPollerOptions {
  /** Deadline of each request. */
  readonly timeoutMs?: number;
  /** `limit` of each events request. */
  readonly eventsLimit?: number;
  readonly nowMs?: () => number;
}

export class MetricsPoller {
  private readonly timeoutMs: number;
  private readonly eventsLimit: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly http: HttpRequester,
    options: MetricsPollerOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.eventsLimit = options.eventsLimit ?? 1000;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Status and metrics of the broker whose endpoint is at `baseUrl` ("http://host:port"). */
  async probe(brokerId: number, baseUrl: string): Promise<BrokerProbe> {
    try {
      const [status, { metrics, transactions }] = await Promise.all([
        this.status(baseUrl),
        this.metrics(baseUrl),
      ]);
      if (status.brokerId !== brokerId)
        throw new Error(`the endpoint answers for broker ${status.brokerId}, not ${brokerId}`);
      return { ok: true, brokerId, atMs: this.nowMs(), status, metrics, transactions };
    } catch (error) {
      return { ok: false, brokerId, atMs: this.nowMs(), error: describeHttpError(error) };
    }
  }

  /** One page of the broker's event ring buffer after `since`. Rejects on any failure. */
  async events(baseUrl: string, since: number): Promise<BrokerEventsPage> {
    const body = await this.getJson(`${baseUrl}/samsa/events?since=${since}&limit=${this.eventsLimit}`);
    const page = asObject(body, '/samsa/events');
    const nextSeq = page.nextSeq;
    if (typeof nextSeq !== 'number' || !Array.isArray(page.events))
      throw new Error('/samsa/events: no nextSeq or events');
    return {
      brokerId: typeof page.brokerId === 'number' ? page.brokerId : -1,
      nextSeq,
      events: page.events as RawBrokerEvent[],
    };
  }

  private async status(baseUrl: string): Promise<BrokerStatus> {
    const s = asObject(await this.getJson(`${baseUrl}/samsa/status`), '/samsa/status');
    const num = (k: string): number | null => (typeof s[k] === 'number' ? (s[k] as number) : null);
    const brokerId = num('brokerId');
    const startTimeMs = num('startTimeMs');
    if (brokerId === null || startTimeMs === null)
      throw new Error('/samsa/status: no brokerId or startTimeMs');
    return {
      brokerId,
      version: typeof s.version === 'string' ? s.version : '?',
      startTimeMs,
      uptimeMs: num('uptimeMs') ?? this.nowMs() - startTimeMs,
      isController: s.isController === true,
      controllerEpoch: num('controllerEpoch'),
      rssBytes: num('rssBytes'),
      heapUsedBytes: num('heapUsedBytes'),
      listeners: Array.isArray(s.listeners)
        ? s.listeners.filter((l): l is string => typeof l === 'string')
        : [],
      zkSessionState: typeof s.zkSessionState === 'string' ? s.zkSessionState : null,
    };
  }

  private async metrics(
    baseUrl: string,
  ): Promise<{ metrics: BrokerMetrics; transactions: BrokerTransactions }> {
    const request = [...READS, ...TRANSACTION_READS].map((r) => ({
      type: 'read',
      mbean: r.mbean,
      attribute: r.attribute,
    }));
    const response = await this.http({
      method: 'POST',
      url: `${baseUrl}/jolokia`,
      body: JSON.stringify(request),
      timeoutMs: this.timeoutMs,
    });
    if (response.status !== 200) throw new Error(`POST /jolokia answered HTTP ${response.status}`);
    const answers = parse(response.body, 'POST /jolokia');
    if (!Array.isArray(answers) || answers.length !== request.length)
      throw new Error(`POST /jolokia: expected ${request.length} answers`);
    const metrics: Record<keyof BrokerMetrics, number | null> = {
      bytesInTotal: null,
      bytesOutTotal: null,
      messagesInTotal: null,
      requestsTotal: null,
      produceP99Ms: null,
      fetchP99Ms: null,
    };
    READS.forEach((read, i) => {
      const answer = answers[i] as { status?: unknown; value?: unknown } | null;
      // 404 (no such mbean yet, e.g. no request of that type so far) leaves the value unknown.
      if (answer?.status === 200) metrics[read.key] = numericValue(answer.value, read.attribute);
    });
    const transactions: Record<keyof BrokerTransactions, number | null> = {
      open: null,
      oldestOpenAgeMs: null,
    };
    TRANSACTION_READS.forEach((read, i) => {
      const answer = answers[READS.length + i] as { status?: unknown; value?: unknown } | null;
      // 404: a broker without the gauges (older than transactions)
      if (answer?.status === 200) transactions[read.key] = numericValue(answer.value, read.attribute);
    });
    return { metrics, transactions };
  }

  private async getJson(url: string): Promise<unknown> {
    const response = await this.http({ method: 'GET', url, timeoutMs: this.timeoutMs });
    const path = new URL(url).pathname;
    if (response.status !== 200) throw new Error(`GET ${path} answered HTTP ${response.status}`);
    return parse(response.body, `GET ${path}`);
  }
}

/**
 * A Jolokia read's value as one number: the bare value (one attribute of one mbean), the
 * attribute of an {attr: v} object, or, for a pattern ({mbean: {attr: v}}), the sum over the mbeans.
 */
export function numericValue(value: unknown, attribute: string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  if (attribute in record) return numericValue(record[attribute], attribute);
  const parts = Object.values(record).map((v) => numericValue(v, attribute));
  const present = parts.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0);
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what}: the answer is not JSON`);
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${what}: the answer is not a JSON object`);
  return value as Record<string, unknown>;
}
