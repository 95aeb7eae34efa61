import { crc32 as crc32Ieee, gzipSync } from 'node:zlib';
import { ApiKey } from '@samsa/protocol';
import type { ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { errorName } from '../../fault/support';
import {
  array,
  bytes,
  expectNoStall,
  int16,
  int32,
  probeApiVersionsWhile,
  rssBytes,
  sendHandBuilt,
  startSingleBroker,
  stillServes,
  stopSingleBroker,
  string,
} from './support';

/**
 * Issue 13, rows 1 and 20, on one real broker: a Produce v2 carrying one magic 1 gzip wrapper of
 * ~930 KB whose value inflates to ~600 MiB of tiny inner messages (~17 million of them — the bomb
 * that froze a broker for a minute and kept +2.3 GB). Built here byte by byte: one gzip member of
 * 64 KiB of inner messages, repeated (gzip readers read concatenated members), inside a wrapper
 * whose CRC-32 this test computes. The broker must answer RECORD_LIST_TOO_LARGE within 1 s, grow
 * its RSS by less than 100 MiB, answer ApiVersions probes within 100 ms meanwhile, and afterwards
 * serve kcat as the same process.
 */
jest.setTimeout(90_000);

const TOPIC = 'legacy-bomb';
const REQUEST_BYTES_TARGET = 930 * 1000;
const MIB = 1024 * 1024;

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC));
});

afterAll(() => stopSingleBroker({ cluster, zk }));

/** A magic 1 message entry (offset, size, CRC-32 over magic..end, magic, attributes, timestamp, key, value). */
function messageV1(offset: number, attributes: number, value: Buffer): Buffer {
  const body = Buffer.alloc(1 + 1 + 8 + 4 + 4 + value.length);
  body.writeInt8(1, 0);
  body.writeInt8(attributes, 1);
  body.writeBigInt64BE(1_700_000_000_000n, 2);
  body.writeInt32BE(-1, 10); // null key
  body.writeInt32BE(value.length, 14);
  value.copy(body, 18);
  const entry = Buffer.alloc(12 + 4);
  entry.writeBigInt64BE(BigInt(offset), 0);
  entry.writeInt32BE(4 + body.length, 8);
  entry.writeUInt32BE(crc32Ieee(body), 12);
  return Buffer.concat([entry, body]);
}

const GZIP = 1;

function legacyGzipBomb(): { records: Buffer; innerMessages: number; inflatedBytes: number } {
  const one = messageV1(0, 0, Buffer.from('x'));
  const perMember = Math.floor((64 * 1024) / one.length);
  const chunk = Buffer.concat(Array.from({ length: perMember }, () => one)); // identical messages: gzip at its best
  const member = gzipSync(chunk, { level: 9 });
  const members = Math.floor((REQUEST_BYTES_TARGET - 200) / member.length);
  const value = Buffer.concat(Array.from({ length: members }, () => member));
  return {
    records: messageV1(members * perMember - 1, GZIP, value),
    innerMessages: members * perMember,
    inflatedBytes: members * chunk.length,
  };
}

test('row20LegacyGzipBombIsRefusedWithinOneSecondWithoutStallOrMemoryGrowth', async () => {
  const bomb = legacyGzipBomb();
  expect(bomb.innerMessages).toBeGreaterThan(5_000_000);
  expect(bomb.inflatedBytes).toBeGreaterThan(200 * MIB);
  // Produce v2: acks, timeout, [topic, [partition, records]]
  const body = [
    int16(1),
    int32(10_000),
    array([Buffer.concat([string(TOPIC), array([Buffer.concat([int32(0), bytes(bomb.records)])])])]),
  ];
  expect(body.reduce((n, b) => n + b.length, 0)).toBeGreaterThan(900 * 1000);

  const pid = broker.pid!;
  const rssBefore = rssBytes(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(pid))), 5);
  const { result: { r, ms }, report } = await probeApiVersionsWhile(broker, async () => {
    const started = performance.now();
    const r = await sendHandBuilt(broker, ApiKey.Produce, 2, body);
    return { r, ms: performance.now() - started };
  });
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssBytes(pid));

  const p = r.responses[0].partitionResponses[0];
  expect(errorName(p.errorCode)).toBe('RECORD_LIST_TOO_LARGE');
  expect(Number(p.baseOffset)).toBe(-1);
  expect(ms).toBeLessThan(1000);
  expectNoStall(report, 'legacy gzip bomb');
  expect((rssPeak - rssBefore) / MIB).toBeLessThan(100);

  const stored = await stillServes(cluster, { pids, topic: TOPIC });
  expect(stored).toHaveLength(1); // only kcat's value: nothing of the bomb was appended
});
