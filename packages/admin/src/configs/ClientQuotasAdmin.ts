/**
 * kafka-configs --bootstrap-server for quotas of users and clients (KIP-546), as Kafka 2.8's
 * ConfigCommand does it: DescribeClientQuotas with a containsOnly filter of the entity types and
 * names given, AlterClientQuotas with one entity and its set/remove operations (values as doubles).
 */
import { sendAndReceive } from '@samsa/client';
import { ApiKey, errorInfo, ErrorCode } from '@samsa/protocol';
import { options, toAnyBroker, type BrokerTarget } from './ScramCredentialsAdmin';

/** Kafka's ClientQuotaEntity entity types. */
export const QuotaEntityType = { USER: 'user', CLIENT_ID: 'client-id' } as const;

/** One component of an entity: its type and name, null for the default entity. */
export interface QuotaEntityPart {
  readonly entityType: string;
  readonly entityName: string | null;
}

/** A filter component (Kafka's ClientQuotaFilterComponent): a name, the default (""), or any (undefined). */
export interface QuotaFilterPart {
  readonly entityType: string;
  readonly match: string | undefined;
}

export interface QuotaEntry {
  readonly entity: readonly QuotaEntityPart[];
  readonly values: ReadonlyMap<string, number>;
}

/** Whether the broker answering the bootstrap address serves an API (ApiVersions). */
export async function brokerSupports(target: BrokerTarget, apiKey: number): Promise<boolean> {
  const r = await toAnyBroker(target, (s) => sendAndReceive(options(target, s), ApiKey.ApiVersions, 0, {}));
  return r.apiKeys.some((k) => k.apiKey === apiKey);
}

/** Kafka's DescribeClientQuotas match types. */
const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

/** DescribeClientQuotas v0, strict (Kafka's ClientQuotaFilter.containsOnly). */
export async function describeClientQuotas(target: BrokerTarget, filter: readonly QuotaFilterPart[]): Promise<QuotaEntry[]> {
  const components = filter.map((f) => ({
    entityType: f.entityType,
    matchType: f.match === undefined ? MatchType.SPECIFIED : f.match === '' ? MatchType.DEFAULT : MatchType.EXACT,
    match: f.match === undefined || f.match === '' ? null : f.match,
  }));
  const r = await toAnyBroker(target, (s) =>
    sendAndReceive(options(target, s), ApiKey.DescribeClientQuotas, 0, { components, strict: true }),
  );
  if (r.errorCode !== ErrorCode.NONE) {
    const info = errorInfo(r.errorCode);
    throw new Error(`${info.name}: ${r.errorMessage ?? info.message}`);
  }
  return (r.entries ?? []).map((e) => ({
    entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName ?? null })),
    values: new Map(e.values.map((v) => [v.key, v.value])),
  }));
}

/** AlterClientQuotas v0 of one entity: `set` values, `remove` keys. */
export async function alterClientQuotas(
  target: BrokerTarget,
  entity: readonly QuotaEntityPart[],
  set: ReadonlyMap<string, number>,
  remove: readonly string[],
): Promise<void> {
  const ops = [
    ...[...set].map(([key, value]) => ({ key, value, remove: false })),
    ...remove.map((key) => ({ key, value: 0, remove: true })),
  ];
  const r = await toAnyBroker(target, (s) =>
    sendAndReceive(options(target, s), ApiKey.AlterClientQuotas, 0, { entries: [{ entity, ops }], validateOnly: false }),
  );
  const result = r.entries[0];
  if (result !== undefined && result.errorCode !== ErrorCode.NONE) {
    const info = errorInfo(result.errorCode);
    throw new Error(`${info.name}: ${result.errorMessage ?? info.message}`);
  }
}

/** Kafka's line for an entity's quotas: "Quota configs for user-principal 'alice', the default client-id are k=v, …". */
export function quotaLine(entry: QuotaEntry): string {
  const part = (type: string, label: string): string[] =>
    entry.entity
      .filter((p) => p.entityType === type)
      .map((p) => (p.entityName !== null ? `${label} '${p.entityName}'` : `the default ${label}`));
  const entity = [...part(QuotaEntityType.USER, 'user-principal'), ...part(QuotaEntityType.CLIENT_ID, 'client-id')].join(', ');
  const values = [...entry.values].map(([k, v]) => `${k}=${javaDouble(v)}`).join(', ');
  return `Quota configs for ${entity} are ${values}`;
}

/** A double as Java's Double.toString prints the usual quota values (1024 → "1024.0"). */
export function javaDouble(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return `${v}.0`;
  if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e7) return String(v);
  const [mantissa, exponent] = v.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}
