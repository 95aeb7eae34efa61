import { ExponentiallyDecayingSample } from './ExponentiallyDecayingSample';
import { Histogram } from './Histogram';
import { Snapshot } from './Snapshot';
import { Timer } from './Timer';
import { FakeClock } from './testing/FakeClock';

describe('Snapshot', () => {
  test('Yammer quantiles of 1..1000: position q(n+1), interpolated', () => {
    const s = new Snapshot(Float64Array.from({ length: 1000 }, (_, i) => 1000 - i));
    expect(s.getValue(0.5)).toBeCloseTo(500.5, 12);
    expect(s.getValue(0.75)).toBeCloseTo(750.75, 12);
    expect(s.getValue(0.95)).toBeCloseTo(950.95, 12);
    expect(s.getValue(0.98)).toBeCloseTo(980.98, 12);
    expect(s.getValue(0.99)).toBeCloseTo(990.99, 12);
    expect(s.getValue(0.999)).toBeCloseTo(999.999, 9);
  });

  test('clamped at both ends; empty is 0', () => {
    const s = new Snapshot(Float64Array.from([5, 1, 3]));
    expect(s.getValue(0)).toBe(1);
    expect(s.getValue(0.2)).toBe(1); // pos 0.8 < 1
    expect(s.getValue(0.999)).toBe(5); // pos 3.996 ≥ n
    expect(s.median).toBe(3);
    expect(new Snapshot(new Float64Array(0)).getValue(0.99)).toBe(0);
    expect(() => s.getValue(1.5)).toThrow(RangeError);
  });
});

describe('Histogram', () => {
  test('count, min, max, mean and sample standard deviation over all values', () => {
    const h = new Histogram(new FakeClock().now);
    expect([h.count, h.minimum, h.maximum, h.mean, h.stdDev]).toEqual([0, 0, 0, 0, 0]);
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) h.update(v);
    expect(h.count).toBe(8);
    expect(h.minimum).toBe(2);
    expect(h.maximum).toBe(9);
    expect(h.mean).toBe(5);
    expect(h.stdDev).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(h.snapshot().size).toBe(8);
  });

  test('percentiles of 1..1000 recorded in order are Yammer quantiles of the same values', () => {
    const h = new Histogram(new FakeClock().now);
    for (let i = 1; i <= 1000; i++) h.update(i);
    const s = h.snapshot();
    expect(s.getValue(0.5)).toBeCloseTo(500.5, 9);
    expect(s.getValue(0.99)).toBeCloseTo(990.99, 9);
  });
});

describe('ExponentiallyDecayingSample', () => {
  test('keeps at most its reservoir size', () => {
    const sample = new ExponentiallyDecayingSample(new FakeClock().now, 100);
    for (let i = 0; i < 10_000; i++) sample.update(i);
    expect(sample.length).toBe(100);
    expect(sample.snapshot().size).toBe(100);
  });

  test('keeps the values of highest priority weight/u (deterministic random)', () => {
    const clock = new FakeClock(0);
    let u = 0;
    const us = [0.5, 0.25, 0.9, 0.1, 0.8];
    const sample = new ExponentiallyDecayingSample(clock.now, 3, 0.015, () => us[u++]);
    for (const v of [10, 20, 30, 40, 50]) sample.update(v); // same second: priority 1/u
    // priorities 2, 4, 1.11, 10, 1.25: the three largest are 40, 20, 10
    expect(snapshotValues(sample)).toEqual([10, 20, 40]);
  });

  test('is biased towards recent values', () => {
    const clock = new FakeClock();
    // A seeded generator: with Math.random an old value survived about once in a hundred runs
    // (its u below ~1e-5 gives it a priority above the new values' hundredth largest).
    let state = 12345;
    const seeded = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state + 1) / 4294967297;
    };
    const sample = new ExponentiallyDecayingSample(clock.now, 100, 0.015, seeded);
    for (let i = 0; i < 1000; i++) sample.update(1);
    clock.advance(10 * 60 * 1000); // ten minutes later: weights e^(0.015·600) ≈ 8100 times larger
    for (let i = 0; i < 1000; i++) sample.update(2);
    expect(snapshotValues(sample).every((v) => v === 2)).toBe(true);
  });

  test('rescaling after an hour keeps the sample working with finite priorities', () => {
    const clock = new FakeClock();
    const sample = new ExponentiallyDecayingSample(clock.now, 10);
    for (let i = 0; i < 10; i++) sample.update(1);
    for (let h = 0; h < 30; h++) {
      clock.advance(60 * 60 * 1000 + 1);
      for (let i = 0; i < 50; i++) sample.update(h);
    }
    expect(snapshotValues(sample).every((v) => v === 29)).toBe(true);
  });
});

describe('Timer', () => {
  test('a histogram of milliseconds and a meter of events; negative durations ignored', () => {
    const t = new Timer(new FakeClock().now);
    t.update(3);
    t.update(5);
    t.update(-1);
    expect(t.count).toBe(2);
    expect(t.meter.count).toBe(2);
    expect(t.histogram.mean).toBe(4);
  });
});

function snapshotValues(s: ExponentiallyDecayingSample): number[] {
  const snap = s.snapshot();
  return Array.from({ length: snap.size }, (_, i) => snap.getValue((i + 1) / (snap.size + 1)));
}
