import { BrokerIdZNode, endPointConnectionString, parseEndPoint, type Broker } from './BrokerInfo';
import { ZkDataError } from './ZkErrors';

/** /brokers/ids/1 as a Kafka 2.1 broker wrote it (reference/kafka-2.1-samples/zk-3broker-01-before-create.txt). */
const CAPTURED =
  '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:9093"],' +
  '"jmx_port":-1,"host":"127.0.0.1","timestamp":"1795302818225","port":9093,"version":4}';

const broker1: Broker = {
  id: 1,
  endPoints: [{ host: '127.0.0.1', port: 9093, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' }],
  rack: null,
  features: {},
};

test('encodesVersion4ByteForByteAsKafkaDoes', () => {
  expect(BrokerIdZNode.path(1)).toBe('/brokers/ids/1');
  expect(BrokerIdZNode.encode(broker1, { timestampMs: 1795302818225 }).toString()).toBe(CAPTURED);
});

test('decodesTheCapture', () => {
  expect(BrokerIdZNode.decode(1, Buffer.from(CAPTURED))).toEqual({
    broker: broker1,
    version: 4,
    jmxPort: -1,
    timestamp: '1795302818225',
  });
});

test('aRackGoesWhereKafkasHashMapPutsIt', () => {
  const json = BrokerIdZNode.encode({ ...broker1, rack: 'r1' }, { timestampMs: 1, jmxPort: 9999 }).toString();
  expect(json).toBe(
    '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:9093"],"rack":"r1",' +
      '"jmx_port":9999,"host":"127.0.0.1","timestamp":"1","port":9093,"version":4}',
  );
  expect(BrokerIdZNode.decode(1, Buffer.from(json)).broker.rack).toBe('r1');
});

test('severalListenersKeepTheirProtocolsAndTheTopLevelHostIsThePlaintextOne', () => {
  const broker: Broker = {
    id: 7,
    endPoints: [
      { host: 'internal', port: 9094, listenerName: 'REPLICATION', securityProtocol: 'SSL' },
      { host: '::1', port: 9092, listenerName: 'CLIENT', securityProtocol: 'PLAINTEXT' },
    ],
    rack: null,
    features: {},
  };
  const json = JSON.parse(BrokerIdZNode.encode(broker).toString());
  expect(json.endpoints).toEqual(['REPLICATION://internal:9094', 'CLIENT://[::1]:9092']);
  expect(json.listener_security_protocol_map).toEqual({ REPLICATION: 'SSL', CLIENT: 'PLAINTEXT' });
  expect([json.host, json.port]).toEqual(['::1', 9092]);
  expect(BrokerIdZNode.decode(7, BrokerIdZNode.encode(broker)).broker).toEqual(broker);
  const noPlaintext = JSON.parse(
    BrokerIdZNode.encode({ ...broker, endPoints: [broker.endPoints[0]] }).toString(),
  );
  expect([noPlaintext.host, noPlaintext.port]).toEqual([null, -1]);
});

test('decodesOlderVersions', () => {
  const v1 = '{"version":1,"host":"h1","port":9092,"jmx_port":9999,"timestamp":"2233345666"}';
  expect(BrokerIdZNode.decode(3, Buffer.from(v1)).broker.endPoints).toEqual([
    { host: 'h1', port: 9092, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' },
  ]);
  const v2 =
    '{"version":2,"host":"h","port":9092,"jmx_port":-1,"timestamp":"1","endpoints":["PLAINTEXT://h:9092","SSL://h:9093"]}';
  expect(BrokerIdZNode.decode(3, Buffer.from(v2)).broker.endPoints.map((e) => e.securityProtocol)).toEqual([
    'PLAINTEXT',
    'SSL',
  ]);
  const v3 =
    '{"version":3,"host":"h","port":9092,"jmx_port":-1,"timestamp":"1","endpoints":["PLAINTEXT://h:9092"],"rack":"dc1"}';
  expect(BrokerIdZNode.decode(3, Buffer.from(v3)).broker.rack).toBe('dc1');
});

test('decodesVersion5WithFeatures', () => {
  const v5 =
    '{"features":{"feature":{"min_version":1,"max_version":3}},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},' +
    '"endpoints":["PLAINTEXT://h:9092"],"jmx_port":-1,"port":9092,"host":"h","version":5,"timestamp":"1"}';
  const info = BrokerIdZNode.decode(0, Buffer.from(v5));
  expect(info.version).toBe(5);
  expect(info.broker.features).toEqual({ feature: { min_version: 1, max_version: 3 } });
});

test('badRegistrationsAreZkDataErrors', () => {
  expect(() => BrokerIdZNode.decode(1, Buffer.from('{"version":0,"jmx_port":-1}'))).toThrow(ZkDataError);
  expect(() =>
    BrokerIdZNode.decode(1, Buffer.from('{"version":4,"jmx_port":-1,"endpoints":["nonsense"]}')),
  ).toThrow('Unable to parse nonsense to a broker endpoint');
  const unknownListener = '{"version":4,"jmx_port":-1,"endpoints":["CLIENT://h:1"]}';
  expect(() => BrokerIdZNode.decode(1, Buffer.from(unknownListener))).toThrow(
    'No security protocol defined for listener CLIENT',
  );
});

test('endPointsParseAndPrint', () => {
  expect(parseEndPoint('plaintext://:9092')).toEqual({
    host: '',
    port: 9092,
    listenerName: 'PLAINTEXT',
    securityProtocol: 'PLAINTEXT',
  });
  const ipv6 = parseEndPoint('SSL://[fe80::1]:9093');
  expect(ipv6.host).toBe('fe80::1');
  expect(endPointConnectionString(ipv6)).toBe('SSL://[fe80::1]:9093');
});
