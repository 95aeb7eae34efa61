/**
 * The broker's ssl.* keys (Kafka 2.8 names, types and defaults; read by @samsa/security's
 * sslSettings). Each may also be set for one listener as `listener.name.<listener>.<key>`
 * (Kafka's per-listener override): sslListenerOverride tells KafkaConfig which prefixed keys are
 * these.
 */
import type { ConfigDef } from './definitions';

const d = (
  type: ConfigDef['type'],
  def: ConfigDef['default'],
  doc: string,
  extra: Partial<Pick<ConfigDef, 'oneOf' | 'inert'>> = {},
): ConfigDef => ({ type, default: def, doc, ...extra });

export const SSL_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  'ssl.protocol': d('string', 'TLSv1.3', 'Highest TLS version when ssl.enabled.protocols is empty (TLSv1.2, TLSv1.3, TLS)'),
  'ssl.enabled.protocols': d('list', ['TLSv1.2', 'TLSv1.3'], 'TLS versions accepted'),
  'ssl.keystore.type': d('string', 'JKS', 'Keystore format: PKCS12 or PEM (JKS is refused: no JVM)'),
  'ssl.keystore.location': d('string', null, 'Keystore file'),
  'ssl.keystore.password': d('password', null, 'Keystore password (PKCS12)'),
  'ssl.key.password': d('password', null, 'Password of the private key (an encrypted PEM key)'),
  'ssl.keystore.key': d('password', null, 'Private key in PEM (KIP-651, ssl.keystore.type=PEM)'),
  'ssl.keystore.certificate.chain': d('password', null, 'Certificate chain in PEM (KIP-651, ssl.keystore.type=PEM)'),
  'ssl.truststore.type': d('string', 'JKS', 'Truststore format: PKCS12 or PEM (JKS is refused: no JVM)'),
  'ssl.truststore.location': d('string', null, 'Truststore file'),
  'ssl.truststore.password': d('password', null, 'Truststore password (PKCS12)'),
  'ssl.truststore.certificates': d('password', null, 'Trusted certificates in PEM (KIP-651, ssl.truststore.type=PEM)'),
  'ssl.client.auth': d('string', 'none', 'Client certificates: none, requested or required', { oneOf: ['none', 'requested', 'required'] }),
  'ssl.cipher.suites': d('list', [], 'Cipher suites (IANA names); empty: the defaults'),
  'ssl.endpoint.identification.algorithm': d('string', 'https', 'https: check the server host name when connecting to other brokers; empty: do not'),
  'ssl.principal.mapping.rules': d('string', 'DEFAULT', 'Client certificate DN to principal name (RULE:pattern/replacement/[LU], DEFAULT)'),
  'ssl.keymanager.algorithm': d('string', 'SunX509', 'JVM key manager algorithm', { inert: true }),
  'ssl.trustmanager.algorithm': d('string', 'PKIX', 'JVM trust manager algorithm', { inert: true }),
  'ssl.secure.random.implementation': d('string', null, 'JVM SecureRandom implementation', { inert: true }),
  'ssl.provider': d('string', null, 'JVM security provider', { inert: true }),
  'ssl.engine.factory.class': d('string', null, 'Custom SslEngineFactory class', { inert: true }),
};

/** For `listener.name.<l>.ssl.<x>` naming one of SSL_CONFIGS, that plain key; else undefined. */
export function sslListenerOverride(key: string): string | undefined {
  const m = /^listener\.name\.[^.]+\.(ssl\..+)$/.exec(key);
  return m !== null && m[1] in SSL_CONFIGS ? m[1] : undefined;
}
