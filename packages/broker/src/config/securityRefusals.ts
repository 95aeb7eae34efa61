/**
 * Settings that promise security Samsa does not provide yet. An operator who sets one believes the
 * cluster is protected; a broker that accepted it would serve everyone in the clear while saying
 * otherwise (advertise a plaintext socket as SSL, skip ACLs it was told to enforce). So the broker
 * fails closed: it refuses to start and says which setting and why. Settings at their defaults never
 * refuse. When the security issue provides a feature, its rule here goes.
 *
 * Keys Samsa does not define at all (sasl.*, listener.name.*.sasl.*, super.users, …) are
 * already refused as unknown configurations; unknownSecurityHint adds why to that message.
 */
import { listenerNameOf, listenerSecurityProtocol } from '../network/EndPoint';
import { interBrokerListenerName } from './controlPlaneListener';

/** What the rules read: effective values and where the operator's values came from. */
export interface ConfigView {
  get(key: string): unknown;
  readonly origins: ReadonlyMap<string, string>;
}

const where = (config: ConfigView, key: string): string => config.origins.get(key) ?? 'default';

/** The listener entries whose security protocol Samsa does not serve yet (SASL), each as a refusal. */
function listenerRefusals(config: ConfigView): string[] {
  const protocolMap = (config.get('listener.security.protocol.map') as string[] | null) ?? [];
  const out: string[] = [];
  for (const key of ['listeners', 'advertised.listeners']) {
    for (const entry of (config.get(key) as string[] | null) ?? []) {
      const name = listenerNameOf(entry);
      if (name === undefined) continue; // malformed: the socket server reports it
      const protocol = listenerSecurityProtocol(name, protocolMap);
      if (protocol === undefined || protocol === 'PLAINTEXT' || protocol === 'SSL') continue;
      const mapped = protocol === name ? '' : ` (listener.security.protocol.map, ${where(config, 'listener.security.protocol.map')})`;
      out.push(
        `listener ${entry.trim()} in ${key} (${where(config, key)}) has security protocol ${protocol}${mapped}, ` +
          `but Samsa serves only PLAINTEXT and SSL yet: it would accept unauthenticated connections ` +
          `and advertise them as ${protocol}`,
      );
    }
  }
  return out;
}

/**
 * Every setting of `config` that promises security Samsa does not provide, each as one sentence
 * naming the key, its value and origin; empty when the broker may start.
 */
export function securityRefusals(config: ConfigView): string[] {
  const out: string[] = [];
  const authorizer = (config.get('authorizer.class.name') as string | null) ?? '';
  if (authorizer.trim() !== '') {
    out.push(
      `authorizer.class.name=${authorizer} (${where(config, 'authorizer.class.name')}) asks for an authorizer, ` +
        `but Samsa has none yet: every client would be allowed every operation`,
    );
  }
  if (config.get('zookeeper.set.acl') === true) {
    out.push(
      `zookeeper.set.acl=true (${where(config, 'zookeeper.set.acl')}) asks for secure ZooKeeper ACLs, ` +
        `but Samsa does not set them yet: its znodes would stay writable by any ZooKeeper client`,
    );
  }
  const interBroker = config.get('security.inter.broker.protocol') as string;
  if (interBroker !== 'PLAINTEXT' && interBroker !== 'SSL') {
    out.push(
      `security.inter.broker.protocol=${interBroker} (${where(config, 'security.inter.broker.protocol')}) ` +
        `asks brokers to talk over ${interBroker}, but Samsa serves only PLAINTEXT and SSL yet`,
    );
  }
  out.push(...listenerRefusals(config));
  const mismatch = interBrokerMismatch(config);
  if (mismatch !== undefined) out.push(mismatch);
  return out;
}

/**
 * security.inter.broker.protocol=SSL asks brokers to talk over TLS; when the inter-broker listener
 * it resolves to (inter.broker.listener.name, else the listener named SSL, else the first one)
 * runs another protocol, the brokers would talk in the clear. Kafka refuses such a configuration
 * too (the inter-broker listener must exist with that protocol).
 */
function interBrokerMismatch(config: ConfigView): string | undefined {
  const wanted = config.get('security.inter.broker.protocol') as string;
  if (wanted !== 'SSL') return undefined;
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

/** Why an unknown key that configures SASL is unknown, or undefined for other keys (ssl.* keys are defined: sslConfigs.ts). */
export function unknownSecurityHint(key: string): string | undefined {
  return /^sasl\.|^listener\.name\.[^.]+\.([^.]+\.)?sasl\./.test(key) ? 'Samsa does not provide SASL yet' : undefined;
}
