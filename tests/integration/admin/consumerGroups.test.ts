import * as path from 'path';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { waitFor } from '../../harness';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { REPO_ROOT, run, type RunResult } from '../../interop/support';

/**
 * kafka-consumer-groups as a child process against ZooKeeper and one real broker, with a kafkajs
 * consumer group: --list, --describe (offsets, members, state), --reset-offsets refused while the
 * group is active and carried out once it is empty, --delete-offsets, --delete. The numbers
 * (CURRENT-OFFSET, LOG-END-OFFSET, LAG, NEW-OFFSET) are set up by the test and checked literally;
 * what the CLI committed or deleted is read back through kafkajs, not through the CLI.
 */
jest.setTimeout(180_000);

const CLI = path.join(REPO_ROOT, 'bin', 'kafka-consumer-groups.sh');
const TOPIC = 'cg-orders';
const GROUP = 'cg-app';
const CLIENT_ID = 'cg-client';
/** A group that only ever has offsets committed by the CLI (protocol type ""). */
const OFFSETS_ONLY = 'cg-offsets-only';

let cluster: ClusterHandle;
let kafka: Kafka;
let admin: Admin;
let consumer: Consumer | undefined;

/** Runs the CLI with a generous --timeout where the action takes one (the machine is loaded). */
function groups(...args: string[]): Promise<RunResult> {
  return run(CLI, ['--bootstrap-server', cluster.bootstrap, ...args], { timeoutMs: 90_000 });
}

const lines = (text: string): string[] => text.replace(/\n$/, '').split('\n');
const columns = (line: string): string[] => line.trim().split(/ +/);

/** Kafka's offsets header for the widths of this test: group and topic 15, consumer id its length. */
function offsetsHeader(consumerIdWidth: number): string {
  return [
    'GROUP'.padEnd(15),
    'TOPIC'.padEnd(15),
    'PARTITION'.padEnd(10),
    'CURRENT-OFFSET'.padEnd(15),
    'LOG-END-OFFSET'.padEnd(15),
    'LAG'.padEnd(15),
    'CONSUMER-ID'.padEnd(consumerIdWidth),
    'HOST'.padEnd(15),
    'CLIENT-ID',
  ].join(' ');
}

/** The committed offsets of a group as kafkajs reads them: partition → offset ("-1" when none). */
async function committed(groupId: string): Promise<Record<number, string>> {
  const [topic] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
  return Object.fromEntries(topic.partitions.map((p) => [p.partition, p.offset]));
}

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, overrides: { 'offsets.topic.num.partitions': 4 } });
  kafka = new Kafka({
    clientId: CLIENT_ID,
    brokers: [cluster.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
    requestTimeout: 30_000,
  });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (const partition of [0, 1]) {
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: Array.from({ length: 5 }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
      });
    }
  } finally {
    await producer.disconnect();
  }
});

afterAll(async () => {
  await consumer?.disconnect().catch(() => {});
  await admin?.disconnect().catch(() => {});
  await cluster?.stop();
});

test('anActiveGroupIsListedDescribedAndNotReset', async () => {
  consumer = kafka.consumer({
    groupId: GROUP,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  let consumed = 0;
  await consumer.run({ autoCommit: false, eachMessage: async () => void (consumed += 1) });
  await waitFor(() => consumed >= 10, { timeoutMs: 60_000, what: 'the group to read all ten records' });
  // Partition 0 one record behind its end, partition 1 caught up.
  await consumer.commitOffsets([
    { topic: TOPIC, partition: 0, offset: '4' },
    { topic: TOPIC, partition: 1, offset: '5' },
  ]);
  const member = (await consumer.describeGroup()).members[0];
  expect(member.clientId).toBe(CLIENT_ID);

  const listed = await groups('--list');
  expect(listed).toMatchObject({ code: 0, stderr: '' });
  expect(lines(listed.stdout)).toContain(GROUP);

  const described = await waitFor(
    async () => {
      const r = await groups('--describe', '--group', GROUP, '--timeout', '30000');
      return r.stdout.includes(member.memberId) && r.stderr === '' ? r : null;
    },
    { timeoutMs: 60_000, what: 'the stable group to be described' },
  );
  const out = lines(described.stdout);
  expect(out[0]).toBe('');
  expect(out[1]).toBe(offsetsHeader(member.memberId.length));
  expect(out.slice(2).map(columns)).toEqual([
    [GROUP, TOPIC, '0', '4', '5', '1', member.memberId, member.clientHost, CLIENT_ID],
    [GROUP, TOPIC, '1', '5', '5', '0', member.memberId, member.clientHost, CLIENT_ID],
  ]);
  expect(described.code).toBe(0);

  const members = await groups(
    '--describe',
    '--group',
    GROUP,
    '--members',
    '--verbose',
    '--timeout',
    '30000',
  );
  expect(lines(members.stdout).slice(2).map(columns)).toEqual([
    [GROUP, member.memberId, member.clientHost, CLIENT_ID, '2', `${TOPIC}(0,1)`],
  ]);

  const state = await groups('--describe', '--group', GROUP, '--state', '--timeout', '30000');
  const [, header, row] = lines(state.stdout);
  expect(columns(header)).toEqual([
    'GROUP',
    'COORDINATOR',
    '(ID)',
    'ASSIGNMENT-STRATEGY',
    'STATE',
    '#MEMBERS',
  ]);
  expect(columns(row)).toEqual([
    GROUP,
    `127.0.0.1:${cluster.brokers[0].port}`,
    '(0)',
    'RoundRobinAssigner',
    'Stable',
    '1',
  ]);

  const refused = await groups(
    '--reset-offsets',
    '--group',
    GROUP,
    '--all-topics',
    '--to-earliest',
    '--execute',
    '--timeout',
    '30000',
  );
  expect(refused.code).toBe(0);
  expect(lines(refused.stdout).slice(0, 2)).toEqual([
    '',
    `Error: Assignments can only be reset if the group '${GROUP}' is inactive, but the current state is Stable.`,
  ]);
  expect(await committed(GROUP)).toEqual({ 0: '4', 1: '5' });
});

test('anEmptyGroupIsDescribedResetAndDeleted', async () => {
  await consumer!.disconnect();
  consumer = undefined;
  await waitFor(
    async () => (await groups('--describe', '--group', GROUP, '--state')).stdout.includes('Empty'),
    {
      timeoutMs: 60_000,
      what: 'the group to be empty',
    },
  );

  const described = await groups('--describe', '--group', GROUP, '--timeout', '30000');
  expect(described.stderr).toBe(`\nConsumer group '${GROUP}' has no active members.\n`);
  expect(lines(described.stdout).slice(2).map(columns)).toEqual([
    [GROUP, TOPIC, '0', '4', '5', '1', '-', '-', '-'],
    [GROUP, TOPIC, '1', '5', '5', '0', '-', '-', '-'],
  ]);

  const dryRun = await groups(
    '--reset-offsets',
    '--group',
    GROUP,
    '--topic',
    `${TOPIC}:0`,
    '--shift-by',
    '-3',
    '--dry-run',
  );
  expect(lines(dryRun.stdout).slice(2).map(columns)).toEqual([[GROUP, TOPIC, '0', '1']]);
  expect(await committed(GROUP)).toEqual({ 0: '4', 1: '5' });

  const reset = await groups(
    '--reset-offsets',
    '--group',
    GROUP,
    '--topic',
    TOPIC,
    '--to-earliest',
    '--execute',
  );
  expect(reset).toMatchObject({ code: 0, stderr: '' });
  expect(lines(reset.stdout)).toEqual([
    '',
    `${'GROUP'.padEnd(30)} ${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(10)} ${'NEW-OFFSET'.padEnd(15)}`,
    `${GROUP.padEnd(30)} ${TOPIC.padEnd(30)} ${'0'.padEnd(10)} ${'0'.padEnd(15)}`,
    `${GROUP.padEnd(30)} ${TOPIC.padEnd(30)} ${'1'.padEnd(10)} ${'0'.padEnd(15)}`,
  ]);
  expect(await committed(GROUP)).toEqual({ 0: '0', 1: '0' });
  const lagging = await groups('--describe', '--group', GROUP);
  expect(
    lines(lagging.stdout)
      .slice(2)
      .map((l) => columns(l).slice(2, 6)),
  ).toEqual([
    ['0', '0', '5', '5'],
    ['1', '0', '5', '5'],
  ]);

  const deleted = await groups('--delete', '--group', GROUP);
  expect(deleted).toMatchObject({
    code: 0,
    stdout: `Deletion of requested consumer groups ('${GROUP}') was successful.\n`,
  });
  expect(lines((await groups('--list')).stdout)).not.toContain(GROUP);
  const [{ state }] = (await admin.describeGroups([GROUP])).groups;
  expect(state).toBe('Dead');

  const again = await groups('--delete', '--group', GROUP);
  expect(lines(again.stdout)).toEqual([
    '',
    'Error: Deletion of some consumer groups failed:',
    `* Group '${GROUP}' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.`,
  ]);
});

test('offsetsCommittedByTheCliAloneCanBeDeletedPerPartition', async () => {
  const reset = await groups(
    '--reset-offsets',
    '--group',
    OFFSETS_ONLY,
    '--topic',
    TOPIC,
    '--to-latest',
    '--execute',
  );
  const planLine = (group: string, topic: string, partition: string, offset: string): string =>
    `${group.padEnd(30)} ${topic.padEnd(30)} ${partition.padEnd(10)} ${offset.padEnd(15)}`;
  expect(lines(reset.stdout)).toEqual([
    '',
    planLine('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'),
    planLine(OFFSETS_ONLY, TOPIC, '0', '5'),
    planLine(OFFSETS_ONLY, TOPIC, '1', '5'),
  ]);
  expect(await committed(OFFSETS_ONLY)).toEqual({ 0: '5', 1: '5' });
  expect(lines((await groups('--list')).stdout)).toContain(OFFSETS_ONLY);

  const deleted = await groups('--delete-offsets', '--group', OFFSETS_ONLY, '--topic', `${TOPIC}:1`);
  expect(deleted).toMatchObject({ code: 0, stderr: '' });
  expect(lines(deleted.stdout)).toEqual([
    `Request succeed for deleting offsets with topic ${TOPIC}:1 group ${OFFSETS_ONLY}`,
    '',
    `${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(15)} ${'STATUS'.padEnd(15)}`,
    `${TOPIC.padEnd(30)} ${'1'.padEnd(15)} ${'Successful'.padEnd(15)}`,
  ]);
  expect(await committed(OFFSETS_ONLY)).toEqual({ 0: '5', 1: '-1' });
});

test('usageErrorsExitOneWithoutTouchingTheCluster', async () => {
  const missing = await run(CLI, ['--list']);
  expect(missing).toMatchObject({
    code: 1,
    stdout: '',
    stderr: 'Missing required argument "[bootstrap-server]"\n',
  });
  const noScope = await groups('--describe');
  expect(noScope).toMatchObject({
    code: 1,
    stderr: 'Option [describe] takes one of these options: [group], [all-groups]\n',
  });
});
