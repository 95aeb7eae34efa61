import type { Clock } from './Clock';
import { ExponentiallyDecayingSample } from './ExponentiallyDecayingSample';
import type { Snapshot } from './Snapshot';

/**
 * Yammer's Histogram as Kafka creates them (biased: an exponentially decaying sample): Count, and
 * Min, Max, Mean, StdDev over every value ever recorded (Welford's running variance, n − 1), and
 * percentiles from the sample. `update` is O(1) amortised and allocates nothing.
 */
export class Histogram {
  readonly kind = 'Histogram' as const;
  count = 0;
  private min = 0;
  private max = 0;
  private sum = 0;
  /** Welford's running mean and sum of squared differences. */
  private varianceM = 0;
  private varianceS = 0;
  private readonly sample: ExponentiallyDecayingSample;

  constructor(clock: Clock, sample?: ExponentiallyDecayingSample) {
    this.sample = sample ?? new ExponentiallyDecayingSample(clock);
  }

  /** `nowMs`: the registry clock's time, when the caller has it already. */
  update(value: number, nowMs?: number): void {
    const n = ++this.count;
    this.sample.update(value, nowMs);
    if (n === 1) {
      this.min = this.max = value;
      this.varianceM = value;
      this.varianceS = 0;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
      const oldM = this.varianceM;
      const newM = oldM + (value - oldM) / n;
      this.varianceS += (value - oldM) * (value - newM);
      this.varianceM = newM;
    }
    this.sum += value;
  }

  get minimum(): number {
    return this.count > 0 ? this.min : 0;
  }

  get maximum(): number {
    return this.count > 0 ? this.max : 0;
  }

  get mean(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }

  get stdDev(): number {
    return this.count > 1 ? Math.sqrt(this.varianceS / (this.count - 1)) : 0;
  }

  get total(): number {
    return this.sum;
  }

  snapshot(): Snapshot {
    return this.sample.snapshot();
  }
}
