import {
  BatchField,
  buildBatch,
  compress,
  CompressionType,
  crc32,
  crc32c,
  encodeMessageSet,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  type LegacyRecordInput,
  type RecordInput,
} from '@samsa/protocol';
import { IN_PLACE_KINDS, mutate } from './mutate';
import { smallLength, weighted, type Rng } from './random';

/**
 * Record payloads whose checksums are right over wrong content: a record batch v2 (or a legacy
 * v0/v1 message set) is built valid, its content is mutated, and its CRC-32C (CRC-32) is computed
 * again, so the broker's validation past the checksum (counts, lengths, offsets, compression,
 * magic) is what meets the damage. Compressed batches are damaged two ways: in the compressed
 * bytes, and in the records before they are compressed again.
 */

export interface FuzzRecords {
  readonly bytes: Buffer;
  /** How it was made, for the failure report. */
  readonly description: string;
}

const CODECS: readonly (readonly [number, CompressionType])[] = [
  [4, CompressionType.None],
  [2, CompressionType.Gzip],
  [1, CompressionType.Snappy],
  [1, CompressionType.Lz4],
  [1, CompressionType.Zstd],
];

/**
 * Record timestamps are fixed, not the clock's, so a case's bytes replay exactly. 2027-01-15: ahead
 * of today, so time-based retention leaves the fuzzed segments alone.
 */
const FUZZ_TIMESTAMP_MS = 1_800_000_000_000;

const codecName = (c: CompressionType): string => CompressionType[c].toLowerCase();

function randomRecords(rng: Rng): RecordInput[] {
  const now = FUZZ_TIMESTAMP_MS + rng.int(0, 1000);
  return Array.from({ length: rng.int(1, 6) }, (_, i) => ({
    key: rng.bool(0.3) ? null : rng.bytes(smallLength(rng, 40)),
    value: rng.bool(0.1) ? null : rng.bytes(smallLength(rng, 300)),
    headers: rng.bool(0.2) ? [{ key: 'h', value: rng.bytes(smallLength(rng, 16)) }] : [],
    timestamp: now + i,
  }));
}

/** CRC-32C from attributes to the end, as a producer writes it; batchLength fitted unless told not to. */
function sealBatch(batch: Buffer, { fitLength = true }: { fitLength?: boolean } = {}): Buffer {
  if (batch.length < RECORD_BATCH_OVERHEAD) return batch;
  if (fitLength) batch.writeInt32BE(batch.length - LOG_OVERHEAD, BatchField.BATCH_LENGTH);
  batch.writeUInt32BE(crc32c(batch, BatchField.ATTRIBUTES, batch.length), BatchField.CRC);
  return batch;
}

/** A batch v2 whose header is `template`'s and whose records section is `records` (already compressed or not). */
function withRecords(template: Buffer, records: Buffer): Buffer {
  return Buffer.concat([template.subarray(0, RECORD_BATCH_OVERHEAD), records]);
}

/** One record batch v2, valid or damaged under a recomputed CRC-32C. */
export function fuzzRecordBatch(rng: Rng): FuzzRecords {
  const codec = weighted(rng, CODECS);
  const records = randomRecords(rng);
  const valid = buildBatch(records, { compression: codec });
  const plain = codec === CompressionType.None ? valid : buildBatch(records, {});
  const strategy = weighted(rng, [
    [1, 'valid'],
    [3, 'header'],
    [4, 'records'],
    [codec === CompressionType.None ? 0 : 3, 'compressedBytes'],
    [1, 'batchLength'],
    [1, 'magic'],
    [1, 'twoBatches'],
  ] as const);
  const what = `batch v2 ${codecName(codec)} (${records.length} records) ${strategy}`;
  switch (strategy) {
    case 'valid':
      return { bytes: valid, description: what };
    case 'header': {
      // attributes … recordsCount: codec bits, counts, deltas, timestamps, producer fields
      const header = valid.subarray(BatchField.ATTRIBUTES, RECORD_BATCH_OVERHEAD);
      const m = mutate(header, rng, { kinds: IN_PLACE_KINDS, count: rng.int(1, 2) });
      const out = Buffer.concat([
        valid.subarray(0, BatchField.ATTRIBUTES),
        m.bytes,
        valid.subarray(RECORD_BATCH_OVERHEAD),
      ]);
      return {
        bytes: sealBatch(out),
        description: `${what} [${m.ops.map((o) => `hdr+${BatchField.ATTRIBUTES}:${o}`).join(' ')}]`,
      };
    }
    case 'records': {
      // the records themselves (before compression): varint lengths, deltas, keys, headers
      const m = mutate(plain.subarray(RECORD_BATCH_OVERHEAD), rng);
      const body = codec === CompressionType.None ? m.bytes : compress(codec, m.bytes);
      return { bytes: sealBatch(withRecords(valid, body)), description: `${what} [${m.ops.join(' ')}]` };
    }
    case 'compressedBytes': {
      const m = mutate(valid.subarray(RECORD_BATCH_OVERHEAD), rng);
      return { bytes: sealBatch(withRecords(valid, m.bytes)), description: `${what} [${m.ops.join(' ')}]` };
    }
    case 'batchLength': {
      const out = Buffer.from(valid);
      const v = rng.pick([
        0,
        1,
        48,
        49,
        out.length - LOG_OVERHEAD - 1,
        out.length - LOG_OVERHEAD + 1,
        0x7fffffff,
        -1,
      ]);
      out.writeInt32BE(v, BatchField.BATCH_LENGTH);
      return { bytes: sealBatch(out, { fitLength: false }), description: `${what} [batchLength=${v}]` };
    }
    case 'magic': {
      const out = Buffer.from(valid);
      const v = rng.pick([0, 1, 3, 0x7f, -1]);
      out.writeInt8(v, BatchField.MAGIC);
      return { bytes: sealBatch(out), description: `${what} [magic=${v}]` };
    }
    case 'twoBatches': {
      const second = fuzzRecordBatch(rng);
      return { bytes: Buffer.concat([valid, second.bytes]), description: `${what} + ${second.description}` };
    }
  }
}

/** Legacy entry layout: offset int64, size int32, crc uint32 @12, magic @16, … */
const SIZE_FIELD = 8;
const CRC_FIELD = 12;
const MAGIC_FIELD = 16;
const ENTRY_OVERHEAD = 12;

/** Recomputes the CRC-32 of every entry whose size field stays inside the buffer. */
function sealMessageSet(set: Buffer): Buffer {
  let pos = 0;
  while (set.length - pos >= ENTRY_OVERHEAD + 5) {
    const size = set.readInt32BE(pos + SIZE_FIELD);
    const end = pos + ENTRY_OVERHEAD + size;
    if (size < 5 || end > set.length) break;
    set.writeUInt32BE(crc32(set, pos + MAGIC_FIELD, end), pos + CRC_FIELD);
    pos = end;
  }
  return set;
}

/** One wrapper message around `value` (any bytes), with a valid CRC-32. */
function wrapper(magic: 0 | 1, codec: CompressionType, value: Buffer, offset: number): Buffer {
  const head = magic === 1 ? 22 : 14; // crc, magic, attributes, [timestamp], key length, value length
  const out = Buffer.alloc(ENTRY_OVERHEAD + head + value.length);
  out.writeInt32BE(0, 0);
  out.writeInt32BE(offset, 4);
  out.writeInt32BE(out.length - ENTRY_OVERHEAD, SIZE_FIELD);
  out.writeInt8(magic, MAGIC_FIELD);
  out.writeInt8(codec, MAGIC_FIELD + 1);
  let p = MAGIC_FIELD + 2;
  if (magic === 1) {
    out.writeInt32BE(Math.floor(FUZZ_TIMESTAMP_MS / 0x100000000), p);
    out.writeUInt32BE(FUZZ_TIMESTAMP_MS % 0x100000000, p + 4);
    p += 8;
  }
  out.writeInt32BE(-1, p);
  out.writeInt32BE(value.length, p + 4);
  value.copy(out, p + 8);
  return sealMessageSet(out);
}

/** A magic 0 or 1 message set (Produce v0–2), valid or damaged under recomputed CRC-32s. */
export function fuzzMessageSet(rng: Rng, magic: 0 | 1): FuzzRecords {
  const codec = weighted(
    rng,
    CODECS.filter(([, c]) => c !== CompressionType.Zstd),
  );
  const records: LegacyRecordInput[] = randomRecords(rng).map((r, i) => ({
    offset: i,
    timestamp: magic === 1 ? FUZZ_TIMESTAMP_MS : undefined,
    key: r.key as Buffer | null,
    value: r.value as Buffer | null,
  }));
  const valid = encodeMessageSet(records, { magic, codec });
  const inner = encodeMessageSet(records, { magic });
  const strategy = weighted(rng, [
    [1, 'valid'],
    [4, 'messages'],
    [codec === CompressionType.None ? 0 : 3, 'innerMessages'],
    [codec === CompressionType.None ? 0 : 2, 'compressedBytes'],
  ] as const);
  const what = `message set v${magic} ${codecName(codec)} (${records.length} records) ${strategy}`;
  switch (strategy) {
    case 'valid':
      return { bytes: valid, description: what };
    case 'messages': {
      // past the first entry's CRC: magic, attributes, timestamp, key and value lengths, sizes of later entries
      const m = mutate(valid, rng, { protectedBytes: MAGIC_FIELD });
      return { bytes: sealMessageSet(m.bytes), description: `${what} [${m.ops.join(' ')}]` };
    }
    case 'innerMessages': {
      const m = mutate(inner, rng, { protectedBytes: MAGIC_FIELD });
      const value = compress(codec, sealMessageSet(m.bytes));
      return {
        bytes: wrapper(magic, codec, value, records.length - 1),
        description: `${what} [${m.ops.join(' ')}]`,
      };
    }
    case 'compressedBytes': {
      const m = mutate(compress(codec, inner), rng);
      return {
        bytes: wrapper(magic, codec, m.bytes, records.length - 1),
        description: `${what} [${m.ops.join(' ')}]`,
      };
    }
  }
}
