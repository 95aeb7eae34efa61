import type { Clock } from './Clock';
import { Snapshot } from './Snapshot';

/** Yammer's defaults for Kafka's ("biased") histograms: 1028 values, alpha 0.015 (about 5 minutes). */
export const DEFAULT_SAMPLE_SIZE = 1028;
export const DEFAULT_ALPHA = 0.015;
const RESCALE_THRESHOLD_MS = 60 * 60 * 1000;

/**
 * A bounded sample biased towards recent values: Yammer's ExponentiallyDecayingSample (forward
 * decay priority sampling, Cormode et al. 2009). Each value gets the priority
 * exp(alpha × (t − start)) / u, t in whole seconds, u uniform in [0, 1); the `size` values of
 * highest priority are kept. Every hour the start moves to now and the kept priorities are scaled
 * by exp(−alpha × Δ), which keeps the numbers finite and their order unchanged.
 *
 * Instead of Yammer's skip list, the kept values sit in a binary min-heap on two preallocated
 * Float64Arrays: an update allocates nothing, rejects most values with one comparison against the
 * smallest priority, and otherwise costs one sift of at most log2(size) ≈ 10 steps.
 */
export class ExponentiallyDecayingSample {
  private priorities: Float64Array | null = null;
  private values: Float64Array | null = null;
  private size = 0;
  private startTimeSeconds: number;
  private nextScaleTimeMs: number;
  private lastSecond = -1;
  private lastWeight = 1;

  constructor(
    private readonly clock: Clock,
    readonly reservoirSize = DEFAULT_SAMPLE_SIZE,
    readonly alpha = DEFAULT_ALPHA,
    /** Uniform in [0, 1); injectable so tests can be exact. */
    private readonly random: () => number = Math.random,
  ) {
    const now = clock();
    this.startTimeSeconds = Math.floor(now / 1000);
    this.nextScaleTimeMs = now + RESCALE_THRESHOLD_MS;
  }

  /** How many values are kept (at most reservoirSize). */
  get length(): number {
    return this.size;
  }

  /** `nowMs`: the clock's time, when the caller has it already (several updates at one moment). */
  update(value: number, nowMs = this.clock()): void {
    if (nowMs >= this.nextScaleTimeMs) this.rescale(nowMs);
    const second = Math.floor(nowMs / 1000);
    if (second !== this.lastSecond) {
      this.lastSecond = second;
      this.lastWeight = Math.exp(this.alpha * (second - this.startTimeSeconds));
    }
    const priority = this.lastWeight / this.random();
    if (this.priorities === null) {
      // Allocated on first use: most of a broker's histograms (rare request types) never see a value.
      this.priorities = new Float64Array(this.reservoirSize);
      this.values = new Float64Array(this.reservoirSize);
    }
    const p = this.priorities;
    const v = this.values!;
    if (this.size < this.reservoirSize) {
      // sift up from the new last slot
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (p[parent] <= priority) break;
        p[i] = p[parent];
        v[i] = v[parent];
        i = parent;
      }
      p[i] = priority;
      v[i] = value;
    } else if (priority > p[0]) {
      // replace the smallest priority, sift down
      const n = this.size;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && p[right] < p[left] ? right : left;
        if (p[child] >= priority) break;
        p[i] = p[child];
        v[i] = v[child];
        i = child;
      }
      p[i] = priority;
      v[i] = value;
    }
  }

  /** A copy of the kept values, sorted. */
  snapshot(): Snapshot {
    return new Snapshot(this.values === null ? new Float64Array(0) : this.values.slice(0, this.size));
  }

  private rescale(nowMs: number): void {
    this.nextScaleTimeMs = nowMs + RESCALE_THRESHOLD_MS;
    const oldStart = this.startTimeSeconds;
    this.startTimeSeconds = Math.floor(nowMs / 1000);
    this.lastSecond = -1;
    const factor = Math.exp(-this.alpha * (this.startTimeSeconds - oldStart));
    const p = this.priorities;
    if (p === null) return;
    // a positive factor keeps the heap order
    for (let i = 0; i < this.size; i++) p[i] *= factor;
  }
}
