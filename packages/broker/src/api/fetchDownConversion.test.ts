import { buildBatch, CompressionType, decodeMessageSet } from '@samsa/protocol';
import { downConvertRecords } from './fetchDownConversion';

const MiB = 1024 * 1024;

function batch(values: readonly string[], opts: { baseOffset?: number; compression?: number } = {}): Buffer {
  return buildBatch(
    values.map((v, i) => ({ key: `k${i}`, value: v, timestamp: 1_700_000_000_000 + i, offsetDelta: i })),
    { baseOffset: opts.baseOffset ?? 0, compression: opts.compression ?? CompressionType.None, baseTimestamp: 1_700_000_000_000 },
  );
}

const values = (n: number, size = 10) => Array.from({ length: n }, (_, i) => String(i).padStart(size, 'x'));

describe('downConvertRecords (Fetch v0–3)', () => {
  it('converts every record with its offset, key, value and (magic 1) timestamp', async () => {
    const stored = Buffer.concat([batch(values(3)), batch(values(2), { baseOffset: 3, compression: CompressionType.Gzip })]);
    const out = await downConvertRecords(stored, { magic: 1, fetchOffset: 0, maxBytes: MiB, hardMaxBytes: MiB });
    const msgs = decodeMessageSet(out);
    expect(msgs.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(msgs.map((m) => m.value!.toString())).toEqual([...values(3), ...values(2)]);
    expect(msgs[1].key!.toString()).toBe('k1');
    expect(msgs[1].timestamp).toBe(1_700_000_000_001);
    expect(msgs.every((m) => m.magic === 1)).toBe(true);
    const v0 = decodeMessageSet(await downConvertRecords(stored, { magic: 0, fetchOffset: 0, maxBytes: MiB, hardMaxBytes: MiB }));
    expect(v0.map((m) => [m.magic, m.timestamp])).toEqual(Array(5).fill([0, -1]));
  });

  it('drops records below the fetch offset, also inside a batch', async () => {
    const out = await downConvertRecords(batch(values(10)), { magic: 1, fetchOffset: 7, maxBytes: MiB, hardMaxBytes: MiB });
    expect(decodeMessageSet(out).map((m) => m.offset)).toEqual([7, 8, 9]);
  });

  it('stops at maxBytes on a message boundary, but always converts the first message', async () => {
    const stored = batch(values(1000, 100), { compression: CompressionType.Gzip });
    const out = await downConvertRecords(stored, { magic: 1, fetchOffset: 0, maxBytes: 1000, hardMaxBytes: MiB });
    expect(out.length).toBeLessThanOrEqual(1000);
    const msgs = decodeMessageSet(out);
    expect(msgs.length).toBeGreaterThan(0);
    expect(msgs.length).toBeLessThan(1000);
    expect(msgs.map((m) => m.offset)).toEqual(msgs.map((_, i) => i));
    const tiny = await downConvertRecords(stored, { magic: 1, fetchOffset: 5, maxBytes: 1, hardMaxBytes: MiB });
    expect(decodeMessageSet(tiny).map((m) => m.offset)).toEqual([5]);
  });

  it('sends a first message larger than hardMaxBytes as a partial message (offset and size only)', async () => {
    const big = batch(['y'.repeat(100_000)], { baseOffset: 42, compression: CompressionType.Gzip });
    const out = await downConvertRecords(big, { magic: 1, fetchOffset: 42, maxBytes: 10, hardMaxBytes: 50_000 });
    expect(out.length).toBe(12);
    expect(Number(out.readBigInt64BE(0))).toBe(42);
    expect(out.readInt32BE(8)).toBeGreaterThan(100_000);
    expect(decodeMessageSet(out)).toEqual([]); // a trailing partial message, as old clients read it
  });

  it('inflates a gzip bomb only as far as the budget, yielding to the event loop', async () => {
    // 1M records of an empty value: ~8 MB inflated, 34 MB as magic 1 messages.
    const stored = buildBatch(
      Array.from({ length: 1_000_000 }, (_, i) => ({ key: null, value: null, offsetDelta: i })),
      { compression: CompressionType.Gzip },
    );
    // Turns of the event loop while it runs, counted by setImmediate: a 1 ms timer never fired when a
    // fast machine finished the conversion within a millisecond (this test failed a CI run so). A
    // converter that never yields gives 0 turns.
    let ticks = 0;
    let done = false;
    const turn = (): void => {
      if (done) return;
      ticks++;
      setImmediate(turn);
    };
    setImmediate(turn);
    const started = performance.now();
    const out = await downConvertRecords(stored, { magic: 1, fetchOffset: 0, maxBytes: 256 * 1024, hardMaxBytes: MiB });
    const elapsedMs = performance.now() - started;
    done = true;
    expect(out.length).toBeLessThanOrEqual(256 * 1024);
    expect(decodeMessageSet(out).length).toBe(Math.floor((256 * 1024) / 34));
    expect(elapsedMs).toBeLessThan(5_000);
    expect(ticks).toBeGreaterThan(0);
  });

  it('skips a batch wholly below the fetch offset without inflating it', async () => {
    const stored = Buffer.concat([batch(['a', 'b'], { compression: CompressionType.Gzip }), batch(['c'], { baseOffset: 2 })]);
    stored.fill(0xff, 61, 70); // the first batch's gzip payload is garbage now: never read
    const out = await downConvertRecords(stored, { magic: 1, fetchOffset: 2, maxBytes: MiB, hardMaxBytes: MiB });
    expect(decodeMessageSet(out).map((m) => m.offset)).toEqual([2]);
  });
});
