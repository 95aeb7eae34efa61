import { Attribute, BatchField } from '@samsa/protocol';
import { BatchCursor, readInt64 } from '../BatchCursor';
import type { LogSegment } from '../LogSegment';
import type { CompletedTxnListener, ProducerStateManager } from './ProducerStateManager';

/**
 * Replays the batch headers of `segments` from the state's map end up to `endOffset` into the
 * producer state (Kafka's Log.loadProducersFromRecords): only the 61-byte headers are read, so the
 * cost is one small read per batch however large the batches are (and the one record of each
 * end-transaction marker). Aborted transactions whose marker is at or after `txnIndexFrom` are
 * written to their segment's `.txnindex` again (recovery: the index was cut back to there).
 */
export function rebuildProducerState(
  psm: ProducerStateManager,
  segments: readonly LogSegment[],
  endOffset: number,
  txnIndexFrom = Infinity,
): void {
  for (const segment of segments) {
    const cursor = cursorFrom(psm, segment);
    if (cursor === null) continue;
    const onCompleted = txnIndexWriter(segment, txnIndexFrom);
    while (cursor.next(false) && fold(psm, segment, cursor, endOffset, onCompleted));
  }
  psm.updateMapEndOffset(endOffset);
}

/** `rebuildProducerState` reading on libuv's pool (loading at startup). */
export async function rebuildProducerStateAsync(
  psm: ProducerStateManager,
  segments: readonly LogSegment[],
  endOffset: number,
  txnIndexFrom = Infinity,
): Promise<void> {
  for (const segment of segments) {
    const cursor = cursorFrom(psm, segment);
    if (cursor === null) continue;
    const onCompleted = txnIndexWriter(segment, txnIndexFrom);
    while ((await cursor.nextAsync(false)) && fold(psm, segment, cursor, endOffset, onCompleted));
  }
  psm.updateMapEndOffset(endOffset);
}

function txnIndexWriter(segment: LogSegment, from: number): CompletedTxnListener | undefined {
  if (from === Infinity) return undefined;
  return (txn, lastStableOffset) => {
    if (txn.lastOffset >= from) segment.updateTxnIndex(txn, lastStableOffset);
  };
}

function cursorFrom(psm: ProducerStateManager, segment: LogSegment): BatchCursor | null {
  const from = psm.mapEndOffset;
  if (from <= segment.baseOffset) return new BatchCursor(segment.log, 0, segment.log.size, 64 * 1024);
  const at = segment.translateOffset(from);
  return at === null ? null : new BatchCursor(segment.log, at.position, segment.log.size, 64 * 1024);
}

/** Folds the cursor's batch in; false once it starts at or past `endOffset`. */
function fold(
  psm: ProducerStateManager,
  segment: LogSegment,
  cursor: BatchCursor,
  endOffset: number,
  onCompleted: CompletedTxnListener | undefined,
): boolean {
  const buf = cursor.buf;
  const base = readInt64(buf, cursor.offset);
  if (base >= endOffset) return false;
  // Batches ending below the map end are in the state already. The map end is a batch boundary,
  // except at the log start, which DeleteRecords may put inside a batch: that batch is replayed
  // (its producer is still in the log, as Kafka reads from the batch holding the log start).
  if (base + buf.readInt32BE(cursor.offset + BatchField.LAST_OFFSET_DELTA) >= psm.mapEndOffset) {
    const isControl = (buf.readInt16BE(cursor.offset + BatchField.ATTRIBUTES) & Attribute.CONTROL) !== 0;
    if (isControl && !cursor.hasWholeBatch) {
      // A marker's record is read too; the cursor holds only headers for sure.
      psm.replayBatch(segment.log.readSync(cursor.position, cursor.size), 0, onCompleted);
    } else psm.replayBatch(buf, cursor.offset, onCompleted);
  }
  return true;
}
