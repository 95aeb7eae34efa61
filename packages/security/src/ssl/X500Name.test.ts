import { X509Certificate } from 'node:crypto';
import { certificateSubject } from './X500Name';
import { CA_CERT, CERT } from './testing/fixtures';

describe('certificateSubject (Java X500Principal.getName(), RFC 2253)', () => {
  // openssl -nameopt RFC2253 also reverses the values inside a multi-valued RDN; Java keeps their
  // DER order there (OU before UID: a DER SET OF is sorted by encoding).
  it('most specific RDN first, OIDs without an RFC 2253 keyword as #hex, escapes as Java writes them', () => {
    const der = new X509Certificate(CERT).raw;
    expect(certificateSubject(der)).toBe(
      '1.2.840.113549.1.9.1=#16106a616e65406578616d706c652e636f6d,' +
        'CN=Jane \\"J\\" Doe \\#1\\ ,OU=eng+UID=42,O=Samsa\\, Inc.,C=US',
    );
  });

  it('a one-RDN subject', () => {
    expect(certificateSubject(new X509Certificate(CA_CERT).raw)).toBe('CN=Fixture CA');
  });

  it('refuses bytes that are not a certificate', () => {
    expect(() => certificateSubject(Buffer.from([0x30, 0x05, 0x02, 0x01]))).toThrow(/DER/);
  });
});
