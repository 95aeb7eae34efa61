import * as path from 'node:path';
import { ErrorCode, KafkaError } from '@samsa/protocol';
import { CorruptCheckpointError, OffsetCheckpointFile } from './checkpoints';
import { disk } from './disk';
import { fdCache } from './FdCache';
import { Log } from './Log';
import { DEFAULT_CLEANER_CONFIG, LogCleaner, type CleanerConfig } from './LogCleaner';
import { LogConfig, LONG_MAX_VALUE, type ConfigProps } from './LogConfig';
import { LogDirFailureChannel } from './LogDirFailureChannel';
import * as files from './LogFiles';
import { createLog, createLogFiles, loadLog, type LoadStats } from './LogLoader';
import { offsetsOf, prepareLogDir, runWithConcurrency, writeOffsetCheckpoint } from './logDirs';
import { consoleLogger, type Logger } from '@samsa/common';
import { Scheduler, type ScheduledTask } from './Scheduler';
import { SystemTime, type Time } from '@samsa/common';
import { topicPartitionKey, type TopicPartition } from '@samsa/common';
import type { WriteMode } from './FileRecords';

/**
 * Every log of every log directory (Kafka's LogManager): loads them at startup — recovering those
 * not closed cleanly, several at a time — creates and deletes them, runs retention, the flush
 * policy, the checkpoint files and the cleaner on one scheduler, and takes a directory offline
 * when the I/O funnel reports it failed (the other directories keep working).
 */
export interface LogManagerOptions {
  readonly logDirs: readonly string[];
  readonly brokerId: number;
  /** Written to and checked against meta.properties (2.4+); absent to skip the check. */
  readonly clusterId?: string;
  /** The broker's log defaults (LogConfig.fromBrokerProps). */
  readonly defaultConfig?: LogConfig;
  /** Topic overrides known at startup (`/config/topics/<t>`). */
  readonly topicConfigs?: Readonly<Record<string, ConfigProps>>;
  /** log.retention.check.interval.ms */
  readonly retentionCheckMs?: number;
  /** log.flush.scheduler.interval.ms */
  readonly flushCheckMs?: number;
  /** log.flush.offset.checkpoint.interval.ms */
  readonly flushRecoveryOffsetCheckpointMs?: number;
  /** log.flush.start.offset.checkpoint.interval.ms */
  readonly flushStartOffsetCheckpointMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms */
  readonly highWatermarkCheckpointMs?: number;
  /** num.recovery.threads.per.data.dir: logs loaded at once per directory. */
  readonly recoveryThreadsPerDataDir?: number;
  /** Delay before the first run of each periodic task (Kafka's InitialTaskDelayMs, 30 s). */
  readonly initialTaskDelayMs?: number;
  readonly cleaner?: Partial<CleanerConfig>;
  readonly writeMode?: WriteMode;
  /** transactional.id.expiration.ms: producer ids silent this long are forgotten. */
  readonly producerIdExpirationMs?: number;
  /** How often that is checked (Kafka's 10 minutes; producer.id.expiration.check.interval.ms). */
  readonly producerIdExpirationCheckIntervalMs?: number;
  readonly time?: Time;
  readonly logger?: Logger;
  readonly scheduler?: Scheduler;
  readonly failureChannel?: LogDirFailureChannel;
}

export interface StartupStats {
  logs: number;
  segments: number;
  recoveredBytes: number;
  truncatedBytes: number;
  durationMs: number;
}

export class LogManager {
  readonly time: Time;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly failureChannel: LogDirFailureChannel;
  readonly cleaner: LogCleaner | null;
  private readonly opts: LogManagerOptions;
  private readonly logDirs: string[];
  private readonly logs = new Map<string, Log>();
  /** What each checkpoint file was last written with (writeCheckpoint), by its path. */
  private readonly lastCheckpoints = new Map<string, Map<string, number>>();
  /**
   * Logs being filled to replace the current log of their partition in another log directory
   * (`<topic>-<partition>.<uuid>-future`, AlterReplicaLogDirs), by key.
   */
  private readonly futureLogs = new Map<string, Log>();
  /** Where the log of a partition this broker does not have yet is to be made (AlterReplicaLogDirs), by key. */
  private readonly preferredLogDirs = new Map<string, string>();
  /** Logs being created by getOrCreateLogAsync, by partition key. */
  private readonly creating = new Map<string, Promise<Log>>();
  /** Logs whose files are being made, by parent directory (counted by nextLogDirs). */
  private readonly creatingIn = new Map<string, number>();
  private readonly offlinePartitions = new Set<string>();
  private readonly topicOverrides = new Map<string, ConfigProps>();
  private defaultConfig: LogConfig;
  private started = false;
  private readonly ownsScheduler: boolean;
  private readonly tasks: ScheduledTask[] = [];
  lastStartupStats: StartupStats | null = null;

  constructor(opts: LogManagerOptions) {
    this.opts = opts;
    this.logDirs = opts.logDirs.map((d) => path.resolve(d));
    this.time = opts.time ?? SystemTime;
    this.logger = opts.logger ?? consoleLogger('LogManager');
    this.ownsScheduler = opts.scheduler === undefined;
    this.scheduler = opts.scheduler ?? new Scheduler({ time: this.time, logger: this.logger });
    this.failureChannel = opts.failureChannel ?? new LogDirFailureChannel(this.logger);
    this.defaultConfig = opts.defaultConfig ?? LogConfig.DEFAULT;
    for (const [t, o] of Object.entries(opts.topicConfigs ?? {})) this.topicOverrides.set(t, o);
    const cleanerConfig = { ...DEFAULT_CLEANER_CONFIG, ...opts.cleaner };
    this.cleaner = cleanerConfig.enable
      ? new LogCleaner({
          config: cleanerConfig,
          logs: () => this.logs.values(),
          time: this.time,
          logger: this.logger,
          scheduler: this.scheduler,
          failureChannel: this.failureChannel,
        })
      : null;
    this.failureChannel.onLogDirFailure((dir) => this.handleLogDirFailure(dir));
  }

  get currentDefaultConfig(): LogConfig {
    return this.defaultConfig;
  }

  get liveLogDirs(): string[] {
    return this.logDirs.filter((d) => !this.failureChannel.isOffline(d));
  }

  get offlineLogDirs(): string[] {
    return this.logDirs.filter((d) => this.failureChannel.isOffline(d));
  }

  isLogDirOnline(dir: string): boolean {
    return this.logDirs.includes(path.resolve(dir)) && !this.failureChannel.isOffline(path.resolve(dir));
  }

  /**
   * Opens every directory and every log in it, then starts the background tasks. A directory that
   * cannot be used goes offline; meta.properties of another broker or cluster is fatal.
   */
  async startup(): Promise<void> {
    const start = this.time.hiResMs();
    const stats: LoadStats & { logs: number } = {
      logs: 0,
      segments: 0,
      recoveredBytes: 0,
      truncatedBytes: 0,
    };
    for (const dir of this.logDirs) this.prepareDir(dir);
    await Promise.all(this.liveLogDirs.map((dir) => this.loadLogsInDir(dir, stats)));
    this.lastStartupStats = { ...stats, durationMs: this.time.hiResMs() - start };
    this.logger.info(
      `Loaded ${stats.logs} logs in ${this.lastStartupStats.durationMs.toFixed(0)} ms (recovered ${stats.recoveredBytes} bytes)`,
    );
    this.scheduleTasks();
    this.cleaner?.startup();
    this.started = true;
  }

  private withDir<T>(dir: string, what: string, fn: () => T): T | undefined {
    try {
      return this.failureChannel.maybeHandleIOException(dir, () => `${what} ${dir}`, fn);
    } catch (e) {
      if (e instanceof KafkaError && e.code === ErrorCode.KAFKA_STORAGE_ERROR) return undefined;
      throw e;
    }
  }

  private prepareDir(dir: string): void {
    this.withDir(dir, 'Failed to create or validate data directory', () =>
      prepareLogDir(dir, this.opts.brokerId, this.opts.clusterId, this.time.milliseconds()),
    );
  }

  private readCheckpoint(dir: string, name: string): Map<string, number> {
    try {
      return new OffsetCheckpointFile(path.join(dir, name)).read();
    } catch (e) {
      if (!(e instanceof CorruptCheckpointError)) throw e;
      this.logger.warn(`${e.message}; ignoring it`);
      return new Map();
    }
  }

  private async loadLogsInDir(dir: string, stats: LoadStats & { logs: number }): Promise<void> {
    try {
      await this.failureChannel.maybeHandleIOExceptionAsync(
        dir,
        () => `Error while loading log dir ${dir}`,
        async () => {
          const marker = path.join(dir, files.CLEAN_SHUTDOWN_FILE);
          const hadCleanShutdown = disk.exists(marker);
          // Removed now, so that a crash while loading means recovery on the next start (KAFKA-10471).
          if (hadCleanShutdown) disk.unlink(marker);
          this.logger.info(
            hadCleanShutdown
              ? `Skipping recovery for all logs in ${dir} since clean shutdown file was found`
              : `Attempting recovery for all logs in ${dir} since no clean shutdown file was found`,
          );
          const recoveryPoints = this.readCheckpoint(dir, files.RECOVERY_POINT_CHECKPOINT_FILE);
          const logStartOffsets = this.readCheckpoint(dir, files.LOG_START_OFFSET_CHECKPOINT_FILE);
          const highWatermarks = this.readCheckpoint(dir, files.REPLICATION_OFFSET_CHECKPOINT_FILE);
          const jobs: (() => Promise<void>)[] = [];
          for (const e of disk.readdir(dir)) {
            const full = path.join(dir, e.name);
            if (!e.isDirectory()) {
              if (!files.LOG_DIR_FILES.has(e.name))
                this.logger.warn(
                  `Ignoring ${full}: not a file Kafka keeps in a log directory (left in place)`,
                );
              continue;
            }
            const parsed = files.parseLogDirName(e.name);
            if (parsed === null) {
              this.logger.warn(
                `Ignoring directory ${full}: its name is not <topic>-<partition> (left in place)`,
              );
              continue;
            }
            if (parsed.kind === 'delete') {
              this.scheduleDirDeletion(full);
              continue;
            }
            const key = topicPartitionKey(parsed.tp);
            const future = parsed.kind === 'future';
            jobs.push(async () => {
              const log = await loadLog(
                {
                  ...this.logDeps(),
                  dir: full,
                  topicPartition: parsed.tp,
                  config: this.fetchLogConfig(parsed.tp.topic),
                  logStartOffset: logStartOffsets.get(key) ?? 0,
                  recoveryPoint: recoveryPoints.get(key) ?? 0,
                  hadCleanShutdown,
                },
                stats,
              );
              const loaded = future ? this.futureLogs : this.logs;
              const previous = loaded.get(key);
              if (previous) {
                throw new Error(
                  `Duplicate ${future ? 'future ' : ''}log directories for ${key} are found in both ${log.dir} and ${previous.dir}. Delete the one on the directory known to have failed recently.`,
                );
              }
              if (!future) log.updateHighWatermark(highWatermarks.get(key) ?? log.logStartOffset);
              loaded.set(key, log);
              stats.logs++;
            });
          }
          await runWithConcurrency(jobs, this.opts.recoveryThreadsPerDataDir ?? 4);
        },
      );
    } catch (e) {
      if (e instanceof KafkaError && e.code === ErrorCode.KAFKA_STORAGE_ERROR) return;
      throw e;
    }
  }

  private logDeps() {
    return {
      time: this.time,
      scheduler: this.scheduler,
      logger: this.logger,
      failureChannel: this.failureChannel,
      writeMode: this.opts.writeMode,
      maxProducerIdExpirationMs: this.opts.producerIdExpirationMs,
    };
  }

  private scheduleTasks(): void {
    const delay = this.opts.initialTaskDelayMs ?? 30_000;
    const s = this.scheduler;
    const every = (name: string, periodMs: number, fn: () => void | Promise<void>) => {
      if (periodMs < LONG_MAX_VALUE && periodMs > 0) this.tasks.push(s.schedule(name, fn, delay, periodMs));
    };
    every('kafka-log-retention', this.opts.retentionCheckMs ?? 300_000, () => {
      this.cleanupLogs();
    });
    every('kafka-log-flusher', this.opts.flushCheckMs ?? LONG_MAX_VALUE, () => this.flushDirtyLogs());
    every('kafka-recovery-point-checkpoint', this.opts.flushRecoveryOffsetCheckpointMs ?? 60_000, () =>
      this.checkpointLogRecoveryOffsets(),
    );
    every('kafka-log-start-offset-checkpoint', this.opts.flushStartOffsetCheckpointMs ?? 60_000, () =>
      this.checkpointLogStartOffsets(),
    );
    every('highwatermark-checkpoint', this.opts.highWatermarkCheckpointMs ?? 5_000, () =>
      this.checkpointHighWatermarks(),
    );
    // Kafka's Log schedules this one with its interval as the first delay too, not InitialTaskDelayMs.
    const expirationCheckMs = this.opts.producerIdExpirationCheckIntervalMs ?? 600_000;
    this.tasks.push(s.schedule('PeriodicProducerExpirationCheck', () => void this.removeExpiredProducers(), expirationCheckMs, expirationCheckMs));
    // Descriptors of old segments opened by readers are closed after a minute unused.
    every('release-idle-file-handles', 60_000, () => fdCache.releaseIdle(60_000));
  }

  private fetchLogConfig(topic: string): LogConfig {
    const overrides = this.topicOverrides.get(topic);
    return overrides ? LogConfig.fromProps(this.defaultConfig, overrides) : this.defaultConfig;
  }

  /** The future log of `tp` (AlterReplicaLogDirs moving it to another log dir), if any. */
  getFutureLog(tp: TopicPartition): Log | undefined {
    return this.futureLogs.get(topicPartitionKey(tp));
  }

  /** Every future log. */
  allFutureLogs(): Log[] {
    return [...this.futureLogs.values()];
  }

  getLog(tp: TopicPartition): Log | undefined {
    return this.logs.get(topicPartitionKey(tp));
  }

  /** The partition's log was in a directory that failed. */
  isPartitionOffline(tp: TopicPartition): boolean {
    return this.offlinePartitions.has(topicPartitionKey(tp));
  }

  allLogs(): Log[] {
    return [...this.logs.values()];
  }

  logsByTopic(topic: string): Log[] {
    return this.allLogs().filter((l) => l.topicPartition.topic === topic);
  }

  /** The current and the future logs in `dir` (checkpoints hold both; a partition has at most one per dir). */
  private logsAndFuturesInDir(dir: string): Log[] {
    return [...this.logsInDir(dir), ...this.allFutureLogs().filter((l) => l.parentDir === dir)];
  }

  private logsInDir(dir: string): Log[] {
    return this.allLogs().filter((l) => l.parentDir === dir);
  }

  /**
   * The partition's log, created empty in the directory with the fewest logs if it has none.
   * `config` defaults to the topic's overrides over the broker defaults.
   */
  getOrCreateLog(tp: TopicPartition, config?: LogConfig, isNew = false): Log {
    const existing = this.getLog(tp);
    if (existing) return existing;
    const logConfig = this.checkLogCanBeCreated(tp, config, isNew);
    for (const parent of this.nextLogDirs(tp)) {
      const log = this.createLogIn(parent, tp, logConfig);
      if (log) return log;
    }
    throw this.noLogDirFor(tp);
  }

  /**
   * `getOrCreateLog` with the files made on libuv's pool first (see createLogFiles), so that many
   * logs can be created at once without holding the event loop. Concurrent calls for one partition
   * share the creation.
   */
  getOrCreateLogAsync(tp: TopicPartition, config?: LogConfig, isNew = false): Promise<Log> {
    const existing = this.getLog(tp);
    if (existing) return Promise.resolve(existing);
    const key = topicPartitionKey(tp);
    let creating = this.creating.get(key);
    if (creating === undefined) {
      creating = this.createLogAsync(tp, config, isNew).finally(() => this.creating.delete(key));
      this.creating.set(key, creating);
    }
    return creating;
  }

  private async createLogAsync(tp: TopicPartition, config: LogConfig | undefined, isNew: boolean): Promise<Log> {
    const logConfig = this.checkLogCanBeCreated(tp, config, isNew);
    for (const parent of this.nextLogDirs(tp)) {
      const dir = this.partitionDir(parent, tp);
      let prepared = false;
      this.creatingIn.set(parent, (this.creatingIn.get(parent) ?? 0) + 1);
      try {
        await this.failureChannel.maybeHandleIOExceptionAsync(
          parent,
          () => `Error while creating log in dir ${parent}`,
          () => createLogFiles(dir),
        );
        prepared = true;
      } catch (e) {
        if (!(e instanceof KafkaError && e.code === ErrorCode.KAFKA_STORAGE_ERROR)) throw e;
      } finally {
        const n = this.creatingIn.get(parent)! - 1;
        if (n === 0) this.creatingIn.delete(parent);
        else this.creatingIn.set(parent, n);
      }
      const existing = this.getLog(tp); // created by getOrCreateLog meanwhile
      if (existing) return existing;
      if (!prepared) continue;
      const log = this.createLogIn(parent, tp, logConfig, { filesCreated: true });
      if (log) return log;
    }
    throw this.noLogDirFor(tp);
  }

  /** The config for a new log of `tp`, or KAFKA_STORAGE_ERROR when it may not be created now. */
  private checkLogCanBeCreated(tp: TopicPartition, config: LogConfig | undefined, isNew: boolean): LogConfig {
    const key = topicPartitionKey(tp);
    for (const parent of this.logDirs) this.partitionDir(parent, tp);
    if (!isNew && this.offlineLogDirs.length > 0) {
      throw new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `Can not create log for ${key} because log directories ${this.offlineLogDirs.join(',')} are offline`,
      );
    }
    if (this.offlinePartitions.has(key))
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `The log of ${key} is in an offline log directory`);
    return config ?? this.fetchLogConfig(tp.topic);
  }

  /**
   * `tp`'s directory in `parent`; INVALID_TOPIC_EXCEPTION, before anything touches the disk, when
   * the partition's name is not a legal one or would lead outside the log dir (defence in depth:
   * the request handlers refuse such names first).
   */
  private partitionDir(parent: string, tp: TopicPartition): string {
    const dir = files.partitionDirIn(parent, tp);
    if (dir === null) {
      throw new KafkaError(
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        `Refusing a log for ${JSON.stringify(tp.topic)} partition ${tp.partition}: not a legal topic partition inside ${parent}`,
      );
    }
    return dir;
  }

  /** Creates and registers the log in `parent`; undefined when that directory failed. */
  private createLogIn(
    parent: string,
    tp: TopicPartition,
    logConfig: LogConfig,
    { filesCreated = false } = {},
  ): Log | undefined {
    const key = topicPartitionKey(tp);
    const dir = this.partitionDir(parent, tp);
    const log = this.withDir(parent, 'Error while creating log in dir', () =>
      createLog({
        ...this.logDeps(),
        dir,
        topicPartition: tp,
        config: logConfig,
        filesCreated,
      }),
    );
    if (!log) return undefined;
    this.logs.set(key, log);
    this.preferredLogDirs.delete(key);
    const props = Object.entries(logConfig.overriddenProps())
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    this.logger.info(`Created log for partition ${key} in ${log.dir} with properties {${props}}`);
    return log;
  }

  private noLogDirFor(tp: TopicPartition): KafkaError {
    return new KafkaError(
      ErrorCode.KAFKA_STORAGE_ERROR,
      `No log directories available for ${topicPartitionKey(tp)}. Tried ${this.logDirs.join(', ')}`,
    );
  }

  /**
   * Live directories, those with the fewest logs first. Logs whose files are still being made
   * count too, so that a LeaderAndIsr creating many logs at once spreads them over the directories.
   */
  private nextLogDirs(tp?: TopicPartition): string[] {
    const preferred = tp && this.preferredLogDirs.get(topicPartitionKey(tp));
    if (preferred !== undefined && this.isLogDirOnline(preferred)) return [preferred];
    const live = this.liveLogDirs;
    // Counting is a walk over every log: skip it when there is no choice (creating N logs in one
    // directory would otherwise cost N²).
    if (live.length <= 1) return live;
    const counts = new Map(live.map((d) => [d, this.creatingIn.get(d) ?? 0]));
    for (const l of this.logs.values())
      if (counts.has(l.parentDir)) counts.set(l.parentDir, counts.get(l.parentDir)! + 1);
    return [...counts.entries()].sort((a, b) => a[1] - b[1]).map(([d]) => d);
  }

  /**
   * Deletes a partition's log: renamed `<topic>-<partition>.<uuid>-delete` at once (it is gone for
   * readers and a restart), removed from disk after file.delete.delay.ms.
   */
  async deleteLog(tp: TopicPartition): Promise<Log | undefined> {
    const key = topicPartitionKey(tp);
    await this.abortAndDeleteFutureLog(tp);
    this.preferredLogDirs.delete(key);
    const log = this.logs.get(key);
    if (!log) {
      if (this.offlineLogDirs.length > 0) {
        throw new KafkaError(
          ErrorCode.KAFKA_STORAGE_ERROR,
          `Failed to delete log for ${key} because it may be in one of the offline directories ${this.offlineLogDirs.join(',')}`,
        );
      }
      return undefined;
    }
    this.logs.delete(key);
    this.cleaner?.abortAndPauseCleaning(tp);
    const parent = log.parentDir;
    log.renameDir(files.logDeleteDirName(tp));
    await log.close().catch((e) => this.logger.warn(`Error while closing deleted log ${key}`, e));
    this.cleaner?.resumeCleaning(tp);
    await this.cleaner?.removePartition(parent, tp).catch(() => undefined);
    await this.checkpointDir(parent);
    this.scheduleDirDeletion(log.dir);
    this.logger.info(`Log for partition ${key} is renamed to ${log.dir} and is scheduled for deletion`);
    return log;
  }

  /** Whether `dir` is one of log.dirs (Kafka's LOG_DIR_NOT_FOUND when not). */
  hasLogDir(dir: string): boolean {
    return this.logDirs.includes(path.resolve(dir));
  }

  /**
   * AlterReplicaLogDirs for a partition this broker has no log of yet: its log is made in `dir`
   * when a LeaderAndIsr brings it (Kafka's maybeUpdatePreferredLogDir).
   */
  maybeUpdatePreferredLogDir(tp: TopicPartition, dir: string): void {
    const key = topicPartitionKey(tp);
    if (!this.logs.has(key)) this.preferredLogDirs.set(key, path.resolve(dir));
  }

  /**
   * The future log of `tp` in `dir`, made empty when there is none (Kafka's getOrCreateLog with
   * isFuture). Undefined when the current log already lives in `dir`: nothing to move. A future log
   * in another dir (an earlier move, now redirected) is deleted first.
   */
  async getOrCreateFutureLog(tp: TopicPartition, dir: string): Promise<Log | undefined> {
    const key = topicPartitionKey(tp);
    const parent = path.resolve(dir);
    const current = this.logs.get(key);
    if (!current) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `No log of ${key} on this broker`);
    if (!this.isLogDirOnline(parent)) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Log directory ${parent} is offline`);
    if (this.offlineLogDirs.length > 0) {
      throw new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `Can not create the future log of ${key} because log directories ${this.offlineLogDirs.join(',')} are offline`,
      );
    }
    const existing = this.futureLogs.get(key);
    if (existing && existing.parentDir === parent) return existing;
    if (existing) await this.abortAndDeleteFutureLog(tp);
    if (current.parentDir === parent) return undefined;
    const futureDir = path.join(parent, files.logFutureDirName(tp));
    await this.failureChannel.maybeHandleIOExceptionAsync(
      parent,
      () => `Error while creating the future log of ${key} in dir ${parent}`,
      () => createLogFiles(futureDir),
    );
    const log = this.withDir(parent, 'Error while creating log in dir', () =>
      createLog({ ...this.logDeps(), dir: futureDir, topicPartition: tp, config: this.fetchLogConfig(tp.topic), filesCreated: true }),
    );
    if (!log) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Log directory ${parent} failed`);
    this.futureLogs.set(key, log);
    this.cleaner?.abortAndPauseCleaning(tp);
    this.logger.info(`Created the future log of ${key} in ${log.dir}`);
    return log;
  }

  /** Drops the future log of `tp` (the move was cancelled or the partition is deleted). */
  async abortAndDeleteFutureLog(tp: TopicPartition): Promise<void> {
    const key = topicPartitionKey(tp);
    const log = this.futureLogs.get(key);
    if (!log) return;
    this.futureLogs.delete(key);
    const parent = log.parentDir;
    try {
      log.renameDir(files.logDeleteDirName(tp));
      await log.close();
      this.scheduleDirDeletion(log.dir);
      await this.checkpointDir(parent);
    } catch (e) {
      this.logger.warn(`Error while deleting the future log of ${key}`, e);
    }
    if (this.logs.has(key)) this.cleaner?.resumeCleaning(tp);
    this.logger.info(`The future log of ${key} in ${parent} is deleted`);
  }

  /**
   * The future log of `tp` becomes its log (Kafka's replaceCurrentWithFutureLog). The caller has
   * made sure the future log holds everything the current one does and that nothing appends to
   * either meanwhile; the switch itself is synchronous (two renames and the maps), then the old
   * log is closed once its queued writes are done, renamed `…-delete` and removed later.
   * Returns the new current log.
   */
  replaceCurrentWithFutureLog(tp: TopicPartition): Log {
    const key = topicPartitionKey(tp);
    const source = this.logs.get(key);
    const dest = this.futureLogs.get(key);
    if (!source || !dest) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `No current and future log of ${key} to swap`);
    dest.renameDir(files.logDirName(tp));
    dest.updateHighWatermark(source.highWatermark);
    this.futureLogs.delete(key);
    this.logs.set(key, dest);
    const sourceParent = source.parentDir;
    this.cleaner?.resumeCleaning(tp);
    try {
      source.renameDir(files.logDeleteDirName(tp));
    } catch (e) {
      // the swap stands (the maps and the caller use the new log); the failed directory is
      // offline now (LocalLog's io marks it), and the old log stays where it is until a restart
      this.logger.error(`The replaced log of ${key} could not be renamed for deletion in ${sourceParent}`, e);
      return dest;
    }
    void (async () => {
      try {
        await source.whenWritten().catch(() => undefined);
        await source.close();
      } catch (e) {
        this.logger.warn(`Error while closing the replaced log of ${key}`, e);
      }
      await this.cleaner?.removePartition(sourceParent, tp).catch(() => undefined);
      await this.checkpointDir(sourceParent).catch(() => undefined);
      await this.checkpointDir(dest.parentDir).catch(() => undefined);
      this.scheduleDirDeletion(source.dir);
    })();
    this.logger.info(`The current log of ${key} in ${sourceParent} is replaced by its future log, now ${dest.dir}`);
    return dest;
  }

  private scheduleDirDeletion(dir: string): void {
    this.scheduler.schedule(
      'kafka-delete-logs',
      async () => {
        const parent = path.dirname(dir);
        if (this.failureChannel.isOffline(parent)) return;
        await this.failureChannel
          .maybeHandleIOExceptionAsync(
            parent,
            () => `Error while deleting ${dir}`,
            () => disk.removeTree(dir),
          )
          .then(() => this.logger.info(`Deleted log directory ${dir}`))
          .catch((e) => this.logger.error(`Exception while deleting ${dir}`, e));
      },
      this.defaultConfig.fileDeleteDelayMs,
    );
  }

  /** Follower truncation of several logs, then their recovery points are checkpointed. */
  async truncateTo(offsets: ReadonlyMap<string, number> | Readonly<Record<string, number>>): Promise<void> {
    const entries = offsets instanceof Map ? [...offsets.entries()] : Object.entries(offsets);
    const dirs = new Set<string>();
    for (const [key, offset] of entries) {
      const log = this.logs.get(key);
      if (!log) continue;
      this.cleaner?.abortAndPauseCleaning(log.topicPartition);
      try {
        if (log.truncateTo(offset)) {
          dirs.add(log.parentDir);
          this.cleaner?.maybeTruncateCheckpoint(
            log.parentDir,
            log.topicPartition,
            log.activeSegment.baseOffset,
          );
        }
      } finally {
        this.cleaner?.resumeCleaning(log.topicPartition);
      }
    }
    for (const d of dirs) await this.checkpointDir(d, false);
  }

  async truncateFullyAndStartAt(tp: TopicPartition, newOffset: number): Promise<void> {
    const log = this.getLog(tp);
    if (!log) return;
    this.cleaner?.abortAndPauseCleaning(tp);
    try {
      log.truncateFullyAndStartAt(newOffset);
      this.cleaner?.maybeTruncateCheckpoint(log.parentDir, tp, log.activeSegment.baseOffset);
    } finally {
      this.cleaner?.resumeCleaning(tp);
    }
    await this.checkpointDir(log.parentDir, false);
  }

  /**
   * New topic overrides (a change of `/config/topics/<t>`) applied to the topic's live logs.
   * Throws INVALID_CONFIG for unknown names or bad values, changing nothing.
   */
  updateConfig(topic: string, overrides: ConfigProps): LogConfig {
    const config = LogConfig.fromProps(this.defaultConfig, overrides);
    if (Object.keys(overrides).length === 0) this.topicOverrides.delete(topic);
    else this.topicOverrides.set(topic, overrides);
    for (const log of this.logsByTopic(topic)) log.updateConfig(config);
    // a future log takes the partition's place: it follows the same config (Kafka's logsByTopic has both)
    for (const log of this.allFutureLogs()) if (log.topicPartition.topic === topic) log.updateConfig(config);
    return config;
  }

  /** New broker defaults (dynamic broker config) applied to every live log. */
  reconfigureDefaultLogConfig(config: LogConfig): void {
    this.defaultConfig = config;
    for (const log of [...this.logs.values(), ...this.futureLogs.values()]) log.updateConfig(this.fetchLogConfig(log.topicPartition.topic));
  }

  /** Retention of every log; returns the number of segments deleted. */
  cleanupLogs(): number {
    let total = 0;
    for (const log of this.allLogs()) {
      try {
        total += log.deleteOldSegments();
      } catch (e) {
        this.logger.error(`Error during retention of ${log.name}`, e);
      }
    }
    return total;
  }

  /** Forgets, in every log, producer ids silent for transactional.id.expiration.ms; returns how many. */
  removeExpiredProducers(): number {
    const now = this.time.milliseconds();
    let total = 0;
    for (const log of this.allLogs()) total += log.removeExpiredProducers(now);
    return total;
  }

  /** flush.ms: flushes logs whose last flush is older than their flush.ms. */
  async flushDirtyLogs(): Promise<void> {
    const now = this.time.milliseconds();
    await Promise.all(
      [...this.allLogs(), ...this.allFutureLogs()]
        .filter((l) => l.config.flushMs < LONG_MAX_VALUE && now - l.lastFlushTime >= l.config.flushMs)
        .map((l) => l.flush().catch((e) => this.logger.error(`Error flushing ${l.name}`, e))),
    );
  }

  /**
   * Writes a checkpoint file, except a periodic one (not `sync`) whose offsets are exactly those
   * this broker last wrote to it: the file already says that. An idle broker with thousands of
   * partitions otherwise rewrote every high watermark every 5 s for nothing (Kafka writes it each
   * time; the file's bytes are the same either way).
   */
  private async writeCheckpoint(
    dir: string,
    name: string,
    entries: Map<string, number>,
    sync: boolean,
  ): Promise<void> {
    const file = path.join(dir, name);
    const last = this.lastCheckpoints.get(file);
    if (!sync && last !== undefined && sameOffsets(last, entries)) return;
    this.lastCheckpoints.delete(file);
    await writeOffsetCheckpoint(dir, name, entries, {
      sync,
      failureChannel: this.failureChannel,
      logger: this.logger,
    });
    this.lastCheckpoints.set(file, entries);
  }

  private recoveryPoints(dir: string): Map<string, number> {
    return offsetsOf(this.logsAndFuturesInDir(dir), (l) => l.recoveryPoint);
  }

  /** Only logs whose start is past their first segment's base, as Kafka writes it. */
  private logStartOffsets(dir: string): Map<string, number> {
    const logs = this.logsAndFuturesInDir(dir).filter((l) => l.logStartOffset > l.logSegments()[0].baseOffset);
    return offsetsOf(logs, (l) => l.logStartOffset);
  }

  private highWatermarks(dir: string): Map<string, number> {
    return offsetsOf(this.logsInDir(dir), (l) => l.highWatermark);
  }

  async checkpointLogRecoveryOffsets(): Promise<void> {
    for (const d of this.liveLogDirs)
      await this.writeCheckpoint(d, files.RECOVERY_POINT_CHECKPOINT_FILE, this.recoveryPoints(d), false);
  }

  async checkpointLogStartOffsets(): Promise<void> {
    for (const d of this.liveLogDirs)
      await this.writeCheckpoint(d, files.LOG_START_OFFSET_CHECKPOINT_FILE, this.logStartOffsets(d), false);
  }

  /** `replication-offset-checkpoint`: every log's high watermark. */
  async checkpointHighWatermarks(): Promise<void> {
    for (const d of this.liveLogDirs)
      await this.writeCheckpoint(d, files.REPLICATION_OFFSET_CHECKPOINT_FILE, this.highWatermarks(d), false);
  }

  private async checkpointDir(dir: string, sync = false): Promise<void> {
    await this.writeCheckpoint(dir, files.RECOVERY_POINT_CHECKPOINT_FILE, this.recoveryPoints(dir), sync);
    await this.writeCheckpoint(dir, files.LOG_START_OFFSET_CHECKPOINT_FILE, this.logStartOffsets(dir), sync);
    await this.writeCheckpoint(dir, files.REPLICATION_OFFSET_CHECKPOINT_FILE, this.highWatermarks(dir), sync);
  }

  /**
   * A directory failed: its logs are closed without writing and dropped; their partitions answer
   * KAFKA_STORAGE_ERROR. The other directories carry on.
   */
  handleLogDirFailure(dir: string): void {
    const failed = this.logsInDir(dir);
    for (const log of failed) {
      const key = topicPartitionKey(log.topicPartition);
      this.logs.delete(key);
      this.offlinePartitions.add(key);
      this.cleaner?.abortAndPauseCleaning(log.topicPartition);
      try {
        log.closeHandlers();
      } catch (e) {
        this.logger.warn(`Error while closing handlers of ${key}`, e);
      }
    }
    for (const log of this.allFutureLogs().filter((l) => l.parentDir === dir)) {
      this.futureLogs.delete(topicPartitionKey(log.topicPartition));
      try {
        log.closeHandlers();
      } catch (e) {
        this.logger.warn(`Error while closing handlers of the future log of ${log.name}`, e);
      }
    }
    fdCache.releaseAll();
    this.logger.warn(
      `Logs for partitions ${failed.map((l) => l.name).join(',') || '(none)'} are offline and logs for future partitions are offline due to failure on log directory ${dir}`,
    );
  }

  /**
   * Flushes and closes every log, writes the checkpoints, and marks each directory that closed
   * without error with `.kafka_cleanshutdown`, so that the next start skips recovery.
   */
  async shutdown(): Promise<void> {
    this.logger.info('Shutting down.');
    await this.cleaner?.shutdown();
    for (const t of this.tasks.splice(0)) t.cancel();
    if (this.ownsScheduler) await this.scheduler.shutdown();
    for (const dir of this.liveLogDirs) {
      const logs = this.logsAndFuturesInDir(dir);
      let ok = true;
      await runWithConcurrency(
        logs.map((log) => async () => {
          try {
            await log.flush();
            await log.close();
          } catch (e) {
            ok = false;
            this.logger.warn(`Error while closing ${log.name}`, e);
          }
        }),
        this.opts.recoveryThreadsPerDataDir ?? 4,
      );
      if (!ok || this.failureChannel.isOffline(dir)) continue;
      await this.checkpointDir(dir, true);
      this.withDir(dir, 'Error while writing the clean shutdown marker in', () =>
        disk.touch(path.join(dir, files.CLEAN_SHUTDOWN_FILE)),
      );
    }
    this.logs.clear();
    this.futureLogs.clear();
    this.started = false;
    this.logger.info('Shutdown complete.');
  }

  get isStarted(): boolean {
    return this.started;
  }
}

/** The same partitions with the same offsets. */
function sameOffsets(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
