import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiKey, ErrorCode, type Struct } from '@samsa/protocol';
import { TestClient } from '../../../packages/broker/src/network/testing/TestClient';
import { close, connectZk, waitFor } from '../../harness';
import { startBrokers, type BrokerHandle } from '../../harness/broker';
import { startZooKeeper, type ZooKeeperHandle } from '../../harness/zookeeper';
import { createTopic, kcatProduce, messages, waitForPartitionState } from '../../fault/support';
import { kcatConsumeAll, REPO_ROOT, run } from '../../interop/support';

/**
 * Issue 17, log dirs: AlterReplicaLogDirs moves a partition's replica to another of its broker's
 * log.dirs while producers write to it (on the leader and on the follower at once), and every
 * record is read back afterwards, once. The replica is copied into `<topic>-<p>.<uuid>-future` in
 * the target dir, which then becomes `<topic>-<p>`; the old directory is renamed `…-delete`.
 */
jest.setTimeout(120_000);

const TOPIC = 'moving';
const CHUNK = 20_000;
const PAD = 'x'.repeat(80);

let zk: ZooKeeperHandle;
let brokers: BrokerHandle[];
let root: string;
const dirsOf = (id: number): string[] => [path.join(root, `b${id}-d0`), path.join(root, `b${id}-d1`)];
const bootstrap = (): string => brokers.map((b) => `127.0.0.1:${b.port}`).join(',');
let correlation = 0;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-logdirs-'));
  zk = await startZooKeeper();
  brokers = await startBrokers(
    [0, 1].map((id) => ({
      zkConnect: zk.connectString,
      brokerId: id,
      overrides: { 'log.dirs': dirsOf(id).join(','), 'auto.create.topics.enable': false },
    })),
  );
  await createTopic(zk.connectString, TOPIC, 1, 2);
  const client = await connectZk(zk.connectString);
  try {
    await waitForPartitionState(client, TOPIC, 0, (s) => s.isr.length === 2, 'both replicas in sync');
  } finally {
    await close(client);
  }
  // the state znode is written before the brokers have made their logs (LeaderAndIsr comes after)
  await waitFor(() => [0, 1].every((id) => placement(id).current !== null), { what: `both brokers' logs of ${TOPIC}-0` });
});

afterAll(async () => {
  await Promise.all((brokers ?? []).map((b) => b.remove()));
  await zk?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function request(b: BrokerHandle, apiKey: number, apiVersion: number, body: Struct): Promise<Struct> {
  const client = await TestClient.connect(b.port);
  try {
    client.send(apiKey, apiVersion, ++correlation, body);
    const frames = await client.waitFrames(1, 30_000);
    if (frames.length === 0) throw new Error(`no answer to api ${apiKey} v${apiVersion}`);
    return client.decode(0, apiKey, apiVersion).body;
  } finally {
    client.close();
  }
}

async function alterLogDir(b: BrokerHandle, dir: string, topic: string, partitions: number[]): Promise<number[]> {
  const body = await request(b, ApiKey.AlterReplicaLogDirs, 1, { dirs: [{ path: dir, topics: [{ name: topic, partitions }] }] });
  return (body.results as Struct[]).flatMap((r) => (r.partitions as Struct[]).map((p) => p.errorCode as number));
}

/** The log dir of broker `id` holding `<topic>-0`, and whether a future dir exists anywhere. */
function placement(id: number): { current: string | null; future: boolean } {
  let current: string | null = null;
  let future = false;
  for (const d of dirsOf(id)) {
    for (const name of fs.existsSync(d) ? fs.readdirSync(d) : []) {
      if (name === `${TOPIC}-0`) current = d;
      if (name.startsWith(`${TOPIC}-0.`) && name.endsWith('-future')) future = true;
    }
  }
  return { current, future };
}

test('a replica moves to another log dir on leader and follower under produce load, and nothing is lost', async () => {
  const start = [0, 1].map(placement);
  for (const p of start) expect(p.current).not.toBeNull();
  const targets = [0, 1].map((id) => dirsOf(id).find((d) => d !== start[id].current)!);
  // some data first, so that the copy takes a while
  await kcatProduce(bootstrap(), TOPIC, messages(`a-${PAD}`, 5 * CHUNK), { partition: 0 });

  let moved = false;
  let chunks = 0;
  const load = (async () => {
    while (!moved || chunks < 2) {
      await kcatProduce(bootstrap(), TOPIC, messages(`b${chunks}-${PAD}`, CHUNK), { partition: 0 });
      chunks++;
    }
  })();
  try {
    expect(await Promise.all([0, 1].map((id) => alterLogDir(brokers[id], targets[id], TOPIC, [0])))).toEqual([
      [ErrorCode.NONE],
      [ErrorCode.NONE],
    ]);
    await waitFor(() => [0, 1].every((id) => placement(id).current === targets[id] && !placement(id).future), {
      timeoutMs: 60_000,
      what: 'both replicas to be in their new log dirs',
    });
    moved = true;
  } finally {
    moved = true;
    await load;
  }
  for (const id of [0, 1]) {
    const old = start[id].current!;
    expect(fs.readdirSync(old).filter((n) => n === `${TOPIC}-0`)).toEqual([]);
  }
  await kcatProduce(bootstrap(), TOPIC, messages('c', 1000), { partition: 0 });

  const records = await kcatConsumeAll(bootstrap(), TOPIC, { partition: 0 });
  const values = records.map((r) => r.value);
  const expected = [
    ...messages(`a-${PAD}`, 5 * CHUNK),
    ...Array.from({ length: chunks }, (_, c) => messages(`b${c}-${PAD}`, CHUNK)).flat(),
    ...messages('c', 1000),
  ];
  expect(values.length).toBe(expected.length);
  expect(new Set(values).size).toBe(expected.length);
  expect(values).toEqual(expected);
  // offsets are dense: nothing was dropped or written twice by the swap
  expect(records.map((r) => Number(r.offset))).toEqual(expected.map((_, i) => i));

  // what an operator sees: kafka-log-dirs lists the replica in its new dir on both brokers
  const described = await run(path.join(REPO_ROOT, 'bin', 'kafka-log-dirs.sh'), [
    '--bootstrap-server',
    bootstrap(),
    '--describe',
    '--topic-list',
    TOPIC,
  ]);
  expect(described.code).toBe(0);
  const json = JSON.parse(described.stdout.trim().split('\n').at(-1)!) as {
    brokers: { broker: number; logDirs: { logDir: string; partitions: { partition: string; isFuture: boolean }[] }[] }[];
  };
  for (const id of [0, 1]) {
    const dirs = json.brokers.find((b) => b.broker === id)!.logDirs;
    expect(dirs.filter((d) => d.partitions.length > 0)).toEqual([
      { logDir: targets[id], error: null, partitions: [expect.objectContaining({ partition: `${TOPIC}-0`, isFuture: false })] },
    ]);
  }
});

test('AlterReplicaLogDirs answers per partition as Kafka does', async () => {
  const b = brokers[0];
  const here = placement(0).current!;
  expect(await alterLogDir(b, path.join(root, 'not-a-log-dir'), TOPIC, [0])).toEqual([ErrorCode.LOG_DIR_NOT_FOUND]);
  // already there: nothing to move
  expect(await alterLogDir(b, here, TOPIC, [0])).toEqual([ErrorCode.NONE]);
  expect(placement(0)).toEqual({ current: here, future: false });
  // a partition this broker has no replica of (yet): its log will be made in that dir
  expect(await alterLogDir(b, here, TOPIC, [7])).toEqual([ErrorCode.NOT_LEADER_OR_FOLLOWER]);
});
