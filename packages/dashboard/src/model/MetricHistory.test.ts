import { MetricHistory } from './MetricHistory';
import type { BrokerMetrics, BrokerProbe } from './snapshots';

const T0 = 1_700_000_000_000;

function probe(
  brokerId: number,
  atMs: number,
  metrics: Partial<BrokerMetrics>,
  startTimeMs = T0 - 1000,
): BrokerProbe {
  return {
    ok: true,
    brokerId,
    atMs,
    status: {
      brokerId,
      version: 'v',
      startTimeMs,
      uptimeMs: atMs - startTimeMs,
      isController: false,
      controllerEpoch: null,
      rssBytes: null,
      heapUsedBytes: null,
      listeners: [],
      zkSessionState: null,
    },
    metrics: {
      bytesInTotal: null,
      bytesOutTotal: null,
      messagesInTotal: null,
      requestsTotal: null,
      produceP99Ms: null,
      fetchP99Ms: null,
      ...metrics,
    },
  };
}

describe('MetricHistory', () => {
  test('ratesComeFromCounterDifferencesAndSumOverBrokers', () => {
    const h = new MetricHistory();
    h.record(T0, [
      probe(0, T0, { bytesInTotal: 1000, messagesInTotal: 10 }),
      probe(1, T0, { bytesInTotal: 0 }),
    ]);
    const rates = h.record(T0 + 2000, [
      probe(0, T0 + 2000, { bytesInTotal: 5000, messagesInTotal: 30 }),
      probe(1, T0 + 2000, { bytesInTotal: 2000 }),
    ]);
    expect(rates.get(0)).toEqual({
      bytesInPerSec: 2000,
      bytesOutPerSec: null,
      messagesInPerSec: 10,
      requestsPerSec: null,
    });
    expect(rates.get(1)?.bytesInPerSec).toBe(1000);
    const s = h.series();
    expect(s.timesMs).toEqual([T0, T0 + 2000]);
    expect(s.bytesInPerSec).toEqual([null, 3000]);
    expect(s.messagesInPerSec).toEqual([null, 10]);
  });

  test('p99IsTheWorstBrokers', () => {
    const h = new MetricHistory();
    h.record(T0, [probe(0, T0, { produceP99Ms: 4, fetchP99Ms: 500 }), probe(1, T0, { produceP99Ms: 9 })]);
    expect(h.series().produceP99Ms).toEqual([9]);
    expect(h.series().fetchP99Ms).toEqual([500]);
  });

  test('aRestartGivesNoRateForThatInterval', () => {
    const h = new MetricHistory();
    h.record(T0, [probe(0, T0, { bytesInTotal: 9000 })]);
    const restarted = T0 + 500;
    h.record(T0 + 1000, [probe(0, T0 + 1000, { bytesInTotal: 100 }, restarted)]);
    h.record(T0 + 2000, [probe(0, T0 + 2000, { bytesInTotal: 600 }, restarted)]);
    expect(h.series().bytesInPerSec).toEqual([null, null, 500]);
  });

  test('aFailedProbeForgetsTheBrokersCountersAndRates', () => {
    const h = new MetricHistory();
    h.record(T0, [probe(0, T0, { requestsTotal: 0 })]);
    h.record(T0 + 1000, [probe(0, T0 + 1000, { requestsTotal: 10 })]);
    expect(h.rates().get(0)?.requestsPerSec).toBe(10);
    h.record(T0 + 2000, [{ ok: false, brokerId: 0, atMs: T0 + 2000, error: 'connection refused' }]);
    expect(h.rates().has(0)).toBe(false);
    // Back: the first answer after the gap has nothing to compare with.
    h.record(T0 + 3000, [probe(0, T0 + 3000, { requestsTotal: 50 })]);
    expect(h.rates().get(0)?.requestsPerSec).toBeNull();
    expect(h.series().bytesInPerSec).toEqual([null, null, null, null]);
  });

  test('aBrokerNoLongerPolledLosesItsRates', () => {
    const h = new MetricHistory();
    h.record(T0, [probe(0, T0, {}), probe(1, T0, {})]);
    h.record(T0 + 1000, [probe(0, T0 + 1000, {})]);
    expect([...h.rates().keys()]).toEqual([0]);
  });

  test('samplesOlderThanTheWindowFallOff', () => {
    const h = new MetricHistory(10_000);
    for (let i = 0; i <= 20; i++)
      h.record(T0 + i * 1000, [probe(0, T0 + i * 1000, { bytesInTotal: i * 100 })]);
    const s = h.series();
    expect(s.timesMs[0]).toBe(T0 + 10_000);
    expect(s.timesMs).toHaveLength(11);
    expect(s.bytesInPerSec.at(-1)).toBe(100);
  });
});
