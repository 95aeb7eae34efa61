/**
 * At most one call of an operation under way, each wait bounded. A caller that times out leaves
 * the call running; the next caller waits on that same call instead of starting another, so a
 * hung ZooKeeper or broker never piles up requests from a poll loop.
 */
export class SingleFlight<T> {
  private pending: Promise<T> | null = null;

  constructor(private readonly what: string) {}

  run(operation: () => Promise<T>, timeoutMs: number): Promise<T> {
    if (this.pending === null) {
      const started = operation();
      this.pending = started;
      const clear = (): void => {
        if (this.pending === started) this.pending = null;
      };
      started.then(clear, clear);
    }
    return bounded(this.pending, timeoutMs, this.what);
  }

  get busy(): boolean {
    return this.pending !== null;
  }
}

export function bounded<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
