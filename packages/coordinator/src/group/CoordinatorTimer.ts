/**
 * The coordinator's clock and timers: one per member session and one per group join or sync phase,
 * never per partition. The system one uses Node timers (unref'd: they never keep a stopping
 * broker alive); tests use MockCoordinatorTimer and move time by hand.
 */
export interface Cancellable {
  cancel(): void;
}

export interface CoordinatorTimer {
  now(): number;
  /** Runs `fn` once after `delayMs` unless cancelled first. */
  schedule(delayMs: number, fn: () => void): Cancellable;
}

/** Longest delay setTimeout honours; longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemCoordinatorTimer: CoordinatorTimer = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const delay = Math.max(0, delayMs);
    if (delay > MAX_TIMER_MS) return { cancel() {} };
    const t = setTimeout(fn, delay);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
