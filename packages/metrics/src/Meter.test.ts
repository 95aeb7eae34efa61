import { M15_ALPHA, M1_ALPHA, M5_ALPHA, Meter } from './Meter';
import { MetricName } from './MetricName';
import { MetricsRegistry } from './MetricsRegistry';
import { FakeClock } from './testing/FakeClock';

/** Yammer's EWMA after a first tick of `events` in 5 s, then `ticks` empty 5 s intervals. */
const decayed = (events: number, alpha: number, ticks: number) => (events / 5) * Math.pow(1 - alpha, ticks);

describe('Meter', () => {
  test('the smoothing constants are the load-average ones for a 5 s tick', () => {
    expect(M1_ALPHA).toBeCloseTo(1 - Math.exp(-5 / 60), 15);
    expect(M5_ALPHA).toBeCloseTo(1 - Math.exp(-5 / 300), 15);
    expect(M15_ALPHA).toBeCloseTo(1 - Math.exp(-5 / 900), 15);
  });

  test('3 events then silence decay as Yammer EWMAs do', () => {
    const clock = new FakeClock();
    const registry = new MetricsRegistry({ clock: clock.now, autoTick: false });
    const m = registry.meter(MetricName.of('t', 'T', 'EventsPerSec'), 'events');
    m.mark(3);
    clock.advance(5000);
    expect(registry.tick()).toBe(1);
    expect(m.oneMinuteRate).toBeCloseTo(0.6, 12);
    expect(m.fiveMinuteRate).toBeCloseTo(0.6, 12);
    expect(m.fifteenMinuteRate).toBeCloseTo(0.6, 12);
    clock.advance(60_000); // 12 more intervals, caught up in one tick() call
    expect(registry.tick()).toBe(12);
    expect(m.oneMinuteRate).toBeCloseTo(decayed(3, M1_ALPHA, 12), 12);
    // the published Yammer values for these cases (0.6·e^-1 and 0.6·e^-1/5)
    expect(m.oneMinuteRate).toBeCloseTo(0.22072766, 8);
    expect(m.fiveMinuteRate).toBeCloseTo(0.49123845, 8);
    expect(m.fifteenMinuteRate).toBeCloseTo(0.56130419, 8);
    expect(m.count).toBe(3);
  });

  test('a steady rate converges to it', () => {
    const clock = new FakeClock();
    const registry = new MetricsRegistry({ clock: clock.now, autoTick: false });
    const m = registry.meter(MetricName.of('t', 'T', 'BytesPerSec'), 'bytes');
    for (let i = 0; i < 120; i++) {
      m.mark(500); // 100 per second
      clock.advance(5000);
      registry.tick();
    }
    expect(m.oneMinuteRate).toBeCloseTo(100, 6);
    expect(m.fiveMinuteRate).toBeGreaterThan(99);
    expect(m.meanRate).toBeCloseTo(100, 6);
  });

  test('mean rate: count over the seconds since creation, 0 before any event', () => {
    const clock = new FakeClock();
    const m = new Meter('requests', clock.now);
    expect(m.meanRate).toBe(0);
    clock.advance(4000);
    m.mark(10);
    expect(m.meanRate).toBeCloseTo(2.5, 12);
  });

  test('no tick before 5 s have passed; removed meters stop ticking', () => {
    const clock = new FakeClock();
    const registry = new MetricsRegistry({ clock: clock.now, autoTick: false });
    const name = MetricName.of('t', 'T', 'APerSec');
    const m = registry.meter(name, 'a');
    m.mark(5);
    clock.advance(4999);
    expect(registry.tick()).toBe(0);
    expect(m.oneMinuteRate).toBe(0);
    registry.remove(name);
    clock.advance(1);
    registry.tick();
    expect(m.oneMinuteRate).toBe(0);
  });
});
