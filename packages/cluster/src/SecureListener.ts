/**
 * The SASL_SSL listener `make run` adds to every broker, beside the plaintext one. The material is
 * made by the same script the Docker and Kubernetes examples run, `docker/make-tls.sh`, into
 * <data dir>/tls (once; kept across runs): a certificate authority of its own, one broker
 * certificate for 127.0.0.1 and localhost in a PEM keystore, an admin password (SCRAM-SHA-256/512
 * credentials in ZooKeeper, and PLAIN through the listener's JAAS config), and ready client
 * configurations, Java/Kafka tools style and librdkafka style (kcat -F).
 */
import { execFileSync } from 'child_process';
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

/** Runs docker/make-tls.sh of the checkout `home` into `dir`, with `bootstrap` in the client configs when given. */
function makeTls(home: string, dir: string, bootstrap?: string): void {
  try {
    execFileSync('sh', [path.join(home, 'docker', 'make-tls.sh'), dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(bootstrap === undefined ? {} : { TLS_BOOTSTRAP: bootstrap }) },
    });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`docker/make-tls.sh failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/** Creates the CA, the broker keystore and the admin password under `<dataDir>/tls`, or reuses them. */
export function ensureLocalTls(home: string, dataDir: string): LocalTls {
  const dir = path.join(dataDir, 'tls');
  makeTls(home, dir);
  const adminPassword = fs.readFileSync(path.join(dir, 'admin.password'), 'utf8').trim();
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    keystoreFile: path.join(dir, 'broker.pem'),
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
 * The client configurations for the SASL_SSL listener, next to the CA, with `bootstrap` in them:
 * `client-sasl_ssl.properties` for Kafka's tools (--command-config, --producer.config) and
 * `librdkafka-sasl_ssl.properties` for kcat -F and librdkafka-based clients.
 */
export function writeClientConfigs(
  home: string,
  tls: LocalTls,
  bootstrap: string,
): { java: string; librdkafka: string } {
  makeTls(home, tls.dir, bootstrap);
  return {
    java: path.join(tls.dir, 'client-sasl_ssl.properties'),
    librdkafka: path.join(tls.dir, 'librdkafka-sasl_ssl.properties'),
  };
}
