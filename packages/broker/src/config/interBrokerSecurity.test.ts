import { interBrokerListenerName } from './controlPlaneListener';
import { clientSecurityFor } from './interBrokerSecurity';
import { KafkaConfig } from './KafkaConfig';

const ZK = { 'zookeeper.connect': '127.0.0.1:2181' };
/** Not a real certificate: clientSecurityFor hands PEM blocks on without parsing them. */
const CA = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';

describe('the inter-broker listener and how brokers secure their connections to it', () => {
  it('inter.broker.listener.name defaults to the listener named after security.inter.broker.protocol (Kafka 2.8)', () => {
    const both = { ...ZK, listeners: 'PLAINTEXT://:9092,SSL://:9093' };
    expect(interBrokerListenerName(KafkaConfig.fromProps(both))).toBe('PLAINTEXT');
    expect(interBrokerListenerName(KafkaConfig.fromProps({ ...both, 'security.inter.broker.protocol': 'SSL' }))).toBe('SSL');
    expect(interBrokerListenerName(KafkaConfig.fromProps({ ...both, 'inter.broker.listener.name': 'ssl' }))).toBe('SSL');
  });

  it('PLAINTEXT listeners: no TLS', () => {
    expect(clientSecurityFor(KafkaConfig.fromProps(ZK), 'PLAINTEXT')).toEqual({ securityProtocol: 'PLAINTEXT' });
  });

  it('SSL listeners: the listener\'s truststore, and the host name check as ssl.endpoint.identification.algorithm says', () => {
    const config = KafkaConfig.fromProps({
      ...ZK,
      listeners: 'PLAINTEXT://:9092,INTERNAL://:9093',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': CA,
      'listener.name.internal.ssl.endpoint.identification.algorithm': '',
    });
    const security = clientSecurityFor(config, 'INTERNAL');
    expect(security.securityProtocol).toBe('SSL');
    expect(security.tls?.ca).toEqual([`${CA}\n`]);
    expect(security.tls?.rejectUnauthorized).toBe(true);
    expect(security.tls?.checkServerIdentity?.('anything', {} as never)).toBeUndefined();
  });
});
