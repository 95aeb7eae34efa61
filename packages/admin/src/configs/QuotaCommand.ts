/**
 * kafka-configs --bootstrap-server for quotas of users and clients (Kafka 2.8's alterQuotaConfigs and
 * describeClientQuotaAndUserScramCredentialConfigs), over ClientQuotasAdmin.
 */
import { ConfigType } from '@samsa/zk';
import { commandConfigSecurity, withSecurityHint } from '../cli/CommandConfig';
import { UsageError, type ParsedOptions } from '../cli/OptionParser';
import { timeoutFromEnv, type CommandIo } from '../topics/TopicCommand';
import { alterClientQuotas, describeClientQuotas, QuotaEntityType, quotaLine, type QuotaEntityPart } from './ClientQuotasAdmin';
import { parseChanges, SCRAM_NAMES } from './ConfigChanges';
import type { BrokerTarget } from './ScramCredentialsAdmin';
import { QUOTA_CONFIGS } from './ZkEntityConfigs';

/** What the quota part needs of the command's dependencies. */
export interface QuotaCommandDeps {
  readonly timeoutMs?: number;
}

const isQuotaConfig = (k: string): boolean => Object.prototype.hasOwnProperty.call(QUOTA_CONFIGS, k);

/**
 * Quotas through --bootstrap-server: clients (alone or with users) always; users when a quota
 * config is added or deleted (describe of users prints quotas beside the SCRAM credentials).
 */
export function isQuotaCommand(o: ParsedOptions): boolean {
  if (!o.has('bootstrap-server') || o.has('user')) return false;
  const types = o.valuesOf('entity-type');
  if (types.includes(ConfigType.Client)) return true;
  if (types[0] !== ConfigType.User || !o.has('alter')) return false;
  const { add, del } = parseChanges(o);
  return [...add.keys(), ...del].some(isQuotaConfig);
}

/** Kafka's alterQuotaConfigs / describeClientQuotaAndUserScramCredentialConfigs. */
export async function runQuotas(args: readonly string[], o: ParsedOptions, io: CommandIo, deps: QuotaCommandDeps): Promise<number> {
  const types = o.valuesOf('entity-type');
  // entity names in the order given, then the default for --entity-default (Kafka keeps the command line's order)
  const names = [...o.valuesOf('entity-name'), ...(o.has('entity-default') ? [''] : [])];
  if (names.length > types.length) throw new UsageError('More entity names specified than entity types');
  const entityTypeOf = (t: string) => (t === ConfigType.User ? QuotaEntityType.USER : QuotaEntityType.CLIENT_ID);
  const target: BrokerTarget = {
    bootstrapServer: o.valueOf('bootstrap-server')!,
    security: commandConfigSecurity(o.valueOf('command-config')),
    timeoutMs: deps.timeoutMs ?? timeoutFromEnv(),
  };
  const filter = types.map((t, i) => ({ entityType: entityTypeOf(t), match: names[i] }));
  if (o.has('alter')) {
    if (names.length !== types.length)
      throw new UsageError('--entity-name or --entity-default must be specified with each --entity-type for --alter');
    const { add, del } = parseChanges(o);
    const unknownAdd = [...add.keys()].filter((k) => !isQuotaConfig(k));
    const unknownDel = del.filter((k) => !isQuotaConfig(k));
    const label = types[0] === ConfigType.Client || types.length === 2 ? `'${ConfigType.Client}'` : null;
    if (label !== null && unknownAdd.length > 0)
      throw new UsageError(`Only quota configs can be added for ${label} using --bootstrap-server. Unexpected config names: Set(${unknownAdd.join(', ')})`);
    if (label !== null && unknownDel.length > 0)
      throw new UsageError(`Only quota configs can be deleted for ${label} using --bootstrap-server. Unexpected config names: List(${unknownDel.join(', ')})`);
    if (label === null && unknownAdd.length + unknownDel.length > 0) {
      if (unknownAdd.some((k) => !SCRAM_NAMES.includes(k)) || unknownDel.some((k) => !SCRAM_NAMES.includes(k)))
        throw new UsageError(`Only quota and SCRAM credential configs can be added for '${ConfigType.User}' using --bootstrap-server. Unexpected config names: Set(${unknownAdd.join(', ')})`);
      throw new UsageError(`Cannot alter both quota and SCRAM credential configs simultaneously for '${ConfigType.User}' using --bootstrap-server.`);
    }
    const set = new Map<string, number>();
    for (const [k, v] of add) {
      const n = Number(v);
      if (v.trim() === '' || Number.isNaN(n)) throw new UsageError(`Cannot parse quota configuration value for ${k}: ${v}`);
      set.set(k, n);
    }
    try {
      const current = await describeClientQuotas(target, filter);
      const old = new Set(current.flatMap((e) => [...e.values.keys()]));
      const invalid = del.filter((k) => !old.has(k));
      if (invalid.length > 0) throw new UsageError(`Invalid config(s): ${invalid.join(',')}`);
      const entity: QuotaEntityPart[] = types.map((t, i) => ({ entityType: entityTypeOf(t), entityName: names[i] === '' ? null : names[i] }));
      await alterClientQuotas(target, entity, set, del);
    } catch (e) {
      return quotaFailure(args, e, target, io);
    }
    const head = names[0];
    if (head !== '') io.out(`Completed updating config for ${types[0].slice(0, -1)} ${head}.`);
    else io.out(`Completed updating default config for ${types[0]} in the cluster.`);
    return 0;
  }
  try {
    for (const entry of await describeClientQuotas(target, filter)) io.out(quotaLine(entry));
    return 0;
  } catch (e) {
    return quotaFailure(args, e, target, io);
  }
}

function quotaFailure(args: readonly string[], e: unknown, target: BrokerTarget, io: CommandIo): number {
  if (e instanceof UsageError) {
    io.err(e.message);
    return 1;
  }
  io.err(`Error while executing config command with args '${args.join(' ')}'`);
  io.err(withSecurityHint(e instanceof Error ? e.message : String(e), target.security));
  return 1;
}
