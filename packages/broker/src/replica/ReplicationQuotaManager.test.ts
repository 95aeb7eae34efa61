import { parseThrottledPartitions, ReplicationQuotaManager, SampledRate, UNLIMITED_RATE } from './ReplicationQuotaManager';

describe('SampledRate (Kafka Rate over 11 windows of 1 s)', () => {
  test('aFirstBurstIsMeasuredOverAtLeastTenWindows', () => {
    const rate = new SampledRate(11, 1000);
    rate.record(1_000_000, 0);
    expect(rate.measure(500)).toBeCloseTo(1_000_000 / 10.5);
  });

  test('samplesOlderThanAllWindowsAreForgotten', () => {
    const rate = new SampledRate(11, 1000);
    rate.record(1_000_000, 0);
    for (let t = 1000; t <= 10_000; t += 1000) rate.record(100, t);
    expect(rate.measure(10_500)).toBeCloseTo((1_000_000 + 1000) / 10.5);
    expect(rate.measure(11_000)).toBeCloseTo(1000 / 10);
  });
});

describe('ReplicationQuotaManager', () => {
  test('throttledPartitionsOfThisBrokerOrAll', () => {
    expect(parseThrottledPartitions('0:1,1:2, 2:1', 1)).toEqual(new Set([0, 2]));
    expect(parseThrottledPartitions('*', 1)).toBe('*');
    expect(parseThrottledPartitions('', 1)).toEqual(new Set());
    const q = new ReplicationQuotaManager({ brokerId: 1, numSamples: 11, windowSizeSeconds: 1 });
    expect([q.isThrottled(0, '0:1'), q.isThrottled(1, '0:1,1:2'), q.isThrottled(7, '*'), q.isThrottled(0, '')]).toEqual([true, false, true, false]);
  });

  test('exceededOnceTheRateIsOverTheBound', () => {
    let now = 0;
    const q = new ReplicationQuotaManager({ brokerId: 0, numSamples: 11, windowSizeSeconds: 1, now: () => now });
    q.record(5_000_000);
    expect(q.upperBound).toBe(UNLIMITED_RATE);
    expect(q.isQuotaExceeded()).toBe(false);
    q.updateQuota(100_000);
    expect(q.isQuotaExceeded()).toBe(true);
    now = 12_000;
    expect(q.isQuotaExceeded()).toBe(false);
  });
});
