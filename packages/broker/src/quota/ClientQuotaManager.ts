import { sanitize } from '@samsa/security';
import { SampledRate, TokenBucket, type RateConfig } from './Rate';


/** The largest throttle_time_ms a response can carry (int32). */
export const MAX_THROTTLE_TIME_MS = 0x7fffffff;
/** The znode name of a default entity (Kafka's ConfigEntityName.Default). */
export const DEFAULT_ENTITY = '<default>';

/** Which quota a manager keeps (Kafka's QuotaType): also the metric type in kafka.server. */
export type QuotaType = 'Produce' | 'Fetch' | 'Request';

/** Kafka's ClientQuotaManagerConfig. */
export interface ClientQuotaManagerConfig {
  /** quota.window.num (11). */
  readonly numQuotaSamples: number;
  /** quota.window.size.seconds (1). */
  readonly quotaWindowSizeSeconds: number;
  /** quota.producer.default / quota.consumer.default: the static client-id quota (unset: none). */
  readonly quotaDefault?: number;
}

export const DEFAULT_QUOTA_MANAGER_CONFIG: ClientQuotaManagerConfig = Object.freeze({
  numQuotaSamples: 11,
  quotaWindowSizeSeconds: 1,
});

/**
 * An entity quotas are set for: the sanitized user (or DEFAULT_ENTITY) and the client id (or
 * DEFAULT_ENTITY), either possibly absent (Kafka's KafkaQuotaEntity).
 */
export interface QuotaEntity {
  readonly sanitizedUser?: string;
  readonly clientId?: string;
}

/** The tags a client's quota sensor is shared under (Kafka's quota metric tags): '' for "any". */
export interface QuotaMetricTags {
  readonly user: string;
  readonly clientId: string;
}

/** One sensor pair of Kafka's ClientSensors: the rate quota is checked on, and the throttle times. */
export interface ClientSensors {
  readonly tags: QuotaMetricTags;
  readonly rate: SampledRate;
  /** What throttles are decided on with the 'tokenBucket' enforcement. */
  readonly bucket: TokenBucket;
  /** The quota the rate is checked against (Infinity: none). */
  bound: number;
  /** Throttle times recorded, for the throttle-time metric (average over the last window). */
  readonly throttleTime: SampledRate;
  readonly throttleCount: SampledRate;
  lastRecordMs: number;
}

/**
 * How the throttle is decided. 'rate': Kafka 2.8's, on the sampled Rate ((rate − bound) / bound ×
 * window). 'tokenBucket': on a TokenBucket of the same quota and burst (quota × samples × window),
 * throttled for −tokens / quota. Kafka's sampled rate lets a client that keeps over its quota send
 * ten windows of quota at once each time the oldest sample expires, then starves it for ten seconds
 * (a sawtooth of period ≈ samples × window): over any 30 s its throughput swings by ±10–25% around the
 * quota. The bucket gives the same long-run rate and the same first burst without the sawtooth, which
 * the issue's "within 10% over 30 s" requires. The byte-rate metric stays Kafka's sampled Rate.
 */
export type QuotaEnforcement = 'rate' | 'tokenBucket';

const QuotaTypes = { NoQuotas: 0, ClientIdQuotaEnabled: 1, UserQuotaEnabled: 2, UserClientIdQuotaEnabled: 4 } as const;

/** Kafka's InactiveSensorExpirationTimeSeconds: a client's sensors go after an hour unused. */
const INACTIVE_SENSOR_EXPIRATION_MS = 3600 * 1000;

function entityKey(e: QuotaEntity): string {
  return `${e.sanitizedUser === undefined ? '-' : `u:${e.sanitizedUser}`}|${e.clientId === undefined ? '-' : `c:${e.clientId}`}`;
}

function tagsKey(t: QuotaMetricTags): string {
  return `${t.user}\u0000${t.clientId}`;
}

/**
 * Kafka's ClientQuotaManager with its DefaultQuotaCallback: byte-rate (or, subclassed, request
 * time) quotas per user, client id, or user and client id, with `<default>` entries, looked up in
 * Kafka's eight levels of precedence:
 *
 *   1. /config/users/<user>/clients/<client-id>   5. /config/users/<default>/clients/<default>
 *   2. /config/users/<user>/clients/<default>     6. /config/users/<default>
 *   3. /config/users/<user>                       7. /config/clients/<client-id>
 *   4. /config/users/<default>/clients/<client-id> 8. /config/clients/<default>
 *
 * (then the static quota.*.default for client ids). Clients whose quota comes from the same entry
 * share one sensor (its metric tags): a `users/alice` quota is shared by all of alice's clients.
 *
 * Recording adds the value, then checks the rate: over the bound, the client is throttled for the
 * time that brings the rate back to the bound if nothing more came (Kafka's QuotaUtils.throttleTime:
 * (rate − bound) / bound × window).
 */
export class ClientQuotaManager {
  private readonly overriddenQuotas = new Map<string, number>();
  private readonly sensors = new Map<string, ClientSensors>();
  private quotaTypesEnabled: number;
  private readonly now: () => number;
  private config: ClientQuotaManagerConfig;

  constructor(
    readonly quotaType: QuotaType,
    config: ClientQuotaManagerConfig = DEFAULT_QUOTA_MANAGER_CONFIG,
    options: { readonly now?: () => number; readonly maxThrottleTimeMs?: number; readonly enforcement?: QuotaEnforcement } = {},
  ) {
    this.config = config;
    this.enforcement = options.enforcement ?? 'rate';
    this.now = options.now ?? Date.now;
    // throttle_time_ms is an int32 on the wire (a quota of 0, or a debt of days, stays encodable)
    this.maxThrottleTimeMs = Math.min(options.maxThrottleTimeMs ?? MAX_THROTTLE_TIME_MS, MAX_THROTTLE_TIME_MS);
    this.quotaTypesEnabled = config.quotaDefault === undefined ? QuotaTypes.NoQuotas : QuotaTypes.ClientIdQuotaEnabled;
  }

  private readonly enforcement: QuotaEnforcement;

  /** Request quotas bound the throttle to one window (ClientRequestQuotaManager); byte quotas do not. */
  private readonly maxThrottleTimeMs: number;

  /**
   * True once any quota has been set for this type (static default, dynamic default or override);
   * stays true until restart even if all are removed, as Kafka's.
   */
  get quotasEnabled(): boolean {
    return this.quotaTypesEnabled !== QuotaTypes.NoQuotas;
  }

  /** Records `value` for the client when quotas are enabled; the throttle time in ms, 0 within quota. */
  maybeRecordAndGetThrottleTimeMs(user: string, clientId: string, value: number, timeMs = this.now()): number {
    if (!this.quotasEnabled) return 0;
    return this.recordAndGetThrottleTimeMs(user, clientId, value, timeMs);
  }

  /** `user` is the principal's name (not sanitized). */
  recordAndGetThrottleTimeMs(user: string, clientId: string, value: number, timeMs = this.now()): number {
    const s = this.getOrCreateQuotaSensors(user, clientId, timeMs);
    s.rate.record(value, timeMs);
    s.lastRecordMs = timeMs;
    if (s.bound === Infinity) return 0;
    if (this.enforcement === 'tokenBucket') {
      const tokens = s.bucket.record(value, s.bound, timeMs);
      return tokens >= 0 ? 0 : Math.min(Math.round((-tokens / s.bound) * 1000), this.maxThrottleTimeMs);
    }
    const rate = s.rate.measure(timeMs);
    if (rate <= s.bound) return 0;
    const throttle = Math.round(((rate - s.bound) / s.bound) * s.rate.windowSize(timeMs));
    return Math.min(throttle, this.maxThrottleTimeMs);
  }

  /**
   * The throttle a client is under now without recording anything: the time until its debt is
   * paid (token bucket) or its rate is back at the quota (rate); 0 within quota.
   */
  currentThrottleTimeMs(user: string, clientId: string, timeMs = this.now()): number {
    if (!this.quotasEnabled) return 0;
    const s = this.getOrCreateQuotaSensors(user, clientId, timeMs);
    if (s.bound === Infinity) return 0;
    if (this.enforcement === 'tokenBucket') {
      const tokens = s.bucket.measure(s.bound, timeMs);
      return tokens >= 0 ? 0 : Math.min(Math.ceil((-tokens / s.bound) * 1000), this.maxThrottleTimeMs);
    }
    const rate = s.rate.measure(timeMs);
    return rate <= s.bound ? 0 : Math.min(Math.round(((rate - s.bound) / s.bound) * s.rate.windowSize(timeMs)), this.maxThrottleTimeMs);
  }

  /** Records without checking the quota (the next request pays for it). */
  recordNoThrottle(user: string, clientId: string, value: number, timeMs = this.now()): void {
    if (!this.quotasEnabled) return;
    const s = this.getOrCreateQuotaSensors(user, clientId, timeMs);
    s.rate.record(value, timeMs);
    if (s.bound !== Infinity) s.bucket.record(value, s.bound, timeMs);
  }

  /** Takes back a recorded value: a throttled fetch answers an empty response. */
  unrecordQuotaSensor(user: string, clientId: string, value: number, timeMs = this.now()): void {
    const s = this.getOrCreateQuotaSensors(user, clientId, timeMs);
    s.rate.record(-value, timeMs);
    if (s.bound !== Infinity) s.bucket.record(-value, s.bound, timeMs);
  }

  /**
   * The most that can be recorded at once without being throttled for sure (quota × (samples − 1)
   * windows): what a fetch may return. Infinity without quota.
   */
  getMaxValueInQuotaWindow(user: string, clientId: string): number {
    if (!this.quotasEnabled) return Infinity;
    const limit = this.quotaLimit(this.quotaMetricTags(sanitize(user), clientId));
    return limit === undefined ? Infinity : limit * (this.config.numQuotaSamples - 1) * this.config.quotaWindowSizeSeconds;
  }

  /** Records a throttle the channel is muted for (the throttle-time metric). */
  recordThrottle(user: string, clientId: string, throttleTimeMs: number, timeMs = this.now()): void {
    if (throttleTimeMs <= 0) return;
    const s = this.getOrCreateQuotaSensors(user, clientId, timeMs);
    s.throttleTime.record(throttleTimeMs, timeMs);
    s.throttleCount.record(1, timeMs);
  }

  /** The quota of a client (tests and DescribeClientQuotas' resolution): Infinity when none. */
  quota(user: string, clientId: string): number {
    return this.quotaLimit(this.quotaMetricTags(sanitize(user), clientId)) ?? Infinity;
  }

  /** The sensors now kept (metrics). */
  allSensors(): readonly ClientSensors[] {
    return [...this.sensors.values()];
  }

  /**
   * Sets (or, with `quota` undefined, removes) the quota of an entity, as the config handlers do
   * on a users/… or clients/… change. `clientId` is the client id as clients send it (desanitized);
   * either may be DEFAULT_ENTITY.
   */
  updateQuota(entity: QuotaEntity, quota: number | undefined): void {
    if (entity.sanitizedUser !== undefined) {
      this.quotaTypesEnabled |= entity.clientId !== undefined ? QuotaTypes.UserClientIdQuotaEnabled : QuotaTypes.UserQuotaEnabled;
    } else if (entity.clientId !== undefined) {
      this.quotaTypesEnabled |= QuotaTypes.ClientIdQuotaEnabled;
    }
    if (quota === undefined) this.overriddenQuotas.delete(entityKey(entity));
    else this.overriddenQuotas.set(entityKey(entity), quota);
    // every live sensor re-reads its bound (Kafka narrows this to one metric when it can)
    for (const s of this.sensors.values()) s.bound = this.quotaLimit(s.tags) ?? Infinity;
  }

  /** Kafka's quota.window.* changed: the rates are kept, sampled with the new windows. */
  reconfigure(config: ClientQuotaManagerConfig): void {
    this.config = config;
    for (const s of this.sensors.values()) {
      s.rate.config = this.rateConfig();
      s.bucket.config = this.rateConfig();
      s.throttleTime.config = this.rateConfig();
      s.throttleCount.config = this.rateConfig();
    }
  }

  private rateConfig(): RateConfig {
    return { samples: this.config.numQuotaSamples, timeWindowMs: this.config.quotaWindowSizeSeconds * 1000 };
  }

  getOrCreateQuotaSensors(user: string, clientId: string, timeMs = this.now()): ClientSensors {
    const tags = this.quotaMetricTags(sanitize(user), clientId);
    const key = tagsKey(tags);
    let s = this.sensors.get(key);
    if (s === undefined) {
      this.expireInactiveSensors(timeMs);
      s = {
        tags,
        rate: new SampledRate(this.rateConfig()),
        bucket: new TokenBucket(this.rateConfig()),
        bound: this.quotaLimit(tags) ?? Infinity,
        throttleTime: new SampledRate(this.rateConfig()),
        throttleCount: new SampledRate(this.rateConfig()),
        lastRecordMs: timeMs,
      };
      this.sensors.set(key, s);
    }
    return s;
  }

  private expireInactiveSensors(now: number): void {
    for (const [k, s] of this.sensors) if (now - s.lastRecordMs > INACTIVE_SENSOR_EXPIRATION_MS) this.sensors.delete(k);
  }

  private has(sanitizedUser: string | undefined, clientId: string | undefined): boolean {
    return this.overriddenQuotas.has(entityKey({ sanitizedUser, clientId }));
  }

  private get(sanitizedUser: string | undefined, clientId: string | undefined): number | undefined {
    return this.overriddenQuotas.get(entityKey({ sanitizedUser, clientId }));
  }

  /** Kafka's DefaultQuotaCallback.quotaMetricTags: which entry's sensor a client shares. */
  quotaMetricTags(sanitizedUser: string, clientId: string): QuotaMetricTags {
    switch (this.quotaTypesEnabled) {
      case QuotaTypes.NoQuotas:
      case QuotaTypes.ClientIdQuotaEnabled:
        return { user: '', clientId };
      case QuotaTypes.UserQuotaEnabled:
        return { user: sanitizedUser, clientId: '' };
      case QuotaTypes.UserClientIdQuotaEnabled:
        return { user: sanitizedUser, clientId };
      default: {
        const D = DEFAULT_ENTITY;
        if (this.has(sanitizedUser, clientId) || this.has(sanitizedUser, D)) return { user: sanitizedUser, clientId };
        if (this.has(sanitizedUser, undefined)) return { user: sanitizedUser, clientId: '' };
        if (this.has(D, clientId) || this.has(D, D)) return { user: sanitizedUser, clientId };
        if (this.has(D, undefined)) return { user: sanitizedUser, clientId: '' };
        return { user: '', clientId };
      }
    }
  }

  /** Kafka's DefaultQuotaCallback.quotaLimit: the quota for a sensor's tags, in precedence order. */
  quotaLimit(tags: QuotaMetricTags): number | undefined {
    const { user, clientId } = tags;
    const D = DEFAULT_ENTITY;
    if (user !== '' && clientId !== '') {
      return this.get(user, clientId) ?? this.get(user, D) ?? this.get(D, clientId) ?? this.get(D, D);
    }
    if (user !== '') return this.get(user, undefined) ?? this.get(D, undefined);
    if (clientId !== '') return this.get(undefined, clientId) ?? this.get(undefined, D) ?? this.config.quotaDefault;
    return undefined;
  }
}
