/**
 * @samsa/metrics — Kafka's JMX metrics for a Node broker: Yammer-style metrics in a registry,
 * named as Kafka names its MBeans, served as Jolokia JSON and Prometheus text; and the event
 * journal the dashboard reads. Depends on nothing else in Samsa.
 */
export * from './Clock';
export * from './MetricName';
export * from './ObjectNamePattern';
export * from './Meter';
export * from './Snapshot';
export * from './ExponentiallyDecayingSample';
export * from './Histogram';
export * from './Timer';
export * from './Gauge';
export * from './Metric';
export * from './attributes';
export * from './MetricsRegistry';
export * from './EventJournal';
export * from './ProcessMetrics';
export * from './jolokia/requests';
export * from './jolokia/JolokiaHandler';
export * from './prometheus/jmxExporterRules';
export * from './prometheus/PrometheusExporter';
export * from './http/HttpAccess';
export * from './http/MetricsHttpServer';
