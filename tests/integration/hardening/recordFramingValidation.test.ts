import { gzipSync } from 'node:zlib';
import { ApiKey, type Struct } from '@samsa/protocol';
import { close, connectZk, liveTrackedProcesses, type ZkClient } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { createTopic, errorName, waitForPartitionState } from '../../fault/support';
import {
  brokerPids,
  handBuiltBatch,
  handBuiltRecord,
  produceBody,
  sendHandBuilt,
  stillServes,
  varint,
  waitUntilServed,
} from './support';

/**
 * Issue 13, row 4, on one real broker: the leader walks every record of a produced batch, as
 * Kafka's LogValidator does, so a batch whose CRC-32C is valid over content that does not frame is
 * refused instead of taking offsets (and poisoning every consumer that parses it). Each batch is
 * built here byte by byte, its CRC computed here over the mutated bytes, and sent as Produce v8:
 * framing errors answer INVALID_RECORD (Kafka's InvalidRecordException); refusals of single
 * records — offset deltas out of sequence, no key on a compacted topic — answer INVALID_RECORD with
 * `record_errors` naming each record's index and Kafka's error message. Nothing is appended, and
 * afterwards the broker still serves kcat as the same process.
 */
jest.setTimeout(90_000);

const TOPIC = 'framing';
const COMPACTED = 'framing-compacted';
const GZIP = 1;

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': false } });
  broker = cluster.broker(0);
  pids = brokerPids(cluster);
  zk = await connectZk(cluster.zkConnect);
  await createTopic(cluster.zkConnect, TOPIC, 1, 1);
  await createTopic(cluster.zkConnect, COMPACTED, 1, 1, ['cleanup.policy=compact']);
  for (const t of [TOPIC, COMPACTED]) {
    await waitForPartitionState(zk, t, 0, (s) => s.leader === 0, 'leader 0');
    await waitUntilServed(broker, t);
  }
});

afterAll(async () => {
  if (zk) await close(zk);
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

async function produceV8(topic: string, batch: Buffer): Promise<Struct> {
  const body = await sendHandBuilt(broker, ApiKey.Produce, 8, produceBody(1, [{ name: topic, partitions: [[0, batch]] }]));
  return body.responses[0].partitionResponses[0];
}

const value = (i: number) => Buffer.from(`value-${i}`);
const records = (n: number, f: (i: number) => Buffer = (i) => handBuiltRecord({ offsetDelta: i, key: value(i), value: value(i) })) =>
  Buffer.concat(Array.from({ length: n }, (_, i) => f(i)));

test('row4ABatchClaimingAThousandRecordsThatHoldsOneIsInvalidRecord', async () => {
  const p = await produceV8(TOPIC, handBuiltBatch({ records: records(1), count: 1000 }));
  expect(errorName(p.errorCode)).toBe('INVALID_RECORD');
  expect(Number(p.baseOffset)).toBe(-1);
  expect(p.recordErrors).toEqual([]);
});

test('row4RecordsThatDoNotFrameAreInvalidRecord', async () => {
  const cases: [string, Buffer, number][] = [
    // two records declared by count and last offset delta, three present
    ['bytes after the declared records', records(3), 2],
    // a record whose length says 5 bytes more than it holds
    ['a record length past the batch', Buffer.concat([varint(40), records(1).subarray(1)]), 1],
    // key length beyond the record
    ['a key length past the record', handBuiltRecord({ offsetDelta: 0, body: Buffer.concat([Buffer.from([0]), varint(0), varint(0), varint(50), Buffer.from('k'), varint(-1), varint(0)]) }), 1],
    // a header count of 3 and no header bytes
    ['headers that are not there', handBuiltRecord({ offsetDelta: 0, body: Buffer.concat([Buffer.from([0]), varint(0), varint(0), varint(-1), varint(1), Buffer.from('v'), varint(3)]) }), 1],
    // a negative header key length
    ['a null header key', handBuiltRecord({ offsetDelta: 0, body: Buffer.concat([Buffer.from([0]), varint(0), varint(0), varint(-1), varint(-1), varint(1), varint(-1), varint(-1)]) }), 1],
    // a record with bytes after its last header
    ['bytes inside a record after its headers', handBuiltRecord({ offsetDelta: 0, body: Buffer.concat([Buffer.from([0]), varint(0), varint(0), varint(-1), varint(-1), varint(0), Buffer.from('xx')]) }), 1],
  ];
  for (const [what, recordBytes, count] of cases) {
    const p = await produceV8(TOPIC, handBuiltBatch({ records: recordBytes, count }));
    expect({ what, error: errorName(p.errorCode) }).toEqual({ what, error: 'INVALID_RECORD' });
    expect(Number(p.baseOffset)).toBe(-1);
  }
});

test('row4AGzipBatchWhoseInflatedRecordsDoNotFrameIsInvalidRecord', async () => {
  const p = await produceV8(TOPIC, handBuiltBatch({ records: gzipSync(records(2)), count: 5, attributes: GZIP }));
  expect(errorName(p.errorCode)).toBe('INVALID_RECORD');
  expect(Number(p.baseOffset)).toBe(-1);
});

test('row4OffsetDeltasOutOfSequenceAreRefusedPerRecordWithRecordErrors', async () => {
  const deltas = [0, 1, 1, 3];
  for (const codec of [0, GZIP]) {
    const raw = records(4, (i) => handBuiltRecord({ offsetDelta: deltas[i]!, key: value(i), value: value(i) }));
    const p = await produceV8(
      TOPIC,
      handBuiltBatch({ records: codec === GZIP ? gzipSync(raw) : raw, count: 4, attributes: codec }),
    );
    expect(errorName(p.errorCode)).toBe('INVALID_RECORD');
    expect(p.errorMessage).toBe('One or more records have been rejected');
    expect(p.recordErrors.map((e: Struct) => e.batchIndex)).toEqual([2]);
    expect(p.recordErrors[0].batchIndexErrorMessage).toMatch(/offset delta 1/);
  }
});

test('row4ACompactedTopicRefusesRecordsWithoutKeyNamingEachInRecordErrors', async () => {
  const raw = records(4, (i) => handBuiltRecord({ offsetDelta: i, key: i % 2 === 1 ? null : value(i), value: value(i) }));
  const p = await produceV8(COMPACTED, handBuiltBatch({ records: raw, count: 4 }));
  expect(errorName(p.errorCode)).toBe('INVALID_RECORD');
  expect(p.errorMessage).toBe('One or more records have been rejected');
  expect(p.recordErrors).toEqual([
    { batchIndex: 1, batchIndexErrorMessage: 'Compacted topic cannot accept message without key.' },
    { batchIndex: 3, batchIndexErrorMessage: 'Compacted topic cannot accept message without key.' },
  ]);
});

test('row4AWellFramedHandBuiltBatchWithHeadersIsAppendedAndTheBrokerStillServes', async () => {
  const raw = records(3, (i) =>
    handBuiltRecord({ offsetDelta: i, timestampDelta: i, key: value(i), value: value(i), headers: [['h', Buffer.from('x')], ['n', null]] }),
  );
  const p = await produceV8(TOPIC, handBuiltBatch({ records: raw, count: 3 }));
  expect(errorName(p.errorCode)).toBe('NONE');
  expect(Number(p.baseOffset)).toBe(0);
  const stored = await stillServes(cluster, { pids, topic: TOPIC });
  // the three hand-built records (offsets 0-2) and kcat's; none of the refused batches
  expect(stored.slice(0, 3)).toEqual(['value-0', 'value-1', 'value-2']);
  expect(stored).toHaveLength(4);
});
