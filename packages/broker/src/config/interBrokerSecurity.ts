/**
 * How this broker secures its own connections to other brokers' listeners (Kafka's inter-broker
 * ChannelBuilder): the replica fetchers, the transaction marker channel and controlled shutdown
 * connect to the inter-broker listener, the controller to the control-plane listener (else the
 * inter-broker one). The connection speaks that listener's security protocol, with the listener's
 * ssl.* settings as a client (truststore, and the keystore for mutual TLS) and, on SASL listeners,
 * sasl.mechanism.inter.broker.protocol with the credentials of the listener's JAAS login module.
 */
import { readFileSync } from 'node:fs';
import { isSecurityProtocol, sslClientOptions, sslSettings, usesSasl, usesTls } from '@samsa/security';
import type { ClientSecurity } from '@samsa/client';
import { listenerSecurityProtocol } from '../network/EndPoint';
import type { KafkaConfig } from './KafkaConfig';
import { saslClientCredentials } from './saslConfigs';

/** The client side of `listenerName` as this broker reaches it on other brokers. */
export function clientSecurityFor(config: KafkaConfig, listenerName: string): ClientSecurity {
  const protocolMap = config.list('listener.security.protocol.map');
  const protocol = listenerSecurityProtocol(listenerName, protocolMap) ?? 'PLAINTEXT';
  if (!isSecurityProtocol(protocol))
    throw new Error(`listener ${listenerName} has unknown security protocol ${protocol}`);
  const tls = usesTls(protocol)
    ? sslClientOptions(sslSettings((key) => config.lookup(key), listenerName), (path) => readFileSync(path))
    : undefined;
  const sasl = usesSasl(protocol) ? saslClientCredentials(config, listenerName) : undefined;
  return {
    securityProtocol: protocol,
    ...(tls === undefined ? {} : { tls }),
    ...(sasl === undefined ? {} : { sasl }),
  };
}
