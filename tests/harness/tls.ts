import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * TLS material for tests, made with openssl at test time (nothing secret is checked in): a CA, a
 * broker certificate for 127.0.0.1 and localhost signed by it, a client certificate signed by it,
 * and a second CA with a client certificate of its own (which the brokers must refuse). Each
 * identity comes as PEM files (certificate, unencrypted key, and a Kafka PEM keystore: an
 * encrypted PKCS#8 key followed by its chain) and as a PKCS#12 keystore; each CA as a PEM file and
 * a PKCS#12 truststore (certificates only). EC P-256 keys: quick to make, spoken by every client.
 */
export interface TlsIdentity {
  /** The certificate (PEM). */
  readonly cert: string;
  /** The private key, unencrypted PEM (PKCS#8). */
  readonly key: string;
  /** Kafka's PEM keystore file: the key encrypted with `keyPassword`, then the certificate chain. */
  readonly pemKeystore: string;
  readonly keyPassword: string;
  /** PKCS#12 keystore (key, certificate, CA certificate) under `password`. */
  readonly p12: string;
  readonly password: string;
  /** The subject as Java's X500Principal.getName() writes it. */
  readonly dn: string;
}

export interface TlsCa {
  /** The CA certificate (PEM): a PEM truststore. */
  readonly cert: string;
  readonly key: string;
  /** PKCS#12 truststore holding only the CA certificate, under `truststorePassword`. */
  readonly truststoreP12: string;
  readonly truststorePassword: string;
}

export interface TlsMaterial {
  readonly dir: string;
  readonly ca: TlsCa;
  /** SAN IP:127.0.0.1 and DNS:localhost. */
  readonly broker: TlsIdentity;
  /** Subject CN=client,OU=test,O=Samsa. */
  readonly client: TlsIdentity;
  /** A CA the brokers do not trust, and a client certificate it signed (CN=intruder,O=Elsewhere). */
  readonly otherCa: TlsCa;
  readonly otherClient: TlsIdentity;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

function makeCa(dir: string, name: string, subject: string): TlsCa {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.ec.key`]);
  openssl(dir, ['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.ec.key`, '-out', `${name}.key`]);
  openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-sha256', '-days', '30', '-subj', subject, '-out', `${name}.pem`]);
  const truststorePassword = `${name}-truststore-pass`;
  openssl(dir, ['pkcs12', '-export', '-nokeys', '-in', `${name}.pem`, '-out', `${name}.truststore.p12`, '-passout', `pass:${truststorePassword}`]);
  return {
    cert: path.join(dir, `${name}.pem`),
    key: path.join(dir, `${name}.key`),
    truststoreP12: path.join(dir, `${name}.truststore.p12`),
    truststorePassword,
  };
}

function makeIdentity(
  dir: string,
  name: string,
  ca: TlsCa,
  subject: string,
  dn: string,
  extensions: string,
  password = `${name}-keystore-pass`,
): TlsIdentity {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.ec.key`]);
  openssl(dir, ['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.ec.key`, '-out', `${name}.key`]);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial',
    '-days', '30', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`,
  ]);
  const keyPassword = `${name}-key-pass`;
  openssl(dir, ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', `${name}.key`, '-out', `${name}.enc.key`, '-passout', `pass:${keyPassword}`]);
  fs.writeFileSync(
    path.join(dir, `${name}.keystore.pem`),
    fs.readFileSync(path.join(dir, `${name}.enc.key`), 'utf8') + fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8'),
  );
  openssl(dir, [
    'pkcs12', '-export', '-in', `${name}.pem`, '-inkey', `${name}.key`, '-certfile', ca.cert, '-name', name,
    '-out', `${name}.keystore.p12`, '-passout', `pass:${password}`,
  ]);
  return {
    cert: path.join(dir, `${name}.pem`),
    key: path.join(dir, `${name}.key`),
    pemKeystore: path.join(dir, `${name}.keystore.pem`),
    keyPassword,
    p12: path.join(dir, `${name}.keystore.p12`),
    password,
    dn,
  };
}

/** Makes the material in `dir` (created if missing). Takes well under a second. */
export function makeTlsMaterial(dir: string): TlsMaterial {
  fs.mkdirSync(dir, { recursive: true });
  const ca = makeCa(dir, 'ca', '/CN=Samsa Test CA');
  const otherCa = makeCa(dir, 'other-ca', '/CN=Other Test CA');
  const broker = makeIdentity(
    dir, 'broker', ca, '/O=Samsa/CN=broker', 'CN=broker,O=Samsa',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  const client = makeIdentity(
    dir, 'client', ca, '/O=Samsa/OU=test/CN=client', 'CN=client,OU=test,O=Samsa',
    'extendedKeyUsage=clientAuth\n',
  );
  const otherClient = makeIdentity(
    dir, 'other-client', otherCa, '/O=Elsewhere/CN=intruder', 'CN=intruder,O=Elsewhere',
    'extendedKeyUsage=clientAuth\n',
  );
  return { dir, ca, broker, client, otherCa, otherClient };
}

const BROKER_EXTENSIONS = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n';

/**
 * Another broker certificate with a new key, signed by the same CA (certificate rotation): by
 * default the same subject and SANs as `material.broker`, its PKCS#12 under the same password;
 * `subject` (openssl form, `/O=…/CN=…`) makes one whose subject differs, `subjectAltName`
 * (openssl form, `IP:…,DNS:…`) one whose names differ.
 */
export function makeBrokerIdentity(
  material: TlsMaterial,
  name: string,
  subject = '/O=Samsa/CN=broker',
  subjectAltName?: string,
): TlsIdentity {
  const dn = subject.split('/').filter((p) => p !== '').reverse().join(',');
  const extensions =
    subjectAltName === undefined ? BROKER_EXTENSIONS : `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth,clientAuth\n`;
  return makeIdentity(material.dir, name, material.ca, subject, dn, extensions, material.broker.password);
}
