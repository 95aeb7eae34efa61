import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { Kafka, logLevel } from 'kafkajs';
import os from 'os';
import path from 'path';
import { close, connectZk, getData, liveTrackedProcesses, waitFor, type ZkClient } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import {
  expectEventually,
  kafkaTopics,
  kcatConsume,
  kcatProduce,
  messages,
  runTool,
  waitForPartitionState,
} from './support';

/**
 * Partition reassignment on a three-broker cluster:
 *   "kafka-reassign-partitions moves an RF2 partition": records on [0,1] move to [1,2] through
 *   /admin/reassign_partitions; --verify reports completion, broker 2 holds the same log bytes as
 *   broker 1, broker 0's copy is deleted, and every record is still there;
 *   "AlterPartitionReassignments and ListPartitionReassignments through kafkajs".
 */
jest.setTimeout(90_000);

const TOPIC = 'reassign';
const API_TOPIC = 'reassign-api';
const REASSIGN = path.join(path.resolve(__dirname, '..', '..'), 'bin', 'kafka-reassign-partitions.sh');

let cluster: ClusterHandle;
let zk: ZkClient;
let tmp: string;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    overrides: { 'auto.create.topics.enable': false, 'log.segment.delete.delay.ms': 500 },
  });
  zk = await connectZk(cluster.zkConnect);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'samsa-reassign-'));
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  expect(liveTrackedProcesses()).toEqual([]);
});

async function topicAssignment(topic: string): Promise<{
  partitions: Record<string, number[]>;
  adding_replicas?: Record<string, number[]>;
  removing_replicas?: Record<string, number[]>;
}> {
  return JSON.parse((await getData(zk, `/brokers/topics/${topic}`)).data!.toString('utf8'));
}

function reassign(args: string[]) {
  return runTool(REASSIGN, ['--zookeeper', cluster.zkConnect, ...args]);
}

const logDirEntries = (brokerId: number, prefix: string): string[] =>
  readdirSync(cluster.broker(brokerId).logDir).filter((d) => d === prefix || d.startsWith(`${prefix}.`));

const segmentBytes = (brokerId: number, dir: string): Buffer =>
  readFileSync(path.join(cluster.broker(brokerId).logDir, dir, '00000000000000000000.log'));

test('kafkaReassignPartitionsMovesAnRf2PartitionAndDeletesTheRemovedReplica', async () => {
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', '0:1']);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0 && s.isr.length === 2, 'full ISR');
  const values = messages('r', 200);
  await kcatProduce(cluster.bootstrap, TOPIC, values, { partition: 0 });

  // --generate proposes a move without changing anything.
  const topicsFile = path.join(tmp, 'topics.json');
  writeFileSync(topicsFile, JSON.stringify({ version: 1, topics: [{ topic: TOPIC }] }));
  const generated = await reassign(['--generate', '--topics-to-move-json-file', topicsFile, '--broker-list', '1,2']);
  expect(generated.code).toBe(0);
  expect(generated.stdout).toContain('Current partition replica assignment');
  expect(generated.stdout).toContain(
    `{"version":1,"partitions":[{"topic":"${TOPIC}","partition":0,"replicas":[0,1],"log_dirs":["any","any"]}]}`,
  );
  expect(generated.stdout).toContain('Proposed partition reassignment configuration');

  const planFile = path.join(tmp, 'plan.json');
  writeFileSync(planFile, JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [1, 2] }] }));
  const executed = await reassign(['--execute', '--reassignment-json-file', planFile]);
  expect(executed.stderr).toBe('');
  expect(executed.code).toBe(0);
  expect(executed.stdout).toContain('Successfully started reassignment of partitions.');

  await waitFor(
    async () => {
      const r = await reassign(['--verify', '--reassignment-json-file', planFile]);
      return r.stdout.includes(`Reassignment of partition ${TOPIC}-0 completed successfully`) ? r : null;
    },
    { timeoutMs: 30_000, what: '--verify to report completion' },
  );
  const assignment = await topicAssignment(TOPIC);
  expect(assignment.partitions).toEqual({ '0': [1, 2] });
  expect(assignment.adding_replicas?.['0'] ?? []).toEqual([]);
  expect(assignment.removing_replicas?.['0'] ?? []).toEqual([]);
  await waitForPartitionState(zk, TOPIC, 0, (s) => [1, 2].includes(s.leader) && s.isr.length === 2, 'new ISR');

  await expectEventually(async () => {
    expect(segmentBytes(2, `${TOPIC}-0`).equals(segmentBytes(1, `${TOPIC}-0`))).toBe(true);
  });
  await expectEventually(async () => expect(logDirEntries(0, `${TOPIC}-0`)).toEqual([]));
  expect(await kcatConsume(cluster.bootstrap, TOPIC, 0)).toEqual(values);

  // A second request after the znode was deleted is seen too (the watch was armed again).
  const reorderFile = path.join(tmp, 'reorder.json');
  writeFileSync(reorderFile, JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [2, 1] }] }));
  expect((await reassign(['--execute', '--reassignment-json-file', reorderFile])).code).toBe(0);
  await expectEventually(async () => expect((await topicAssignment(TOPIC)).partitions).toEqual({ '0': [2, 1] }));
  await waitFor(
    async () => {
      const r = await reassign(['--verify', '--reassignment-json-file', reorderFile]);
      return r.stdout.includes(`Reassignment of partition ${TOPIC}-0 completed successfully`) ? r : null;
    },
    { timeoutMs: 15_000, what: '--verify to report the second reassignment' },
  );

  // Bad input: one line on stderr, non-zero exit.
  const badFile = path.join(tmp, 'bad.json');
  writeFileSync(badFile, JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [1, 1] }] }));
  const bad = await reassign(['--execute', '--reassignment-json-file', badFile]);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr.trim().split('\n')).toHaveLength(1);
});

test('alterAndListPartitionReassignmentsThroughKafkajs', async () => {
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', API_TOPIC, '--replica-assignment', '0:1']);
  await waitForPartitionState(zk, API_TOPIC, 0, (s) => s.leader === 0 && s.isr.length === 2, 'full ISR');
  await kcatProduce(cluster.bootstrap, API_TOPIC, messages('a', 20), { partition: 0 });
  const kafka = new Kafka({ clientId: 'reassign-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await expect(
      admin.alterPartitionReassignments({
        topics: [{ topic: API_TOPIC, partitionAssignment: [{ partition: 0, replicas: [0, 9] }] }],
      }),
    ).rejects.toThrow();
    await admin.alterPartitionReassignments({
      topics: [{ topic: API_TOPIC, partitionAssignment: [{ partition: 0, replicas: [2, 0] }] }],
    });
    const listed = await admin.listPartitionReassignments({});
    for (const t of listed.topics)
      for (const p of t.partitions) expect(p.replicas).toEqual(expect.arrayContaining([2, 0]));
    await expectEventually(async () => {
      const { topics } = await admin.listPartitionReassignments({});
      expect(topics.flatMap((t) => t.partitions)).toEqual([]);
    }, 30_000);
    expect((await topicAssignment(API_TOPIC)).partitions).toEqual({ '0': [2, 0] });
    await expectEventually(async () => expect(logDirEntries(1, `${API_TOPIC}-0`)).toEqual([]));
    expect(await kcatConsume(cluster.bootstrap, API_TOPIC, 0)).toEqual(messages('a', 20));
  } finally {
    await admin.disconnect();
  }
});
