/**
 * Settings that promise security Samsa does not provide yet. An operator who sets one believes the
 * cluster is protected; a broker that accepted it would serve everyone in the clear while saying
 * otherwise (skip ACLs it was told to enforce, leave znodes writable). So the broker fails closed:
 * it refuses to start and says which setting and why. Settings at their defaults never refuse. When
 * the security issue provides a feature, its rule here goes: every listener security protocol
 * (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL) is served now.
 *
 * Keys Samsa does not define at all (sasl.kerberos.*, …) are already refused as unknown
 * configurations; unknownSecurityHint adds why to that message.
 */
import { authorizerRefusals } from './authorizerConfigs';
import { listenerSecurityProtocol } from '../network/EndPoint';
import { interBrokerListenerName } from './controlPlaneListener';

/** What the rules read: effective values and where the operator's values came from. */
export interface ConfigView {
  get(key: string): unknown;
  readonly origins: ReadonlyMap<string, string>;
}

const where = (config: ConfigView, key: string): string => config.origins.get(key) ?? 'default';

/**
 * Every setting of `config` that promises security Samsa does not provide, each as one sentence
 * naming the key, its value and origin; empty when the broker may start.
 */
export function securityRefusals(config: ConfigView): string[] {
  const out: string[] = [];
  out.push(...authorizerRefusals(config));
  if (config.get('zookeeper.set.acl') === true) {
    out.push(
      `zookeeper.set.acl=true (${where(config, 'zookeeper.set.acl')}) asks for secure ZooKeeper ACLs, ` +
        `but Samsa cannot set them: Kafka makes its znodes writable only by the brokers' SASL-authenticated ` +
        `ZooKeeper session (JAAS Client section), and Samsa's ZooKeeper client (node-zookeeper-client) speaks no ` +
        `SASL, so its znodes would stay writable by any ZooKeeper client`,
    );
  }
  const mismatch = interBrokerMismatch(config);
  if (mismatch !== undefined) out.push(mismatch);
  return out;
}

/**
 * security.inter.broker.protocol=<P> asks brokers to talk over P; when the inter-broker listener it
 * resolves to (inter.broker.listener.name, else the listener named P, else the first one) runs
 * another protocol, the brokers would not talk as asked (in the clear, or unauthenticated). Kafka refuses such a configuration
 * too (the inter-broker listener must exist with that protocol).
 */
function interBrokerMismatch(config: ConfigView): string | undefined {
  const wanted = config.get('security.inter.broker.protocol') as string;
  if (wanted === 'PLAINTEXT') return undefined;
  const listener = interBrokerListenerName(config);
  const protocolMap = (config.get('listener.security.protocol.map') as string[] | null) ?? [];
  const actual = listenerSecurityProtocol(listener, protocolMap);
  if (actual === wanted) return undefined;
  return (
    `security.inter.broker.protocol=${wanted} (${where(config, 'security.inter.broker.protocol')}) asks brokers to ` +
    `talk over ${wanted}, but the inter-broker listener ${listener} has security protocol ${actual ?? 'unknown'}: ` +
    `name an ${wanted} listener in listeners or set inter.broker.listener.name`
  );
}

/**
 * Why an unknown key that configures SSL or SASL is unknown (those Samsa serves are defined in
 * sslConfigs.ts and saslConfigs.ts), or undefined for other keys.
 */
export function unknownSecurityHint(key: string): string | undefined {
  return /^(ssl|sasl)\.|^listener\.name\.[^.]+\.([^.]+\.)?(ssl|sasl)\./.test(key)
    ? 'Samsa serves SSL and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) but does not know this setting (GSSAPI/Kerberos and OAUTHBEARER are not provided)'
    : undefined;
}
