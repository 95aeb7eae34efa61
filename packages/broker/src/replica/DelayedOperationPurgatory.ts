/**
 * Requests that wait for something to happen (Kafka's purgatory): a DelayedProduce for acks=all
 * waits until the high watermark passes its offsets, a DelayedFetch until min.bytes are there. Each
 * operation watches keys (topic-partition keys); `checkAndComplete(key)` re-tries the operations
 * watching it after an append or a high watermark move; a timer completes an operation at its
 * deadline. No timer exists for keys nobody waits on.
 */
export interface DelayedOperation {
  /** Returns true when the operation could complete now (and has completed itself). */
  tryComplete(): boolean;
  /** Called once at the deadline if it did not complete before. */
  onExpiration(): void;
}

interface Entry {
  readonly op: DelayedOperation;
  readonly keys: readonly string[];
  timer: NodeJS.Timeout | null;
  done: boolean;
}

export class DelayedOperationPurgatory {
  private readonly watchers = new Map<string, Set<Entry>>();

  constructor(readonly name: string) {}

  /** Number of operations waiting (for metrics). */
  get size(): number {
    const all = new Set<Entry>();
    for (const set of this.watchers.values()) for (const e of set) all.add(e);
    return all.size;
  }

  /**
   * Completes `op` now if it can; otherwise parks it on `keys` until it can or `timeoutMs` passes.
   * Returns true when it completed immediately.
   */
  tryCompleteElseWatch(op: DelayedOperation, keys: readonly string[], timeoutMs: number): boolean {
    if (op.tryComplete()) return true;
    const entry: Entry = { op, keys, timer: null, done: false };
    for (const k of keys) {
      let set = this.watchers.get(k);
      if (!set) this.watchers.set(k, (set = new Set()));
      set.add(entry);
    }
    entry.timer = setTimeout(() => {
      if (entry.done) return;
      this.finish(entry);
      op.onExpiration();
    }, Math.max(0, timeoutMs));
    return false;
  }

  /** Re-tries the operations watching `key`; returns how many completed. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (!set) return 0;
    let completed = 0;
    for (const entry of [...set]) {
      if (entry.done) continue;
      if (entry.op.tryComplete()) {
        this.finish(entry);
        completed++;
      }
    }
    return completed;
  }

  /**
   * Re-tries, once each, the operations watching any of `keys` (after a LeaderAndIsr or
   * UpdateMetadata that touched many partitions: a follower's fetch watches every partition it
   * replicates, and re-trying it once per key would read them all once per key). Returns how many
   * completed.
   */
  checkAndCompleteAll(keys: Iterable<string>): number {
    const entries = new Set<Entry>();
    for (const k of keys) {
      const set = this.watchers.get(k);
      if (set) for (const e of set) entries.add(e);
    }
    let completed = 0;
    for (const entry of entries) {
      if (entry.done) continue;
      if (entry.op.tryComplete()) {
        this.finish(entry);
        completed++;
      }
    }
    return completed;
  }

  /** Expires everything now (shutdown). */
  shutdown(): void {
    const all = new Set<Entry>();
    for (const set of this.watchers.values()) for (const e of set) all.add(e);
    for (const e of all) {
      if (e.done) continue;
      this.finish(e);
      e.op.onExpiration();
    }
  }

  private finish(entry: Entry): void {
    entry.done = true;
    if (entry.timer) clearTimeout(entry.timer);
    for (const k of entry.keys) {
      const set = this.watchers.get(k);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) this.watchers.delete(k);
    }
  }
}
