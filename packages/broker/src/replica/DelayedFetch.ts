import { ErrorCode } from '@samsa/protocol';
import type { DelayedOperation } from './DelayedOperationPurgatory';
import type { FetchPartitionResult } from './ReplicaManager';

/** Bytes of records a fetch's partition results carry. */
export function fetchedBytes(results: readonly FetchPartitionResult[]): number {
  let n = 0;
  for (const r of results) n += r.records?.sizeInBytes ?? 0;
  return n;
}

/** True when any partition of a fetch answers an error (the fetch then answers at once). */
export function hasFetchError(results: readonly FetchPartitionResult[]): boolean {
  return results.some((r) => r.errorCode !== ErrorCode.NONE);
}

/**
 * A fetch waiting in the fetch purgatory for min.bytes (Kafka's DelayedFetch): each append or high
 * watermark move on a partition it reads re-reads the local logs; it completes once the read holds
 * minBytes or an error, and at max.wait.ms answers whatever is there then.
 */
export class DelayedFetch implements DelayedOperation {
  constructor(
    private readonly minBytes: number,
    /** Reads every partition of the fetch from the local logs, as the first attempt did. */
    private readonly read: () => FetchPartitionResult[],
    private readonly respond: (results: FetchPartitionResult[]) => void,
    /**
     * The read the fetch just made, in the same synchronous step as its watching: the purgatory's
     * first check uses it instead of reading every partition again (nothing can have been appended
     * in between). With a large idle session that is one full pass over its partitions saved.
     */
    private initial?: FetchPartitionResult[],
  ) {}

  tryComplete(): boolean {
    const results = this.initial ?? this.read();
    this.initial = undefined;
    if (fetchedBytes(results) < this.minBytes && !hasFetchError(results)) return false;
    this.respond(results);
    return true;
  }

  onExpiration(): void {
    this.respond(this.read());
  }
}
