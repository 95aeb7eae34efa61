import { ApiKey, type Struct } from '@samsa/protocol';
import { ANONYMOUS } from '@samsa/security';
import { dispatchable } from '../api/registry';
import type { ApiHandlerEntry, RequestContext } from '../api/types';
import { QuotaManagers } from './QuotaManagers';
import { fetchResponseSize, withFetchQuota, withProduceQuota, withRequestQuota } from './QuotaEnforcement';

function context(apiKey: number, apiVersion: number, throttles: number[], requestBytes = 0): RequestContext {
  return {
    header: { apiKey, apiVersion, correlationId: 1, clientId: 'c' },
    clientAddress: '127.0.0.1:1',
    connectionId: 'x',
    listenerName: 'PLAINTEXT',
    securityProtocol: 'PLAINTEXT',
    principal: ANONYMOUS,
    clientHost: '127.0.0.1',
    receivedAtMs: 0,
    requestBytes,
    throttle: (ms) => throttles.push(ms),
  };
}

function managers(config: Record<string, string>): QuotaManagers {
  const q = new QuotaManagers({ numQuotaSamples: 11, quotaWindowSizeSeconds: 1 });
  q.applyEntityConfig('clients/c', new Map(Object.entries(config)));
  return q;
}

describe('withProduceQuota', () => {
  const produce: ApiHandlerEntry<typeof ApiKey.Produce> = {
    apiKey: ApiKey.Produce,
    maxVersion: 8,
    handle: (_ctx, body) => (body.acks === 0 ? null : { responses: [], throttleTimeMs: 0 }),
  };
  const body = (acks: number) => ({ transactionalId: null, acks, timeoutMs: 1, topicData: [] });

  it('answers at once with throttle_time_ms and mutes the connection once over producer_byte_rate', async () => {
    const entry = withProduceQuota(produce, managers({ producer_byte_rate: '1000' }));
    const throttles: number[] = [];
    // the first 11 000 bytes are the burst; 2 000 more are 2 s of debt
    expect(await entry.handle(context(ApiKey.Produce, 7, throttles, 11_000), body(1))).toEqual({ responses: [], throttleTimeMs: 0 });
    expect(throttles).toEqual([]);
    const r = await entry.handle(context(ApiKey.Produce, 7, throttles, 2_000), body(1));
    expect(r?.throttleTimeMs).toBeGreaterThan(1900);
    expect(throttles).toEqual([r?.throttleTimeMs]);
  });

  it('mutes an acks=0 producer too (it has no response to carry the time)', async () => {
    const entry = withProduceQuota(produce, managers({ producer_byte_rate: '1000' }));
    const throttles: number[] = [];
    expect(await entry.handle(context(ApiKey.Produce, 7, throttles, 20_000), body(0))).toBeNull();
    expect(throttles.length).toBe(1);
  });
});

describe('withFetchQuota', () => {
  const records = Buffer.alloc(5_000);
  const fetch: ApiHandlerEntry<typeof ApiKey.Fetch> = {
    apiKey: ApiKey.Fetch,
    maxVersion: 11,
    handle: (ctx, body) =>
      // as fetchHandler does for a client in debt: empty, after its session context is made
      ctx.fetchThrottleOwedMs
        ? { throttleTimeMs: ctx.fetchThrottleOwedMs, errorCode: 0, sessionId: 7, responses: [] }
        : {
            throttleTimeMs: 0,
            errorCode: 0,
            sessionId: 7,
            responses: [{ topic: 't', partitionResponses: [{ partition: 0, errorCode: 0, highWatermark: body.maxBytes, recordSet: records }] }],
          },
  };
  const body = (replicaId = -1) =>
    ({ replicaId, maxWaitMs: 0, minBytes: 1, maxBytes: 50_000_000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [], forgottenTopicsData: [], rackId: '' }) as never;

  it('caps max_bytes at one quota window; serves the fetch that overdraws with its throttle; answers empty while in debt', async () => {
    const q = managers({ consumer_byte_rate: '1000' });
    const entry = withFetchQuota(fetch, q);
    const throttles: number[] = [];
    const first = await entry.handle(context(ApiKey.Fetch, 11, throttles), body());
    expect(first?.responses[0].partitionResponses[0].highWatermark).toBe(10_000);
    expect(first?.throttleTimeMs).toBe(0);
    await entry.handle(context(ApiKey.Fetch, 11, throttles), body());
    // 2 × ~5 KB of the 11 KB burst spent; the third overdraws by ~4 KB: served, throttled ~4 s
    const third = await entry.handle(context(ApiKey.Fetch, 11, throttles), body());
    expect(third?.responses.length).toBe(1);
    expect(throttles.length).toBe(1);
    expect(third?.throttleTimeMs).toBe(throttles[0]);
    expect(throttles[0]).toBeGreaterThan(3500);
    // still in debt: the handler is told what is owed and answers empty; nothing recorded
    const fourth = await entry.handle(context(ApiKey.Fetch, 11, throttles), { ...(body() as object), sessionId: 7 } as never);
    expect(fourth).toEqual({ throttleTimeMs: throttles[1], errorCode: 0, sessionId: 7, responses: [] });
    expect(Math.abs(throttles[1] - throttles[0])).toBeLessThan(100);
  });

  it('leaves follower fetches alone', async () => {
    const entry = withFetchQuota(fetch, managers({ consumer_byte_rate: '1' }));
    const throttles: number[] = [];
    for (let i = 0; i < 3; i++) await entry.handle(context(ApiKey.Fetch, 11, throttles), body(1));
    expect(throttles).toEqual([]);
  });

  it('sizes a response by its records and fixed fields', () => {
    const size = fetchResponseSize({ responses: [{ topic: 't', partitionResponses: [{ partition: 0, errorCode: 0, highWatermark: 0, recordSet: [records, records] }] }] });
    expect(size).toBeGreaterThan(10_000);
    expect(size).toBeLessThan(10_100);
  });
});

describe('withRequestQuota', () => {
  function busy(ms: number): void {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      // holding the event loop, as a costly handler does
    }
  }
  const metadata = dispatchable({
    apiKey: ApiKey.Metadata,
    maxVersion: 9,
    handle: () => {
      busy(30);
      return { brokers: [], topics: [], throttleTimeMs: 0 } as never;
    },
  });

  it('throttles a client whose handlers hold the event loop over request_percentage, at most one window', async () => {
    const entry = dispatchable(withRequestQuota(metadata as never, managers({ request_percentage: '1' })));
    const throttles: number[] = [];
    let last: Struct | null = null;
    // 1% of one thread over a 10 s window is 100 ms; each request takes 30 ms
    for (let i = 0; i < 6; i++) last = (await entry.handle(context(ApiKey.Metadata, 9, throttles), {})) as Struct;
    expect(throttles.length).toBeGreaterThan(0);
    for (const t of throttles) expect(t).toBeLessThanOrEqual(1000);
    expect(last?.throttleTimeMs).toBe(throttles[throttles.length - 1]);
  });

  it('never counts the exempt APIs', () => {
    const q = managers({ request_percentage: '1' });
    const leaderAndIsr = { apiKey: ApiKey.LeaderAndIsr, maxVersion: 4, handle: () => null } as never;
    expect(withRequestQuota(leaderAndIsr, q)).toBe(leaderAndIsr);
  });
});
