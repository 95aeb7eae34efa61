import { join } from 'node:path';
import { Log4jController, MESSAGE_RANK, type LogLevel } from './Log4jController';
import winston from 'winston';
import type { Logger } from '@samsa/common';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Kafka's log4j timestamp: local time, `yyyy-MM-dd HH:mm:ss,SSS`. */
export function kafkaTimestamp(d = new Date()): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`
  );
}

const kafkaLine = winston.format.printf((info) => {
  const prefix = info.logPrefix ? `${info.logPrefix} ` : '';
  const source = info.loggerName ? ` (${info.loggerName})` : '';
  const err = info.errorText ? `\n${info.errorText}` : '';
  return `[${kafkaTimestamp()}] ${String(info.level).toUpperCase()} ${prefix}${info.message}${source}${err}`;
});

export interface LoggingOptions {
  /** Directory for server.log and state-change.log; console only when absent. */
  readonly logDir?: string;
  readonly level?: 'debug' | 'info' | 'warn' | 'error';
  readonly console?: boolean;
}

/**
 * Broker logging in Kafka's line format, so operators' greps keep working:
 *   [2026-11-21 10:00:00,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)
 * `server.log` (and the console) get every component; `state-change.log` gets the controller's
 * partition and replica transitions, as Kafka's state.change.logger does.
 */
export class Logging {
  /** The levels of the named loggers (BROKER_LOGGER configs), checked before winston sees a line. */
  readonly log4jController: Log4jController;
  private readonly root: winston.Logger;
  private readonly stateChange: winston.Logger;

  constructor(opts: LoggingOptions = {}) {
    const level = opts.level ?? ((process.env.SAMSA_LOG_LEVEL as LoggingOptions['level']) || 'info');
    const transports: winston.transport[] = [];
    if (opts.console !== false) transports.push(new winston.transports.Console({ stderrLevels: ['error', 'warn'] }));
    if (opts.logDir) transports.push(new winston.transports.File({ filename: join(opts.logDir, 'server.log') }));
    this.log4jController = new Log4jController(level.toUpperCase() as LogLevel);
    this.root = winston.createLogger({ level: 'debug', format: kafkaLine, transports });
    const sc: winston.transport[] = opts.logDir
      ? [new winston.transports.File({ filename: join(opts.logDir, 'state-change.log') })]
      : [];
    this.stateChange = winston.createLogger({ level: 'debug', format: kafkaLine, transports: sc, silent: sc.length === 0 });
  }

  /** A component logger: `[Prefix] message (loggerName)`. */
  logger(logPrefix: string, loggerName?: string): Logger {
    if (loggerName !== undefined) this.log4jController.register(loggerName);
    return wrap(this.root, logPrefix, loggerName, this.log4jController);
  }

  /** The state-change log (controller and broker partition/replica transitions). */
  stateChangeLogger(logPrefix: string): Logger {
    return wrap(this.stateChange, logPrefix, 'state.change.logger');
  }

  close(): Promise<void> {
    const done = (l: winston.Logger) => new Promise<void>((resolve) => {
      l.on('finish', () => resolve());
      l.end();
    });
    return Promise.all([done(this.root), done(this.stateChange)]).then(() => undefined);
  }
}

function errorText(err: unknown): string | undefined {
  if (err === undefined) return undefined;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function wrap(l: winston.Logger, logPrefix: string, loggerName?: string, levels?: Log4jController): Logger {
  const on = (rank: number) => levels === undefined || levels.enabled(loggerName, rank);
  return {
    debug: (message) => {
      if (on(MESSAGE_RANK.debug)) l.debug({ message, logPrefix, loggerName });
    },
    info: (message) => {
      if (on(MESSAGE_RANK.info)) l.info({ message, logPrefix, loggerName });
    },
    warn: (message, err) => {
      if (on(MESSAGE_RANK.warn)) l.warn({ message, logPrefix, loggerName, errorText: errorText(err) });
    },
    error: (message, err) => {
      if (on(MESSAGE_RANK.error)) l.error({ message, logPrefix, loggerName, errorText: errorText(err) });
    },
  };
}
