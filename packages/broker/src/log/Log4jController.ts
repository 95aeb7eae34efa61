/**
 * The broker's log levels as Kafka's Log4jController keeps them (what DescribeConfigs and
 * IncrementalAlterConfigs of a BROKER_LOGGER resource read and change, KIP-412): the root logger's
 * level, and for every named logger the broker has created its own level if one was set, else the
 * root's. Changes are live and last until the broker stops, as in Kafka.
 */
export const ROOT_LOGGER = 'root';

/** Kafka's LogLevelConfig.VALID_LOG_LEVELS, lowest first. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The rank of a message of our Logger's levels (trace messages are debug ones here). */
export const MESSAGE_RANK = { debug: 1, info: 2, warn: 3, error: 4 } as const;

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

export class Log4jController {
  private rootLevel: LogLevel;
  private readonly own = new Map<string, LogLevel | null>();

  constructor(rootLevel: LogLevel = 'INFO') {
    this.rootLevel = rootLevel;
  }

  /** Records a logger the broker created (with no level of its own). */
  register(name: string): void {
    if (name !== ROOT_LOGGER && !this.own.has(name)) this.own.set(name, null);
  }

  loggerExists(name: string): boolean {
    return name === ROOT_LOGGER || this.own.has(name);
  }

  /** Every logger with its level (its own, else the root's), root first. */
  loggers(): Map<string, LogLevel> {
    const out = new Map<string, LogLevel>([[ROOT_LOGGER, this.rootLevel]]);
    for (const [name, level] of [...this.own].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      out.set(name, level ?? this.rootLevel);
    return out;
  }

  setLogLevel(name: string, level: LogLevel): boolean {
    if (name === ROOT_LOGGER) this.rootLevel = level;
    else if (this.own.has(name)) this.own.set(name, level);
    else return false;
    return true;
  }

  /** Back to the root's level; the root's own cannot be removed (the caller refuses it first). */
  unsetLogLevel(name: string): boolean {
    if (name === ROOT_LOGGER || !this.own.has(name)) return false;
    this.own.set(name, null);
    return true;
  }

  /** Whether a message of `rank` from logger `name` (undefined: the root's) is written. */
  enabled(name: string | undefined, rank: number): boolean {
    const level = (name === undefined ? undefined : this.own.get(name)) ?? this.rootLevel;
    return rank >= LOG_LEVELS.indexOf(level);
  }
}
