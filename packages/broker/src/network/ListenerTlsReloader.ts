/**
 * Certificate reload without a restart (Kafka's dynamic SSL reconfiguration, KIP-226): when this
 * broker's dynamic config (/config/brokers/<id>, written by AlterConfigs) changes a listener's
 * `listener.name.<l>.ssl.keystore.*` / `ssl.truststore.*` keys, or the files they name change on
 * disk, the listener's TLS server takes the new material for its next handshakes. As Kafka's
 * SslFactory does, the new keystore must load and its certificate must keep the subject and
 * subject alternative names of the one it replaces (clients and ACLs rely on them).
 *
 *   validate(perBroker) is what AlterConfigs and IncrementalAlterConfigs ask before they write
 *     /config/brokers/<id> (Kafka's DynamicBrokerConfig.validate → SslFactory.validateReconfiguration):
 *     it throws Kafka's message, and nothing is written;
 *   apply(perBroker) takes a change ZooKeeper announced; material that fails the same checks (a
 *     file changed on disk since, or a change written by another tool) is logged as an error and
 *     the listener keeps what it had.
 */
import { type Logger } from '@samsa/common';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { certificateSubject, pkcs12TrustedCertificates, type SslSettings } from '@samsa/security';
import type { KafkaConfig } from '../config/KafkaConfig';
import { parseListeners } from './EndPoint';
import { listenerSecurityOf, listenerSslSettings, type ListenerSecurity } from './ListenerSecurity';
import type { SocketServer } from './SocketServer';

export interface ListenerTlsReloaderOptions {
  readonly config: KafkaConfig;
  readonly socketServer: SocketServer;
  readonly logger: Logger;
  /** The dynamic config the SocketServer started with. */
  readonly initial: ReadonlyMap<string, string>;
}

function mtime(path: string | null): number {
  if (path === null) return 0;
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** What decides whether a listener's material must be loaded again: its settings and its files' times. */
function fingerprint(s: SslSettings): string {
  return JSON.stringify([s, mtime(s.keystoreLocation), mtime(s.truststoreLocation)]);
}

/** The certificate the keystore presents (the one that is not a CA), or undefined without a keystore. */
export function keystoreCertificate(s: SslSettings): X509Certificate | undefined {
  let certs: string[];
  if (s.keystoreKey !== null || s.keystoreCertificateChain !== null) {
    certs = [s.keystoreCertificateChain ?? ''];
  } else if (s.keystoreLocation === null) {
    return undefined;
  } else if (s.keystoreType === 'PKCS12') {
    certs = pkcs12TrustedCertificates(readFileSync(s.keystoreLocation), s.keystorePassword ?? s.keyPassword ?? '');
  } else {
    certs = [readFileSync(s.keystoreLocation, 'utf8')];
  }
  const parsed = certs.map((c) => new X509Certificate(c));
  return parsed.find((c) => !c.ca) ?? parsed[0];
}

/** Kafka's SslFactory: "Validation of dynamic config update of SSLFactory failed: <the Java exception>". */
function sslFactoryRefusal(javaException: string): Error {
  return new Error(`Validation of dynamic config update of SSLFactory failed: ${javaException}`);
}

/** The subject as Java's X500Principal.toString() writes it: RFC 2253 order, ", " between the parts. */
function principalString(cert: X509Certificate): string {
  return certificateSubject(cert.raw).split(/(?<!\\),/).join(', ');
}

/** Java's type numbers of GeneralName (X509Certificate.getSubjectAlternativeNames). */
const GENERAL_NAME_TYPES: Readonly<Record<string, number>> = { email: 1, DNS: 2, DirName: 4, URI: 6, 'IP Address': 7 };

/** The subject alternative names as [type, value] pairs, in Java's numbering. */
function subjectAltNames(cert: X509Certificate): string[] {
  if (cert.subjectAltName === undefined) return [];
  return cert.subjectAltName.split(', ').map((entry) => {
    const colon = entry.indexOf(':');
    const label = entry.slice(0, colon);
    return `[${GENERAL_NAME_TYPES[label] ?? label}, ${entry.slice(colon + 1)}]`;
  });
}

/**
 * Kafka's SslFactory.CertificateEntries.ensureCompatible for the certificate a listener presents:
 * a keystore may not be added or removed, the subject must stay (RFC 2253, case ignored) and every
 * subject alternative name of the old certificate must be in the new one.
 */
export function ensureCompatibleKeystores(before: X509Certificate | undefined, after: X509Certificate | undefined): void {
  const refuse = (why: string) => sslFactoryRefusal(`org.apache.kafka.common.config.ConfigException: ${why}`);
  if (before === undefined) {
    if (after !== undefined) throw refuse('Cannot add SSL keystore to an existing listener for which no keystore was configured.');
    return;
  }
  if (after === undefined) throw refuse('Cannot remove the SSL keystore from an existing listener for which a keystore was configured.');
  if (certificateSubject(before.raw).toLowerCase() !== certificateSubject(after.raw).toLowerCase()) {
    throw refuse(`Keystore DistinguishedName does not match:  existing={DN=${principalString(before)}}, new={DN=${principalString(after)}}`);
  }
  const [oldNames, newNames] = [subjectAltNames(before), subjectAltNames(after)];
  if (!oldNames.every((n) => newNames.includes(n))) {
    throw refuse(`Keystore SubjectAltNames do not match:  existing={SAN=[${oldNames.join(', ')}]}, new={SAN=[${newNames.join(', ')}]}`);
  }
}

export class ListenerTlsReloader {
  private readonly listeners: string[];
  private readonly fingerprints = new Map<string, string>();
  /** The certificate each listener presents now (read when first needed). */
  private readonly current = new Map<string, X509Certificate | undefined>();

  constructor(private readonly o: ListenerTlsReloaderOptions) {
    const all = parseListeners(o.config.list('listeners'));
    const secured = listenerSecurityOf(o.config, all, o.initial);
    this.listeners = [...secured].filter(([, sec]) => sec.tls !== undefined).map(([name]) => name);
    for (const name of this.listeners) {
      this.fingerprints.set(name, fingerprint(listenerSslSettings(o.config, name, o.initial)));
    }
  }

  /**
   * Throws Kafka's message if this broker's dynamic config `dynamic` (the complete per-broker set
   * an AlterConfigs would write) changes a listener's TLS material into one that does not load or
   * does not keep its certificate's subject and names; a listener whose material is unchanged is
   * not looked at.
   */
  validate(dynamic: ReadonlyMap<string, string>): void {
    for (const name of this.listeners) {
      const next = listenerSslSettings(this.o.config, name, dynamic);
      if (fingerprint(next) !== this.fingerprints.get(name)) this.check(name, next, dynamic);
    }
  }

  /** Applies this broker's dynamic config as it is now; returns the listeners that took new material. */
  apply(dynamic: ReadonlyMap<string, string>): string[] {
    const reloaded: string[] = [];
    for (const name of this.listeners) {
      const next = listenerSslSettings(this.o.config, name, dynamic);
      const print = fingerprint(next);
      if (print === this.fingerprints.get(name)) continue;
      try {
        const { security, certificate } = this.check(name, next, dynamic);
        this.o.socketServer.reconfigureTls(name, security);
        this.current.set(name, certificate);
        this.fingerprints.set(name, print);
        this.o.logger.info(`Reconfigured listener ${name}: new SSL keystore or truststore in use`);
        reloaded.push(name);
      } catch (e) {
        this.fingerprints.set(name, print); // do not retry the same broken material on every change
        this.o.logger.error(`Validation of dynamic SSL config of listener ${name} failed, not applied: ${(e as Error).message}`);
      }
    }
    return reloaded;
  }

  /** The listener's new material, loaded and checked against the certificate it presents now. */
  private check(
    name: string,
    next: SslSettings,
    dynamic: ReadonlyMap<string, string>,
  ): { security: ListenerSecurity; certificate: X509Certificate | undefined } {
    let certificate: X509Certificate | undefined;
    try {
      certificate = keystoreCertificate(next);
    } catch (e) {
      const where = next.keystoreLocation ?? 'ssl.keystore.certificate.chain';
      throw sslFactoryRefusal(
        `org.apache.kafka.common.KafkaException: Failed to load SSL keystore ${where} of type ${next.keystoreType} (${(e as Error).message})`,
      );
    }
    let security: ListenerSecurity;
    try {
      security = listenerSecurityOf(this.o.config, parseListeners(this.o.config.list('listeners')), dynamic).get(name)!;
    } catch (e) {
      throw sslFactoryRefusal(`org.apache.kafka.common.KafkaException: ${(e as Error).message}`);
    }
    if (!this.current.has(name)) {
      this.current.set(name, keystoreCertificate(listenerSslSettings(this.o.config, name, this.o.initial)));
    }
    ensureCompatibleKeystores(this.current.get(name), certificate);
    return { security, certificate };
  }
}
