import type { Clock } from './Clock';
import { Histogram } from './Histogram';
import { Meter } from './Meter';

/**
 * Yammer's Timer as Kafka's KafkaTimer uses it: a histogram of durations in milliseconds and a
 * meter of how often they happen (rate unit seconds). A negative duration is ignored, as Yammer does.
 */
export class Timer {
  readonly kind = 'Timer' as const;
  readonly histogram: Histogram;
  readonly meter: Meter;

  constructor(clock: Clock, eventType = 'calls') {
    this.histogram = new Histogram(clock);
    this.meter = new Meter(eventType, clock);
  }

  update(durationMs: number): void {
    if (durationMs < 0) return;
    this.histogram.update(durationMs);
    this.meter.mark(1);
  }

  get count(): number {
    return this.histogram.count;
  }
}
