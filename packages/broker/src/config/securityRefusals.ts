/**
 * Settings that promise security Samsa does not provide yet. An operator who sets one believes the
 * cluster is protected; a broker that accepted it would serve everyone in the clear while saying
 * otherwise (advertise a plaintext socket as SSL, skip ACLs it was told to enforce). So the broker
 * fails closed: it refuses to start and says which setting and why. Settings at their defaults never
 * refuse. When the security issue provides a feature, its rule here goes.
 *
 * Keys Samsa does not define at all (ssl.*, sasl.*, listener.name.*.ssl.*, …) are
 * already refused as unknown configurations; unknownSecurityHint adds why to that message.
 */
import { listenerNameOf, listenerSecurityProtocol } from '../network/EndPoint';
import { authorizerRefusals } from './authorizerConfigs';

/** What the rules read: effective values and where the operator's values came from. */
export interface ConfigView {
  get(key: string): unknown;
  readonly origins: ReadonlyMap<string, string>;
}

const where = (config: ConfigView, key: string): string => config.origins.get(key) ?? 'default';

/** The listener entries whose security protocol is not PLAINTEXT, each as a refusal. */
function listenerRefusals(config: ConfigView): string[] {
  const protocolMap = (config.get('listener.security.protocol.map') as string[] | null) ?? [];
  const out: string[] = [];
  for (const key of ['listeners', 'advertised.listeners']) {
    for (const entry of (config.get(key) as string[] | null) ?? []) {
      const name = listenerNameOf(entry);
      if (name === undefined) continue; // malformed: the socket server reports it
      const protocol = listenerSecurityProtocol(name, protocolMap);
      if (protocol === undefined || protocol === 'PLAINTEXT') continue;
      const mapped = protocol === name ? '' : ` (listener.security.protocol.map, ${where(config, 'listener.security.protocol.map')})`;
      out.push(
        `listener ${entry.trim()} in ${key} (${where(config, key)}) has security protocol ${protocol}${mapped}, ` +
          `but Samsa serves only PLAINTEXT yet: it would accept unencrypted, unauthenticated connections ` +
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
  out.push(...authorizerRefusals(config));
  if (config.get('zookeeper.set.acl') === true) {
    out.push(
      `zookeeper.set.acl=true (${where(config, 'zookeeper.set.acl')}) asks for secure ZooKeeper ACLs, ` +
        `but Samsa does not set them yet: its znodes would stay writable by any ZooKeeper client`,
    );
  }
  const interBroker = config.get('security.inter.broker.protocol') as string;
  if (interBroker !== 'PLAINTEXT') {
    out.push(
      `security.inter.broker.protocol=${interBroker} (${where(config, 'security.inter.broker.protocol')}) ` +
        `asks brokers to talk over ${interBroker}, but Samsa serves only PLAINTEXT yet`,
    );
  }
  out.push(...listenerRefusals(config));
  return out;
}

/** Why an unknown key that configures SSL or SASL is unknown, or undefined for other keys. */
export function unknownSecurityHint(key: string): string | undefined {
  return /^(ssl|sasl)\.|^listener\.name\.[^.]+\.([^.]+\.)?(ssl|sasl)\./.test(key)
    ? 'Samsa does not provide SSL or SASL yet'
    : undefined;
}
