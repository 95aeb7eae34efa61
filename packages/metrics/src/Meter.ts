import type { Clock } from './Clock';

/** Seconds between EWMA ticks (Yammer's EWMA.INTERVAL). */
export const TICK_INTERVAL_SECONDS = 5;
export const TICK_INTERVAL_MS = TICK_INTERVAL_SECONDS * 1000;

/**
 * The smoothing constants of Yammer's 1-, 5- and 15-minute EWMAs ticked every 5 s, the UNIX load
 * average formula: alpha = 1 - exp(-interval / window).
 */
export const M1_ALPHA = 1 - Math.exp(-TICK_INTERVAL_SECONDS / 60 / 1);
export const M5_ALPHA = 1 - Math.exp(-TICK_INTERVAL_SECONDS / 60 / 5);
export const M15_ALPHA = 1 - Math.exp(-TICK_INTERVAL_SECONDS / 60 / 15);

/**
 * Yammer's Meter as Kafka exposes it over JMX: a count, the mean rate since creation, and the 1-,
 * 5- and 15-minute exponentially weighted moving average rates (events per second).
 *
 * `mark` only adds to two numbers (O(1), no allocation); the EWMAs move in `tick`, which the
 * registry calls every 5 s for all its meters from one timer (Yammer 2.x had one tick thread too).
 * The three EWMAs share one count of events since the last tick, since they are ticked together.
 * A first tick sets each rate to that interval's rate; later ticks move it by alpha towards it.
 */
export class Meter {
  readonly kind = 'Meter' as const;
  count = 0;
  private uncounted = 0;
  private m1Rate = 0;
  private m5Rate = 0;
  private m15Rate = 0;
  private initialized = false;
  private readonly startTimeMs: number;

  constructor(
    /** What is counted, plural ("requests", "bytes", "messages"): JMX's EventType. */
    readonly eventType: string,
    private readonly clock: Clock,
  ) {
    this.startTimeMs = clock();
  }

  mark(n = 1): void {
    this.count += n;
    this.uncounted += n;
  }

  /** Moves the EWMAs by one 5 s interval. */
  tick(): void {
    const instantRate = this.uncounted / TICK_INTERVAL_SECONDS;
    this.uncounted = 0;
    if (this.initialized) {
      this.m1Rate += M1_ALPHA * (instantRate - this.m1Rate);
      this.m5Rate += M5_ALPHA * (instantRate - this.m5Rate);
      this.m15Rate += M15_ALPHA * (instantRate - this.m15Rate);
    } else {
      this.m1Rate = this.m5Rate = this.m15Rate = instantRate;
      this.initialized = true;
    }
  }

  get oneMinuteRate(): number {
    return this.m1Rate;
  }

  get fiveMinuteRate(): number {
    return this.m5Rate;
  }

  get fifteenMinuteRate(): number {
    return this.m15Rate;
  }

  /** Events per second since the meter was created (0 before the first event). */
  get meanRate(): number {
    if (this.count === 0) return 0;
    const elapsedSeconds = (this.clock() - this.startTimeMs) / 1000;
    return elapsedSeconds > 0 ? this.count / elapsedSeconds : 0;
  }
}
