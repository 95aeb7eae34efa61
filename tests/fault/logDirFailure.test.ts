import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { close, connectZk, getChildren, liveTrackedProcesses, waitFor, type ZkClient } from '../harness';
import {
  expectBrokerStartupFailure,
  startBroker,
  startCluster,
  type BrokerHandle,
  type ClusterHandle,
} from '../harness/broker';
import { ApiKey } from '@samsa/protocol';
import {
  controllerInfo,
  createTopic,
  kafkaTopics,
  ErrorCode,
  errorName,
  kcatConsume,
  partitionState,
  rawProduce,
  rawRequest,
  recordBatch,
  waitForPartitionState,
  type PartitionStateZNode,
} from './support';
import { ProducerLoop } from './producerLoop';

/**
 * A failing disk (issue 13, row 5; Kafka's log dir failure handling), on three brokers with two log
 * directories each (log.dirs=data-a,data-b, relative to each broker's directory) and an RF 3 topic
 * (min.insync.replicas 2) under acks=all kafkajs load. The broker's TEST-ONLY fault switch
 * (SAMSA_TEST_FAULTS: a file naming directories whose writes fail with EIO; root ignores chmod)
 * breaks one broker's directories, one after the other:
 *   1. its first directory fails: within 10 s every partition it led there has another leader; its
 *      replicas there leave the ISR and are listed offline in Metadata; it answers
 *      KAFKA_STORAGE_ERROR for them; OfflineReplicaCount counts them and OfflineLogDirectoryCount
 *      is 1; the controller handled and deleted the /log_dir_event_notification; the broker keeps
 *      its pid and keeps replicating the partitions of its other directory; producers go on;
 *   2. its second directory fails: no log directory is left, so it exits 1 with Kafka's line
 *      "Shutdown broker because all log dirs in … have failed"; its partitions get other leaders
 *      and producers go on;
 *   3. every acknowledged record is read back.
 * Then a fourth broker with a single log directory (Kafka's default layout) joins: its directory
 * fails, it halts at once with the same line, and the cluster carries on without losing an
 * acknowledged record. A broker none of whose log directories can be created refuses to start.
 */
jest.setTimeout(180_000);

const TOPIC = 'log-dir-failure';
const PARTITIONS = 6;
const DIRS = ['data-a', 'data-b'] as const;
/** The bound: leadership leaves the failed directory's replicas within 10 s. */
const LEADER_MOVE_BOUND_MS = 10_000;

let cluster: ClusterHandle;
let zk: ZkClient;
let scratch: string;
let faultFile: string;
/** Brokers a test started beside the cluster's (removed after all). */
const extraBrokers: BrokerHandle[] = [];

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-log-dir-failure-'));
  faultFile = path.join(scratch, 'faults');
  cluster = await startCluster({
    brokers: 3,
    overrides: { 'auto.create.topics.enable': false, 'log.dirs': DIRS.join(',') },
    env: { SAMSA_TEST_FAULTS: faultFile },
  });
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, PARTITIONS, 3, ['min.insync.replicas=2']);
  for (let p = 0; p < PARTITIONS; p++)
    await waitForPartitionState(zk, TOPIC, p, (s) => s.leader >= 0 && s.isr.length === 3, 'full ISR');
});

afterAll(async () => {
  if (zk) await close(zk);
  await Promise.all(extraBrokers.map((b) => b.remove()));
  await cluster?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
  expect(liveTrackedProcesses()).toEqual([]);
});

/** The absolute path of one of a broker's log directories (as the broker resolved it). */
function logDirOf(b: BrokerHandle, dir: string): string {
  return fs.realpathSync(path.join(b.dir, dir));
}

/** The partitions of TOPIC whose log a broker keeps in `dir`. */
function partitionsIn(b: BrokerHandle, dir: string): number[] {
  const re = new RegExp(`^${TOPIC}-(\\d+)$`);
  return fs
    .readdirSync(logDirOf(b, dir))
    .map((name) => re.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((x, y) => x - y);
}

async function states(): Promise<PartitionStateZNode[]> {
  return Promise.all(Array.from({ length: PARTITIONS }, (_, p) => partitionState(zk, TOPIC, p)));
}

async function jolokiaValue(b: BrokerHandle, mbean: string): Promise<unknown> {
  const r = await fetch(`${b.metricsUrl}/jolokia/read/${mbean}/Value`);
  const body = (await r.json()) as { status: number; value?: unknown };
  if (body.status !== 200) throw new Error(`read ${mbean}: ${JSON.stringify(body)}`);
  return body.value;
}

const logEndOffset = async (b: BrokerHandle, p: number) =>
  Number(await jolokiaValue(b, `kafka.log:type=Log,name=LogEndOffset,topic=${TOPIC},partition=${p}`));

/** Acknowledged records of one partition ("m-<n>-<partition>"). */
function ackedOn(producer: ProducerLoop, p: number): number {
  let n = 0;
  for (const v of producer.acked) if (v.endsWith(`-${p}`)) n++;
  return n;
}

/** Waits until every partition has `more` acknowledged records beyond `before`. */
async function waitForMoreAcks(
  producer: ProducerLoop,
  before: number[],
  more: number,
  what: string,
  topic = TOPIC,
): Promise<void> {
  await waitFor(() => before.every((n, p) => ackedOn(producer, p) >= n + more), {
    timeoutMs: 60_000,
    what: `${more} more acknowledged records on every partition of ${topic} ${what} (failures: ${producer.failures
      .slice(-5)
      .map((f) => f.message)
      .join('; ')})`,
  });
}

function failWritesUnder(dirs: readonly string[]): void {
  fs.writeFileSync(faultFile, dirs.map((d) => `EIO ${d}\n`).join(''));
}

/**
 * The broker to break and the order of its directories: one that is not the controller and leads a
 * partition in the directory that fails first (so a leadership must move).
 */
async function chooseVictim(): Promise<{ victim: BrokerHandle; first: string; second: string }> {
  const controller = await waitFor(() => controllerInfo(zk), { what: 'a controller' });
  let leaders: number[] = [];
  // A new partition's state znode names its whole ISR before the brokers have created its logs
  // (LeaderAndIsr still on its way): look again until the logs are there.
  return waitFor(
    async () => {
      leaders = (await states()).map((s) => s.leader);
      for (const b of cluster.brokers.filter((x) => x.brokerId !== controller.brokerId)) {
        for (const [first, second] of [DIRS, [...DIRS].reverse()]) {
          if (partitionsIn(b, first).some((p) => leaders[p] === b.brokerId))
            return { victim: b, first, second };
        }
      }
      return null;
    },
    {
      timeoutMs: 30_000,
      what: () =>
        `a non-controller broker leading a partition in one of its dirs (leaders ${leaders.join(',')})`,
    },
  );
}

test('aFailedLogDirMovesLeadershipWithin10sAndTheBrokerHaltsWhenNoLogDirIsLeft', async () => {
  const { victim, first, second } = await chooseVictim();
  const v = victim.brokerId;
  const pid = victim.pid;
  const inFirst = partitionsIn(victim, first);
  const inSecond = partitionsIn(victim, second);
  // Logs created at once by one LeaderAndIsr are spread over both directories.
  expect(inFirst.length).toBeGreaterThan(0);
  expect(inSecond.length).toBeGreaterThan(0);
  expect([...inFirst, ...inSecond].sort((x, y) => x - y)).toEqual([...Array(PARTITIONS).keys()]);
  const controllerId = (await controllerInfo(zk))!.brokerId;
  const controller = cluster.broker(controllerId);
  const controllerOutputFrom = controller.output().length;
  const victimOutputFrom = victim.output().length;

  const producer = await ProducerLoop.start(cluster.bootstrap, {
    topic: TOPIC,
    partitions: PARTITIONS,
    clientId: 'log-dir-failure-producer',
  });
  try {
    await producer.waitForAcked(60);
    expect(await jolokiaValue(victim, 'kafka.server:type=ReplicaManager,name=OfflineReplicaCount')).toBe(0);

    // 1. The first directory fails.
    const endsBefore = await Promise.all(inSecond.map((p) => logEndOffset(victim, p)));
    const ackedBefore = Array.from({ length: PARTITIONS }, (_, p) => ackedOn(producer, p));
    const failedAt = Date.now();
    failWritesUnder([logDirOf(victim, first)]);
    const moved = await waitFor(
      async () => {
        const s = await states();
        return inFirst.every((p) => s[p].leader >= 0 && s[p].leader !== v && !s[p].isr.includes(v))
          ? s
          : null;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 50,
        what: `the replicas of broker ${v} in ${first} to leave leadership and ISR`,
      },
    );
    const movedMs = Date.now() - failedAt;
    process.stdout.write(
      `log dir failure: leadership and ISR left the failed dir ${movedMs} ms after the fault\n`,
    );
    expect(movedMs).toBeLessThan(LEADER_MOVE_BOUND_MS);
    for (const p of inSecond) expect(moved[p].isr).toContain(v);

    // The broker lives, counts its offline replicas, and answers KAFKA_STORAGE_ERROR for them.
    expect(victim.pid).toBe(pid);
    await waitFor(
      async () =>
        (await jolokiaValue(victim, 'kafka.server:type=ReplicaManager,name=OfflineReplicaCount')) ===
        inFirst.length,
      { timeoutMs: 30_000, what: `OfflineReplicaCount ${inFirst.length}` },
    );
    expect(await jolokiaValue(victim, 'kafka.log:type=LogManager,name=OfflineLogDirectoryCount')).toBe(1);
    const refused = await rawProduce(victim.port, TOPIC, inFirst[0], recordBatch(['to-a-failed-dir']));
    expect(errorName(refused.errorCode as number)).toBe(errorName(ErrorCode.KAFKA_STORAGE_ERROR));
    // Metadata lists the replicas offline.
    await waitFor(
      async () => {
        const body = await rawRequest(controller.port, ApiKey.Metadata, 5, {
          topics: [{ name: TOPIC }],
          allowAutoTopicCreation: false,
        });
        const parts = body.topics[0].partitions as { partitionIndex: number; offlineReplicas: number[] }[];
        return parts.every((x) => x.offlineReplicas.includes(v) === inFirst.includes(x.partitionIndex));
      },
      { timeoutMs: 30_000, what: `Metadata to list broker ${v}'s replicas in ${first} offline` },
    );
    // The controller was told through /log_dir_event_notification, and deleted the notification.
    // (Console lines reach this process through pipes, a little after the events they tell.)
    await waitFor(
      () =>
        controller.output().includes(`Handling log directory failure for brokers ${v}`, controllerOutputFrom),
      { timeoutMs: 30_000, what: 'the controller to handle the log dir event notification' },
    );
    await waitFor(
      () =>
        victim
          .output()
          .includes(`Stopped serving replicas in dir ${logDirOf(victim, first)}`, victimOutputFrom),
      { timeoutMs: 30_000, what: `broker ${v} to say it stopped serving ${first}` },
    );
    await waitFor(async () => (await getChildren(zk, '/log_dir_event_notification')).length === 0, {
      timeoutMs: 30_000,
      what: 'the log dir event notification to be deleted',
    });

    // Producers go on, on every partition; the broker still replicates its other directory.
    await waitForMoreAcks(producer, ackedBefore, 20, `after ${first} failed`);
    const endsAfter = await Promise.all(inSecond.map((p) => logEndOffset(victim, p)));
    endsAfter.forEach((end, i) => expect(end).toBeGreaterThan(endsBefore[i]));

    // 2. The second directory fails too: no log directory is left, the broker halts.
    const ackedBeforeHalt = Array.from({ length: PARTITIONS }, (_, p) => ackedOn(producer, p));
    failWritesUnder([logDirOf(victim, first), logDirOf(victim, second)]);
    const exitCode = await victim.waitForExit(30_000);
    expect(exitCode).toBe(1);
    const all = DIRS.map((d) => logDirOf(victim, d));
    const haltLine = `Shutdown broker because all log dirs in ${all.join(', ')} have failed`;
    await waitFor(() => victim.output().includes(haltLine), {
      timeoutMs: 10_000,
      what: `the line "${haltLine}"`,
    });

    // Its session ends; every partition it led gets another leader; producers go on.
    for (let p = 0; p < PARTITIONS; p++)
      await waitForPartitionState(
        zk,
        TOPIC,
        p,
        (s) => s.leader >= 0 && s.leader !== v && !s.isr.includes(v),
        `broker ${v} gone`,
        60_000,
      );
    await waitForMoreAcks(producer, ackedBeforeHalt, 20, `after broker ${v} halted`);
  } finally {
    await producer.stop();
  }

  // 3. Every acknowledged record is read back.
  const stored = new Set<string>();
  for (let p = 0; p < PARTITIONS; p++)
    for (const value of await kcatConsume(cluster.bootstrap, TOPIC, p)) stored.add(value);
  const acked = [...producer.acked];
  expect(acked.length).toBeGreaterThanOrEqual(60 + 2 * 20 * PARTITIONS);
  expect(acked.filter((value) => !stored.has(value))).toEqual([]);
});

test('aBrokerWithASingleLogDirHaltsWhenItFailsAndTheClusterCarriesOn', async () => {
  const topic = 'single-log-dir';
  const live = (await getChildren(zk, '/brokers/ids')).map(Number).sort((x, y) => x - y);
  expect(live.length).toBeGreaterThanOrEqual(2);
  const [x, y] = live;
  const lone = await startBroker({
    zkConnect: cluster.zkConnect,
    brokerId: 10,
    overrides: { 'auto.create.topics.enable': false },
    env: { SAMSA_TEST_FAULTS: faultFile },
  });
  extraBrokers.push(lone);
  await waitFor(async () => (await getChildren(zk, '/brokers/ids')).includes('10'), {
    what: 'broker 10 registered',
  });
  // Broker 10 leads partition 0 and follows partition 1.
  await kafkaTopics(cluster.zkConnect, [
    '--create',
    '--topic',
    topic,
    '--replica-assignment',
    `10:${x}:${y},${x}:10:${y}`,
    '--config',
    'min.insync.replicas=2',
  ]);
  for (let p = 0; p < 2; p++)
    await waitForPartitionState(zk, topic, p, (s) => s.leader >= 0 && s.isr.length === 3, 'full ISR');
  expect((await partitionState(zk, topic, 0)).leader).toBe(10);
  const bootstrap = [...cluster.brokers.filter((b) => live.includes(b.brokerId)), lone]
    .map((b) => b.bootstrap)
    .join(',');
  const producer = await ProducerLoop.start(bootstrap, {
    topic,
    partitions: 2,
    clientId: 'single-log-dir-producer',
  });
  try {
    await producer.waitForAcked(40);
    const ackedBefore = [0, 1].map((p) => ackedOn(producer, p));
    failWritesUnder([fs.realpathSync(lone.logDir)]);
    expect(await lone.waitForExit(30_000)).toBe(1);
    const haltLine = `Shutdown broker because all log dirs in ${fs.realpathSync(lone.logDir)} have failed`;
    await waitFor(() => lone.output().includes(haltLine), {
      timeoutMs: 10_000,
      what: `the line "${haltLine}"`,
    });
    for (let p = 0; p < 2; p++)
      await waitForPartitionState(
        zk,
        topic,
        p,
        (s) => s.leader >= 0 && s.leader !== 10 && !s.isr.includes(10),
        'broker 10 gone',
        60_000,
      );
    await waitForMoreAcks(producer, ackedBefore, 20, 'after broker 10 halted', topic);
  } finally {
    await producer.stop();
  }
  const stored = new Set<string>();
  for (let p = 0; p < 2; p++)
    for (const value of await kcatConsume(cluster.bootstrap, topic, p)) stored.add(value);
  const acked = [...producer.acked];
  expect(acked.length).toBeGreaterThanOrEqual(40 + 2 * 20);
  expect(acked.filter((value) => !stored.has(value))).toEqual([]);
});

test('aBrokerNoneOfWhoseLogDirsCanBeCreatedRefusesToStart', async () => {
  const dir = path.join(scratch, 'broker-11');
  const logDir = path.join(dir, 'data');
  failWritesUnder([logDir]);
  const failure = await expectBrokerStartupFailure({
    zkConnect: cluster.zkConnect,
    brokerId: 11,
    dir,
    env: { SAMSA_TEST_FAULTS: faultFile },
  });
  expect(failure.exitCode).toBe(1);
  expect(failure.output).toContain(
    `none of the specified log dirs from ${logDir} can be created or validated`,
  );
  expect((await getChildren(zk, '/brokers/ids')).includes('11')).toBe(false);
});
