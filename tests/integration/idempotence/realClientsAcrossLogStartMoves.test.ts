import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createTopic, kcatConsume, waitForPartitionState } from '../../fault/support';
import { trackProcess, waitFor, withTimeout } from '../../harness';
import { startSingleBroker, stopSingleBroker, waitUntilServed, type SingleBroker } from '../hardening/support';
import { deleteRecordsBefore, fetchStoredBatches, logEndOffset, logStartOffset } from './support';

/**
 * Issue 14, acceptance item 3 with real idempotent clients, one real broker: kafkajs
 * (`idempotent: true`, maxInFlightRequests 5) and librdkafka (python3-confluent-kafka,
 * enable.idempotence) each keep one producer (one producer id, its sequences going on) writing
 * acks=all while the log start passes all its records twice: DeleteRecords to the log end, then
 * retention (retention.ms 10 min, its records' CreateTime an hour old, segment.bytes small so each
 * batch has its own segment, a retention check every 300 ms). Each time Samsa forgets the
 * producer (the issue's rule; Kafka 2.8 would keep its state until transactional.id.expiration.ms,
 * KAFKA-7190) and takes an unknown producer's next sequence as Kafka 2.8 does (KIP-360), so the
 * client sees no error either way: every record is acknowledged once, at the next offset (the log
 * end moves by exactly the records sent), the same producer id and epoch go on with their
 * sequences, and kcat reads back exactly what the partition still holds.
 */
jest.setTimeout(90_000);

const HOUR_MS = 3_600_000;
const PYTHON = '/usr/bin/python3';
const CONFLUENT_PRODUCER = path.join(__dirname, 'confluentIdempotentProducer.py');

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker('idem-clients-kafkajs', {
    overrides: { 'log.retention.check.interval.ms': 300 },
    topicConfigs: ['segment.bytes=100', `retention.ms=${10 * 60_000}`],
  });
  await createTopic(env.cluster.zkConnect, 'idem-clients-librdkafka', 1, 1, ['segment.bytes=100', `retention.ms=${10 * 60_000}`]);
  await waitForPartitionState(env.zk, 'idem-clients-librdkafka', 0, (s) => s.leader === 0, 'leader 0');
  await waitUntilServed(env.broker, 'idem-clients-librdkafka');
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

/** An idempotent producer kept open across the test: sends records one by one, returns their offsets. */
interface IdempotentClient {
  send(values: readonly string[], timestamp: number): Promise<number[]>;
  /** Errors the client surfaced (logged or reported) so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

async function kafkajsClient(topic: string): Promise<IdempotentClient> {
  const errors: string[] = [];
  const kafka = new Kafka({
    clientId: 'idem-kafkajs',
    brokers: [env.broker.bootstrap],
    logLevel: logLevel.ERROR,
    logCreator: () => (entry) => {
      if (entry.level <= logLevel.ERROR) errors.push(entry.log.message);
    },
  });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  await producer.connect();
  return {
    errors,
    async send(values, timestamp) {
      const offsets: number[] = [];
      for (const value of values) {
        const [meta] = await producer.send({ topic, acks: -1, messages: [{ value, partition: 0, timestamp: String(timestamp) }] });
        offsets.push(Number(meta.baseOffset));
      }
      return offsets;
    },
    close: () => producer.disconnect(),
  };
}

function librdkafkaClient(topic: string): IdempotentClient {
  const child = spawn(PYTHON, [CONFLUENT_PRODUCER, env.broker.bootstrap, topic], { stdio: ['pipe', 'pipe', 'pipe'] });
  trackProcess(child, `confluent-kafka idempotent producer ${topic}`);
  const errors: string[] = [];
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const l of parts) (l.startsWith('ERROR') ? errors : lines).push(l);
  });
  child.stderr!.on('data', (d: Buffer) => errors.push(d.toString('utf8')));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    errors,
    async send(values, timestamp) {
      // One record per flush: each its own batch, so each its own segment of 100 bytes.
      const offsets: number[] = [];
      for (const v of values) {
        const from = lines.length;
        child.stdin!.write(`send ${v} ${timestamp}\nflush\n`);
        await waitFor(() => lines.slice(from).some((l) => l.startsWith('FLUSHED')), { what: `librdkafka to deliver ${v}`, timeoutMs: 40_000 });
        const said = lines.slice(from);
        const acks = said.filter((l) => l.startsWith(`ACK ${v} `));
        if (acks.length !== 1) throw new Error(`${v} acknowledged ${acks.length} times: ${JSON.stringify({ said, errors })}`);
        offsets.push(Number(acks[0].split(' ')[2]));
      }
      return offsets;
    },
    async close() {
      child.stdin!.end();
      await withTimeout(closed, 30_000, 'the confluent-kafka producer to exit');
    },
  };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const named = (prefix: string) => range(0, 5).map((i) => `${prefix}${i}`);

async function keepsProducingAcrossLogStartMoves(topic: string, client: IdempotentClient): Promise<void> {
  try {
    expect(await client.send(named('a'), Date.now())).toEqual(range(0, 5));
    expect(await kcatConsume(env.cluster.bootstrap, topic, 0)).toEqual(named('a'));
    const [first] = await fetchStoredBatches(env.broker, topic, 0);
    expect(first).toMatchObject({ baseOffset: 0, baseSequence: 0 });
    expect(first.producerId).toBeGreaterThanOrEqual(0);

    // DeleteRecords past all of the producer's records: it is forgotten, and goes on.
    expect(await deleteRecordsBefore(env.broker, topic, 5)).toBe(5);
    expect(await client.send(named('b'), Date.now() - HOUR_MS)).toEqual(range(5, 5));
    expect(await logEndOffset(env.broker, topic)).toBe(10);

    // Retention deletes those (an hour old): forgotten again, and goes on.
    await waitFor(async () => (await logStartOffset(env.broker, topic)) === 10, {
      what: `${topic} emptied by retention (first check 30 s after the start)`,
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    expect(await client.send(named('c'), Date.now())).toEqual(range(10, 5));
    expect(await logEndOffset(env.broker, topic)).toBe(15);
    expect(await kcatConsume(env.cluster.bootstrap, topic, 0)).toEqual(named('c'));
    // The same producer (id and epoch) went on with its sequences: the partition, which had
    // forgotten it, took sequence 10 as an unknown producer's first.
    const after = await fetchStoredBatches(env.broker, topic, 10);
    expect(after.map(({ baseOffset, producerId, producerEpoch, baseSequence, records }) => ({ baseOffset, producerId, producerEpoch, baseSequence, records }))).toEqual(
      range(10, 5).map((o) => ({ baseOffset: o, producerId: first.producerId, producerEpoch: first.producerEpoch, baseSequence: o, records: 1 })),
    );
    expect(client.errors).toEqual([]);
  } finally {
    await client.close();
  }
}

test('kafkajsIdempotentProducerKeepsProducingAcrossDeleteRecordsAndRetention', async () => {
  await keepsProducingAcrossLogStartMoves('idem-clients-kafkajs', await kafkajsClient('idem-clients-kafkajs'));
});

test('librdkafkaIdempotentProducerKeepsProducingAcrossDeleteRecordsAndRetention', async () => {
  await keepsProducingAcrossLogStartMoves('idem-clients-librdkafka', librdkafkaClient('idem-clients-librdkafka'));
});
