import { handBuiltBatch, handBuiltRecord, startSingleBroker, stopSingleBroker, type SingleBroker } from '../hardening/support';
import type { BrokerHandle } from '../../harness/broker';
import { fetchFrom, latestOffset, produceTo, txnBatch } from './support';

/**
 * Issue 15, the partition side without a coordinator: a transactional batch sent on the wire opens
 * its producer's transaction in the partition, and until a marker ends it the last stable offset
 * stays at its first offset (Kafka's firstUnstableOffset): ListOffsets READ_COMMITTED answers it,
 * a read_committed Fetch reads up to it and no further, every Fetch answer carries it, while
 * read_uncommitted readers go on to the high watermark. The transactional producer cannot write a
 * plain batch meanwhile (INVALID_TXN_STATE), and a client cannot write a control batch.
 */
jest.setTimeout(90_000);

const TOPIC = 'txn-open';
const TXN_PID = 4001;
const OTHER_PID = 4002;

let env: SingleBroker;

beforeAll(async () => {
  env = await startSingleBroker(TOPIC);
});

afterAll(async () => {
  await stopSingleBroker(env ?? {});
});

async function jolokiaValue(b: BrokerHandle, mbean: string): Promise<unknown> {
  const r = await fetch(`${b.metricsUrl}/jolokia/read/${mbean}/Value`);
  const body = (await r.json()) as { status: number; value?: unknown };
  if (body.status !== 200) throw new Error(`read ${mbean}: ${JSON.stringify(body)}`);
  return body.value;
}

test('anOpenTransactionHoldsTheLastStableOffsetForReadCommittedReadersOnly', async () => {
  const broker = env.broker;
  // Two committed-looking records of an idempotent (not transactional) producer: offsets 0-1.
  const plain = handBuiltBatch({
    records: Buffer.concat([0, 1].map((i) => handBuiltRecord({ offsetDelta: i, value: Buffer.from(`plain-${i}`) }))),
    count: 2,
    producerId: OTHER_PID,
    producerEpoch: 0,
    baseSequence: 0,
  });
  expect(await produceTo(broker, TOPIC, plain)).toEqual({ error: 'NONE', baseOffset: 0 });
  expect([await latestOffset(broker, TOPIC, 0), await latestOffset(broker, TOPIC, 1)]).toEqual([2, 2]);

  // The transaction opens at offset 2; another producer's records come after it.
  expect(await produceTo(broker, TOPIC, txnBatch({ producerId: TXN_PID, baseSequence: 0, values: ['t0', 't1'] }))).toEqual({
    error: 'NONE',
    baseOffset: 2,
  });
  const after = handBuiltBatch({
    records: handBuiltRecord({ offsetDelta: 0, value: Buffer.from('after') }),
    count: 1,
    producerId: OTHER_PID,
    producerEpoch: 0,
    baseSequence: 2,
  });
  expect(await produceTo(broker, TOPIC, after)).toEqual({ error: 'NONE', baseOffset: 4 });

  expect(await latestOffset(broker, TOPIC, 0)).toBe(5);
  expect(await latestOffset(broker, TOPIC, 1)).toBe(2);
  // Kafka's Partition gauge: how far the open transaction holds the LSO behind the HW.
  expect(await jolokiaValue(broker, `kafka.cluster:type=Partition,name=LastStableOffsetLag,topic=${TOPIC},partition=0`)).toBe(3);

  const committed = await fetchFrom(broker, TOPIC, 0, 1);
  expect(committed).toMatchObject({ error: 'NONE', highWatermark: 5, lastStableOffset: 2, abortedTransactions: [] });
  expect(committed.batches.map((b) => [b.baseOffset, b.lastOffset])).toEqual([[0, 1]]);
  // At the last stable offset a read_committed reader gets nothing yet.
  expect((await fetchFrom(broker, TOPIC, 2, 1)).batches).toEqual([]);

  const uncommitted = await fetchFrom(broker, TOPIC, 0, 0);
  expect(uncommitted).toMatchObject({ error: 'NONE', highWatermark: 5, lastStableOffset: 2, abortedTransactions: null });
  expect(uncommitted.batches.map((b) => [b.baseOffset, b.lastOffset])).toEqual([
    [0, 1],
    [2, 3],
    [4, 4],
  ]);

  // The transactional producer may not write outside its transaction; no client writes a marker.
  const outside = handBuiltBatch({
    records: handBuiltRecord({ offsetDelta: 0, value: Buffer.from('outside') }),
    count: 1,
    producerId: TXN_PID,
    producerEpoch: 0,
    baseSequence: 2,
  });
  expect(await produceTo(broker, TOPIC, outside)).toEqual({ error: 'INVALID_TXN_STATE', baseOffset: -1 });
  const forgedMarker = handBuiltBatch({
    records: handBuiltRecord({ offsetDelta: 0, key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }),
    count: 1,
    attributes: 0x30,
    producerId: TXN_PID,
    producerEpoch: 0,
  });
  expect(await produceTo(broker, TOPIC, forgedMarker)).toEqual({ error: 'INVALID_RECORD', baseOffset: -1 });
  expect(await latestOffset(broker, TOPIC, 0)).toBe(5);
  expect(broker.output()).not.toMatch(/uncaught exception|unhandled rejection/i);
});
