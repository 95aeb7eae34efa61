/**
 * What the SocketServer needs to know of each listener's security: its protocol and, for SSL and
 * SASL_SSL, the node:tls server options (keystore, truststore, ssl.client.auth, versions, ciphers)
 * and, for SSL, how a client certificate's subject becomes a principal
 * (ssl.principal.mapping.rules). Built once at startup from the broker configuration with the
 * listener's own `listener.name.<l>.ssl.*` keys over the plain ones; a listener whose TLS material
 * cannot be loaded stops the broker from starting (it would otherwise listen and refuse everyone,
 * or worse, be skipped).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type TlsOptions } from 'node:tls';
import {
  SslPrincipalMapper,
  isSecurityProtocol,
  sslServerOptions,
  sslSettings,
  usesTls,
  type SecurityProtocol,
  type SslClientAuth,
  type SslSettings,
} from '@samsa/security';
import type { KafkaConfig } from '../config/KafkaConfig';
import { listenerSecurityProtocol, type ListenerSpec } from './EndPoint';

export interface ListenerSecurity {
  readonly securityProtocol: SecurityProtocol;
  /** node:tls server options; present for SSL and SASL_SSL. */
  readonly tls?: TlsOptions;
  readonly clientAuth?: SslClientAuth;
  /** ssl.principal.mapping.rules of the listener; present for SSL. */
  readonly principalMapper?: SslPrincipalMapper;
}

export const PLAINTEXT_LISTENER: ListenerSecurity = Object.freeze({ securityProtocol: 'PLAINTEXT' });

/**
 * The security of every listener that is not PLAINTEXT, keyed by listener name (the SocketServer
 * takes a listener it does not find as PLAINTEXT); throws naming the listener when its TLS material
 * is unusable.
 */
export function listenerSecurityOf(
  config: KafkaConfig,
  listeners: readonly ListenerSpec[],
  dynamic: ReadonlyMap<string, string> = new Map(),
): ReadonlyMap<string, ListenerSecurity> {
  const protocolMap = config.list('listener.security.protocol.map');
  const out = new Map<string, ListenerSecurity>();
  for (const l of listeners) {
    const protocol = listenerSecurityProtocol(l.name, protocolMap) ?? 'PLAINTEXT';
    if (!isSecurityProtocol(protocol)) throw new Error(`listener ${l.name} has unknown security protocol ${protocol}`);
    if (protocol === 'PLAINTEXT') continue;
    if (!usesTls(protocol)) {
      out.set(l.name, { securityProtocol: protocol });
      continue;
    }
    try {
      const settings = listenerSslSettings(config, l.name, dynamic);
      const tls = sslServerOptions(settings, (path) => readFileSync(path));
      createSecureContext(tls); // a wrong password or a key that does not fit its certificate fails here, at startup
      out.set(l.name, {
        securityProtocol: protocol,
        tls,
        clientAuth: settings.clientAuth,
        principalMapper: protocol === 'SSL' ? new SslPrincipalMapper(settings.principalMappingRules) : undefined,
      });
    } catch (e) {
      throw new Error(`listener ${l.name} (${protocol}): ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * A listener's own ssl.* key (`listener.name.<l>.ssl.…`) from this broker's dynamic config
 * (/config/brokers/<id>, set by AlterConfigs), which wins over server.properties as in Kafka's
 * DynamicBrokerConfig; other keys are not reconfigured here.
 */
function dynamicSslValue(dynamic: ReadonlyMap<string, string>, key: string): string | undefined {
  if (!/^listener\.name\.[^.]+\.ssl\./.test(key)) return undefined;
  for (const [k, v] of dynamic) {
    const m = /^listener\.name\.([^.]+)\.(ssl\..+)$/.exec(k);
    if (m !== null && `listener.name.${m[1].toLowerCase()}.${m[2]}` === key) return v;
  }
  return undefined;
}

/**
 * The ssl.* settings of a listener: its dynamic listener.name.<l>.ssl.* keys, then server.properties.
 * On a SASL_SSL listener the broker-wide ssl.client.auth does not apply (KIP-684, Kafka 2.8): SASL
 * authenticates those clients, and only `listener.name.<l>.ssl.client.auth` asks them for a
 * certificate too.
 */
export function listenerSslSettings(
  config: KafkaConfig,
  listenerName: string,
  dynamic: ReadonlyMap<string, string> = new Map(),
): SslSettings {
  const lookup = (key: string): unknown => dynamicSslValue(dynamic, key) ?? config.lookup(key);
  const protocol = listenerSecurityProtocol(listenerName, config.list('listener.security.protocol.map'));
  if (protocol !== 'SASL_SSL') return sslSettings(lookup, listenerName);
  // the plain key is not read; the listener's own `listener.name.<l>.ssl.client.auth` still is
  return sslSettings((key) => (key === 'ssl.client.auth' ? undefined : lookup(key)), listenerName);
}
