import { ErrorCode, KafkaError } from '@samsa/protocol';
import {
  brokerConfigLayers,
  brokerConfigSynonyms,
  ConfigSource,
  describeBrokerConfigs,
  dynamicBrokerOverrides,
  validateDynamicBrokerConfigs,
} from '../api/configs';
import { BROKER_CONFIGS } from './definitions';
import {
  ALL_DYNAMIC_CONFIGS,
  DYNAMIC_LOG_CONFIGS,
  isPerBrokerOnlyConfig,
  listenerBaseConfig,
} from './dynamicBrokerConfigs';
import { KafkaConfig } from './KafkaConfig';

function refusal(resource: string, configs: Record<string, string>): string | undefined {
  try {
    validateDynamicBrokerConfigs(resource, new Map(Object.entries(configs)));
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(KafkaError);
    expect((e as KafkaError).code).toBe(ErrorCode.INVALID_REQUEST);
    return (e as Error).message;
  }
}

const prefix = (name: string) => `Invalid config value for resource ConfigResource(type=BROKER, name='${name}'): `;

describe('the dynamic broker configs of Kafka 2.8', () => {
  test('every group is there, each config with what it does in Samsa', () => {
    expect(ALL_DYNAMIC_CONFIGS.get('log.retention.ms')).toEqual({ group: 'DynamicLogConfig', effect: 'live' });
    expect(ALL_DYNAMIC_CONFIGS.get('num.io.threads')).toEqual({ group: 'DynamicThreadPool', effect: 'stored' });
    expect(ALL_DYNAMIC_CONFIGS.get('log.cleaner.threads')?.effect).toBe('stored');
    expect(ALL_DYNAMIC_CONFIGS.get('max.connections')?.effect).toBe('reconfigurable');
    expect(ALL_DYNAMIC_CONFIGS.get('follower.replication.throttled.rate')?.effect).toBe('reconfigurable');
    expect(ALL_DYNAMIC_CONFIGS.get('ssl.keystore.location')?.effect).toBe('live');
    expect(ALL_DYNAMIC_CONFIGS.get('listeners')?.effect).toBe('unserved');
    expect(ALL_DYNAMIC_CONFIGS.has('broker.id')).toBe(false);
    expect(ALL_DYNAMIC_CONFIGS.has('log.message.format.version')).toBe(false);
    expect(ALL_DYNAMIC_CONFIGS.has('log.retention.hours')).toBe(false);
    for (const name of DYNAMIC_LOG_CONFIGS) expect(ALL_DYNAMIC_CONFIGS.get(name)?.group).toBe('DynamicLogConfig');
  });

  test('the dynamic configs Samsa had no key for are defined with Kafka types and defaults', () => {
    expect(BROKER_CONFIGS['max.connections']).toMatchObject({ type: 'int', default: 2147483647 });
    expect(BROKER_CONFIGS['leader.replication.throttled.rate']).toMatchObject({ type: 'long', min: 0 });
    expect(BROKER_CONFIGS['background.threads']).toMatchObject({ type: 'int', default: 10, inert: true });
    // and a server.properties may set them
    expect(KafkaConfig.fromProps({ 'broker.id': 1, 'zookeeper.connect': 'zk:2181', 'max.connections': 10 }).int('max.connections')).toBe(10);
  });

  test('listener configs: per broker only but for the connection limits; mechanism keys keep their plain synonym', () => {
    expect(isPerBrokerOnlyConfig('listener.name.ssl.ssl.keystore.location')).toBe(true);
    expect(isPerBrokerOnlyConfig('listener.name.external.max.connections')).toBe(false);
    expect(isPerBrokerOnlyConfig('sasl.enabled.mechanisms')).toBe(true);
    expect(isPerBrokerOnlyConfig('max.connections')).toBe(false);
    expect(isPerBrokerOnlyConfig('num.io.threads')).toBe(false);
    expect(listenerBaseConfig('listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config')).toBe('sasl.jaas.config');
    expect(brokerConfigSynonyms('listener.name.ssl.ssl.keystore.type')).toEqual([
      'listener.name.ssl.ssl.keystore.type',
      'ssl.keystore.type',
    ]);
  });
});

describe('validateDynamicBrokerConfigs (Kafka 2.8 DynamicBrokerConfig.validateConfigs)', () => {
  test('thread counts, cleaner, quota and throttle configs are accepted per broker and at <default>', () => {
    for (const resource of ['', '1']) {
      expect(
        refusal(resource, {
          'num.io.threads': '16',
          'num.network.threads': '5',
          'log.cleaner.threads': '2',
          'background.threads': '4',
          'metric.reporters': '',
          'max.connections': '1000',
          'max.connections.per.ip.overrides': 'host1:5,10.0.0.1:3',
          'leader.replication.throttled.rate': '1048576',
          'log.cleaner.io.max.bytes.per.second': '1e6',
        }),
      ).toBeUndefined();
    }
  });

  test('read-only configs are refused with Kafka message', () => {
    expect(refusal('1', { 'broker.id': '5' })).toBe(`${prefix('1')}Cannot update these configs dynamically: Set(broker.id)`);
    expect(refusal('', { 'log.retention.hours': '1', 'zookeeper.connect': 'x' })).toBe(
      `${prefix('')}Cannot update these configs dynamically: Set(log.retention.hours, zookeeper.connect)`,
    );
  });

  test('security configs need a listener prefix; listener configs need a broker id', () => {
    expect(refusal('1', { 'ssl.keystore.location': '/k.p12' })).toBe(
      `${prefix('1')}These security configs can be dynamically updated only per-listener using the listener prefix: Set(ssl.keystore.location)`,
    );
    expect(refusal('', { 'listener.name.ssl.ssl.keystore.location': '/k.p12' })).toBe(
      `${prefix('')}Cannot update these configs at default cluster level, broker id must be specified: Set(listener.name.ssl.ssl.keystore.location)`,
    );
    expect(refusal('', { 'listener.name.external.max.connections': '10' })).toBeUndefined();
    expect(refusal('1', { 'listener.name.ssl.ssl.keystore.location': '/k.p12' })).toBeUndefined();
  });

  test('values are checked against the type and bounds, a listener override as its plain key', () => {
    expect(refusal('1', { 'num.io.threads': 'many' })).toMatch(/^Invalid config value .*Invalid value many for configuration num\.io\.threads/);
    expect(refusal('1', { 'max.connections': '-1' })).toMatch(/max\.connections/);
    expect(refusal('1', { 'listener.name.external.max.connections': 'x' })).toMatch(/listener\.name\.external\.max\.connections/);
    expect(refusal('1', { 'leader.replication.throttled.rate': '-5' })).toMatch(/leader\.replication\.throttled\.rate/);
  });

  test('passwords are refused without an encoder secret, as Kafka does', () => {
    expect(refusal('1', { 'listener.name.sasl_ssl.plain.sasl.jaas.config': 'x' })).toBe(
      `${prefix('1')}Password encoder secret not configured`,
    );
  });
});

describe('DescribeConfigs(BROKER) over the whole list', () => {
  const config = () => KafkaConfig.fromProps({ 'broker.id': 1, 'zookeeper.connect': 'zk:2181', 'num.io.threads': 4 });

  test('per-broker and default overrides of stored-only configs are reported with their source; read-only as Kafka', () => {
    const c = config();
    const layers = brokerConfigLayers(
      c,
      new Map([['num.io.threads', '12']]),
      new Map([
        ['num.io.threads', '10'],
        ['max.connections', '500'],
        ['broker.id', '7'],
      ]),
    );
    const byName = new Map(describeBrokerConfigs(c, layers, true, true).map((e) => [e.name, e]));
    expect(byName.get('num.io.threads')).toMatchObject({
      value: '12',
      readOnly: false,
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
      synonyms: [
        { name: 'num.io.threads', value: '12', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
        { name: 'num.io.threads', value: '10', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'num.io.threads', value: '4', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'num.io.threads', value: '8', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(byName.get('max.connections')).toMatchObject({
      value: '500',
      readOnly: false,
      configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
    });
    // a non-dynamic config in ZooKeeper is ignored, as Kafka's fromPersistentProps drops it
    expect(byName.get('broker.id')).toMatchObject({ value: '1', readOnly: true, configSource: ConfigSource.STATIC_BROKER_CONFIG });
  });

  test('per-broker-only configs found at <default> are dropped', () => {
    expect([
      ...dynamicBrokerOverrides(
        new Map([
          ['listener.name.ssl.ssl.keystore.location', '/k'],
          ['num.io.threads', '3'],
          ['ssl.keystore.location', '/plain'],
        ]),
        false,
      ).keys(),
    ]).toEqual(['num.io.threads']);
  });
});
