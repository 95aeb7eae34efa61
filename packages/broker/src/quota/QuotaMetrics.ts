import { Gauge, MetricName, type MetricsRegistry, type NamedMetric } from '@samsa/metrics';
import type { ClientQuotaManager, ClientSensors } from './ClientQuotaManager';
import type { QuotaManagers } from './QuotaManagers';

/**
 * The client quota metrics (Kafka's ClientQuotaManager sensors): for each user/client-id a quota
 * sensor is kept for, under kafka.server type Produce, Fetch or Request with the tags `user` and
 * `client-id` (empty ones left out, as Kafka's JmxReporter does), the rate (`byte-rate`, or
 * `request-time` in percent of one thread) and the average `throttle-time` in ms over the quota
 * window. Kafka publishes them as attributes of one MBean per tag set; this registry's metrics
 * are Yammer-style gauges, so the attribute is the gauge's `name` key:
 * `kafka.server:type=Produce,name=byte-rate,user=alice,client-id=c1` (Value).
 * Enumerated when read: a sensor's gauges come and go with the sensor.
 */
export function registerQuotaMetrics(registry: MetricsRegistry, quotas: QuotaManagers): () => void {
  const removers = [quotas.produce, quotas.fetch, quotas.request].map((m) =>
    registry.addProvider({ domain: 'kafka.server', type: m.quotaType, metrics: () => metricsOf(m) }),
  );
  return () => removers.forEach((r) => r());
}

const cache = new WeakMap<ClientSensors, NamedMetric[]>();

function metricsOf(m: ClientQuotaManager): NamedMetric[] {
  const out: NamedMetric[] = [];
  for (const s of m.allSensors()) {
    let named = cache.get(s);
    if (named === undefined) {
      const tags: [string, string][] = [
        ['user', s.tags.user],
        ['client-id', s.tags.clientId],
      ];
      const rateName = m.quotaType === 'Request' ? 'request-time' : 'byte-rate';
      named = [
        { name: MetricName.of('kafka.server', m.quotaType, rateName, tags), metric: new Gauge(() => s.rate.measure(Date.now())) },
        {
          name: MetricName.of('kafka.server', m.quotaType, 'throttle-time', tags),
          metric: new Gauge(() => {
            const now = Date.now();
            const count = s.throttleCount.measure(now);
            // Kafka's Avg of no throttles is NaN (read as null)
            return count === 0 ? Number.NaN : s.throttleTime.measure(now) / count;
          }),
        },
      ];
      cache.set(s, named);
    }
    out.push(...named);
  }
  return out;
}
