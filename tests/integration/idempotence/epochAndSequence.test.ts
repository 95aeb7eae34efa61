import { kcatConsume } from '../../fault/support';
import { startSingleBroker, stopSingleBroker, type SingleBroker } from '../hardening/support';
import { logEndOffset, produceIdempotent, type ProduceAnswer } from './support';

/**
 * Issue 14, acceptance item 2 (epochs, sequences, retries), on one real broker, each batch built
 * byte by byte and sent as Produce v7, as Kafka 2.8's leader decides (Log.analyzeAndValidateProducerState,
 * ProducerAppendInfo):
 * - a retry of one of the producer's last five batches (same id, epoch and sequence range) is
 *   answered NONE with the offset the batch got the first time, and nothing is appended;
 * - a sequence gap answers OUT_OF_ORDER_SEQUENCE_NUMBER (45), and so does a retry of a batch older
 *   than the last five: nothing is appended;
 * - once a batch with a bumped epoch is in, the old epoch answers INVALID_PRODUCER_EPOCH (47), its
 *   retries too; a new epoch must start at sequence 0;
 * - a producer the partition has never seen may start at any sequence (KIP-360: Kafka 2.8 does not
 *   answer UNKNOWN_PRODUCER_ID).
 * After each refusal or retry the log end (ListOffsets) has not moved, and kcat reads back each
 * value exactly once, in order.
 */
jest.setTimeout(90_000);

const TOPIC = 'idem-seq';
const PID = 4242;

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(TOPIC);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

const send = (producerEpoch: number, baseSequence: number, values: readonly string[], producerId = PID): Promise<ProduceAnswer> =>
  produceIdempotent(env.broker, TOPIC, { producerId, producerEpoch, baseSequence, values });

/** The answer, and the log end after it. */
async function sendAndEnd(producerEpoch: number, baseSequence: number, values: readonly string[], producerId = PID) {
  const answer = await send(producerEpoch, baseSequence, values, producerId);
  return { ...answer, logEnd: await logEndOffset(env.broker, TOPIC) };
}

test('retriesAnswerTheirOriginalOffsetsGapsAndZombieEpochsAreRefusedAndNothingIsStoredTwice', async () => {
  // Epoch 0: two batches, offsets 0-1 and 2.
  expect(await sendAndEnd(0, 0, ['e0-s0', 'e0-s1'])).toEqual({ error: 'NONE', baseOffset: 0, logEnd: 2 });
  expect(await sendAndEnd(0, 2, ['e0-s2'])).toEqual({ error: 'NONE', baseOffset: 2, logEnd: 3 });

  // Retries of both: the original offsets, nothing appended.
  expect(await sendAndEnd(0, 0, ['e0-s0', 'e0-s1'])).toEqual({ error: 'NONE', baseOffset: 0, logEnd: 3 });
  expect(await sendAndEnd(0, 2, ['e0-s2'])).toEqual({ error: 'NONE', baseOffset: 2, logEnd: 3 });

  // A gap (3 and 4 never sent), and a batch overlapping the last one without matching it.
  expect(await sendAndEnd(0, 5, ['e0-s5'])).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1, logEnd: 3 });
  expect(await sendAndEnd(0, 1, ['e0-s1', 'e0-s2', 'e0-s3'])).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1, logEnd: 3 });

  // Five more batches (sequences 3..7, offsets 3..7): the first two batches leave the last five.
  for (let s = 3; s <= 7; s++) expect(await send(0, s, [`e0-s${s}`])).toEqual({ error: 'NONE', baseOffset: s });
  expect(await sendAndEnd(0, 3, ['e0-s3'])).toEqual({ error: 'NONE', baseOffset: 3, logEnd: 8 });
  expect(await sendAndEnd(0, 2, ['e0-s2'])).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1, logEnd: 8 });

  // A bumped epoch must start at 0; then the old epoch is a zombie, its retries included.
  expect(await sendAndEnd(1, 8, ['e1-s8'])).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1, logEnd: 8 });
  expect(await sendAndEnd(1, 0, ['e1-s0', 'e1-s1'])).toEqual({ error: 'NONE', baseOffset: 8, logEnd: 10 });
  expect(await sendAndEnd(0, 8, ['e0-s8'])).toEqual({ error: 'INVALID_PRODUCER_EPOCH', baseOffset: -1, logEnd: 10 });
  expect(await sendAndEnd(0, 7, ['e0-s7'])).toEqual({ error: 'INVALID_PRODUCER_EPOCH', baseOffset: -1, logEnd: 10 });
  expect(await sendAndEnd(1, 0, ['e1-s0', 'e1-s1'])).toEqual({ error: 'NONE', baseOffset: 8, logEnd: 10 });
  expect(await sendAndEnd(1, 2, ['e1-s2'])).toEqual({ error: 'NONE', baseOffset: 10, logEnd: 11 });

  // Another producer id, never seen: any first sequence is taken; its own checks apply from there.
  expect(await sendAndEnd(0, 17, ['other-s17'], PID + 1)).toEqual({ error: 'NONE', baseOffset: 11, logEnd: 12 });
  expect(await sendAndEnd(0, 19, ['other-s19'], PID + 1)).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1, logEnd: 12 });
  expect(await sendAndEnd(0, 17, ['other-s17'], PID + 1)).toEqual({ error: 'NONE', baseOffset: 11, logEnd: 12 });

  expect(await kcatConsume(env.cluster.bootstrap, TOPIC, 0)).toEqual([
    'e0-s0', 'e0-s1', 'e0-s2', 'e0-s3', 'e0-s4', 'e0-s5', 'e0-s6', 'e0-s7', 'e1-s0', 'e1-s1', 'e1-s2', 'other-s17',
  ]);
  expect(env.broker.output()).not.toMatch(/uncaught exception|unhandled rejection/i);
});
