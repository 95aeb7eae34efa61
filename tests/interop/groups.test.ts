import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { startGroupMember, waitForBalancedAssignment, waitForKeys, type GroupClient, type GroupMember } from './groupMembers';
import { KCAT, runOk } from './support';
import { createTopic as kafkaTopicsCreate } from '../fault/support';
import { waitFor } from '../harness';

/**
 * Consumer groups with the three real clients (the consumer-group issue's acceptance): three
 * members of one client join a group over a 6-partition RF 3 topic on three brokers and get
 * disjoint assignments covering every partition; one is killed with SIGKILL and is expelled after
 * session.timeout.ms, its partitions reassigned; one leaves cleanly; the last one commits; a member
 * started later resumes from the committed offsets (auto.offset.reset=earliest everywhere, so lost
 * commits would show as re-read records).
 */
jest.setTimeout(240_000);

const PARTITIONS = 6;
const SESSION_MS = 6000;

let cluster: ClusterHandle;
let admin: Admin;
const members: GroupMember[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    overrides: {
      'offsets.topic.replication.factor': 3,
      'offsets.topic.num.partitions': 10,
      'group.initial.rebalance.delay.ms': 500,
    },
  });
  admin = new Kafka({ clientId: 'groups-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
}, 90_000);

afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.kill()));
});

afterAll(async () => {
  await admin?.disconnect();
  await cluster?.stop();
});

async function createTopic(topic: string): Promise<void> {
  await kafkaTopicsCreate(cluster.zkConnect, topic, PARTITIONS, 3);
  await waitFor(
    async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.length === PARTITIONS;
    },
    { timeoutMs: 30_000, what: `${topic} to have ${PARTITIONS} led partitions` },
  );
}

/** Keyed records `<prefix>-<i>` produced with kcat (acks=all), spread over the partitions by key. */
async function produce(topic: string, prefix: string, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await runOk(KCAT, ['-P', '-b', cluster.bootstrap, '-t', topic, '-K', '\t', '-X', 'acks=all'], {
    input: keys.map((k) => `${k}\tvalue of ${k}\n`).join(''),
    timeoutMs: 60_000,
  });
  return keys;
}

async function committed(group: string, topic: string): Promise<Map<number, number>> {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
}

async function logEnds(topic: string): Promise<Map<number, number>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
}

function start(client: GroupClient, name: string, group: string, topic: string): GroupMember {
  const m = startGroupMember(client, name, cluster.bootstrap, group, topic, SESSION_MS);
  members.push(m);
  return m;
}

const scenarios: [string, GroupClient[]][] = [
  ['kafkajs (eachMessage and eachBatch)', ['kafkajs-eachMessage', 'kafkajs-eachBatch', 'kafkajs-eachMessage']],
  ['kcat -G (librdkafka balanced consumer)', ['kcat', 'kcat', 'kcat']],
  ['kafka-python KafkaConsumer with group_id', ['kafka-python', 'kafka-python', 'kafka-python']],
];

describe.each(scenarios)('%s', (label, clients) => {
  const slug = clients[0].replace(/[^a-z]/g, '');
  const topic = `groups-${slug}`;
  const group = `group-${slug}`;

  test('three members split the partitions; a killed one is expelled, a leaving one too; commits resume a restarted group', async () => {
    await createTopic(topic);
    const first = await produce(topic, 'a', 300);

    const m = clients.map((c, i) => start(c, `${label}#${i + 1}`, group, topic));
    const balanced = await waitForBalancedAssignment(m, PARTITIONS, 90_000);
    expect([...balanced.values()].flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    await waitForKeys(m, first);

    // SIGKILL: no LeaveGroup; the coordinator expels it after session.timeout.ms and rebalances.
    await m[2].kill();
    const afterKill = await waitForBalancedAssignment([m[0], m[1]], PARTITIONS, 60_000);
    expect(afterKill.size).toBe(2);
    await waitFor(
      async () => {
        const { groups } = await admin.describeGroups([group]);
        return groups[0].state === 'Stable' && groups[0].members.length === 2;
      },
      { timeoutMs: 30_000, what: `${group} Stable with the 2 live members` },
    );

    // A clean leave: the last member takes every partition.
    expect(await m[1].stop()).toBe(0);
    await waitForBalancedAssignment([m[0]], PARTITIONS, 60_000);
    const second = await produce(topic, 'b', 100);
    await waitForKeys([m[0]], second);

    // Everything consumed is committed (auto commit every 500 ms): the group's offsets reach the log
    // ends, and stay there when the last member leaves.
    const ends = await logEnds(topic);
    expect([...ends.values()].reduce((a, b) => a + b, 0)).toBe(400);
    await waitFor(
      async () => {
        const c = await committed(group, topic);
        return [...ends].every(([p, end]) => c.get(p) === end);
      },
      { timeoutMs: 15_000, what: `${group}'s committed offsets to reach the log ends ${JSON.stringify([...ends])}` },
    );
    expect(await m[0].stop()).toBe(0);
    expect(await committed(group, topic)).toEqual(ends);
    const { groups } = await admin.describeGroups([group]);
    expect(groups[0].state).toBe('Empty');

    // A new member resumes from the committed offsets: it sees only what came after.
    const third = await produce(topic, 'c', 50);
    const late = start(clients[0], `${label}#late`, group, topic);
    await waitForKeys([late], third);
    const reread = late.records().filter((r) => !r.k?.startsWith('c-'));
    expect(reread).toEqual([]);
    expect(await late.stop()).toBe(0);
  });
});
