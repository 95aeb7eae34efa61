import type { Logger } from '@samsa/common';
import type { LogDirFailureChannel } from '@samsa/storage';

export interface LogDirFailureHandlerOptions {
  readonly brokerId: number;
  /** The channel every I/O error on a log directory is reported to (the LogManager's). */
  readonly failureChannel: Pick<LogDirFailureChannel, 'onLogDirFailure'>;
  /** Every configured log directory, and those still online. */
  readonly logDirs: () => { readonly all: readonly string[]; readonly live: readonly string[] };
  /** ReplicaManager.handleLogDirFailure: the directory's partitions stop and go offline. */
  readonly stopReplicasIn: (dir: string) => unknown;
  /** KafkaZkClient.propagateLogDirEvent for this broker: /log_dir_event_notification/log_dir_event_<seq>. */
  readonly propagateLogDirEvent: () => Promise<unknown>;
  /** Ends the process at once with this exit code (Kafka's Exit.halt). */
  readonly halt: (code: number) => void;
  readonly logger: Logger;
}

/** The exit code of a broker whose last log directory failed (Kafka's Exit.halt(1)). */
export const ALL_LOG_DIRS_FAILED_EXIT_CODE = 1;

/**
 * Kafka's LogDirFailureHandler: reacts to a log directory the LogDirFailureChannel took offline
 * after an I/O error (EIO, ENOSPC, …). Directories are handled one at a time, in the order they
 * failed, and never on the stack of the I/O call that failed (Kafka runs this on its own thread):
 *   1. the ReplicaManager stops the directory's partitions: fetchers removed, partitions offline
 *      (they answer KAFKA_STORAGE_ERROR), waiting produces and fetches answered;
 *   2. no log directory left online: the broker halts with exit code 1 and Kafka's line "Shutdown
 *      broker because all log dirs in … have failed" — its ZooKeeper session ends and the
 *      controller moves its leaderships as for a crashed broker;
 *   3. otherwise it writes /log_dir_event_notification/log_dir_event_<seq>
 *      ({"version":1,"broker":<id>,"event":1}); the controller deletes it and sends LeaderAndIsr
 *      for every replica of this broker, those on the failed directory answer KAFKA_STORAGE_ERROR,
 *      and the controller takes them offline and elects other leaders from the ISR
 *      (BrokerLifecycle.processLogDirEventNotification, processLeaderAndIsrResponseReceived).
 * After `shutdown()` failures are no longer handled (a clean shutdown closes the logs anyway).
 */
export class LogDirFailureHandler {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: LogDirFailureHandlerOptions) {
    o.failureChannel.onLogDirFailure((dir) => this.enqueue(dir));
  }

  /** Resolves when every failure reported so far has been handled (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  shutdown(): void {
    this.closed = true;
  }

  private enqueue(dir: string): void {
    this.queue = this.queue
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.handle(dir))
      .catch((e) => this.o.logger.error(`Error while handling the failure of log directory ${dir}`, e));
  }

  private async handle(dir: string): Promise<void> {
    if (this.closed) return;
    const { logger } = this.o;
    logger.warn(`Stopping serving replicas in dir ${dir}`);
    this.o.stopReplicasIn(dir);
    const { all, live } = this.o.logDirs();
    if (live.length === 0) {
      logger.error(`Shutdown broker because all log dirs in ${all.join(', ')} have failed`);
      this.closed = true;
      this.o.halt(ALL_LOG_DIRS_FAILED_EXIT_CODE);
      return;
    }
    try {
      await this.o.propagateLogDirEvent();
    } catch (e) {
      // The controller still learns it: a LeaderAndIsr for these partitions (on the next broker
      // change or controller failover) is answered KAFKA_STORAGE_ERROR.
      logger.error(`Could not write the log dir event notification for broker ${this.o.brokerId}`, e);
    }
    logger.warn(`Stopped serving replicas in dir ${dir}`);
  }
}
