import { Kafka, logLevel, type Producer } from 'kafkajs';
import { waitFor } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { createTopic } from '../fault/support';
import * as path from 'path';
import { PYTHON, kcatConsumeAll, run, type KcatRecord } from './support';

/**
 * Issue 15's first acceptance item, with kafkajs 2.2.4 (its `producer.transaction()` API) on three
 * brokers, reading back with librdkafka (kcat) at both isolation levels:
 * - a transaction across the partitions of two topics, committed: a read_committed reader sees
 *   every record;
 * - a transaction aborted: a read_committed reader sees none of it, a read_uncommitted one sees all;
 * - `sendOffsets` commits a group's offsets inside the transaction: visible after the commit,
 *   never after an abort;
 * - a second producer with the same transactional id fences the first: the first's next send
 *   fails, and its open transaction is aborted (nothing of it reaches a read_committed reader).
 * The transaction coordinator's topic is created on first use with Kafka's defaults (50
 * partitions, replication factor 3).
 */
jest.setTimeout(180_000);

const TOPICS = ['txn-a', 'txn-b'];
/** The python3-confluent-kafka scenarios' topic. */
const PY_TOPIC = 'txn-py';
const PY_DRIVER = path.join(__dirname, 'python', 'confluent_transactions.py');
const PARTITIONS = 3;

let cluster: ClusterHandle;
let kafka: Kafka;
const producers: Producer[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    brokers: 3,
    overrides: {
      'auto.create.topics.enable': false,
      // Kafka's defaults (the harness lowers them for clusters of one broker)
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
      'offsets.topic.replication.factor': 3,
    },
  });
  for (const t of [...TOPICS, PY_TOPIC])
    await createTopic(cluster.zkConnect, t, PARTITIONS, 3, ['min.insync.replicas=2']);
  kafka = new Kafka({
    clientId: 'txn-interop',
    brokers: cluster.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 200 },
  });
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
  await cluster?.stop();
});

async function transactionalProducer(transactionalId: string): Promise<Producer> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  producers.push(producer);
  await producer.connect();
  return producer;
}

/** Records keyed `<tag>-<i>`, spread over every partition of both topics. */
function messagesFor(
  tag: string,
  count: number,
): { topic: string; messages: { key: string; value: string; partition: number }[] }[] {
  return TOPICS.map((topic, t) => ({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({
      key: `${tag}-${t}-${i}`,
      value: `value of ${tag}-${t}-${i}`,
      partition: i % PARTITIONS,
    })),
  }));
}

const keysOf = (records: readonly KcatRecord[], tag: string): string[] =>
  records
    .map((r) => r.key)
    .filter((k) => k.startsWith(`${tag}-`))
    .sort();

const expectedKeys = (tag: string, count: number): string[] =>
  TOPICS.flatMap((_, t) => Array.from({ length: count }, (__, i) => `${tag}-${t}-${i}`)).sort();

async function readBoth(isolation: 'read_committed' | 'read_uncommitted'): Promise<KcatRecord[]> {
  const out: KcatRecord[] = [];
  for (const topic of TOPICS)
    out.push(
      ...(await kcatConsumeAll(cluster.bootstrap, topic, { config: { 'isolation.level': isolation } })),
    );
  return out;
}

describe('transactions with kafkajs, read back by librdkafka at both isolation levels', () => {
  test('a committed transaction across two topics is seen whole by a read_committed reader', async () => {
    const producer = await transactionalProducer('tx-commit');
    const txn = await producer.transaction();
    await txn.sendBatch({ topicMessages: messagesFor('commit', 6), acks: -1 });
    await txn.commit();
    expect(keysOf(await readBoth('read_committed'), 'commit')).toEqual(expectedKeys('commit', 6));
    expect(keysOf(await readBoth('read_uncommitted'), 'commit')).toEqual(expectedKeys('commit', 6));
  });

  test('an aborted transaction is seen by read_uncommitted only', async () => {
    const producer = await transactionalProducer('tx-abort');
    const txn = await producer.transaction();
    await txn.sendBatch({ topicMessages: messagesFor('abort', 4), acks: -1 });
    await txn.abort();
    // then a committed one by the same producer, so the readers have records after the abort marker
    const next = await producer.transaction();
    await next.sendBatch({ topicMessages: messagesFor('after-abort', 2), acks: -1 });
    await next.commit();
    const committed = await readBoth('read_committed');
    expect(keysOf(committed, 'abort')).toEqual([]);
    expect(keysOf(committed, 'after-abort')).toEqual(expectedKeys('after-abort', 2));
    expect(keysOf(await readBoth('read_uncommitted'), 'abort')).toEqual(expectedKeys('abort', 4));
  });

  test('sendOffsets commits a group offset with the transaction, and an abort drops it', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const group = 'txn-offsets-group';
      const producer = await transactionalProducer('tx-offsets');
      const committedTxn = await producer.transaction();
      await committedTxn.send({
        topic: TOPICS[0],
        acks: -1,
        messages: [{ key: 'offsets-0', value: 'x', partition: 0 }],
      });
      await committedTxn.sendOffsets({
        consumerGroupId: group,
        topics: [{ topic: TOPICS[1], partitions: [{ partition: 1, offset: '7' }] }],
      });
      await committedTxn.commit();
      const offsetOf = async (): Promise<string | undefined> => {
        const [t] = await admin.fetchOffsets({ groupId: group, topics: [TOPICS[1]] });
        return t.partitions.find((p) => p.partition === 1)?.offset;
      };
      // the group coordinator completes the pending offset when the COMMIT marker is written
      await waitFor(async () => (await offsetOf()) === '7', {
        timeoutMs: 15_000,
        what: 'offset 7 of the committed transaction visible',
      });

      const abortedTxn = await producer.transaction();
      await abortedTxn.sendOffsets({
        consumerGroupId: group,
        topics: [{ topic: TOPICS[1], partitions: [{ partition: 1, offset: '99' }] }],
      });
      await abortedTxn.abort();
      // a commit after the abort, so the abort's markers have certainly been written when we look
      const after = await producer.transaction();
      await after.send({
        topic: TOPICS[0],
        acks: -1,
        messages: [{ key: 'offsets-1', value: 'y', partition: 0 }],
      });
      await after.commit();
      expect(await offsetOf()).toBe('7');
    } finally {
      await admin.disconnect();
    }
  });

  test('a second producer with the same transactional id fences the first', async () => {
    const first = await transactionalProducer('tx-fence');
    const zombieTxn = await first.transaction();
    await zombieTxn.send({
      topic: TOPICS[0],
      acks: -1,
      messages: [{ key: 'zombie-0', value: 'z', partition: 2 }],
    });

    // InitProducerId of the second bumps the epoch and aborts the first's open transaction
    const second = await transactionalProducer('tx-fence');
    const txn = await second.transaction();
    await txn.send({ topic: TOPICS[0], acks: -1, messages: [{ key: 'fencer-0', value: 'f', partition: 2 }] });
    await txn.commit();

    let fenced: Error | null = null;
    try {
      await zombieTxn.send({
        topic: TOPICS[0],
        acks: -1,
        messages: [{ key: 'zombie-1', value: 'z', partition: 2 }],
      });
      await zombieTxn.commit();
    } catch (e) {
      fenced = e as Error;
    }
    expect(fenced).not.toBeNull();
    expect(`${fenced!.name} ${(fenced as { type?: string }).type ?? ''} ${fenced!.message}`).toMatch(
      /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|fenced|epoch/i,
    );

    const committed = await kcatConsumeAll(cluster.bootstrap, TOPICS[0], {
      partition: 2,
      config: { 'isolation.level': 'read_committed' },
    });
    expect(committed.map((r) => r.key).filter((k) => k.startsWith('zombie-'))).toEqual([]);
    expect(committed.map((r) => r.key).filter((k) => k.startsWith('fencer-'))).toEqual(['fencer-0']);
  });
});

interface PyErrorFacts {
  name: string;
  fatal: boolean | null;
  abortable: boolean | null;
  str: string;
}

interface PyOutcome {
  ok: boolean;
  error?: PyErrorFacts;
  open?: Record<'read_committed' | 'read_uncommitted', [number, number][]>;
  aborted?: Record<'read_committed' | 'read_uncommitted', [number, number][]>;
  fencedError?: PyErrorFacts | null;
}

/** One scenario of tests/interop/python/confluent_transactions.py; its JSON line. */
async function confluent(scenario: string, transactionalId: string, group?: string): Promise<PyOutcome> {
  const args = [PY_DRIVER, scenario, cluster.bootstrap, PY_TOPIC, transactionalId, ...(group ? [group] : [])];
  const r = await run(PYTHON, args, { timeoutMs: 150_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as PyOutcome;
  } catch {
    throw new Error(
      `confluent_transactions.py ${scenario} printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr.slice(-3000)}`,
    );
  }
}

const pyKeys = (records: readonly KcatRecord[], txid: string): string[] =>
  records
    .map((r) => r.key)
    .filter((k) => k.startsWith(`${txid}-`))
    .sort();

async function readPy(isolation: 'read_committed' | 'read_uncommitted'): Promise<KcatRecord[]> {
  return kcatConsumeAll(cluster.bootstrap, PY_TOPIC, { config: { 'isolation.level': isolation } });
}

async function committedOffset(group: string, partition: number): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [PY_TOPIC] });
    return t.partitions.find((p) => p.partition === partition)?.offset;
  } finally {
    await admin.disconnect();
  }
}

describe('transactions with python3-confluent-kafka (librdkafka 2.0.2)', () => {
  test('commit: a read_committed reader sees the transaction, and its group offset is committed', async () => {
    expect(await confluent('commit', 'py-commit', 'py-group')).toEqual({ ok: true });
    const all = Array.from({ length: 6 }, (_, i) => `py-commit-${i}`).sort();
    expect(pyKeys(await readPy('read_committed'), 'py-commit')).toEqual(all);
    await waitFor(async () => (await committedOffset('py-group', 0)) === '5', {
      timeoutMs: 15_000,
      what: "py-group's offset 5 of the committed transaction",
    });
  });

  test('abort: only a read_uncommitted reader sees it, and its group offset is dropped', async () => {
    expect(await confluent('abort', 'py-abort', 'py-group-abort')).toEqual({ ok: true });
    expect(pyKeys(await readPy('read_committed'), 'py-abort')).toEqual([]);
    expect(pyKeys(await readPy('read_uncommitted'), 'py-abort')).toEqual(
      Array.from({ length: 6 }, (_, i) => `py-abort-${i}`).sort(),
    );
    expect(['-1', undefined]).toContain(await committedOffset('py-group-abort', 0));
  });

  test('an open transaction holds the read_committed end (the LSO) below the high watermark', async () => {
    const out = await confluent('open', 'py-open');
    expect(out.ok).toBe(true);
    const { open, aborted } = out as Required<Pick<PyOutcome, 'open' | 'aborted'>>;
    // records 0 and 3 went to partition 0, 1 and 4 to partition 1; partition 2 got none
    for (const p of [0, 1]) {
      const [, hw] = open.read_uncommitted[p];
      const [, lso] = open.read_committed[p];
      expect(hw - lso).toBe(2);
    }
    expect(open.read_committed[2]).toEqual(open.read_uncommitted[2]);
    // after the abort both ends are past the ABORT markers, and equal
    expect(aborted.read_committed).toEqual(aborted.read_uncommitted);
    for (const p of [0, 1]) expect(aborted.read_uncommitted[p][1]).toBe(open.read_uncommitted[p][1] + 1);
  });

  test('fence: a second producer with the same transactional id fences the first', async () => {
    const out = await confluent('fence', 'py-fence');
    expect(out.ok).toBe(true);
    expect(out.fencedError).not.toBeNull();
    expect(out.fencedError!.fatal).toBe(true);
    expect(`${out.fencedError!.name} ${out.fencedError!.str}`).toMatch(/FENCED|INVALID_PRODUCER_EPOCH/);
    // the second producer's record (index 3) is committed; the first's (0 and 6) never are
    expect(pyKeys(await readPy('read_committed'), 'py-fence')).toEqual(['py-fence-3']);
  });
});
