/**
 * kafka-configs (Kafka 2.8's ConfigCommand). Topics, brokers (per id and --entity-default) and
 * clients through ZooKeeper (ZkEntityConfigs.ts), topics and brokers through --bootstrap-server
 * (BrokerConfigsAdmin.ts: DescribeConfigs with synonyms, --describe --all, IncrementalAlterConfigs
 * and AlterConfigs), in Kafka's lines. And SCRAM credentials of users —
 *
 *   --zookeeper Z --alter --entity-type users --entity-name alice
 *       --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=…]'
 *       --delete-config SCRAM-SHA-512
 *   --zookeeper Z --describe --entity-type users [--entity-name alice]
 *
 * written as Kafka writes them: the salted credential (never the password) in /config/users/<user>
 * (sanitized name) and a users/<user> change notification, which every broker applies live.
 * Quotas of users and clients through --bootstrap-server (ClientQuotasAdmin.ts) and broker-loggers
 * (a broker's log levels) too.
 */
import {
  credentialToString,
  desanitize,
  sanitize,
  SCRAM_DEFAULT_ITERATIONS,
  scramMechanism,
  ScramFormatter,
} from '@samsa/security';
import type { ClientSecurity } from '@samsa/client';
import { ConfigType, type KafkaZkClient } from '@samsa/zk';
import { AdminZkClient } from '@samsa/admin-zk';
import { OptionParser, UsageError, type ParsedOptions } from '../cli/OptionParser';
import { COMMAND_CONFIG_HELP, commandConfigSecurity, withSecurityHint } from '../cli/CommandConfig';
import { defaultConnectZk, timeoutFromEnv, type CommandIo } from '../topics/TopicCommand';
import { parseChanges, parseConfigsToBeAdded, SCRAM_NAMES } from './ConfigChanges';
import { isQuotaCommand, runQuotas } from './QuotaCommand';
import { alterWithZk, describeWithZk, sanitizedEntityName } from './ZkEntityConfigs';
import {
  alterBrokerConfigs,
  clusterBrokers,
  configSourceName,
  describeResourceConfigs,
  incrementalAlterResource,
  ResourceType,
  topicNames,
  type DescribedConfig,
} from './BrokerConfigsAdmin';
import { ApiKey } from '@samsa/protocol';
import { brokerSupports, describeClientQuotas, QuotaEntityType, quotaLine } from './ClientQuotasAdmin';
export { parseConfigsToBeAdded } from './ConfigChanges';
import { alterUserScramCredentials, describeUserScramCredentials, type BrokerTarget, type ScramUpsert } from './ScramCredentialsAdmin';

export interface ConfigCommandDeps {
  connectZk?: (connectString: string, timeoutMs: number) => Promise<KafkaZkClient>;
  timeoutMs?: number;
}

export function configCommandParser(): OptionParser {
  return new OptionParser()
    .acceptsArg('zookeeper', 'The connection string for the zookeeper connection in the form host:port. Multiple URLS can be given to allow fail-over.', 'urls')
    .acceptsArg('bootstrap-server', 'The Kafka server to connect to.', 'server to connect to')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'command config property file')
    .accepts('alter', 'Alter the configuration for the entity.')
    .accepts('describe', 'List configs for the given entity.')
    .accepts('all', 'List all configs for the given topic, broker, or broker-logger entity (includes static configuration when the entity type is brokers)')
    .acceptsArg('entity-type', 'Type of entity (topics/clients/users/brokers/broker-loggers)', 'String')
    .acceptsArg('entity-name', 'Name of entity (topic name/client id/user principal name/broker id)', 'String')
    .accepts('entity-default', 'Default entity name for clients/users/brokers (applies to corresponding entity type in command line)')
    .acceptsArg('user', "The user's principal name.", 'user-principal')
    .acceptsArg(
      'add-config',
      "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'. " +
        "For users: 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'",
      'String',
    )
    .acceptsArg('add-config-file', 'Path to a properties file with configs to add. See add-config for a list of valid configurations.', 'String')
    .acceptsArg('delete-config', 'config keys to remove \'k1,k2\'', 'String')
    .accepts('help', 'Print usage information.');
}

/** Kafka's preProcessScramCredentials: `[iterations=N,]password=P` → the credential string. */
export function scramCredentialOf(mechanismName: string, value: string, salt?: Buffer): string {
  const mechanism = scramMechanism(mechanismName)!;
  const m = /^(?:iterations=([0-9]*),)?password=(.*)$/s.exec(value);
  if (!m) throw new UsageError(`Invalid credential property ${mechanismName}=${value}`);
  const iterations = m[1] !== undefined ? Number(m[1]) : SCRAM_DEFAULT_ITERATIONS;
  if (iterations < mechanism.minIterations)
    throw new UsageError(`Iterations ${iterations} is less than the minimum ${mechanism.minIterations} required for ${mechanismName}`);
  return credentialToString(new ScramFormatter(mechanism).generateCredential(m[2], iterations, salt));
}

interface UserEntity {
  /** Sanitized; undefined: every user (describe only). */
  readonly sanitizedName: string | undefined;
}

function entityToString(sanitizedName: string): string {
  return sanitizedName === '<default>' ? 'default user-principal' : `user-principal '${desanitize(sanitizedName)}'`;
}

function parseEntity(o: ParsedOptions): UserEntity {
  const types = o.valuesOf('entity-type');
  const user = o.valueOf('user');
  if (user !== undefined) {
    if (types.length > 0) throw new UsageError('--entity-type cannot be given with --user');
    return { sanitizedName: sanitize(user) };
  }
  if (types.length === 0) throw new UsageError('At least one of --entity-type or --user must be specified');
  if (types.length > 1 || types[0] !== ConfigType.User) {
    throw new UsageError(
      `kafka-configs in Samsa handles --entity-type users (SCRAM credentials) only yet, not ${types.join(', ')}`,
    );
  }
  if (o.has('entity-default')) return { sanitizedName: '<default>' };
  const name = o.valueOf('entity-name');
  return { sanitizedName: name === undefined ? undefined : sanitize(name) };
}


interface UserChanges {
  readonly add: Map<string, string>;
  readonly del: string[];
}

/** The --add-config / --delete-config of users, checked (SCRAM only) and salted before ZooKeeper is reached. */
function userChanges(o: ParsedOptions, entity: UserEntity): UserChanges {
  if (entity.sanitizedName === undefined) throw new UsageError('an entity name must be specified with --alter of users');
  const add = o.has('add-config') ? parseConfigsToBeAdded(o.valueOf('add-config')!) : new Map<string, string>();
  const del = o.valuesOf('delete-config').flatMap((d) => d.split(',')).map((d) => d.trim());
  const errorMessage =
    `--bootstrap-server option must be specified to update users configs: {add: {${[...add.keys()].join(', ')}}, delete: ${del.join(',')}}` +
    '. User configuration updates using ZooKeeper are only supported for SCRAM credential updates.';
  if (![...add.keys()].every((k) => SCRAM_NAMES.includes(k)) || !del.every((k) => SCRAM_NAMES.includes(k)))
    throw new UsageError(errorMessage);
  for (const [k, v] of add) add.set(k, scramCredentialOf(k, v));
  return { add, del };
}

async function alterUser(zk: KafkaZkClient, entity: UserEntity, { add, del }: UserChanges, io: CommandIo): Promise<void> {
  if (entity.sanitizedName === undefined) throw new UsageError('an entity name must be specified with --alter of users');
  const admin = new AdminZkClient(zk);
  const configs = await admin.fetchEntityConfig(ConfigType.User, entity.sanitizedName);
  const invalid = del.filter((k) => !configs.has(k));
  if (invalid.length > 0) throw new Error(`Invalid config(s): ${invalid.join(',')}`);
  for (const [k, v] of add) configs.set(k, v);
  for (const k of del) configs.delete(k);
  await zk.setOrCreateEntityConfigs(ConfigType.User, entity.sanitizedName, configs);
  await zk.createConfigChangeNotification(`${ConfigType.User}/${entity.sanitizedName}`);
  io.out(`Completed updating config for entity: ${entityToString(entity.sanitizedName)}.`);
}

async function describeUsers(zk: KafkaZkClient, entity: UserEntity, io: CommandIo): Promise<void> {
  const admin = new AdminZkClient(zk);
  const all = entity.sanitizedName === undefined;
  const names = all ? (await zk.getAllEntitiesWithConfig(ConfigType.User)).sort() : [entity.sanitizedName!];
  for (const name of names) {
    const configs = await admin.fetchEntityConfig(ConfigType.User, name);
    if (configs.size === 0 && all) continue;
    io.out(`Configs for ${entityToString(name)} are ${[...configs].map(([k, v]) => `${k}=${v}`).join(',')}`);
  }
}

/** kafka-configs as a function: arguments in, lines out, exit status back. */
export async function runConfigCommand(args: readonly string[], io: CommandIo, deps: ConfigCommandDeps = {}): Promise<number> {
  const parser = configCommandParser();
  let o: ParsedOptions;
  let entity: UserEntity;
  let changes: UserChanges | undefined;
  try {
    o = parser.parse(args);
    if (o.has('help') || args.length === 0) {
      io.out('This tool helps to manipulate and describe entity config for a topic, client, user or broker');
      io.out(parser.helpText());
      return args.length === 0 ? 1 : 0;
    }
    if (o.has('alter') === o.has('describe')) throw new UsageError('Command must include exactly one action: --describe, --alter');
    if (o.has('bootstrap-server') === o.has('zookeeper'))
      throw new UsageError('Only one of --bootstrap-server or --zookeeper must be specified');
    if (o.has('describe') && (o.has('add-config') || o.has('delete-config')))
      throw new UsageError('Option "[describe]" can\'t be used with option "[add-config]" or "[delete-config]"');
    checkEntityArgs(o);
    if (isQuotaCommand(o)) return await runQuotas(args, o, io, deps);
    if (o.valuesOf('entity-type')[0] !== ConfigType.User) return await runForEntity(args, o, io, deps);
    entity = parseEntity(o);
    if (o.has('bootstrap-server')) return await runWithBroker(args, o, entity, io, deps);
    if (o.has('alter')) changes = userChanges(o, entity);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
  io.out('Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.');
  io.out('Use --bootstrap-server instead to specify a broker to connect to.');
  const timeoutMs = deps.timeoutMs ?? timeoutFromEnv();
  let zk: KafkaZkClient | undefined;
  try {
    zk = await (deps.connectZk ?? defaultConnectZk)(o.valueOf('zookeeper')!, timeoutMs);
    if (changes !== undefined) await alterUser(zk, entity, changes, io);
    else await describeUsers(zk, entity, io);
    return 0;
  } catch (e) {
    io.err(`Error while executing config command with args '${args.join(' ')}'`);
    io.err(e instanceof Error ? e.message : String(e));
    return 1;
  } finally {
    await zk?.close().catch(() => {});
  }
}

/** --bootstrap-server: KIP-554's AlterUserScramCredentials / DescribeUserScramCredentials. */
async function runWithBroker(args: readonly string[], o: ParsedOptions, entity: UserEntity, io: CommandIo, deps: ConfigCommandDeps): Promise<number> {
  const target: BrokerTarget = {
    bootstrapServer: o.valueOf('bootstrap-server')!,
    security: commandConfigSecurity(o.valueOf('command-config')),
    timeoutMs: deps.timeoutMs ?? timeoutFromEnv(),
  };
  const user = entity.sanitizedName === undefined ? undefined : desanitize(entity.sanitizedName);
  let upserts: ScramUpsert[] = [];
  let deletes: string[] = [];
  if (o.has('alter')) {
    if (user === undefined || user === '<default>')
      throw new UsageError('The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.');
    const add = o.has('add-config') ? parseConfigsToBeAdded(o.valueOf('add-config')!) : new Map<string, string>();
    deletes = o.valuesOf('delete-config').flatMap((d) => d.split(',')).map((d) => d.trim());
    const unknown = [...add.keys(), ...deletes].filter((k) => !SCRAM_NAMES.includes(k));
    if (unknown.length > 0)
      throw new UsageError(`Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: ${unknown.join(', ')}`);
    upserts = [...add].map(([mechanism, value]) => {
      const m = /^(?:iterations=(-?[0-9]*),)?password=(.*)$/s.exec(value);
      if (!m) throw new UsageError(`Invalid credential property ${mechanism}=${value}`);
      const iterations = m[1] !== undefined && m[1] !== '-1' ? Number(m[1]) : SCRAM_DEFAULT_ITERATIONS;
      const min = scramMechanism(mechanism)!.minIterations;
      if (iterations < min) throw new UsageError(`Iterations ${iterations} is less than the minimum ${min} required for ${mechanism}`);
      return { mechanism, iterations, password: m[2] };
    });
  }
  try {
    if (o.has('alter')) {
      await alterUserScramCredentials(target, user!, upserts, deletes);
      io.out(`Completed updating config for user ${user!}.`);
    } else {
      // Kafka prints the user's quotas first (a broker without KIP-546 has none to show)
      if (await brokerSupports(target, ApiKey.DescribeClientQuotas)) {
        const filter = [{ entityType: QuotaEntityType.USER, match: user === '<default>' ? '' : user }];
        for (const entry of await describeClientQuotas(target, filter)) io.out(quotaLine(entry));
      }
      if (user !== '<default>')
        for (const line of await describeUserScramCredentials(target, user === undefined ? [] : [user])) io.out(line);
    }
    return 0;
  } catch (e) {
    io.err(`Error while executing config command with args '${args.join(' ')}'`);
    io.err(withSecurityHint(e instanceof Error ? e.message : String(e), target.security));
    return 1;
  }
}

const BROKER_LOGGERS = 'broker-loggers';
const ZK_ENTITY_TYPES = [ConfigType.Topic, ConfigType.Client, ConfigType.User, ConfigType.Broker];
const BROKER_ENTITY_TYPES = [...ZK_ENTITY_TYPES, BROKER_LOGGERS];

/** Kafka 2.8's ConfigCommandOptions.checkArgs, for the entity options. */
function checkEntityArgs(o: ParsedOptions): void {
  const types = o.valuesOf('entity-type');
  if (o.has('user')) return; // --user: the SCRAM path checks it
  const viaZk = o.has('zookeeper');
  const allowed = viaZk ? ZK_ENTITY_TYPES : BROKER_ENTITY_TYPES;
  const dupes = types.filter((t, i) => types.indexOf(t) !== i);
  if (dupes.length > 0) throw new UsageError(`Duplicate entity type(s) specified: ${dupes.join(',')}`);
  for (const t of types) {
    if (!allowed.includes(t))
      throw new UsageError(
        `Invalid entity type ${t}, the entity type must be one of ${allowed.join(', ')} with a ${viaZk ? '--zookeeper' : '--bootstrap-server'} argument`,
      );
  }
  if (types.length === 0) throw new UsageError('At least one entity type must be specified');
  if (types.length > 1 && !(types.length === 2 && types.includes(ConfigType.User) && types.includes(ConfigType.Client)))
    throw new UsageError(`Only '${ConfigType.User}' and '${ConfigType.Client}' entity types may be specified together`);
  if (o.has('all') && viaZk) throw new UsageError('--bootstrap-server must be specified for --all');
  const names = o.valuesOf('entity-name');
  const hasName = names.length > 0;
  const isBroker = types.includes(ConfigType.Broker) || types.includes('broker-loggers');
  if (hasName && isBroker) {
    for (const id of names) {
      if (!/^-?\d+$/.test(id))
        throw new UsageError(`The entity name for ${types[0]} must be a valid integer broker id, but it is: ${id}`);
    }
  }
  if (o.has('describe') && types.includes('broker-loggers') && !hasName)
    throw new UsageError(`an entity name must be specified with --describe of ${types.join(',')}`);
  if (o.has('alter')) {
    if (types.some((t) => t === ConfigType.User || t === ConfigType.Client || t === ConfigType.Broker)) {
      if (!hasName && !o.has('entity-default'))
        throw new UsageError('an entity-name or default entity must be specified with --alter of users, clients or brokers');
    } else if (!hasName) throw new UsageError(`an entity name must be specified with --alter of ${types.join(',')}`);
    if (o.has('add-config') && o.has('add-config-file'))
      throw new UsageError('Only one of --add-config or --add-config-file must be specified');
    if (!o.has('add-config') && !o.has('add-config-file') && !o.has('delete-config'))
      throw new UsageError('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
  }
}

/** topics, brokers and clients (users stay with the SCRAM code above). */
async function runForEntity(args: readonly string[], o: ParsedOptions, io: CommandIo, deps: ConfigCommandDeps): Promise<number> {
  const entityType = o.valuesOf('entity-type')[0];
  if (o.valuesOf('entity-type').length > 1)
    throw new UsageError('kafka-configs in Samsa does not handle quotas of a user\'s clients (users with clients) yet');
  const name = o.valueOf('entity-name') ?? (o.has('entity-default') ? '' : undefined);
  const changes = o.has('alter') ? parseChanges(o) : undefined;
  const fail = (e: unknown, security?: ClientSecurity): number => {
    if (e instanceof UsageError) {
      io.err(e.message);
      return 1;
    }
    io.err(`Error while executing config command with args '${args.join(' ')}'`);
    const message = e instanceof Error ? e.message : String(e);
    io.err(security === undefined ? message : withSecurityHint(message, security));
    return 1;
  };
  if (o.has('zookeeper')) {
    io.out('Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.');
    io.out('Use --bootstrap-server instead to specify a broker to connect to.');
    let zk: KafkaZkClient | undefined;
    try {
      zk = await (deps.connectZk ?? defaultConnectZk)(o.valueOf('zookeeper')!, deps.timeoutMs ?? timeoutFromEnv());
      const sanitizedName = name === undefined ? undefined : sanitizedEntityName(entityType, name);
      if (changes === undefined) await describeWithZk(zk, { entityType, sanitizedName }, io.out);
      else await alterWithZk(zk, { entityType, sanitizedName: sanitizedName! }, changes.add, changes.del, io.out);
      return 0;
    } catch (e) {
      return fail(e);
    } finally {
      await zk?.close().catch(() => {});
    }
  }
  if (entityType !== ConfigType.Topic && entityType !== ConfigType.Broker && entityType !== BROKER_LOGGERS) {
    io.err(`kafka-configs in Samsa does not handle --entity-type ${entityType} with --bootstrap-server yet`);
    return 1;
  }
  const target: BrokerTarget = {
    bootstrapServer: o.valueOf('bootstrap-server')!,
    security: commandConfigSecurity(o.valueOf('command-config')),
    timeoutMs: deps.timeoutMs ?? timeoutFromEnv(),
  };
  try {
    if (changes === undefined) await describeWithBroker(target, entityType, name, o.has('all'), io);
    else await alterWithBroker(target, entityType, name!, changes.add, changes.del, io);
    return 0;
  } catch (e) {
    return fail(e, target.security);
  }
}

/**
 * Kafka's getResourceConfig: the resource's entries with synonyms, only the dynamic ones of its own
 * level unless --all, sorted by name.
 */
async function resourceConfigs(target: BrokerTarget, entityType: string, name: string, all: boolean): Promise<DescribedConfig[]> {
  let resourceType: number;
  let dynamicSource: number;
  if (entityType === ConfigType.Topic) {
    resourceType = ResourceType.TOPIC;
    dynamicSource = 1;
  } else if (entityType === BROKER_LOGGERS) {
    if (!/^-?\d+$/.test(name))
      throw new UsageError(`The entity name for ${entityType} must be a valid integer broker id, found: ${name}`);
    // a logger's level is the only source there is: all of them are shown
    return (await describeResourceConfigs(target, ResourceType.BROKER_LOGGER, name)).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } else {
    resourceType = ResourceType.BROKER;
    if (name !== '' && !/^-?\d+$/.test(name))
      throw new UsageError(`The entity name for ${entityType} must be a valid integer broker id, found: ${name}`);
    dynamicSource = name === '' ? 3 : 2;
  }
  const entries = await describeResourceConfigs(target, resourceType, name);
  return entries
    .filter((e) => all || e.source === dynamicSource)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Kafka's describeResourceConfig lines. */
async function describeWithBroker(target: BrokerTarget, entityType: string, name: string | undefined, all: boolean, io: CommandIo): Promise<void> {
  const entities =
    name !== undefined
      ? [name]
      : entityType === ConfigType.Topic
        ? await topicNames(target)
        : [...[...(await clusterBrokers(target)).keys()].map(String), ''];
  for (const entity of entities) {
    if (entity === '') io.out(`Default configs for ${entityType} in the cluster are:`);
    else io.out(`${all ? 'All' : 'Dynamic'} configs for ${entityType.slice(0, -1)} ${entity} are:`);
    for (const e of await resourceConfigs(target, entityType, entity, all)) {
      const synonyms = e.synonyms.map((s) => `${configSourceName(s.source)}:${s.name}=${s.value}`).join(', ');
      io.out(`  ${e.name}=${e.value} sensitive=${e.isSensitive} synonyms={${synonyms}}`);
    }
  }
}

/** Kafka's alterConfig for topics and brokers. */
async function alterWithBroker(
  target: BrokerTarget,
  entityType: string,
  name: string,
  add: ReadonlyMap<string, string>,
  del: readonly string[],
  io: CommandIo,
): Promise<void> {
  const old = new Map((await resourceConfigs(target, entityType, name, false)).map((e) => [e.name, e.value]));
  const invalid = del.filter((k) => !old.has(k));
  if (invalid.length > 0 && entityType !== BROKER_LOGGERS) throw new UsageError(`Invalid config(s): ${invalid.join(',')}`);
  if (entityType === BROKER_LOGGERS) {
    const invalidLoggers = [...del, ...add.keys()].filter((k) => !old.has(k));
    if (invalidLoggers.length > 0) throw new UsageError(`Invalid broker logger(s): ${invalidLoggers.join(',')}`);
    await incrementalAlterResource(target, ResourceType.BROKER_LOGGER, name, add, del);
  } else if (entityType === ConfigType.Topic) {
    await incrementalAlterResource(target, ResourceType.TOPIC, name, add, del);
  } else {
    const next = new Map(old);
    for (const [k, v] of add) next.set(k, v);
    for (const k of del) next.delete(k);
    const sensitive = [...next].filter(([, v]) => v === null).map(([k]) => k);
    if (sensitive.length > 0)
      throw new UsageError(`All sensitive broker config entries must be specified for --alter, missing entries: Set(${sensitive.join(', ')})`);
    await alterBrokerConfigs(target, name, next as Map<string, string>);
  }
  if (name !== '') io.out(`Completed updating config for ${entityType.slice(0, -1)} ${name}.`);
  else io.out(`Completed updating default config for ${entityType} in the cluster.`);
}
