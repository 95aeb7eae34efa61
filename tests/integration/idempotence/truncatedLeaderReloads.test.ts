import { kcatConsume, waitForPartitionState } from '../../fault/support';
import { stopSingleBroker } from '../hardening/support';
import {
  idempotentBatch,
  logEndOffset,
  produceBatch,
  produceIdempotent,
  produceOnceLeading,
  startReplicated,
  waitUntilLeadsWithFullIsr,
  type ProducerBatch,
  type Replicated,
} from './support';

/**
 * Issue 14, producer state after a truncation, three real brokers, an RF 3 partition with unclean
 * leader election on: both followers are stopped (the leader is alone in the ISR), the leader takes a
 * batch (acks=1) they never fetch and is killed; the followers start again and one of them is
 * elected (unclean). There the producer's retry of that batch lands at another offset (another
 * producer wrote first). The old leader restarts, truncates its unreplicated batch (leader epochs) and must reload
 * its producer state (Kafka's Log.truncateTo → loadProducerState): once it leads again, the retry
 * is answered with the offset the partition holds it at now, never the truncated one.
 */
jest.setTimeout(90_000);

const TOPIC = 'idem-truncated';
const P = 500;
const Q = 600;

let env: Replicated;

beforeAll(async () => {
  env = await startReplicated(TOPIC, ['unclean.leader.election.enable=true']);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

const batch = (producerId: number, baseSequence: number): ProducerBatch => ({
  producerId,
  producerEpoch: 0,
  baseSequence,
  values: [`${producerId}-s${baseSequence}`, `${producerId}-s${baseSequence + 1}`],
});

test('aLeaderThatTruncatesAnUnreplicatedBatchAnswersItsRetryWithTheOffsetThePartitionHoldsItAt', async () => {
  const { cluster, leader, zk } = env;
  const followers = cluster.brokers.filter((b) => b !== leader);
  expect(await produceIdempotent(leader, TOPIC, batch(P, 0))).toEqual({ error: 'NONE', baseOffset: 0 });

  // Offsets 2-3 on the leader alone, then the leader dies.
  for (const f of followers) await f.stop();
  await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader === leader.brokerId && s.isr.length === 1, 'the leader alone in the ISR');
  expect(await produceBatch(leader, TOPIC, idempotentBatch(batch(P, 2)), 1)).toEqual({ error: 'NONE', baseOffset: 2 });
  await leader.kill();
  await Promise.all(followers.map((f) => f.restart()));
  const moved = await waitForPartitionState(zk, TOPIC, 0, (s) => s.leader >= 0 && s.leader !== leader.brokerId, 'a follower elected', 40_000);
  const successor = cluster.broker(moved.leader);

  // On the new leader: Q first, then P's retry (at offset 3 now) and its next batch.
  expect(await produceOnceLeading(successor, TOPIC, { ...batch(Q, 0), values: ['q-s0'] })).toEqual({ error: 'NONE', baseOffset: 2 });
  expect(await produceIdempotent(successor, TOPIC, batch(P, 2))).toEqual({ error: 'NONE', baseOffset: 3 });
  expect(await produceIdempotent(successor, TOPIC, batch(P, 4))).toEqual({ error: 'NONE', baseOffset: 5 });

  const from = leader.output().length;
  await leader.restart();
  await waitUntilLeadsWithFullIsr(zk, TOPIC, leader);
  expect(leader.output().slice(from)).toMatch(/\[Log idem-truncated-0\] Truncating to offset 2\b/);
  expect(await produceOnceLeading(leader, TOPIC, batch(P, 2))).toEqual({ error: 'NONE', baseOffset: 3 });
  expect(await produceIdempotent(leader, TOPIC, batch(P, 4))).toEqual({ error: 'NONE', baseOffset: 5 });
  expect(await logEndOffset(leader, TOPIC)).toBe(7);
  expect(await produceIdempotent(leader, TOPIC, batch(P, 6))).toEqual({ error: 'NONE', baseOffset: 7 });

  expect(await kcatConsume(cluster.bootstrap, TOPIC, 0)).toEqual([
    '500-s0', '500-s1', 'q-s0', '500-s2', '500-s3', '500-s4', '500-s5', '500-s6', '500-s7',
  ]);
});
