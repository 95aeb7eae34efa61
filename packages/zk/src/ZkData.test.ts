import {
  ClusterIdZNode,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityZNode,
  ConsumerOffset,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicsTopicZNode,
  FeatureZNode,
  IsrChangeNotificationSequenceZNode,
  LogDirEventNotificationSequenceZNode,
  PreferredReplicaElectionZNode,
  ProducerIdBlockZNode,
  ReassignPartitionsZNode,
  TopicPartitionStateZNode,
  TopicPartitionZNode,
  TopicZNode,
  ZkData,
  replicaAssignment,
  type LeaderIsrAndControllerEpoch,
} from './ZkData';
import { ZkDataError } from './ZkErrors';

/** Znode contents exactly as a Kafka 2.1 cluster wrote them (reference/kafka-2.1-samples/zk-*.txt). */
const CAPTURED = {
  controller: '{"version":1,"brokerid":2,"timestamp":"1795302818261"}',
  controllerEpoch: '1',
  topicV1: '{"version":1,"partitions":{"2":[2,0,1],"1":[1,2,0],"0":[0,1,2]}}',
  segdemoTopic: '{"version":1,"partitions":{"0":[0,1,2],"1":[1,2,0]}}',
  state: '{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":0,"isr":[0,1,2]}',
  stateDeleting: '{"controller_epoch":2,"leader":-1,"version":1,"leader_epoch":3,"isr":[0]}',
  clusterId: '{"version":"1","id":"Fkl_NzYORkGdLcAVksecNg"}',
  emptyConfig: '{"version":1,"config":{}}',
  segdemoConfig:
    '{"version":1,"config":{"segment.bytes":"16384","retention.ms":"3600000","index.interval.bytes":"1024"}}',
  offsetsConfig:
    '{"version":1,"config":{"compression.type":"producer","cleanup.policy":"compact","segment.bytes":"104857600"}}',
  configChange: '{"version":2,"entity_path":"topics/segdemo"}',
  producerIdBlock: '{"version":1,"broker":0,"block_start":"2000","block_end":"2999"}',
  isrChange:
    '{"version":1,"partitions":[{"topic":"__consumer_offsets","partition":45},{"topic":"__consumer_offsets","partition":39},' +
    '{"topic":"__consumer_offsets","partition":0},{"topic":"__consumer_offsets","partition":48},' +
    '{"topic":"__consumer_offsets","partition":36},{"topic":"__consumer_offsets","partition":42},{"topic":"segdemo","partition":1}]}',
  /** zk-transient-znodes.txt, 23:19:29 */
  preferredElection:
    '{"version":1,"partitions":[{"topic":"__consumer_offsets","partition":41},{"topic":"__consumer_offset' +
    's","partition":43},{"topic":"__consumer_offsets","partition":8},{"topic":"segdemo","partition":0},{"' +
    'topic":"__consumer_offsets","partition":27},{"topic":"__consumer_offsets","partition":3},{"topic":"_' +
    '_consumer_offsets","partition":28},{"topic":"__consumer_offsets","partition":38},{"topic":"__consume' +
    'r_offsets","partition":47},{"topic":"__consumer_offsets","partition":35},{"topic":"__consumer_offset' +
    's","partition":1},{"topic":"__consumer_offsets","partition":24},{"topic":"__consumer_offsets","parti' +
    'tion":11},{"topic":"__consumer_offsets","partition":18},{"topic":"__consumer_offsets","partition":31' +
    '},{"topic":"__consumer_offsets","partition":22},{"topic":"__consumer_offsets","partition":5},{"topic' +
    '":"__consumer_offsets","partition":45},{"topic":"__consumer_offsets","partition":40},{"topic":"T3","' +
    'partition":0},{"topic":"__consumer_offsets","partition":49},{"topic":"__consumer_offsets","partition' +
    '":46},{"topic":"__consumer_offsets","partition":39},{"topic":"__consumer_offsets","partition":13},{"' +
    'topic":"__consumer_offsets","partition":0},{"topic":"__consumer_offsets","partition":6},{"topic":"__' +
    'consumer_offsets","partition":34},{"topic":"T3","partition":2},{"topic":"__consumer_offsets","partit' +
    'ion":7},{"topic":"__consumer_offsets","partition":26},{"topic":"__consumer_offsets","partition":17},' +
    '{"topic":"__consumer_offsets","partition":23},{"topic":"__consumer_offsets","partition":9},{"topic":' +
    '"__consumer_offsets","partition":48},{"topic":"__consumer_offsets","partition":2},{"topic":"__consum' +
    'er_offsets","partition":12},{"topic":"__consumer_offsets","partition":29},{"topic":"__consumer_offse' +
    'ts","partition":44},{"topic":"T3","partition":1},{"topic":"__consumer_offsets","partition":33},{"top' +
    'ic":"__consumer_offsets","partition":14},{"topic":"__consumer_offsets","partition":37},{"topic":"__c' +
    'onsumer_offsets","partition":10},{"topic":"__consumer_offsets","partition":32},{"topic":"__consumer_' +
    'offsets","partition":21},{"topic":"__consumer_offsets","partition":30},{"topic":"__consumer_offsets"' +
    ',"partition":36},{"topic":"__consumer_offsets","partition":15},{"topic":"__consumer_offsets","partit' +
    'ion":4},{"topic":"__consumer_offsets","partition":42},{"topic":"__consumer_offsets","partition":19},' +
    '{"topic":"__consumer_offsets","partition":16},{"topic":"__consumer_offsets","partition":25},{"topic"' +
    ':"segdemo","partition":1},{"topic":"__consumer_offsets","partition":20}]}',
  /** zk-3broker-05-delete-pending-broker2-down.txt */
  consumerOffsetsTopic:
    '{"version":1,"partitions":{"45":[1,0,2],"34":[2,1,0],"12":[1,2,0],"8":[0,1,2],"19":[2,0,1],"23":[0,2' +
    ',1],"4":[2,1,0],"40":[2,1,0],"15":[1,0,2],"11":[0,2,1],"9":[1,0,2],"44":[0,1,2],"33":[1,0,2],"22":[2' +
    ',1,0],"26":[0,1,2],"37":[2,0,1],"13":[2,0,1],"46":[2,1,0],"24":[1,2,0],"35":[0,2,1],"16":[2,1,0],"5"' +
    ':[0,2,1],"10":[2,1,0],"48":[1,2,0],"21":[1,0,2],"43":[2,0,1],"32":[0,1,2],"49":[2,0,1],"6":[1,2,0],"' +
    '36":[1,2,0],"1":[2,0,1],"39":[1,0,2],"17":[0,2,1],"25":[2,0,1],"14":[0,1,2],"47":[0,2,1],"31":[2,0,1' +
    '],"42":[1,2,0],"0":[1,2,0],"20":[0,1,2],"27":[1,0,2],"2":[0,1,2],"38":[0,1,2],"18":[1,2,0],"30":[1,2' +
    ',0],"7":[2,0,1],"29":[0,2,1],"41":[0,2,1],"3":[1,0,2],"28":[2,1,0]}}',
};

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const state = (
  leader: number,
  leaderEpoch: number,
  isr: number[],
  controllerEpoch: number,
): LeaderIsrAndControllerEpoch => ({
  leaderAndIsr: { leader, leaderEpoch, isr, zkVersion: 7 },
  controllerEpoch,
});

describe('controller znodes', () => {
  test('controllerEncodesKafkasJsonAndDecodesTheCapture', () => {
    expect(ControllerZNode.path()).toBe('/controller');
    expect(ControllerZNode.encode(2, 1795302818261).toString()).toBe(CAPTURED.controller);
    expect(ControllerZNode.decode(bytes(CAPTURED.controller))).toBe(2);
  });

  test('controllerEpochIsAnAsciiInteger', () => {
    expect(ControllerEpochZNode.path()).toBe('/controller_epoch');
    expect(ControllerEpochZNode.encode(1).toString()).toBe(CAPTURED.controllerEpoch);
    expect(ControllerEpochZNode.decode(bytes('2'))).toBe(2);
    expect(() => ControllerEpochZNode.decode(bytes('two'))).toThrow(ZkDataError);
  });
});

describe('topic znodes', () => {
  test('decodesVersion1AsKafka21WroteIt', () => {
    const t = TopicZNode.decode('T', bytes(CAPTURED.topicV1));
    expect(t.topicId).toBeNull();
    expect([...t.partitions.entries()].sort(([a], [b]) => a - b)).toEqual([
      [0, replicaAssignment([0, 1, 2])],
      [1, replicaAssignment([1, 2, 0])],
      [2, replicaAssignment([2, 0, 1])],
    ]);
    expect(TopicZNode.decode('segdemo', bytes(CAPTURED.segdemoTopic)).partitions.get(1)).toEqual(
      replicaAssignment([1, 2, 0]),
    );
  });

  test('encodesVersion2WithAddingAndRemovingReplicas', () => {
    const partitions = new Map([
      [1, replicaAssignment([1, 2, 0])],
      [0, replicaAssignment([0, 1, 2, 3], [3], [0])],
    ]);
    expect(TopicZNode.encode(partitions).toString()).toBe(
      '{"version":2,"partitions":{"0":[0,1,2,3],"1":[1,2,0]},"adding_replicas":{"0":[3]},"removing_replicas":{"0":[0]}}',
    );
    const back = TopicZNode.decode('T', TopicZNode.encode(partitions));
    expect(back).toEqual({
      topic: 'T',
      topicId: null,
      partitions: new Map([
        [0, partitions.get(0)],
        [1, partitions.get(1)],
      ]),
    });
  });

  test('encodesAndDecodesVersion3WithATopicId', () => {
    const partitions = new Map([[0, replicaAssignment([1])]]);
    const json = TopicZNode.encode(partitions, { topicId: 'x8uS3yq8SO6eM4aQ9Xfqvg' }).toString();
    expect(JSON.parse(json)).toEqual({
      version: 3,
      topic_id: 'x8uS3yq8SO6eM4aQ9Xfqvg',
      partitions: { '0': [1] },
      adding_replicas: {},
      removing_replicas: {},
    });
    expect(TopicZNode.decode('T', bytes(json)).topicId).toBe('x8uS3yq8SO6eM4aQ9Xfqvg');
  });

  test('partitionNumbersOrderNumericallyNotAsText', () => {
    const partitions = new Map([10, 2, 1].map((p) => [p, replicaAssignment([p])]));
    expect(Object.keys(JSON.parse(TopicZNode.encode(partitions).toString()).partitions)).toEqual([
      '1',
      '2',
      '10',
    ]);
  });

  test('aBrokenTopicZnodeIsAZkDataErrorNamingIt', () => {
    expect(() => TopicZNode.decode('T', bytes('{"version":1,"partitions":{"x":[1]}}'))).toThrow(
      '/brokers/topics/T',
    );
    expect(() => TopicZNode.decode('T', bytes('not json'))).toThrow(ZkDataError);
    expect(() => TopicZNode.decode('T', bytes('{"version":1,"partitions":{"0":["a"]}}'))).toThrow(
      /should be an integer/,
    );
  });

  test('partitionPaths', () => {
    expect(TopicZNode.path('T')).toBe('/brokers/topics/T');
    expect(TopicPartitionZNode.path({ topic: 'T', partition: 2 })).toBe('/brokers/topics/T/partitions/2');
    expect(TopicPartitionStateZNode.path({ topic: 'T', partition: 2 })).toBe(
      '/brokers/topics/T/partitions/2/state',
    );
  });

  test('partitionStateEncodesByteForByteAndDecodesWithTheZnodeVersion', () => {
    expect(TopicPartitionStateZNode.encode(state(0, 0, [0, 1, 2], 1)).toString()).toBe(CAPTURED.state);
    expect(TopicPartitionStateZNode.decode(bytes(CAPTURED.stateDeleting), { version: 7 })).toEqual(
      state(-1, 3, [0], 2),
    );
    const s = state(5, 9, [5, 1], 4);
    expect(TopicPartitionStateZNode.decode(TopicPartitionStateZNode.encode(s), { version: 7 })).toEqual(s);
  });
});

describe('config znodes', () => {
  test('configsEncodeInJavaPropertiesOrderLikeTheCaptures', () => {
    // Given in another order on purpose: the written order is the hash table's (segment.bytes and
    // retention.ms share a bin, so those two keep their insertion order).
    const segdemo = { 'index.interval.bytes': '1024', 'segment.bytes': '16384', 'retention.ms': '3600000' };
    expect(ConfigEntityZNode.encode(segdemo).toString()).toBe(CAPTURED.segdemoConfig);
    const offsets = new Map([
      ['segment.bytes', '104857600'],
      ['cleanup.policy', 'compact'],
      ['compression.type', 'producer'],
    ]);
    expect(ConfigEntityZNode.encode(offsets).toString()).toBe(CAPTURED.offsetsConfig);
    expect(ConfigEntityZNode.encode({}).toString()).toBe(CAPTURED.emptyConfig);
  });

  test('configsDecodeToStringMaps', () => {
    expect(ConfigEntityZNode.decode(bytes(CAPTURED.segdemoConfig))).toEqual(
      new Map([
        ['segment.bytes', '16384'],
        ['retention.ms', '3600000'],
        ['index.interval.bytes', '1024'],
      ]),
    );
    expect(ConfigEntityZNode.decode(Buffer.alloc(0))).toEqual(new Map());
    expect(() => ConfigEntityZNode.decode(bytes('{"version":1,"config":{"a":1}}'))).toThrow(ZkDataError);
    expect(ConfigEntityZNode.path('brokers', '<default>')).toBe('/config/brokers/<default>');
  });

  test('configChangeNotificationsReadBothVersions', () => {
    expect(ConfigEntityChangeNotificationSequenceZNode.createPath()).toBe('/config/changes/config_change_');
    expect(ConfigEntityChangeNotificationSequenceZNode.encode('topics/segdemo').toString()).toBe(
      CAPTURED.configChange,
    );
    expect(ConfigEntityChangeNotificationSequenceZNode.decode(bytes(CAPTURED.configChange))).toBe(
      'topics/segdemo',
    );
    expect(
      ConfigEntityChangeNotificationSequenceZNode.decode(
        bytes('{"version":1,"entity_type":"topics","entity_name":"T"}'),
      ),
    ).toBe('topics/T');
  });
});

describe('notifications and admin znodes', () => {
  test('isrChangeNotificationsMatchTheCapture', () => {
    const partitions = IsrChangeNotificationSequenceZNode.decode(bytes(CAPTURED.isrChange));
    expect(partitions).toHaveLength(7);
    expect(partitions[6]).toEqual({ topic: 'segdemo', partition: 1 });
    expect(IsrChangeNotificationSequenceZNode.encode(partitions).toString()).toBe(CAPTURED.isrChange);
    expect(IsrChangeNotificationSequenceZNode.path()).toBe('/isr_change_notification/isr_change_');
    expect(
      IsrChangeNotificationSequenceZNode.sequenceNumber('/isr_change_notification/isr_change_0000000004'),
    ).toBe('0000000004');
  });

  test('logDirEvents', () => {
    expect(LogDirEventNotificationSequenceZNode.encode(0).toString()).toBe(
      '{"version":1,"broker":0,"event":1}',
    );
    expect(LogDirEventNotificationSequenceZNode.decode(LogDirEventNotificationSequenceZNode.encode(4))).toBe(
      4,
    );
    expect(LogDirEventNotificationSequenceZNode.sequenceNumber('log_dir_event_0000000012')).toBe(
      '0000000012',
    );
  });

  test('logDirEventNotificationIsKafkasZnodeAndJson', () => {
    // What a broker writes when a log directory fails (Kafka's LogDirEventNotificationSequenceZNode).
    expect(LogDirEventNotificationSequenceZNode.path()).toBe('/log_dir_event_notification/log_dir_event_');
    expect(LogDirEventNotificationSequenceZNode.path('0000000003')).toBe(
      '/log_dir_event_notification/log_dir_event_0000000003',
    );
    expect(JSON.parse(LogDirEventNotificationSequenceZNode.encode(7).toString())).toEqual({
      version: 1,
      broker: 7,
      event: LogDirEventNotificationSequenceZNode.LogDirFailureEvent,
    });
    expect(LogDirEventNotificationSequenceZNode.LogDirFailureEvent).toBe(1);
    // Kafka's JSON comes from a Java map: any key order reads the same.
    expect(LogDirEventNotificationSequenceZNode.decode(Buffer.from('{"broker":2,"event":1,"version":1}'))).toBe(2);
  });

  test('preferredReplicaElectionMatchesTheCapture', () => {
    const partitions = PreferredReplicaElectionZNode.decode(bytes(CAPTURED.preferredElection));
    expect(partitions).toHaveLength(55); // 50 of __consumer_offsets, 2 of segdemo, 3 of T3
    expect(partitions.slice(0, 4)).toEqual([
      { topic: '__consumer_offsets', partition: 41 },
      { topic: '__consumer_offsets', partition: 43 },
      { topic: '__consumer_offsets', partition: 8 },
      { topic: 'segdemo', partition: 0 },
    ]);
    expect(partitions.filter((tp) => tp.topic === 'T3').map((tp) => tp.partition)).toEqual([0, 2, 1]);
    expect(PreferredReplicaElectionZNode.encode(partitions).toString()).toBe(CAPTURED.preferredElection);
  });

  test('reassignmentRoundTrips', () => {
    const json = '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}';
    const decoded = ReassignPartitionsZNode.decode(bytes(json));
    expect(decoded.entries()).toEqual([[{ topic: 't', partition: 0 }, [1, 2, 3]]]);
    expect(ReassignPartitionsZNode.encode(decoded).toString()).toBe(json);
    expect(ReassignPartitionsZNode.path()).toBe('/admin/reassign_partitions');
  });

  test('deleteTopicMarkerPath', () => {
    expect(DeleteTopicsTopicZNode.path('T')).toBe('/admin/delete_topics/T');
  });
});

describe('cluster, producer ids, offsets, features', () => {
  test('clusterIdVersionIsAString', () => {
    expect(ClusterIdZNode.encode('Fkl_NzYORkGdLcAVksecNg').toString()).toBe(CAPTURED.clusterId);
    expect(ClusterIdZNode.decode(bytes(CAPTURED.clusterId))).toBe('Fkl_NzYORkGdLcAVksecNg');
  });

  test('producerIdBlockMatchesTheCapture', () => {
    expect(ProducerIdBlockZNode.decode(bytes(CAPTURED.producerIdBlock))).toEqual({
      brokerId: 0,
      blockStart: 2000,
      blockEnd: 2999,
    });
    expect(ProducerIdBlockZNode.encode({ brokerId: 0, blockStart: 2000, blockEnd: 2999 }).toString()).toBe(
      CAPTURED.producerIdBlock,
    );
  });

  test('consumerOffsetsAreAsciiNumbers', () => {
    expect(ConsumerOffset.path('g', 'T', 3)).toBe('/consumers/g/offsets/T/3');
    expect(ConsumerOffset.decode(ConsumerOffset.encode(1234567890123))).toBe(1234567890123);
  });

  test('featureZnodeInKafka28sOrder', () => {
    expect(FeatureZNode.encode({ status: 'Enabled', features: {} }).toString()).toBe(
      '{"features":{},"version":1,"status":1}',
    );
    const content = {
      status: 'Disabled' as const,
      features: { 'metadata.version': { min_version_level: 1, max_version_level: 2 } },
    };
    expect(FeatureZNode.decode(FeatureZNode.encode(content))).toEqual(content);
    expect(() => FeatureZNode.decode(bytes('{"features":{},"version":1,"status":7}'))).toThrow(
      /malformed status/,
    );
  });
});

test('persistentPathsAreKafkasLessConfigIps', () => {
  expect([...ZkData.persistentZkPaths]).toEqual([
    '/consumers',
    '/brokers/ids',
    '/brokers/topics',
    '/config/changes',
    '/admin/delete_topics',
    '/brokers/seqid',
    '/isr_change_notification',
    '/latest_producer_id_block',
    '/log_dir_event_notification',
    '/config/topics',
    '/config/clients',
    '/config/users',
    '/config/brokers',
  ]);
});

test('everyTruncationOfACapturedZnodeIsAZkDataError', () => {
  const decoders: Array<[string, (b: Buffer) => unknown]> = [
    [CAPTURED.controller, ControllerZNode.decode],
    [CAPTURED.topicV1, (b) => TopicZNode.decode('T', b)],
    [CAPTURED.state, (b) => TopicPartitionStateZNode.decode(b, { version: 0 })],
    [CAPTURED.clusterId, ClusterIdZNode.decode],
    [CAPTURED.segdemoConfig, (b) => ConfigEntityZNode.decode(b)],
    [CAPTURED.configChange, ConfigEntityChangeNotificationSequenceZNode.decode],
    [CAPTURED.producerIdBlock, ProducerIdBlockZNode.decode],
    [CAPTURED.isrChange, IsrChangeNotificationSequenceZNode.decode],
  ];
  for (const [json, decode] of decoders) {
    for (let cut = 1; cut < json.length; cut++) {
      expect(() => decode(bytes(json.slice(0, cut)))).toThrow(ZkDataError);
    }
  }
});
