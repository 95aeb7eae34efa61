import type { Log } from './Log';
import type { LogSegment } from './LogSegment';

/**
 * Retention (Kafka's Log.deleteOldSegments): whole segments go from the oldest end — never past the
 * segment holding the high watermark, never the active segment while it is empty. With
 * cleanup.policy containing `delete`: segments whose newest record is older than retention.ms, and
 * the oldest segments while the log is larger than retention.bytes. Always: segments wholly below
 * the log start offset (after DeleteRecords).
 */
export function deleteOldSegments(log: Log): number {
  if (log.config.delete) {
    return (
      deleteRetentionMsBreachedSegments(log) +
      deleteRetentionSizeBreachedSegments(log) +
      deleteLogStartOffsetBreachedSegments(log)
    );
  }
  return deleteLogStartOffsetBreachedSegments(log);
}

export function deleteRetentionMsBreachedSegments(log: Log): number {
  const retentionMs = log.config.retentionMs;
  if (retentionMs < 0) return 0;
  const startMs = log.deps.time.milliseconds();
  const deletable = deletableSegments(log, (segment) => startMs - segment.largestTimestamp > retentionMs);
  return log.deleteSegments(deletable, 'retention.ms');
}

export function deleteRetentionSizeBreachedSegments(log: Log): number {
  const retentionBytes = log.config.retentionBytes;
  const size = log.size;
  if (retentionBytes < 0 || size < retentionBytes) return 0;
  let diff = size - retentionBytes;
  const deletable = deletableSegments(log, (segment: LogSegment) => {
    if (diff - segment.size >= 0) {
      diff -= segment.size;
      return true;
    }
    return false;
  });
  return log.deleteSegments(deletable, 'retention.bytes');
}

export function deleteLogStartOffsetBreachedSegments(log: Log): number {
  const start = log.logStartOffset;
  const deletable = deletableSegments(
    log,
    (_segment, next) => next !== undefined && next.baseOffset <= start,
  );
  return log.deleteSegments(deletable, 'log start offset');
}

/**
 * Segments from the oldest while `predicate` holds, stopping at the one holding the high
 * watermark (so the log start never passes it); never an empty active segment.
 */
export function deletableSegments(
  log: Log,
  predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean,
): LogSegment[] {
  const segments = log.logSegments();
  const out: LogSegment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const next = segments[i + 1] as LogSegment | undefined;
    const upperBoundOffset = next ? next.baseOffset : log.logEndOffset;
    const isLastSegmentAndEmpty = next === undefined && segment.size === 0;
    if (log.highWatermark >= upperBoundOffset && predicate(segment, next) && !isLastSegmentAndEmpty)
      out.push(segment);
    else break;
  }
  return out;
}
