import type { Logger, Time } from '@samsa/common';
import type { LogSegment } from '../LogSegment';
import { ProducerStateManager } from './ProducerStateManager';
import { rebuildProducerStateAsync } from './rebuildProducerState';
import { CorruptIndexError } from '../TransactionIndex';

/** transactional.id.expiration.ms's default: 7 days. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 7 * 24 * 60 * 60 * 1000;

export interface LoadProducerStateParams {
  readonly name: string;
  readonly dir: string;
  /** The log's segments after recovery, ascending. */
  readonly segments: readonly LogSegment[];
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** The recovery point checkpointed before this start (what was fsynced). */
  readonly recoveryPoint: number;
  readonly hadCleanShutdown: boolean;
  readonly maxProducerIdExpirationMs?: number;
  readonly time: Time;
  readonly logger: Logger;
}

/**
 * A partition's producer state at startup (Kafka's Log.loadProducerState): the latest snapshot at
 * or below what is known to be on disk (the log end after a clean shutdown, which wrote a snapshot
 * there; else the recovery point: a snapshot above it may describe bytes the crash lost), then the
 * batch headers after it replayed. Snapshots above that bound are deleted. A log closed cleanly with
 * no snapshot at all was written before producer state existed: it has no producers, and empty
 * snapshots at its end and at its last two segments' bases save scans after a later crash or
 * truncation.
 */
export async function loadProducerState(p: LoadProducerStateParams): Promise<ProducerStateManager> {
  const psm = new ProducerStateManager({
    name: p.name,
    dir: p.dir,
    maxProducerIdExpirationMs: p.maxProducerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
    time: p.time,
    logger: p.logger,
  });
  if (p.hadCleanShutdown && psm.latestSnapshotOffset === null) {
    // Empty snapshots at the last two segments' bases too, as Kafka takes them: a later truncation
    // below the end then replays at most a segment or two, not the whole log.
    const bases = p.segments.slice(-2).map((s) => s.baseOffset);
    for (const offset of [...bases, p.logEndOffset]) {
      if (offset <= p.logStartOffset && offset !== p.logEndOffset) continue;
      psm.updateMapEndOffset(offset);
      psm.takeSnapshot();
    }
    psm.updateMapEndOffset(p.logEndOffset);
    return psm;
  }
  const trusted = Math.max(
    p.hadCleanShutdown ? p.logEndOffset : Math.min(p.recoveryPoint, p.logEndOffset),
    p.logStartOffset,
  );
  psm.truncateAndReload(p.logStartOffset, trusted, p.time.milliseconds());
  // After a crash the `.txnindex` files may hold entries of markers the log lost, or miss some the
  // log has: they are cut back to what was flushed, and the markers after it indexed again.
  const txnIndexFrom = p.hadCleanShutdown ? Infinity : trusted;
  if (!p.hadCleanShutdown) {
    for (const s of p.segments) {
      try {
        s.txnIndex.sanityCheck();
        s.txnIndex.truncateTo(trusted);
      } catch (e) {
        if (!(e instanceof CorruptIndexError)) throw e;
        p.logger.warn(`${e.message}; emptying it, the markers after ${trusted} are indexed again`);
        s.txnIndex.reset();
      }
    }
  }
  const from = psm.mapEndOffset;
  const start = p.time.hiResMs();
  const segments = p.segments.filter(
    (s, i) => s.baseOffset < p.logEndOffset && (i + 1 === p.segments.length || p.segments[i + 1].baseOffset > from),
  );
  await rebuildProducerStateAsync(psm, segments, p.logEndOffset, txnIndexFrom);
  if (from < p.logEndOffset) {
    p.logger.info(
      `Reloaded producer state of ${p.name} from offset ${from} to ${p.logEndOffset} in ${(p.time.hiResMs() - start).toFixed(1)} ms (${psm.activeProducers.size} producer ids)`,
    );
  }
  psm.takeSnapshot();
  return psm;
}
