import { kcatConsume } from '../../fault/support';
import { waitFor } from '../../harness';
import { startSingleBroker, stopSingleBroker, type SingleBroker } from '../hardening/support';
import { logEndOffset, produceIdempotent, type ProduceAnswer } from './support';

/**
 * Issue 14, producer-id expiry, one real broker with transactional.id.expiration.ms=8000 and
 * producer.id.expiration.check.interval.ms=300: a producer whose last batch's timestamp is older
 * than the expiration is forgotten at the next check (Kafka 2.8's
 * ProducerStateManager.removeExpiredProducers: now - lastTimestamp >= transactional.id.expiration.ms).
 * Forgotten is seen on the wire: a batch whose sequence is out of order for the old state is then
 * taken (an unknown producer may start anywhere), where before it was OUT_OF_ORDER_SEQUENCE_NUMBER.
 * 1. a producer whose batches carry timestamps an hour old goes at the first check;
 * 2. a producer writing now is known (a gap refused, a retry answered with its offset) until 8 s
 *    after its batch's timestamp, and forgotten after: the gap is taken no earlier than that.
 */
jest.setTimeout(90_000);

const TOPIC = 'idem-expiry';
const EXPIRATION_MS = 8_000;

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(TOPIC, {
    overrides: { 'transactional.id.expiration.ms': EXPIRATION_MS, 'producer.id.expiration.check.interval.ms': 300 },
  });
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

function send(producerId: number, baseSequence: number, timestamp?: number): Promise<ProduceAnswer> {
  return produceIdempotent(env.broker, TOPIC, {
    producerId,
    producerEpoch: 0,
    baseSequence,
    values: [`p${producerId}-s${baseSequence}`],
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}

/** Sends the gap batch until it is taken (each refusal stores nothing); its answer. */
function gapTakenOnceForgotten(producerId: number, baseSequence: number): Promise<ProduceAnswer> {
  return waitFor(
    async () => {
      const answer = await send(producerId, baseSequence);
      if (answer.error === 'OUT_OF_ORDER_SEQUENCE_NUMBER') return null;
      return answer;
    },
    // Kafka's first check runs one interval after the start; the bound is for a loaded machine.
    { what: `producer ${producerId} forgotten`, timeoutMs: 60_000, intervalMs: 250 },
  );
}

test('aProducerSilentForTransactionalIdExpirationMsIsForgottenAndAnOutOfOrderSequenceIsThenTaken', async () => {
  // 1. Silent for an hour already.
  const hourAgo = Date.now() - 3_600_000;
  expect(await send(1, 0, hourAgo)).toEqual({ error: 'NONE', baseOffset: 0 });
  expect(await send(1, 1, hourAgo)).toEqual({ error: 'NONE', baseOffset: 1 });
  expect(await gapTakenOnceForgotten(1, 7)).toEqual({ error: 'NONE', baseOffset: 2 });

  // 2. Writing now: known, then forgotten once its batch is 8 s old.
  const writtenAt = Date.now();
  expect(await send(2, 0, writtenAt)).toEqual({ error: 'NONE', baseOffset: 3 });
  expect(await send(2, 2)).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  expect(await send(2, 0, writtenAt)).toEqual({ error: 'NONE', baseOffset: 3 });
  expect(await logEndOffset(env.broker, TOPIC)).toBe(4);
  expect(await gapTakenOnceForgotten(2, 2)).toEqual({ error: 'NONE', baseOffset: 4 });
  expect(Date.now() - writtenAt).toBeGreaterThanOrEqual(EXPIRATION_MS);

  expect(await kcatConsume(env.cluster.bootstrap, TOPIC, 0)).toEqual(['p1-s0', 'p1-s1', 'p1-s7', 'p2-s0', 'p2-s2']);
});
