/**
 * The certificates of a PKCS#12 truststore (RFC 7292). Node's `pfx` option loads a key with its
 * chain and refuses a file without a key, which is what a truststore is (keytool -importcert,
 * openssl pkcs12 -export -nokeys), so the file is read here: the MAC is checked with the password
 * (a wrong password is refused, as Java's KeyStore.load refuses it), the safe contents are
 * decrypted when they are (PBES2 with PBKDF2 and AES, as OpenSSL 3 and Java 12+ write them, or
 * the PKCS#12 PBE with SHA-1 and 3DES), and every certBag's X.509 certificate is returned as PEM.
 * Keys in the file, if any, are ignored: a truststore only trusts.
 */
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { DER, children, oidToString, readElement, type DerElement } from './Der';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
  pbeSha1Rc2_40: '1.2.840.113549.1.12.1.6',
} as const;

/** Hash algorithms by OID (MAC digests) and by HMAC OID (PBKDF2's PRF). */
const DIGESTS: Readonly<Record<string, { name: string; v: number }>> = {
  '1.3.14.3.2.26': { name: 'sha1', v: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', v: 128 },
};
const PRFS: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const AES: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.1.2': 'aes-128-cbc',
  '2.16.840.1.101.3.4.1.22': 'aes-192-cbc',
  '2.16.840.1.101.3.4.1.42': 'aes-256-cbc',
};

function fail(what: string): never {
  throw new Error(`PKCS#12 truststore: ${what}`);
}

function child(el: DerElement, index: number, tag?: number): DerElement {
  const c = children(el)[index];
  if (c === undefined || (tag !== undefined && c.tag !== tag)) fail('unexpected structure');
  return c;
}

function int(el: DerElement): number {
  if (el.tag !== DER.INTEGER) fail('expected an INTEGER');
  return el.value.reduce((n, b) => n * 256 + b, 0);
}

/** The password as PKCS#12's own KDF and MAC take it: BMPString, two zero bytes at the end. */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

/** RFC 7292 appendix B.2: the PKCS#12 key derivation (id 1 key, 2 IV, 3 MAC key). */
function pkcs12Kdf(hash: string, v: number, password: Buffer, salt: Buffer, id: number, iterations: number, size: number): Buffer {
  const repeat = (b: Buffer): Buffer => {
    if (b.length === 0) return Buffer.alloc(0);
    const len = v * Math.ceil(b.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = b[i % b.length];
    return out;
  };
  const d = Buffer.alloc(v, id);
  const i = Buffer.concat([repeat(salt), repeat(password)]);
  const out: Buffer[] = [];
  let produced = 0;
  while (produced < size) {
    let a = createHash(hash).update(d).update(i).digest();
    for (let n = 1; n < iterations; n++) a = createHash(hash).update(a).digest();
    out.push(a);
    produced += a.length;
    if (produced >= size) break;
    const b = repeat(a).subarray(0, v);
    for (let off = 0; off < i.length; off += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[off + k] + b[k] + carry;
        i[off + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, size);
}

function checkMac(macData: DerElement, content: Buffer, password: string): void {
  const digestInfo = child(macData, 0, DER.SEQUENCE);
  const algorithm = oidToString(child(child(digestInfo, 0, DER.SEQUENCE), 0, DER.OID).value);
  const expected = child(digestInfo, 1, DER.OCTET_STRING).value;
  const salt = child(macData, 1, DER.OCTET_STRING).value;
  const iterations = children(macData)[2] ? int(child(macData, 2)) : 1;
  const digest = DIGESTS[algorithm] ?? fail(`MAC digest ${algorithm} is not supported`);
  const size = createHash(digest.name).digest().length;
  const key = pkcs12Kdf(digest.name, digest.v, bmpPassword(password), salt, 3, iterations, size);
  const mac = createHmac(digest.name, key).update(content).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    fail('the integrity check failed: wrong ssl.truststore.password, or a damaged file');
  }
}

function decrypt(algorithm: DerElement, data: Buffer, password: string): Buffer {
  const oid = oidToString(child(algorithm, 0, DER.OID).value);
  const params = child(algorithm, 1, DER.SEQUENCE);
  try {
    if (oid === OID.pbes2) {
      const kdf = child(params, 0, DER.SEQUENCE);
      if (oidToString(child(kdf, 0, DER.OID).value) !== OID.pbkdf2) fail('PBES2 key derivation other than PBKDF2');
      const kdfParams = children(child(kdf, 1, DER.SEQUENCE));
      const salt = kdfParams[0].value;
      const iterations = int(kdfParams[1]);
      const prfAlg = kdfParams.find((p) => p.tag === DER.SEQUENCE);
      const prf = prfAlg ? PRFS[oidToString(child(prfAlg, 0, DER.OID).value)] : 'sha1';
      const scheme = child(params, 1, DER.SEQUENCE);
      const cipher = AES[oidToString(child(scheme, 0, DER.OID).value)] ?? fail('PBES2 cipher other than AES-CBC');
      const iv = child(scheme, 1, DER.OCTET_STRING).value;
      const keyLength = Number(/aes-(\d+)/.exec(cipher)![1]) / 8;
      const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength, prf ?? fail('unknown PBKDF2 PRF'));
      const d = createDecipheriv(cipher, key, iv);
      return Buffer.concat([d.update(data), d.final()]);
    }
    if (oid === OID.pbeSha1TripleDes) {
      const salt = child(params, 0, DER.OCTET_STRING).value;
      const iterations = int(child(params, 1));
      const pw = bmpPassword(password);
      const key = pkcs12Kdf('sha1', 64, pw, salt, 1, iterations, 24);
      const iv = pkcs12Kdf('sha1', 64, pw, salt, 2, iterations, 8);
      const d = createDecipheriv('des-ede3-cbc', key, iv);
      return Buffer.concat([d.update(data), d.final()]);
    }
  } catch (e) {
    if ((e as Error).message.startsWith('PKCS#12')) throw e;
    fail(`cannot decrypt its certificates (${(e as Error).message})`);
  }
  if (oid === OID.pbeSha1Rc2_40) {
    fail('its certificates are encrypted with RC2-40, which this OpenSSL does not offer: re-export it with AES (openssl pkcs12 -export -nokeys -certpbe AES-256-CBC)');
  }
  return fail(`encryption ${oid} is not supported`);
}

/** The certificates of the SafeContents in `bytes`, as DER. */
function certificatesOf(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (const bag of children(readElement(bytes))) {
    if (oidToString(child(bag, 0, DER.OID).value) !== OID.certBag) continue;
    const certBag = child(child(bag, 1, 0xa0), 0, DER.SEQUENCE);
    if (oidToString(child(certBag, 0, DER.OID).value) !== OID.x509Certificate) continue;
    out.push(Buffer.from(child(child(certBag, 1, 0xa0), 0, DER.OCTET_STRING).value));
  }
  return out;
}

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** The trusted certificates (PEM) of a PKCS#12 file; throws on a wrong password or a damaged file. */
export function pkcs12TrustedCertificates(der: Buffer, password: string): string[] {
  let pfx: DerElement;
  try {
    pfx = readElement(der);
  } catch (e) {
    return fail(`not a PKCS#12 file (${(e as Error).message})`);
  }
  const authSafe = child(pfx, 1, DER.SEQUENCE);
  if (oidToString(child(authSafe, 0, DER.OID).value) !== OID.data) fail('public-key integrity mode is not supported');
  const content = child(child(authSafe, 1, 0xa0), 0, DER.OCTET_STRING).value;
  const macData = children(pfx)[2];
  if (macData !== undefined) checkMac(macData, content, password);
  const certs: Buffer[] = [];
  for (const info of children(readElement(content))) {
    const type = oidToString(child(info, 0, DER.OID).value);
    if (type === OID.data) {
      certs.push(...certificatesOf(child(child(info, 1, 0xa0), 0, DER.OCTET_STRING).value));
    } else if (type === OID.encryptedData) {
      const encryptedData = child(child(info, 1, 0xa0), 0, DER.SEQUENCE);
      const eci = child(encryptedData, 1, DER.SEQUENCE);
      const encrypted = children(eci)[2] ?? fail('encrypted content missing');
      // [0] IMPLICIT OCTET STRING: primitive (0x80), or constructed (0xa0) of OCTET STRING pieces
      const bytes = encrypted.tag === 0x80 ? encrypted.value : Buffer.concat(children(encrypted).map((p) => p.value));
      certs.push(...certificatesOf(decrypt(child(eci, 1, DER.SEQUENCE), bytes, password)));
    }
  }
  return certs.map(toPem);
}
