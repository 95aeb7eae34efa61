import convict from 'convict';
import { readFileSync } from 'node:fs';
import { BROKER_CONFIGS, type ConfigDef, type ConfigType } from './definitions';
import { parseProperties } from './properties';
import { controlPlaneListenerProblems } from './controlPlaneListener';
import { SASL_LISTENER_KEY, saslConfigProblems } from './saslConfigs';
import { securityRefusals, unknownSecurityHint } from './securityRefusals';
import { sslListenerOverride } from './sslConfigs';

/**
 * Per-listener keys (`listener.name.<l>.<key>`) come in two kinds. Those that override a plain key
 * of the table (`listener.name.<l>.ssl.keystore.location`) take its type: typedListenerKey names
 * that plain key. Those with no plain twin (`listener.name.<l>.scram-sha-256.sasl.jaas.config`)
 * are kept as raw strings: LISTENER_PREFIXED_KEYS matches them. Both live in one map, under the
 * key with its listener name in lower case, as Kafka's ListenerName.configPrefix writes it.
 */
function typedListenerKey(key: string): string | undefined {
  return sslListenerOverride(key);
}

const LISTENER_PREFIXED_KEYS: readonly RegExp[] = [SASL_LISTENER_KEY];

/** Listener names are case-insensitive (Kafka normalises them to upper case). */
function listenerKey(key: string): string {
  const m = /^listener\.name\.([^.]+)\.(.*)$/.exec(key);
  return m === null ? key : `listener.name.${m[1].toLowerCase()}.${m[2]}`;
}

/** A configuration problem, naming the key and where its value came from. Exit code 1. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Where a value came from, for messages: "server.properties line 12", "KAFKA_BROKER_ID", "--override". */
type Origin = string;

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function parseValue(type: ConfigType, raw: string): unknown {
  const s = raw.trim();
  switch (type) {
    case 'int':
    case 'long': {
      if (!/^[-+]?\d+$/.test(s)) throw new Error(`'${raw}' is not an integer`);
      const n = Number(s);
      if (type === 'int' && (n < INT_MIN || n > INT_MAX)) throw new Error(`'${raw}' is out of range for an int`);
      if (!Number.isSafeInteger(n)) return n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
      return n;
    }
    case 'double': {
      const n = Number(s);
      if (s === '' || Number.isNaN(n)) throw new Error(`'${raw}' is not a number`);
      return n;
    }
    case 'boolean':
      if (/^true$/i.test(s)) return true;
      if (/^false$/i.test(s)) return false;
      throw new Error(`'${raw}' is not true or false`);
    case 'list':
      return s === '' ? [] : s.split(',').map((x) => x.trim()).filter((x) => x !== '');
    default:
      return raw;
  }
}

function checkBounds(key: string, def: ConfigDef, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'number') {
    if (def.min !== undefined && value < def.min) throw new Error(`${value} is below the minimum ${def.min}`);
    if (def.max !== undefined && value > def.max) throw new Error(`${value} is above the maximum ${def.max}`);
  }
  if (def.oneOf && typeof value === 'string' && !def.oneOf.includes(value)) {
    throw new Error(`'${value}' is not one of ${def.oneOf.join(', ')}`);
  }
  void key;
}

/**
 * Parses a raw value as a key's definition takes it, bounds checked (AlterConfigs of broker
 * configs checks values this way before they reach ZooKeeper). Throws Error with why.
 */
export function parseConfigValue(def: ConfigDef, raw: string): unknown {
  const value = parseValue(def.type, raw);
  checkBounds('', def, value);
  return value;
}

/** Kafka keys contain dots, which convict reads as nesting ("broker.id" vs "broker.id.generation.enable"). */
const convictKey = (k: string) => k.replace(/\./g, '_');

function buildSchema(): convict.Schema<Record<string, unknown>> {
  const schema: Record<string, convict.SchemaObj> = {};
  for (const [key, def] of Object.entries(BROKER_CONFIGS)) {
    schema[convictKey(key)] = {
      doc: def.doc,
      format: (value: unknown) => checkBounds(key, def, value),
      default: def.default,
      nullable: def.default === null,
    };
  }
  return schema as convict.Schema<Record<string, unknown>>;
}

/** The Confluent image convention: KAFKA_BROKER_ID → broker.id; `__` → `_`, `___` → `-`. */
export function envNameToKey(name: string): string {
  return name
    .slice('KAFKA_'.length)
    .toLowerCase()
    .replace(/___|__|_/g, (m) => (m.length === 3 ? '-' : m.length === 2 ? '_' : '.'));
}

/** Launcher variables of Kafka's scripts, not configuration keys. */
const LAUNCHER_ENV = new Set([
  'KAFKA_HEAP_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_DEBUG',
  'KAFKA_HOME',
  'KAFKA_VERSION',
  'KAFKA_LOG_DIR_ROOT',
]);

/**
 * The configuration the environment gives: each KAFKA_* variable that is not a launcher variable,
 * as its key (envNameToKey) and value, in variable-name order.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): Array<{ key: string; value: string; name: string }> {
  return Object.keys(env)
    .filter((name) => name.startsWith('KAFKA_') && !LAUNCHER_ENV.has(name) && env[name] !== undefined)
    .sort()
    .map((name) => ({ key: envNameToKey(name), value: env[name]!, name }));
}

export interface LoadOptions {
  /** Path of server.properties (optional: env and overrides alone may configure a broker). */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** `--override key=value` pairs, applied last. */
  readonly overrides?: readonly string[];
}

/**
 * The broker configuration, typed. Values come from server.properties, then KAFKA_* environment
 * variables, then --override; each is parsed by its Kafka type, an unknown key or invalid value is a
 * ConfigError naming the key and its origin (file line, variable, or override).
 */
export class KafkaConfig {
  private constructor(
    private readonly values: ReadonlyMap<string, unknown>,
    readonly origins: ReadonlyMap<string, Origin>,
    /** Per-listener keys (see typedListenerKey): typed values, or raw strings for LISTENER_PREFIXED_KEYS. */
    private readonly listenerValues: ReadonlyMap<string, unknown> = new Map(),
  ) {}

  static load(opts: LoadOptions = {}): KafkaConfig {
    const raw = new Map<string, { value: string; origin: Origin }>();
    if (opts.file) {
      let text: string;
      try {
        text = readFileSync(opts.file, 'utf8');
      } catch (e) {
        throw new ConfigError(`cannot read ${opts.file}: ${(e as Error).message}`);
      }
      for (const [key, entry] of parseProperties(text)) {
        raw.set(key, { value: entry.value, origin: `${opts.file} line ${entry.line}` });
      }
    }
    for (const { key, value, name } of configFromEnv(opts.env ?? {})) {
      raw.set(key, { value, origin: `environment variable ${name}` });
    }
    for (const o of opts.overrides ?? []) {
      const eq = o.indexOf('=');
      if (eq <= 0) throw new ConfigError(`--override '${o}' is not of the form key=value`);
      raw.set(o.slice(0, eq).trim(), { value: o.slice(eq + 1), origin: `--override ${o}` });
    }
    return KafkaConfig.fromRaw(raw);
  }

  /** For tests and embedding: plain key → string value pairs. */
  static fromProps(props: Record<string, string | number | boolean>): KafkaConfig {
    const raw = new Map<string, { value: string; origin: Origin }>();
    for (const [k, v] of Object.entries(props)) raw.set(k, { value: String(v), origin: `property ${k}` });
    return KafkaConfig.fromRaw(raw);
  }

  private static fromRaw(raw: Map<string, { value: string; origin: Origin }>): KafkaConfig {
    const typed: Record<string, unknown> = {};
    const origins = new Map<string, Origin>();
    const listenerValues = new Map<string, unknown>();
    for (const [key, { value, origin }] of raw) {
      const overridden = typedListenerKey(key);
      if (overridden !== undefined) {
        try {
          listenerValues.set(listenerKey(key), parseValue(BROKER_CONFIGS[overridden].type, value));
        } catch (e) {
          throw new ConfigError(`invalid value for '${key}' (${origin}): ${(e as Error).message}`);
        }
        origins.set(key, origin);
        continue;
      }
      const def = BROKER_CONFIGS[key];
      if (!def && LISTENER_PREFIXED_KEYS.some((p) => p.test(key))) {
        listenerValues.set(listenerKey(key), value);
        origins.set(key, origin);
        continue;
      }
      if (!def) {
        const hint = unknownSecurityHint(key);
        throw new ConfigError(`unknown configuration '${key}' (${origin})${hint ? `: ${hint}` : ''}`);
      }
      try {
        const parsed = parseValue(def.type, value);
        checkBounds(key, def, parsed);
        typed[convictKey(key)] = parsed;
      } catch (e) {
        throw new ConfigError(`invalid value for '${key}' (${origin}): ${(e as Error).message}`);
      }
      origins.set(key, origin);
    }
    const conf = convict(buildSchema());
    conf.load(typed);
    try {
      conf.validate({ allowed: 'strict' });
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    const values = new Map<string, unknown>();
    for (const key of Object.keys(BROKER_CONFIGS)) values.set(key, conf.get(convictKey(key)));
    const config = new KafkaConfig(values, origins, listenerValues);
    config.checkRequired();
    config.checkSecurityPromises();
    const sasl = saslConfigProblems(config);
    if (sasl.length > 0) throw new ConfigError(sasl.join('; '));
    const controlPlane = controlPlaneListenerProblems(config);
    if (controlPlane.length > 0) throw new ConfigError(controlPlane.join('; '));
    return config;
  }

  private checkRequired(): void {
    if (!this.string('zookeeper.connect')) {
      throw new ConfigError(`missing required configuration 'zookeeper.connect'`);
    }
  }

  /** Fails closed on settings that promise security Samsa does not provide (securityRefusals.ts). */
  private checkSecurityPromises(): void {
    const refusals = securityRefusals(this);
    if (refusals.length > 0) throw new ConfigError(`refusing to start: ${refusals.join('; ')}`);
  }

  /** A listener-prefixed key's raw value: `listener.name.<listenerName>.<rest>` (listener name in any case). */
  listenerOverride(listenerName: string, rest: string): string | undefined {
    const value = this.listenerValues.get(`listener.name.${listenerName.toLowerCase()}.${rest}`);
    return typeof value === 'string' ? value : undefined;
  }

  has(key: string): boolean {
    return this.origins.has(key);
  }

  get(key: string): unknown {
    if (!(key in BROKER_CONFIGS)) throw new Error(`programmer error: unknown configuration key ${key}`);
    return this.values.get(key);
  }

  /**
   * A key's value as one reader sees it: a per-listener key (`listener.name.<l>.ssl.…`) when it was
   * set, else undefined; any other key as get() has it. What @samsa/security's sslSettings reads.
   */
  lookup(key: string): unknown {
    if (typedListenerKey(key) !== undefined) return this.listenerValues.get(listenerKey(key));
    return key in BROKER_CONFIGS ? this.values.get(key) : undefined;
  }

  int(key: string): number {
    return this.get(key) as number;
  }

  bool(key: string): boolean {
    return this.get(key) as boolean;
  }

  string(key: string): string | null {
    return this.get(key) as string | null;
  }

  list(key: string): readonly string[] {
    return (this.get(key) as string[] | null) ?? [];
  }

  // Derived values, with Kafka's fallbacks.

  get brokerId(): number {
    return this.int('broker.id');
  }

  get logDirs(): readonly string[] {
    const dirs = this.list('log.dirs');
    return dirs.length > 0 ? dirs : [this.string('log.dir')!];
  }

  get logRetentionMs(): number {
    if (this.get('log.retention.ms') !== null) return this.int('log.retention.ms');
    if (this.get('log.retention.minutes') !== null) return this.int('log.retention.minutes') * 60_000;
    return this.int('log.retention.hours') * 3_600_000;
  }

  get logRollMs(): number {
    return this.get('log.roll.ms') !== null ? this.int('log.roll.ms') : this.int('log.roll.hours') * 3_600_000;
  }

  get logRollJitterMs(): number {
    return this.get('log.roll.jitter.ms') !== null
      ? this.int('log.roll.jitter.ms')
      : this.int('log.roll.jitter.hours') * 3_600_000;
  }

  get logFlushIntervalMs(): number {
    return this.get('log.flush.interval.ms') !== null
      ? this.int('log.flush.interval.ms')
      : this.int('log.flush.scheduler.interval.ms');
  }

  get zkConnectionTimeoutMs(): number {
    return (this.get('zookeeper.connection.timeout.ms') as number | null) ?? this.int('zookeeper.session.timeout.ms');
  }

  get advertisedListeners(): readonly string[] {
    const adv = this.list('advertised.listeners');
    return adv.length > 0 ? adv : this.list('listeners');
  }

  /** Every key with its effective value, for the startup log line Kafka prints. */
  entries(): [string, unknown][] {
    return [...this.values.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
}
