/**
 * The ssl.* settings of one listener (or of a client), as Kafka resolves them: for a listener,
 * `listener.name.<listener lower case>.<key>` overrides `<key>` key by key (Kafka's
 * valuesWithPrefixOverride). The broker's definitions of these keys (types, defaults) are in
 * broker/src/config/sslConfigs.ts; this module only reads values.
 */

export type SslClientAuth = 'none' | 'requested' | 'required';

export interface SslSettings {
  /** ssl.protocol (Java's SSLContext protocol: TLSv1.3, TLSv1.2, TLS). */
  readonly protocol: string;
  /** ssl.enabled.protocols; when non-empty it decides the versions. */
  readonly enabledProtocols: readonly string[];
  readonly keystoreType: string;
  readonly keystoreLocation: string | null;
  readonly keystorePassword: string | null;
  readonly keyPassword: string | null;
  /** KIP-651 inline PEM key (ssl.keystore.type=PEM). */
  readonly keystoreKey: string | null;
  /** KIP-651 inline PEM certificate chain (ssl.keystore.type=PEM). */
  readonly keystoreCertificateChain: string | null;
  readonly truststoreType: string;
  readonly truststoreLocation: string | null;
  readonly truststorePassword: string | null;
  /** KIP-651 inline PEM trusted certificates (ssl.truststore.type=PEM). */
  readonly truststoreCertificates: string | null;
  readonly clientAuth: SslClientAuth;
  /** ssl.cipher.suites, IANA names as Java writes them; empty: the defaults. */
  readonly cipherSuites: readonly string[];
  /** ssl.endpoint.identification.algorithm: 'https' checks the server's host name, '' does not. */
  readonly endpointIdentificationAlgorithm: string;
  readonly principalMappingRules: string;
}

/** Every key SslSettings reads, with its Kafka 2.8 broker default. */
export const SSL_DEFAULTS: Readonly<Record<string, string | readonly string[] | null>> = {
  'ssl.protocol': 'TLSv1.3',
  'ssl.enabled.protocols': ['TLSv1.2', 'TLSv1.3'],
  'ssl.keystore.type': 'JKS',
  'ssl.keystore.location': null,
  'ssl.keystore.password': null,
  'ssl.key.password': null,
  'ssl.keystore.key': null,
  'ssl.keystore.certificate.chain': null,
  'ssl.truststore.type': 'JKS',
  'ssl.truststore.location': null,
  'ssl.truststore.password': null,
  'ssl.truststore.certificates': null,
  'ssl.client.auth': 'none',
  'ssl.cipher.suites': [],
  'ssl.endpoint.identification.algorithm': 'https',
  'ssl.principal.mapping.rules': 'DEFAULT',
};

/** Reads one key's value; undefined when the key is not set (for prefixed keys) or not known. */
export type SslLookup = (key: string) => unknown;

/** The prefix of a listener's own keys: `listener.name.<name lower case>.` (Kafka's ListenerName.configPrefix). */
export function listenerConfigPrefix(listenerName: string): string {
  return `listener.name.${listenerName.toLowerCase()}.`;
}

function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return String(v);
}

function list(v: unknown): readonly string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [];
}

/**
 * The settings read through `lookup` (values of the plain keys, defaults applied by the caller or
 * here). With `listenerName`, each `listener.name.<l>.<key>` that lookup knows wins over `<key>`.
 */
export function sslSettings(lookup: SslLookup, listenerName?: string): SslSettings {
  const prefix = listenerName === undefined ? undefined : listenerConfigPrefix(listenerName);
  const get = (key: string): unknown => {
    const own = prefix === undefined ? undefined : lookup(prefix + key);
    if (own !== undefined) return own;
    const plain = lookup(key);
    return plain === undefined ? SSL_DEFAULTS[key] : plain;
  };
  const clientAuth = (str(get('ssl.client.auth')) ?? 'none').toLowerCase();
  if (clientAuth !== 'none' && clientAuth !== 'requested' && clientAuth !== 'required') {
    throw new Error(`ssl.client.auth=${clientAuth}: expected none, requested or required`);
  }
  return {
    protocol: str(get('ssl.protocol')) ?? 'TLSv1.3',
    enabledProtocols: list(get('ssl.enabled.protocols')),
    keystoreType: (str(get('ssl.keystore.type')) ?? 'JKS').toUpperCase(),
    keystoreLocation: str(get('ssl.keystore.location')),
    keystorePassword: str(get('ssl.keystore.password')),
    keyPassword: str(get('ssl.key.password')),
    keystoreKey: str(get('ssl.keystore.key')),
    keystoreCertificateChain: str(get('ssl.keystore.certificate.chain')),
    truststoreType: (str(get('ssl.truststore.type')) ?? 'JKS').toUpperCase(),
    truststoreLocation: str(get('ssl.truststore.location')),
    truststorePassword: str(get('ssl.truststore.password')),
    truststoreCertificates: str(get('ssl.truststore.certificates')),
    clientAuth,
    cipherSuites: list(get('ssl.cipher.suites')),
    endpointIdentificationAlgorithm: str(get('ssl.endpoint.identification.algorithm')) ?? '',
    principalMappingRules: str(get('ssl.principal.mapping.rules')) ?? 'DEFAULT',
  };
}
