import type { BrokerMetrics, BrokerProbe, BrokerRates } from './snapshots';
import type { SeriesView } from './viewModel';

interface Sample {
  readonly timeMs: number;
  readonly bytesInPerSec: number | null;
  readonly bytesOutPerSec: number | null;
  readonly messagesInPerSec: number | null;
  readonly produceP99Ms: number | null;
  readonly fetchP99Ms: number | null;
}

interface Previous {
  readonly atMs: number;
  readonly startTimeMs: number;
  readonly metrics: BrokerMetrics;
}

type Counter = 'bytesInTotal' | 'bytesOutTotal' | 'messagesInTotal' | 'requestsTotal';

/**
 * The dashboard's memory of the last minutes: per-broker rates from the difference of two polls'
 * counters, and one cluster-wide sample per round (rates summed over the brokers that answered,
 * p99 the worst broker's — a cluster-wide percentile cannot be rebuilt from per-broker ones).
 * Samples older than the window fall off.
 */
export class MetricHistory {
  private readonly previous = new Map<number, Previous>();
  private readonly brokerRates = new Map<number, BrokerRates>();
  private readonly samples: Sample[] = [];

  constructor(private readonly windowMs = 10 * 60_000) {}

  /** Takes one round of probes taken at `timeMs`; returns each broker's rates. */
  record(timeMs: number, probes: Iterable<BrokerProbe>): ReadonlyMap<number, BrokerRates> {
    const rates: BrokerRates[] = [];
    const p99s: { produce: number[]; fetch: number[] } = { produce: [], fetch: [] };
    const answered = new Set<number>();
    for (const probe of probes) {
      answered.add(probe.brokerId);
      if (!probe.ok) {
        this.previous.delete(probe.brokerId);
        this.brokerRates.delete(probe.brokerId);
        continue;
      }
      const r = this.ratesOf(probe);
      this.brokerRates.set(probe.brokerId, r);
      rates.push(r);
      if (probe.metrics.produceP99Ms !== null) p99s.produce.push(probe.metrics.produceP99Ms);
      if (probe.metrics.fetchP99Ms !== null) p99s.fetch.push(probe.metrics.fetchP99Ms);
    }
    for (const id of [...this.brokerRates.keys()]) {
      if (!answered.has(id)) {
        this.brokerRates.delete(id);
        this.previous.delete(id);
      }
    }
    this.samples.push({
      timeMs,
      bytesInPerSec: sum(rates.map((r) => r.bytesInPerSec)),
      bytesOutPerSec: sum(rates.map((r) => r.bytesOutPerSec)),
      messagesInPerSec: sum(rates.map((r) => r.messagesInPerSec)),
      produceP99Ms: p99s.produce.length > 0 ? Math.max(...p99s.produce) : null,
      fetchP99Ms: p99s.fetch.length > 0 ? Math.max(...p99s.fetch) : null,
    });
    while (this.samples.length > 0 && this.samples[0].timeMs < timeMs - this.windowMs) this.samples.shift();
    return this.brokerRates;
  }

  rates(): ReadonlyMap<number, BrokerRates> {
    return this.brokerRates;
  }

  series(): SeriesView {
    return {
      timesMs: this.samples.map((s) => s.timeMs),
      bytesInPerSec: this.samples.map((s) => s.bytesInPerSec),
      bytesOutPerSec: this.samples.map((s) => s.bytesOutPerSec),
      messagesInPerSec: this.samples.map((s) => s.messagesInPerSec),
      produceP99Ms: this.samples.map((s) => s.produceP99Ms),
      fetchP99Ms: this.samples.map((s) => s.fetchP99Ms),
    };
  }

  private ratesOf(probe: Extract<BrokerProbe, { ok: true }>): BrokerRates {
    const before = this.previous.get(probe.brokerId);
    this.previous.set(probe.brokerId, {
      atMs: probe.atMs,
      startTimeMs: probe.status.startTimeMs,
      metrics: probe.metrics,
    });
    // A restarted process counts from zero again: no rate across the restart.
    const comparable =
      before !== undefined && before.startTimeMs === probe.status.startTimeMs && probe.atMs > before.atMs;
    const rate = (counter: Counter): number | null => {
      if (!comparable) return null;
      const now = probe.metrics[counter];
      const then = before.metrics[counter];
      if (now === null || then === null || now < then) return null;
      return ((now - then) * 1000) / (probe.atMs - before.atMs);
    };
    return {
      bytesInPerSec: rate('bytesInTotal'),
      bytesOutPerSec: rate('bytesOutTotal'),
      messagesInPerSec: rate('messagesInTotal'),
      requestsPerSec: rate('requestsTotal'),
    };
  }
}

function sum(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0);
}
