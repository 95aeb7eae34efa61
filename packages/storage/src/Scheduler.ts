import { consoleLogger, type Logger } from '@samsa/common';
import { SystemTime, type Time } from '@samsa/common';

/**
 * One timer for all of storage's background work (retention checks, flushes, checkpoints, delayed
 * file deletion, the cleaner). Kafka's KafkaScheduler is a thread pool; here every task runs on the
 * event loop, one at a time, and a task that returns a promise is awaited before the next runs —
 * so periodic tasks never overlap themselves. Idle partitions own no timers: only this queue does.
 *
 * With `useTimers: false` nothing runs by itself; tests move a MockTime and call `runDue()`.
 */
export interface ScheduledTask {
  readonly name: string;
  cancel(): void;
}

interface Entry {
  readonly name: string;
  readonly fn: () => void | Promise<void>;
  readonly periodMs: number | undefined;
  readonly seq: number;
  dueMs: number;
  cancelled: boolean;
}

/** Largest delay setTimeout accepts; longer delays (Kafka's Long.MaxValue defaults) never fire. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SchedulerOptions {
  readonly time?: Time;
  readonly logger?: Logger;
  readonly useTimers?: boolean;
}

export class Scheduler {
  private readonly time: Time;
  private readonly logger: Logger;
  private readonly useTimers: boolean;
  private entries: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs = Infinity;
  private running: Promise<void> | null = null;
  private seq = 0;
  private stopped = false;

  constructor(opts: SchedulerOptions = {}) {
    this.time = opts.time ?? SystemTime;
    this.logger = opts.logger ?? consoleLogger('scheduler');
    this.useTimers = opts.useTimers ?? true;
  }

  /** Runs `fn` after `delayMs`, then every `periodMs` if given. */
  schedule(name: string, fn: () => void | Promise<void>, delayMs: number, periodMs?: number): ScheduledTask {
    if (this.stopped) throw new Error(`scheduler is shut down; cannot schedule ${name}`);
    const entry: Entry = {
      name,
      fn,
      periodMs: periodMs !== undefined && periodMs > 0 ? periodMs : undefined,
      seq: this.seq++,
      dueMs: this.time.milliseconds() + Math.max(0, delayMs),
      cancelled: false,
    };
    this.insert(entry);
    this.arm();
    return {
      name,
      cancel: () => {
        entry.cancelled = true;
        this.entries = this.entries.filter((e) => e !== entry);
      },
    };
  }

  /** Number of tasks waiting (for tests). */
  get pending(): number {
    return this.entries.length;
  }

  /** Runs every task due now, in due order; resolves when they (and their promises) are done. */
  async runDue(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.drainDue();
    try {
      await this.running;
    } finally {
      this.running = null;
      this.arm();
    }
  }

  /** Cancels everything and waits for a running task to finish. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const e of this.entries) e.cancelled = true;
    this.entries = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await this.running;
  }

  private async drainDue(): Promise<void> {
    for (;;) {
      const now = this.time.milliseconds();
      const head = this.entries[0];
      if (!head || head.dueMs > now || this.stopped) return;
      this.entries.shift();
      try {
        await head.fn();
      } catch (e) {
        this.logger.error(`scheduled task ${head.name} failed`, e);
      }
      if (head.periodMs !== undefined && !head.cancelled && !this.stopped) {
        head.dueMs = this.time.milliseconds() + head.periodMs;
        this.insert(head);
      }
    }
  }

  private insert(entry: Entry): void {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.entries[mid];
      if (m.dueMs < entry.dueMs || (m.dueMs === entry.dueMs && m.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
  }

  private arm(): void {
    if (!this.useTimers || this.stopped || this.running) return;
    const head = this.entries[0];
    if (!head) return;
    if (this.timer && this.timerDueMs <= head.dueMs) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, head.dueMs - this.time.milliseconds());
    if (delay > MAX_TIMER_MS) {
      this.timer = null;
      return;
    }
    this.timerDueMs = head.dueMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDueMs = Infinity;
      void this.runDue();
    }, delay);
    this.timer.unref();
  }
}
