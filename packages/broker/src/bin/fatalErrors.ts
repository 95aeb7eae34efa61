import type { Logger } from '@samsa/common';

/** The exit code of a broker that stopped on an uncaught error (as a failed startup: 1). */
export const FATAL_EXIT_CODE = 1;

/** Time given to the log transports to write the fatal line before the process exits anyway. */
const FLUSH_TIMEOUT_MS = 2_000;

export interface FatalErrorOptions {
  /** The process whose 'uncaughtException' and 'unhandledRejection' end it (a fake in tests). */
  readonly process: Pick<NodeJS.EventEmitter, 'on'>;
  readonly log: Logger;
  /** Flushes the log files; the exit waits for it at most flushTimeoutMs. */
  readonly flush: () => Promise<void>;
  readonly exit: (code: number) => void;
  readonly flushTimeoutMs?: number;
}

/**
 * An uncaught exception or unhandled rejection leaves the broker in a state nobody knows: a
 * request half applied, a timer that will never fire, a partition whose leader stopped appending.
 * Serving on would hide that from the cluster, so the broker logs the error and exits non-zero;
 * its supervisor restarts it, the controller sees its ZooKeeper session end and moves leadership
 * to the other replicas, and the restarted broker recovers its logs and rejoins. No controlled
 * shutdown: it would run through the same unknown state. A second error while exiting is logged
 * and changes nothing.
 */
export function exitOnFatalErrors(options: FatalErrorOptions): void {
  let exiting = false;
  const die = (what: string, err: unknown): void => {
    options.log.error(`${what}: the broker's state is unknown, exiting with ${FATAL_EXIT_CODE}`, err);
    if (exiting) return;
    exiting = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.flushTimeoutMs ?? FLUSH_TIMEOUT_MS);
    });
    void Promise.race([options.flush().catch(() => undefined), timeout]).then(() => {
      clearTimeout(timer);
      options.exit(FATAL_EXIT_CODE);
    });
  };
  options.process.on('uncaughtException', (err: unknown) => die('Uncaught exception', err));
  options.process.on('unhandledRejection', (reason: unknown) => die('Unhandled promise rejection', reason));
}
