import { spawn } from 'child_process';
import * as path from 'path';
import { trackProcess, waitFor } from '../../harness';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { createTopic } from '../../fault/support';
import { REPO_ROOT, run, type RunResult } from '../../interop/support';

/**
 * kafka-producer-perf-test and kafka-consumer-perf-test as an operator runs them, against one
 * real cluster: Kafka 2.8's summary lines (the producer's as in the reference capture
 * segdemo.txt, the consumer's header and CSV line), the throttle kept, every record read back;
 * then kafka-replica-verification over the records they wrote, its report lines as Kafka's.
 */
jest.setTimeout(120_000);

let cluster: ClusterHandle;
const TOPIC = 'perf-topic';

const tool = (name: string, args: readonly string[]): Promise<RunResult> =>
  run(path.join(REPO_ROOT, 'bin', `${name}.sh`), args, { timeoutMs: 90_000 });

const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, overrides: { 'offsets.topic.replication.factor': 1, 'offsets.topic.num.partitions': 1 } });
  await createTopic(cluster.zkConnect, TOPIC, 3, 2);
});

afterAll(async () => {
  await cluster?.stop();
});

test('producerPerfTestPrintsKafkasSummaryAndKeepsToTheThrottle', async () => {
  const started = Date.now();
  const r = await tool('kafka-producer-perf-test', [
    '--topic', TOPIC, '--num-records', '3000', '--record-size', '100', '--throughput', '1000',
    '--producer-props', `bootstrap.servers=${cluster.bootstrap}`, 'acks=all', 'linger.ms=5',
  ]);
  expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
  const out = lines(r.stdout);
  expect(out.at(-1)).toMatch(
    /^3000 records sent, \d+\.\d{6} records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/,
  );
  for (const l of out.slice(0, -1)) expect(l).toMatch(/^\d+ records sent, \d+\.\d records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d ms avg latency, \d+\.\d ms max latency\.$/);
  // 3000 records at 1000/s take at least ~3 s: the throttle holds
  expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  const rate = Number(/records sent, (\d+\.\d+) records\/sec/.exec(out.at(-1)!)![1]);
  expect(rate).toBeLessThanOrEqual(1100);

  const bad = await tool('kafka-producer-perf-test', ['--topic', TOPIC, '--num-records', '1', '--throughput', '-1', '--producer-props', `bootstrap.servers=${cluster.bootstrap}`]);
  expect({ code: bad.code, err: lines(bad.stderr) }).toEqual({ code: 1, err: ['Either --record-size or --payload-file must be specified but not both.'] });
});

test('consumerPerfTestReadsEveryRecordAndPrintsKafkasHeaderAndLine', async () => {
  const r = await tool('kafka-consumer-perf-test', ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--messages', '3000', '--group', 'perf-group', '--timeout', '20000']);
  expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
  const out = lines(r.stdout);
  expect(out).toHaveLength(2);
  expect(out[0]).toBe('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
  const date = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}:\\d{3}';
  expect(out[1]).toMatch(new RegExp(`^${date}, ${date}, 0\\.2861, \\d+\\.\\d{4}, 3000, \\d+\\.\\d{4}, \\d+, \\d+, \\d+\\.\\d{4}, \\d+\\.\\d{4}$`));

  // the group's position was committed: nothing is left for it, and the tool says so at its timeout
  const again = await tool('kafka-consumer-perf-test', ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC, '--messages', '10', '--group', 'perf-group', '--timeout', '1500', '--hide-header']);
  expect(lines(again.stdout)[0]).toBe(
    'WARNING: Exiting before consuming the expected number of messages: timeout (1500 ms) exceeded. You can use the --timeout option to increase the timeout.',
  );
  expect(lines(again.stdout)[1]).toMatch(/^.+, .+, 0\.0000, 0\.0000, 0, 0\.0000, \d+, \d+, 0\.0000, 0\.0000$/);

  const missing = await tool('kafka-consumer-perf-test', ['--bootstrap-server', cluster.bootstrap, '--topic', TOPIC]);
  expect({ code: missing.code, err: lines(missing.stderr) }).toEqual({ code: 1, err: ['Missing required argument "[messages]"'] });
});

test('replicaVerificationComparesEveryReplicaAndReportsTheMaxLag', async () => {
  const child = spawn(path.join(REPO_ROOT, 'bin', 'kafka-replica-verification.sh'), [
    '--broker-list', cluster.bootstrap, '--topic-white-list', TOPIC, '--time', '-2', '--report-interval-ms', '300',
  ]);
  trackProcess(child, 'kafka-replica-verification');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  const date = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}';
  // every replica verified up to the high watermark: the lag is 0 (each partition's replicas agree)
  await waitFor(() => new RegExp(`^${date}: max lag is 0 for partition ${TOPIC}-[012] at offset \\d+ among 3 partitions$`, 'm').test(stdout), {
    timeoutMs: 30_000,
    what: () => `a max lag 0 report; stdout so far:\n${stdout}\nstderr:\n${stderr}`,
  });
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const out = lines(stdout);
  expect(out[0]).toMatch(new RegExp(`^${date}: verification process is started\\.$`));
  for (const l of out.slice(1)) expect(l).toMatch(new RegExp(`^${date}: max lag is \\d+ for partition ${TOPIC}-[012] at offset \\d+ among 3 partitions$`));
  expect(stderr).toBe('');

  const none = await tool('kafka-replica-verification', ['--broker-list', cluster.bootstrap, '--topic-white-list', 'nothing-matches']);
  expect({ code: none.code, err: lines(none.stderr) }).toEqual({
    code: 1,
    err: ['No topics found. [topic-white-list], if specified, is either filtering out all topics or there is no topic.'],
  });
});
