import { KafkaConfig } from '../config/KafkaConfig';
import { listenerSslSettings } from './ListenerSecurity';

const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

function config(extra: Record<string, string> = {}): KafkaConfig {
  return KafkaConfig.fromProps({
    'zookeeper.connect': '127.0.0.1:2181',
    listeners: 'PLAINTEXT://:9092,SSL://:9093,SASL_SSL://:9094',
    'ssl.client.auth': 'required',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': SCRAM_JAAS,
    ...extra,
  });
}

describe('listenerSslSettings', () => {
  it('applies ssl.client.auth to SSL listeners but not to SASL_SSL ones (KIP-684)', () => {
    const c = config();
    expect(listenerSslSettings(c, 'SSL').clientAuth).toBe('required');
    expect(listenerSslSettings(c, 'SASL_SSL').clientAuth).toBe('none');
  });

  it("asks SASL_SSL clients for a certificate when the listener's own key says so", () => {
    const c = config({ 'listener.name.sasl_ssl.ssl.client.auth': 'requested' });
    expect(listenerSslSettings(c, 'SASL_SSL').clientAuth).toBe('requested');
  });
});
