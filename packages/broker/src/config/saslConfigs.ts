/**
 * The broker's SASL settings (Kafka 2.8's names and defaults), and how one listener resolves them.
 *
 * Per listener, as Kafka's ListenerName.configPrefix / saslMechanismConfigPrefix:
 *   listener.name.<l>.sasl.enabled.mechanisms        over sasl.enabled.mechanisms
 *   listener.name.<l>.<mech>.sasl.jaas.config        the login module of <mech> (lower case) on <l>;
 *                                                    a broker has no other place for it (no JAAS file)
 *   listener.name.<l>.<mech>.connections.max.reauth.ms  over connections.max.reauth.ms
 * Samsa serves PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512; a SASL listener that enables any other
 * mechanism (GSSAPI, Kafka's default, or OAUTHBEARER) is refused at start with that reason.
 */
import { isSecurityProtocol, parseJaasConfig, usesSasl, type JaasLoginModule } from '@samsa/security';
import { listenerNameOf, listenerSecurityProtocol } from '../network/EndPoint';
import { controlPlaneListenerName, interBrokerListenerName } from './controlPlaneListener';
import type { ConfigDef } from './definitions';
import type { ConfigView } from './securityRefusals';

const d = (type: ConfigDef['type'], def: ConfigDef['default'], doc: string, extra: Partial<ConfigDef> = {}): ConfigDef => ({
  type,
  default: def,
  doc,
  ...extra,
});

export const SASL_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  'sasl.enabled.mechanisms': d('list', ['GSSAPI'], 'SASL mechanisms served on SASL listeners (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)'),
  'sasl.mechanism.inter.broker.protocol': d('string', 'GSSAPI', 'SASL mechanism brokers use with each other'),
  'sasl.server.max.receive.size': d('int', 524288, 'Largest SASL token or request before authentication', { min: 1 }),
  'connections.max.reauth.ms': d('long', 0, 'KIP-368: session lifetime of SASL connections; 0 = never re-authenticate', { min: 0 }),
  'connection.failed.authentication.delay.ms': d('int', 100, 'Delay before answering (and closing) a failed authentication', { min: 0 }),
};

/** Listener-prefixed SASL keys KafkaConfig accepts beside its table (their values are read raw). */
export const SASL_LISTENER_KEY =
  /^listener\.name\.[^.]+\.(?:sasl\.enabled\.mechanisms|connections\.max\.reauth\.ms|[a-z0-9-]+\.(?:sasl\.jaas\.config|connections\.max\.reauth\.ms))$/;

export const SERVED_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ServedSaslMechanism = (typeof SERVED_SASL_MECHANISMS)[number];

/** What SaslConfigs needs of KafkaConfig (so this module does not import it). */
export interface SaslConfigSource {
  get(key: string): unknown;
  /** A listener-prefixed key's raw value (`listener.name.<l>.<rest>`, listener name in any case). */
  listenerOverride(listenerName: string, rest: string): string | undefined;
}

/** One SASL listener's resolved settings. */
export interface SaslListenerConfig {
  readonly listenerName: string;
  /** In the order configured; SaslHandshake answers them in this order. */
  readonly enabledMechanisms: readonly ServedSaslMechanism[];
  /** Each enabled mechanism's login module. */
  readonly jaas: ReadonlyMap<ServedSaslMechanism, JaasLoginModule>;
  /** Each enabled mechanism's connections.max.reauth.ms (0: sessions do not expire). */
  readonly maxReauthMs: ReadonlyMap<ServedSaslMechanism, number>;
  readonly failedAuthenticationDelayMs: number;
  readonly maxReceiveSize: number;
}

const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** Resolves `listenerName`'s SASL settings; throws an Error naming the key when they cannot serve. */
export function saslListenerConfig(config: SaslConfigSource, listenerName: string): SaslListenerConfig {
  const override = config.listenerOverride(listenerName, 'sasl.enabled.mechanisms');
  const mechanisms = override !== undefined ? splitList(override) : [...((config.get('sasl.enabled.mechanisms') as string[] | null) ?? [])];
  const key = override !== undefined ? `listener.name.${listenerName.toLowerCase()}.sasl.enabled.mechanisms` : 'sasl.enabled.mechanisms';
  if (mechanisms.length === 0) throw new Error(`${key} is empty for SASL listener ${listenerName}: No SASL mechanisms are enabled`);
  const jaas = new Map<ServedSaslMechanism, JaasLoginModule>();
  const maxReauthMs = new Map<ServedSaslMechanism, number>();
  const globalReauth = Number(config.get('connections.max.reauth.ms') ?? 0);
  const listenerReauth = config.listenerOverride(listenerName, 'connections.max.reauth.ms');
  for (const m of mechanisms) {
    if (!(SERVED_SASL_MECHANISMS as readonly string[]).includes(m)) {
      throw new Error(
        `${key}=${mechanisms.join(',')} enables ${m} on SASL listener ${listenerName}, but Samsa serves only ` +
          `${SERVED_SASL_MECHANISMS.join(', ')}`,
      );
    }
    const mech = m as ServedSaslMechanism;
    const jaasKey = `${mech.toLowerCase()}.sasl.jaas.config`;
    const text = config.listenerOverride(listenerName, jaasKey);
    if (text === undefined) {
      throw new Error(
        `Could not find a 'KafkaServer' or '${listenerName.toLowerCase()}.KafkaServer' entry for mechanism ${mech}: ` +
          `set listener.name.${listenerName.toLowerCase()}.${jaasKey}`,
      );
    }
    let modules: JaasLoginModule[];
    try {
      modules = parseJaasConfig(text);
    } catch (e) {
      throw new Error(`listener.name.${listenerName.toLowerCase()}.${jaasKey}: ${(e as Error).message}`);
    }
    if (modules.length !== 1)
      throw new Error(`listener.name.${listenerName.toLowerCase()}.${jaasKey}: JAAS config property contains ${modules.length} login modules, should be 1 module`);
    jaas.set(mech, modules[0]);
    const reauth = config.listenerOverride(listenerName, `${mech.toLowerCase()}.connections.max.reauth.ms`) ?? listenerReauth;
    const ms = reauth !== undefined ? Number(reauth) : globalReauth;
    if (!Number.isInteger(ms) || ms < 0) throw new Error(`connections.max.reauth.ms of ${mech} on ${listenerName} is not a non-negative integer: ${reauth}`);
    maxReauthMs.set(mech, ms);
  }
  return {
    listenerName,
    enabledMechanisms: mechanisms as ServedSaslMechanism[],
    jaas,
    maxReauthMs,
    failedAuthenticationDelayMs: Number(config.get('connection.failed.authentication.delay.ms')),
    maxReceiveSize: Number(config.get('sasl.server.max.receive.size')),
  };
}

/** The SASL listeners of `listeners` (names upper case). */
export function saslListenerNames(config: SaslConfigSource): string[] {
  const protocolMap = (config.get('listener.security.protocol.map') as string[] | null) ?? [];
  const out: string[] = [];
  for (const entry of (config.get('listeners') as string[] | null) ?? []) {
    const name = listenerNameOf(entry);
    if (name === undefined) continue;
    const protocol = listenerSecurityProtocol(name, protocolMap);
    if (protocol !== undefined && isSecurityProtocol(protocol) && usesSasl(protocol)) out.push(name);
  }
  return out;
}

/** Every SASL listener's problem, each one sentence; empty when all can serve. */
export function saslConfigProblems(config: SaslConfigSource & ConfigView): string[] {
  const out: string[] = [];
  const sasl = saslListenerNames(config);
  for (const l of sasl) {
    try {
      saslListenerConfig(config, l);
    } catch (e) {
      out.push((e as Error).message);
    }
  }
  if (out.length > 0) return out;
  // the listeners this broker connects to as a client (KafkaConfig's inter-broker SASL checks)
  const clientListeners = new Set([interBrokerListenerName(config), controlPlaneListenerName(config) ?? interBrokerListenerName(config)]);
  for (const l of clientListeners) {
    if (!sasl.includes(l)) continue;
    try {
      saslClientCredentials(config, l);
    } catch (e) {
      out.push((e as Error).message);
    }
  }
  return out;
}

/**
 * What this broker logs in with on another broker's SASL listener `listenerName` (Kafka's
 * inter-broker SaslChannelBuilder in client mode): sasl.mechanism.inter.broker.protocol, with the
 * `username` and `password` options of that mechanism's login module on the listener. Throws
 * Kafka's complaint when the mechanism is not enabled there or the login module names no user.
 */
export function saslClientCredentials(
  config: SaslConfigSource,
  listenerName: string,
): { mechanism: ServedSaslMechanism; username: string; password: string } {
  const mechanism = String(config.get('sasl.mechanism.inter.broker.protocol'));
  const listener = saslListenerConfig(config, listenerName);
  if (!(listener.enabledMechanisms as readonly string[]).includes(mechanism)) {
    throw new Error(
      `sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication ` +
        `(${mechanism} is not enabled on listener ${listenerName})`,
    );
  }
  const options = listener.jaas.get(mechanism as ServedSaslMechanism)!.options;
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || password === undefined) {
    throw new Error(
      `listener.name.${listenerName.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config needs username and password options: ` +
        `this broker logs in with them on the other brokers' ${listenerName} listener (sasl.mechanism.inter.broker.protocol=${mechanism})`,
    );
  }
  return { mechanism: mechanism as ServedSaslMechanism, username, password };
}
