/**
 * Certificate reload without a restart (Kafka's dynamic SSL reconfiguration, KIP-226): when this
 * broker's dynamic config (/config/brokers/<id>, written by AlterConfigs) changes a listener's
 * `listener.name.<l>.ssl.keystore.*` / `ssl.truststore.*` keys, or the files they name change on
 * disk, the listener's TLS server takes the new material for its next handshakes. As Kafka's
 * SslFactory does, the new keystore must load and its certificate must keep the subject and
 * subject alternative names of the one it replaces (clients and ACLs rely on them); otherwise the
 * change is logged as an error and the listener keeps what it had.
 */
import { type Logger } from '@samsa/common';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { pkcs12TrustedCertificates, type SslSettings } from '@samsa/security';
import type { KafkaConfig } from '../config/KafkaConfig';
import { parseListeners } from './EndPoint';
import { listenerSecurityOf, listenerSslSettings } from './ListenerSecurity';
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

  /** Applies this broker's dynamic config as it is now; returns the listeners that took new material. */
  apply(dynamic: ReadonlyMap<string, string>): string[] {
    const reloaded: string[] = [];
    for (const name of this.listeners) {
      const next = listenerSslSettings(this.o.config, name, dynamic);
      const print = fingerprint(next);
      if (print === this.fingerprints.get(name)) continue;
      try {
        const security = listenerSecurityOf(this.o.config, parseListeners(this.o.config.list('listeners')), dynamic).get(name)!;
        this.ensureCompatible(name, next);
        this.o.socketServer.reconfigureTls(name, security);
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

  private ensureCompatible(name: string, next: SslSettings): void {
    if (!this.current.has(name)) {
      this.current.set(name, keystoreCertificate(listenerSslSettings(this.o.config, name, this.o.initial)));
    }
    const before = this.current.get(name);
    const after = keystoreCertificate(next);
    if (before !== undefined && after !== undefined) {
      if (before.subject !== after.subject) {
        throw new Error(`Keystore DistinguishedName does not match: existing=${before.subject}, new=${after.subject}`);
      }
      if ((before.subjectAltName ?? '') !== (after.subjectAltName ?? '')) {
        throw new Error(`Keystore SubjectAltNames do not match: existing=${before.subjectAltName}, new=${after.subjectAltName}`);
      }
    }
    this.current.set(name, after);
  }
}
