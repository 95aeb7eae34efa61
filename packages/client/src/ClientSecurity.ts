import type { ConnectionOptions } from 'node:tls';
import type { SecurityProtocol } from '@samsa/security';

/** The SASL mechanisms Samsa's own client speaks (to other brokers, and in the CLIs). */
export type ClientSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** SASL credentials of a client (Kafka's sasl.mechanism with the login module's username and password). */
export interface ClientSasl {
  readonly mechanism: ClientSaslMechanism;
  readonly username: string;
  readonly password: string;
}

/**
 * How a client connection is secured (Kafka's security.protocol with its ssl.* and sasl.* client
 * settings): TLS options for SSL and SASL_SSL (trusted CAs, and a certificate for mutual TLS),
 * SASL credentials for SASL_PLAINTEXT and SASL_SSL. The brokers build one for their inter-broker
 * listener (broker/src/config/interBrokerSecurity.ts); the CLIs from --command-config.
 */
export interface ClientSecurity {
  readonly securityProtocol: SecurityProtocol;
  readonly tls?: ConnectionOptions;
  readonly sasl?: ClientSasl;
}

export const PLAINTEXT_CLIENT: ClientSecurity = Object.freeze({ securityProtocol: 'PLAINTEXT' });
