import { ApiKey, type Struct } from '@samsa/protocol';
import type { ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { errorName, recordBatch } from '../../fault/support';
import { findTxnCoordinator, txnOverrides } from '../transactions/coordinatorSupport';
import { array, int16, int32, produceBody, sendHandBuilt, startSingleBroker, stillServes, stopSingleBroker, string } from './support';

/**
 * Issue 15's transaction requests with hostile values, written byte by byte, against one broker
 * that coordinates every transactional id (__transaction_state with one partition): timeouts
 * outside 1..transaction.max.timeout.ms, an empty id, an id never initialized, a producer id that
 * is not the id's, partitions that do not exist, and a client writing to __transaction_state.
 * Each is answered with Kafka's error, nothing is written, and the broker still serves.
 */
jest.setTimeout(90_000);

const TOPIC = 'hardening-txn';

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC, {
    overrides: { ...txnOverrides(1), 'transaction.state.log.num.partitions': 1 },
  }));
  await findTxnCoordinator(cluster, 'any');
});

afterAll(() => stopSingleBroker({ cluster, zk }));

/** InitProducerId v1: nullable transactional id, timeout. */
function initProducerIdV1(transactionalId: string | null, timeoutMs: number): Promise<Struct> {
  return sendHandBuilt(broker, ApiKey.InitProducerId, 1, [string(transactionalId), int32(timeoutMs)]);
}

/** int64 as 8 bytes. */
function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}

test('initProducerIdWithATimeoutOutsideOneToTheMaximumOrAnEmptyIdIsRefused', async () => {
  for (const timeoutMs of [-5, 0, 900_001, 2_147_483_647]) {
    const r = await initProducerIdV1('h-timeout', timeoutMs);
    expect({ timeoutMs, error: errorName(r.errorCode), producerId: r.producerId, epoch: r.producerEpoch }).toEqual({
      timeoutMs,
      error: 'INVALID_TRANSACTION_TIMEOUT',
      producerId: -1,
      epoch: -1,
    });
  }
  expect(errorName((await initProducerIdV1('', 1000)).errorCode)).toBe('INVALID_REQUEST');
  // nothing was created for the refused id: EndTxn does not know it
  const end = await sendHandBuilt(broker, ApiKey.EndTxn, 1, [string('h-timeout'), int64(0), int16(0), Buffer.from([1])]);
  expect(errorName(end.errorCode)).toBe('INVALID_PRODUCER_ID_MAPPING');
  await stillServes(cluster, { pids, topic: TOPIC });
});

test('addPartitionsWithAnotherProducersIdOrUnknownPartitionsIsRefusedWhole', async () => {
  const init = await initProducerIdV1('h-add', 60_000);
  expect(errorName(init.errorCode)).toBe('NONE');
  const addV1 = (producerId: number, topics: [string, number[]][]) =>
    sendHandBuilt(broker, ApiKey.AddPartitionsToTxn, 1, [
      string('h-add'),
      int64(producerId),
      int16(init.producerEpoch as number),
      array(topics.map(([name, ps]) => Buffer.concat([string(name), array(ps.map(int32))]))),
    ]);
  const codes = (r: Struct) =>
    (r.results as Struct[]).flatMap((t) => (t.results as Struct[]).map((p) => `${t.name as string}:${p.partitionIndex as number}:${errorName(p.errorCode as number)}`));
  expect(codes(await addV1(init.producerId + 1, [[TOPIC, [0]]]))).toEqual([`${TOPIC}:0:INVALID_PRODUCER_ID_MAPPING`]);
  expect(codes(await addV1(init.producerId, [[TOPIC, [0, -1, 7]], ['../etc', [0]]]))).toEqual([
    `${TOPIC}:0:OPERATION_NOT_ATTEMPTED`,
    `${TOPIC}:-1:UNKNOWN_TOPIC_OR_PARTITION`,
    `${TOPIC}:7:UNKNOWN_TOPIC_OR_PARTITION`,
    '../etc:0:UNKNOWN_TOPIC_OR_PARTITION',
  ]);
  // nothing was added: committing the empty transaction is INVALID_TXN_STATE (the id is Empty)
  const end = await sendHandBuilt(broker, ApiKey.EndTxn, 1, [string('h-add'), int64(init.producerId), int16(init.producerEpoch), Buffer.from([1])]);
  expect(errorName(end.errorCode)).toBe('INVALID_TXN_STATE');
  await stillServes(cluster, { pids, topic: TOPIC });
});

test('aClientCannotWriteToTheTransactionStateTopic', async () => {
  const r = await sendHandBuilt(broker, ApiKey.Produce, 7, produceBody(-1, [{ name: '__transaction_state', partitions: [[0, recordBatch(['forged'])]] }]));
  expect(errorName(r.responses[0].partitionResponses[0].errorCode)).toBe('INVALID_TOPIC_EXCEPTION');
  await stillServes(cluster, { pids, topic: TOPIC });
});
