import { spawn } from 'child_process';
import * as path from 'path';
import { trackProcess, waitFor, withTimeout, type TrackedProcess } from '../harness';
import { KCAT, PYTHON, REPO_ROOT } from './support';

/**
 * Consumer-group members of the three real clients, each a process of its own (so a test can
 * SIGKILL one), seen through one small interface: the partitions it was last assigned and the
 * records it handled. kafkajs runs tests/interop/clients/kafkajsGroupMember.ts, kcat runs `-G`
 * (librdkafka's balanced consumer), kafka-python runs tests/interop/python/kafka_python_group.py.
 */
export type GroupClient = 'kafkajs-eachMessage' | 'kafkajs-eachBatch' | 'kcat' | 'kafka-python';

export interface ConsumedRecord {
  readonly p: number;
  readonly o: number;
  readonly k: string | null;
}

export interface GroupMember {
  readonly name: string;
  /** The partitions of its latest assignment (empty before the first). */
  assigned(): number[];
  /** How many assignments it has received. */
  assignments(): number;
  records(): readonly ConsumedRecord[];
  /** Graceful stop: SIGTERM, wait for exit (the client commits and leaves the group). */
  stop(): Promise<number | null>;
  /** kill -9: no LeaveGroup, no commit. */
  kill(): Promise<void>;
  isRunning(): boolean;
  /** stderr and unparsed output, for failure messages. */
  diagnostics(): string;
}

const KAFKAJS_MEMBER = path.join(__dirname, 'clients', 'kafkajsGroupMember.ts');
const PYTHON_MEMBER = path.join(__dirname, 'python', 'kafka_python_group.py');

export function startGroupMember(
  client: GroupClient,
  name: string,
  bootstrap: string,
  group: string,
  topic: string,
  sessionTimeoutMs = 6000,
  { metadataMaxAgeMs }: { metadataMaxAgeMs?: number } = {},
): GroupMember {
  // how often the client refreshes metadata (and so notices new partitions); each client's default
  // is 300000 ms, kcat's here 1000 ms
  const age = metadataMaxAgeMs === undefined ? [] : [String(metadataMaxAgeMs)];
  let file: string;
  let args: string[];
  switch (client) {
    case 'kafkajs-eachMessage':
    case 'kafkajs-eachBatch':
      file = process.execPath;
      args = ['--import', 'tsx', KAFKAJS_MEMBER, bootstrap, group, topic, client.split('-')[1], String(sessionTimeoutMs), ...age];
      break;
    case 'kafka-python':
      file = PYTHON;
      args = [PYTHON_MEMBER, bootstrap, group, topic, String(sessionTimeoutMs), ...age];
      break;
    case 'kcat':
      file = KCAT;
      args = [
        '-b', bootstrap, '-G', group, '-u', '-f', '%p\t%o\t%k\n',
        '-X', 'auto.offset.reset=earliest',
        '-X', `session.timeout.ms=${sessionTimeoutMs}`,
        '-X', `heartbeat.interval.ms=${Math.max(300, Math.floor(sessionTimeoutMs / 6))}`,
        '-X', 'auto.commit.interval.ms=500',
        '-X', `topic.metadata.refresh.interval.ms=${metadataMaxAgeMs ?? 1000}`,
        topic,
      ];
      break;
  }
  const child = spawn(file, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const tracked: TrackedProcess = trackProcess(child, `${name}: ${path.basename(file)} ${args.join(' ')}`.slice(0, 200));
  let assignment: number[] = [];
  let assignmentCount = 0;
  const records: ConsumedRecord[] = [];
  const junk: string[] = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));

  const onAssigned = (partitions: number[]) => {
    assignment = [...partitions].sort((a, b) => a - b);
    assignmentCount++;
  };
  lines(child.stdout!, (line) => {
    if (client === 'kcat') {
      const [p, o, ...k] = line.split('\t');
      if (k.length === 0) return junk.push(line);
      records.push({ p: Number(p), o: Number(o), k: k.join('\t') });
      return;
    }
    try {
      const e = JSON.parse(line) as { event: string; partitions?: number[]; p?: number; o?: number; k?: string | null };
      if (e.event === 'assigned') onAssigned(e.partitions ?? []);
      else if (e.event === 'record') records.push({ p: e.p!, o: e.o!, k: e.k ?? null });
      else if (e.event !== 'revoked') junk.push(line);
    } catch {
      junk.push(line);
    }
  });
  lines(child.stderr!, (line) => {
    stderr = (stderr + line + '\n').slice(-8000);
    // kcat (verbosity 1): "% Group G rebalanced (memberid M): assigned: T [0], T [3]"
    if (client !== 'kcat') return;
    const m = /rebalanced \(memberid [^)]*\): assigned: (.*)$/.exec(line);
    if (m) onAssigned([...m[1].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1])));
    else if (/rebalanced \(memberid [^)]*\): revoked/.test(line)) assignment = [];
  });

  return {
    name,
    assigned: () => assignment,
    assignments: () => assignmentCount,
    records: () => records,
    isRunning: () => running,
    diagnostics: () => `${name} stderr:\n${stderr}\n${name} other output:\n${junk.slice(-20).join('\n')}`,
    async stop() {
      if (!running) return exited;
      child.kill('SIGTERM');
      try {
        return await withTimeout(exited, 30_000, `${name} to stop after SIGTERM`);
      } catch (e) {
        child.kill('SIGKILL');
        throw e;
      }
    },
    async kill() {
      if (running) child.kill('SIGKILL');
      await exited;
      void tracked;
    },
  };
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, i);
      rest = rest.slice(i + 1);
      if (line.length > 0) onLine(line);
    }
  });
}

/**
 * Waits until the running `members` hold disjoint assignments that together cover 0..partitions-1,
 * each member at least one partition when there are enough partitions. Returns the assignments.
 */
export async function waitForBalancedAssignment(
  members: readonly GroupMember[],
  partitions: number,
  timeoutMs = 60_000,
): Promise<Map<string, number[]>> {
  return waitFor(
    () => {
      const live = members.filter((m) => m.isRunning());
      const all = live.flatMap((m) => m.assigned());
      const covered = new Set(all);
      const disjoint = covered.size === all.length;
      const everyOneHasSome = live.length > partitions || live.every((m) => m.assigned().length > 0);
      if (live.length === 0 || !disjoint || covered.size !== partitions || !everyOneHasSome) return null;
      return new Map(live.map((m) => [m.name, m.assigned()]));
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: () =>
        `balanced assignment of ${partitions} partitions over ${members.filter((m) => m.isRunning()).map((m) => m.name).join(', ')}; now ` +
        members.map((m) => `${m.name}${m.isRunning() ? '' : '(exited)'}=[${m.assigned().join(',')}]`).join(' ') +
        '\n' + members.map((m) => m.diagnostics()).join('\n'),
    },
  );
}

/** Waits until every key in `keys` was handled by at least one of `members`. */
export async function waitForKeys(members: readonly GroupMember[], keys: readonly string[], timeoutMs = 60_000): Promise<void> {
  await waitFor(
    () => {
      const seen = new Set(members.flatMap((m) => m.records().map((r) => r.k)));
      return keys.every((k) => seen.has(k)) ? true : null;
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: () => {
        const seen = new Set(members.flatMap((m) => m.records().map((r) => r.k)));
        const missing = keys.filter((k) => !seen.has(k));
        return `${missing.length} of ${keys.length} keys consumed by no member (first: ${missing.slice(0, 5).join(', ')})\n` +
          members.map((m) => m.diagnostics()).join('\n');
      },
    },
  );
}

/**
 * The __consumer_offsets partition of `groupId`, written here from Kafka's definition (Utils.abs of
 * Java's String.hashCode, modulo the partition count) and independently of the broker's code, so
 * tests can check that the broker and the tools agree with Kafka.
 */
export function offsetsPartitionOf(groupId: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(31, h) + groupId.charCodeAt(i)) | 0;
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}
