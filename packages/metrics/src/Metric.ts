import type { Gauge } from './Gauge';
import type { Histogram } from './Histogram';
import type { Meter } from './Meter';
import type { MetricName } from './MetricName';
import type { Timer } from './Timer';

/** The four kinds of Yammer metric Kafka registers. */
export type Metric = Meter | Histogram | Timer | Gauge;
export type MetricKind = Metric['kind'];

/** A metric with its name, as the registry and its providers enumerate them. */
export interface NamedMetric {
  readonly name: MetricName;
  readonly metric: Metric;
}
