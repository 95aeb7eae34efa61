/**
 * A PKCS#12 truststore holds certificates only, which Node's `pfx` option cannot load (it wants a
 * key). Reading one is not done yet: it is refused with what to use instead.
 */
export function pkcs12TrustedCertificates(_der: Buffer, _password: string): string[] {
  throw new Error(
    'ssl.truststore.type=PKCS12 is not supported yet: export the CA certificates as PEM ' +
      '(openssl pkcs12 -in truststore.p12 -nokeys -out ca.pem) and set ssl.truststore.type=PEM',
  );
}
