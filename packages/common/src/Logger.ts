/**
 * Every package logs through this small interface; the broker passes its own (Kafka's log4j line
 * format, in broker/log/logging). The default writes warnings and errors to stderr and drops the rest
 * unless SAMSA_LOG_LEVEL asks for them.
 */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string, err?: unknown): void;
  error(msg: string, err?: unknown): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'off'] as const;
type Level = (typeof LEVELS)[number];

function describe(err: unknown): string {
  if (err === undefined) return '';
  if (err instanceof Error) return `: ${err.message}`;
  return `: ${String(err)}`;
}

export function consoleLogger(name = 'samsa', level: Level = envLevel()): Logger {
  const at = LEVELS.indexOf(level);
  const out = (l: Level, msg: string, err?: unknown): void => {
    if (LEVELS.indexOf(l) < at) return;
    process.stderr.write(`${new Date().toISOString()} ${l.toUpperCase()} [${name}] ${msg}${describe(err)}\n`);
  };
  return {
    debug: (m) => out('debug', m),
    info: (m) => out('info', m),
    warn: (m, e) => out('warn', m, e),
    error: (m, e) => out('error', m, e),
  };
}

function envLevel(): Level {
  const v = (process.env.SAMSA_LOG_LEVEL ?? 'warn').toLowerCase();
  return (LEVELS as readonly string[]).includes(v) ? (v as Level) : 'warn';
}

/** A logger that keeps every line, for tests that assert on warnings. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  debug(msg: string): void {
    this.lines.push(`DEBUG ${msg}`);
  }
  info(msg: string): void {
    this.lines.push(`INFO ${msg}`);
  }
  warn(msg: string, err?: unknown): void {
    this.lines.push(`WARN ${msg}${describe(err)}`);
  }
  error(msg: string, err?: unknown): void {
    this.lines.push(`ERROR ${msg}${describe(err)}`);
  }
  matching(re: RegExp): string[] {
    return this.lines.filter((l) => re.test(l));
  }
}
