import { EventJournal, MetricsRegistry, type Gauge } from '@samsa/metrics';
import { SocketServerStats } from '../network/SocketServerStats';
import { BrokerMetrics } from './BrokerMetrics';

describe('BrokerMetrics', () => {
  test('failedAuthenticationsAreReadAsKafkasSocketServerMetricFailedAuthenticationTotal', () => {
    const registry = new MetricsRegistry();
    const metrics = new BrokerMetrics(registry, new EventJournal(0));
    const stats = new SocketServerStats();
    metrics.registerSocketServer(stats);
    const gauge = registry.get('kafka.server:type=socket-server-metrics,name=failed-authentication-total') as Gauge | undefined;
    expect(gauge?.value).toBe(0);
    stats.failedAuthentications += 2;
    expect(gauge?.value).toBe(2);
    registry.close();
  });
});
