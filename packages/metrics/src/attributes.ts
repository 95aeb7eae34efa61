import type { Histogram } from './Histogram';
import type { Meter } from './Meter';
import type { Metric, MetricKind } from './Metric';
import { PERCENTILES, type Snapshot } from './Snapshot';

/**
 * The JMX view of each kind of metric: the attributes Yammer's JmxReporter MBeans publish for
 * Kafka (MeterMBean, HistogramMBean, TimerMBean, GaugeMBean), their Java types (for Jolokia's
 * list) and their values.
 */
export type AttributeValue = number | string | boolean | null;

export interface AttributeInfo {
  readonly name: string;
  /** The Java type Jolokia's list reports. */
  readonly type: string;
  readonly desc: string;
}

const attr = (name: string, type: string, desc: string): AttributeInfo => ({ name, type, desc });

const METERED: readonly AttributeInfo[] = [
  attr('Count', 'long', 'Number of events'),
  attr('EventType', 'java.lang.String', 'What is counted'),
  attr('RateUnit', 'java.util.concurrent.TimeUnit', 'Unit of the rates'),
  attr('MeanRate', 'double', 'Events per second since creation'),
  attr('OneMinuteRate', 'double', 'Events per second, 1-minute exponentially weighted moving average'),
  attr('FiveMinuteRate', 'double', 'Events per second, 5-minute exponentially weighted moving average'),
  attr('FifteenMinuteRate', 'double', 'Events per second, 15-minute exponentially weighted moving average'),
];

const SAMPLED: readonly AttributeInfo[] = [
  attr('Min', 'double', 'Smallest value recorded'),
  attr('Max', 'double', 'Largest value recorded'),
  attr('Mean', 'double', 'Mean of the values recorded'),
  attr('StdDev', 'double', 'Standard deviation of the values recorded'),
  ...PERCENTILES.map(([name, q]) => attr(name, 'double', `Value at quantile ${q} of the recent sample`)),
];

export const ATTRIBUTES: Readonly<Record<MetricKind, readonly AttributeInfo[]>> = {
  Meter: METERED,
  Histogram: [attr('Count', 'long', 'Number of values recorded'), ...SAMPLED],
  Timer: [...METERED, ...SAMPLED, attr('LatencyUnit', 'java.util.concurrent.TimeUnit', 'Unit of the durations')],
  Gauge: [attr('Value', 'java.lang.Object', 'Current value')],
};

export const DESCRIPTIONS: Readonly<Record<MetricKind, string>> = {
  Meter: 'Yammer Meter: count and rates',
  Histogram: 'Yammer Histogram: count, extremes, mean and percentiles of a decaying sample',
  Timer: 'Yammer Timer: rates and the distribution of durations in milliseconds',
  Gauge: 'Yammer Gauge: a value read on request',
};

export function attributeNames(kind: MetricKind): readonly string[] {
  return NAMES[kind];
}

const NAMES: Readonly<Record<MetricKind, readonly string[]>> = {
  Meter: ATTRIBUTES.Meter.map((a) => a.name),
  Histogram: ATTRIBUTES.Histogram.map((a) => a.name),
  Timer: ATTRIBUTES.Timer.map((a) => a.name),
  Gauge: ATTRIBUTES.Gauge.map((a) => a.name),
};

export function hasAttribute(metric: Metric, name: string): boolean {
  return NAMES[metric.kind].includes(name);
}

/**
 * The values of `names` (all attributes when null) that the metric has, in the order asked;
 * unknown names are left out (the caller decides whether that is an error). The histogram's
 * sample is sorted once, and only if a percentile is asked.
 */
export function readAttributes(metric: Metric, names: readonly string[] | null): Record<string, AttributeValue> {
  const wanted = names ?? NAMES[metric.kind];
  const out: Record<string, AttributeValue> = {};
  let snapshot: Snapshot | null = null;
  const histogram: Histogram | null = metric.kind === 'Histogram' ? metric : metric.kind === 'Timer' ? metric.histogram : null;
  const meter: Meter | null = metric.kind === 'Meter' ? metric : metric.kind === 'Timer' ? metric.meter : null;
  for (const name of wanted) {
    if (metric.kind === 'Gauge') {
      if (name === 'Value') out.Value = metric.value;
      continue;
    }
    if (name === 'Count') {
      out.Count = metric.kind === 'Meter' ? metric.count : histogram!.count;
      continue;
    }
    if (meter !== null) {
      const v = meterAttribute(meter, name);
      if (v !== undefined) {
        out[name] = v;
        continue;
      }
    }
    if (histogram !== null) {
      switch (name) {
        case 'Min':
          out.Min = histogram.minimum;
          continue;
        case 'Max':
          out.Max = histogram.maximum;
          continue;
        case 'Mean':
          out.Mean = histogram.mean;
          continue;
        case 'StdDev':
          out.StdDev = histogram.stdDev;
          continue;
      }
      const percentile = PERCENTILES.find(([n]) => n === name);
      if (percentile) {
        snapshot ??= histogram.snapshot();
        out[name] = snapshot.getValue(percentile[1]);
        continue;
      }
    }
    if (metric.kind === 'Timer' && name === 'LatencyUnit') out.LatencyUnit = 'MILLISECONDS';
  }
  return out;
}

function meterAttribute(meter: Meter, name: string): AttributeValue | undefined {
  switch (name) {
    case 'EventType':
      return meter.eventType;
    case 'RateUnit':
      return 'SECONDS';
    case 'MeanRate':
      return meter.meanRate;
    case 'OneMinuteRate':
      return meter.oneMinuteRate;
    case 'FiveMinuteRate':
      return meter.fiveMinuteRate;
    case 'FifteenMinuteRate':
      return meter.fifteenMinuteRate;
    default:
      return undefined;
  }
}
