import { ConfigError, KafkaConfig } from './KafkaConfig';
import { controlPlaneListenerName, interBrokerListenerName } from './controlPlaneListener';

const BASE = {
  'zookeeper.connect': '127.0.0.1:2181',
  listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
};

function problemOf(props: Record<string, string | number | boolean>): string {
  try {
    KafkaConfig.fromProps({ ...BASE, ...props });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(props)} was accepted`);
}

describe('control.plane.listener.name (KIP-291, Kafka 2.8 checks)', () => {
  it('unset: the controller uses the inter-broker listener, the first listener by default', () => {
    const config = KafkaConfig.fromProps(BASE);
    expect(controlPlaneListenerName(config)).toBeNull();
    expect(interBrokerListenerName(config)).toBe('PLAINTEXT');
  });

  it('a listener of its own is accepted, and the inter-broker default skips it', () => {
    const config = KafkaConfig.fromProps({
      ...BASE,
      listeners: 'CONTROLLER://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092',
      'control.plane.listener.name': 'controller',
    });
    expect(controlPlaneListenerName(config)).toBe('CONTROLLER');
    expect(interBrokerListenerName(config)).toBe('PLAINTEXT');
  });

  it('must be one of listeners', () => {
    expect(problemOf({ 'control.plane.listener.name': 'CONTROL' })).toBe(
      'control.plane.listener.name=CONTROL must be a listener name defined in listeners (PLAINTEXT,CONTROLLER); ' +
        'Listener with CONTROL defined in control.plane.listener.name not found in listener.security.protocol.map',
    );
  });

  it('must be advertised', () => {
    expect(
      problemOf({ 'control.plane.listener.name': 'CONTROLLER', 'advertised.listeners': 'PLAINTEXT://broker-1:9092' }),
    ).toBe(
      'control.plane.listener.name=CONTROLLER must be a listener name defined in advertised.listeners. ' +
        'The valid options based on currently configured listeners are PLAINTEXT',
    );
  });

  it('must have a security protocol', () => {
    expect(
      problemOf({ 'control.plane.listener.name': 'CONTROLLER', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT' }),
    ).toBe('Listener with CONTROLLER defined in control.plane.listener.name not found in listener.security.protocol.map');
  });

  it('must differ from the inter-broker listener', () => {
    expect(problemOf({ 'control.plane.listener.name': 'CONTROLLER', 'inter.broker.listener.name': 'CONTROLLER' })).toBe(
      'control.plane.listener.name, when defined, should have a different value from the inter broker listener name. ' +
        'Currently they both have the value CONTROLLER',
    );
  });

  it('the only listener cannot be the control plane (nothing left between brokers)', () => {
    expect(
      problemOf({
        listeners: 'CONTROLLER://127.0.0.1:9093',
        'control.plane.listener.name': 'CONTROLLER',
      }),
    ).toMatch(/should have a different value from the inter broker listener name/);
  });
});
