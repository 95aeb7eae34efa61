import { gzipSync } from 'node:zlib';
import { ApiKey } from '@samsa/protocol';
import type { ZkClient } from '../../harness';
import type { BrokerHandle, ClusterHandle } from '../../harness/broker';
import { errorName } from '../../fault/support';
import {
  handBuiltBatch,
  handBuiltRecord,
  produceBody,
  rssBytes,
  sendHandBuilt,
  startSingleBroker,
  stillServes,
  stopSingleBroker,
} from './support';

/**
 * Issue 13, row 19 (the produce side), on one real broker: a record batch v2 of ~700 KB whose gzip
 * payload inflates to ~300 MiB (one gzip member of 1 MiB of records, repeated: gzip readers read
 * concatenated members) is refused with RECORD_LIST_TOO_LARGE — the leader inflates it only up to
 * 8 × max.message.bytes, where the codec stops — instead of being stored for a Fetch v0–3 to
 * down-convert later. Built byte by byte, CRC-32C computed here. The broker's RSS grows by less
 * than 100 MiB, and it still serves kcat as the same process.
 */
jest.setTimeout(90_000);

const TOPIC = 'batch-bomb';
const GZIP = 1;
const MIB = 1024 * 1024;

let cluster: ClusterHandle;
let broker: BrokerHandle;
let zk: ZkClient;
let pids: ReadonlyMap<number, number | undefined>;

beforeAll(async () => {
  ({ cluster, broker, zk, pids } = await startSingleBroker(TOPIC));
});

afterAll(() => stopSingleBroker({ cluster, zk }));

test('row19AGzipBatchInflatingToHundredsOfMiBIsRecordListTooLarge', async () => {
  // Records of 1 KiB of zeros with offset delta 0: identical bytes, so gzip compresses them ~1000×.
  const record = handBuiltRecord({ offsetDelta: 0, key: null, value: Buffer.alloc(1024) });
  const perMember = Math.floor(MIB / record.length);
  const member = gzipSync(Buffer.concat(Array.from({ length: perMember }, () => record)), { level: 9 });
  const members = 300;
  const payload = Buffer.concat(Array.from({ length: members }, () => member));
  expect(payload.length).toBeLessThan(1000 * 1000);
  const batch = handBuiltBatch({ records: payload, count: members * perMember, attributes: GZIP });

  const pid = broker.pid!;
  const rssBefore = rssBytes(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(pid))), 5);
  const body = await sendHandBuilt(broker, ApiKey.Produce, 8, produceBody(1, [{ name: TOPIC, partitions: [[0, batch]] }]));
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssBytes(pid));

  const p = body.responses[0].partitionResponses[0];
  expect(errorName(p.errorCode)).toBe('RECORD_LIST_TOO_LARGE');
  expect(Number(p.baseOffset)).toBe(-1);
  expect((rssPeak - rssBefore) / MIB).toBeLessThan(100);

  const stored = await stillServes(cluster, { pids, topic: TOPIC });
  expect(stored).toHaveLength(1); // only kcat's value
});
