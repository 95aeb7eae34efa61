import * as fs from 'fs';
import * as path from 'path';
import { harnessTempRoot, waitFor } from '../../harness';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { createTopic, kcatProduce } from '../../fault/support';
import { REPO_ROOT, run, type RunResult } from '../../interop/support';

/**
 * kafka-broker-api-versions, kafka-get-offsets (and `kafka-run-class.sh kafka.tools.GetOffsetShell`),
 * kafka-delete-records and kafka-log-dirs (with the broker's DescribeLogDirs) as an operator runs
 * them, against one two-broker cluster shared by every check: each tool's lines checked against
 * Kafka 2.8's formats, and bad input refused with one stderr line and exit 1.
 */
jest.setTimeout(120_000);

let cluster: ClusterHandle;
let dir: string;
const TOPIC = 'info-topic';

const tool = (name: string, args: readonly string[]): Promise<RunResult> =>
  run(path.join(REPO_ROOT, 'bin', `${name}.sh`), args, { timeoutMs: 60_000, env: { SAMSA_ADMIN_TIMEOUT_MS: '15000' } });

const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(harnessTempRoot(), 'info-tools-'));
  cluster = await startCluster({ brokers: 2 });
  await createTopic(cluster.zkConnect, TOPIC, 2, 2);
  await kcatProduce(cluster.bootstrap, TOPIC, ['a', 'b', 'c', 'd', 'e'], { partition: 0 });
  await kcatProduce(cluster.bootstrap, TOPIC, ['x', 'y'], { partition: 1 });
});

afterAll(async () => {
  await cluster?.stop();
});

test('brokerApiVersionsPrintsEveryBrokerWithKafkasNodeApiVersionsLines', async () => {
  const r = await tool('kafka-broker-api-versions', ['--bootstrap-server', cluster.bootstrap]);
  expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
  const out = lines(r.stdout);
  const heads = out.filter((l) => l.includes(' -> '));
  expect(heads).toEqual(
    cluster.brokers.map((b) => `127.0.0.1:${b.port} (id: ${b.brokerId} rack: null) -> (`),
  );
  const apiLines = out.filter((l) => l.startsWith('\t'));
  for (const l of apiLines) expect(l).toMatch(/^\t(\w+|UNKNOWN)\(\d+\): (UNSUPPORTED|\d+( to \d+)? \[(usable: \d+|unusable: node too (old|new))\]),?$/);
  expect(apiLines).toContain('\tProduce(0): 0 to 8 [usable: 8],');
  expect(apiLines).toContain('\tDescribeLogDirs(35): 0 to 2 [usable: 2],');
  expect(out.filter((l) => l === ')')).toHaveLength(2);
});

test('getOffsetsPrintsTopicPartitionOffsetForLatestEarliestAndTimestamps', async () => {
  const latest = await tool('kafka-get-offsets', ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC]);
  expect({ code: latest.code, out: lines(latest.stdout), err: latest.stderr }).toEqual({
    code: 0,
    out: [`${TOPIC}:0:5`, `${TOPIC}:1:2`],
    err: '',
  });
  const earliest = await tool('kafka-get-offsets', ['--broker-list', cluster.bootstrap, '--topic', TOPIC, '--time', '-2', '--partitions', '0,7']);
  expect({ code: earliest.code, out: lines(earliest.stdout), err: lines(earliest.stderr) }).toEqual({
    code: 0,
    out: [`${TOPIC}:0:0`],
    err: ['Error: partition 7 does not exist'],
  });
  // a timestamp later than every record: no offset, an empty third column, as Kafka prints it
  const future = await tool('kafka-run-class', ['kafka.tools.GetOffsetShell', '--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--time', String(Date.now() + 3_600_000)]);
  expect({ code: future.code, out: lines(future.stdout) }).toEqual({ code: 0, out: [`${TOPIC}:0:`, `${TOPIC}:1:`] });

  const missing = await tool('kafka-get-offsets', ['--bootstrap-server', cluster.bootstrap, '--topic', 'no-such-topic']);
  expect({ code: missing.code, out: missing.stdout, err: lines(missing.stderr) }).toEqual({ code: 1, out: '', err: ['Topic no-such-topic does not exist'] });
  const badPartitions = await tool('kafka-get-offsets', ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--partitions', '0,x']);
  expect({ code: badPartitions.code, err: lines(badPartitions.stderr) }).toEqual({
    code: 1,
    err: ['--partitions expects a comma separated list of numeric partition ids, but received: 0,x'],
  });
});

test('deleteRecordsMovesTheLogStartAndReportsEachPartitionAsKafkaDoes', async () => {
  const file = path.join(dir, 'delete.json');
  fs.writeFileSync(file, JSON.stringify({ partitions: [{ topic: TOPIC, partition: 0, offset: 3 }], version: 1 }));
  const r = await tool('kafka-delete-records', ['--bootstrap-server', cluster.bootstrap, '--offset-json-file', file]);
  expect({ code: r.code, out: lines(r.stdout), err: r.stderr }).toEqual({
    code: 0,
    out: ['Executing records delete operation', 'Records delete operation completed:', `partition: ${TOPIC}-0\tlow_watermark: 3`],
    err: '',
  });
  const earliest = await tool('kafka-get-offsets', ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--time', '-2']);
  expect(lines(earliest.stdout)).toEqual([`${TOPIC}:0:3`, `${TOPIC}:1:0`]);

  fs.writeFileSync(file, JSON.stringify({ partitions: [{ topic: TOPIC, partition: 1, offset: 99 }], version: 1 }));
  const beyond = await tool('kafka-delete-records', ['--bootstrap-server', cluster.bootstrap, '--offset-json-file', file]);
  expect(beyond.code).toBe(1);
  expect(lines(beyond.stdout).at(-1)).toMatch(new RegExp(`^partition: ${TOPIC}-1\\terror: org\\.apache\\.kafka\\.common\\.errors\\.OffsetOutOfRangeException: .+$`));

  fs.writeFileSync(file, JSON.stringify({ partitions: [{ topic: TOPIC, partition: 1, offset: 1 }, { topic: TOPIC, partition: 1, offset: 2 }] }));
  const dup = await tool('kafka-delete-records', ['--bootstrap-server', cluster.bootstrap, '--offset-json-file', file]);
  expect({ code: dup.code, out: dup.stdout, err: lines(dup.stderr) }).toEqual({
    code: 1,
    out: '',
    err: [`Offset json file contains duplicate topic partitions: ${TOPIC}-1`],
  });
});

test('logDirsDescribesEachBrokersDirectoriesAsKafkasJson', async () => {
  // the followers have caught up (offsetLag is the high watermark's distance from the log end)
  const r = await waitFor(async () => {
    const d = await tool('kafka-log-dirs', ['--bootstrap-server', cluster.bootstrap, '--describe', '--topic-list', TOPIC]);
    return d.code === 0 && d.stdout.includes(`"partition":"${TOPIC}-1","size":`) ? d : null;
  }, { timeoutMs: 30_000, what: 'kafka-log-dirs to list both partitions on both brokers' });
  const out = lines(r.stdout);
  expect(out.slice(0, 2)).toEqual(['Querying brokers for log directories information', 'Received log directory information from brokers 0,1']);
  const json = JSON.parse(out[2]!) as {
    version: number;
    brokers: { broker: number; logDirs: { logDir: string; error: string | null; partitions: { partition: string; size: number; offsetLag: number; isFuture: boolean }[] }[] }[];
  };
  expect(json.version).toBe(1);
  expect(json.brokers.map((b) => b.broker)).toEqual([0, 1]);
  for (const b of json.brokers) {
    expect(b.logDirs).toHaveLength(1);
    const d = b.logDirs[0]!;
    expect(d.logDir).toBe(path.resolve(cluster.broker(b.broker).logDir));
    expect(d.error).toBeNull();
    expect(d.partitions.map((p) => p.partition).sort()).toEqual([`${TOPIC}-0`, `${TOPIC}-1`]);
    for (const p of d.partitions) {
      expect(p.size).toBeGreaterThan(0);
      expect(p.isFuture).toBe(false);
      expect(p.offsetLag).toBeGreaterThanOrEqual(0);
    }
  }
  const noTopic = await tool('kafka-log-dirs', ['--bootstrap-server', cluster.bootstrap, '--describe', '--topic-list', 'absent', '--broker-list', '1']);
  expect(JSON.parse(lines(noTopic.stdout)[2]!)).toEqual({
    version: 1,
    brokers: [{ broker: 1, logDirs: [{ logDir: path.resolve(cluster.broker(1).logDir), error: null, partitions: [] }] }],
  });
  const noDescribe = await tool('kafka-log-dirs', ['--bootstrap-server', cluster.bootstrap]);
  expect({ code: noDescribe.code, err: lines(noDescribe.stderr) }).toEqual({ code: 1, err: ['Missing required argument "[describe]"'] });
});
