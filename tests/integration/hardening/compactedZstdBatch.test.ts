import { buildBatch, compressZstd, CompressionType } from '@samsa/protocol';
import { liveTrackedProcesses } from '../../harness';
import { startCluster, type BrokerHandle, type ClusterHandle } from '../../harness/broker';
import { errorName, expectEventually, kafkaTopics, rawProduce } from '../../fault/support';
import { brokerPids, expectNoStall, handBuiltBatch, probeApiVersionsWhile, stillServes, waitUntilServed } from './support';

/**
 * Issue 13, row 6 (c): a ~1 MB zstd batch of 1.1M tiny keyed records to a compacted topic. The
 * broker decodes such a batch twice: the leader checks every record has a key (Kafka's LogValidator
 * on compacted topics), and the log cleaner maps and rewrites every record. Both decoded the whole
 * batch as a million record objects in one go (6 s for the key check alone, on this machine); now
 * the key check walks the record framing only, and the cleaner reads records one at a time and
 * yields every few ms. Two such batches (so the first is superseded and the cleaner has work) and
 * a small batch to roll the segment go to `compacted` (segment.bytes 1 MiB: one batch per
 * segment); ApiVersions probes on another connection are answered within 100 ms throughout, until
 * the cleaner has cleaned the log; then the broker still serves kcat, same pid.
 */
jest.setTimeout(240_000);

const RECORDS = 1_100_000;

let cluster: ClusterHandle;
let broker: BrokerHandle;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': false, 'log.cleaner.backoff.ms': 200 } });
  broker = cluster.broker(0);
  await kafkaTopics(cluster.zkConnect, [
    '--create', '--topic', 'compacted', '--partitions', '1', '--replication-factor', '1',
    '--config', 'cleanup.policy=compact', '--config', 'segment.bytes=1048576', '--config', 'min.cleanable.dirty.ratio=0.01',
    // each batch inflates to ~11 MB: within the produce bound of 8 × max.message.bytes at 2 MiB
    '--config', 'max.message.bytes=2097152',
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

it('accepts and cleans 1.1M-record zstd batches while ApiVersions probes are answered within 100 ms', async () => {
  const pids = brokerPids(cluster);
  const batch = zstdKeyedBatch(RECORDS);
  expect(batch.length).toBeLessThan(1048588); // under message.max.bytes
  // Two phases, probed each: the produces (the leader's key check), then the cleaning.
  const produced = await probeApiVersionsWhile(
    broker,
    (async () => {
      const codes: string[] = [];
      for (const records of [batch, batch]) codes.push(errorName((await rawProduce(broker.port, 'compacted', 0, records, { acks: 1 })).errorCode));
      // A small batch with a 30 KB value rolls the segment, so both big batches can be cleaned.
      const roll = buildBatch([{ key: 'roll', value: Buffer.alloc(30_000, 0x61) }], { baseTimestamp: Date.now() });
      codes.push(errorName((await rawProduce(broker.port, 'compacted', 0, roll, { acks: 1 })).errorCode));
      return codes;
    })(),
  );
  expect(produced.result).toEqual(['NONE', 'NONE', 'NONE']);
  const cleaned = await probeApiVersionsWhile(
    broker,
    expectEventually(async () => {
      expect(broker.output()).toMatch(/Log cleaner cleaned log compacted-0 \(dirty section = \[0, 2200000\)\): \d+ bytes, 2200000 messages read/);
    }, 120_000),
  );
  expectNoStall(produced.report, '(c) produce');
  expectNoStall(cleaned.report, '(c) clean');
  await stillServes(cluster, { pids, topic: 'serve' });
});
