import { ApiKey } from '@samsa/protocol';
import type { ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { PYTHON, runOk } from '../../interop/support';
import { kafkaConfigEntryOrder } from '../../../packages/broker/src/api/configEntryOrder';
import {
  array,
  sendHandBuiltRaw,
  startSingleBroker,
  stillServes,
  stopSingleBroker,
  string,
} from './support';

/**
 * Issue 13, row 16: DescribeConfigs answers as Kafka 2.8 does. The entries come in Kafka's order
 * (never sorted: its Scala 2.13 HashMap's iteration order), synonyms only when include_synonyms is
 * set, only synonyms that have a value, highest precedence first (TOPIC_CONFIG,
 * DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG).
 * Checked on the bytes of hand-built v1 requests, then through kafka-python's KafkaAdminClient and
 * confluent-kafka's AdminClient over the network. Afterwards the broker is the same process and kcat
 * still produces and consumes.
 */
jest.setTimeout(120_000);

const TOPIC = 'describe-order';
const TOPIC_TYPE = 2;
const BROKER_TYPE = 4;

/** `kafka-configs --describe --all` of a topic against Kafka 2.8 (Scala 2.13) lists them so. */
const KAFKA_28_TOPIC_ORDER = [
  'compression.type',
  'leader.replication.throttled.replicas',
  'message.downconversion.enable',
  'min.insync.replicas',
  'segment.jitter.ms',
  'cleanup.policy',
  'flush.ms',
  'follower.replication.throttled.replicas',
  'segment.bytes',
  'retention.ms',
  'flush.messages',
  'message.format.version',
  'max.compaction.lag.ms',
  'file.delete.delay.ms',
  'max.message.bytes',
  'min.compaction.lag.ms',
  'message.timestamp.type',
  'preallocate',
  'min.cleanable.dirty.ratio',
  'index.interval.bytes',
  'unclean.leader.election.enable',
  'retention.bytes',
  'delete.retention.ms',
  'segment.ms',
  'message.timestamp.difference.max.ms',
  'segment.index.bytes',
];

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC, {
    overrides: { 'log.segment.bytes': 1048576 },
    topicConfigs: ['retention.ms=3600000'],
  }));
});

afterAll(() => stopSingleBroker({ cluster, zk }));

// ---- the wire -----------------------------------------------------------------------------------

/** DescribeConfigs v1: resources (type int8, name, config names or null), include_synonyms. */
function describeConfigsV1(
  resources: readonly { type: number; name: string; keys: readonly string[] | null }[],
  includeSynonyms: boolean,
): Buffer[] {
  return [
    array(
      resources.map((r) =>
        Buffer.concat([
          Buffer.from([r.type]),
          string(r.name),
          r.keys === null ? Buffer.from([0xff, 0xff, 0xff, 0xff]) : array(r.keys.map((k) => string(k))),
        ]),
      ),
    ),
    Buffer.from([includeSynonyms ? 1 : 0]),
  ];
}

interface WireSynonym {
  name: string;
  value: string | null;
  source: number;
}
interface WireEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
  synonyms: WireSynonym[];
}
interface WireResult {
  errorCode: number;
  resourceType: number;
  resourceName: string;
  configs: WireEntry[];
}

/** Reads a DescribeConfigs v1 response body field by field, as Kafka's v1 schema lays it out. */
function readDescribeConfigsV1(body: Buffer): WireResult[] {
  let at = 0;
  const int8 = () => body.readInt8(at++);
  const int16 = () => ((at += 2), body.readInt16BE(at - 2));
  const int32 = () => ((at += 4), body.readInt32BE(at - 4));
  const str = (): string | null => {
    const n = int16();
    if (n < 0) return null;
    at += n;
    return body.toString('utf8', at - n, at);
  };
  const arr = <T>(item: () => T): T[] => Array.from({ length: int32() }, item);
  int32(); // throttle_time_ms
  const results = arr(() => {
    const errorCode = int16();
    str(); // error_message
    const resourceType = int8();
    const resourceName = str()!;
    const configs = arr(() => ({
      name: str()!,
      value: str(),
      readOnly: int8() !== 0,
      source: int8(),
      isSensitive: int8() !== 0,
      synonyms: arr(() => ({ name: str()!, value: str(), source: int8() })),
    }));
    return { errorCode, resourceType, resourceName, configs };
  });
  expect(at).toBe(body.length);
  return results;
}

async function describeOnTheWire(includeSynonyms: boolean): Promise<WireResult[]> {
  const raw = await sendHandBuiltRaw(
    broker,
    ApiKey.DescribeConfigs,
    1,
    describeConfigsV1(
      [
        { type: TOPIC_TYPE, name: TOPIC, keys: null },
        { type: BROKER_TYPE, name: '0', keys: null },
        {
          type: TOPIC_TYPE,
          name: TOPIC,
          keys: ['segment.ms', 'leader.replication.throttled.replicas', 'cleanup.policy'],
        },
      ],
      includeSynonyms,
    ),
  );
  return readDescribeConfigsV1(raw);
}

test('row16TopicAndBrokerEntriesComeInKafka28sOrderWithoutSynonymsUnlessAsked', async () => {
  const [topic, brokerResult, selected] = await describeOnTheWire(false);
  expect([topic.errorCode, brokerResult.errorCode, selected.errorCode]).toEqual([0, 0, 0]);
  expect(topic.configs.map((c) => c.name)).toEqual(KAFKA_28_TOPIC_ORDER);
  // a selection is a HashMap of its own (16 buckets): cleanup.policy comes before the throttled list
  expect(selected.configs.map((c) => c.name)).toEqual([
    'cleanup.policy',
    'leader.replication.throttled.replicas',
    'segment.ms',
  ]);
  // the broker's names are Samsa's set, in the order Kafka's map would list that set
  const brokerNames = brokerResult.configs.map((c) => c.name);
  expect(brokerNames.length).toBeGreaterThan(50);
  expect(brokerNames).toEqual(kafkaConfigEntryOrder(brokerNames));
  expect(brokerNames).not.toEqual([...brokerNames].sort());
  // include_synonyms false: not one synonym anywhere
  const all = [...topic.configs, ...brokerResult.configs, ...selected.configs];
  expect(all.filter((c) => c.synonyms.length > 0).map((c) => c.name)).toEqual([]);
  expect(topic.configs.find((c) => c.name === 'retention.ms')).toEqual({
    name: 'retention.ms',
    value: '3600000',
    readOnly: false,
    source: 1,
    isSensitive: false,
    synonyms: [],
  });
});

test('row16SynonymsWhenAskedHaveValuesAndComeInPrecedenceOrder', async () => {
  const [topic, brokerResult] = await describeOnTheWire(true);
  expect(topic.configs.map((c) => c.name)).toEqual(KAFKA_28_TOPIC_ORDER);
  const byName = new Map(topic.configs.map((c) => [c.name, c]));
  // the topic override alone: log.retention.ms is unset and log.retention.hours comes before it
  expect(byName.get('retention.ms')!.synonyms).toEqual([
    { name: 'retention.ms', value: '3600000', source: 1 },
  ]);
  expect(byName.get('segment.bytes')).toMatchObject({ value: '1048576', source: 4 });
  expect(byName.get('segment.bytes')!.synonyms).toEqual([
    { name: 'log.segment.bytes', value: '1048576', source: 4 },
    { name: 'log.segment.bytes', value: '1073741824', source: 5 },
  ]);
  // log.roll.ms has no default (null): no synonym, not one with a null value
  expect(byName.get('segment.ms')).toMatchObject({ value: '604800000', source: 5, synonyms: [] });
  expect(byName.get('cleanup.policy')!.synonyms).toEqual([
    { name: 'log.cleanup.policy', value: 'delete', source: 5 },
  ]);
  expect(byName.get('leader.replication.throttled.replicas')!.synonyms).toEqual([]);
  const brokerByName = new Map(brokerResult.configs.map((c) => [c.name, c]));
  expect(brokerByName.get('log.retention.ms')).toMatchObject({ value: null, source: 5, synonyms: [] });
  expect(brokerByName.get('log.retention.hours')!.synonyms).toEqual([
    { name: 'log.retention.hours', value: '168', source: 5 },
  ]);
  for (const c of [...topic.configs, ...brokerResult.configs]) {
    const sources = c.synonyms.map((s) => s.source);
    expect({ name: c.name, sources }).toEqual({ name: c.name, sources: [...sources].sort((a, b) => a - b) });
    // the entry's source is its first synonym's
    if (c.synonyms.length > 0)
      expect({ name: c.name, source: c.source }).toEqual({ name: c.name, source: sources[0] });
    if (!c.isSensitive) {
      expect(c.synonyms.filter((s) => s.value === null)).toEqual([]);
    }
  }
  await stillServes(cluster, { pids, topic: TOPIC });
});

// ---- real admin clients -------------------------------------------------------------------------

const KAFKA_PYTHON_DESCRIBE = `
import json, sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id='row16')
out = {}
for synonyms in (False, True):
    [resp] = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, sys.argv[2])], include_synonyms=synonyms)
    [(err, _msg, _type, _name, entries)] = resp.resources
    out[str(synonyms)] = {'version': resp.API_VERSION, 'error': err,
        'entries': [[e[0], e[1], e[3], [list(s) for s in e[5]]] for e in entries]}
admin.close()
print(json.dumps(out))
`;

const CONFLUENT_DESCRIBE = `
import json, sys
from confluent_kafka.admin import AdminClient, ConfigResource
admin = AdminClient({'bootstrap.servers': sys.argv[1]})
res = ConfigResource('topic', sys.argv[2])
configs = admin.describe_configs([res], request_timeout=30)[res].result(timeout=60)
print(json.dumps([[e.name, e.value, int(e.source), [[s.name, s.value, int(s.source)] for s in e.synonyms.values()]]
                  for e in configs.values()]))
`;

type PyEntry = [string, string | null, number, [string, string | null, number][]];

test('row16KafkaPythonSeesKafkasOrderAndSynonymsOnlyWhenAsked', async () => {
  const r = await runOk(PYTHON, ['-c', KAFKA_PYTHON_DESCRIBE, cluster.bootstrap, TOPIC], {
    timeoutMs: 90_000,
  });
  const out = JSON.parse(r.stdout) as Record<
    'False' | 'True',
    { version: number; error: number; entries: PyEntry[] }
  >;
  for (const asked of ['False', 'True'] as const) {
    expect(out[asked].error).toBe(0);
    expect(out[asked].version).toBeGreaterThanOrEqual(1);
    expect(out[asked].entries.map((e) => e[0])).toEqual(KAFKA_28_TOPIC_ORDER);
  }
  expect(out.False.entries.filter((e) => e[3].length > 0)).toEqual([]);
  const withSynonyms = new Map(out.True.entries.map((e) => [e[0], e]));
  expect(withSynonyms.get('segment.bytes')![3]).toEqual([
    ['log.segment.bytes', '1048576', 4],
    ['log.segment.bytes', '1073741824', 5],
  ]);
  expect(withSynonyms.get('retention.ms')![3]).toEqual([['retention.ms', '3600000', 1]]);
  expect(out.True.entries.flatMap((e) => e[3]).filter((s) => s[1] === null)).toEqual([]);
});

test('row16ConfluentKafkaSeesKafkasOrder', async () => {
  const r = await runOk(PYTHON, ['-c', CONFLUENT_DESCRIBE, cluster.bootstrap, TOPIC], { timeoutMs: 90_000 });
  const entries = JSON.parse(r.stdout) as PyEntry[];
  expect(entries.map((e) => e[0])).toEqual(KAFKA_28_TOPIC_ORDER);
  const byName = new Map(entries.map((e) => [e[0], e]));
  expect(byName.get('retention.ms')!.slice(0, 3)).toEqual(['retention.ms', '3600000', 1]);
  expect(byName.get('segment.bytes')!.slice(0, 3)).toEqual(['segment.bytes', '1048576', 4]);
  // librdkafka asks for synonyms; none of them is null
  expect(entries.flatMap((e) => e[3]).filter((s) => s[1] === null)).toEqual([]);
  await stillServes(cluster, { pids, topic: TOPIC });
});
