import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignMessageSetOffsets, decodeMessageSet, validateMessageSet, type LegacyRecord } from '.';

/**
 * Message sets built by kafka-python 2.0.2's LegacyRecordBatchBuilder (gen-fixtures.sh), with the
 * records kafka-python's own reader decodes from them; ours must decode the same, exactly.
 */

interface ExpectedRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: number;
  readonly key: string | null;
  readonly value: string | null;
}

interface Fixture {
  readonly file: string;
  readonly magic: 0 | 1;
  readonly codec: number;
  readonly style: 'produce' | 'fetch' | 'mixed';
  readonly records: ExpectedRecord[];
}

const dir = join(__dirname, 'fixtures');
const manifest: Fixture[] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const load = (f: Fixture): Buffer => readFileSync(join(dir, f.file));
const plain = (records: LegacyRecord[]): ExpectedRecord[] =>
  records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: r.key === null ? null : r.key.toString('hex'),
    value: r.value === null ? null : r.value.toString('hex'),
  }));

const TIMESTAMPS = [1600000000000, 1600000005000, 1600000001000, 1600000005000, 1600000002000];
const cases = manifest.map((f) => [f.file, f] as const);
const produceCases = manifest.filter((f) => f.style === 'produce').map((f) => [f.file, f] as const);

describe('kafka-python message sets', () => {
  it('cover magic 0 and 1 with none, gzip, snappy and lz4', () => {
    for (const magic of [0, 1]) {
      for (const codec of [0, 1, 2, 3]) {
        expect(manifest.filter((f) => f.magic === magic && f.codec === codec).length).toBeGreaterThanOrEqual(
          2,
        );
      }
    }
  });

  it.each(cases)('%s decodes as kafka-python decodes it', (_file, f) => {
    const records = decodeMessageSet(load(f));
    expect(plain(records)).toEqual(f.records);
    for (const r of records) expect(r.magic).toBe(f.magic);
    if (f.style !== 'mixed') for (const r of records) expect(r.codec).toBe(f.codec);
  });

  it.each(produceCases)('%s validates as a Produce v0–2 set', (_file, f) => {
    const buf = load(f);
    const info = validateMessageSet(buf);
    expect(info).toEqual({
      magic: f.magic,
      codec: f.codec,
      count: 5,
      shallowCount: f.codec === 0 ? 5 : 1,
      firstOffset: 0,
      lastOffset: 4,
      maxTimestamp: f.magic === 0 ? -1 : 1600000005000,
      offsetOfMaxTimestamp: f.magic === 0 ? -1 : 1,
      validBytes: buf.length,
    });
  });

  it.each(produceCases)('%s gets offsets assigned', (_file, f) => {
    const buf = Buffer.from(load(f));
    const assigned = assignMessageSetOffsets(buf, 5000);
    const inPlace = f.codec === 0 || f.magic === 1;
    expect(assigned.inPlace).toBe(inPlace);
    if (inPlace) expect(assigned.records.buffer).toBe(buf.buffer);
    expect(assigned.count).toBe(5);
    expect(assigned.lastOffset).toBe(5004);
    expect(assigned.codec).toBe(f.codec);
    expect(assigned.maxTimestamp).toBe(f.magic === 0 ? -1 : 1600000005000);
    // Kafka: the wrapper's offset when compressed, even without timestamps (MemoryRecordsBuilder.info)
    expect(assigned.shallowOffsetOfMaxTimestamp).toBe(f.codec !== 0 ? 5004 : f.magic === 0 ? -1 : 5001);
    const records = decodeMessageSet(assigned.records);
    expect(records.map((r) => r.offset)).toEqual([5000, 5001, 5002, 5003, 5004]);
    expect(plain(records).map(({ offset: _o, ...rest }) => rest)).toEqual(
      f.records.map(({ offset: _o, ...rest }) => rest),
    );
    if (f.magic === 1) expect(records.map((r) => r.timestamp)).toEqual(TIMESTAMPS);
  });

  it('fixes the wrapper timestamp kafka-python leaves at 0, recomputing that CRC only', () => {
    const f = manifest.find((x) => x.file === 'v1-gzip-produce.bin')!;
    const original = load(f);
    expect(original.readBigInt64BE(18)).toBe(0n);
    const buf = Buffer.from(original);
    const assigned = assignMessageSetOffsets(buf, 77);
    expect(buf.readBigInt64BE(0)).toBe(81n);
    expect(buf.readBigInt64BE(18)).toBe(1600000005000n);
    expect(buf.subarray(26).equals(original.subarray(26))).toBe(true);
    expect(validateMessageSet(assigned.records).lastOffset).toBe(81);
  });

  it('rebuilds a mixed set with a trailing partial message into one wrapper', () => {
    const f = manifest.find((x) => x.style === 'mixed')!;
    const buf = load(f);
    const info = validateMessageSet(buf);
    expect(info.count).toBe(f.records.length);
    expect(info.shallowCount).toBe(2 + 1 + 4);
    expect(info.validBytes).toBeLessThan(buf.length);
    const assigned = assignMessageSetOffsets(Buffer.from(buf), 0);
    expect(assigned.inPlace).toBe(false);
    const records = decodeMessageSet(assigned.records);
    expect(validateMessageSet(assigned.records).shallowCount).toBe(1);
    expect(records.map((r) => r.offset)).toEqual(f.records.map((_, i) => i));
    expect(records.map((r) => r.value?.toString('hex') ?? null)).toEqual(f.records.map((r) => r.value));
    expect(records.every((r) => r.codec === 1)).toBe(true);
  });
});
