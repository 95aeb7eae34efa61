import * as fs from 'node:fs';
import { crc32c } from '@samsa/protocol';
import type { Emit } from './LogDump';

/**
 * kafka-dump-log of a producer state `.snapshot` and a transaction `.txnindex` (Kafka 2.1
 * DumpLogSegments.dumpProducerIdSnapshot / dumpTxnIndex). Neither file has a reader elsewhere in
 * Samsa yet, so their (small, fixed) layouts are read here:
 *
 * - snapshot: version int16 (1), crc uint32 (CRC-32C of the rest), entries int32 count, then per
 *   producer: producerId int64, epoch int16, lastSequence int32, lastOffset int64, offsetDelta
 *   int32, timestamp int64, coordinatorEpoch int32, currentTxnFirstOffset int64 (-1 for none).
 * - txnindex: 34-byte aborted transactions: version int16, producerId, firstOffset, lastOffset,
 *   lastStableOffset (int64 each).
 */
const TWO_32 = 4294967296;
const readInt64 = (b: Buffer, p: number): number => b.readInt32BE(p) * TWO_32 + b.readUInt32BE(p + 4);

const SNAPSHOT_ENTRY_SIZE = 46;
const TXN_ENTRY_SIZE = 34;

/** Kafka's CorruptSnapshotException: printed on stderr, the dump goes on. */
export class CorruptSnapshotError extends Error {
  override readonly name = 'CorruptSnapshotError';
}

/** DefaultRecordBatch.decrementSequence. */
function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? 2147483647 - (decrement - sequence) + 1 : sequence - decrement;
}

export function dumpProducerSnapshot(file: string, json: boolean, out: Emit): void {
  const buf = fs.readFileSync(file);
  if (buf.length < 10)
    throw new CorruptSnapshotError(`Snapshot failed schema validation: ${buf.length} bytes`);
  const version = buf.readInt16BE(0);
  if (version !== 1) throw new CorruptSnapshotError(`Snapshot contained an unknown file version ${version}`);
  const crc = buf.readUInt32BE(2);
  const computed = crc32c(buf, 6, buf.length);
  if (crc !== computed) {
    throw new CorruptSnapshotError(
      `Snapshot is corrupt (CRC is no longer valid). Stored crc: ${crc}. Computed crc: ${computed}`,
    );
  }
  const count = buf.readInt32BE(6);
  if (count < 0 || 10 + count * SNAPSHOT_ENTRY_SIZE > buf.length)
    throw new CorruptSnapshotError(
      `Snapshot failed schema validation: ${count} entries in ${buf.length} bytes`,
    );
  for (let i = 0, p = 10; i < count; i++, p += SNAPSHOT_ENTRY_SIZE) {
    const e = {
      producerId: readInt64(buf, p),
      producerEpoch: buf.readInt16BE(p + 8),
      lastSequence: buf.readInt32BE(p + 10),
      lastOffset: readInt64(buf, p + 14),
      offsetDelta: buf.readInt32BE(p + 22),
      timestamp: readInt64(buf, p + 26),
      coordinatorEpoch: buf.readInt32BE(p + 34),
      currentTxnFirstOffset: readInt64(buf, p + 38),
    };
    const firstSequence = decrementSequence(e.lastSequence, e.offsetDelta);
    if (json) {
      out(JSON.stringify({ type: 'producerSnapshot', ...e, firstSequence }));
      continue;
    }
    const txn = e.currentTxnFirstOffset >= 0 ? `Some(${e.currentTxnFirstOffset})` : 'None';
    out(
      `producerId: ${e.producerId} producerEpoch: ${e.producerEpoch} coordinatorEpoch: ${e.coordinatorEpoch} ` +
        `currentTxnFirstOffset: ${txn} firstSequence: ${firstSequence} lastSequence: ${e.lastSequence} ` +
        `lastOffset: ${e.lastOffset} offsetDelta: ${e.offsetDelta} timestamp: ${e.timestamp}`,
    );
  }
}

export function dumpTxnIndex(file: string, json: boolean, out: Emit): void {
  const buf = fs.readFileSync(file);
  for (let p = 0; p + TXN_ENTRY_SIZE <= buf.length; p += TXN_ENTRY_SIZE) {
    const t = {
      version: buf.readInt8(p), // Kafka reads the int16's first byte
      producerId: readInt64(buf, p + 2),
      firstOffset: readInt64(buf, p + 10),
      lastOffset: readInt64(buf, p + 18),
      lastStableOffset: readInt64(buf, p + 26),
    };
    out(
      json
        ? JSON.stringify({ type: 'abortedTxn', ...t })
        : `version: ${t.version} producerId: ${t.producerId} firstOffset: ${t.firstOffset} ` +
            `lastOffset: ${t.lastOffset} lastStableOffset: ${t.lastStableOffset}`,
    );
  }
}
