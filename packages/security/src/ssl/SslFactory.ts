/**
 * Kafka's SslFactory / DefaultSslEngineFactory for node:tls: the options of a TLS server (a
 * broker's SSL or SASL_SSL listener) or client (a broker reaching another broker, a CLI) from the
 * ssl.* settings. Files are read through the `readFile` the caller gives (this package does no I/O
 * of its own), once, when the options are built.
 *
 * Keystores: PKCS12 (Node's `pfx`), PEM from a file (a PKCS#8 key, encrypted with
 * ssl.key.password or not, followed by the certificate chain) or inline (KIP-651:
 * ssl.keystore.key + ssl.keystore.certificate.chain). Truststores: PEM (file or
 * ssl.truststore.certificates) and PKCS12 (certificates only, read by Pkcs12Truststore). JKS is
 * refused: it needs a JVM.
 */
import type { ConnectionOptions, SecureContextOptions, TlsOptions } from 'node:tls';
import { opensslCipherList } from './CipherSuites';
import { pkcs12TrustedCertificates } from './Pkcs12Truststore';
import type { SslSettings } from './SslConfig';

export type ReadFile = (path: string) => Buffer;

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];

const JKS_REFUSAL =
  'JKS needs a JVM, which Samsa does not have: convert it (keytool -importkeystore -deststoretype PKCS12) ' +
  'and set the type to PKCS12, or use PEM';

function pemBlocks(text: string, label: RegExp): string[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  return [...text.matchAll(re)].filter((m) => label.test(m[1])).map((m) => `${m[0]}\n`);
}

function versions(settings: SslSettings): { minVersion?: TlsVersion; maxVersion?: TlsVersion } {
  const check = (p: string, key: string): TlsVersion => {
    const v = TLS_VERSIONS.find((t) => t.toLowerCase() === p.trim().toLowerCase());
    if (v === undefined) throw new Error(`${key}: ${p} is not supported (use ${TLS_VERSIONS.join(', ')})`);
    return v;
  };
  if (settings.enabledProtocols.length > 0) {
    const idx = settings.enabledProtocols.map((p) => TLS_VERSIONS.indexOf(check(p, 'ssl.enabled.protocols')));
    return { minVersion: TLS_VERSIONS[Math.min(...idx)], maxVersion: TLS_VERSIONS[Math.max(...idx)] };
  }
  if (/^TLS$/i.test(settings.protocol)) return {};
  return { maxVersion: check(settings.protocol, 'ssl.protocol') };
}

/** The key and certificate options of the keystore; empty when none is configured. */
function keystoreOptions(s: SslSettings, readFile: ReadFile): SecureContextOptions {
  const inline = s.keystoreKey !== null || s.keystoreCertificateChain !== null;
  if (s.keystoreLocation === null && !inline) return {};
  if (s.keystoreType === 'JKS') throw new Error(`ssl.keystore.type=JKS: ${JKS_REFUSAL}`);
  if (s.keystoreType === 'PKCS12') {
    if (inline) throw new Error('ssl.keystore.key and ssl.keystore.certificate.chain need ssl.keystore.type=PEM');
    return { pfx: readFile(s.keystoreLocation!), passphrase: s.keystorePassword ?? s.keyPassword ?? undefined };
  }
  if (s.keystoreType !== 'PEM') throw new Error(`ssl.keystore.type=${s.keystoreType}: expected PKCS12 or PEM`);
  if (s.keystorePassword !== null) {
    throw new Error('SSL key store password cannot be specified with PEM format, only key password may be specified');
  }
  let keyText: string;
  let chainText: string;
  if (inline) {
    if (s.keystoreLocation !== null) throw new Error('ssl.keystore.location cannot be set with ssl.keystore.key');
    if (s.keystoreKey === null || s.keystoreCertificateChain === null) {
      throw new Error('ssl.keystore.key and ssl.keystore.certificate.chain must both be set');
    }
    keyText = s.keystoreKey;
    chainText = s.keystoreCertificateChain;
  } else {
    keyText = chainText = readFile(s.keystoreLocation!).toString('utf8');
  }
  const keys = pemBlocks(keyText, /PRIVATE KEY$/);
  const certs = pemBlocks(chainText, /^CERTIFICATE$/);
  if (keys.length !== 1) throw new Error(`PEM keystore: expected one private key, found ${keys.length}`);
  if (certs.length === 0) throw new Error('PEM keystore: no certificate chain');
  if (/ENCRYPTED/.test(keys[0]) && s.keyPassword === null) {
    throw new Error('PEM keystore: the private key is encrypted and ssl.key.password is not set');
  }
  return { key: keys[0], cert: certs.join(''), passphrase: s.keyPassword ?? undefined };
}

/** The trusted CA certificates (PEM); undefined: Node's default roots (Java's cacerts). */
function trustedCertificates(s: SslSettings, readFile: ReadFile): string[] | undefined {
  if (s.truststoreCertificates !== null) {
    if (s.truststoreType !== 'PEM') throw new Error('ssl.truststore.certificates needs ssl.truststore.type=PEM');
    if (s.truststoreLocation !== null) throw new Error('ssl.truststore.location cannot be set with ssl.truststore.certificates');
    return nonEmpty(pemBlocks(s.truststoreCertificates, /^CERTIFICATE$/), 'ssl.truststore.certificates');
  }
  if (s.truststoreLocation === null) return undefined;
  switch (s.truststoreType) {
    case 'JKS':
      throw new Error(`ssl.truststore.type=JKS: ${JKS_REFUSAL}`);
    case 'PEM':
      if (s.truststorePassword !== null) throw new Error('SSL trust store password cannot be specified for PEM format.');
      return nonEmpty(pemBlocks(readFile(s.truststoreLocation).toString('utf8'), /^CERTIFICATE$/), s.truststoreLocation);
    case 'PKCS12':
      return nonEmpty(
        pkcs12TrustedCertificates(readFile(s.truststoreLocation), s.truststorePassword ?? ''),
        s.truststoreLocation,
      );
    default:
      throw new Error(`ssl.truststore.type=${s.truststoreType}: expected PKCS12 or PEM`);
  }
}

function nonEmpty(certs: string[], where: string): string[] {
  if (certs.length === 0) throw new Error(`truststore ${where} holds no certificate`);
  return certs;
}

function common(s: SslSettings, readFile: ReadFile): SecureContextOptions {
  const ca = trustedCertificates(s, readFile);
  const ciphers = opensslCipherList(s.cipherSuites);
  return {
    ...versions(s),
    ...keystoreOptions(s, readFile),
    ...(ca === undefined ? {} : { ca }),
    ...(ciphers === undefined ? {} : { ciphers }),
  };
}

/**
 * node:tls server options of a listener. A keystore is required. ssl.client.auth: none asks for no
 * certificate; requested asks and lets a client without one in (an untrusted one is refused by
 * the SocketServer after the handshake, as Java's wantClientAuth refuses it during); required
 * refuses a client without a trusted certificate during the handshake.
 */
export function sslServerOptions(s: SslSettings, readFile: ReadFile): TlsOptions {
  const options = common(s, readFile);
  if (options.pfx === undefined && options.key === undefined) {
    throw new Error('SSL key store is not specified (ssl.keystore.location, or ssl.keystore.key with ssl.keystore.type=PEM)');
  }
  return {
    ...options,
    requestCert: s.clientAuth !== 'none',
    rejectUnauthorized: s.clientAuth === 'required',
  };
}

/**
 * node:tls client options: the truststore, the keystore when one is set (mutual TLS), and the host
 * name check as ssl.endpoint.identification.algorithm says (https: checked; empty: not). The
 * caller adds host, port and servername.
 */
export function sslClientOptions(s: SslSettings, readFile: ReadFile): ConnectionOptions {
  const algorithm = s.endpointIdentificationAlgorithm.trim();
  if (algorithm !== '' && algorithm.toLowerCase() !== 'https') {
    throw new Error(`ssl.endpoint.identification.algorithm=${algorithm}: expected https or empty`);
  }
  return {
    ...common(s, readFile),
    rejectUnauthorized: true,
    ...(algorithm === '' ? { checkServerIdentity: () => undefined } : {}),
  };
}
