/**
 * The one list of the broker configs Kafka 2.8 lets an operator change without a restart
 * (DynamicBrokerConfig.AllDynamicConfigs and DynamicConfig.Broker), and what each does in Samsa.
 * Everything that asks "is this config dynamic?" (AlterConfigs, IncrementalAlterConfigs,
 * DescribeConfigs' read-only flag, the layers read back from /config/brokers) imports it from here.
 *
 * Kafka refuses a dynamic change of any other known config ("Cannot update these configs
 * dynamically"). A config Samsa takes but has no use for on Node (thread pools: one event loop;
 * the JVM metric reporters) is still accepted, stored in /config/brokers/<id|<default>> and
 * reported, so an operator's scripts run unchanged; its `effect` says so and docs/dynamic-configs.md
 * lists them.
 */
import type { ConfigDef } from './definitions';

/**
 * What a dynamic change does in Samsa:
 *   - `live`: applied at once by the broker (the log defaults through LogManager, listener TLS
 *     material through ListenerTlsReloader);
 *   - `reconfigurable`: applied by the part that registers for it with
 *     KafkaServer.dynamicBrokerConfigs (connection quotas, replication throttles), stored only
 *     while no part has registered;
 *   - `stored`: accepted, stored and reported, no effect (no Node meaning, or not provided);
 *   - `unserved`: accepted and stored, but not reported as the broker's value: the listeners it
 *     serves are those it started with, and DescribeConfigs says so rather than name listeners
 *     nobody can reach.
 */
export type DynamicEffect = 'live' | 'reconfigurable' | 'stored' | 'unserved';

/** Kafka's groups of dynamic configs: which of its BrokerReconfigurables owns them. */
export type DynamicGroup =
  | 'DynamicLogConfig'
  | 'LogCleaner'
  | 'DynamicThreadPool'
  | 'DynamicMetricsReporters'
  | 'DynamicListenerConfig'
  | 'DynamicConnectionQuota'
  | 'DynamicSecurityConfigs'
  | 'DynamicReplicationQuota';

export interface DynamicConfigInfo {
  readonly group: DynamicGroup;
  readonly effect: DynamicEffect;
}

/**
 * Kafka 2.8's LogConfig.TopicConfigSynonyms values but log.message.format.version
 * (DynamicLogConfig.ReconfigurableConfigs): the topic defaults, live through LogManager.
 */
export const DYNAMIC_LOG_CONFIGS: ReadonlySet<string> = new Set([
  'log.segment.bytes',
  'log.roll.ms',
  'log.roll.jitter.ms',
  'log.index.size.max.bytes',
  'log.flush.interval.messages',
  'log.flush.interval.ms',
  'log.retention.bytes',
  'log.retention.ms',
  'message.max.bytes',
  'log.index.interval.bytes',
  'log.cleaner.delete.retention.ms',
  'log.cleaner.min.compaction.lag.ms',
  'log.cleaner.max.compaction.lag.ms',
  'log.segment.delete.delay.ms',
  'log.cleaner.min.cleanable.ratio',
  'log.cleanup.policy',
  'unclean.leader.election.enable',
  'min.insync.replicas',
  'compression.type',
  'log.preallocate',
  'log.message.timestamp.type',
  'log.message.timestamp.difference.max.ms',
  'log.message.downconversion.enable',
]);

/** SslConfigs.RECONFIGURABLE_CONFIGS: only per listener (`listener.name.<l>.<key>`) and per broker. */
export const DYNAMIC_SECURITY_CONFIGS: ReadonlySet<string> = new Set([
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.truststore.certificates',
]);

/** The keys of a listener's TLS material ListenerTlsReloader swaps live. */
const LIVE_TLS_CONFIGS: ReadonlySet<string> = DYNAMIC_SECURITY_CONFIGS;

const group = (g: DynamicGroup, effect: DynamicEffect, names: readonly string[]): [string, DynamicConfigInfo][] =>
  names.map((n) => [n, { group: g, effect }]);

/** Every dynamic broker config of Kafka 2.8 (AllDynamicConfigs ++ DynamicConfig.Broker's own). */
export const ALL_DYNAMIC_CONFIGS: ReadonlyMap<string, DynamicConfigInfo> = new Map([
  ...group('DynamicSecurityConfigs', 'live', [...DYNAMIC_SECURITY_CONFIGS]),
  // LogCleaner.ReconfigurableConfigs (message.max.bytes is there too, and a log default here)
  ...group('LogCleaner', 'stored', [
    'log.cleaner.threads',
    'log.cleaner.dedupe.buffer.size',
    'log.cleaner.io.buffer.load.factor',
    'log.cleaner.io.buffer.size',
    'log.cleaner.io.max.bytes.per.second',
    'log.cleaner.backoff.ms',
  ]),
  ...group('DynamicLogConfig', 'live', [...DYNAMIC_LOG_CONFIGS]),
  // DynamicThreadPool: Node has one event loop; thread counts mean nothing here.
  ...group('DynamicThreadPool', 'stored', [
    'num.io.threads',
    'num.network.threads',
    'num.replica.fetchers',
    'num.recovery.threads.per.data.dir',
    'background.threads',
  ]),
  ...group('DynamicMetricsReporters', 'stored', ['metric.reporters']),
  // DynamicListenerConfig.ReconfigurableConfigs (its SSL ones are per listener; TLS material is live)
  ...group('DynamicListenerConfig', 'unserved', ['advertised.listeners', 'listeners', 'listener.security.protocol.map']),
  ...group('DynamicListenerConfig', 'stored', [
    'principal.builder.class',
    'ssl.protocol',
    'ssl.provider',
    'ssl.cipher.suites',
    'ssl.enabled.protocols',
    'ssl.keymanager.algorithm',
    'ssl.trustmanager.algorithm',
    'ssl.endpoint.identification.algorithm',
    'ssl.secure.random.implementation',
    'ssl.client.auth',
    'ssl.engine.factory.class',
    'sasl.mechanism.inter.broker.protocol',
    'sasl.jaas.config',
    'sasl.enabled.mechanisms',
    'sasl.kerberos.service.name',
    'sasl.kerberos.kinit.cmd',
    'sasl.kerberos.ticket.renew.window.factor',
    'sasl.kerberos.ticket.renew.jitter',
    'sasl.kerberos.min.time.before.relogin',
    'sasl.kerberos.principal.to.local.rules',
    'sasl.login.refresh.window.factor',
    'sasl.login.refresh.window.jitter',
    'sasl.login.refresh.min.period.seconds',
    'sasl.login.refresh.buffer.seconds',
  ]),
  // SocketServer.ReconfigurableConfigs (max.connections and the creation rate also per listener)
  ...group('DynamicConnectionQuota', 'reconfigurable', [
    'max.connections',
    'max.connection.creation.rate',
    'max.connections.per.ip',
    'max.connections.per.ip.overrides',
  ]),
  // DynamicConfig.Broker's own: the replication throttles (ReplicationQuotaManager)
  ...group('DynamicReplicationQuota', 'reconfigurable', [
    'leader.replication.throttled.rate',
    'follower.replication.throttled.rate',
    'replica.alter.log.dirs.io.max.bytes.per.second',
  ]),
]);

/** The TLS keys a listener swaps live (the rest of DynamicListenerConfig is stored only). */
export function isLiveTlsConfig(baseName: string): boolean {
  return LIVE_TLS_CONFIGS.has(baseName);
}

/** Listener configs that stay cluster-wide (Kafka's ClusterLevelListenerConfigs). */
const CLUSTER_LEVEL_LISTENER_CONFIGS: ReadonlySet<string> = new Set(['max.connections', 'max.connection.creation.rate']);

/**
 * Kafka's PerBrokerConfigs: the security and listener configs, which only a broker id may set
 * (at <default>: "Cannot update these configs at default cluster level, broker id must be specified").
 */
export function isPerBrokerOnlyConfig(name: string): boolean {
  const listener = LISTENER_CONFIG.exec(name);
  if (listener !== null) return !CLUSTER_LEVEL_LISTENER_CONFIGS.has(listener[1]);
  const info = ALL_DYNAMIC_CONFIGS.get(name);
  if (info === undefined || CLUSTER_LEVEL_LISTENER_CONFIGS.has(name)) return false;
  return info.group === 'DynamicSecurityConfigs' || info.group === 'DynamicListenerConfig';
}

/** `listener.name.<l>.<key>`: a listener's override, group 1 the key. */
export const LISTENER_CONFIG = /^listener\.name\.[^.]*\.(.*)$/;

/**
 * The SASL configs a listener sets per mechanism (`listener.name.<l>.<mechanism>.<key>`; Kafka's
 * ListenerMechanismConfigs): the plain key is their synonym.
 */
const LISTENER_MECHANISM_CONFIGS: readonly string[] = [
  'sasl.jaas.config',
  'sasl.login.callback.handler.class',
  'sasl.login.class',
  'sasl.server.callback.handler.class',
  'connections.max.reauth.ms',
];

/** The plain config a listener-prefixed name overrides, or undefined for a plain name. */
export function listenerBaseConfig(name: string): string | undefined {
  const m = LISTENER_CONFIG.exec(name);
  if (m === null) return undefined;
  return LISTENER_MECHANISM_CONFIGS.find((c) => m[1].endsWith(c)) ?? m[1];
}

const LONG_MAX = Number.MAX_SAFE_INTEGER;
const DOUBLE_MAX = Number.MAX_VALUE;

const d = (
  type: ConfigDef['type'],
  def: ConfigDef['default'],
  doc: string,
  extra: Partial<Pick<ConfigDef, 'min' | 'max' | 'inert'>> = {},
): ConfigDef => ({ type, default: def, doc, ...extra });

/**
 * Kafka's definitions of the dynamic configs Samsa had no key for (KafkaConfig.scala and
 * DynamicConfig.Broker, 2.8), so that server.properties and AlterConfigs take them with Kafka's
 * types and bounds. The ones marked inert have no effect in Samsa. The SASL/Kerberos/OAUTHBEARER
 * and principal.builder.class keys stay undefined (server.properties refuses them as unknown:
 * securityRefusals.ts); a dynamic change of one is stored unchecked, as a custom name.
 */
export const DYNAMIC_ONLY_CONFIG_DEFS: Readonly<Record<string, ConfigDef>> = {
  'background.threads': d('int', 10, 'Background threads (no effect: Node has one event loop)', { min: 1, inert: true }),
  'log.cleaner.io.buffer.load.factor': d('double', 0.9, 'Cleaner dedupe buffer load factor (no effect in Samsa)', { inert: true }),
  'log.cleaner.io.buffer.size': d('int', 524288, 'Cleaner I/O buffer memory (no effect in Samsa)', { min: 0, inert: true }),
  'log.cleaner.io.max.bytes.per.second': d('double', DOUBLE_MAX, 'Cleaner I/O throttle (no effect in Samsa)', { inert: true }),
  'leader.replication.throttled.rate': d('long', LONG_MAX, 'Bytes/s a leader sends to the throttled replicas of leader.replication.throttled.replicas', { min: 0 }),
  'follower.replication.throttled.rate': d('long', LONG_MAX, 'Bytes/s a follower fetches for the throttled replicas of follower.replication.throttled.replicas', { min: 0 }),
  'replica.alter.log.dirs.io.max.bytes.per.second': d('long', LONG_MAX, 'Bytes/s of moves between log dirs of one broker', { min: 0 }),
};

/** Whether DescribeConfigs reports a stored dynamic value as the broker's (all but `unserved` ones). */
export function isReportedDynamicConfig(name: string): boolean {
  return ALL_DYNAMIC_CONFIGS.get(name)?.effect !== 'unserved';
}
