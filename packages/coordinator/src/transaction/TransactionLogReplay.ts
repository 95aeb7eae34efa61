import { decodeBatches, isControl, lastOffsetOf } from '@samsa/protocol';
import { readCoordinatorLog, type CoordinatorLoadOptions, type OffsetsLog } from '../group/GroupMetadataReplay';
import { readTransactionLogKey, readTransactionLogValue } from './TransactionLog';
import type { TransactionMetadata } from './TransactionMetadata';

/**
 * Reads one __transaction_state partition from its log start to `logEndOffset()` (Kafka's
 * loadTransactionMetadata): the last record of each transactional id wins, a tombstone removes
 * it. Stops early when `logEndOffset()` is -1 (no longer the leader) or `shouldStop()`.
 */
export async function replayTransactionLog(
  log: OffsetsLog,
  opts: CoordinatorLoadOptions,
): Promise<Map<string, TransactionMetadata>> {
  const loaded = new Map<string, TransactionMetadata>();
  await readCoordinatorLog(log, opts, (bytes) => {
    let next: number | null = null;
    for (const batch of decodeBatches(bytes)) {
      next = lastOffsetOf(batch.header) + 1;
      if (isControl(batch.header.attributes)) continue;
      for (const record of batch.records) {
        if (record.key === null) throw new Error(`a record of __transaction_state at offset ${record.offset} has no key`);
        const transactionalId = readTransactionLogKey(record.key);
        if (record.value === null) loaded.delete(transactionalId);
        else loaded.set(transactionalId, readTransactionLogValue(transactionalId, record.value));
      }
    }
    return next;
  });
  return loaded;
}
