import { spawn } from 'child_process';
import * as path from 'path';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { createTopic } from '../../fault/support';
import { trackProcess, waitFor, withTimeout } from '../../harness';
import { startGroupMember, type GroupMember } from '../../interop/groupMembers';
import { REPO_ROOT, run, type RunResult } from '../../interop/support';

/**
 * kafka-console-consumer --group as a member of its group (as Kafka's, a KafkaConsumer that
 * subscribes): two of them, or one beside a kafka-python consumer, split a 4-partition topic with
 * the range assignor, each reading its own partitions only and together every record once, and
 * kafka-consumer-groups --describe shows each console consumer with its partitions while they run.
 */
jest.setTimeout(180_000);

let cluster: ClusterHandle;

const tool = (name: string, args: readonly string[], input?: string): Promise<RunResult> =>
  run(path.join(REPO_ROOT, 'bin', `${name}.sh`), args, { timeoutMs: 60_000, input });

const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: { 'offsets.topic.replication.factor': 1, 'offsets.topic.num.partitions': 2 } });
});

afterAll(async () => {
  await cluster?.stop();
});

/** A console consumer running as its own process, stopped by SIGTERM (it commits and leaves the group). */
interface ConsoleMember {
  /** Its stdout lines so far: "Partition:N\tvalue" (print.partition=true). */
  lines(): string[];
  stop(): Promise<{ code: number | null; stderr: string }>;
}

function startConsoleConsumer(topic: string, group: string): ConsoleMember {
  const args = [
    '--bootstrap-server', cluster.bootstrap, '--topic', topic, '--group', group, '--from-beginning',
    '--property', 'print.partition=true',
    // a rebalance is noticed within a heartbeat: keep it short so the test does not wait on 3 s ones
    '--consumer-property', 'heartbeat.interval.ms=500', '--consumer-property', 'session.timeout.ms=6000',
  ];
  const child = spawn(path.join(REPO_ROOT, 'bin', 'kafka-console-consumer.sh'), args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  trackProcess(child, `kafka-console-consumer ${args.join(' ')}`);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    lines: () => lines(out.slice(0, out.lastIndexOf('\n') + 1)),
    async stop() {
      child.kill('SIGTERM');
      try {
        return { code: await withTimeout(exited, 30_000, 'kafka-console-consumer to stop after SIGTERM'), stderr: err };
      } catch (e) {
        child.kill('SIGKILL');
        throw e;
      }
    },
  };
}

/** kafka-consumer-groups --describe's rows: partition → consumer id, for the partitions that have one. */
async function describedOwners(group: string): Promise<Map<number, string>> {
  const r = await tool('kafka-consumer-groups', ['--bootstrap-server', cluster.bootstrap, '--describe', '--group', group]);
  const owners = new Map<number, string>();
  for (const line of lines(r.stdout)) {
    const cols = line.trim().split(/\s+/);
    if (cols[0] !== group || cols.length < 9 || cols[6] === '-') continue;
    owners.set(Number(cols[2]), cols[6]!);
  }
  return owners;
}

/** 40 keyed records: murmur2 of k0..k39 puts 8 to 12 of them in each of the 4 partitions. */
async function produce(topic: string): Promise<string[]> {
  const values = Array.from({ length: 40 }, (_, i) => `value-${i}`);
  const input = values.map((v, i) => `k${i}\t${v}`).join('\n') + '\n';
  const r = await tool('kafka-console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', topic, '--property', 'parse.key=true'], input);
  expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
  return values;
}

const partitionOf = (line: string): number => Number(/^Partition:(\d+)\t/.exec(line)![1]);
const valueOf = (line: string): string => line.slice(line.indexOf('\t') + 1);

test('twoConsoleConsumersInOneGroupSplitThePartitionsAndReadEveryRecordOnce', async () => {
  const topic = 'group-split';
  const group = 'console-split';
  await createTopic(cluster.zkConnect, topic, 4, 1);
  const a = startConsoleConsumer(topic, group);
  const b = startConsoleConsumer(topic, group);
  try {
    // both members, two partitions each, as kafka-consumer-groups sees them while they run
    const owners = await waitFor(
      async () => {
        const o = await describedOwners(group);
        const counts = [...new Set(o.values())].map((id) => [...o.values()].filter((x) => x === id).length);
        return o.size === 4 && counts.length === 2 && counts.every((c) => c === 2) ? o : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'two members with two partitions each in kafka-consumer-groups --describe' },
    );
    for (const id of owners.values()) expect(id).toMatch(new RegExp(`^consumer-${group}-1-`));

    const values = await produce(topic);
    await waitFor(() => (a.lines().length + b.lines().length >= values.length ? true : null), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: () => `40 records between both consumers; a has ${a.lines().length}, b ${b.lines().length}`,
    });
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would show up by now
    const [stoppedA, stoppedB] = await Promise.all([a.stop(), b.stop()]);
    expect([stoppedA.code, stoppedB.code]).toEqual([0, 0]);

    const partitionsA = new Set(a.lines().map(partitionOf));
    const partitionsB = new Set(b.lines().map(partitionOf));
    expect(a.lines().length).toBeGreaterThan(0);
    expect(b.lines().length).toBeGreaterThan(0);
    expect([...partitionsA].filter((p) => partitionsB.has(p))).toEqual([]);
    expect([...partitionsA, ...partitionsB].sort()).toEqual([0, 1, 2, 3]);
    // each reads the partitions kafka-consumer-groups said it owns
    const ownerOf = (p: number) => owners.get(p);
    expect(new Set([...partitionsA].map(ownerOf)).size).toBe(1);
    expect(new Set([...partitionsB].map(ownerOf)).size).toBe(1);
    expect([...a.lines(), ...b.lines()].map(valueOf).sort()).toEqual([...values].sort());
    expect(lines(stoppedA.stderr).at(-1)).toBe(`Processed a total of ${a.lines().length} messages`);
    expect(lines(stoppedB.stderr).at(-1)).toBe(`Processed a total of ${b.lines().length} messages`);
    // both left the group on the way out
    const state = await tool('kafka-consumer-groups', ['--bootstrap-server', cluster.bootstrap, '--describe', '--group', group, '--state']);
    expect(lines(state.stdout).at(-1)).toMatch(new RegExp(`^${group}\\s+\\S+ \\(\\d\\)\\s+\\s+Empty\\s+0$`));
  } finally {
    await Promise.allSettled([a.stop(), b.stop()]);
  }
});

test('aSecondConsoleConsumerTakesOverPartitionsFromTheFirstsCommittedPositions', async () => {
  const topic = 'group-takeover';
  const group = 'console-takeover';
  await createTopic(cluster.zkConnect, topic, 4, 1);
  const a = startConsoleConsumer(topic, group);
  let b: ConsoleMember | undefined;
  try {
    await waitFor(async () => ((await describedOwners(group)).size === 4 ? true : null), {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'the first console consumer to own all four partitions',
    });
    const first = await produce(topic);
    await waitFor(() => (a.lines().length >= first.length ? true : null), { timeoutMs: 60_000, intervalMs: 100, what: () => `a to read 40 records, has ${a.lines().length}` });
    // b joins: a commits what it read before it gives partitions up, b starts from those offsets
    const second = startConsoleConsumer(topic, group);
    b = second;
    await waitFor(
      async () => {
        const o = await describedOwners(group);
        return o.size === 4 && new Set(o.values()).size === 2 ? true : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'two members after the second consumer joined' },
    );
    const more = (await produce(topic)).map((v) => `${v}`);
    await waitFor(() => (a.lines().length + second.lines().length >= first.length + more.length ? true : null), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: () => `80 records between both consumers; a has ${a.lines().length}, b ${second.lines().length}`,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const [stoppedA, stoppedB] = await Promise.all([a.stop(), second.stop()]);
    expect([stoppedA.code, stoppedB.code]).toEqual([0, 0]);
    expect(second.lines().length).toBeGreaterThan(0);
    // every value twice (both rounds use the same values) and no record read twice
    expect([...a.lines(), ...second.lines()].map(valueOf).sort()).toEqual([...first, ...more].sort());
    expect(a.lines().length + second.lines().length).toBe(80);
  } finally {
    await Promise.allSettled([a.stop(), b?.stop()]);
  }
});

test('aConsoleConsumerAndAKafkaPythonConsumerShareAGroup', async () => {
  const topic = 'group-python';
  const group = 'console-python';
  await createTopic(cluster.zkConnect, topic, 4, 1);
  const consoleMember = startConsoleConsumer(topic, group);
  let python: GroupMember | undefined;
  try {
    // the console consumer first: it alone holds all four partitions
    await waitFor(async () => ((await describedOwners(group)).size === 4 ? true : null), {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'the console consumer to own all four partitions',
    });
    python = startGroupMember('kafka-python', 'kafka-python', cluster.bootstrap, group, topic, 6000);
    const member = python;
    // kafka-python (range and roundrobin) joins: the group agrees on range, two partitions each
    const owners = await waitFor(
      async () => {
        const o = await describedOwners(group);
        const ids = [...new Set(o.values())];
        const pythonParts = member.assigned();
        return o.size === 4 && ids.length === 2 && pythonParts.length === 2 ? o : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: () => `two members in the group\n${member.diagnostics()}` },
    );
    const consoleId = [...owners.values()].find((id) => id.startsWith(`consumer-${group}-1-`))!;
    const consoleParts = [...owners].filter(([, id]) => id === consoleId).map(([p]) => p).sort();
    const pythonParts = [...member.assigned()];
    expect(consoleParts).toHaveLength(2);
    expect([...consoleParts, ...pythonParts].sort()).toEqual([0, 1, 2, 3]);

    const values = await produce(topic);
    await waitFor(() => (consoleMember.lines().length + member.records().length >= values.length ? true : null), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: () => `40 records between both consumers; console has ${consoleMember.lines().length}, kafka-python ${member.records().length}`,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const stopped = await consoleMember.stop();
    expect(stopped.code).toBe(0);
    await member.stop();

    expect(new Set(consoleMember.lines().map(partitionOf))).toEqual(new Set(consoleParts));
    expect(new Set(member.records().map((r) => r.p))).toEqual(new Set(pythonParts));
    const keysSeen = [...consoleMember.lines().map(valueOf), ...member.records().map((r) => `value-${r.k!.slice(1)}`)];
    expect(keysSeen.sort()).toEqual([...values].sort());
  } finally {
    await Promise.allSettled([consoleMember.stop(), python?.stop()]);
  }
});
