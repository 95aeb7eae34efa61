import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTopic, kcatConsume, waitForPartitionState } from '../../fault/support';
import { waitFor } from '../../harness';
import { startSingleBroker, stopSingleBroker, waitUntilServed, type SingleBroker } from '../hardening/support';
import { deleteRecordsBefore, logEndOffset, logStartOffset, produceIdempotent, type ProduceAnswer } from './support';

/**
 * Issue 14, acceptance item 3 on the wire, one real broker: when the log start passes a producer's
 * last batch (DeleteRecords, or retention deleting its segments) the partition forgets the
 * producer, as the issue asks ("Retention and DeleteRecords past a producer's last batch expire
 * it"); a producer with a batch left above the start loses only its batches below it. This is
 * Kafka's behaviour up to 2.3 (ProducerStateManager.truncateHead evicted them). Kafka 2.4+, 2.8
 * included, keeps the state until transactional.id.expiration.ms instead (KAFKA-7190, KIP-360:
 * onLogStartOffsetIncremented only drops unreplicated transactions), so there the retries below
 * would answer their original offsets. These tests pin the rule as Samsa implements it.
 * A forgotten producer is unknown, and an unknown producer's batch is taken at any sequence (Kafka
 * 2.8, KIP-360: no UNKNOWN_PRODUCER_ID from the broker), so:
 * - its next sequence is taken, and so is a retry of one of its removed batches, which is APPENDED
 *   AGAIN at a new offset (nothing is left to recognise it by);
 * - a producer with a batch still above the start keeps that batch: its retry answers the original
 *   offset; a retry of a removed batch, or a gap, is OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
jest.setTimeout(90_000);

const DELETED = 'idem-delete-records';
const RETAINED = 'idem-retention';
const HOUR_MS = 3_600_000;

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(DELETED, { overrides: { 'log.retention.check.interval.ms': 300 } });
  // Every batch rolls a segment; batches written an hour ago are past retention.ms at once.
  await createTopic(env.cluster.zkConnect, RETAINED, 1, 1, ['segment.bytes=100', `retention.ms=${10 * 60_000}`]);
  await waitForPartitionState(env.zk, RETAINED, 0, (s) => s.leader === 0, 'leader 0');
  await waitUntilServed(env.broker, RETAINED);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

/** Two records of `producerId` (epoch 0) from `baseSequence`, named after the producer and sequence. */
function send(topic: string, producerId: number, baseSequence: number, timestamp?: number): Promise<ProduceAnswer> {
  const name = String.fromCharCode(96 + (producerId % 100)); // 1 → a, 2 → b, …
  return produceIdempotent(env.broker, topic, {
    producerId,
    producerEpoch: 0,
    baseSequence,
    values: [`${name}${baseSequence}`, `${name}${baseSequence + 1}`],
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}

/** The offsets of the partition's `.snapshot` files, ascending. */
const snapshotsOf = (topic: string): number[] =>
  fs
    .readdirSync(path.join(env.broker.logDir, `${topic}-0`))
    .filter((f) => f.endsWith('.snapshot'))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);

const A = 1;
const B = 2;
const C = 3;

test('deleteRecordsPastAProducersLastBatchForgetsItItsNextSequenceAndARetryOfARemovedBatchAreTaken', async () => {
  expect(await send(DELETED, A, 0)).toEqual({ error: 'NONE', baseOffset: 0 });
  expect(await send(DELETED, A, 2)).toEqual({ error: 'NONE', baseOffset: 2 });
  expect(await send(DELETED, B, 0)).toEqual({ error: 'NONE', baseOffset: 4 });
  expect(await send(DELETED, C, 0)).toEqual({ error: 'NONE', baseOffset: 6 });
  expect(await send(DELETED, C, 2)).toEqual({ error: 'NONE', baseOffset: 8 });
  // Before: A's gap is refused, B's retry answers its offset.
  expect(await send(DELETED, A, 6)).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  expect(await send(DELETED, B, 0)).toEqual({ error: 'NONE', baseOffset: 4 });

  expect(await deleteRecordsBefore(env.broker, DELETED, 8)).toBe(8);

  // A and B are forgotten: A's next sequence is taken; B's retry of its removed batch is appended again.
  expect(await send(DELETED, A, 4)).toEqual({ error: 'NONE', baseOffset: 10 });
  expect(await send(DELETED, B, 0)).toEqual({ error: 'NONE', baseOffset: 12 });
  expect(await send(DELETED, B, 2)).toEqual({ error: 'NONE', baseOffset: 14 });
  // C's last batch is above the start: C is known, minus its removed batch.
  expect(await send(DELETED, C, 2)).toEqual({ error: 'NONE', baseOffset: 8 });
  expect(await send(DELETED, C, 0)).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  expect(await send(DELETED, C, 6)).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  expect(await send(DELETED, C, 4)).toEqual({ error: 'NONE', baseOffset: 16 });

  expect(await logEndOffset(env.broker, DELETED)).toBe(18);
  expect(await kcatConsume(env.cluster.bootstrap, DELETED, 0)).toEqual([
    'c2', 'c3', 'a4', 'a5', 'b0', 'b1', 'b2', 'b3', 'c4', 'c5',
  ]);
});

test('retentionDeletingAProducersLastBatchForgetsItItsNextSequenceAndARetryOfARemovedBatchAreTaken', async () => {
  const hourAgo = Date.now() - HOUR_MS;
  expect(await send(RETAINED, A, 0, hourAgo)).toEqual({ error: 'NONE', baseOffset: 0 });
  expect(await send(RETAINED, A, 2, hourAgo)).toEqual({ error: 'NONE', baseOffset: 2 });
  expect(await send(RETAINED, B, 0, hourAgo)).toEqual({ error: 'NONE', baseOffset: 4 });

  // Each roll wrote a snapshot (checked if listed before retention ran).
  const before = snapshotsOf(RETAINED);
  if ((await logStartOffset(env.broker, RETAINED)) === 0) expect(before).toEqual([2, 4]);

  // Retention deletes every segment, the active one rolled first: the log starts at its end. Its
  // first check runs 30 s after the broker started (Kafka's InitialTaskDelayMs), then every 300 ms.
  await waitFor(async () => (await logStartOffset(env.broker, RETAINED)) === 6, {
    what: `${RETAINED} emptied by retention`,
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  expect(env.broker.output()).toMatch(/Deleting segments [^\n]*\(retention\.ms\)/);
  // The snapshots of the deleted segments went with them (none below the log start).
  expect(snapshotsOf(RETAINED).filter((o) => o < 6)).toEqual([]);

  expect(await send(RETAINED, A, 4)).toEqual({ error: 'NONE', baseOffset: 6 });
  expect(await send(RETAINED, B, 0)).toEqual({ error: 'NONE', baseOffset: 8 });
  expect(await send(RETAINED, B, 2)).toEqual({ error: 'NONE', baseOffset: 10 });
  // From here both are known again, from their new batches.
  expect(await send(RETAINED, A, 4)).toEqual({ error: 'NONE', baseOffset: 6 });
  expect(await send(RETAINED, B, 6)).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  expect(await logEndOffset(env.broker, RETAINED)).toBe(12);
  expect(await kcatConsume(env.cluster.bootstrap, RETAINED, 0)).toEqual(['a4', 'a5', 'b0', 'b1', 'b2', 'b3']);
});
