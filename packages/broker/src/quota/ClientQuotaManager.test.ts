import { ClientQuotaManager, DEFAULT_ENTITY as D, MAX_THROTTLE_TIME_MS } from './ClientQuotaManager';
import { QuotaManagers, quotaEntityOfPath } from './QuotaManagers';
import { SampledRate } from './Rate';

describe('SampledRate (Kafka Rate over WindowedSum)', () => {
  it('counts a young rate over samples - 1 windows, then over the elapsed time', () => {
    const r = new SampledRate({ samples: 11, timeWindowMs: 1000 });
    r.record(10_000, 0);
    expect(r.windowSize(0)).toBe(10_000);
    expect(r.measure(0)).toBe(1000);
    expect(r.windowSize(10_500)).toBe(10_500);
  });

  it('forgets samples older than samples × window', () => {
    const r = new SampledRate({ samples: 3, timeWindowMs: 1000 });
    r.record(3000, 0);
    r.record(300, 1000);
    expect(r.measure(1000)).toBe(3300 / 2);
    // the first sample expires at 3000
    expect(r.measure(3000)).toBeCloseTo(300 / 2);
  });
});

describe('ClientQuotaManager precedence (Kafka DefaultQuotaCallback)', () => {
  const levels: [string, { sanitizedUser?: string; clientId?: string }][] = [
    ['users/alice/clients/c1', { sanitizedUser: 'alice', clientId: 'c1' }],
    ['users/alice/clients/<default>', { sanitizedUser: 'alice', clientId: D }],
    ['users/alice', { sanitizedUser: 'alice' }],
    ['users/<default>/clients/c1', { sanitizedUser: D, clientId: 'c1' }],
    ['users/<default>/clients/<default>', { sanitizedUser: D, clientId: D }],
    ['users/<default>', { sanitizedUser: D }],
    ['clients/c1', { clientId: 'c1' }],
    ['clients/<default>', { clientId: D }],
  ];

  it('takes the most specific of the eight levels, each level removed in turn', () => {
    const m = new ClientQuotaManager('Produce');
    levels.forEach(([, entity], i) => m.updateQuota(entity, 1000 + i));
    for (let i = 0; i < levels.length; i++) {
      expect([levels[i][0], m.quota('alice', 'c1')]).toEqual([levels[i][0], 1000 + i]);
      m.updateQuota(levels[i][1], undefined);
    }
    expect(m.quota('alice', 'c1')).toBe(Infinity);
  });

  it('falls back to the static client-id default last', () => {
    const m = new ClientQuotaManager('Produce', { numQuotaSamples: 11, quotaWindowSizeSeconds: 1, quotaDefault: 500 });
    expect(m.quotasEnabled).toBe(true);
    expect(m.quota('bob', 'x')).toBe(500);
    m.updateQuota({ clientId: 'x' }, 700);
    expect(m.quota('bob', 'x')).toBe(700);
  });

  it('shares one sensor between the clients of a user-level quota, and splits per client id ones', () => {
    const m = new ClientQuotaManager('Produce');
    m.updateQuota({ sanitizedUser: 'alice' }, 1000);
    m.updateQuota({ clientId: D }, 1000);
    expect(m.quotaMetricTags('alice', 'a')).toEqual({ user: 'alice', clientId: '' });
    expect(m.quotaMetricTags('alice', 'b')).toEqual({ user: 'alice', clientId: '' });
    expect(m.quotaMetricTags('bob', 'b')).toEqual({ user: '', clientId: 'b' });
  });

  it('keys users by their sanitized names (Kafka Sanitizer)', () => {
    const m = new ClientQuotaManager('Produce');
    m.updateQuota({ sanitizedUser: 'CN%3Dalice%2COU%3Dx' }, 42);
    expect(m.quota('CN=alice,OU=x', 'c')).toBe(42);
  });

  it('records nothing and never throttles before any quota is set', () => {
    const m = new ClientQuotaManager('Produce');
    expect(m.quotasEnabled).toBe(false);
    expect(m.maybeRecordAndGetThrottleTimeMs('u', 'c', 1e9, 0)).toBe(0);
    expect(m.allSensors()).toHaveLength(0);
  });
});

describe('ClientQuotaManager throttle time bounds', () => {
  it('a quota of 0 or a debt of days throttles for at most what throttle_time_ms (int32) can carry', () => {
    for (const enforcement of ['tokenBucket', 'rate'] as const) {
      const m = new ClientQuotaManager('Produce', undefined, { enforcement });
      m.updateQuota({ clientId: 'blocked' }, 0);
      m.updateQuota({ clientId: 'slow' }, 1);
      for (const [client, bytes] of [['blocked', 100], ['slow', 10_000_000_000]] as const) {
        const t = m.maybeRecordAndGetThrottleTimeMs('u', client, bytes, 1000);
        expect(Number.isInteger(t)).toBe(true);
        expect(t).toBeGreaterThan(0);
        expect(t).toBeLessThanOrEqual(MAX_THROTTLE_TIME_MS);
        expect(m.currentThrottleTimeMs('u', client, 1000)).toBeLessThanOrEqual(MAX_THROTTLE_TIME_MS);
      }
    }
  });
});

describe('ClientQuotaManager throttle time (QuotaUtils.throttleTime)', () => {
  it('is (rate - bound) / bound × window, and 0 within the quota', () => {
    const m = new ClientQuotaManager('Produce', undefined, { enforcement: 'rate' });
    m.updateQuota({ clientId: 'c1' }, 1000);
    // 10 s of quota at once is within it (the window counts as 10 s)
    expect(m.maybeRecordAndGetThrottleTimeMs('ANONYMOUS', 'c1', 10_000, 0)).toBe(0);
    // 1000 more: rate 1100 over 10 s, (1100 - 1000) / 1000 × 10 000 ms
    expect(m.maybeRecordAndGetThrottleTimeMs('ANONYMOUS', 'c1', 1000, 0)).toBe(1000);
    // other clients are not concerned
    expect(m.maybeRecordAndGetThrottleTimeMs('ANONYMOUS', 'c2', 1e9, 0)).toBe(0);
  });

  it('reproduces Kafka 2.1.1 run 2 of quotas.txt: about +1000 ms per 1141-byte batch at 1024 B/s', () => {
    const m = new QuotaManagers({ numQuotaSamples: 11, quotaWindowSizeSeconds: 1 }).produce;
    m.updateQuota({ clientId: 'c1' }, 1024);
    const t = 0;
    const throttles: number[] = [];
    for (let i = 0; i < 15; i++) {
      const ms = m.maybeRecordAndGetThrottleTimeMs('ANONYMOUS', 'c1', 1141, t);
      if (ms > 0) throttles.push(ms);
    }
    expect(throttles.length).toBeGreaterThan(3);
    const steps = throttles.slice(1).map((v, i) => v - throttles[i]);
    for (const s of steps) expect(Math.abs(s - (1141 / 1024) * 10_000 / 10)).toBeLessThan(120);
  });

  it('bounds request-quota throttles to one window', () => {
    const q = new QuotaManagers({ numQuotaSamples: 11, quotaWindowSizeSeconds: 1 });
    q.applyEntityConfig('clients/c1', new Map([['request_percentage', '1']]));
    expect(q.request.maybeRecordAndGetThrottleTimeMs('u', 'c1', 500, 0)).toBe(1000);
  });

  /** A producer sending `size`-byte requests back to back whenever not muted; bytes per 30 s windows after 15 s. */
  function saturatingProducer(m: ClientQuotaManager, size: number): number[] {
    let sent = 0;
    let mutedUntil = 0;
    const at: number[] = [];
    for (let t = 0; t <= 80_000; t++) {
      if (t >= mutedUntil) {
        const ms = m.maybeRecordAndGetThrottleTimeMs('u', 'p', size, t);
        sent += size;
        mutedUntil = t + Math.max(ms, 2);
      }
      if (t % 1000 === 0) at.push(sent);
    }
    const rates: number[] = [];
    for (let s = 15; s + 30 < at.length; s++) rates.push((at[s + 30] - at[s]) / 30);
    return rates;
  }

  it("Kafka's sampled rate: a saturating producer alternates bursts and starvation (its rate over 30 s swings)", () => {
    const m = new ClientQuotaManager('Produce', undefined, { enforcement: 'rate' });
    m.updateQuota({ clientId: 'p' }, 100_000);
    const rates = saturatingProducer(m, 4096);
    expect(Math.max(...rates)).toBeGreaterThan(100_000 * 1.08);
    expect(Math.min(...rates)).toBeLessThan(100_000 * 0.8);
  });

  it('the token bucket (produce and fetch) holds a saturating producer within 5% of its quota over any 30 s', () => {
    for (const size of [1000, 16_384, 65_536]) {
      const q = new QuotaManagers({ numQuotaSamples: 11, quotaWindowSizeSeconds: 1 });
      q.applyEntityConfig('clients/p', new Map([['producer_byte_rate', '100000']]));
      const rates = saturatingProducer(q.produce, size);
      for (const r of rates) expect([size, Math.abs(r - 100_000) / 100_000 < 0.05]).toEqual([size, true]);
    }
  });
});

describe('QuotaManagers.applyEntityConfig (QuotaConfigHandler)', () => {
  it('sets and removes the three quotas of an entity from its znode', () => {
    const q = new QuotaManagers({ numQuotaSamples: 11, quotaWindowSizeSeconds: 1 });
    q.applyEntityConfig(
      'users/alice/clients/c%2A1',
      new Map([
        ['producer_byte_rate', '1024'],
        ['consumer_byte_rate', '2048'],
        ['request_percentage', '12.5'],
        ['SCRAM-SHA-256', 'salt=…'],
      ]),
    );
    expect(q.produce.quota('alice', 'c*1')).toBe(1024);
    expect(q.fetch.quota('alice', 'c*1')).toBe(2048);
    expect(q.request.quota('alice', 'c*1')).toBe(12.5);
    q.applyEntityConfig('users/alice/clients/c%2A1', new Map([['producer_byte_rate', '1']]));
    expect(q.produce.quota('alice', 'c*1')).toBe(1);
    expect(q.fetch.quota('alice', 'c*1')).toBe(Infinity);
  });

  it('parses the entity paths notifications name, and nothing else', () => {
    expect(quotaEntityOfPath('clients/<default>')).toEqual({ clientId: D });
    expect(quotaEntityOfPath('users/<default>/clients/<default>')).toEqual({ sanitizedUser: D, clientId: D });
    expect(quotaEntityOfPath('users/a%40b')).toEqual({ sanitizedUser: 'a%40b' });
    expect(quotaEntityOfPath('topics/t')).toBeNull();
    expect(quotaEntityOfPath('users/a/topics/b')).toBeNull();
  });

  it('refuses a value that is not a number, changing nothing', () => {
    const q = new QuotaManagers({ numQuotaSamples: 11, quotaWindowSizeSeconds: 1 });
    expect(() => q.applyEntityConfig('clients/c', new Map([['producer_byte_rate', 'lots']]))).toThrow(/not a number/);
    expect(q.produce.quotasEnabled).toBe(false);
  });
});
