import { MetricsRegistry, type Gauge } from '@samsa/metrics';
import { QuotaManagers } from './QuotaManagers';
import { registerQuotaMetrics } from './QuotaMetrics';

describe('registerQuotaMetrics', () => {
  it('publishes byte-rate and throttle-time per quota sensor under kafka.server type Produce', () => {
    const registry = new MetricsRegistry({ autoTick: false });
    const quotas = new QuotaManagers({ numQuotaSamples: 11, quotaWindowSizeSeconds: 1 });
    registerQuotaMetrics(registry, quotas);
    quotas.applyEntityConfig('clients/c1', new Map([['producer_byte_rate', '1000']]));
    expect(registry.all().filter((m) => m.name.domain === 'kafka.server')).toEqual([]);

    const now = Date.now();
    quotas.produce.maybeRecordAndGetThrottleTimeMs('alice', 'c1', 20_000, now);
    quotas.produce.recordThrottle('alice', 'c1', 9000, now);
    const rate = registry.get('kafka.server:type=Produce,name=byte-rate,client-id=c1') as Gauge;
    const throttle = registry.get('kafka.server:type=Produce,name=throttle-time,client-id=c1') as Gauge;
    // 20 000 bytes over the 10 s a young sensor counts
    expect(rate.value).toBeCloseTo(2000, -1);
    expect(throttle.value).toBe(9000);
    // a user-level quota: the sensor is the user's, its tags say so
    quotas.applyEntityConfig('users/bob', new Map([['producer_byte_rate', '1000']]));
    quotas.produce.maybeRecordAndGetThrottleTimeMs('bob', 'x', 10, now);
    expect(registry.get('kafka.server:type=Produce,name=byte-rate,user=bob')).toBeDefined();
    expect((registry.get('kafka.server:type=Produce,name=throttle-time,user=bob') as Gauge).value).toBeNull();
    registry.close();
  });
});
