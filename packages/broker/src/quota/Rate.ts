/** How a quota's rate is sampled: Kafka's MetricConfig for quota sensors. */
export interface RateConfig {
  /** quota.window.num (Kafka: 11): samples kept. */
  readonly samples: number;
  /** quota.window.size.seconds × 1000 (Kafka: 1 s): the span of one sample. */
  readonly timeWindowMs: number;
}

interface Sample {
  value: number;
  eventCount: number;
  lastWindowMs: number;
}

/**
 * Kafka's Rate over a SampledStat of sums (metrics.stats.Rate with WindowedSum): values are added
 * to the current sample; a sample older than one window starts the next one (reusing the oldest
 * slot); samples older than samples × window are reset when measured. The rate is the sum of the
 * samples over the elapsed time since the oldest one, that time counted as at least samples − 1
 * whole windows (so a young sensor does not measure a huge rate, and a client may spend up to
 * samples − 1 windows of quota at once), in units per second.
 */
export class SampledRate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(public config: RateConfig) {}

  record(value: number, timeMs: number): void {
    let sample = this.currentSample(timeMs);
    if (timeMs - sample.lastWindowMs >= this.config.timeWindowMs) sample = this.advance(timeMs);
    sample.value += value;
    sample.eventCount += 1;
  }

  /** The rate per second at `now`. */
  measure(now: number): number {
    this.purgeObsoleteSamples(now);
    let sum = 0;
    for (const s of this.samples) sum += s.value;
    return sum / (this.windowSize(now) / 1000);
  }

  /** Kafka's Rate.windowSize: elapsed ms since the oldest sample, at least samples − 1 windows. */
  windowSize(now: number): number {
    this.purgeObsoleteSamples(now);
    let elapsed = now - this.oldest(now).lastWindowMs;
    const fullWindows = Math.floor(elapsed / this.config.timeWindowMs);
    const minFullWindows = this.config.samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.config.timeWindowMs;
    return elapsed;
  }

  private currentSample(timeMs: number): Sample {
    if (this.samples.length === 0) this.samples.push({ value: 0, eventCount: 0, lastWindowMs: timeMs });
    return this.samples[this.current];
  }

  private advance(timeMs: number): Sample {
    this.current = (this.current + 1) % this.config.samples;
    if (this.current >= this.samples.length) {
      const s = { value: 0, eventCount: 0, lastWindowMs: timeMs };
      this.samples.push(s);
      return s;
    }
    const s = this.samples[this.current];
    s.value = 0;
    s.eventCount = 0;
    s.lastWindowMs = timeMs;
    return s;
  }

  private oldest(now: number): Sample {
    let oldest = this.currentSample(now);
    for (const s of this.samples) if (s.lastWindowMs < oldest.lastWindowMs) oldest = s;
    return oldest;
  }

  private purgeObsoleteSamples(now: number): void {
    const expireAge = this.config.samples * this.config.timeWindowMs;
    for (const s of this.samples) {
      if (now - s.lastWindowMs >= expireAge) {
        s.value = 0;
        s.eventCount = 0;
        s.lastWindowMs = now;
      }
    }
  }
}

/**
 * Kafka's TokenBucket stat (KIP-599, metrics.stats.TokenBucket): credits refill at the quota per
 * second up to a burst of quota × samples × window; recording spends them, and a negative balance is
 * the violation, paid back in −tokens / quota seconds. Unlike the sampled Rate it has no memory that
 * expires all at once, so a client held at its quota stays at it over any span instead of
 * alternating between a burst and a starved window (see ClientQuotaManager).
 */
export class TokenBucket {
  private tokens: number | undefined;
  private lastUpdateMs = 0;

  constructor(public config: RateConfig) {}

  /** Records `value` at the given quota (units per second); the balance after it. */
  record(value: number, quota: number, timeMs: number): number {
    this.refill(quota, timeMs);
    this.tokens! -= value;
    return this.tokens!;
  }

  /** The balance now (negative: in debt). */
  measure(quota: number, timeMs: number): number {
    this.refill(quota, timeMs);
    return this.tokens!;
  }

  private refill(quota: number, timeMs: number): void {
    const burst = quota * this.config.samples * (this.config.timeWindowMs / 1000);
    if (this.tokens === undefined) this.tokens = burst;
    else this.tokens = Math.min(burst, this.tokens + (quota * Math.max(0, timeMs - this.lastUpdateMs)) / 1000);
    this.lastUpdateMs = Math.max(this.lastUpdateMs, timeMs);
  }
}
