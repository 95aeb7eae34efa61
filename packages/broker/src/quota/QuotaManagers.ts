import { desanitize } from '@samsa/security';
import { ClientQuotaManager, DEFAULT_ENTITY, type ClientQuotaManagerConfig, type QuotaEntity } from './ClientQuotaManager';

/** The quota config keys of users and clients znodes (Kafka's DynamicConfig.Client / QuotaConfigs). */
export const QuotaConfigs = {
  ProducerByteRate: 'producer_byte_rate',
  ConsumerByteRate: 'consumer_byte_rate',
  RequestPercentage: 'request_percentage',
} as const;

export interface QuotaManagersOptions {
  readonly numQuotaSamples: number;
  readonly quotaWindowSizeSeconds: number;
  /** quota.producer.default (deprecated in Kafka 2.8, still honoured): unset = none. */
  readonly producerQuotaDefault?: number;
  /** quota.consumer.default */
  readonly consumerQuotaDefault?: number;
  readonly now?: () => number;
}

/**
 * The broker's client quota managers (Kafka's QuotaManagers without the replication ones):
 * produce and fetch bytes per second, and request time as a percentage of one thread (on Node,
 * of the event loop).
 */
export class QuotaManagers {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientQuotaManager;

  constructor(o: QuotaManagersOptions) {
    const base: ClientQuotaManagerConfig = { numQuotaSamples: o.numQuotaSamples, quotaWindowSizeSeconds: o.quotaWindowSizeSeconds };
    const bytes = { now: o.now, enforcement: 'tokenBucket' as const };
    this.produce = new ClientQuotaManager('Produce', { ...base, quotaDefault: o.producerQuotaDefault }, bytes);
    this.fetch = new ClientQuotaManager('Fetch', { ...base, quotaDefault: o.consumerQuotaDefault }, bytes);
    // ClientRequestQuotaManager: a request's throttle never exceeds one quota window
    this.request = new ClientQuotaManager('Request', base, { now: o.now, maxThrottleTimeMs: o.quotaWindowSizeSeconds * 1000 });
  }

  /**
   * Kafka's QuotaConfigHandler (what ClientIdConfigHandler and UserConfigHandler share): the
   * quotas of one users/… or clients/… znode applied to the three managers, absent keys removing
   * them. `entityPath` is the path under /config as the change notification names it:
   * "clients/<c>", "users/<u>", "users/<u>/clients/<c>", with sanitized names or `<default>`.
   */
  applyEntityConfig(entityPath: string, config: ReadonlyMap<string, string>): void {
    const entity = quotaEntityOfPath(entityPath);
    if (entity === null) throw new Error(`not a quota entity path: ${entityPath}`);
    const num = (key: string): number | undefined => {
      const v = config.get(key);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${key}=${v} of ${entityPath} is not a number`);
      return n;
    };
    const produce = num(QuotaConfigs.ProducerByteRate);
    const consume = num(QuotaConfigs.ConsumerByteRate);
    const request = num(QuotaConfigs.RequestPercentage);
    this.produce.updateQuota(entity, produce === undefined ? undefined : Math.trunc(produce));
    this.fetch.updateQuota(entity, consume === undefined ? undefined : Math.trunc(consume));
    this.request.updateQuota(entity, request);
  }
}

/**
 * The quota entity a config path names: users/<u>[/clients/<c>] or clients/<c>, with the user
 * kept sanitized and the client id desanitized (as Kafka's quota managers key them); null when the
 * path names no quota entity.
 */
export function quotaEntityOfPath(entityPath: string): QuotaEntity | null {
  const parts = entityPath.split('/');
  const client = (s: string): string => (s === DEFAULT_ENTITY ? DEFAULT_ENTITY : desanitize(s));
  if (parts.length === 2 && parts[0] === 'clients' && parts[1] !== '') return { clientId: client(parts[1]) };
  if (parts.length === 2 && parts[0] === 'users' && parts[1] !== '') return { sanitizedUser: parts[1] };
  if (parts.length === 4 && parts[0] === 'users' && parts[2] === 'clients' && parts[1] !== '' && parts[3] !== '') {
    return { sanitizedUser: parts[1], clientId: client(parts[3]) };
  }
  return null;
}
