import { decodeBatches, isControl, lastOffsetOf } from '@samsa/protocol';
import type { OffsetsLog } from '../group/GroupMetadataReplay';
import { readTransactionLogKey, readTransactionLogValue } from './TransactionLog';
import type { TransactionMetadata } from './TransactionMetadata';

/**
 * Reads one __transaction_state partition from its log start to `logEndOffset()` (Kafka's
 * loadTransactionMetadata): the last record of each transactional id wins, a tombstone removes
 * it. Stops early when `logEndOffset()` is -1 (no longer the leader) or `shouldStop()`.
 */
export async function replayTransactionLog(
  log: OffsetsLog,
  opts: { loadBufferSize: number; logEndOffset: () => number; shouldStop: () => boolean },
): Promise<Map<string, TransactionMetadata>> {
  const loaded = new Map<string, TransactionMetadata>();
  let currOffset = log.logStartOffset;
  while (currOffset < opts.logEndOffset() && !opts.shouldStop()) {
    let info = log.read(currOffset, opts.loadBufferSize, { isolation: 'logEnd', minOneMessage: true });
    if (info.records.sizeInBytes === 0 && log.whenWritten) {
      // below the log end yet nothing to read: the tail is still queued for write(2)
      await log.whenWritten().catch(() => undefined);
      if (currOffset >= opts.logEndOffset() || opts.shouldStop()) break;
      info = log.read(currOffset, opts.loadBufferSize, { isolation: 'logEnd', minOneMessage: true });
    }
    if (info.records.sizeInBytes === 0) break;
    let next: number | null = null;
    for (const batch of decodeBatches(await info.records.read())) {
      next = lastOffsetOf(batch.header) + 1;
      if (isControl(batch.header.attributes)) continue;
      for (const record of batch.records) {
        if (record.key === null) throw new Error(`a record of __transaction_state at offset ${record.offset} has no key`);
        const transactionalId = readTransactionLogKey(record.key);
        if (record.value === null) loaded.delete(transactionalId);
        else loaded.set(transactionalId, readTransactionLogValue(transactionalId, record.value));
      }
    }
    if (next === null || next <= currOffset) break;
    currOffset = next;
  }
  return loaded;
}
