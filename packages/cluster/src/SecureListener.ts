/**
 * The SASL_SSL listener `make run` adds to every broker, beside the plaintext one: a certificate
 * authority of its own under <data dir>/tls (made once with openssl, kept across runs), one broker
 * certificate for 127.0.0.1 and localhost in a PEM keystore, an admin user with a random password
 * (SCRAM-SHA-256/512 credentials in ZooKeeper, and PLAIN through the listener's JAAS config), and
 * ready client configurations: Java/Kafka tools style and librdkafka style (kcat -F).
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface LocalTls {
  readonly dir: string;
  /** The CA certificate clients trust (PEM). */
  readonly caFile: string;
  /** The brokers' private key and certificate chain (PEM), ssl.keystore.type=PEM. */
  readonly keystoreFile: string;
  readonly adminUser: string;
  readonly adminPassword: string;
}

const ADMIN_USER = 'admin';
const JAAS_PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const JAAS_SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule';

/** Creates the CA, the broker keystore and the admin password under `<dataDir>/tls`, or reuses them. */
export function ensureLocalTls(dataDir: string): LocalTls {
  const dir = path.join(dataDir, 'tls');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string): string => path.join(dir, name);
  const openssl = (...args: string[]): void => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`openssl ${args[0]} failed${stderr ? `: ${stderr}` : ''} (is openssl installed?)`);
    }
  };
  if (!fs.existsSync(file('ca.pem')) || !fs.existsSync(file('ca.key'))) {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '825',
      '-subj',
      '/CN=Samsa local CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
    );
    fs.rmSync(file('broker.pem'), { force: true });
  }
  if (!fs.existsSync(file('broker.pem'))) {
    fs.writeFileSync(
      file('broker.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost/O=Samsa',
      '-keyout',
      file('broker.key'),
      '-out',
      file('broker.csr'),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file('broker.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '825',
      '-extfile',
      file('broker.ext'),
      '-out',
      file('broker.crt'),
    );
    const pem = [file('broker.key'), file('broker.crt'), file('ca.pem')]
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('');
    fs.writeFileSync(file('broker.pem'), pem, { mode: 0o600 });
    for (const f of ['broker.csr', 'broker.ext', 'broker.key', 'broker.crt'])
      fs.rmSync(file(f), { force: true });
  }
  if (!fs.existsSync(file('admin.password'))) {
    fs.writeFileSync(file('admin.password'), randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
  }
  const adminPassword = fs.readFileSync(file('admin.password'), 'utf8').trim();
  return {
    dir,
    caFile: file('ca.pem'),
    keystoreFile: file('broker.pem'),
    adminUser: ADMIN_USER,
    adminPassword,
  };
}

/** The broker properties of a PLAINTEXT listener on `port` and a SASL_SSL one on `securePort`. */
export function saslSslBrokerOverrides(
  tls: LocalTls,
  host: string,
  port: number,
  securePort: number,
): Record<string, string> {
  return {
    listeners: `PLAINTEXT://${host}:${port},SASL_SSL://${host}:${securePort}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
    'inter.broker.listener.name': 'PLAINTEXT',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
    'listener.name.sasl_ssl.ssl.keystore.type': 'PEM',
    'listener.name.sasl_ssl.ssl.keystore.location': tls.keystoreFile,
    'listener.name.sasl_ssl.plain.sasl.jaas.config': `${JAAS_PLAIN} required user_${tls.adminUser}="${tls.adminPassword}";`,
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': `${JAAS_SCRAM} required;`,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': `${JAAS_SCRAM} required;`,
  };
}

/**
 * Writes the client configurations for the SASL_SSL listener next to the CA and returns their
 * paths: `client-sasl_ssl.properties` for Kafka's tools (--command-config, --producer.config) and
 * `librdkafka-sasl_ssl.properties` for kcat -F and librdkafka-based clients.
 */
export function writeClientConfigs(tls: LocalTls, bootstrap: string): { java: string; librdkafka: string } {
  const java = path.join(tls.dir, 'client-sasl_ssl.properties');
  const librdkafka = path.join(tls.dir, 'librdkafka-sasl_ssl.properties');
  fs.writeFileSync(
    java,
    [
      `bootstrap.servers=${bootstrap}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=${JAAS_SCRAM} required username="${tls.adminUser}" password="${tls.adminPassword}";`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${tls.caFile}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  fs.writeFileSync(
    librdkafka,
    [
      `bootstrap.servers=${bootstrap}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanisms=SCRAM-SHA-512',
      `sasl.username=${tls.adminUser}`,
      `sasl.password=${tls.adminPassword}`,
      `ssl.ca.location=${tls.caFile}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return { java, librdkafka };
}
