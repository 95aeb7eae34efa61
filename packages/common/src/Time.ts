/**
 * The clock, injectable so that segment rolling, retention and deletion delays can be tested without
 * sleeping (Kafka's `Time`/`MockTime`).
 */
export interface Time {
  /** Wall-clock milliseconds since the epoch (record timestamps, file mtimes, retention). */
  milliseconds(): number;
  /** Monotonic milliseconds with sub-millisecond precision, for measuring durations. */
  hiResMs(): number;
}

export const SystemTime: Time = {
  milliseconds: () => Date.now(),
  hiResMs: () => performance.now(),
};

/** A clock that moves only when told to. */
export class MockTime implements Time {
  constructor(
    private nowMs = 1_700_000_000_000,
    private hiRes = 0,
  ) {}

  milliseconds(): number {
    return this.nowMs;
  }

  hiResMs(): number {
    return this.hiRes;
  }

  sleep(ms: number): void {
    this.nowMs += ms;
    this.hiRes += ms;
  }
}
