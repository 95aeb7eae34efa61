import { Kafka, logLevel } from 'kafkajs';
import { close, connectZk, getData, liveTrackedProcesses, waitFor, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import {
  controllerInfo,
  createTopic,
  kcatProduce,
  messages,
  partitionState,
  rawProduce,
  recordBatch,
} from '../../fault/support';

/**
 * The metrics endpoint of real broker processes (jmx.port=0, the bound port registered as
 * jmx_port): Kafka's MBeans over Jolokia and under the JMX exporter's names on /metrics, fed by
 * kafkajs, kcat and raw produce requests; the event journal on /samsa/events. One broker, then a
 * three-broker cluster where a follower is killed.
 */
jest.setTimeout(120_000);

interface JolokiaBody {
  readonly status: number;
  readonly value?: unknown;
  readonly error_type?: string;
  readonly request?: Record<string, unknown>;
}

async function jolokia(b: BrokerHandle, path: string): Promise<JolokiaBody> {
  const r = await fetch(`${b.metricsUrl}/jolokia/${path}`);
  expect(r.status).toBe(200);
  return (await r.json()) as JolokiaBody;
}

/** The value of a Jolokia read that must succeed. */
async function read(b: BrokerHandle, mbean: string, attribute?: string): Promise<unknown> {
  const body = await jolokia(b, `read/${mbean}${attribute ? `/${attribute}` : ''}`);
  if (body.status !== 200) throw new Error(`read ${mbean}: ${JSON.stringify(body)}`);
  return body.value;
}

const count = async (b: BrokerHandle, mbean: string) => Number(await read(b, mbean, 'Count'));
const gauge = async (b: BrokerHandle, mbean: string) => Number(await read(b, mbean, 'Value'));

async function scrape(b: BrokerHandle): Promise<string> {
  const r = await fetch(`${b.metricsUrl}/metrics`);
  expect(r.status).toBe(200);
  return r.text();
}

/** The value of one sample line of a scrape (exact name and labels). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

interface JournalEvent {
  seq: number;
  type: string;
  brokerId: number;
  topic?: string;
  partition?: number;
  reason?: string;
  subjectBrokerId?: number;
  controllerEpoch?: number;
  leader?: number;
}

async function events(b: BrokerHandle): Promise<JournalEvent[]> {
  const r = await fetch(`${b.metricsUrl}/samsa/events?since=0&limit=5000`);
  return ((await r.json()) as { events: JournalEvent[] }).events;
}

async function registeredJmxPort(zk: ZkClient, brokerId: number): Promise<number> {
  return (JSON.parse((await getData(zk, `/brokers/ids/${brokerId}`)).data!.toString('utf8')) as { jmx_port: number }).jmx_port;
}

describe('one broker', () => {
  let cluster: ClusterHandle;
  let zk: ZkClient;
  let broker: BrokerHandle;
  const topic = 'metrics-one';

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': false } });
    broker = cluster.brokers[0];
    zk = await connectZk(cluster.zkConnect);
    await createTopic(cluster.zkConnect, topic, 2, 1);
    await waitFor(async () => (await partitionState(zk, topic, 1)).leader === broker.brokerId, { what: `${topic} to have leaders` });
  });

  afterAll(async () => {
    if (zk) await close(zk);
    await cluster?.stop();
    expect(liveTrackedProcesses()).toEqual([]);
  });

  test('the bound metrics port is registered as jmx_port and /samsa/status describes the broker', async () => {
    expect(broker.metricsPort).toBeGreaterThan(0);
    expect(await registeredJmxPort(zk, broker.brokerId)).toBe(broker.metricsPort);
    const status = (await (await fetch(`${broker.metricsUrl}/samsa/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      brokerId: broker.brokerId,
      isController: true,
      zkSessionState: 'CONNECTED',
      listeners: [`PLAINTEXT://${broker.bootstrap}`],
    });
    expect(status.controllerEpoch).toBeGreaterThan(0);
    expect(status.rssBytes).toBeGreaterThan(0);
  });

  test('produced records and bytes show in MessagesInPerSec and BytesInPerSec, all topics and per topic', async () => {
    const all = 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec';
    const bytesAll = 'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec';
    const messagesBefore = await count(broker, all);
    const bytesBefore = await count(broker, bytesAll);

    // raw: exactly these bytes
    const batch = recordBatch(messages('raw', 25));
    expect((await rawProduce(broker.port, topic, 0, batch)).errorCode).toBe(0);
    expect(await count(broker, all)).toBe(messagesBefore + 25);
    expect(await count(broker, bytesAll)).toBe(bytesBefore + batch.length);
    expect(await count(broker, `${bytesAll},topic=${topic}`)).toBe(batch.length);

    // kafkajs: its batches are what the log holds, so the log's Size grows by the same bytes
    const kafka = new Kafka({ clientId: 'metrics-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const size = 'kafka.log:type=Log,name=Size,topic=metrics-one,partition=1';
    const sizeBefore = await gauge(broker, size);
    const bytesBeforeKafkajs = await count(broker, bytesAll);
    await producer.send({ topic, acks: -1, messages: messages('kjs', 40).map((value) => ({ value, partition: 1 })) });
    await producer.disconnect();
    expect(await count(broker, all)).toBe(messagesBefore + 65);
    expect(await count(broker, `${all},topic=${topic}`)).toBe(65);
    expect((await count(broker, bytesAll)) - bytesBeforeKafkajs).toBe((await gauge(broker, size)) - sizeBefore);
    expect(await gauge(broker, `kafka.log:type=Log,name=LogEndOffset,topic=${topic},partition=1`)).toBe(40);
    expect(await count(broker, `kafka.server:type=BrokerTopicMetrics,name=TotalProduceRequestsPerSec,topic=${topic}`)).toBe(2);
  });

  test('RequestMetrics for Produce count the requests, by version, with latency histograms', async () => {
    await kcatProduce(broker.bootstrap, topic, messages('kcat', 10), { partition: 0 });
    const rates = (await read(broker, 'kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*', 'Count')) as Record<
      string,
      { Count: number }
    >;
    const names = Object.keys(rates);
    expect(names.every((n) => /,version=\d+$/.test(n))).toBe(true);
    expect(Object.values(rates).reduce((n, v) => n + v.Count, 0)).toBeGreaterThanOrEqual(3);
    const total = (await read(broker, 'kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce')) as Record<string, number>;
    expect(total.Count).toBeGreaterThanOrEqual(3);
    expect(total['99thPercentile']).toBeGreaterThanOrEqual(0);
    expect(await count(broker, 'kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Metadata')).toBeGreaterThan(0);
  });

  test('Jolokia: a pattern read, search, list and a POST bulk', async () => {
    const byName = (await read(broker, 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,*')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(byName).sort()).toEqual([
      'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec',
      `kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=${topic}`,
    ]);
    expect(byName[`kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=${topic}`]).toMatchObject({ Count: 75, RateUnit: 'SECONDS' });

    const search = await jolokia(broker, `search/kafka.log:type=Log,topic=${topic},*`);
    expect(search.value).toEqual(
      ['LogEndOffset', 'LogStartOffset', 'NumLogSegments', 'Size']
        .flatMap((n) => [0, 1].map((p) => `kafka.log:type=Log,name=${n},topic=${topic},partition=${p}`))
        .sort(),
    );

    const list = (await jolokia(broker, 'list')).value as Record<string, Record<string, { attr: Record<string, unknown> }>>;
    expect(Object.keys(list)).toEqual(expect.arrayContaining(['kafka.server', 'kafka.network', 'kafka.controller', 'kafka.log']));
    expect(Object.keys(list['kafka.server']['type=ReplicaManager,name=PartitionCount'].attr)).toEqual(['Value']);

    const r = await fetch(`${broker.metricsUrl}/jolokia`, {
      method: 'POST',
      body: JSON.stringify([
        { type: 'read', mbean: 'kafka.server:type=ReplicaManager,name=PartitionCount', attribute: 'Value' },
        { type: 'read', mbean: 'kafka.controller:type=KafkaController,name=ActiveControllerCount' },
        { type: 'search', mbean: 'kafka.controller:type=ControllerStats,*' },
        { type: 'version' },
      ]),
    });
    const bulk = (await r.json()) as JolokiaBody[];
    expect(bulk.map((x) => x.status)).toEqual([200, 200, 200, 200]);
    expect(bulk[0].value).toBe(2);
    expect(bulk[1].value).toEqual({ Value: 1 });
    expect(bulk[2].value).toContain('kafka.controller:type=ControllerStats,name=LeaderElectionRateAndTimeMs');
  });

  test('a bad MBean is a JSON 404, a malformed one a JSON 400, an unknown path HTTP 404', async () => {
    expect(await jolokia(broker, 'read/kafka.server:type=NoSuchThing,name=Nope')).toMatchObject({
      status: 404,
      error_type: 'javax.management.InstanceNotFoundException',
    });
    expect(await jolokia(broker, 'read/kafka.server:type=ReplicaManager,name=PartitionCount/Count')).toMatchObject({
      status: 404,
      error_type: 'javax.management.AttributeNotFoundException',
    });
    expect(await jolokia(broker, 'read/not-an-mbean')).toMatchObject({ status: 400, error_type: 'java.lang.IllegalArgumentException' });
    expect((await fetch(`${broker.metricsUrl}/no/such/path`)).status).toBe(404);
  });

  test('/metrics has the JMX exporter names with the values Jolokia reads', async () => {
    const text = await scrape(broker);
    const jolokiaCount = await count(broker, `kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=${topic}`);
    expect(sample(text, `kafka_server_brokertopicmetrics_messagesin_total{topic="${topic}"}`)).toBe(jolokiaCount);
    expect(sample(text, 'kafka_server_brokertopicmetrics_bytesin_total')).toBe(
      await count(broker, 'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec'),
    );
    expect(sample(text, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
    expect(sample(text, 'kafka_server_replicamanager_partitioncount')).toBe(2);
    expect(sample(text, 'kafka_server_replicamanager_underreplicatedpartitions')).toBe(0);
    expect(sample(text, `kafka_log_log_logendoffset{topic="${topic}",partition="1"}`)).toBe(40);
    expect(sample(text, 'kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.99"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'kafka_network_requestmetrics_totaltimems_count{request="Produce"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'kafka_server_sessionexpirelistener_zookeeperexpires_total')).toBe(0);
    expect(sample(text, 'kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms_count')).toBeGreaterThan(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  test('/samsa/events: the controller was elected and elected the new partitions leaders', async () => {
    const journal = await events(broker);
    expect(journal.find((e) => e.type === 'ControllerElected')).toMatchObject({ brokerId: broker.brokerId });
    expect(journal.find((e) => e.type === 'TopicCreated' && e.topic === topic)).toBeDefined();
    const elected = journal.filter((e) => e.type === 'LeaderElected' && e.topic === topic);
    expect(elected.map((e) => e.partition).sort()).toEqual([0, 1]);
    expect(elected.every((e) => e.reason === 'new-partition' && e.leader === broker.brokerId)).toBe(true);
  });
});

describe('three brokers', () => {
  let cluster: ClusterHandle;
  let zk: ZkClient;
  const topic = 'metrics-three';

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      // a lagging follower leaves the ISR after 2 s, before its ZooKeeper session (6 s) ends
      overrides: { 'auto.create.topics.enable': false, 'replica.lag.time.max.ms': 2000 },
    });
    zk = await connectZk(cluster.zkConnect);
  });

  afterAll(async () => {
    if (zk) await close(zk);
    await cluster?.stop();
    expect(liveTrackedProcesses()).toEqual([]);
  });

  test('each broker registers its own metrics port; ActiveControllerCount is 1 on exactly one', async () => {
    const ports = cluster.brokers.map((b) => b.metricsPort);
    expect(new Set(ports).size).toBe(3);
    for (const b of cluster.brokers) expect(await registeredJmxPort(zk, b.brokerId)).toBe(b.metricsPort);
    const controller = await waitFor(() => controllerInfo(zk), { what: 'a controller' });
    const active = await Promise.all(
      cluster.brokers.map((b) => gauge(b, 'kafka.controller:type=KafkaController,name=ActiveControllerCount')),
    );
    expect(active.filter((v) => v === 1)).toHaveLength(1);
    expect(active[cluster.brokers.findIndex((b) => b.brokerId === controller.brokerId)]).toBe(1);
    const journal = await events(cluster.broker(controller.brokerId));
    expect(journal.some((e) => e.type === 'ControllerElected' && e.controllerEpoch === controller.epoch)).toBe(true);
  });

  test('killing a follower: UnderReplicatedPartitions > 0 on the leader, ISR shrink and broker loss in the journals', async () => {
    await createTopic(cluster.zkConnect, topic, 1, 3);
    const state = await waitFor(
      async () => {
        const s = await partitionState(zk, topic, 0);
        return s.isr.length === 3 ? s : null;
      },
      { timeoutMs: 20_000, what: `${topic}-0 with a full ISR` },
    );
    const leader = cluster.broker(state.leader);
    const controller = cluster.broker((await waitFor(() => controllerInfo(zk), { what: 'a controller' })).brokerId);
    const follower = cluster.brokers.find((b) => b.brokerId !== leader.brokerId && b.brokerId !== controller.brokerId) ??
      cluster.brokers.find((b) => b.brokerId !== leader.brokerId)!;
    const urp = 'kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions';
    await kcatProduce(leader.bootstrap, topic, messages('before', 20));
    expect(await gauge(leader, urp)).toBe(0);

    await follower.kill();
    // the leader's log moves on without the follower
    await kcatProduce(leader.bootstrap, topic, messages('after', 20)).catch(() => undefined);
    await waitFor(async () => (await gauge(leader, urp)) > 0, { timeoutMs: 30_000, what: 'UnderReplicatedPartitions > 0 on the leader' });
    expect(sample(await scrape(leader), 'kafka_server_replicamanager_underreplicatedpartitions')).toBe(1);

    const shrunk = await waitFor(
      async () => (await events(leader)).find((e) => e.type === 'IsrShrunk' && e.topic === topic),
      { timeoutMs: 30_000, what: 'IsrShrunk in the leader journal' },
    );
    expect(shrunk).toMatchObject({ brokerId: leader.brokerId, partition: 0 });
    expect(await count(leader, 'kafka.server:type=ReplicaManager,name=IsrShrinksPerSec')).toBeGreaterThanOrEqual(1);
    const lost = await waitFor(
      async () => (await events(controller)).find((e) => e.type === 'BrokerLost' && e.subjectBrokerId === follower.brokerId),
      { timeoutMs: 30_000, what: 'BrokerLost in the controller journal' },
    );
    expect(lost.brokerId).toBe(controller.brokerId);
  });
});
