import { spawn } from 'child_process';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { connectZk, close as closeZk, create, exists, liveTrackedProcesses, sleep, trackProcess, waitFor, type ZkClient } from '../harness';
import { startCluster, type ClusterHandle } from '../harness/broker';
import { createTopic, kcatConsume } from '../fault/support';
import { KCAT, partitionLogBytes } from './support';
import { waitUntilServed } from '../integration/hardening/support';

/**
 * Issue 17, client quotas: a kcat producer and a kafkajs producer, each over its own
 * producer_byte_rate (clients/<id> znodes and change notifications written as Kafka's
 * kafka-configs --zookeeper writes them), run side by side. Each is held within 10% of its quota
 * over 30 s (log bytes appended, measured after the first quota window), sees throttle_time_ms
 * (kcat's throttle callback lines, kafkajs's "Client side throttling" debug lines), and loses
 * nothing (every record read back). A third producer without a quota, on the same broker at the
 * same time, is never throttled and sends many windows' worth of quota at once. Meanwhile a kcat
 * consumer over its consumer_byte_rate reads that producer's 16 MB, held within 10% of its quota too.
 */
jest.setTimeout(150_000);

const QUOTA = 200_000;
const VALUE_BYTES = 999;
const WARM_UP_MS = 6_000;
const MEASURE_MS = 30_000;

let cluster: ClusterHandle;
let zk: ZkClient;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1 });
  zk = await connectZk(cluster.zkConnect);
  for (const t of ['qk', 'qj', 'free']) await createTopic(cluster.zkConnect, t, 1, 1);
  for (const t of ['qk', 'qj', 'free']) await waitUntilServed(cluster.broker(0), t);
});

afterAll(async () => {
  if (zk) await closeZk(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** What kafka-configs --zookeeper --alter --entity-type clients writes: the znode, then the notification. */
async function setClientQuota(clientId: string, config: Record<string, string>): Promise<void> {
  for (const p of ['/config', '/config/clients', '/config/changes']) {
    if ((await exists(zk, p)) === null) await create(zk, p).catch(() => undefined);
  }
  await create(zk, `/config/clients/${clientId}`, JSON.stringify({ version: 1, config }));
  await create(zk, '/config/changes/config_change_', JSON.stringify({ version: 2, entity_path: `clients/${clientId}` }), {
    mode: 'persistent_sequential',
  });
}

function line(tag: string, i: number): string {
  const head = `${tag}-${i}-`;
  return head + 'x'.repeat(VALUE_BYTES - head.length);
}

/** kcat -P fed from a pipe as fast as it takes lines; stops at `stop()` (EOF: kcat flushes and exits). */
function kcatProducer(bootstrap: string, topic: string, clientId: string) {
  const child = spawn(
    KCAT,
    ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', `client.id=${clientId}`, '-X', 'linger.ms=5', '-X', 'queue.buffering.max.kbytes=128'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  trackProcess(child, `kcat -P ${topic}`);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  let written = 0;
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  const feed = async () => {
    while (!stopping) {
      const ok = child.stdin!.write(line('k', written++) + '\n');
      if (!ok) await new Promise<void>((r) => child.stdin!.once('drain', () => r()));
    }
    child.stdin!.end();
  };
  const feeding = feed();
  return {
    get written() {
      return written;
    },
    stderr: () => stderr,
    async stop(): Promise<number | null> {
      stopping = true;
      await feeding;
      return exited;
    },
  };
}

/**
 * kcat -C from the beginning of a partition. A throttled consumer receives its records in bursts
 * (one fetch response each, then the throttle): `rateBetween` counts the records of the whole
 * bursts that start within a span, over the time from the first such burst to the next one after
 * them, so the rate is not skewed by where the span cuts a burst.
 */
function kcatConsumer(bootstrap: string, topic: string, clientId: string) {
  const child = spawn(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-X', `client.id=${clientId}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackProcess(child, `kcat -C ${topic}`);
  let lines = 0;
  let stderr = '';
  /** Bursts: when each began and the lines before it. */
  const bursts: { at: number; linesBefore: number }[] = [];
  let lastDataAt = 0;
  child.stdout!.on('data', (d: Buffer) => {
    const now = Date.now();
    if (now - lastDataAt > 100) bursts.push({ at: now, linesBefore: lines });
    lastDataAt = now;
    for (const b of d) if (b === 10) lines++;
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    stderr: () => stderr,
    /** Records per second over the whole bursts starting in [from, to), and how many bursts. */
    rateBetween(from: number, to: number): { perSecond: number; bursts: number } {
      const inside = bursts.filter((b) => b.at >= from && b.at < to);
      const next = bursts.find((b) => b.at >= to);
      if (inside.length === 0 || next === undefined) return { perSecond: 0, bursts: inside.length };
      return { perSecond: ((next.linesBefore - inside[0].linesBefore) * 1000) / (next.at - inside[0].at), bursts: inside.length };
    },
    summary: (t0: number) => bursts.map((b) => `${b.at - t0}ms:${b.linesBefore}`).join(' '),
    async stop(): Promise<void> {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A kafkajs producer with its own client id; its client-side throttle times are collected. */
function kafkajsProducer(bootstrap: string, clientId: string) {
  const throttles: number[] = [];
  const kafka = new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry: LogEntry) => {
      const m = /Client side throttling in effect for (\d+)ms/.exec(entry.log.message);
      if (m) throttles.push(Number(m[1]));
    },
  });
  return { producer: kafka.producer({ allowAutoTopicCreation: false }), throttles };
}

it('holds kcat and kafkajs producers (producer_byte_rate) and a kcat consumer (consumer_byte_rate) within 10% over 30 s, throttled and lossless; a client without quota runs free', async () => {
  await setClientQuota('kcat-q', { producer_byte_rate: String(QUOTA) });
  await setClientQuota('kjs-q', { producer_byte_rate: String(QUOTA) });
  await setClientQuota('kcat-c', { consumer_byte_rate: String(QUOTA) });
  const broker = cluster.broker(0);
  await waitFor(async () => /entityPath: clients\/kcat-c/.test(broker.output()), { timeoutMs: 15_000, what: 'the broker to apply the quotas' });

  // kafkajs: three send loops of 16 records each, acks=1, until told to stop
  const kjs = kafkajsProducer(broker.bootstrap, 'kjs-q');
  await kjs.producer.connect();
  let kjsSent = 0;
  let kjsStop = false;
  const loops = [0, 1, 2].map(async () => {
    while (!kjsStop) {
      const first = kjsSent;
      kjsSent += 16;
      await kjs.producer.send({
        topic: 'qj',
        acks: 1,
        messages: Array.from({ length: 16 }, (_, i) => ({ partition: 0, value: line('j', first + i) })),
      });
    }
  });
  const kc = kcatProducer(broker.bootstrap, 'qk', 'kcat-q');

  // the unthrottled client, at the same time: 16 MB (80 s of the others' quota) at once
  const free = kafkajsProducer(broker.bootstrap, 'free-client');
  await free.producer.connect();
  const freeStart = Date.now();
  for (let b = 0; b < 128; b++) {
    await free.producer.send({
      topic: 'free',
      acks: 1,
      messages: Array.from({ length: 128 }, (_, i) => ({ partition: 0, value: line('f', b * 128 + i) })),
    });
  }
  const freeMs = Date.now() - freeStart;
  await free.producer.disconnect();
  const consumer = kcatConsumer(broker.bootstrap, 'free', 'kcat-c');

  await sleep(Math.max(0, WARM_UP_MS - (Date.now() - freeStart)));
  const logDir = broker.logDir;
  const k0 = partitionLogBytes(logDir, 'qk', 0).length;
  const j0 = partitionLogBytes(logDir, 'qj', 0).length;
  const t0 = Date.now();
  await sleep(MEASURE_MS);
  const k1 = partitionLogBytes(logDir, 'qk', 0).length;
  const j1 = partitionLogBytes(logDir, 'qj', 0).length;
  const seconds = (Date.now() - t0) / 1000;
  const kcatRate = (k1 - k0) / seconds;
  const kjsRate = (j1 - j0) / seconds;
  kjsStop = true;
  await Promise.all(loops);
  await kjs.producer.disconnect();
  expect(await kc.stop()).toBe(0);
  // the consumer's next burst after the span ends
  await waitFor(async () => consumer.rateBetween(t0, t0 + MEASURE_MS).perSecond > 0, {
    timeoutMs: 20_000,
    what: () => `the consumer's next fetch (bursts at ${consumer.summary(t0)})`,
  });
  const consumed = consumer.rateBetween(t0, t0 + MEASURE_MS);
  // each record: a 999-byte value in a batch of 128 (about 1010 bytes in the fetch response)
  const consumerRate = consumed.perSecond * 1010;
  console.log(`quota ${QUOTA} B/s: kcat ${Math.round(kcatRate)} B/s, kafkajs ${Math.round(kjsRate)} B/s, kcat consumer ${Math.round(consumerRate)} B/s (${consumed.bursts} fetches), unthrottled 16 MB in ${freeMs} ms`);

  await consumer.stop();

  expect(Math.abs(kcatRate - QUOTA) / QUOTA).toBeLessThan(0.1);
  expect(Math.abs(kjsRate - QUOTA) / QUOTA).toBeLessThan(0.1);
  expect(Math.abs(consumerRate - QUOTA) / QUOTA).toBeLessThan(0.1);
  expect(consumer.stderr()).toMatch(/throttled request for \d+ms/);
  // throttle_time_ms seen by both clients
  expect(kc.stderr()).toMatch(/throttled request for \d+ms/);
  expect(kjs.throttles.filter((t) => t > 0).length).toBeGreaterThan(0);
  // the client without quota: never throttled, far faster than the quota
  expect(free.throttles).toEqual([]);
  expect(freeMs).toBeLessThan(20_000);

  // nothing lost
  const expectAll = async (topic: string, tag: string, count: number) => {
    const values = await kcatConsume(broker.bootstrap, topic, 0);
    const seen = new Set(values.map((v) => Number(v.split('-')[1])));
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
    expect([topic, values.length >= count, missing.slice(0, 10)]).toEqual([topic, true, []]);
    expect(values.every((v) => v.startsWith(`${tag}-`))).toBe(true);
  };
  await expectAll('qk', 'k', kc.written);
  await expectAll('qj', 'j', kjsSent);
  await expectAll('free', 'f', 128 * 128);
});
