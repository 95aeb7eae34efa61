import { buildBatch, compressZstd, CompressionType } from '@samsa/protocol';
import { liveTrackedProcesses } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { errorName, expectEventually, kafkaTopics, rawProduce } from '../../fault/support';
import { brokerPids, expectNoStall, handBuiltBatch, probeApiVersionsWhile, stillServes, waitUntilServed } from './support';

/**
 * Issue 13, row 6 (c): zstd batches of many tiny keyed records to a compacted topic (the issue's
 * case: a 0.93 MB batch of 1.1M records, decoded in one go). The broker decodes such records twice:
 * the leader walks every record (Kafka's LogValidator: a key on compacted topics), and the log
 * cleaner maps and rewrites every record. Both built a million record objects in one go (6 s for the
 * key check alone); now the walk reads the framing only, and the cleaner reads records one at a
 * time and yields every few ms. Since row 19 a compressed batch may inflate to at most
 * 8 × max.message.bytes (8 MiB by default), so the 11 MB-inflated batch is now refused at
 * default settings; here four batches of 550k records each (5.5 MB inflated, the 2.2M records the
 * cleaner then has to clean in one pass) and a batch that rolls the segment go to `compacted`
 * (segment.bytes 1 MiB: one batch per segment); ApiVersions probes on another connection see no
 * stall throughout, until the cleaner has cleaned the log; then the broker still serves kcat, same pid.
 */
jest.setTimeout(240_000);

const RECORDS = 550_000;

let cluster: ClusterHandle;
let broker: BrokerHandle;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': false, 'log.cleaner.backoff.ms': 200 } });
  broker = cluster.broker(0);
  await kafkaTopics(cluster.zkConnect, [
    '--create', '--topic', 'compacted', '--partitions', '1', '--replication-factor', '1',
    '--config', 'cleanup.policy=compact', '--config', 'segment.bytes=1048576', '--config', 'min.cleanable.dirty.ratio=0.01',
  ]);
  await kafkaTopics(cluster.zkConnect, ['--create', '--topic', 'serve', '--partitions', '1', '--replication-factor', '1']);
  for (const t of ['compacted', 'serve']) await waitUntilServed(broker, t);
});

afterAll(async () => {
  await cluster?.stop();
  expect(liveTrackedProcesses()).toEqual([]);
});

/** Zigzag varint of a non-negative int at `pos`; the position after it. */
function zigzagVarint(out: Buffer, pos: number, v: number): number {
  let raw = v * 2;
  while (raw >= 0x80) {
    out[pos++] = (raw & 0x7f) | 0x80;
    raw = Math.floor(raw / 128);
  }
  out[pos++] = raw;
  return pos;
}

/**
 * `count` records, each [length][attributes 0][timestamp delta 0][offset delta i][key length 1]
 * [key: i mod 256][value length -1][0 headers], zstd-compressed into one batch.
 */
function zstdKeyedBatch(count: number): Buffer {
  const body = Buffer.alloc(count * 11);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const start = pos++;
    body[pos++] = 0;
    body[pos++] = 0;
    pos = zigzagVarint(body, pos, i);
    body[pos++] = 2; // key length 1
    body[pos++] = i & 0xff;
    body[pos++] = 0x01; // null value
    body[pos++] = 0;
    body[start] = (pos - start - 1) * 2;
  }
  return handBuiltBatch({ records: compressZstd(body.subarray(0, pos)), count, lastOffsetDelta: count - 1, attributes: CompressionType.Zstd });
}

it('accepts and cleans 2.2M records in 550k-record zstd batches with no stall of the event loop', async () => {
  const pids = brokerPids(cluster);
  const batch = zstdKeyedBatch(RECORDS);
  expect(batch.length).toBeLessThan(1048588); // under message.max.bytes
  // Two phases, probed each: the produces (the leader's key check), then the cleaning.
  const produced = await probeApiVersionsWhile(
    broker,
    async () => {
      const codes: string[] = [];
      for (const records of [batch, batch, batch, batch]) codes.push(errorName((await rawProduce(broker.port, 'compacted', 0, records, { acks: 1 })).errorCode));
      // A batch with a 600 KB value does not fit beside the last big batch: it rolls the segment, so
      // every big batch can be cleaned.
      const roll = buildBatch([{ key: 'roll', value: Buffer.alloc(600_000, 0x61) }], { baseTimestamp: Date.now() });
      codes.push(errorName((await rawProduce(broker.port, 'compacted', 0, roll, { acks: 1 })).errorCode));
      return codes;
    },
  );
  expect(produced.result).toEqual(['NONE', 'NONE', 'NONE', 'NONE', 'NONE']);
  const cleaned = await probeApiVersionsWhile(broker, () =>
    expectEventually(async () => {
      // (the cleaner may start while the last batches arrive: then a second pass cleans the rest)
      expect(broker.output()).toMatch(/Log cleaner cleaned log compacted-0 \(dirty section = \[\d+, 2200000\)\): \d+ bytes, \d+ messages read/);
    }, 120_000),
  );
  expectNoStall(produced.report, '(c) produce');
  expectNoStall(cleaned.report, '(c) clean');
  await stillServes(cluster, { pids, topic: 'serve' });
});
