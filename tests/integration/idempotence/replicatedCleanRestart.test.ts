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
 * Issue 14, acceptance item 2 (state survives a clean restart of the leader), three real brokers,
 * an RF 3 partition with min.insync.replicas 2: the leader is stopped with SIGTERM (controlled
 * shutdown moves the leadership, the log is closed with a snapshot at its end), restarted, and leads
 * again once back in the ISR (automatic preferred-leader rebalance). Its producer state then comes
 * from that snapshot: the retry of the producer's last batch is answered with its original offset
 * and stores nothing, a gap is refused, the next sequence is taken at the next offset.
 */
jest.setTimeout(90_000);

const TOPIC = 'idem-rf3-clean';
const PID = 77;

let env: Replicated;

beforeAll(async () => {
  env = await startReplicated(TOPIC);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

const batch = (baseSequence: number): ProducerBatch => ({
  producerId: PID,
  producerEpoch: 0,
  baseSequence,
  values: [`s${baseSequence}`, `s${baseSequence + 1}`],
});

test('aLeaderStoppedWithSigtermAndLeadingAgainRecognisesTheRetryAndTakesTheNextSequence', async () => {
  const { leader, zk } = env;
  for (let i = 0; i < 3; i++) expect(await produceIdempotent(leader, TOPIC, batch(2 * i))).toEqual({ error: 'NONE', baseOffset: 2 * i });

  await leader.stop();
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader >= 0 && s.leader !== leader.brokerId, 'leadership moved');
  await leader.restart();
  await waitUntilLeadsWithFullIsr(zk, TOPIC, leader);
  expect(leader.output()).toMatch(/Loading producer state from snapshot file '[^']*00000000000000000006\.snapshot'/);

  expect(await produceOnceLeading(leader, TOPIC, batch(4))).toEqual({ error: 'NONE', baseOffset: 4 });
  expect(await logEndOffset(leader, TOPIC)).toBe(6);
  expect(await produceIdempotent(leader, TOPIC, batch(7))).toEqual({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1 });
  expect(await produceIdempotent(leader, TOPIC, batch(6))).toEqual({ error: 'NONE', baseOffset: 6 });
  expect(await produceIdempotent(leader, TOPIC, batch(6))).toEqual({ error: 'NONE', baseOffset: 6 });
  expect(await logEndOffset(leader, TOPIC)).toBe(8);
  expect(await kcatConsume(env.cluster.bootstrap, TOPIC, 0)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7']);
});
