import { ApiKey, buildBatch, decodeBatches, decodeMessageSet, type Struct } from '@samsa/protocol';
import { liveTrackedProcesses } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { errorName, kafkaTopics, rawProduce } from '../../fault/support';
import { array, brokerPids, int32, sendHandBuilt, stillServes, string, waitUntilServed } from './support';

/**
 * Issue 13, row 6 (a): the broker's `fetch.max.bytes` (KIP-541) caps what one Fetch returns,
 * whatever the request's max_bytes and partition max_bytes say (Kafka 2.8's KafkaApis takes
 * min(request max_bytes, fetch.max.bytes); Fetch v0–2 carry no max_bytes at all). The broker here
 * has fetch.max.bytes = 3 MiB; `big` holds 8 batches of ~0.9 MiB over two partitions. Fetches v0,
 * v3 (down-converted) and v4 written byte by byte with max_bytes and partition max_bytes of
 * 2³¹−1 get at most 3 MiB; a 4 MiB batch at the fetch offset still comes whole (Kafka's "at least
 * one batch even if larger", for the first partition with data only).
 */
jest.setTimeout(120_000);

const FETCH_MAX_BYTES = 3 * 1024 * 1024;
const INT_MAX = 0x7fffffff;

let cluster: ClusterHandle;
let broker: BrokerHandle;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, overrides: { 'fetch.max.bytes': FETCH_MAX_BYTES, 'auto.create.topics.enable': false } });
  broker = cluster.broker(0);
  pids = brokerPids(cluster);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', 'big', '--partitions', '2', '--replication-factor', '1']);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', 'huge', '--partitions', '1', '--replication-factor', '1', '--config', 'max.message.bytes=5242880']);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', 'serve', '--partitions', '1', '--replication-factor', '1']);
  for (const t of ['big', 'huge', 'serve']) await waitUntilServed(broker, t);
  for (let i = 0; i < 8; i++) {
    const r = await rawProduce(broker.port, 'big', i % 2, batchOf(900, 1000));
    expect(errorName(r.errorCode)).toBe('NONE');
  }
  const r = await rawProduce(broker.port, 'huge', 0, batchOf(4, 1024 * 1024));
  expect(errorName(r.errorCode)).toBe('NONE');
});

afterAll(async () => {
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

function batchOf(count: number, valueBytes: number): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.alloc(valueBytes, 97 + (i % 26)), offsetDelta: i })),
    { baseTimestamp: Date.now() },
  );
}

function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}

/**
 * Fetch v0, v3 or v4 of `topic`'s `partitions` from offset 0, every byte limit 2³¹−1, no waiting:
 * replica_id, max_wait_ms, min_bytes, [max_bytes v3+], [isolation_level v4+], topics.
 */
function fetchBody(version: 0 | 3 | 4, topic: string, partitions: readonly number[]): Buffer[] {
  const parts = partitions.map((p) => Buffer.concat([int32(p), int64(0), int32(INT_MAX)]));
  return [
    int32(-1),
    int32(0),
    int32(1),
    ...(version >= 3 ? [int32(INT_MAX)] : []),
    ...(version >= 4 ? [Buffer.from([0])] : []),
    array([Buffer.concat([string(topic), array(parts)])]),
  ];
}

function recordSets(body: Struct): { partition: number; errorCode: number; records: Buffer }[] {
  return body.responses.flatMap((t: Struct) =>
    t.partitionResponses.map((p: Struct) => ({ partition: p.partition, errorCode: p.errorCode, records: p.recordSet ?? Buffer.alloc(0) })),
  );
}

it('caps a Fetch v4 with huge max_bytes at fetch.max.bytes, in whole batches', async () => {
  const sets = recordSets(await sendHandBuilt(broker, ApiKey.Fetch, 4, fetchBody(4, 'big', [0, 1])));
  expect(sets.map((s) => errorName(s.errorCode))).toEqual(['NONE', 'NONE']);
  const total = sets.reduce((n, s) => n + s.records.length, 0);
  expect(total).toBeGreaterThan(2 * 1024 * 1024); // three of the four batches of partition 0 fit
  expect(total).toBeLessThanOrEqual(FETCH_MAX_BYTES);
  // Partition 0 took the room: partition 1 gets what is left (less than a batch), not a batch of its own.
  expect(decodeBatches(sets[0].records).length).toBe(3);
  expect(decodeBatches(sets[1].records)).toEqual([]);
});

it('caps Fetch v0 (no max_bytes on the wire) and v3 (down-converted) at fetch.max.bytes', async () => {
  for (const version of [0, 3] as const) {
    const sets = recordSets(await sendHandBuilt(broker, ApiKey.Fetch, version, fetchBody(version, 'big', [0, 1])));
    expect(sets.map((s) => errorName(s.errorCode))).toEqual(['NONE', 'NONE']);
    const total = sets.reduce((n, s) => n + s.records.length, 0);
    expect({ version, capped: total <= FETCH_MAX_BYTES }).toEqual({ version, capped: true });
    const messages = decodeMessageSet(sets[0].records);
    expect(messages.length).toBeGreaterThan(900);
    expect(messages.map((m) => m.offset)).toEqual(messages.map((_, i) => i));
  }
});

it('returns a first batch larger than fetch.max.bytes whole (at least one batch)', async () => {
  const sets = recordSets(await sendHandBuilt(broker, ApiKey.Fetch, 4, fetchBody(4, 'huge', [0])));
  expect(errorName(sets[0].errorCode)).toBe('NONE');
  expect(sets[0].records.length).toBeGreaterThan(FETCH_MAX_BYTES);
  expect(decodeBatches(sets[0].records).map((b) => b.records.length)).toEqual([4]);
});

it('still serves kcat, same pid', async () => {
  await stillServes(cluster, { pids, topic: 'serve' });
});
