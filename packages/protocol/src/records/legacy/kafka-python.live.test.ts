import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPython, whyNoKafkaPython } from '../../testing/pythonProbe';
import { assignMessageSetOffsets, decodeMessageSet, encodeMessageSet, type LegacyRecordInput } from '.';

/**
 * Live cross-check with kafka-python 2.0.2's legacy record classes, both ways: sets its
 * LegacyRecordBatchBuilder builds we decode, and sets we encode (as Fetch v0–3 down-conversion
 * would) or re-offset (as Produce v0–2 would) its MemoryRecords reader decodes. Skipped, with the
 * reason printed, without /usr/bin/python3 and kafka-python.
 */

const why = whyNoKafkaPython();
if (why) console.log(`kafka-python legacy live test skipped: ${why}`);
const live = why ? describe.skip : describe;

interface PyRecord {
  offset: number;
  timestamp: number;
  timestampType: number;
  key: string | null;
  value: string | null;
}

const READ = `
import json, sys
from kafka.record import MemoryRecords
out = []
for path in json.load(sys.stdin):
    recs = []
    mr = MemoryRecords(open(path, 'rb').read())
    while True:
        batch = mr.next_batch()
        if batch is None:
            break
        for r in batch:
            recs.append({'offset': r.offset, 'timestamp': -1 if r.timestamp is None else r.timestamp,
                         'timestampType': -1 if r.timestamp_type is None else r.timestamp_type,
                         'key': None if r.key is None else bytes(r.key).hex(),
                         'value': None if r.value is None else bytes(r.value).hex()})
    out.append(recs)
print(json.dumps(out))
`;

const BUILD = `
import json, sys
from kafka.record.legacy_records import LegacyRecordBatchBuilder
out = []
for job in json.load(sys.stdin):
    b = LegacyRecordBatchBuilder(magic=job['magic'], compression_type=job['codec'], batch_size=1 << 24)
    for i, r in enumerate(job['records']):
        b.append(i, timestamp=r['timestamp'], key=None if r['key'] is None else bytes.fromhex(r['key']),
                 value=None if r['value'] is None else bytes.fromhex(r['value']))
    open(job['path'], 'wb').write(bytes(b.build()))
    out.append(job['path'])
print(json.dumps(out))
`;

const hex = (b: Buffer | null | undefined) => (b == null ? null : b.toString('hex'));

const RECORDS: LegacyRecordInput[] = Array.from({ length: 40 }, (_, i) => ({
  timestamp: 1_650_000_000_000 + i * 7,
  key: i % 5 === 0 ? null : Buffer.from(`key-${i}`),
  value: i % 11 === 3 ? null : Buffer.from(`value ${i} `.repeat(i)),
}));

live('kafka-python legacy message sets, live', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-legacy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // kafka-python 2.0.2 has no zstd for magic < 2
  const combos = [0, 1].flatMap((magic) => [0, 1, 2, 3].map((codec) => ({ magic: magic as 0 | 1, codec })));

  it('kafka-python reads what we encode and what we re-offset', () => {
    const paths: string[] = [];
    for (const { magic, codec } of combos) {
      const encoded = encodeMessageSet(RECORDS, { magic, codec, baseOffset: 3000 });
      writeFileSync(join(dir, `ours-${magic}-${codec}.bin`), encoded);
      paths.push(join(dir, `ours-${magic}-${codec}.bin`));
      const produced = encodeMessageSet(RECORDS, { magic, codec });
      const assigned = assignMessageSetOffsets(produced, 9000);
      writeFileSync(join(dir, `assigned-${magic}-${codec}.bin`), assigned.records);
      paths.push(join(dir, `assigned-${magic}-${codec}.bin`));
    }
    const decoded = runPython<PyRecord[][]>(READ, paths);
    decoded.forEach((records, i) => {
      const { magic } = combos[i >> 1];
      const base = i % 2 === 0 ? 3000 : 9000;
      expect(records).toEqual(
        RECORDS.map((r, j) => ({
          offset: base + j,
          timestamp: magic === 0 ? -1 : r.timestamp,
          timestampType: magic === 0 ? -1 : 0,
          key: hex(r.key),
          value: hex(r.value),
        })),
      );
    });
  });

  it('we read what kafka-python builds, and what kafka-python reads back after we re-offset it', () => {
    const jobs = combos.map(({ magic, codec }) => ({
      magic,
      codec,
      path: join(dir, `theirs-${magic}-${codec}.bin`),
      records: RECORDS.map((r) => ({ timestamp: r.timestamp, key: hex(r.key), value: hex(r.value) })),
    }));
    const built = runPython<string[]>(BUILD, jobs);
    const reoffset: string[] = [];
    built.forEach((path, i) => {
      const { magic, codec } = combos[i];
      const buf = readFileSync(path);
      const records = decodeMessageSet(buf);
      expect(records.map((r) => [r.offset, r.timestamp, hex(r.key), hex(r.value), r.codec])).toEqual(
        RECORDS.map((r, j) => [j, magic === 0 ? -1 : r.timestamp, hex(r.key), hex(r.value), codec]),
      );
      const assigned = assignMessageSetOffsets(buf, 123_456);
      writeFileSync(`${path}.assigned`, assigned.records);
      reoffset.push(`${path}.assigned`);
    });
    const decoded = runPython<PyRecord[][]>(READ, reoffset);
    for (const records of decoded)
      expect(records.map((r) => r.offset)).toEqual(RECORDS.map((_, j) => 123_456 + j));
  });
});
