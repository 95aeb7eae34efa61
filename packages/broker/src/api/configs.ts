import { ErrorCode, KafkaError, type DescribeConfigsResponseResultsInput } from '@samsa/protocol';
import { LOG_CONFIG_NAMES, LogConfig } from '@samsa/storage';
import { BROKER_CONFIGS, type ConfigDef } from '../config/definitions';
import {
  ALL_DYNAMIC_CONFIGS,
  DYNAMIC_LOG_CONFIGS,
  DYNAMIC_SECURITY_CONFIGS,
  isPerBrokerOnlyConfig,
  isReportedDynamicConfig,
  listenerBaseConfig,
} from '../config/dynamicBrokerConfigs';
import { parseConfigValue } from '../config/KafkaConfig';
import type { PasswordEncoder } from '../config/PasswordEncoder';
import type { KafkaConfig } from '../config/KafkaConfig';

/**
 * Config resources as DescribeConfigs, AlterConfigs and IncrementalAlterConfigs see them: what a
 * topic's or a broker's configuration is, where each value comes from, and which changes are
 * allowed. Pure: the handlers read ZooKeeper and pass what they found. Facts from Kafka 2.8's
 * ConfigHelper, ZkAdminManager, DynamicBrokerConfig and LogConfig.
 */

/** Kafka's ConfigResource.Type ids. */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** Kafka's DescribeConfigsResponse.ConfigSource ids. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** Kafka's AlterConfigOp.OpType ids (IncrementalAlterConfigs). */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

/**
 * Each topic config's broker-level name (Kafka's LogConfig.TopicConfigSynonyms): the broker default
 * a topic without an override gets. The storage LogConfig reads the same names.
 */
export const TOPIC_CONFIG_SYNONYMS: Readonly<Record<string, string>> = {
  'segment.bytes': 'log.segment.bytes',
  'segment.ms': 'log.roll.ms',
  'segment.jitter.ms': 'log.roll.jitter.ms',
  'segment.index.bytes': 'log.index.size.max.bytes',
  'flush.messages': 'log.flush.interval.messages',
  'flush.ms': 'log.flush.interval.ms',
  'retention.bytes': 'log.retention.bytes',
  'retention.ms': 'log.retention.ms',
  'max.message.bytes': 'message.max.bytes',
  'index.interval.bytes': 'log.index.interval.bytes',
  'delete.retention.ms': 'log.cleaner.delete.retention.ms',
  'min.compaction.lag.ms': 'log.cleaner.min.compaction.lag.ms',
  'max.compaction.lag.ms': 'log.cleaner.max.compaction.lag.ms',
  'file.delete.delay.ms': 'log.segment.delete.delay.ms',
  'min.cleanable.dirty.ratio': 'log.cleaner.min.cleanable.ratio',
  'cleanup.policy': 'log.cleanup.policy',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
  'min.insync.replicas': 'min.insync.replicas',
  'compression.type': 'compression.type',
  preallocate: 'log.preallocate',
  'message.format.version': 'log.message.format.version',
  'message.timestamp.type': 'log.message.timestamp.type',
  'message.timestamp.difference.max.ms': 'log.message.timestamp.difference.max.ms',
  'message.downconversion.enable': 'log.message.downconversion.enable',
};

/**
 * The topic defaults a broker changes without a restart (Kafka's DynamicLogConfig.ReconfigurableConfigs,
 * which leaves out log.message.format.version). Every dynamic broker config, these and the others
 * (thread pools, listeners, connection quotas, replication throttles, …), is in
 * config/dynamicBrokerConfigs.ts ALL_DYNAMIC_CONFIGS.
 */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = DYNAMIC_LOG_CONFIGS;

/**
 * A broker config name Samsa does not define (Kafka's KafkaConfig.configNames): a custom setting,
 * which Kafka stores in /config/brokers/<id|default> for plugins (metric reporters, authorizers) to
 * read, without validating it.
 */
export function isCustomBrokerConfig(name: string): boolean {
  return !Object.prototype.hasOwnProperty.call(BROKER_CONFIGS, name);
}

/** Whether a broker config may change without a restart (custom and listener-prefixed names may). */
export function isDynamicBrokerConfig(name: string): boolean {
  return ALL_DYNAMIC_CONFIGS.has(name) || isCustomBrokerConfig(name);
}

/** A config's definition; for a listener-prefixed name that of the plain key it overrides. */
function brokerConfigDef(name: string): ConfigDef | undefined {
  if (!isCustomBrokerConfig(name)) return BROKER_CONFIGS[name];
  const base = listenerBaseConfig(name);
  return base !== undefined && !isCustomBrokerConfig(base) ? BROKER_CONFIGS[base] : undefined;
}

/**
 * A dynamic config that holds a password (Kafka's DynamicPasswordConfigs: the password-typed
 * dynamic configs, matched as a name's suffix so that listener-prefixed ones count).
 */
function isPasswordConfig(name: string): boolean {
  return DYNAMIC_PASSWORD_CONFIGS.some((p) => name.endsWith(p));
}

const DYNAMIC_PASSWORD_CONFIGS: readonly string[] = [
  ...[...ALL_DYNAMIC_CONFIGS.keys()].filter((n) => BROKER_CONFIGS[n]?.type === 'password'),
  'sasl.jaas.config',
];

/** Scala's Set.toString, as Kafka's messages print sets of names. */
function scalaSet(names: Iterable<string>): string {
  return `Set(${[...names].join(', ')})`;
}

/**
 * The dynamic overrides of a broker resource as the broker takes them from ZooKeeper (Kafka's
 * DynamicBrokerConfig.fromPersistentProps): known configs that cannot change live are dropped, so
 * are security configs without a listener prefix, and at <default> (`perBroker` false) the configs
 * only a broker id may set; the dynamic ones and custom names are kept.
 */
export function dynamicBrokerOverrides(persistent: ReadonlyMap<string, string>, perBroker = true): Map<string, string> {
  return new Map(
    [...persistent].filter(
      ([k]) => isDynamicBrokerConfig(k) && !DYNAMIC_SECURITY_CONFIGS.has(k) && (perBroker || !isPerBrokerOnlyConfig(k)),
    ),
  );
}

/** Topic configs of Kafka's LIST type (the only ones APPEND and SUBTRACT accept). */
const TOPIC_LIST_CONFIGS: ReadonlySet<string> = new Set([
  'cleanup.policy',
  'leader.replication.throttled.replicas',
  'follower.replication.throttled.replicas',
]);

/** Kafka's DynamicBrokerConfig.brokerConfigSynonyms: the names one broker setting may go by. */
export function brokerConfigSynonyms(name: string): string[] {
  switch (name) {
    case 'log.roll.ms':
    case 'log.roll.hours':
      return ['log.roll.ms', 'log.roll.hours'];
    case 'log.roll.jitter.ms':
    case 'log.roll.jitter.hours':
      return ['log.roll.jitter.ms', 'log.roll.jitter.hours'];
    case 'log.flush.interval.ms':
      return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'];
    case 'log.retention.ms':
    case 'log.retention.minutes':
    case 'log.retention.hours':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'];
    default: {
      // A listener's override has the plain key (a SASL mechanism's: the key it ends with) as synonym.
      const base = listenerBaseConfig(name);
      return base === undefined ? [name] : [name, base];
    }
  }
}

/** A config value as Kafka prints it (ConfigDef.convertToString). */
export function formatConfigValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/**
 * Where broker settings come from, highest priority first: /config/brokers/<id>,
 * /config/brokers/<default>, the broker's own configuration (server.properties, KAFKA_* variables,
 * --override), and the built-in defaults.
 */
export interface BrokerConfigLayers {
  readonly dynamicBroker: ReadonlyMap<string, string>;
  readonly dynamicDefault: ReadonlyMap<string, string>;
  readonly static: ReadonlyMap<string, string>;
  /**
   * Kafka's staticDefaultConfigs: every key whose default has a value. A null default
   * (log.retention.ms, log.roll.ms) is no synonym: ConfigDef.convertToStringMapWithPasswordValues
   * drops it.
   */
  readonly defaults: ReadonlyMap<string, string>;
}

/**
 * The layers of a running broker. Of the dynamic overrides those Kafka would take from ZooKeeper
 * count (dynamicBrokerOverrides: the dynamic configs and custom names, which Kafka keeps there for
 * plugins); a known non-dynamic config found there would not describe the broker truthfully.
 */
export function brokerConfigLayers(
  config: KafkaConfig,
  dynamicBroker: ReadonlyMap<string, string>,
  dynamicDefault: ReadonlyMap<string, string>,
): BrokerConfigLayers {
  const statics = new Map<string, string>();
  const defaults = new Map<string, string>();
  for (const [key, def] of Object.entries(BROKER_CONFIGS)) {
    const defaultValue = formatConfigValue(def.default);
    if (defaultValue !== null) defaults.set(key, defaultValue);
    if (config.has(key)) {
      const v = formatConfigValue(config.get(key));
      if (v !== null) statics.set(key, v);
    }
  }
  return {
    dynamicBroker: reported(dynamicBrokerOverrides(dynamicBroker)),
    dynamicDefault: reported(dynamicBrokerOverrides(dynamicDefault, false)),
    static: statics,
    defaults,
  };
}

function reported(overrides: Map<string, string>): Map<string, string> {
  return new Map([...overrides].filter(([k]) => isReportedDynamicConfig(k)));
}

export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

/** One DescribeConfigsResourceResult (every version's fields; the codec writes those a version has). */
export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly readOnly: boolean;
  /** v0 only: the value is nobody's override. */
  readonly isDefault: boolean;
  readonly configSource: number;
  readonly isSensitive: boolean;
  /** v1+, empty unless asked for. */
  readonly synonyms: readonly ConfigSynonym[];
}

/**
 * Kafka's ConfigHelper.configSynonyms: every name's value in every layer that holds one, highest
 * priority first (DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG,
 * DEFAULT_CONFIG; within a layer in `names` order), then everything before the first entry of `name`
 * itself dropped. So with log.retention.ms unset (its default is null) a describe of it, or of the
 * topic's retention.ms, lists no synonym at all: log.retention.hours comes first and is dropped.
 */
function configSynonyms(name: string, names: readonly string[], layers: BrokerConfigLayers): ConfigSynonym[] {
  const all: ConfigSynonym[] = [];
  const add = (map: ReadonlyMap<string, string>, source: number) => {
    for (const n of names) {
      const value = map.get(n);
      if (value !== undefined) all.push({ name: n, value, source });
    }
  };
  add(layers.dynamicBroker, ConfigSource.DYNAMIC_BROKER_CONFIG);
  add(layers.dynamicDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  add(layers.static, ConfigSource.STATIC_BROKER_CONFIG);
  add(layers.defaults, ConfigSource.DEFAULT_CONFIG);
  const first = all.findIndex((s) => s.name === name);
  return first < 0 ? [] : all.slice(first);
}

/**
 * Every config of a topic (Kafka's ConfigHelper.createTopicConfigEntry): its effective value
 * (`logConfig`: the broker's current defaults with the topic's overrides), TOPIC_CONFIG when
 * overridden, else the source of the broker setting it falls back to (DEFAULT_CONFIG when none).
 * Topic configs are never read-only or sensitive.
 */
export function describeTopicConfigs(
  logConfig: LogConfig,
  overrides: ReadonlyMap<string, string>,
  layers: BrokerConfigLayers,
  includeSynonyms: boolean,
): ConfigEntry[] {
  const values = logConfig.toProps();
  return LOG_CONFIG_NAMES.map((name) => {
    const value = values[name] ?? null;
    const brokerName = TOPIC_CONFIG_SYNONYMS[name];
    const synonyms = brokerName ? configSynonyms(brokerName, brokerConfigSynonyms(brokerName), layers) : [];
    if (overrides.has(name)) synonyms.unshift({ name, value, source: ConfigSource.TOPIC_CONFIG });
    const configSource = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
    return {
      name,
      value,
      readOnly: false,
      isDefault: !overrides.has(name),
      configSource,
      isSensitive: false,
      synonyms: includeSynonyms ? synonyms : [],
    };
  });
}

/**
 * A broker's configuration (Kafka's ConfigHelper.createBrokerConfigEntry). `perBroker`: every setting
 * with its effective value (describe of broker "<id>"); otherwise only the cluster-wide dynamic
 * defaults (describe of broker ""), with synonyms of that layer alone. Read-only unless this broker
 * can change it live; password-typed values and custom names' values are hidden.
 */
export function describeBrokerConfigs(
  config: KafkaConfig,
  layers: BrokerConfigLayers,
  perBroker: boolean,
  includeSynonyms: boolean,
): ConfigEntry[] {
  const names = perBroker
    ? [
        ...new Set([
          ...config.entries().map(([k]) => k),
          ...layers.dynamicBroker.keys(),
          ...layers.dynamicDefault.keys(),
        ]),
      ]
    : [...layers.dynamicDefault.keys()];
  return names.map((name) => {
    // A name without a known type may be a plugin's secret: Kafka hides it (maybeSensitive).
    // A name without a known type may be a plugin's secret (Kafka's maybeSensitive); a listener's
    // override has the type of the key it overrides.
    const def = brokerConfigDef(name);
    const isSensitive = def === undefined || def.type === 'password';
    const allSynonyms = configSynonyms(name, brokerConfigSynonyms(name), layers).filter(
      (s) => perBroker || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
    );
    const hide = (s: ConfigSynonym): ConfigSynonym => (isSensitive ? { ...s, value: null } : s);
    let value: string | null;
    if (!perBroker) value = layers.dynamicDefault.get(name) ?? null;
    else
      value = layers.dynamicBroker.get(name) ?? layers.dynamicDefault.get(name) ?? staticValue(config, name);
    const configSource = allSynonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
    return {
      name,
      value: isSensitive ? null : value,
      readOnly: !ALL_DYNAMIC_CONFIGS.has(name),
      isDefault: configSource === ConfigSource.DEFAULT_CONFIG,
      configSource,
      isSensitive,
      synonyms: includeSynonyms ? allSynonyms.map(hide) : [],
    };
  });
}

function staticValue(config: KafkaConfig, name: string): string | null {
  return name in BROKER_CONFIGS ? formatConfigValue(config.get(name)) : null;
}

/** Keeps the entries a DescribeConfigsResource asked for (null or empty keys: all of them). */
export function selectConfigs<T extends { name: string }>(
  entries: readonly T[],
  keys: readonly string[] | null,
): T[] {
  if (keys === null || keys.length === 0) return [...entries];
  const wanted = new Set(keys);
  return entries.filter((e) => wanted.has(e.name));
}

/**
 * Checks a topic's new overrides as Kafka's AdminZkClient.validateTopicConfig does: an unknown name
 * is INVALID_CONFIG (InvalidConfigurationException); a value LogConfig cannot take is INVALID_REQUEST
 * (Kafka's ConfigException, which AlterConfigs turns into InvalidRequestException).
 */
export function validateTopicOverrides(topic: string, configs: ReadonlyMap<string, string>): void {
  for (const name of configs.keys()) {
    if (!LOG_CONFIG_NAMES.includes(name))
      throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
  }
  try {
    LogConfig.validate(Object.fromEntries(configs));
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Invalid config value for resource ConfigResource(type=TOPIC, name='${topic}'): ${e.message}`,
    );
  }
}

/**
 * Checks dynamic broker overrides as Kafka 2.8's DynamicBrokerConfig.validateConfigs and
 * toPersistentProps do, in their order: a known config that is not dynamic; a security config
 * without its listener prefix; a value its type or bounds refuse (a listener's override checked as
 * the key it overrides; the topic defaults as LogConfig takes them); at <default> (resource "") a
 * config only a broker id may set; a password, which Kafka stores only encrypted with
 * password.encoder.secret (Samsa has no encoder: refused as Kafka refuses it without a secret).
 * Custom names pass unchecked, as Kafka stores them for plugins. Any refusal is INVALID_REQUEST,
 * as Kafka answers a ConfigException.
 */
export function validateDynamicBrokerConfigs(
  resourceName: string,
  configs: ReadonlyMap<string, string>,
  o: { readonly passwordEncoderConfigured?: boolean } = {},
): void {
  const invalid = (why: string) =>
    new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Invalid config value for resource ConfigResource(type=BROKER, name='${resourceName}'): ${why}`,
    );
  const names = [...configs.keys()];
  const notDynamic = names.filter((k) => !isDynamicBrokerConfig(k));
  if (notDynamic.length > 0) throw invalid(`Cannot update these configs dynamically: ${scalaSet(notDynamic)}`);
  const unprefixed = names.filter((k) => DYNAMIC_SECURITY_CONFIGS.has(k));
  if (unprefixed.length > 0)
    throw invalid(
      `These security configs can be dynamically updated only per-listener using the listener prefix: ${scalaSet(unprefixed)}`,
    );
  for (const [name, value] of configs) {
    const def = brokerConfigDef(name);
    if (def === undefined || def.type === 'password') continue;
    try {
      parseConfigValue(def, value);
    } catch (e) {
      throw invalid(`Invalid value ${value} for configuration ${name}: ${(e as Error).message}`);
    }
  }
  try {
    LogConfig.fromBrokerProps(Object.fromEntries([...configs].filter(([k]) => DYNAMIC_LOG_CONFIGS.has(k))));
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    throw invalid(e.message);
  }
  if (resourceName === '') {
    const perBrokerOnly = names.filter(isPerBrokerOnlyConfig);
    if (perBrokerOnly.length > 0)
      throw invalid(
        `Cannot update these configs at default cluster level, broker id must be specified: ${scalaSet(perBrokerOnly)}`,
      );
  }
  if (names.some(isPasswordConfig)) {
    if (!o.passwordEncoderConfigured) throw invalid('Password encoder secret not configured');
    if (resourceName === '') throw invalid('Password config can be defined only at broker level');
  }
}

/** Broker configs for a log line: passwords and unknown names as [hidden] (Kafka's KafkaConfig.loggableValue). */
export function loggableBrokerConfigs(configs: ReadonlyMap<string, string>): Map<string, string> {
  return new Map(
    [...configs].map(([k, v]) => {
      const def = brokerConfigDef(k);
      return [k, def === undefined || def.type === 'password' || isPasswordConfig(k) ? '[hidden]' : v];
    }),
  );
}

/** The dynamic passwords of `configs` encrypted for ZooKeeper (Kafka's toPersistentProps). */
export function encodeDynamicPasswords(configs: ReadonlyMap<string, string>, encoder: PasswordEncoder): Map<string, string> {
  return new Map([...configs].map(([k, v]) => [k, isPasswordConfig(k) ? encoder.encode(v) : v]));
}

/**
 * The dynamic passwords of what ZooKeeper holds decrypted (Kafka's fromPersistentProps): with the
 * current secret, else the old one; a password neither decrypts is dropped and reported.
 */
export function decodeDynamicPasswords(
  persistent: ReadonlyMap<string, string>,
  encoders: { readonly current: PasswordEncoder | null; readonly old: PasswordEncoder | null },
  onError: (name: string, e: unknown) => void,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of persistent) {
    if (!isPasswordConfig(k)) {
      out.set(k, v);
      continue;
    }
    let error: unknown = new Error('Password encoder secret not configured');
    for (const encoder of [encoders.current, encoders.old]) {
      if (encoder === null) continue;
      try {
        out.set(k, encoder.decode(v));
        error = undefined;
        break;
      } catch (e) {
        error = e;
      }
    }
    if (error !== undefined) onError(k, error);
  }
  return out;
}

/**
 * The broker's topic defaults with dynamic overrides: static settings, then /config/brokers/<default>,
 * then /config/brokers/<id> (only the topic defaults, DYNAMIC_LOG_CONFIGS).
 */
export function dynamicLogDefaults(
  staticProps: Readonly<Record<string, string>>,
  dynamicDefault: ReadonlyMap<string, string>,
  dynamicBroker: ReadonlyMap<string, string>,
): LogConfig {
  const props: Record<string, string> = { ...staticProps };
  for (const layer of [dynamicDefault, dynamicBroker]) {
    for (const [k, v] of layer) if (DYNAMIC_LOG_CONFIGS.has(k)) props[k] = v;
  }
  return LogConfig.fromBrokerProps(props);
}

export interface IncrementalOp {
  readonly name: string;
  readonly configOperation: number;
  readonly value: string | null;
}

/**
 * Applies IncrementalAlterConfigs operations to a resource's current overrides (Kafka's
 * prepareIncrementalConfigs): SET, DELETE, APPEND and SUBTRACT (list-typed configs only, starting
 * from the default list when unset). Duplicate names and null values (except for DELETE) are
 * INVALID_REQUEST. `kind(name)` says whether a config is a list, or undefined when unknown.
 */
export function applyIncrementalOps(
  current: ReadonlyMap<string, string>,
  ops: readonly IncrementalOp[],
  kind: (name: string) => { list: boolean; defaultValue: string | null } | undefined,
  resourceKind: 'topic' | 'broker',
): Map<string, string> {
  const counts = new Map<string, number>();
  for (const op of ops) counts.set(op.name, (counts.get(op.name) ?? 0) + 1);
  const dupes = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
  if (dupes.length > 0)
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Error due to duplicate config keys : ${dupes.join(',')}`,
    );
  const nulls = ops.filter((o) => o.value === null && o.configOperation !== AlterConfigOp.DELETE);
  if (nulls.length > 0) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Null value not supported for : ${nulls.map((o) => `${opName(o.configOperation)}:${o.name}`).join(',')}`,
    );
  }
  const out = new Map(current);
  for (const op of ops) {
    switch (op.configOperation) {
      case AlterConfigOp.SET:
        out.set(op.name, op.value!);
        break;
      case AlterConfigOp.DELETE:
        out.delete(op.name);
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        const k = kind(op.name);
        if (!k)
          throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown ${resourceKind} config name: ${op.name}`);
        if (!k.list) {
          const verb = op.configOperation === AlterConfigOp.APPEND ? 'append' : 'subtract';
          throw new KafkaError(
            ErrorCode.INVALID_REQUEST,
            `Config value ${verb} is not allowed for config key: ${op.name}`,
          );
        }
        const old = splitList(out.get(op.name) ?? k.defaultValue ?? '');
        const given = splitList(op.value!);
        const next =
          op.configOperation === AlterConfigOp.APPEND
            ? [...old, ...given]
            : old.filter((v) => !given.includes(v));
        out.set(op.name, next.join(','));
        break;
      }
      default:
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          `Unknown config operation ${op.configOperation} for ${op.name}`,
        );
    }
  }
  return out;
}

function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function opName(op: number): string {
  return ['SET', 'DELETE', 'APPEND', 'SUBTRACT'][op] ?? String(op);
}

/** Whether a topic config is a list, and its default, for APPEND/SUBTRACT. */
export function topicConfigKind(name: string): { list: boolean; defaultValue: string | null } | undefined {
  if (!LOG_CONFIG_NAMES.includes(name)) return undefined;
  return { list: TOPIC_LIST_CONFIGS.has(name), defaultValue: LogConfig.DEFAULT.toProps()[name] ?? null };
}

/** Whether a broker config is a list, and its default, for APPEND/SUBTRACT. */
export function brokerConfigKind(name: string): { list: boolean; defaultValue: string | null } | undefined {
  const def = BROKER_CONFIGS[name];
  if (!def) return undefined;
  return { list: def.type === 'list', defaultValue: formatConfigValue(def.default) };
}

/** A DescribeConfigs result for one resource. */
export function describeResult(
  resource: { readonly resourceType: number; readonly resourceName: string },
  errorCode: number,
  errorMessage: string | null,
  configs: readonly ConfigEntry[],
): DescribeConfigsResponseResultsInput {
  return {
    errorCode,
    errorMessage,
    resourceType: resource.resourceType,
    resourceName: resource.resourceName,
    configs,
  };
}

/** Broker resource names: "" is the cluster-wide default, else this broker's id (Kafka's getBrokerId). */
export function brokerResourceId(
  resourceName: string,
  brokerId: number,
  forDescribe: boolean,
): number | null {
  if (resourceName === null || resourceName === '') return null;
  if (!/^-?\d+$/.test(resourceName)) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Broker id must be an integer, but it is: ${resourceName}`,
    );
  }
  const id = Number(resourceName);
  if (id !== brokerId) {
    const expected = forDescribe ? `${brokerId} or empty string` : `${brokerId}`;
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${expected}, but received ${resourceName}`,
    );
  }
  return id;
}
