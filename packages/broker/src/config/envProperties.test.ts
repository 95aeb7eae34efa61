import { configFromEnv, KafkaConfig } from './KafkaConfig';
import { formatProperties, parseProperties } from './properties';

/** The KAFKA_* environment as server.properties lines (the Docker image's entrypoint prints these). */
describe('configFromEnv', () => {
  it('maps KAFKA_* names by the Confluent rule, skips launcher variables, sorts by name', () => {
    expect(
      configFromEnv({
        PATH: '/bin',
        KAFKA_ZOOKEEPER_CONNECT: 'zk:2181',
        KAFKA_HEAP_OPTS: '-Xmx1g',
        KAFKA_BROKER_ID: '3',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
        KAFKA_A__B___C: 'x',
      }),
    ).toEqual([
      { key: 'a_b-c', value: 'x', name: 'KAFKA_A__B___C' },
      { key: 'broker.id', value: '3', name: 'KAFKA_BROKER_ID' },
      {
        key: 'listener.security.protocol.map',
        value: 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
        name: 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP',
      },
      { key: 'zookeeper.connect', value: 'zk:2181', name: 'KAFKA_ZOOKEEPER_CONNECT' },
    ]);
  });

  it('is what KafkaConfig.load reads from the environment', () => {
    const c = KafkaConfig.load({
      env: { KAFKA_ZOOKEEPER_CONNECT: 'zk:2181/samsa', KAFKA_NUM_PARTITIONS: '6' },
    });
    expect(c.string('zookeeper.connect')).toBe('zk:2181/samsa');
    expect(c.origins.get('num.partitions')).toBe('environment variable KAFKA_NUM_PARTITIONS');
  });
});

describe('formatProperties', () => {
  it('writes plain entries as key=value lines', () => {
    expect(
      formatProperties([
        ['listeners', 'INTERNAL://0.0.0.0:29092,EXTERNAL://0.0.0.0:9092'],
        ['broker.id', '1'],
      ]),
    ).toBe('listeners=INTERNAL://0.0.0.0:29092,EXTERNAL://0.0.0.0:9092\nbroker.id=1\n');
  });

  it('escapes what parseProperties would read otherwise, and reads back exactly', () => {
    const entries: Array<[string, string]> = [
      ['a key=with:odd#chars!', ' leading blank, trailing backslash \\'],
      ['multi', 'line one\nline two\ttabbed\r\f'],
      ['unicode', 'grüße ✓'],
      ['empty', ''],
    ];
    const text = formatProperties(entries);
    expect(text.split('\n')).toHaveLength(entries.length + 1);
    const parsed = parseProperties(text);
    expect([...parsed].map(([k, e]) => [k, e.value])).toEqual(entries);
  });
});
