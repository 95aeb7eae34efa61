import { X509Certificate } from 'node:crypto';
import { pkcs12TrustedCertificates } from './Pkcs12Truststore';
import { CA_CERT, KEYSTORE_P12, KEYSTORE_PASSWORD, TRUSTSTORE_P12, TRUSTSTORE_P12_3DES, TRUSTSTORE_PASSWORD } from './testing/fixtures';

describe('pkcs12TrustedCertificates', () => {
  it('reads the CA certificate of an openssl -nokeys truststore (PBES2, AES-256, HMAC-SHA256 MAC)', () => {
    const certs = pkcs12TrustedCertificates(TRUSTSTORE_P12, TRUSTSTORE_PASSWORD);
    expect(certs).toHaveLength(1);
    expect(new X509Certificate(certs[0]).fingerprint256).toBe(new X509Certificate(CA_CERT).fingerprint256);
  });

  it('reads a PBE-SHA1-3DES truststore with a SHA-1 MAC (Java 8, OpenSSL 1.1)', () => {
    const certs = pkcs12TrustedCertificates(TRUSTSTORE_P12_3DES, TRUSTSTORE_PASSWORD);
    expect(certs.map((c) => new X509Certificate(c).subject)).toEqual(['CN=Fixture CA']);
  });

  it('reads the certificates of a keystore too (its key is ignored)', () => {
    const subjects = pkcs12TrustedCertificates(KEYSTORE_P12, KEYSTORE_PASSWORD).map((c) => new X509Certificate(c).subject);
    expect(subjects).toHaveLength(2);
    expect(subjects).toContain('CN=Fixture CA');
  });

  it('refuses a wrong password and bytes that are not PKCS#12', () => {
    expect(() => pkcs12TrustedCertificates(TRUSTSTORE_P12, 'wrong')).toThrow(/integrity check failed: wrong ssl\.truststore\.password/);
    expect(() => pkcs12TrustedCertificates(Buffer.from('not pkcs12'), 'x')).toThrow(/PKCS#12 truststore/);
  });
});
