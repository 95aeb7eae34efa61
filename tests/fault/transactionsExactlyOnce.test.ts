import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { close, connectZk, trackProcess, waitFor, withTimeout, type ZkClient } from '../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../harness/broker';
import { kcatConsumeAll } from '../interop/support';
import { createTopic, kcatProduce, partitionState, waitForPartitionState } from './support';

/**
 * Issue 15's exactly-once acceptance item: a consume-transform-produce loop of
 * python3-confluent-kafka (tests/interop/python/confluent_eos_copier.py: read_committed consumer,
 * transactions of 100 records that also commit the group's offsets) copies N numbered input
 * records to an output topic while
 *   - the broker hosting its transaction coordinator (the leader of its __transaction_state
 *     partition) is killed -9 and restarted, and later
 *   - the leader of an output partition is killed -9 and restarted,
 * and every 7th transaction is aborted on purpose after its records were written (the copier then
 * rewinds and copies them again), so the output log certainly holds aborted records.
 * Afterwards a read_committed reader of the output sees every input value exactly once (a record
 * of an aborted transaction would show as a second copy, since the copier retries what it
 * aborted), and nothing else; a read_uncommitted reader sees the aborted copies too.
 */
jest.setTimeout(300_000);

const INPUT = 'eos-in';
const OUTPUT = 'eos-out';
const PARTITIONS = 3;
const RECORDS = 6000;
const TXN_SIZE = 100;
const PAUSE_MS = 40;
/** Every this many transactions the copier aborts one on purpose (and copies its records again). */
const ABORT_EVERY = 7;
const GROUP = 'eos-copier';
const TRANSACTIONAL_ID = 'eos-copier-1';
const TXN_TOPIC_PARTITIONS = 50;
const COPIER = path.resolve(__dirname, '..', 'interop', 'python', 'confluent_eos_copier.py');

let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    overrides: {
      'auto.create.topics.enable': false,
      'zookeeper.session.timeout.ms': 8000,
      'replica.lag.time.max.ms': 5000,
      // The coordinators' topics at Kafka's defaults (replication factor 3, min ISR 2): the
      // coordinators fail over to another broker and move back by preferred election. This once
      // stalled the copier for good after a restart (a restarted broker answered Metadata before it
      // knew the cluster, and applied UpdateMetadata meant for its previous incarnation).
      'offsets.topic.replication.factor': 3,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
    },
  });
  zk = await connectZk(cluster.zkConnect);
  for (const t of [INPUT, OUTPUT])
    await createTopic(cluster.zkConnect, t, PARTITIONS, 3, ['min.insync.replicas=2']);
  for (let p = 0; p < PARTITIONS; p++) {
    const values = Array.from({ length: RECORDS / PARTITIONS }, (_, i) => `n-${p}-${i}`);
    await kcatProduce(cluster.bootstrap, INPUT, values, { partition: p });
  }
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
});

/** Java's String.hashCode, which Kafka's partitionFor(transactionalId) takes abs() of. */
function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The broker leading the transaction coordinator's partition of `transactionalId`. */
async function coordinatorOf(transactionalId: string): Promise<BrokerHandle> {
  const partition = Math.abs(javaHashCode(transactionalId)) % TXN_TOPIC_PARTITIONS;
  const state = await waitForPartitionState(
    zk,
    '__transaction_state',
    partition,
    (s) => s.leader >= 0,
    'a coordinator',
  );
  return cluster.broker(state.leader);
}

interface CopierEvent {
  committed?: number;
  total?: number;
  aborted?: string;
  done?: boolean;
  aborts?: number;
  abortedOnPurpose?: number;
  fatal?: string;
}

class Copier {
  readonly events: CopierEvent[] = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor() {
    const child = spawn(
      '/usr/bin/python3',
      [
        COPIER,
        cluster.bootstrap,
        INPUT,
        OUTPUT,
        GROUP,
        TRANSACTIONAL_ID,
        String(TXN_SIZE),
        String(PAUSE_MS),
        String(ABORT_EVERY),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackProcess(child, 'confluent_eos_copier.py');
    let tail = '';
    child.stdout.on('data', (d: Buffer) => {
      const lines = (tail + d.toString('utf8')).split('\n');
      tail = lines.pop() ?? '';
      for (const l of lines) if (l.trim() !== '') this.events.push(JSON.parse(l) as CopierEvent);
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-8000);
    });
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  get total(): number {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const t = this.events[i].total;
      if (t !== undefined) return t;
    }
    return 0;
  }

  describe(): string {
    const notable = this.events.filter(
      (e) => e.done === true || (e.committed === undefined && e.abortedOnPurpose === undefined),
    );
    return `events: ${JSON.stringify(notable)}\nstderr: ${this.stderr}`;
  }
}

async function killAndRestart(broker: BrokerHandle, why: string): Promise<void> {
  console.log(`${new Date().toISOString()} kill -9 broker ${broker.brokerId} (${why})`);
  await broker.kill();
  await new Promise((r) => setTimeout(r, 1500));
  await broker.restart();
  console.log(`${new Date().toISOString()} broker ${broker.brokerId} restarted`);
}

/** Set until the scenario's assertions have all passed. */
let failed = true;

afterEach(() => {
  // what the brokers logged, kept when the scenario fails ($TMPDIR/transactionsExactlyOnce-*)
  if (!failed) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transactionsExactlyOnce-'));
  for (const b of cluster.brokers) fs.writeFileSync(path.join(dir, `broker-${b.brokerId}.log`), b.output());
  console.log(`broker logs kept in ${dir}`);
});

test('a transactional copy loop copies every record exactly once across coordinator and leader kills', async () => {
  const copier = new Copier();
  const progress = (n: number, what: string) =>
    waitFor(() => copier.total >= n, { timeoutMs: 120_000, what: `${what} (${copier.describe()})` });

  await progress(RECORDS * 0.15, 'the copier under way');
  const coordinator = await coordinatorOf(TRANSACTIONAL_ID);
  const totalAtFirstKill = copier.total;
  await killAndRestart(coordinator, `transaction coordinator of ${TRANSACTIONAL_ID}`);

  await progress(totalAtFirstKill + RECORDS * 0.15, 'the copier going on after the coordinator kill');
  const leader = cluster.broker((await partitionState(zk, OUTPUT, 0)).leader);
  const totalAtSecondKill = copier.total;
  await killAndRestart(leader, `leader of ${OUTPUT}-0`);

  const code = await withTimeout(copier.exited, 180_000, `the copier to finish (${copier.describe()})`);
  expect({ code, last: copier.events[copier.events.length - 1] }).toEqual({
    code: 0,
    last: expect.objectContaining({ done: true }),
  });
  // both faults hit the run in its middle
  expect(totalAtFirstKill).toBeLessThan(RECORDS);
  expect(totalAtSecondKill).toBeLessThan(RECORDS);
  console.log(`copier: ${copier.describe()}`);

  const copied = await kcatConsumeAll(cluster.bootstrap, OUTPUT, {
    config: { 'isolation.level': 'read_committed' },
  });
  const counts = new Map<string, number>();
  for (const r of copied) counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
  const expected = Array.from({ length: PARTITIONS }, (_, p) =>
    Array.from({ length: RECORDS / PARTITIONS }, (__, i) => `copy:n-${p}-${i}`),
  ).flat();
  const missing = expected.filter((v) => !counts.has(v));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([v, n]) => `${v}×${n}`);
  const unexpected = [...counts.keys()].filter((v) => !/^copy:n-\d-\d+$/.test(v));
  expect({
    missing: missing.slice(0, 20),
    duplicated: duplicated.slice(0, 20),
    unexpected: unexpected.slice(0, 20),
  }).toEqual({
    missing: [],
    duplicated: [],
    unexpected: [],
  });
  expect(copied.length).toBe(RECORDS);
  // each partition's records in input order
  for (let p = 0; p < PARTITIONS; p++) {
    const order = copied.filter((r) => r.partition === p).map((r) => Number(r.value.split('-')[2]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
  const uncommitted = await kcatConsumeAll(cluster.bootstrap, OUTPUT, {
    config: { 'isolation.level': 'read_uncommitted' },
  });
  console.log(
    `output: ${copied.length} committed records, ${uncommitted.length} records in all (aborted copies included)`,
  );
  failed = false;
});
