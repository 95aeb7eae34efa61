import { systemClock, type Clock } from './Clock';
import { Gauge, type GaugeValue } from './Gauge';
import { Histogram } from './Histogram';
import { Meter, TICK_INTERVAL_MS } from './Meter';
import type { Metric, NamedMetric } from './Metric';
import { MetricName, type KeyProperty } from './MetricName';
import type { ObjectNamePattern } from './ObjectNamePattern';
import { Timer } from './Timer';

/**
 * Metrics that exist as long as something else does, enumerated when they are read: e.g. the
 * gauges of every log the LogManager holds. Nothing to register or forget: a log's gauges appear
 * with the log and go with it.
 */
export interface MetricProvider {
  readonly domain: string;
  /** The `type` key of every name it yields, so that reads of other types skip it. */
  readonly type?: string;
  metrics(): Iterable<NamedMetric>;
}

export interface MetricsRegistryOptions {
  readonly clock?: Clock;
  /** Tick the meters every 5 s from an unref'd timer (default true; tests call tick() instead). */
  readonly autoTick?: boolean;
}

/** At most an hour of missed ticks is caught up after a stall; rates are ~0 by then anyway. */
const MAX_CATCH_UP_TICKS = 720;

/**
 * One broker's metrics (Kafka's default Yammer registry): named metrics, get-or-create by name,
 * removed when what they measure goes away, found by JMX pattern. One timer ticks every meter.
 * Names are compared in canonical form, so key order does not matter when looking one up.
 */
export class MetricsRegistry {
  readonly clock: Clock;
  private readonly entries = new Map<string, NamedMetric>();
  private readonly providers = new Set<MetricProvider>();
  private readonly meters = new Set<Meter>();
  private readonly tickListeners = new Set<() => void>();
  private readonly autoTick: boolean;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastTickMs: number;
  private closed = false;

  constructor(options: MetricsRegistryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.autoTick = options.autoTick ?? true;
    this.lastTickMs = this.clock();
  }

  // ---- registration -----------------------------------------------------------------------------

  meter(name: MetricName, eventType: string): Meter {
    return this.getOrAdd(name, 'Meter', () => {
      const m = new Meter(eventType, this.clock);
      this.trackMeter(m);
      return m;
    });
  }

  histogram(name: MetricName): Histogram {
    return this.getOrAdd(name, 'Histogram', () => new Histogram(this.clock));
  }

  timer(name: MetricName, eventType = 'calls'): Timer {
    return this.getOrAdd(name, 'Timer', () => {
      const t = new Timer(this.clock, eventType);
      this.trackMeter(t.meter);
      return t;
    });
  }

  /** Registers (or replaces) a gauge: `read` is called each time the value is asked for. */
  gauge(name: MetricName, read: () => GaugeValue): Gauge {
    const g = new Gauge(read);
    this.remove(name);
    this.entries.set(name.canonicalName, { name, metric: g });
    return g;
  }

  /** Kafka's KafkaMetricsGroup: names under one domain and type. */
  group(domain: string, type: string): MetricsGroup {
    return new MetricsGroup(this, domain, type);
  }

  addProvider(provider: MetricProvider): () => void {
    this.providers.add(provider);
    return () => this.providers.delete(provider);
  }

  remove(name: MetricName | string): boolean {
    const key = typeof name === 'string' ? MetricName.parse(name).canonicalName : name.canonicalName;
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.untrack(entry.metric);
    return true;
  }

  /** Removes every registered metric (not provided ones) that `predicate` accepts; returns how many. */
  removeWhere(predicate: (name: MetricName) => boolean): number {
    let n = 0;
    for (const [key, entry] of this.entries) {
      if (!predicate(entry.name)) continue;
      this.entries.delete(key);
      this.untrack(entry.metric);
      n++;
    }
    return n;
  }

  // ---- lookup -----------------------------------------------------------------------------------

  get(name: MetricName | string): Metric | undefined {
    const parsed = typeof name === 'string' ? MetricName.parse(name) : name;
    const registered = this.entries.get(parsed.canonicalName);
    if (registered) return registered.metric;
    for (const p of this.providers) {
      if (p.domain !== parsed.domain || (p.type !== undefined && p.type !== parsed.type)) continue;
      for (const m of p.metrics()) if (m.name.canonicalName === parsed.canonicalName) return m.metric;
    }
    return undefined;
  }

  /** Every metric whose name the pattern matches, sorted by name. */
  matching(pattern: ObjectNamePattern): NamedMetric[] {
    const out: NamedMetric[] = [];
    for (const e of this.entries.values()) if (pattern.matches(e.name)) out.push(e);
    const type = pattern.fixedValue('type');
    for (const p of this.providers) {
      if (!pattern.matchesDomain(p.domain)) continue;
      if (type !== undefined && p.type !== undefined && type !== p.type) continue;
      for (const m of p.metrics()) if (pattern.matches(m.name)) out.push(m);
    }
    return sortByName(out);
  }

  /** Every metric, registered and provided, sorted by name. */
  all(): NamedMetric[] {
    const out = [...this.entries.values()];
    for (const p of this.providers) for (const m of p.metrics()) out.push(m);
    return sortByName(out);
  }

  get size(): number {
    return this.entries.size;
  }

  // ---- ticking ----------------------------------------------------------------------------------

  /** Called after each tick (every 5 s): e.g. to sample event-loop utilization. */
  onTick(listener: () => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  /**
   * Moves every meter's EWMAs by the whole 5 s intervals elapsed since the last tick (the timer
   * calls it; a stalled event loop catches up here). Returns the number of intervals.
   */
  tick(): number {
    const now = this.clock();
    const intervals = Math.floor((now - this.lastTickMs) / TICK_INTERVAL_MS);
    if (intervals <= 0) return 0;
    this.lastTickMs += intervals * TICK_INTERVAL_MS;
    const n = Math.min(intervals, MAX_CATCH_UP_TICKS);
    for (const m of this.meters) for (let i = 0; i < n; i++) m.tick();
    for (const l of this.tickListeners) {
      try {
        l();
      } catch {
        // a listener's failure must not stop the meters
      }
    }
    return intervals;
  }

  /** Stops the tick timer; the metrics stay readable. */
  close(): void {
    this.closed = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
  }

  private trackMeter(m: Meter): void {
    this.meters.add(m);
    if (this.autoTick && this.tickTimer === null && !this.closed) {
      this.lastTickMs = this.clock();
      this.tickTimer = setInterval(() => this.tick(), TICK_INTERVAL_MS);
      this.tickTimer.unref();
    }
  }

  private untrack(metric: Metric): void {
    if (metric.kind === 'Meter') this.meters.delete(metric);
    else if (metric.kind === 'Timer') this.meters.delete(metric.meter);
  }

  private getOrAdd<K extends Metric['kind'], M extends Extract<Metric, { kind: K }>>(
    name: MetricName,
    kind: K,
    create: () => M,
  ): M {
    const existing = this.entries.get(name.canonicalName);
    if (existing) {
      if (existing.metric.kind !== kind) {
        throw new Error(`programmer error: ${name.mbeanName} is a ${existing.metric.kind}, not a ${kind}`);
      }
      return existing.metric as M;
    }
    const metric = create();
    this.entries.set(name.canonicalName, { name, metric });
    return metric;
  }
}

/**
 * Metrics under one domain and type, named like Kafka's KafkaMetricsGroup.newGauge/newMeter/…:
 * `group.gauge('NumGroups', () => n)` registers `domain:type=Type,name=NumGroups`.
 */
export class MetricsGroup {
  constructor(
    readonly registry: MetricsRegistry,
    readonly domain: string,
    readonly type: string,
  ) {}

  metricName(name: string, tags: readonly KeyProperty[] = []): MetricName {
    return MetricName.of(this.domain, this.type, name, tags);
  }

  gauge(name: string, read: () => GaugeValue, tags?: readonly KeyProperty[]): Gauge {
    return this.registry.gauge(this.metricName(name, tags), read);
  }

  meter(name: string, eventType: string, tags?: readonly KeyProperty[]): Meter {
    return this.registry.meter(this.metricName(name, tags), eventType);
  }

  histogram(name: string, tags?: readonly KeyProperty[]): Histogram {
    return this.registry.histogram(this.metricName(name, tags));
  }

  timer(name: string, tags?: readonly KeyProperty[]): Timer {
    return this.registry.timer(this.metricName(name, tags));
  }

  remove(name: string, tags?: readonly KeyProperty[]): boolean {
    return this.registry.remove(this.metricName(name, tags));
  }
}

function sortByName(list: NamedMetric[]): NamedMetric[] {
  return list.sort((a, b) => (a.name.mbeanName < b.name.mbeanName ? -1 : a.name.mbeanName > b.name.mbeanName ? 1 : 0));
}
