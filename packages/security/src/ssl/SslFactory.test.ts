import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { opensslCipherList } from './CipherSuites';
import { sslSettings, type SslSettings } from './SslConfig';
import { sslClientOptions, sslServerOptions } from './SslFactory';
import {
  CA_CERT,
  CERT,
  ENCRYPTED_KEY,
  ENCRYPTED_KEY_PASSWORD,
  KEY,
  KEYSTORE_P12,
  KEYSTORE_PASSWORD,
  TRUSTSTORE_P12,
  TRUSTSTORE_PASSWORD,
} from './testing/fixtures';

const FILES: Record<string, Buffer> = {
  '/ks.p12': KEYSTORE_P12,
  '/ts.p12': TRUSTSTORE_P12,
  '/ks.pem': Buffer.from(ENCRYPTED_KEY + CERT),
  '/plain.pem': Buffer.from(KEY + CERT),
  '/ca.pem': Buffer.from(CA_CERT),
};
function readFile(path: string): Buffer {
  const bytes = FILES[path];
  if (bytes === undefined) throw new Error(`no file ${path}`);
  return bytes;
}

function settings(values: Record<string, unknown>, listener?: string): SslSettings {
  return sslSettings((key) => values[key], listener);
}

describe('sslSettings', () => {
  it('Kafka 2.8 defaults', () => {
    expect(settings({})).toMatchObject({
      protocol: 'TLSv1.3',
      enabledProtocols: ['TLSv1.2', 'TLSv1.3'],
      keystoreType: 'JKS',
      truststoreType: 'JKS',
      clientAuth: 'none',
      endpointIdentificationAlgorithm: 'https',
      principalMappingRules: 'DEFAULT',
    });
  });

  it('listener.name.<l>.ssl.* overrides the plain key, key by key (listener names case-insensitive)', () => {
    const values = {
      'ssl.client.auth': 'requested',
      'ssl.keystore.location': '/plain',
      'listener.name.internal.ssl.client.auth': 'required',
    };
    expect(settings(values, 'INTERNAL')).toMatchObject({ clientAuth: 'required', keystoreLocation: '/plain' });
    expect(settings(values, 'EXTERNAL')).toMatchObject({ clientAuth: 'requested', keystoreLocation: '/plain' });
  });

  it('refuses an unknown ssl.client.auth', () => {
    expect(() => settings({ 'ssl.client.auth': 'maybe' })).toThrow(/ssl\.client\.auth=maybe/);
  });
});

describe('sslServerOptions', () => {
  it('PKCS12 keystore and truststore', () => {
    const options = sslServerOptions(
      settings({
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': '/ks.p12',
        'ssl.keystore.password': KEYSTORE_PASSWORD,
        'ssl.truststore.type': 'PKCS12',
        'ssl.truststore.location': '/ts.p12',
        'ssl.truststore.password': TRUSTSTORE_PASSWORD,
        'ssl.client.auth': 'required',
      }),
      readFile,
    );
    expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(options.ca).toHaveLength(1);
    expect(() => createSecureContext(options)).not.toThrow();
  });

  it('PEM keystore file with an encrypted key and ssl.key.password; a wrong password fails to load', () => {
    const good = sslServerOptions(
      settings({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/ks.pem', 'ssl.key.password': ENCRYPTED_KEY_PASSWORD }),
      readFile,
    );
    expect(() => createSecureContext(good)).not.toThrow();
    const bad = sslServerOptions(
      settings({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/ks.pem', 'ssl.key.password': 'nope' }),
      readFile,
    );
    expect(() => createSecureContext(bad)).toThrow();
    expect(() => sslServerOptions(settings({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/ks.pem' }), readFile)).toThrow(
      /encrypted and ssl\.key\.password is not set/,
    );
  });

  it('KIP-651 inline PEM key, chain and trusted certificates', () => {
    const options = sslServerOptions(
      settings({
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.key': KEY,
        'ssl.keystore.certificate.chain': CERT,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.certificates': CA_CERT,
        'ssl.client.auth': 'requested',
      }),
      readFile,
    );
    expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: false });
    expect(new X509Certificate(String(options.cert)).subject).toContain('CN=Jane');
    expect(() => createSecureContext(options)).not.toThrow();
  });

  it('refusals with Kafka\'s reasons: no keystore, JKS, a PEM keystore password, a PEM truststore password', () => {
    expect(() => sslServerOptions(settings({}), readFile)).toThrow(/SSL key store is not specified/);
    expect(() => sslServerOptions(settings({ 'ssl.keystore.location': '/k.jks' }), readFile)).toThrow(/ssl\.keystore\.type=JKS: JKS needs a JVM/);
    expect(() =>
      sslServerOptions(settings({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/plain.pem', 'ssl.keystore.password': 'x' }), readFile),
    ).toThrow('SSL key store password cannot be specified with PEM format, only key password may be specified');
    expect(() =>
      sslServerOptions(
        settings({
          'ssl.keystore.type': 'PEM',
          'ssl.keystore.location': '/plain.pem',
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': '/ca.pem',
          'ssl.truststore.password': 'x',
        }),
        readFile,
      ),
    ).toThrow('SSL trust store password cannot be specified for PEM format.');
  });

  it('ssl.enabled.protocols and ssl.protocol give the versions; ssl.cipher.suites maps IANA names', () => {
    const base = { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/plain.pem' };
    expect(sslServerOptions(settings({ ...base, 'ssl.enabled.protocols': ['TLSv1.2'] }), readFile)).toMatchObject({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    const fromProtocol = sslServerOptions(settings({ ...base, 'ssl.enabled.protocols': [], 'ssl.protocol': 'TLSv1.2' }), readFile);
    expect(fromProtocol.maxVersion).toBe('TLSv1.2');
    expect(() => sslServerOptions(settings({ ...base, 'ssl.enabled.protocols': ['SSLv3'] }), readFile)).toThrow(/SSLv3 is not supported/);
    expect(opensslCipherList(['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'])).toBe(
      'ECDHE-ECDSA-AES128-GCM-SHA256:TLS_AES_256_GCM_SHA384',
    );
    expect(opensslCipherList([])).toBeUndefined();
    expect(() => opensslCipherList(['TLS_NULL_WITH_NULL_NULL'])).toThrow(/TLS_NULL_WITH_NULL_NULL not supported/);
  });
});

describe('sslClientOptions', () => {
  it('truststore, keystore for mutual TLS, and the host name check as ssl.endpoint.identification.algorithm says', () => {
    const checked = sslClientOptions(
      settings({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': '/ca.pem', 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': '/ks.p12', 'ssl.keystore.password': KEYSTORE_PASSWORD }),
      readFile,
    );
    expect(checked).toMatchObject({ rejectUnauthorized: true, pfx: KEYSTORE_P12 });
    expect(checked.checkServerIdentity).toBeUndefined();
    const unchecked = sslClientOptions(settings({ 'ssl.endpoint.identification.algorithm': '' }), readFile);
    expect(unchecked.checkServerIdentity?.('elsewhere', {} as never)).toBeUndefined();
    expect(() => sslClientOptions(settings({ 'ssl.endpoint.identification.algorithm': 'ldaps' }), readFile)).toThrow(/expected https or empty/);
  });
});
