import { clientSecurityFor } from './interBrokerSecurity';
import { ConfigError, KafkaConfig } from './KafkaConfig';
import { saslListenerConfig } from './saslConfigs';

const BASE = {
  'zookeeper.connect': '127.0.0.1:2181',
  listeners: 'PLAINTEXT://:9092,SASL_PLAINTEXT://:9093',
  'security.inter.broker.protocol': 'SASL_PLAINTEXT',
  'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512',
  'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
  'inter.broker.listener.name': 'SASL_PLAINTEXT',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config':
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret";',
  'listener.name.SASL_PLAINTEXT.scram-sha-512.sasl.jaas.config':
    'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";',
  'listener.name.sasl_plaintext.scram-sha-512.connections.max.reauth.ms': 60000,
  'connections.max.reauth.ms': 1000,
};

function problem(props: Record<string, string | number>): string {
  try {
    KafkaConfig.fromProps(props);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('SASL settings of a listener', () => {
  it('resolves mechanisms, JAAS (listener name in any case) and connections.max.reauth.ms per mechanism', () => {
    const config = KafkaConfig.fromProps(BASE);
    const l = saslListenerConfig(config, 'SASL_PLAINTEXT');
    expect(l.enabledMechanisms).toEqual(['PLAIN', 'SCRAM-SHA-512']);
    expect(l.jaas.get('PLAIN')!.options.get('user_admin')).toBe('admin-secret');
    expect(Object.fromEntries(l.maxReauthMs)).toEqual({ PLAIN: 1000, 'SCRAM-SHA-512': 60000 });
    expect(l.failedAuthenticationDelayMs).toBe(100);
  });

  it('the inter-broker client logs in with sasl.mechanism.inter.broker.protocol and its login module\'s username and password', () => {
    const config = KafkaConfig.fromProps(BASE);
    expect(clientSecurityFor(config, 'SASL_PLAINTEXT')).toEqual({
      securityProtocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'broker', password: 'broker-secret' },
    });
    expect(clientSecurityFor(config, 'PLAINTEXT')).toEqual({ securityProtocol: 'PLAINTEXT' });
  });

  it('refuses an inter-broker mechanism not enabled, or a login module without username and password', () => {
    expect(problem({ ...BASE, 'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256' })).toMatch(
      /^sasl\.mechanism\.inter\.broker\.protocol must be included in sasl\.enabled\.mechanisms/,
    );
    expect(problem({ ...BASE, 'sasl.mechanism.inter.broker.protocol': 'PLAIN', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="x";' })).toMatch(
      /plain\.sasl\.jaas\.config needs username and password options/,
    );
  });
});
