import * as fs from 'node:fs';
import { CorruptSnapshotError, decodeProducerSnapshot } from '@samsa/storage';
import type { Emit } from './LogDump';

/**
 * kafka-dump-log of a producer state `.snapshot` and a transaction `.txnindex` (Kafka 2.1
 * DumpLogSegments.dumpProducerIdSnapshot / dumpTxnIndex). Snapshots are read with storage's own
 * reader (the broker writes them; one layout, one place). The `.txnindex` has no reader elsewhere
 * yet (transactions are the next issue), so its small fixed layout is read here:
 * 34-byte aborted transactions: version int16, producerId, firstOffset, lastOffset,
 * lastStableOffset (int64 each).
 */
const TWO_32 = 4294967296;
const readInt64 = (b: Buffer, p: number): number => b.readInt32BE(p) * TWO_32 + b.readUInt32BE(p + 4);

const TXN_ENTRY_SIZE = 34;

/** Kafka's CorruptSnapshotException: printed on stderr, the dump goes on. */
export { CorruptSnapshotError };

export function dumpProducerSnapshot(file: string, json: boolean, out: Emit): void {
  for (const entry of decodeProducerSnapshot(fs.readFileSync(file))) {
    const e = {
      producerId: entry.producerId,
      producerEpoch: entry.producerEpoch,
      lastSequence: entry.lastSeq,
      lastOffset: entry.lastDataOffset,
      offsetDelta: entry.lastOffsetDelta,
      timestamp: entry.lastTimestamp,
      coordinatorEpoch: entry.coordinatorEpoch,
      currentTxnFirstOffset: entry.currentTxnFirstOffset ?? -1,
    };
    const firstSequence = entry.firstSeq;
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
