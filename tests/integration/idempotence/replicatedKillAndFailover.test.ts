import { kcatConsume, waitForPartitionState } from '../../fault/support';
import { stopSingleBroker } from '../hardening/support';
import {
  logEndOffset,
  produceIdempotent,
  produceOnceLeading,
  startReplicated,
  waitUntilLeadsWithFullIsr,
  type ProducerBatch,
  type Replicated,
} from './support';

/**
 * Issue 14, acceptance item 2 (failover and an unclean restart of the leader), three real brokers,
 * an RF 3 partition with min.insync.replicas 2, every batch written with acks=all:
 * 1. failover: the leader is killed (kill -9); the new leader, a follower that built the producer's
 *    state from the batches it replicated, answers the retry of the last batch with its original
 *    offset (nothing stored) and takes the next sequence at the next offset;
 * 2. unclean restart: the killed broker starts again (its state from a snapshot plus a replay of its
 *    log, then the batch it replicates from the new leader), leads again once back in the ISR, and
 *    recognises retries of both the last batch written before the kill and the one written during
 *    its absence, refuses a gap and takes the next sequence.
 * kcat reads every value once, in order.
 */
jest.setTimeout(90_000);

const TOPIC = 'idem-rf3-kill';
const PID = 91;

let env: Replicated;

beforeAll(async () => {
  env = await startReplicated(TOPIC);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

const batch = (baseSequence: number): ProducerBatch => ({
  producerId: PID,
  producerEpoch: 2,
  baseSequence,
  values: [`s${baseSequence}`, `s${baseSequence + 1}`],
});

test('aNewLeaderAfterAKillAndTheKilledLeaderAfterItsRestartBothRecogniseRetriesAndTakeTheNextSequence', async () => {
  const { cluster, leader, zk } = env;
  for (let i = 0; i < 3; i++) expect(await produceIdempotent(leader, TOPIC, batch(2 * i))).toEqual({ error: 'NONE', baseOffset: 2 * i });

  await leader.kill();
  const moved = await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader >= 0 && s.leader !== leader.brokerId, 'a new leader');
  const successor = cluster.broker(moved.leader);
  expect(await produceOnceLeading(successor, TOPIC, batch(4))).toEqual({ error: 'NONE', baseOffset: 4 });
  expect(await logEndOffset(successor, TOPIC)).toBe(6);
  expect(await produceIdempotent(successor, TOPIC, batch(6))).toEqual({ error: 'NONE', baseOffset: 6 });
  expect(await produceIdempotent(successor, TOPIC, batch(6))).toEqual({ error: 'NONE', baseOffset: 6 });
  expect(await logEndOffset(successor, TOPIC)).toBe(8);

  await leader.restart();
  await waitUntilLeadsWithFullIsr(zk, TOPIC, leader);
  expect(await produceOnceLeading(leader, TOPIC, batch(4))).toEqual({ error: 'NONE', baseOffset: 4 });
  expect(await produceIdempotent(leader, TOPIC, batch(6))).toEqual({ error: 'NONE', baseOffset: 6 });
  expect(await logEndOffset(leader, TOPIC)).toBe(8);
  expect(await produceIdempotent(leader, TOPIC, batch(9))).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  expect(await produceIdempotent(leader, TOPIC, batch(8))).toEqual({ error: 'NONE', baseOffset: 8 });
  expect(await logEndOffset(leader, TOPIC)).toBe(10);

  expect(await kcatConsume(cluster.bootstrap, TOPIC, 0)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
});
