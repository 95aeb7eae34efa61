import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { liveTrackedProcesses } from '../../harness';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { waitFor } from '../../harness/wait';
import * as path from 'path';
import { createTopic, runTool } from '../../fault/support';
import { partitionFor } from '@samsa/coordinator';

/**
 * A kafkajs consumer group against one broker: it consumes what was produced and commits; a new
 * consumer of the group resumes after the committed offsets; a broker restart reloads the group's
 * offsets from __consumer_offsets, whose records kafka-dump-log --offsets-decoder reads as Kafka's.
 */
jest.setTimeout(120_000);

const DUMP_LOG = path.resolve(__dirname, '..', '..', '..', 'bin', 'kafka-dump-log.sh');
const OFFSETS_PARTITIONS = 5;
const TOPIC = 'orders';
const GROUP = 'order-processors';

let cluster: ClusterHandle;
let kafka: Kafka;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 1,
    overrides: { 'offsets.topic.num.partitions': OFFSETS_PARTITIONS },
  });
  await createTopic(cluster.zkConnect, TOPIC, 3, 1);
  kafka = new Kafka({
    clientId: 'samsa-groups-test',
    brokers: [cluster.brokers[0].bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  });
});

afterAll(async () => {
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

async function produce(values: string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
  await producer.disconnect();
}

/** Runs a consumer of GROUP until it has seen `count` messages; returns them. */
async function consume(count: number): Promise<{ consumer: Consumer; seen: string[] }> {
  const consumer = kafka.consumer({ groupId: GROUP, heartbeatInterval: 500 });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    autoCommitInterval: 100,
    eachMessage: async ({ message }: EachMessagePayload) => {
      seen.push(message.value!.toString());
    },
  });
  await waitFor(() => seen.length >= count, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: `${count} messages`,
  });
  return { consumer, seen };
}

async function committed(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

test('aKafkajsGroupConsumesCommitsAndResumesFromTheCommittedOffsets', async () => {
  await produce(Array.from({ length: 30 }, (_, i) => `first-${i}`));
  const first = await consume(30);
  expect(first.seen.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `first-${i}`).sort());
  await waitFor(async () => (await committed()) === 30, {
    timeoutMs: 20_000,
    intervalMs: 200,
    what: 'offsets 30 committed',
  });
  await first.consumer.disconnect();

  await produce(Array.from({ length: 10 }, (_, i) => `second-${i}`));
  const second = await consume(10);
  // a moment for anything beyond the committed offsets to show up
  await new Promise((r) => setTimeout(r, 1000));
  expect(second.seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `second-${i}`).sort());
  await waitFor(async () => (await committed()) === 40, {
    timeoutMs: 20_000,
    intervalMs: 200,
    what: 'offsets 40 committed',
  });
  await second.consumer.disconnect();
});

test('aBrokerRestartReloadsTheCommittedOffsetsFromTheOffsetsTopic', async () => {
  expect(await committed()).toBe(40);
  await cluster.brokers[0].restart();
  await waitFor(async () => (await committed().catch(() => -1)) === 40, {
    timeoutMs: 30_000,
    intervalMs: 300,
    what: 'offsets reloaded',
  });
  await produce(['third-0', 'third-1']);
  const third = await consume(2);
  await new Promise((r) => setTimeout(r, 1000));
  expect(third.seen.sort()).toEqual(['third-0', 'third-1']);
  await third.consumer.disconnect();
});

test('theOffsetsPartitionHoldsKafkasRecordsAsKafkaDumpLogDecodesThem', async () => {
  const segment = path.join(
    cluster.brokers[0].logDir,
    `__consumer_offsets-${partitionFor(GROUP, OFFSETS_PARTITIONS)}`,
    '00000000000000000000.log',
  );
  const r = await runTool(DUMP_LOG, ['--files', segment, '--offsets-decoder']);
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  // committed offsets: key offset::group:topic:partition, payload the offset
  for (let p = 0; p < 3; p++)
    expect(lines.some((l) => l.includes(`key: offset::${GROUP}:${TOPIC}:${p} payload: `))).toBe(true);
  // group metadata: the consumer protocol, and each member's assignment decoded
  const metadata = lines.filter((l) => l.includes(`key: {"metadata":"${GROUP}"}`));
  expect(metadata.length).toBeGreaterThan(0);
  // (one member, assigned every partition; an Empty generation between consumers)
  expect(
    metadata.some(
      (l) =>
        l.includes('"protocolType":"consumer","protocol":"RoundRobinAssigner"') &&
        l.includes('=[orders-0, orders-1, orders-2]}'),
    ),
  ).toBe(true);
  expect(metadata.some((l) => l.includes('"protocol":null') && l.includes('"assignment":"{}"'))).toBe(true);
});
