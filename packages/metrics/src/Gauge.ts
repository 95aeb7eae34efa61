export type GaugeValue = number | string | boolean | null;

/** A value read when it is asked for (Yammer's Gauge): JMX attribute `Value`. */
export class Gauge {
  readonly kind = 'Gauge' as const;

  constructor(private readonly read: () => GaugeValue) {}

  /** The current value; a gauge whose function throws reads as null rather than failing a scrape. */
  get value(): GaugeValue {
    try {
      const v = this.read();
      return typeof v === 'number' && !Number.isFinite(v) ? null : v;
    } catch {
      return null;
    }
  }
}
