import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ApiKey, buildBatch, decodeMessageSet, type Struct } from '@samsa/protocol';
import { liveTrackedProcesses } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { errorName, expectEventually, kafkaTopics, rawProduce } from '../../fault/support';
import { rssMiB } from '../../bench/procStats';
import type { ProbeReport } from './apiVersionsProbe';
import { array, brokerPids, expectNoStall, handBuiltBatch, int32, probeApiVersionsWhile, sendHandBuilt, stillServes, string, waitUntilServed } from './support';

/**
 * Issue 13, rows 6 (b) and 19 (the fetch side), on a real broker with the default fetch.max.bytes
 * (55 MiB): down-conversion for Fetch v0–3 must not hold the event loop, nor build a response of
 * the inflated size of what it converts.
 *
 * (b) `big` holds 30 MiB of 1 KB records; a Fetch v0 (written byte by byte, partition max_bytes
 *     2³¹−1) down-converts all of it to magic 0 while an ApiVersions probe on another connection
 *     is answered within 100 ms each time (it took 1.3 s of event loop in one go before).
 * (d) `bomb` holds one record batch v2 whose gzip payload (~40 KB) inflates to 28 MB: 4M copies of
 *     one record of null key and value (offset delta 0: nothing on the fetch path checks the deltas),
 *     136 MB as magic 1 messages. Produce will refuse such a batch once its
 *     inflated size is bounded (row 19's produce side), so the test writes it into the partition's
 *     segment while the broker is stopped — the batch built byte by byte here, CRC and all — and
 *     restarts the broker, which recovers the segment (no clean-shutdown marker). A Fetch v2 of it
 *     then gets messages up to the size of the bytes read, no more; the probe is answered within
 *     100 ms; the broker's RSS grows by less than 64 MiB; the broker keeps its pid and serves kcat.
 */
jest.setTimeout(240_000);

const INT_MAX = 0x7fffffff;
const BOMB_RECORDS = 4_000_000;
const RSS_GROWTH_BOUND_MIB = 64;

let cluster: ClusterHandle;
let broker: BrokerHandle;
let bombBatchBytes = 0;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': false } });
  broker = cluster.broker(0);
  for (const t of ['big', 'bomb', 'serve']) {
    await kafkaTopics(cluster.zkConnect, ['--create', '--topic', t, '--partitions', '1', '--replication-factor', '1']);
  }
  for (const t of ['big', 'bomb', 'serve']) await waitUntilServed(broker, t);
  for (let i = 0; i < 34; i++) {
    const r = await rawProduce(broker.port, 'big', 0, batchOf(900, 1000));
    expect(errorName(r.errorCode)).toBe('NONE');
  }
  // The bomb goes into bomb-0's (empty) segment while the broker is down.
  await broker.stop();
  const dir = path.join(broker.logDir, 'bomb-0');
  const bomb = gzipBomb(BOMB_RECORDS);
  bombBatchBytes = bomb.length;
  fs.writeFileSync(path.join(dir, '00000000000000000000.log'), bomb);
  for (const f of ['00000000000000000000.index', '00000000000000000000.timeindex']) fs.rmSync(path.join(dir, f), { force: true });
  fs.rmSync(path.join(broker.logDir, '.kafka_cleanshutdown'), { force: true });
  await broker.restart();
  await waitUntilServed(broker, 'bomb');
  await expectEventually(async () => {
    const p = partitionOf(await sendHandBuilt(broker, ApiKey.Fetch, 2, fetchBody('bomb', 0, 1)));
    expect(Number(p.highWatermark)).toBe(BOMB_RECORDS);
  }, 30_000);
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

/**
 * One record batch v2 at offset 0, leader epoch 0, gzip, claiming offsets 0..count-1 and holding
 * `count` copies of one record, every byte written here: [length 6][attributes 0][timestamp delta 0]
 * [offset delta 0][key length -1][value length -1][0 headers], varints zigzag-encoded.
 */
function gzipBomb(count: number): Buffer {
  const record = Buffer.from([6 * 2, 0, 0, 0, 0x01, 0x01, 0]);
  const body = Buffer.alloc(count * record.length);
  for (let pos = 0; pos < body.length; pos += record.length) record.copy(body, pos);
  return handBuiltBatch({ records: gzipSync(body, { level: 9 }), count, lastOffsetDelta: count - 1, attributes: 1, partitionLeaderEpoch: 0 });
}

function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}

/** Fetch v0–2 (one layout): replica_id, max_wait_ms, min_bytes, topics [topic, [partition, fetch_offset, max_bytes]]. */
function fetchBody(topic: string, fetchOffset: number, partitionMaxBytes: number): Buffer[] {
  return [
    int32(-1),
    int32(0),
    int32(1),
    array([Buffer.concat([string(topic), array([Buffer.concat([int32(0), int64(fetchOffset), int32(partitionMaxBytes)])])])]),
  ];
}

function partitionOf(body: Struct): Struct {
  return body.responses[0].partitionResponses[0];
}

it('(b) down-converts a 30 MiB Fetch v0 while ApiVersions probes are answered within 100 ms', async () => {
  const pids = brokerPids(cluster);
  const { result, report } = await probeApiVersionsWhile(broker, () => sendHandBuilt(broker, ApiKey.Fetch, 0, fetchBody('big', 0, INT_MAX)));
  const p = partitionOf(result);
  expect(errorName(p.errorCode)).toBe('NONE');
  const messages = decodeMessageSet(p.recordSet);
  expect(p.recordSet.length).toBeGreaterThan(29 * 1024 * 1024);
  // As many messages as fit in the bytes read (Kafka's lazy down-conversion sends no more): each
  // magic 0 message is larger than its v2 record, so a few hundred of the 30,600 wait for the next fetch.
  expect(messages.length).toBeGreaterThan(29_000);
  expect(messages.length).toBeLessThanOrEqual(34 * 900);
  expect(messages.every((m, i) => m.offset === i && m.magic === 0 && m.value!.length === 1000)).toBe(true);
  expectNoStall(report, '(b) Fetch v0 of 30 MiB');
  await stillServes(cluster, { pids, topic: 'serve' });
});

it('(d) a Fetch v2 of a gzip bomb gets messages up to the bytes read, quickly, with bounded RSS', async () => {
  const pids = brokerPids(cluster);
  const rssBefore = rssMiB(broker.pid!, 'VmRSS');
  let rssMax = rssBefore;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(broker.pid!, 'VmRSS'))), 20);
  let result: Struct;
  let report: ProbeReport;
  try {
    ({ result, report } = await probeApiVersionsWhile(broker, () => sendHandBuilt(broker, ApiKey.Fetch, 2, fetchBody('bomb', 0, INT_MAX))));
  } finally {
    clearInterval(sampler);
  }
  rssMax = Math.max(rssMax, rssMiB(broker.pid!, 'VmRSS'));
  const p = partitionOf(result);
  expect(errorName(p.errorCode)).toBe('NONE');
  // Kafka's down-conversion sends as much as the stored bytes it read: here the one batch.
  expect(p.recordSet.length).toBeLessThanOrEqual(bombBatchBytes);
  const messages = decodeMessageSet(p.recordSet);
  expect(messages.length).toBe(Math.floor(bombBatchBytes / 34));
  expect(messages.slice(0, 2).map((m) => [m.offset, m.magic, m.key, m.value])).toEqual([
    [0, 1, null, null],
    [0, 1, null, null],
  ]);
  console.log(`(d) RSS ${rssBefore.toFixed(0)} → max ${rssMax.toFixed(0)} MiB; batch ${bombBatchBytes} B`);
  expectNoStall(report, '(d) Fetch v2 of a gzip bomb');
  expect(rssMax - rssBefore).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  // A fetch from offset 3,000,000 of the same batch finds no record at or past it: the broker reads
  // all 28 MB of inflated records to learn that, a piece at a time, and sends nothing.
  const rssBeforeScan = rssMiB(broker.pid!, 'VmRSS');
  const scan = await probeApiVersionsWhile(broker, () => sendHandBuilt(broker, ApiKey.Fetch, 0, fetchBody('bomb', 3_000_000, 1000)));
  const next = partitionOf(scan.result);
  expect(errorName(next.errorCode)).toBe('NONE');
  expect(decodeMessageSet(next.recordSet)).toEqual([]);
  expectNoStall(scan.report, '(d) scan past the bomb');
  expect(rssMiB(broker.pid!, 'VmRSS') - rssBeforeScan).toBeLessThan(RSS_GROWTH_BOUND_MIB);
  await stillServes(cluster, { pids, topic: 'serve' });
});
