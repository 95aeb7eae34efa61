/**
 * The rules of the Prometheus JMX exporter's example configuration for Kafka 2.x
 * (example_configs/kafka-2_0_0.yml, with lowercaseOutputName), as data: the first rule whose
 * pattern matches `domain<k1=v1, k2=v2><>Attribute: value` names the sample. Names use `$n` for the
 * pattern's groups. An attribute no rule matches is not exported (so only Value, Count and the
 * percentiles are: the rates, Min, Max, Mean and StdDev stay JMX-only, as with the real exporter).
 */
export type PrometheusType = 'GAUGE' | 'COUNTER';

export interface JmxExporterRule {
  /** Matched anywhere in the input, as the exporter wraps it in `^.*(?:…).*$`. */
  readonly pattern: string;
  readonly name: string;
  readonly type: PrometheusType;
  /** Label name → value, both with `$n` substitutions, in output order. */
  readonly labels: readonly (readonly [string, string])[];
}

const rule = (pattern: string, name: string, type: PrometheusType, labels: JmxExporterRule['labels'] = []): JmxExporterRule => ({
  pattern,
  name,
  type,
  labels,
});

export const KAFKA_2_0_0_RULES: readonly JmxExporterRule[] = [
  // special cases
  rule('kafka.server<type=(.+), name=(.+), clientId=(.+), topic=(.+), partition=(.*)><>Value', 'kafka_server_$1_$2', 'GAUGE', [
    ['clientId', '$3'],
    ['topic', '$4'],
    ['partition', '$5'],
  ]),
  rule('kafka.server<type=(.+), name=(.+), clientId=(.+), brokerHost=(.+), brokerPort=(.+)><>Value', 'kafka_server_$1_$2', 'GAUGE', [
    ['clientId', '$3'],
    ['broker', '$4:$5'],
  ]),
  rule('kafka.coordinator.(\\w+)<type=(.+), name=(.+)><>Value', 'kafka_coordinator_$1_$2_$3', 'GAUGE'),
  // per-second meters with 0–2 extra keys: their count
  rule('kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+), (.+)=(.+)><>Count', 'kafka_$1_$2_$3_total', 'COUNTER', [
    ['$4', '$5'],
    ['$6', '$7'],
  ]),
  rule('kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+)><>Count', 'kafka_$1_$2_$3_total', 'COUNTER', [['$4', '$5']]),
  rule('kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*><>Count', 'kafka_$1_$2_$3_total', 'COUNTER'),
  // quotas
  rule('kafka.server<type=(.+), client-id=(.+)><>([a-z-]+)', 'kafka_server_quota_$3', 'GAUGE', [
    ['resource', '$1'],
    ['clientId', '$2'],
  ]),
  rule('kafka.server<type=(.+), user=(.+), client-id=(.+)><>([a-z-]+)', 'kafka_server_quota_$4', 'GAUGE', [
    ['resource', '$1'],
    ['user', '$2'],
    ['clientId', '$3'],
  ]),
  // gauges with 0–2 extra keys
  rule('kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Value', 'kafka_$1_$2_$3', 'GAUGE', [
    ['$4', '$5'],
    ['$6', '$7'],
  ]),
  rule('kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Value', 'kafka_$1_$2_$3', 'GAUGE', [['$4', '$5']]),
  rule('kafka.(\\w+)<type=(.+), name=(.+)><>Value', 'kafka_$1_$2_$3', 'GAUGE'),
  // histograms and timers as summaries: count and quantiles (no _sum)
  rule('kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Count', 'kafka_$1_$2_$3_count', 'COUNTER', [
    ['$4', '$5'],
    ['$6', '$7'],
  ]),
  rule('kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.*), (.+)=(.+)><>(\\d+)thPercentile', 'kafka_$1_$2_$3', 'GAUGE', [
    ['$4', '$5'],
    ['$6', '$7'],
    ['quantile', '0.$8'],
  ]),
  rule('kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Count', 'kafka_$1_$2_$3_count', 'COUNTER', [['$4', '$5']]),
  rule('kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.*)><>(\\d+)thPercentile', 'kafka_$1_$2_$3', 'GAUGE', [
    ['$4', '$5'],
    ['quantile', '0.$6'],
  ]),
  rule('kafka.(\\w+)<type=(.+), name=(.+)><>Count', 'kafka_$1_$2_$3_count', 'COUNTER'),
  rule('kafka.(\\w+)<type=(.+), name=(.+)><>(\\d+)thPercentile', 'kafka_$1_$2_$3', 'GAUGE', [['quantile', '0.$4']]),
];
