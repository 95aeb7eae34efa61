import { MetricName } from '../MetricName';
import { MetricsRegistry } from '../MetricsRegistry';
import { FakeClock } from '../testing/FakeClock';
import { JolokiaHandler, type JolokiaResponse } from './JolokiaHandler';
import { requestFromGetPath, splitJolokiaPath } from './requests';

function setup() {
  const clock = new FakeClock(1_700_000_000_500);
  const registry = new MetricsRegistry({ clock: clock.now, autoTick: false });
  const btm = registry.group('kafka.server', 'BrokerTopicMetrics');
  btm.meter('MessagesInPerSec', 'messages').mark(7);
  btm.meter('MessagesInPerSec', 'messages', [['topic', 'T']]).mark(5);
  btm.meter('BytesInPerSec', 'bytes', [['topic', 'T']]).mark(500);
  registry.group('kafka.server', 'ReplicaManager').gauge('UnderReplicatedPartitions', () => 2);
  const h = registry.group('kafka.network', 'RequestMetrics').histogram('TotalTimeMs', [['request', 'Produce']]);
  for (let i = 1; i <= 100; i++) h.update(i);
  registry.addProvider({
    domain: 'kafka.log',
    type: 'Log',
    *metrics() {
      for (const p of [0, 1]) {
        yield { name: MetricName.of('kafka.log', 'Log', 'Size', [['topic', 'T'], ['partition', String(p)]]), metric: gaugeOf(100 + p) };
      }
    },
  });
  const handler = new JolokiaHandler(registry, { agentVersion: '0.1.0', clock: clock.now });
  return { registry, handler };
}

function gaugeOf(v: number) {
  return new MetricsRegistry({ autoTick: false }).gauge(MetricName.of('x', 'y', 'z'), () => v);
}

const ok = (r: JolokiaResponse | JolokiaResponse[]) => {
  if (Array.isArray(r)) throw new Error('bulk');
  if (r.status !== 200) throw new Error(`expected 200, got ${JSON.stringify(r)}`);
  return r.value;
};

describe('Jolokia GET', () => {
  test('version', () => {
    const { handler } = setup();
    expect(handler.handleGet('version')).toEqual({
      request: { type: 'version' },
      value: { agent: '0.1.0', protocol: '7.2', config: {}, info: { product: 'samsa', vendor: 'samsa' } },
      timestamp: 1_700_000_000,
      status: 200,
    });
    expect(handler.handleGet('').status).toBe(200);
  });

  test('read a plain name: every attribute of the meter', () => {
    const { handler } = setup();
    const r = handler.handleGet('read/kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec');
    expect(r.request).toEqual({ mbean: 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec', type: 'read' });
    expect(ok(r)).toEqual({
      Count: 7,
      EventType: 'messages',
      RateUnit: 'SECONDS',
      MeanRate: 0,
      OneMinuteRate: 0,
      FiveMinuteRate: 0,
      FifteenMinuteRate: 0,
    });
  });

  test('read one attribute: the bare value; several: an object', () => {
    const { handler } = setup();
    expect(ok(handler.handleGet('read/kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=T/Count'))).toBe(5);
    expect(ok(handler.handleGet('read/kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions/Value'))).toBe(2);
    expect(ok(handler.handleGet('read/kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce/Count,99thPercentile,Max'))).toEqual({
      Count: 100,
      '99thPercentile': 99.99,
      Max: 100,
    });
  });

  test('key order of a plain name does not matter', () => {
    const { handler } = setup();
    expect(ok(handler.handleGet('read/kafka.server:name=MessagesInPerSec,topic=T,type=BrokerTopicMetrics/Count'))).toBe(5);
  });

  test('read a pattern: values keyed by full name, attributes filtered, provided metrics included', () => {
    const { handler } = setup();
    expect(ok(handler.handleGet('read/kafka.server:type=BrokerTopicMetrics,*/Count'))).toEqual({
      'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=T': { Count: 500 },
      'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec': { Count: 7 },
      'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=T': { Count: 5 },
    });
    expect(ok(handler.handleGet('read/kafka.log:type=Log,*'))).toEqual({
      'kafka.log:type=Log,name=Size,topic=T,partition=0': { Value: 100 },
      'kafka.log:type=Log,name=Size,topic=T,partition=1': { Value: 101 },
    });
    // a pattern with one attribute keeps the per-MBean objects; MBeans without it are skipped
    expect(ok(handler.handleGet('read/kafka.*:*/Value'))).toEqual({
      'kafka.log:type=Log,name=Size,topic=T,partition=0': { Value: 100 },
      'kafka.log:type=Log,name=Size,topic=T,partition=1': { Value: 101 },
      'kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions': { Value: 2 },
    });
  });

  test('canonicalNaming sorts the keys of returned names', () => {
    const { handler } = setup();
    const v = ok(handler.handleGet('read/kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,*/Count', { canonicalNaming: true }));
    expect(Object.keys(v as object)).toEqual([
      'kafka.server:name=MessagesInPerSec,type=BrokerTopicMetrics',
      'kafka.server:name=MessagesInPerSec,topic=T,type=BrokerTopicMetrics',
    ]);
  });

  test('search: sorted names; no match is an empty list', () => {
    const { handler } = setup();
    expect(ok(handler.handleGet('search/kafka.server:type=BrokerTopicMetrics,name=*,*'))).toEqual([
      'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=T',
      'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec',
      'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=T',
    ]);
    expect(ok(handler.handleGet('search/kafka.nothing:*'))).toEqual([]);
  });

  test('list: domain → key properties → attributes; a path narrows it', () => {
    const { handler } = setup();
    const tree = ok(handler.handleGet('list')) as Record<string, Record<string, { attr: Record<string, unknown>; desc: string }>>;
    expect(Object.keys(tree).sort()).toEqual(['kafka.log', 'kafka.network', 'kafka.server']);
    expect(tree['kafka.server']['type=ReplicaManager,name=UnderReplicatedPartitions'].attr).toEqual({
      Value: { type: 'java.lang.Object', desc: 'Current value', rw: false },
    });
    expect(Object.keys(tree['kafka.network']['type=RequestMetrics,name=TotalTimeMs,request=Produce'].attr)).toContain('999thPercentile');
    const one = ok(handler.handleGet('list/kafka.server/type=BrokerTopicMetrics,name=MessagesInPerSec/attr/Count'));
    expect(one).toEqual({ type: 'long', desc: 'Number of events', rw: false });
  });

  test('errors: unknown MBean 404, unknown attribute 404, malformed name 400, unknown type 400', () => {
    const { handler } = setup();
    const missing = handler.handleGet('read/kafka.server:type=Nope,name=Nothing');
    expect(missing).toMatchObject({ status: 404, error_type: 'javax.management.InstanceNotFoundException' });
    expect(missing.request).toEqual({ mbean: 'kafka.server:type=Nope,name=Nothing', type: 'read' });
    expect(handler.handleGet('read/kafka.nothing:type=X,*')).toMatchObject({ status: 404, error_type: 'javax.management.InstanceNotFoundException' });
    expect(handler.handleGet('read/kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions/Count')).toMatchObject({
      status: 404,
      error_type: 'javax.management.AttributeNotFoundException',
    });
    expect(handler.handleGet('read/kafka.log:type=Log,*/Count')).toMatchObject({ status: 404, error_type: 'javax.management.AttributeNotFoundException' });
    expect(handler.handleGet('read/not a name')).toMatchObject({ status: 400, error_type: 'java.lang.IllegalArgumentException' });
    expect(handler.handleGet('read')).toMatchObject({ status: 400 });
    expect(handler.handleGet('exec/kafka.server:type=X/op')).toMatchObject({ status: 400, error_type: 'java.lang.IllegalArgumentException' });
    expect(handler.handleGet('read/%E0%A4%A')).toMatchObject({ status: 400 });
    expect(handler.handleGet('list/kafka.nothing')).toMatchObject({ status: 404 });
  });
});

describe('Jolokia POST', () => {
  test('a bulk array is answered in order, errors in place', () => {
    const { handler } = setup();
    const r = handler.handlePost(
      JSON.stringify([
        { type: 'read', mbean: 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec', attribute: 'Count' },
        { type: 'search', mbean: 'kafka.log:*' },
        { type: 'read', mbean: 'kafka.server:type=Nope' },
        { type: 'version' },
        { type: 'read', mbean: 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=T', attribute: ['Count'] },
        42,
      ]),
    ) as JolokiaResponse[];
    expect(r.map((x) => x.status)).toEqual([200, 200, 404, 200, 200, 400]);
    expect(ok(r[0])).toBe(7);
    expect(ok(r[1])).toHaveLength(2);
    expect(r[2].request).toEqual({ mbean: 'kafka.server:type=Nope', type: 'read' });
    expect(ok(r[4])).toEqual({ Count: 5 }); // an attribute array answers an object
  });

  test('one object answers one object; bad JSON is a 400', () => {
    const { handler } = setup();
    const r = handler.handlePost(JSON.stringify({ type: 'read', mbean: 'kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions' }));
    expect(ok(r)).toEqual({ Value: 2 });
    expect(handler.handlePost('{not json')).toMatchObject({ status: 400, error_type: 'java.lang.IllegalArgumentException' });
    expect(handler.handlePost(JSON.stringify({ type: 'read', mbean: 5 }))).toMatchObject({ status: 400 });
    expect(handler.handlePost(JSON.stringify({ type: 'read', mbean: 'kafka.log:*', attribute: [1] }))).toMatchObject({ status: 400 });
  });
});

describe('Jolokia paths', () => {
  test('!/ and !! escapes, URL decoding first', () => {
    expect(splitJolokiaPath('read/d:name=a!/b/Attr')).toEqual(['read', 'd:name=a/b', 'Attr']);
    expect(splitJolokiaPath('read/d:name=x!!y/')).toEqual(['read', 'd:name=x!y']);
    expect(requestFromGetPath('read/kafka.server%3Atype%3DX%2Cname%3DY/A%2CB')).toEqual({
      type: 'read',
      mbean: 'kafka.server:type=X,name=Y',
      attribute: ['A', 'B'],
    });
    expect(requestFromGetPath('list/a!/b/c')).toEqual({ type: 'list', path: 'a!/b/c' });
  });
});
