import * as fs from 'fs';
import * as path from 'path';
import { Kafka, logLevel, ConfigResourceTypes, type Admin, type Producer } from 'kafkajs';
import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { TestClient } from '../../../packages/broker/src/network/testing/TestClient';
import { startBroker, type BrokerHandle } from '../../harness/broker';
import {
  close,
  connectZk,
  getChildren,
  getData,
  liveTrackedProcesses,
  startZooKeeper,
  waitFor,
  type ZkClient,
  type ZooKeeperHandle,
} from '../../harness';
import { killLeftovers, runProcess } from '../../fixtures/clients/process';

/**
 * The admin APIs of real broker processes, driven by real clients: kafkajs' admin, kafka-python's
 * KafkaAdminClient and confluent-kafka's AdminClient (both through /usr/bin/python3), and raw
 * requests where no client here speaks the API (IncrementalAlterConfigs, DescribeCluster) or to
 * reach a broker that is not the controller. ZooKeeper is read directly to check what was written,
 * and the log directories to see a config change reach the live logs.
 */
jest.setTimeout(60_000);

const BROKER_OVERRIDES = {
  'num.partitions': 2,
  'default.replication.factor': 1,
  'log.segment.bytes': 1048576,
  'log.retention.check.interval.ms': 300,
  'auto.create.topics.enable': false,
};

let zk: ZooKeeperHandle;
let zkc: ZkClient;
let brokers: BrokerHandle[] = [];
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let controllerId: number;
let brokersStartedAtMs = 0;
const raw: TestClient[] = [];

beforeAll(async () => {
  zk = await startZooKeeper({ label: 'zookeeper broker/adminApis.test' });
  brokers = await Promise.all(
    [0, 1].map((brokerId) =>
      startBroker({ zkConnect: zk.connectString, brokerId, overrides: BROKER_OVERRIDES }),
    ),
  );
  brokersStartedAtMs = Date.now();
  zkc = await connectZk(zk.connectString);
  kafka = new Kafka({
    clientId: 'admin-apis-test',
    brokers: brokers.map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const cluster = await waitFor(
    async () => {
      const c = await admin.describeCluster();
      return c.brokers.length === 2 && c.controller !== null && c.controller >= 0 ? c : null;
    },
    { timeoutMs: 20_000, what: 'both brokers and a controller in Metadata' },
  );
  controllerId = cluster.controller!;
}, 60_000);

afterAll(async () => {
  for (const c of raw) c.close();
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  killLeftovers();
  if (zkc) await close(zkc);
  await Promise.all(brokers.map((b) => b.stop().catch(() => b.kill())));
  await zk?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
}, 60_000);

// ---- helpers -------------------------------------------------------------------------------------

const broker = (id: number) => brokers.find((b) => b.brokerId === id)!;
const otherThan = (id: number) => brokers.find((b) => b.brokerId !== id)!;

async function znodeJson(p: string): Promise<any> {
  const { data } = await getData(zkc, p);
  return JSON.parse(data!.toString());
}

async function znodeExists(p: string): Promise<boolean> {
  return getData(zkc, p).then(
    () => true,
    () => false,
  );
}

let correlation = 0;
/** One raw request to one broker (flexible or not, the codec decides). */
async function request(b: BrokerHandle, apiKey: number, apiVersion: number, body: Struct): Promise<Struct> {
  const client = await TestClient.connect(b.port);
  raw.push(client);
  try {
    client.send(apiKey, apiVersion, ++correlation, body);
    const frames = await client.waitFrames(1, 30_000);
    if (frames.length === 0) throw new Error(`no answer to api ${apiKey} v${apiVersion}`);
    return client.decode(0, apiKey, apiVersion).body;
  } finally {
    client.close();
  }
}

/** kafkajs' error types for a failed admin call (aggregated per topic or single). */
async function errorTypes(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e: any) {
    const cause = e.cause ?? e; // kafkajs wraps what it gave up on (not retriable, or retried in vain)
    const errors: any[] = cause.errors ?? cause.partitions?.map((x: any) => x.error) ?? [cause];
    return errors.map((x) => x.type ?? x.name);
  }
  throw new Error('expected the call to fail');
}

/** Runs a Python script with the Debian clients; `job` arrives as JSON on stdin, the result is JSON. */
async function python(script: string, job: object): Promise<any> {
  const r = await runProcess('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify(job),
    timeoutMs: 30_000,
  });
  if (r.code !== 0)
    throw new Error(`python failed (${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/**
 * Partition leaders as the controller broker's MetadataCache holds them (CreateTopics and
 * CreatePartitions answer once that cache has them; the other brokers may be a moment behind).
 */
async function leadersOnController(topic: string): Promise<number[]> {
  const r = await request(broker(controllerId), ApiKey.Metadata, 1, { topics: [{ name: topic }] });
  return (r.topics[0].partitions as Struct[])
    .sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => p.leaderId);
}

async function topicAssignment(topic: string): Promise<Record<string, number[]>> {
  return (await znodeJson(`/brokers/topics/${topic}`)).partitions;
}

// ---- CreateTopics ----------------------------------------------------------------------------------

describe('CreateTopics', () => {
  test('kafkajsCreatesTopicsWithLeadersAndWritesBothZnodes', async () => {
    const created = await admin
      .createTopics({
        topics: [
          {
            topic: 'kj-plain',
            numPartitions: 3,
            replicationFactor: 2,
            configEntries: [{ name: 'retention.ms', value: '3600000' }],
          },
          {
            topic: 'kj-assigned',
            replicaAssignment: [
              { partition: 0, replicas: [1, 0] },
              { partition: 1, replicas: [0] },
            ],
          },
        ],
      })
      .catch((e) => e);
    // replica counts of kj-assigned differ → INVALID_REPLICA_ASSIGNMENT, kj-plain is still created
    expect(created).toBeInstanceOf(Error);
    expect((created as any).errors.map((e: any) => e.type)).toEqual(['INVALID_REPLICA_ASSIGNMENT']);
    expect(await topicAssignment('kj-plain')).toEqual({
      '0': expect.any(Array),
      '1': expect.any(Array),
      '2': expect.any(Array),
    });
    expect(
      Object.values(await topicAssignment('kj-plain')).every((r) => r.length === 2 && new Set(r).size === 2),
    ).toBe(true);
    expect(await znodeJson('/config/topics/kj-plain')).toEqual({
      version: 1,
      config: { 'retention.ms': '3600000' },
    });
    expect(await znodeExists('/brokers/topics/kj-assigned')).toBe(false);

    // the answer came after the leaders existed
    const leaders = await leadersOnController('kj-plain');
    expect(leaders).toHaveLength(3);
    expect(leaders.every((l) => l === 0 || l === 1)).toBe(true);

    expect(
      await admin.createTopics({
        topics: [
          {
            topic: 'kj-assigned',
            replicaAssignment: [
              { partition: 0, replicas: [1, 0] },
              { partition: 1, replicas: [0, 1] },
            ],
          },
        ],
      }),
    ).toBe(true);
    expect(await topicAssignment('kj-assigned')).toEqual({ '0': [1, 0], '1': [0, 1] });
    expect(await znodeJson('/config/topics/kj-assigned')).toEqual({ version: 1, config: {} });
  });

  test('kafkajsMinusOneTakesTheBrokerDefaults', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'kj-defaults' }] })).toBe(true);
    const a = await topicAssignment('kj-defaults');
    expect(Object.keys(a)).toEqual(['0', '1']); // num.partitions=2
    expect(Object.values(a).every((r) => r.length === 1)).toBe(true); // default.replication.factor=1
  });

  test('validateOnlyChecksEverythingAndWritesNothing', async () => {
    expect(
      await admin.createTopics({
        validateOnly: true,
        waitForLeaders: false,
        topics: [{ topic: 'kj-dry', numPartitions: 2, replicationFactor: 2 }],
      }),
    ).toBe(true);
    expect(await znodeExists('/brokers/topics/kj-dry')).toBe(false);
    expect(await znodeExists('/config/topics/kj-dry')).toBe(false);
    expect(
      await errorTypes(
        admin.createTopics({
          validateOnly: true,
          topics: [{ topic: 'kj-dry', numPartitions: 1, replicationFactor: 3 }],
        }),
      ),
    ).toEqual(['INVALID_REPLICATION_FACTOR']);
  });

  test('perTopicErrorsAsKafkaAnswersThem', async () => {
    const types = await errorTypes(
      admin.createTopics({
        topics: [
          { topic: 'kj-plain', numPartitions: 1, replicationFactor: 1 },
          { topic: 'bad/name', numPartitions: 1, replicationFactor: 1 },
          { topic: 'kj-zero', numPartitions: 0, replicationFactor: 1 },
          { topic: 'kj-rf', numPartitions: 1, replicationFactor: 3 },
          {
            topic: 'kj-cfg-name',
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'no.such.config', value: '1' }],
          },
          {
            topic: 'kj-cfg-value',
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'segment.bytes', value: 'big' }],
          },
        ],
      }),
    );
    expect(types.sort()).toEqual(
      [
        'TOPIC_ALREADY_EXISTS',
        'INVALID_TOPIC_EXCEPTION',
        'INVALID_PARTITIONS',
        'INVALID_REPLICATION_FACTOR',
        'INVALID_CONFIG',
        'INVALID_CONFIG',
      ].sort(),
    );
    for (const t of ['kj-zero', 'kj-rf', 'kj-cfg-name', 'kj-cfg-value'])
      expect(await znodeExists(`/brokers/topics/${t}`)).toBe(false);
  });

  test('rawDuplicatesAreInvalidRequestAndNonControllersAnswerNotController', async () => {
    const topic = { name: 'raw-dup', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] };
    const dup = await request(broker(controllerId), ApiKey.CreateTopics, 4, {
      topics: [topic, topic],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(dup.topics.map((t: Struct) => t.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);
    const other = otherThan(controllerId);
    const nc = await request(other, ApiKey.CreateTopics, 4, {
      topics: [topic],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(nc.topics[0].errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    const dt = await request(other, ApiKey.DeleteTopics, 3, { topicNames: ['kj-plain'], timeoutMs: 5000 });
    expect(dt.responses[0].errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    const cp = await request(other, ApiKey.CreatePartitions, 1, {
      topics: [{ name: 'kj-plain', count: 9, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(cp.results[0].errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    expect(await znodeExists('/brokers/topics/raw-dup')).toBe(false);
    expect(Object.keys(await topicAssignment('kj-plain'))).toHaveLength(3);
  });

  test('confluentKafkaCreateTopicsV4WithMinusOneDefaults', async () => {
    const result = await python(
      `
import json, sys
from confluent_kafka.admin import AdminClient, NewTopic
job = json.load(sys.stdin)
a = AdminClient({"bootstrap.servers": job["bootstrap"]})
out = {}
for t, f in a.create_topics([NewTopic("ck-defaults", -1), NewTopic("ck-two", 1, 2)], operation_timeout=10).items():
    try:
        f.result(); out[t] = "ok"
    except Exception as e:
        out[t] = e.args[0].name()
print(json.dumps(out))
`,
      { bootstrap: brokers.map((b) => b.bootstrap).join(',') },
    );
    expect(result).toEqual({ 'ck-defaults': 'ok', 'ck-two': 'ok' });
    const a = await topicAssignment('ck-defaults');
    expect(Object.keys(a)).toEqual(['0', '1']);
    expect(Object.values(a).every((r) => r.length === 1)).toBe(true);
    expect(Object.values(await topicAssignment('ck-two'))[0].sort()).toEqual([0, 1]);
  });
});

// ---- configs ---------------------------------------------------------------------------------------

describe('configs', () => {
  test('kafkajsDescribesTopicConfigsWithSourcesAndSynonyms', async () => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj-plain' }],
    });
    expect(resources[0].errorCode).toBe(0);
    const byName = new Map(resources[0].configEntries.map((e) => [e.configName, e]));
    expect(byName.size).toBeGreaterThanOrEqual(24);
    expect(byName.get('retention.ms')).toMatchObject({
      configValue: '3600000',
      configSource: 1,
      readOnly: false,
      isSensitive: false,
    });
    // segment.bytes falls back to the broker's log.segment.bytes from its properties file
    expect(byName.get('segment.bytes')).toMatchObject({ configValue: '1048576', configSource: 4 });
    expect(byName.get('segment.bytes')!.configSynonyms).toEqual([
      { configName: 'log.segment.bytes', configValue: '1048576', configSource: 4 },
      { configName: 'log.segment.bytes', configValue: '1073741824', configSource: 5 },
    ]);
    expect(byName.get('cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: 5 });

    const unknown = await admin
      .describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'no-such-topic' }],
      })
      .catch((e) => e);
    expect(unknown.type ?? unknown.errors?.[0]?.type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  test('kafkajsDescribesBrokerConfigsOfThatBroker', async () => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.BROKER,
          name: '1',
          configNames: ['num.partitions', 'log.segment.bytes', 'broker.id'],
        },
      ],
    });
    const byName = new Map(resources[0].configEntries.map((e) => [e.configName, e]));
    expect(byName.get('num.partitions')).toMatchObject({ configValue: '2', configSource: 4, readOnly: true });
    expect(byName.get('log.segment.bytes')).toMatchObject({
      configValue: '1048576',
      configSource: 4,
      readOnly: false,
    });
    expect(byName.get('broker.id')).toMatchObject({ configValue: '1', readOnly: true });
    expect(byName.size).toBe(3);
  });

  test('kafkajsAlterConfigsReplacesTopicOverridesAndNotifiesBrokers', async () => {
    const before = await getChildren(zkc, '/config/changes');
    await admin.alterConfigs({
      validateOnly: true,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'kj-plain',
          configEntries: [{ name: 'retention.ms', value: '1000' }],
        },
      ],
    });
    expect(await znodeJson('/config/topics/kj-plain')).toEqual({
      version: 1,
      config: { 'retention.ms': '3600000' },
    });

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'kj-plain',
          configEntries: [{ name: 'max.message.bytes', value: '2048' }],
        },
      ],
    });
    // AlterConfigs replaces the whole set: retention.ms is gone
    expect(await znodeJson('/config/topics/kj-plain')).toEqual({
      version: 1,
      config: { 'max.message.bytes': '2048' },
    });
    const after = await getChildren(zkc, '/config/changes');
    const added = after.filter((n) => !before.includes(n));
    expect(added).toHaveLength(1);
    expect(await znodeJson(`/config/changes/${added[0]}`)).toEqual({
      version: 2,
      entity_path: 'topics/kj-plain',
    });

    expect(
      await errorTypes(
        admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: 'kj-plain',
              configEntries: [{ name: 'retention.ms', value: 'soon' }],
            },
          ],
        }),
      ),
    ).toEqual(['INVALID_REQUEST']);
    expect(
      await errorTypes(
        admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: 'kj-plain',
              configEntries: [{ name: 'retention.later', value: '1' }],
            },
          ],
        }),
      ),
    ).toEqual(['INVALID_CONFIG']);
    expect(await znodeJson('/config/topics/kj-plain')).toEqual({
      version: 1,
      config: { 'max.message.bytes': '2048' },
    });
  });

  test('kafkaPythonCreatesDescribesAltersAndAddsPartitions', async () => {
    const result = await python(
      `
import json, sys
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
from kafka.errors import KafkaError
job = json.load(sys.stdin)
a = KafkaAdminClient(bootstrap_servers=job["bootstrap"], client_id="kp-admin", request_timeout_ms=20000)
out = {}
def errors(call):
    # kafka-python raises the first per-topic error of CreateTopics / CreatePartitions
    try:
        return [[x[0], x[1]] for x in call().topic_errors]
    except KafkaError as e:
        return [["raised", e.errno]]
out["create"] = errors(lambda: a.create_topics([NewTopic("kp-topic", 2, 1, topic_configs={"cleanup.policy": "compact"})], timeout_ms=10000))
out["create_again"] = errors(lambda: a.create_topics([NewTopic("kp-topic", 2, 1)], timeout_ms=10000, validate_only=True))
# CreateTopics answers once the broker that took it (the controller) knows the topic; kafka-python
# may ask another broker, which learns of it from the UpdateMetadata that follows (as with Kafka).
import time
deadline = time.time() + 10
while True:
    r = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-topic")])
    res = r[0].resources[0]
    if res[0] != 3 or time.time() > deadline:
        break
    time.sleep(0.1)
out["describe_error"] = res[0]
out["describe"] = {c[0]: c[1] for c in res[4]}
r = a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-topic", configs={"cleanup.policy": "delete", "retention.bytes": "4096"})])
out["alter"] = [x[0] for x in r.resources]
out["partitions"] = errors(lambda: a.create_partitions({"kp-topic": NewPartitions(4)}, timeout_ms=10000))
out["shrink"] = errors(lambda: a.create_partitions({"kp-topic": NewPartitions(3)}, timeout_ms=10000))
a.close()
print(json.dumps(out))
`,
      { bootstrap: brokers.map((b) => b.bootstrap).join(',') },
    );
    expect(result.create).toEqual([['kp-topic', 0]]);
    expect(result.create_again).toEqual([['raised', ErrorCode.TOPIC_ALREADY_EXISTS]]);
    expect(result.describe_error).toBe(0);
    expect(result.describe['cleanup.policy']).toBe('compact');
    expect(result.describe['segment.bytes']).toBe('1048576');
    expect(result.alter).toEqual([0]);
    expect(result.partitions).toEqual([['kp-topic', 0]]);
    expect(result.shrink).toEqual([['raised', ErrorCode.INVALID_PARTITIONS]]);
    expect(await znodeJson('/config/topics/kp-topic')).toEqual({
      version: 1,
      config: { 'retention.bytes': '4096', 'cleanup.policy': 'delete' },
    });
    expect(Object.keys(await topicAssignment('kp-topic'))).toEqual(['0', '1', '2', '3']);
  });

  test('rawIncrementalAlterConfigsAppendsSubtractsAndDeletes', async () => {
    const alter = (configs: Struct[], validateOnly = false) =>
      request(broker(controllerId), ApiKey.IncrementalAlterConfigs, 1, {
        resources: [{ resourceType: 2, resourceName: 'kj-defaults', configs }],
        validateOnly,
      });
    let r = await alter([
      { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
      { name: 'retention.ms', configOperation: 0, value: '7200000' },
    ]);
    expect(r.responses[0].errorCode).toBe(ErrorCode.NONE);
    expect(await znodeJson('/config/topics/kj-defaults')).toEqual({
      version: 1,
      config: { 'retention.ms': '7200000', 'cleanup.policy': 'delete,compact' },
    });
    r = await alter([
      { name: 'cleanup.policy', configOperation: 3, value: 'delete' },
      { name: 'retention.ms', configOperation: 1, value: null },
    ]);
    expect(r.responses[0].errorCode).toBe(ErrorCode.NONE);
    expect(await znodeJson('/config/topics/kj-defaults')).toEqual({
      version: 1,
      config: { 'cleanup.policy': 'compact' },
    });
    r = await alter([{ name: 'retention.ms', configOperation: 2, value: '5' }]);
    expect(r.responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
    r = await alter([{ name: 'min.insync.replicas', configOperation: 0, value: '0' }], true);
    expect(r.responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  test('dynamicBrokerConfigGoesToZooKeeperAndChangesTopicDefaultsOnThatBroker', async () => {
    const b = broker(1);
    const set = await request(b, ApiKey.AlterConfigs, 1, {
      resources: [
        {
          resourceType: 4,
          resourceName: '1',
          configs: [{ name: 'log.cleaner.delete.retention.ms', value: '12345' }],
        },
      ],
      validateOnly: false,
    });
    expect(set.responses[0].errorCode).toBe(ErrorCode.NONE);
    expect(await znodeJson('/config/brokers/1')).toEqual({
      version: 1,
      config: { 'log.cleaner.delete.retention.ms': '12345' },
    });
    const refused = await request(b, ApiKey.AlterConfigs, 1, {
      resources: [
        { resourceType: 4, resourceName: '1', configs: [{ name: 'num.partitions', value: '7' }] },
        { resourceType: 4, resourceName: '0', configs: [{ name: 'log.retention.bytes', value: '7' }] },
      ],
      validateOnly: false,
    });
    expect(refused.responses.map((x: Struct) => x.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);

    const describe = () =>
      request(b, ApiKey.DescribeConfigs, 2, {
        resources: [
          { resourceType: 4, resourceName: '1', configurationKeys: ['log.cleaner.delete.retention.ms'] },
          { resourceType: 2, resourceName: 'kj-plain', configurationKeys: ['delete.retention.ms'] },
        ],
        includeSynonyms: true,
      });
    const d = await waitFor(
      async () => {
        const r = await describe();
        return r.results[1].configs[0]?.value === '12345' ? r : null;
      },
      { timeoutMs: 10_000, what: 'broker 1 to apply its dynamic log.cleaner.delete.retention.ms' },
    );
    expect(d.results[0].configs[0]).toMatchObject({ value: '12345', configSource: 2, readOnly: false });
    expect(d.results[1].configs[0]).toMatchObject({ value: '12345', configSource: 2 });
    expect(d.results[1].configs[0].synonyms[0]).toEqual({
      name: 'log.cleaner.delete.retention.ms',
      value: '12345',
      source: 2,
    });
  });
});

// ---- a config change reaching the live logs ----------------------------------------------------------

describe('live topic config', () => {
  const logFiles = (b: BrokerHandle, dir: string) =>
    fs.existsSync(path.join(b.logDir, dir))
      ? fs.readdirSync(path.join(b.logDir, dir)).filter((f) => f.endsWith('.log'))
      : [];

  test('segmentBytesChangeRollsSegmentsWithoutRestart', async () => {
    await admin.createTopics({
      topics: [{ topic: 'live', replicaAssignment: [{ partition: 0, replicas: [controllerId] }] }],
    });
    const b = broker(controllerId);
    const value = 'x'.repeat(300);
    const send = () => producer.send({ topic: 'live', acks: -1, messages: [{ partition: 0, value }] });
    for (let i = 0; i < 5; i++) await send();
    expect(logFiles(b, 'live-0')).toHaveLength(1);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'live',
          configEntries: [{ name: 'segment.bytes', value: '1024' }],
        },
      ],
    });
    await waitFor(
      async () => {
        await send();
        return logFiles(b, 'live-0').length >= 4;
      },
      { timeoutMs: 10_000, what: 'segments of 1 KiB to roll' },
    );
    expect((await admin.fetchTopicOffsets('live'))[0].low).toBe('0');
  });
});

// ---- CreatePartitions, DeleteRecords, DeleteTopics, DescribeCluster ----------------------------------

describe('partitions, records, deletion, cluster', () => {
  test('kafkajsCreatePartitionsGrowsTheAssignment', async () => {
    await admin.createPartitions({
      validateOnly: true,
      topicPartitions: [{ topic: 'kj-assigned', count: 4 }],
    });
    expect(Object.keys(await topicAssignment('kj-assigned'))).toHaveLength(2);
    await admin.createPartitions({
      topicPartitions: [{ topic: 'kj-assigned', count: 3, assignments: [[0, 1]] }],
    });
    expect(await topicAssignment('kj-assigned')).toEqual({ '0': [1, 0], '1': [0, 1], '2': [0, 1] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'kj-assigned', count: 5 }] });
    const a = await topicAssignment('kj-assigned');
    expect(Object.keys(a)).toHaveLength(5);
    expect(a['3']).toHaveLength(2);
    expect((await leadersOnController('kj-assigned')).filter((l) => l >= 0)).toHaveLength(5);

    expect(
      await errorTypes(admin.createPartitions({ topicPartitions: [{ topic: 'kj-assigned', count: 2 }] })),
    ).toEqual(['INVALID_PARTITIONS']);
    expect(
      await errorTypes(
        admin.createPartitions({
          topicPartitions: [{ topic: 'kj-assigned', count: 6, assignments: [[0, 7]] }],
        }),
      ),
    ).toEqual(['INVALID_REPLICA_ASSIGNMENT']);
  });

  test('kafkajsDeleteTopicRecordsMovesTheLowWatermark', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: 'records',
          replicaAssignment: [{ partition: 0, replicas: [otherThan(controllerId).brokerId] }],
        },
      ],
    });
    await producer.send({
      topic: 'records',
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })),
    });
    await admin.fetchTopicOffsets('records'); // kafkajs finds the leader only for topics it has fetched metadata of
    await admin.deleteTopicRecords({ topic: 'records', partitions: [{ partition: 0, offset: '4' }] });
    expect(await admin.fetchTopicOffsets('records')).toEqual([
      expect.objectContaining({ partition: 0, low: '4', high: '10' }),
    ]);
    expect(
      await errorTypes(
        admin.deleteTopicRecords({ topic: 'records', partitions: [{ partition: 0, offset: '11' }] }),
      ),
    ).toEqual(['OFFSET_OUT_OF_RANGE']);
    await admin.deleteTopicRecords({ topic: 'records', partitions: [{ partition: 0, offset: '-1' }] });
    expect((await admin.fetchTopicOffsets('records'))[0].low).toBe('10');

    const wrongBroker = await request(broker(controllerId), ApiKey.DeleteRecords, 1, {
      topics: [{ name: 'records', partitions: [{ partitionIndex: 0, offset: 5 }] }],
      timeoutMs: 5000,
    });
    expect(wrongBroker.topics[0].partitions[0]).toMatchObject({
      errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
      lowWatermark: -1,
    });
  });

  test('kafkajsDeleteTopicsWaitsUntilTheTopicIsGone', async () => {
    const before = await request(broker(controllerId), ApiKey.Metadata, 1, { topics: null });
    expect(before.topics.map((t: Struct) => t.name)).toContain('ck-two');
    await admin.deleteTopics({ topics: ['ck-two'], timeout: 20_000 });
    // the answer came after the controller broker's MetadataCache dropped the topic
    const after = await request(broker(controllerId), ApiKey.Metadata, 1, { topics: null });
    expect(after.topics.map((t: Struct) => t.name)).not.toContain('ck-two');
    await waitFor(async () => !(await znodeExists('/brokers/topics/ck-two')), {
      timeoutMs: 10_000,
      what: 'the topic znode to go',
    });
    expect(await znodeExists('/config/topics/ck-two')).toBe(false);
    expect(await errorTypes(admin.deleteTopics({ topics: ['never-was'], timeout: 5000 }))).toEqual([
      'UNKNOWN_TOPIC_OR_PARTITION',
    ]);
  });

  test('rawDescribeClusterV0ListsBrokersControllerAndClusterId', async () => {
    const clusterId = (await znodeJson('/cluster/id')).id;
    const r = await request(brokers[0], ApiKey.DescribeCluster, 0, {
      includeClusterAuthorizedOperations: false,
    });
    expect(r).toMatchObject({ errorCode: 0, clusterId, controllerId });
    expect(r.brokers.map((b: Struct) => [b.brokerId, b.host, b.port])).toEqual(
      brokers
        .map((b) => [b.brokerId, '127.0.0.1', b.port])
        .sort((x, y) => (x[0] as number) - (y[0] as number)),
    );
  });
});

// ---- last, because the first retention check runs 30 s after a broker starts (Kafka's InitialTaskDelayMs) ----

describe('live retention', () => {
  test('retentionBytesDeletesOldSegmentsWithoutRestart', async () => {
    // the 'live' topic has 1 KiB segments from the test above
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'live',
          configEntries: [
            { name: 'segment.bytes', value: '1024' },
            { name: 'retention.bytes', value: '1024' },
          ],
        },
      ],
    });
    const firstRetentionCheckMs = brokersStartedAtMs + 30_000 - Date.now();
    const low = await waitFor(async () => Number((await admin.fetchTopicOffsets('live'))[0].low) || null, {
      timeoutMs: Math.max(0, firstRetentionCheckMs) + 10_000,
      what: 'retention.bytes to delete old segments',
    });
    expect(low).toBeGreaterThan(0);
    const b = broker(controllerId);
    const segments = fs.readdirSync(path.join(b.logDir, 'live-0')).filter((f) => f.endsWith('.log'));
    expect(segments.length).toBeLessThanOrEqual(2);
  });
});
