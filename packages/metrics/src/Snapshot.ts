/** The quantiles Kafka's histograms publish over JMX, with their attribute names. */
export const PERCENTILES: readonly (readonly [attribute: string, quantile: number])[] = [
  ['50thPercentile', 0.5],
  ['75thPercentile', 0.75],
  ['95thPercentile', 0.95],
  ['98thPercentile', 0.98],
  ['99thPercentile', 0.99],
  ['999thPercentile', 0.999],
];

/**
 * The sorted values of a sample at one moment, and Yammer's quantile rule over them: position
 * q × (n + 1), linear interpolation between its neighbours, clamped to the smallest and largest.
 */
export class Snapshot {
  private readonly values: Float64Array;

  /** Takes ownership of `values` (sorts it in place). */
  constructor(values: Float64Array) {
    this.values = values.sort();
  }

  get size(): number {
    return this.values.length;
  }

  getValue(quantile: number): number {
    if (!(quantile >= 0 && quantile <= 1)) throw new RangeError(`${quantile} is not in [0..1]`);
    const v = this.values;
    if (v.length === 0) return 0;
    const pos = quantile * (v.length + 1);
    if (pos < 1) return v[0];
    if (pos >= v.length) return v[v.length - 1];
    const lower = v[Math.floor(pos) - 1];
    const upper = v[Math.floor(pos)];
    return lower + (pos - Math.floor(pos)) * (upper - lower);
  }

  get median(): number {
    return this.getValue(0.5);
  }
}
