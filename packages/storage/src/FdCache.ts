/**
 * Descriptors of inactive segment files, least recently used first, at most `limit` open at once
 * process-wide. An active segment's descriptors are not in here: it keeps them. A read of an old
 * segment reopens its file; the cost is one open(2), paid only by catch-up readers.
 */
export interface FdHolder {
  canReleaseFd(): boolean;
  releaseFd(): void;
}

class FdCache {
  limit = 64;
  /** Holder → last use (performance.now()), least recent first. */
  private readonly lru = new Map<FdHolder, number>();

  touch(h: FdHolder): void {
    this.lru.delete(h);
    this.lru.set(h, performance.now());
    if (this.lru.size > this.limit) this.evict();
  }

  /** Closes descriptors unused for `idleMs` (a periodic LogManager task). */
  releaseIdle(idleMs: number): void {
    const before = performance.now() - idleMs;
    for (const [h, at] of [...this.lru.entries()]) {
      if (at > before) break;
      if (h.canReleaseFd()) h.releaseFd();
    }
  }

  forget(h: FdHolder): void {
    this.lru.delete(h);
  }

  get size(): number {
    return this.lru.size;
  }

  /** Closes every idle descriptor (tests, and LogManager when a directory goes away). */
  releaseAll(): void {
    for (const h of [...this.lru.keys()]) if (h.canReleaseFd()) h.releaseFd();
  }

  private evict(): void {
    const victims: FdHolder[] = [];
    let excess = this.lru.size - this.limit;
    for (const h of this.lru.keys()) {
      if (excess <= 0) break;
      if (h.canReleaseFd()) {
        victims.push(h);
        excess--;
      }
    }
    for (const h of victims) h.releaseFd();
  }
}

export const fdCache = new FdCache();
