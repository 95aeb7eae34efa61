import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, KafkaConfig, envNameToKey } from './KafkaConfig';
import { parseProperties } from './properties';

function propsFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-config-'));
  const file = join(dir, 'server.properties');
  writeFileSync(file, text);
  return file;
}

describe('server.properties syntax', () => {
  it('reads Java properties: separators, comments, continuations, escapes, line numbers', () => {
    const p = parseProperties(
      ['# comment', '! also a comment', 'a=1', 'b : two', 'c three', '', 'd=x\\', '   y', 'e=tab\\there', 'f\\=g=h', 'u=\\u0041'].join('\n'),
    );
    expect(Object.fromEntries([...p].map(([k, v]) => [k, v.value]))).toEqual({
      a: '1',
      b: 'two',
      c: 'three',
      d: 'xy',
      e: 'tab\there',
      'f=g': 'h',
      u: 'A',
    });
    expect(p.get('b')!.line).toBe(4);
    expect(p.get('e')!.line).toBe(9);
  });
});

describe('KafkaConfig', () => {
  it("applies Kafka's defaults", () => {
    const c = KafkaConfig.fromProps({ 'zookeeper.connect': '127.0.0.1:2181' });
    expect(c.int('num.partitions')).toBe(1);
    expect(c.int('message.max.bytes')).toBe(1048588);
    expect(c.bool('auto.create.topics.enable')).toBe(true);
    expect(c.int('offsets.topic.num.partitions')).toBe(50);
    expect(c.logDirs).toEqual(['/tmp/kafka-logs']);
    expect(c.logRetentionMs).toBe(168 * 3_600_000);
    expect(c.zkConnectionTimeoutMs).toBe(18000);
  });

  it('file, then KAFKA_* environment, then --override', () => {
    const file = propsFile('broker.id=1\nlog.dirs=/a,/b\nzookeeper.connect=z:2181/chroot\nnum.partitions=3\n');
    const c = KafkaConfig.load({
      file,
      env: { KAFKA_BROKER_ID: '2', KAFKA_HEAP_OPTS: '-Xmx1g', PATH: '/bin', KAFKA_LOG_RETENTION_MINUTES: '5' },
      overrides: ['num.partitions=7'],
    });
    expect(c.brokerId).toBe(2);
    expect(c.logDirs).toEqual(['/a', '/b']);
    expect(c.string('zookeeper.connect')).toBe('z:2181/chroot');
    expect(c.int('num.partitions')).toBe(7);
    expect(c.logRetentionMs).toBe(5 * 60_000);
    expect(c.origins.get('broker.id')).toBe('environment variable KAFKA_BROKER_ID');
  });

  it('maps Confluent-style environment names', () => {
    expect(envNameToKey('KAFKA_ADVERTISED_LISTENERS')).toBe('advertised.listeners');
    expect(envNameToKey('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP')).toBe('listener.security.protocol.map');
    expect(envNameToKey('KAFKA_A__B___C')).toBe('a_b-c');
  });

  it('an unknown key names the key and the file line', () => {
    const file = propsFile('zookeeper.connect=z:2181\n\nno.such.key=1\n');
    expect(() => KafkaConfig.load({ file })).toThrow(ConfigError);
    expect(() => KafkaConfig.load({ file })).toThrow(`unknown configuration 'no.such.key' (${file} line 3)`);
  });

  it('an invalid value names the key, the origin and the problem', () => {
    const file = propsFile('zookeeper.connect=z:2181\nnum.partitions=many\n');
    expect(() => KafkaConfig.load({ file })).toThrow(`invalid value for 'num.partitions' (${file} line 2): 'many' is not an integer`);
    expect(() => KafkaConfig.fromProps({ 'zookeeper.connect': 'z', 'num.partitions': 0 })).toThrow(/below the minimum 1/);
    expect(() => KafkaConfig.fromProps({ 'zookeeper.connect': 'z', 'log.message.timestamp.type': 'Now' })).toThrow(/not one of/);
    expect(() => KafkaConfig.load({ env: { KAFKA_NUM_PARTITIONS: 'x', KAFKA_ZOOKEEPER_CONNECT: 'z' } })).toThrow(
      /environment variable KAFKA_NUM_PARTITIONS/,
    );
    expect(() => KafkaConfig.load({ overrides: ['zookeeper.connect=z', 'broker.id'] })).toThrow(/key=value/);
  });

  it('zookeeper.connect is required', () => {
    expect(() => KafkaConfig.fromProps({ 'broker.id': 1 })).toThrow(/zookeeper.connect/);
  });

  it("loads Kafka's own shipped server.properties keys", () => {
    const file = propsFile(
      [
        'broker.id=0',
        'num.network.threads=3',
        'num.io.threads=8',
        'socket.send.buffer.bytes=102400',
        'socket.receive.buffer.bytes=102400',
        'socket.request.max.bytes=104857600',
        'log.dirs=/tmp/kafka-logs',
        'num.partitions=1',
        'num.recovery.threads.per.data.dir=1',
        'offsets.topic.replication.factor=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'log.retention.hours=168',
        'log.segment.bytes=1073741824',
        'log.retention.check.interval.ms=300000',
        'zookeeper.connect=localhost:2181',
        'zookeeper.connection.timeout.ms=18000',
        'group.initial.rebalance.delay.ms=0',
      ].join('\n'),
    );
    expect(KafkaConfig.load({ file }).int('offsets.topic.replication.factor')).toBe(1);
  });
});
