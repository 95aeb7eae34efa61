import { kcatConsume, waitForPartitionState } from '../../fault/support';
import { startSingleBroker, stopSingleBroker, waitUntilServed, type SingleBroker } from '../hardening/support';
import { logEndOffset, produceIdempotent, produceOnceLeading, type ProducerBatch } from './support';

/**
 * Issue 14, acceptance item 2 (state survives a restart of the leader), on one real broker: a
 * producer's state is rebuilt at startup from the latest `<offset>.snapshot` plus a replay of the
 * batches after it (Kafka's Log.loadProducerState), after a clean shutdown (SIGTERM: a snapshot at
 * the log end) and after kill -9 (the snapshot at or below the recovery point, the rest replayed).
 * segment.bytes is small, so batches roll segments and snapshots exist below the log end. After
 * each restart the retry of the producer's last batch is answered with its original offset and
 * stores nothing, and its next sequence is taken at the next offset; a sequence gap is still
 * refused (the state is there, not merely forgotten); kcat reads every value once.
 */
jest.setTimeout(90_000);

const TOPIC = 'idem-restart';

let env: SingleBroker;

beforeAll(async () => {
  // Each 3-record batch (~115 bytes) rolls a new 200-byte segment, with a snapshot at its base.
  // The recovery point checkpoint is written at the clean shutdown only, so after the kill the
  // state must come from the snapshot at that point plus a replay of everything after it.
  env = await startSingleBroker(TOPIC, {
    topicConfigs: ['segment.bytes=200'],
    overrides: { 'log.flush.offset.checkpoint.interval.ms': 3_600_000 },
  });
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

const batch = (producerId: number, baseSequence: number): ProducerBatch => ({
  producerId,
  producerEpoch: 3,
  baseSequence,
  values: [0, 1, 2].map((i) => `p${producerId}-s${baseSequence + i}`),
});

/** Five batches of `producerId` (sequences 0..14) from `firstOffset` on; the values written. */
async function writeFiveBatches(producerId: number, firstOffset: number): Promise<string[]> {
  const values: string[] = [];
  for (let i = 0; i < 5; i++) {
    const b = batch(producerId, 3 * i);
    expect(await produceIdempotent(env.broker, TOPIC, b)).toEqual({ error: 'NONE', baseOffset: firstOffset + 3 * i });
    values.push(...b.values);
  }
  return values;
}

/**
 * After a restart: the retry of the last batch (sequences 12..14, at `firstOffset + 12`) answers
 * its offset, a gap is refused, the next batch is taken at the log end. Returns its values.
 */
async function expectStateSurvived(producerId: number, firstOffset: number): Promise<readonly string[]> {
  await waitForPartitionState(env.zk, TOPIC, 0, (s) => s.leader === 0, 'leader 0 again');
  await waitUntilServed(env.broker, TOPIC);
  const end = firstOffset + 15;
  expect(await produceOnceLeading(env.broker, TOPIC, batch(producerId, 12))).toEqual({ error: 'NONE', baseOffset: firstOffset + 12 });
  expect(await logEndOffset(env.broker, TOPIC)).toBe(end);
  expect(await produceIdempotent(env.broker, TOPIC, batch(producerId, 16))).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  const next = batch(producerId, 15);
  expect(await produceIdempotent(env.broker, TOPIC, next)).toEqual({ error: 'NONE', baseOffset: end });
  expect(await produceIdempotent(env.broker, TOPIC, next)).toEqual({ error: 'NONE', baseOffset: end });
  expect(await logEndOffset(env.broker, TOPIC)).toBe(end + 3);
  return next.values;
}

test('aCleanShutdownAndAKill9BothKeepTheProducersStateRetriesAnswerTheirOffsetsAndTheNextSequenceIsTaken', async () => {
  const written = await writeFiveBatches(100, 0);
  await env.broker.stop();
  await env.broker.restart();
  written.push(...(await expectStateSurvived(100, 0)));
  expect(env.broker.output()).toMatch(/Loading producer state from snapshot file '[^']*00000000000000000015\.snapshot'/);

  written.push(...(await writeFiveBatches(200, 18)));
  await env.broker.kill();
  const from = env.broker.output().length;
  await env.broker.restart();
  written.push(...(await expectStateSurvived(200, 18)));
  const said = env.broker.output().slice(from);
  expect(said).toMatch(/Loading producer state from snapshot file '[^']*00000000000000000015\.snapshot'/);
  expect(said).toMatch(/Reloaded producer state of idem-restart-0 from offset 15 to 33 /);

  // The first producer's state came through the kill too: its last batch is still recognised.
  expect(await produceIdempotent(env.broker, TOPIC, batch(100, 15))).toEqual({ error: 'NONE', baseOffset: 15 });
  expect(await kcatConsume(env.cluster.bootstrap, TOPIC, 0)).toEqual(written);
  expect(env.broker.output()).not.toMatch(/uncaught exception|unhandled rejection/i);
});
