/**
 * Replication throttles (KIP-73), Kafka 2.8's ReplicationQuotaManager: one for this broker as
 * leader (bytes it sends to followers), one as follower (bytes it fetches). A partition is
 * throttled when its topic's `leader.replication.throttled.replicas` (resp. `follower.…`) lists it
 * on this broker ("partition:broker,…") or is `*`; a throttled replica that is not in sync is left
 * out of fetches while the rate over the last `replication.quota.window.num` windows of
 * `replication.quota.window.size.seconds` exceeds `leader.replication.throttled.rate` (resp.
 * `follower.…`), which /config/brokers/<this id> sets (unset: no limit).
 */

/** Kafka's DefaultReplicationThrottledRate: Long.MAX_VALUE, no limit. */
export const UNLIMITED_RATE = Number.MAX_VALUE;

interface Sample {
  value: number;
  lastWindowMs: number;
}

/**
 * Kafka's Rate over a SampledStat: `samples` windows of `windowMs`; the rate divides their total by
 * the time they span, counted as at least `samples - 1` full windows (so a first burst is measured
 * over that much time rather than over the few milliseconds it took).
 */
export class SampledRate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(
    private readonly numSamples: number,
    private readonly windowMs: number,
  ) {}

  record(value: number, nowMs: number): void {
    let sample = this.samples[this.current];
    if (!sample) {
      sample = { value: 0, lastWindowMs: nowMs };
      this.samples.push(sample);
    } else if (nowMs - sample.lastWindowMs >= this.windowMs) {
      this.current = (this.current + 1) % this.numSamples;
      sample = this.samples[this.current];
      if (!sample) {
        sample = { value: 0, lastWindowMs: nowMs };
        this.samples.push(sample);
      } else {
        sample.value = 0;
        sample.lastWindowMs = nowMs;
      }
    }
    sample.value += value;
  }

  /** Per second. */
  measure(nowMs: number): number {
    const expireAge = this.numSamples * this.windowMs;
    for (const s of this.samples) {
      if (nowMs - s.lastWindowMs >= expireAge) {
        s.value = 0;
        s.lastWindowMs = nowMs;
      }
    }
    const total = this.samples.reduce((sum, s) => sum + s.value, 0);
    const oldest = this.samples.reduce((min, s) => Math.min(min, s.lastWindowMs), nowMs);
    let elapsed = nowMs - oldest;
    const fullWindows = Math.floor(elapsed / this.windowMs);
    const minFullWindows = this.numSamples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.windowMs;
    return elapsed <= 0 ? 0 : total / (elapsed / 1000);
  }
}

/** Which partitions of a topic a throttled-replicas value names on `brokerId`: `*` means all. */
export function parseThrottledPartitions(value: string, brokerId: number): ReadonlySet<number> | '*' {
  const v = value.trim();
  if (v === '') return new Set();
  if (v === '*') return '*';
  const out = new Set<number>();
  for (const entry of v.split(',')) {
    const [partition, broker] = entry.trim().split(':');
    if (Number(broker) === brokerId) out.add(Number(partition));
  }
  return out;
}

export class ReplicationQuotaManager {
  private rate: SampledRate;
  private bound = UNLIMITED_RATE;
  /** Parsed throttled-replicas values, by the value (topics mostly share '' or '*'). */
  private readonly parsed = new Map<string, ReadonlySet<number> | '*'>();

  constructor(
    private readonly o: {
      readonly brokerId: number;
      /** replication.quota.window.num (11) and replication.quota.window.size.seconds (1). */
      readonly numSamples: number;
      readonly windowSizeSeconds: number;
      readonly now?: () => number;
    },
  ) {
    this.rate = new SampledRate(o.numSamples, o.windowSizeSeconds * 1000);
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** The rate bound in bytes per second (UNLIMITED_RATE: none). */
  get upperBound(): number {
    return this.bound;
  }

  updateQuota(bytesPerSecond: number): void {
    this.bound = bytesPerSecond;
  }

  /** Whether the measured rate is over the bound (Kafka's sensor checkQuotas). */
  isQuotaExceeded(): boolean {
    if (this.bound >= UNLIMITED_RATE) return false;
    return this.rate.measure(this.now()) > this.bound;
  }

  record(bytes: number): void {
    if (bytes > 0) this.rate.record(bytes, this.now());
  }

  /** Measured bytes per second (tests, logs). */
  measuredRate(): number {
    return this.rate.measure(this.now());
  }

  /**
   * Whether partition `partition` is throttled on this broker, per its topic's throttled-replicas
   * value (the topic config this quota follows: leader.… or follower.replication.throttled.replicas).
   */
  isThrottled(partition: number, throttledReplicas: string): boolean {
    if (throttledReplicas === '') return false;
    let p = this.parsed.get(throttledReplicas);
    if (!p) {
      p = parseThrottledPartitions(throttledReplicas, this.o.brokerId);
      if (this.parsed.size > 1000) this.parsed.clear();
      this.parsed.set(throttledReplicas, p);
    }
    return p === '*' || p.has(partition);
  }
}
