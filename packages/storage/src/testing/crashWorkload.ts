import { buildBatch } from '@samsa/protocol';

/**
 * The crash test's data: the batch appended at a given base offset is a pure function of that
 * offset, so the verifier can tell a right batch from a wrong one without talking to the writer.
 */
export const CRASH_TOPIC = { topic: 'crash', partition: 0 };
export const CRASH_BASE_TIMESTAMP = 1_600_000_000_000;

function bytesFor(offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = (offset * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

export function recordCountAt(baseOffset: number): number {
  return 1 + (baseOffset % 7);
}

/** Every 40th batch is large (up to ~840 KB) so that kills land inside big writes too. */
export function valueBytesAt(baseOffset: number): number {
  return baseOffset % 40 === 3 ? 120_000 : 50 + ((baseOffset * 7919) % 3000);
}

export function expectedValue(baseOffset: number, i: number): Buffer {
  return bytesFor(baseOffset * 8 + i, valueBytesAt(baseOffset));
}

export function crashBatch(baseOffset: number): Buffer {
  const n = recordCountAt(baseOffset);
  const records = [];
  for (let i = 0; i < n; i++) {
    records.push({
      key: `k${(baseOffset + i) % 100}`,
      value: expectedValue(baseOffset, i),
      timestamp: CRASH_BASE_TIMESTAMP + baseOffset + i,
    });
  }
  return buildBatch(records, { baseTimestamp: CRASH_BASE_TIMESTAMP + baseOffset });
}
