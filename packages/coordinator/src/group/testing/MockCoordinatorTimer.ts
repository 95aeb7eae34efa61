import type { Cancellable, CoordinatorTimer } from '../CoordinatorTimer';

/** A CoordinatorTimer on a hand-moved clock: `advance(ms)` runs what falls due, in due order. Test support only. */
export class MockCoordinatorTimer implements CoordinatorTimer {
  private nowMs: number;
  private seq = 0;
  private tasks: { dueMs: number; seq: number; fn: () => void; cancelled: boolean }[] = [];

  constructor(startMs = 1_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  schedule(delayMs: number, fn: () => void): Cancellable {
    const task = { dueMs: this.nowMs + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.tasks.push(task);
    return { cancel: () => (task.cancelled = true) };
  }

  /** Timers not cancelled and not yet run. */
  get pending(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      const due = this.tasks
        .filter((t) => !t.cancelled && t.dueMs <= target)
        .sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq)[0];
      if (!due) break;
      this.nowMs = due.dueMs;
      due.cancelled = true;
      this.tasks = this.tasks.filter((t) => t !== due);
      due.fn();
    }
    this.nowMs = target;
    this.tasks = this.tasks.filter((t) => !t.cancelled);
  }
}
