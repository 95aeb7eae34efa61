import { crc32c } from '@samsa/protocol';
import { readInt64, writeInt64 } from '../BatchCursor';
import { ProducerStateEntry } from './ProducerStateEntry';

/**
 * The producer state snapshot file (`<offset>.snapshot`), Kafka's layout byte for byte:
 *
 *   version int16 (1) | crc uint32: CRC-32C of everything after it | entry count int32 |
 *   per producer: producerId int64, producerEpoch int16, lastSequence int32, lastOffset int64,
 *   offsetDelta int32, timestamp int64, coordinatorEpoch int32, currentTxnFirstOffset int64 (-1: none)
 *
 * Only a producer's last batch is kept (a reloaded producer recognises a retry of that batch only).
 */
export const PRODUCER_SNAPSHOT_VERSION = 1;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = 6;
const HEADER_SIZE = 10;
const ENTRY_SIZE = 46;

/** Kafka's CorruptSnapshotException: the file is skipped and deleted, an older one used. */
export class CorruptSnapshotError extends Error {
  override readonly name = 'CorruptSnapshotError';
}

export function encodeProducerSnapshot(entries: readonly ProducerStateEntry[]): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE + entries.length * ENTRY_SIZE);
  buf.writeInt16BE(PRODUCER_SNAPSHOT_VERSION, 0);
  buf.writeInt32BE(entries.length, ENTRIES_OFFSET);
  let p = HEADER_SIZE;
  for (const e of entries) {
    writeInt64(buf, p, e.producerId);
    buf.writeInt16BE(e.producerEpoch, p + 8);
    buf.writeInt32BE(e.lastSeq, p + 10);
    writeInt64(buf, p + 14, e.lastDataOffset);
    buf.writeInt32BE(e.lastOffsetDelta, p + 22);
    writeInt64(buf, p + 26, e.lastTimestamp);
    buf.writeInt32BE(e.coordinatorEpoch, p + 34);
    writeInt64(buf, p + 38, e.currentTxnFirstOffset ?? -1);
    p += ENTRY_SIZE;
  }
  buf.writeUInt32BE(crc32c(buf, ENTRIES_OFFSET, buf.length), CRC_OFFSET);
  return buf;
}

/** The entries of a snapshot; CorruptSnapshotError for a wrong version, CRC or size. */
export function decodeProducerSnapshot(buf: Buffer): ProducerStateEntry[] {
  if (buf.length < HEADER_SIZE)
    throw new CorruptSnapshotError(`Snapshot failed schema validation: ${buf.length} bytes`);
  const version = buf.readInt16BE(0);
  if (version !== PRODUCER_SNAPSHOT_VERSION)
    throw new CorruptSnapshotError(`Snapshot contained an unknown file version ${version}`);
  const stored = buf.readUInt32BE(CRC_OFFSET);
  const computed = crc32c(buf, ENTRIES_OFFSET, buf.length);
  if (stored !== computed) {
    throw new CorruptSnapshotError(
      `Snapshot is corrupt (CRC is no longer valid). Stored crc: ${stored}. Computed crc: ${computed}`,
    );
  }
  const count = buf.readInt32BE(ENTRIES_OFFSET);
  if (count < 0 || HEADER_SIZE + count * ENTRY_SIZE !== buf.length) {
    throw new CorruptSnapshotError(`Snapshot failed schema validation: ${count} entries in ${buf.length} bytes`);
  }
  const entries: ProducerStateEntry[] = [];
  for (let i = 0, p = HEADER_SIZE; i < count; i++, p += ENTRY_SIZE) {
    const lastOffset = readInt64(buf, p + 14);
    const timestamp = readInt64(buf, p + 26);
    const txnFirst = readInt64(buf, p + 38);
    const entry = new ProducerStateEntry(
      readInt64(buf, p),
      buf.readInt16BE(p + 8),
      buf.readInt32BE(p + 34),
      timestamp,
      txnFirst >= 0 ? txnFirst : null,
    );
    if (lastOffset >= 0) {
      entry.batchMetadata.push({
        lastSeq: buf.readInt32BE(p + 10),
        lastOffset,
        offsetDelta: buf.readInt32BE(p + 22),
        timestamp,
      });
    }
    entries.push(entry);
  }
  return entries;
}
