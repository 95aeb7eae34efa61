import { MetricName } from '../MetricName';
import { MetricsRegistry } from '../MetricsRegistry';
import { FakeClock } from '../testing/FakeClock';
import { PrometheusExporter, safeName } from './PrometheusExporter';

function registry() {
  return new MetricsRegistry({ clock: new FakeClock().now, autoTick: false });
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('PrometheusExporter (JMX exporter kafka-2_0_0 names)', () => {
  test('meters: <domain>_<type>_<name without PerSec>_total, tags as labels', () => {
    const r = registry();
    const g = r.group('kafka.server', 'BrokerTopicMetrics');
    g.meter('MessagesInPerSec', 'messages').mark(10);
    g.meter('BytesInPerSec', 'bytes', [['topic', 'T']]).mark(1000);
    r.group('kafka.network', 'RequestMetrics').meter('RequestsPerSec', 'requests', [['request', 'Produce'], ['version', '8']]).mark(3);
    r.group('kafka.server', 'SessionExpireListener').meter('ZooKeeperExpiresPerSec', 'expires');
    const text = new PrometheusExporter().render(r.all());
    expect(lines(text)).toEqual([
      'kafka_network_requestmetrics_requests_total{request="Produce",version="8"} 3',
      'kafka_server_brokertopicmetrics_bytesin_total{topic="T"} 1000',
      'kafka_server_brokertopicmetrics_messagesin_total 10',
      'kafka_server_sessionexpirelistener_zookeeperexpires_total 0',
    ]);
    expect(text).toContain('# TYPE kafka_server_brokertopicmetrics_messagesin_total counter\n');
    expect(text).toContain(
      '# HELP kafka_server_brokertopicmetrics_messagesin_total Attribute exposed for management kafka.server:name=MessagesInPerSec,type=BrokerTopicMetrics,attribute=Count\n',
    );
  });

  test('gauges: Value with 0–2 tags; strings are not exported; kafka.coordinator has its own rule', () => {
    const r = registry();
    r.group('kafka.server', 'ReplicaManager').gauge('UnderReplicatedPartitions', () => 4);
    r.group('kafka.controller', 'KafkaController').gauge('ActiveControllerCount', () => 1);
    r.group('kafka.log', 'Log').gauge('Size', () => 123, [['topic', 't1'], ['partition', '0']]);
    r.group('kafka.server', 'SessionExpireListener').gauge('SessionState', () => 'CONNECTED');
    r.group('kafka.coordinator.group', 'GroupMetadataManager').gauge('NumGroups', () => 2);
    r.group('kafka.server', 'Flag').gauge('On', () => true);
    expect(lines(new PrometheusExporter().render(r.all()))).toEqual([
      'kafka_controller_kafkacontroller_activecontrollercount 1',
      'kafka_coordinator_group_groupmetadatamanager_numgroups 2',
      'kafka_log_log_size{topic="t1",partition="0"} 123',
      'kafka_server_flag_on 1',
      'kafka_server_replicamanager_underreplicatedpartitions 4',
    ]);
  });

  test('histograms and timers: _count and quantile gauges, no rates', () => {
    const r = registry();
    const h = r.group('kafka.network', 'RequestMetrics').histogram('TotalTimeMs', [['request', 'Produce']]);
    for (let i = 1; i <= 1000; i++) h.update(i);
    r.group('kafka.controller', 'ControllerStats').timer('LeaderElectionRateAndTimeMs').update(12);
    const out = lines(new PrometheusExporter().render(r.all())).map((l) => {
      const i = l.lastIndexOf(' ');
      return [l.slice(0, i), Number(l.slice(i + 1))] as const;
    });
    const expected: [string, number][] = [
      ['kafka_controller_controllerstats_leaderelectionrateandtimems_count', 1],
      ...['0.50', '0.75', '0.95', '0.98', '0.99', '0.999'].map(
        (q): [string, number] => [`kafka_controller_controllerstats_leaderelectionrateandtimems{quantile="${q}"}`, 12],
      ),
      ['kafka_network_requestmetrics_totaltimems_count{request="Produce"}', 1000],
      ['kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.50"}', 500.5],
      ['kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.75"}', 750.75],
      ['kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.95"}', 950.95],
      ['kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.98"}', 980.98],
      ['kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.99"}', 990.99],
      ['kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.999"}', 999.999],
    ];
    expect(out.map(([k]) => k)).toEqual(expected.map(([k]) => k));
    out.forEach(([, v], i) => expect(v).toBeCloseTo(expected[i][1], 9));
  });

  test('families are grouped under one HELP/TYPE; other domains and extra families', () => {
    const r = registry();
    r.group('kafka.log', 'Log').gauge('Size', () => 1, [['topic', 'a'], ['partition', '0']]);
    r.group('kafka.log', 'Log').gauge('LogEndOffset', () => 9, [['topic', 'a'], ['partition', '0']]);
    r.group('kafka.log', 'Log').gauge('Size', () => 2, [['topic', 'b'], ['partition', '0']]);
    r.group('java.lang', 'Memory').gauge('Heap', () => 5);
    const text = new PrometheusExporter().render(r.all(), [
      { name: 'process_open_fds', type: 'gauge', help: 'fds', samples: [{ value: 12 }] },
    ]);
    expect(text.match(/# TYPE kafka_log_log_size gauge/g)).toHaveLength(1);
    const sizeLines = text.split('\n').filter((l) => l.startsWith('kafka_log_log_size'));
    expect(sizeLines).toEqual(['kafka_log_log_size{topic="a",partition="0"} 1', 'kafka_log_log_size{topic="b",partition="0"} 2']);
    expect(text).not.toContain('java');
    expect(text.endsWith('# HELP process_open_fds fds\n# TYPE process_open_fds gauge\nprocess_open_fds 12\n')).toBe(true);
  });

  test('label values are escaped; names are made safe', () => {
    const r = registry();
    r.group('kafka.server', 'FetcherStats').gauge('Lag', () => 1, [['clientId', 'a"b']]);
    const out = lines(new PrometheusExporter().render(r.all()));
    expect(out).toEqual(['kafka_server_fetcherstats_lag{clientId="\\"a\\\\\\"b\\""} 1']);
    expect(safeName('kafka_server-x..y__z')).toBe('kafka_server_x_y_z');
    expect(safeName('9lives')).toBe('_9lives');
  });

  test('rule results are cached per MBean and attribute', () => {
    const exporter = new PrometheusExporter();
    const name = MetricName.of('kafka.server', 'ReplicaManager', 'PartitionCount');
    expect(exporter.mapping(name, 'Value')).toBe(exporter.mapping(name, 'Value'));
    expect(exporter.mapping(name, 'MeanRate')).toBeNull();
  });
});
