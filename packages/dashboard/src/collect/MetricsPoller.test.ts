import { FakeMetricsEndpoint } from '../testing/FakeMetricsEndpoint';
import { nodeHttpRequester } from './http';
import { MetricsPoller, numericValue } from './MetricsPoller';

const REQUESTS = 'kafka.network:type=RequestMetrics,name=RequestsPerSec';

function meter(count: number): Record<string, number | string> {
  return {
    Count: count,
    MeanRate: 1,
    OneMinuteRate: 1,
    FiveMinuteRate: 1,
    FifteenMinuteRate: 1,
    RateUnit: 'SECONDS',
  };
}

describe('MetricsPoller against a fake endpoint of the metrics contract', () => {
  const http = nodeHttpRequester();
  const poller = new MetricsPoller(http, { timeoutMs: 500, eventsLimit: 2 });
  let fake: FakeMetricsEndpoint;

  beforeEach(async () => {
    fake = await FakeMetricsEndpoint.start(3);
    fake.mbeans.set('kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec', meter(1000));
    fake.mbeans.set('kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec', meter(2500));
    fake.mbeans.set('kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec', meter(42));
    // Per-topic meters must not be counted twice with the all-topics one.
    fake.mbeans.set('kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t', meter(42));
    fake.mbeans.set(`${REQUESTS},request=Produce,version=8`, meter(30));
    fake.mbeans.set(`${REQUESTS},request=Fetch,version=11`, meter(70));
    fake.mbeans.set(`${REQUESTS},request=Metadata,version=9`, meter(5));
    fake.mbeans.set('kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce', {
      Count: 30,
      '99thPercentile': 4.5,
      '50thPercentile': 1,
    });
  });

  afterEach(() => fake.close());
  afterAll(() => http.close());

  test('readsStatusAndMetricsInOnePoll', async () => {
    const probe = await poller.probe(3, fake.url);
    expect(probe.ok).toBe(true);
    if (!probe.ok) return;
    expect(probe.status).toMatchObject({
      brokerId: 3,
      version: '0.1.0',
      rssBytes: 80_000_000,
      zkSessionState: 'CONNECTED',
    });
    expect(probe.metrics).toEqual({
      bytesInTotal: 1000,
      bytesOutTotal: 2500,
      messagesInTotal: 42,
      requestsTotal: 105,
      produceP99Ms: 4.5,
      // No Fetch TotalTimeMs mbean yet: unknown, not an error.
      fetchP99Ms: null,
    });
  });

  test('theBrokersOpenTransactionsAreReadInTheSamePollAndUnknownWithoutTheGauges', async () => {
    const before = await poller.probe(3, fake.url);
    expect(before.ok && before.transactions).toEqual({ open: null, oldestOpenAgeMs: null });
    fake.mbeans.set('kafka.log:type=ProducerStateManager,name=OngoingTransactionCount', { Value: 2 });
    fake.mbeans.set('kafka.log:type=ProducerStateManager,name=OldestOngoingTransactionAgeMs', {
      Value: 4200,
    });
    const after = await poller.probe(3, fake.url);
    expect(after.ok && after.transactions).toEqual({ open: 2, oldestOpenAgeMs: 4200 });
  });

  test('anEndpointAnsweringForAnotherBrokerIsAFailure', async () => {
    const probe = await poller.probe(4, fake.url);
    expect(probe).toMatchObject({
      ok: false,
      brokerId: 4,
      error: 'the endpoint answers for broker 3, not 4',
    });
  });

  test.each([
    ['http-500', 'GET /samsa/status answered HTTP 500'],
    ['not-json', 'GET /samsa/status: the answer is not JSON'],
    ['hang', 'no answer within 500 ms'],
  ] as const)('aMisbehavingEndpoint (%s) gives a failed probe', async (mode, error) => {
    fake.mode = mode;
    const probe = await poller.probe(3, fake.url);
    expect(probe.ok).toBe(false);
    if (!probe.ok) expect(probe.error).toBe(error);
  });

  test('aClosedEndpointIsConnectionRefused', async () => {
    const url = fake.url;
    await fake.close();
    const probe = await poller.probe(3, url);
    expect(probe).toMatchObject({ ok: false, error: 'connection refused' });
  });

  test('eventsArePagedWithSinceAndLimit', async () => {
    for (const type of ['ControllerElected', 'BrokerJoined', 'LeaderElected'])
      fake.addEvent({ timeMs: 1, type, detail: type });
    const first = await poller.events(fake.url, 0);
    expect(first.nextSeq).toBe(2);
    expect(first.events.map((e) => e.type)).toEqual(['ControllerElected', 'BrokerJoined']);
    const second = await poller.events(fake.url, first.nextSeq);
    expect(second.events.map((e) => e.type)).toEqual(['LeaderElected']);
    expect(fake.eventRequests).toEqual([
      { since: 0, limit: 2 },
      { since: 2, limit: 2 },
    ]);
  });

  test('eventsRejectWhenTheEndpointFails', async () => {
    fake.mode = 'http-500';
    await expect(poller.events(fake.url, 0)).rejects.toThrow('HTTP 500');
  });
});

describe('numericValue', () => {
  test('readsEveryJolokiaValueShape', () => {
    expect(numericValue(7, 'Count')).toBe(7);
    expect(numericValue({ Count: 7, MeanRate: 1 }, 'Count')).toBe(7);
    expect(numericValue({ 'a:b=1': { Count: 2 }, 'a:b=2': { Count: 3 } }, 'Count')).toBe(5);
    expect(numericValue({}, 'Count')).toBeNull();
    expect(numericValue('7', 'Count')).toBeNull();
    expect(numericValue(Number.NaN, 'Count')).toBeNull();
  });
});
