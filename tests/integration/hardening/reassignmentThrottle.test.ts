import path from 'node:path';
import { close, connectZk, getData, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type ClusterHandle } from '../../harness/broker';
import { expectEventually, KCAT, kafkaTopics, runTool, waitForPartitionState } from '../../fault/support';
import { jolokiaRead } from './support';

/**
 * Replication throttles through kafka-reassign-partitions --throttle (Kafka 2.8's ZooKeeper path):
 * `throttled` (one replica, on broker 0) holds ~3 MB; a reassignment to brokers 0,1 run with
 * --throttle 100000 writes the topic's throttled-replica lists and both brokers' rates; broker 1
 * then copies the log at 100,000 B/s within 10% (the leader and follower quotas both hold it back).
 *
 * How the rate is measured: Kafka's quota rate is taken over replication.quota.window.num (11)
 * samples of 1 s and counts at least 10 s, so a throttled copy moves in cycles: a burst of ~10 s
 * worth, a trickle of ~1 s worth, then the next burst when the burst's window expires 11 s later.
 * A rate is only meaningful over whole cycles: the log is ~21.5 s worth of copying, so broker 1
 * copies it in two cycles (two bursts, checked), and its average from the command's end to its log
 * matching the leader's must be within 10% of the rate (broker 1's log size is polled every
 * 200 ms; the rate over the first cycle alone is logged beside it).
 *
 * The brokers learn the rates from ZooKeeper notifications, which race the controller's
 * reassignment (as in Kafka): whatever moves before they apply is unthrottled. So a first, tiny
 * throttled reassignment with the same rate (`warmup`) puts the rates in place, and the measured
 * one starts under them (its command writes the same rates again, and the topic lists, which the
 * new follower's log reads at creation).
 * --verify then reports the move complete and removes every throttle it wrote.
 */
jest.setTimeout(120_000);

const TOPIC = 'throttled';
const RATE = 100_000;
/** ~1,015 bytes stored per record: the log is ~21.5 s of copying at RATE (two quota cycles). */
const RECORDS = 2120;
const REASSIGN = path.resolve(__dirname, '..', '..', '..', 'bin', 'kafka-reassign-partitions.sh');

let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 2,
    overrides: {
      'auto.create.topics.enable': false,
      // small fetches, so that one fetch past the quota is a small share of the whole
      'replica.fetch.max.bytes': 32_768,
      'replica.fetch.response.max.bytes': 32_768,
      'replica.fetch.backoff.ms': 100,
    },
  });
  zk = await connectZk(cluster.zkConnect);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', TOPIC, '--replica-assignment', '0']);
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === 0, 'leader 0');
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', 'warmup', '--replica-assignment', '0']);
  await waitForPartitionState(zk, 'warmup', 0, (s) => s.leader === 0, 'leader 0');
  const value = 'x'.repeat(1000);
  // batches of 16 records (~16 KB): a fetch returns at least one whole batch, so librdkafka's
  // default ~1 MB batches would let each fetch past the quota carry 10 s worth of traffic
  const r = await runTool(
    KCAT,
    ['-P', '-b', cluster.bootstrap, '-t', TOPIC, '-p', '0', '-X', 'acks=all', '-X', 'batch.num.messages=16', '-X', 'linger.ms=0'],
    { input: Array.from({ length: RECORDS }, (_, i) => `${String(i).padStart(5, '0')}-${value}\n`).join('') },
  );
  if (r.code !== 0) throw new Error(`kcat -P failed (exit ${r.code}): ${r.stderr}`);
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

const sizeOf = (id: number) => jolokiaRead(cluster.broker(id), `kafka.log:type=Log,name=Size,topic=${TOPIC},partition=0`);

async function configOf(type: string, name: string): Promise<Record<string, string>> {
  try {
    const { data } = await getData(zk, `/config/${type}/${name}`);
    return (JSON.parse(data?.toString() ?? '{}') as { config?: Record<string, string> }).config ?? {};
  } catch {
    return {};
  }
}

async function reassign(action: string, ...extra: string[]): Promise<string[]> {
  return reassignPlan(planFile, action, ...extra);
}

async function reassignPlan(plan: string, action: string, ...extra: string[]): Promise<string[]> {
  const r = await runTool(REASSIGN, ['--zookeeper', cluster.zkConnect, action, '--reassignment-json-file', plan, ...extra]);
  if (r.code !== 0) throw new Error(`kafka-reassign-partitions ${action} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trimEnd().split('\n');
}

let planFile = '';

test('aThrottledReassignmentCopiesAtTheRateAndVerifyRemovesTheThrottles', async () => {
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'samsa-throttle-'));
  planFile = path.join(dir, 'plan.json');
  await fs.writeFile(planFile, JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [0, 1] }] }));
  const warmupPlan = path.join(dir, 'warmup.json');
  await fs.writeFile(warmupPlan, JSON.stringify({ version: 1, partitions: [{ topic: 'warmup', partition: 0, replicas: [0, 1] }] }));
  await reassignPlan(warmupPlan, '--execute', '--throttle', String(RATE));
  await expectEventually(async () => {
    expect((await reassignPlan(warmupPlan, '--verify', '--preserve-throttles')).join('\n')).toContain('completed successfully');
  }, 30_000);
  const total = await sizeOf(0);
  expect(total).toBeGreaterThan(RECORDS * 1000);

  const out = await reassign('--execute', '--throttle', String(RATE));
  const started = performance.now();
  expect(out.slice(-3)).toEqual([
    'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.',
    `The inter-broker throttle limit was set to ${RATE} B/s`,
    'Successfully started reassignment of partitions.',
  ]);
  expect(await configOf('topics', TOPIC)).toEqual({
    'leader.replication.throttled.replicas': '0:0',
    'follower.replication.throttled.replicas': '0:1',
  });
  for (const id of ['0', '1']) {
    expect(await configOf('brokers', id)).toEqual({
      'leader.replication.throttled.rate': String(RATE),
      'follower.replication.throttled.rate': String(RATE),
    });
  }

  let copied = 0;
  const samples: { at: number; copied: number }[] = [];
  const deadline = started + (total / RATE) * 1000 * 2 + 10_000;
  for (;;) {
    copied = await sizeOf(1).catch(() => 0);
    const now = performance.now();
    samples.push({ at: now, copied });
    if (copied >= total) break;
    if (now > deadline) throw new Error(`broker 1 copied ${copied} of ${total} bytes in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - started) / 1000;
  // a burst: more than two fetches' worth (2 x replica.fetch.max.bytes) between two polls
  const BURST_STEP = 2 * 32_768;
  const burstStarts = samples
    .map((x, i) => ({ i, step: i === 0 ? x.copied : x.copied - samples[i - 1].copied }))
    .filter(({ i, step }) => step > BURST_STEP && (i === 0 || samples[i - 1].copied - (i > 1 ? samples[i - 2].copied : 0) <= BURST_STEP))
    .map(({ i }) => Math.max(0, i - 1));
  expect(burstStarts.length).toBeGreaterThanOrEqual(2);
  const [first, second] = [samples[burstStarts[0]], samples[burstStarts[1]]];
  const cycleRate = (second.copied - first.copied) / ((second.at - first.at) / 1000);
  console.log(
    `replicated ${total} bytes in ${seconds.toFixed(1)} s under a ${RATE} B/s throttle: ${Math.round(cycleRate)} B/s over the first ` +
      `quota cycle (bursts at ${burstStarts.map((i) => ((samples[i].at - started) / 1000).toFixed(1)).join(', ')} s), ` +
      `${Math.round(total / seconds)} B/s start to end`,
  );
  expect(Math.abs(total / seconds - RATE) / RATE).toBeLessThanOrEqual(0.1);

  await waitForPartitionState(zk, TOPIC, 0, (s) => s.isr.length === 2, 'ISR 0,1');
  let verify: string[] = [];
  for (;;) {
    verify = await reassign('--verify');
    if (!verify.some((l) => l.includes('still in progress'))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(verify).toEqual([
    'Status of partition reassignment: ',
    `Reassignment of partition ${TOPIC}-0 completed successfully`,
    'Clearing broker-level throttles on brokers 0,1',
    `Clearing topic-level throttles on topic ${TOPIC}`,
  ]);
  expect(await configOf('topics', TOPIC)).toEqual({});
  for (const id of ['0', '1']) expect(await configOf('brokers', id)).toEqual({});
  await fs.rm(dir, { recursive: true, force: true });
});
