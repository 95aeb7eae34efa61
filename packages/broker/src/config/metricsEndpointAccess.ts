/**
 * Who may read the broker's metrics endpoint (samsa.metrics.http.*): where it binds (loopback by
 * default), HTTPS from a PEM certificate and key, and basic authentication when a password is set.
 * A half-configured TLS pair or an unreadable file stops the broker: an operator who asked for a
 * protected endpoint must not get an open one.
 */
import * as fs from 'node:fs';
import type { HttpAccess } from '@samsa/metrics';
import type { KafkaConfig } from './KafkaConfig';

export interface MetricsEndpointAccess {
  /** Address to bind ('' for every interface). */
  readonly host: string;
  readonly access: HttpAccess;
}

export function metricsEndpointAccess(config: KafkaConfig): MetricsEndpointAccess {
  const cert = config.string('samsa.metrics.http.tls.certificate.location');
  const key = config.string('samsa.metrics.http.tls.key.location');
  if ((cert === null) !== (key === null)) {
    throw new Error(
      'samsa.metrics.http.tls.certificate.location and samsa.metrics.http.tls.key.location must be set together',
    );
  }
  const read = (name: string, file: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new Error(`${name}=${file} cannot be read: ${(e as Error).message}`);
    }
  };
  const password = config.string('samsa.metrics.http.password');
  const host = config.string('samsa.metrics.http.host') ?? '127.0.0.1';
  return {
    host: host === '0.0.0.0' ? '' : host,
    access: {
      tls:
        cert !== null && key !== null
          ? {
              cert: read('samsa.metrics.http.tls.certificate.location', cert),
              key: read('samsa.metrics.http.tls.key.location', key),
            }
          : undefined,
      basicAuth:
        password !== null && password !== ''
          ? { username: config.string('samsa.metrics.http.username') ?? 'samsa', password }
          : undefined,
    },
  };
}
