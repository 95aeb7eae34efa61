import * as fs from 'node:fs';
import { CorruptSnapshotError, decodeAbortedTxns, decodeProducerSnapshot } from '@samsa/storage';
import type { Emit } from './LogDump';

/**
 * kafka-dump-log of a producer state `.snapshot` and a transaction `.txnindex` (Kafka 2.1
 * DumpLogSegments.dumpProducerIdSnapshot / dumpTxnIndex). Both are read with storage's own readers
 * (the broker writes them; one layout, one place). A `.txnindex` holds 34-byte aborted
 * transactions: version int16 (0), producerId, firstOffset, lastOffset, lastStableOffset (int64
 * each); a version Kafka does not know fails the dump of that file, as Kafka's iterator does.
 */

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
  for (const txn of decodeAbortedTxns(fs.readFileSync(file))) {
    const t = { version: 0, ...txn };
    out(
      json
        ? JSON.stringify({ type: 'abortedTxn', ...t })
        : `version: ${t.version} producerId: ${t.producerId} firstOffset: ${t.firstOffset} ` +
            `lastOffset: ${t.lastOffset} lastStableOffset: ${t.lastStableOffset}`,
    );
  }
}
