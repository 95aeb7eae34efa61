import { ErrorCode, KafkaError } from '@samsa/protocol';
import { consoleLogger, type Logger } from '@samsa/common';

/**
 * The top of the I/O funnel (Kafka's LogDirFailureChannel plus Log.maybeHandleIOException). Every
 * operation that touches a log directory runs inside `maybeHandleIOException`: an I/O error — EIO,
 * a full disk, a vanished directory, anything the file system throws — takes that directory
 * offline, is logged once, and reaches the caller as KAFKA_STORAGE_ERROR. Operations on an offline
 * directory fail fast with the same code; other directories keep working. Listeners (LogManager,
 * later the broker's ReplicaManager) close the directory's logs and report its partitions.
 */
export type LogDirFailureListener = (logDir: string, reason: string) => void;

export class LogDirFailureChannel {
  private readonly offline = new Map<string, string>();
  private readonly listeners: LogDirFailureListener[] = [];

  constructor(private readonly logger: Logger = consoleLogger('LogDirFailureChannel')) {}

  /** Marks `logDir` offline; only the first failure of a directory is logged and announced. */
  maybeAddOfflineLogDir(logDir: string, msg: string, err: unknown): void {
    if (this.offline.has(logDir)) return;
    const reason = `${msg}${err instanceof Error ? `: ${err.message}` : ''}`;
    this.offline.set(logDir, reason);
    this.logger.error(
      `Log directory ${logDir} is now OFFLINE after an I/O error; its partitions answer KAFKA_STORAGE_ERROR ` +
        `until the broker restarts with the disk repaired. Cause: ${reason}`,
    );
    for (const l of this.listeners) {
      try {
        l(logDir, reason);
      } catch (e) {
        this.logger.error(`log dir failure listener threw for ${logDir}`, e);
      }
    }
  }

  isOffline(logDir: string): boolean {
    return this.offline.has(logDir);
  }

  offlineLogDirs(): string[] {
    return [...this.offline.keys()];
  }

  onLogDirFailure(listener: LogDirFailureListener): void {
    this.listeners.push(listener);
  }

  /** Throws KAFKA_STORAGE_ERROR when `logDir` is offline. */
  checkOnline(logDir: string): void {
    if (this.offline.has(logDir)) {
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log directory ${logDir} is offline`);
    }
  }

  /**
   * Runs `fn`; an I/O error inside takes `logDir` offline and becomes KAFKA_STORAGE_ERROR. Other
   * errors (KafkaError for bad input, assertion failures) pass through untouched.
   */
  maybeHandleIOException<T>(logDir: string, msg: () => string, fn: () => T): T {
    this.checkOnline(logDir);
    try {
      return fn();
    } catch (e) {
      throw this.handle(logDir, msg, e);
    }
  }

  async maybeHandleIOExceptionAsync<T>(logDir: string, msg: () => string, fn: () => Promise<T>): Promise<T> {
    this.checkOnline(logDir);
    try {
      return await fn();
    } catch (e) {
      throw this.handle(logDir, msg, e);
    }
  }

  private handle(logDir: string, msg: () => string, e: unknown): unknown {
    if (!isIOError(e)) return e;
    const text = msg();
    this.maybeAddOfflineLogDir(logDir, text, e);
    return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${text}: ${(e as Error).message}`);
  }
}

/** Node's file-system errors carry a string `code` (EIO, ENOSPC, ENOENT, …) and a `syscall`. */
export function isIOError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const err = e as NodeJS.ErrnoException;
  return typeof err.code === 'string' && typeof err.syscall === 'string';
}
