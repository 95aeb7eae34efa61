import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  close,
  connectZk,
  exists,
  liveTrackedProcesses,
  trackProcess,
  waitFor,
  type ZkClient,
} from '../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import {
  controllerInfo,
  createTopic,
  KCAT,
  kcatConsume,
  partitionState,
  runTool,
  waitForPartitionState,
  type PartitionStateZNode,
} from './support';
import { ProducerLoop } from './producerLoop';

/**
 * Shutting a broker down cleanly (SIGTERM), on a three-broker cluster with an RF3 topic while a
 * producer (kafkajs, acks=all) and a consumer (kcat) run:
 *   "SIGTERM a broker that leads partitions": it sends ControlledShutdown to the controller, which
 *   moves its leaderships to other ISR members before it deregisters and exits;
 *   "SIGTERM the controller's broker": the same, the controller answering its own request.
 * Leadership is read from the partition state znodes while the broker is still registered: a
 * snapshot of every state followed by an exists() of /brokers/ids/<id> that still finds it was
 * taken before the broker's session ended, so before the process exited.
 */
jest.setTimeout(90_000);

const TOPIC = 'controlled-shutdown';
const PARTITIONS = 6;

let cluster: ClusterHandle;
let zk: ZkClient;
let producer: ProducerLoop;
let consumer: KcatConsumer;
const stopped = new Set<number>();

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    overrides: { 'auto.create.topics.enable': false, 'controlled.shutdown.retry.backoff.ms': 500 },
  });
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, PARTITIONS, 3);
  for (let p = 0; p < PARTITIONS; p++)
    await waitForPartitionState(zk, TOPIC, p, (s) => s.leader >= 0 && s.isr.length === 3, 'full ISR');
  producer = await ProducerLoop.start(cluster.bootstrap, {
    topic: TOPIC,
    partitions: PARTITIONS,
    clientId: 'controlled-shutdown-producer',
  });
  await producer.waitForAcked(60);
  // Started once every broker serves the topic (kcat gives up on UNKNOWN_TOPIC_OR_PARTITION).
  consumer = KcatConsumer.start(cluster.bootstrap);
  await waitFor(() => consumer.seen.size >= 60, { timeoutMs: 15_000, what: 'the consumer to read' });
});

afterAll(async () => {
  await producer?.stop();
  consumer?.stop();
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

test('sigtermOfABrokerThatLeadsPartitionsMovesItsLeadershipsBeforeItExits', async () => {
  const controller = (await waitFor(() => controllerInfo(zk), { what: 'a controller' })).brokerId;
  const target = await leaderOtherThan(controller);
  await stopAndCheckLeadershipMovedFirst(target);
  await producer.waitForAcked(producer.acked.size + 60);
});

test('sigtermOfTheControllersBrokerMovesItsLeadershipsBeforeItExits', async () => {
  const controller = (await waitFor(() => controllerInfo(zk), { what: 'a controller' })).brokerId;
  const target = cluster.broker(controller);
  expect(await ledBy(controller)).not.toEqual([]);
  await stopAndCheckLeadershipMovedFirst(target);
  await producer.waitForAcked(producer.acked.size + 60);
});

test('producerAndConsumerSawOnlyRetriableErrorsAndNoAcknowledgedRecordIsLost', async () => {
  const acked = [...producer.acked];
  await producer.stop();
  expect(producer.failures.filter((e) => !e.retriable)).toEqual([]);
  const bootstrap = cluster.brokers.find((b) => !stopped.has(b.brokerId))!.bootstrap;
  const stored = new Set<string>();
  for (let p = 0; p < PARTITIONS; p++) for (const v of await kcatConsume(bootstrap, TOPIC, p)) stored.add(v);
  const lost = acked.filter((v) => !stored.has(v));
  if (lost.length > 0) {
    const withOffsets = lost.map((v) => `${v}@${producer.ackedOffsets.get(v) ?? '?'}`);
    throw new Error(`${lost.length} acknowledged records not read back: ${withOffsets.join(',')}\n${await diagnosis(bootstrap)}`);
  }
  // The consumer that ran through both shutdowns got every acknowledged record too.
  await waitFor(() => acked.every((v) => consumer.seen.has(v)), {
    timeoutMs: 20_000,
    what: `the consumer to see all ${acked.length} acknowledged records`,
  }).catch(() => {
    throw new Error(
      `consumer missed ${acked.filter((v) => !consumer.seen.has(v)).length} acknowledged records: ` +
        `${acked
          .filter((v) => !consumer.seen.has(v))
          .join(',')
          .slice(0, 3000)}; stderr:\n${consumer.stderr.slice(-5000)}`,
    );
  });
  expect(consumer.nonRetriableErrors()).toEqual([]);
});

/** What a failed read-back needs to be understood: each partition's read, offsets and state, and the brokers' logs. */
async function diagnosis(bootstrap: string): Promise<string> {
  const lines: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const read = await runTool(KCAT, [
      ...['-C', '-b', bootstrap, '-t', TOPIC, '-p', String(p), '-o', 'beginning', '-e', '-f', '%o %s\n'],
      ...['-X', 'auto.offset.reset=error', '-d', 'fetch'],
    ]);
    const offsets = await runTool(KCAT, ['-Q', '-b', bootstrap, '-t', `${TOPIC}:${p}:-1`]);
    const state = await partitionState(zk, TOPIC, p);
    const values = read.stdout.trim().split('\n');
    lines.push(
      `partition ${p}: read ${values.length} (last ${values[values.length - 1]}); latest ${offsets.stdout.trim()}; ` +
        `state ${JSON.stringify(state)}; kcat stderr (fetch debug, last lines):\n${read.stderr.trim().split('\n').slice(-12).join('\n')}`,
    );
  }
  for (const b of cluster.brokers) {
    const relevant = b
      .output()
      .split('\n')
      .filter((l) => /controller|Leader|Follower|[Tt]runcat|ISR|shutdown|epoch|high watermark/.test(l));
    lines.push(`---- broker ${b.brokerId}${stopped.has(b.brokerId) ? ' (stopped)' : ''}:`, ...relevant.slice(-150));
    const stateChanges = path.join(b.dir, 'state-change.log');
    if (fs.existsSync(stateChanges)) lines.push(`---- its state-change.log:`, ...fs.readFileSync(stateChanges, 'utf8').trim().split('\n').slice(-120));
  }
  return lines.join('\n');
}

// ---- the scenario ---------------------------------------------------------------------------------

async function stopAndCheckLeadershipMovedFirst(broker: BrokerHandle): Promise<void> {
  const id = broker.brokerId;
  const ledBefore = await ledBy(id);
  expect(ledBefore).not.toEqual([]);
  const snapshots: Array<{ leaders: number[]; registered: boolean }> = [];
  let exited = false;
  const watching = (async () => {
    while (!exited) {
      const states = await Promise.all(range(PARTITIONS).map((p) => partitionState(zk, TOPIC, p)));
      const registered = (await exists(zk, `/brokers/ids/${id}`)) !== null;
      snapshots.push({ leaders: states.map((s) => s.leader), registered });
      if (!registered) return;
    }
  })();
  const outputBefore = broker.output().length;
  stopped.add(id);
  await broker.stop();
  exited = true;
  await watching;

  const lastRegistered = snapshots.filter((s) => s.registered).pop();
  expect(lastRegistered).toBeDefined();
  // While the broker was still registered (so still running), it led nothing any more.
  expect(lastRegistered!.leaders.filter((l) => l === id)).toEqual([]);
  const log = broker.output().slice(outputBefore);
  expect(log).toContain('Starting controlled shutdown');
  expect(log).toContain('Controlled shutdown succeeded');
  // And the partitions it led went to live brokers, not offline.
  for (const p of ledBefore) {
    const s: PartitionStateZNode = await partitionState(zk, TOPIC, p);
    expect(s.leader).not.toBe(id);
    expect(s.leader).toBeGreaterThanOrEqual(0);
  }
}

async function ledBy(brokerId: number): Promise<number[]> {
  const out: number[] = [];
  for (const p of range(PARTITIONS))
    if ((await partitionState(zk, TOPIC, p)).leader === brokerId) out.push(p);
  return out;
}

async function leaderOtherThan(controller: number): Promise<BrokerHandle> {
  for (const b of cluster.brokers)
    if (b.brokerId !== controller && (await ledBy(b.brokerId)).length > 0) return b;
  throw new Error('no non-controller broker leads a partition');
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

// ---- clients --------------------------------------------------------------------------------------

/** librdkafka reports lost connections through its error callback; they are retried, not fatal. */
const RETRIABLE_KCAT_ERROR =
  /Broker transport failure|All broker connections are down|Connection refused|Disconnected|Receive failed|Connect to .* failed|brokers are down/i;

/** kcat reading every partition from the beginning, without a group (librdkafka's simple consumer). */
class KcatConsumer {
  readonly seen = new Set<string>();
  stderr = '';
  private pending = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => {
      const lines = (this.pending + d.toString('utf8')).split('\n');
      this.pending = lines.pop()!;
      for (const line of lines) if (line !== '') this.seen.add(line);
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
  }

  static start(bootstrap: string): KcatConsumer {
    const child = spawn(
      KCAT,
      [
        '-C',
        '-u',
        '-b',
        bootstrap,
        '-t',
        TOPIC,
        '-o',
        'beginning',
        '-q',
        '-f',
        '%s\n',
        '-X',
        'topic.metadata.refresh.interval.ms=1000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackProcess(child, 'kcat -C controlled-shutdown');
    return new KcatConsumer(child);
  }

  nonRetriableErrors(): string[] {
    return this.stderr
      .split('\n')
      .filter((l) => /error/i.test(l))
      .filter((l) => !RETRIABLE_KCAT_ERROR.test(l));
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
