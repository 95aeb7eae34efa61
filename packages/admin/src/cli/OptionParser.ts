/**
 * The small part of jopt-simple Kafka's tools use (`new OptionParser(false)`: long options only, no
 * abbreviations): `--name`, `--name value` and `--name=value`, repeatable options, int and long
 * arguments, optional arguments (`withOptionalArg`), and options available only beside others
 * (`availableIf`). Mistakes are UsageErrors with jopt-simple's wording; the tools print the message
 * as one line and exit 1.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  readonly name: string;
  readonly description: string;
  /** Shown in --help as the argument's name; set for options that take an argument. */
  readonly argName?: string;
  readonly type?: ArgType;
  /** The argument may be left out (jopt-simple's withOptionalArg). */
  readonly optionalArg?: boolean;
}

export type ArgType = 'string' | 'int' | 'long';

export class ParsedOptions {
  constructor(
    private readonly values: ReadonlyMap<string, readonly string[]>,
    private readonly specs: ReadonlyMap<string, OptionSpec>,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The option's single argument (a UsageError if given more than once), or undefined. */
  valueOf(name: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (v.length > 1)
      throw new UsageError(`Found multiple arguments for option ${name}, but you asked for only one`);
    return v[0];
  }

  /** An int option's value (already checked by parse). */
  intValueOf(name: string): number | undefined {
    const v = this.valueOf(name);
    return v === undefined ? undefined : Number(v);
  }

  /** A long option's value (already checked by parse), exact. */
  longValueOf(name: string): bigint | undefined {
    const v = this.valueOf(name);
    return v === undefined ? undefined : BigInt(v);
  }

  valuesOf(name: string): readonly string[] {
    return this.values.get(name) ?? [];
  }

  /** The options given, in the parser's order. */
  given(): string[] {
    return [...this.specs.keys()].filter((n) => this.values.has(n));
  }
}

const INT = /^[-+]?\d+$/;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export class OptionParser {
  private readonly specs = new Map<string, OptionSpec>();
  /** option → the options of which at least one must be present beside it. */
  private readonly requiredBeside = new Map<string, readonly string[]>();

  /** An option without argument. */
  accepts(name: string, description: string): this {
    this.specs.set(name, { name, description });
    return this;
  }

  /** An option with a required argument. */
  acceptsArg(name: string, description: string, argName: string, type: ArgType = 'string'): this {
    this.specs.set(name, { name, description, argName, type });
    return this;
  }

  /**
   * An option whose argument may be left out: the next word is its argument unless it looks like
   * an option (starts with "-"); `--name=` gives the empty string.
   */
  acceptsOptionalArg(name: string, description: string, argName: string): this {
    this.specs.set(name, { name, description, argName, type: 'string', optionalArg: true });
    return this;
  }

  /**
   * jopt-simple's availableIf: `name` may only be given together with at least one of `anyOf`.
   * As in jopt-simple, the check is skipped when --help is given.
   */
  availableIf(name: string, ...anyOf: string[]): this {
    this.requiredBeside.set(name, anyOf);
    return this;
  }

  parse(args: readonly string[]): ParsedOptions {
    const values = new Map<string, string[]>();
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (!arg.startsWith('--') || arg === '--') throw new UsageError(`Unexpected argument: ${arg}`);
      const eq = arg.indexOf('=');
      const name = arg.substring(2, eq < 0 ? undefined : eq);
      const spec = this.specs.get(name);
      if (spec === undefined) throw new UsageError(`${name} is not a recognized option`);
      let value: string | undefined;
      if (spec.argName === undefined) {
        if (eq >= 0) throw new UsageError(`Option ${name} does not take an argument`);
        value = undefined;
      } else if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (spec.optionalArg) {
        const next = args[i + 1];
        value = next === undefined || (next.startsWith('-') && next !== '-') ? undefined : args[++i];
      } else {
        if (i + 1 >= args.length || args[i + 1].startsWith('--'))
          throw new UsageError(`Option ${name} requires an argument`);
        value = args[++i];
      }
      const numeric = spec.type === 'int' || spec.type === 'long';
      if (value !== undefined && numeric && !isInRange(value.trim(), spec.type === 'int')) {
        throw new UsageError(`Cannot parse argument '${value}' of option ${name}`);
      }
      const list = values.get(name) ?? [];
      if (value !== undefined) list.push(numeric ? value.trim() : value);
      values.set(name, list);
    }
    if (!values.has('help')) this.checkAvailability(values);
    return new ParsedOptions(values, this.specs);
  }

  /** jopt-simple's UnavailableOptionException, naming every option given without its companions. */
  private checkAvailability(values: ReadonlyMap<string, readonly string[]>): void {
    const unavailable = [...this.requiredBeside]
      .filter(([name, anyOf]) => values.has(name) && !anyOf.some((other) => values.has(other)))
      .map(([name]) => name);
    if (unavailable.length > 0) {
      throw new UsageError(
        `Option(s) [${unavailable.join(', ')}] are unavailable given other options on the command line`,
      );
    }
  }

  /** Two columns, as jopt-simple prints them. */
  helpText(): string {
    const rows = [...this.specs.values()].map((s) => [
      `--${s.name}${s.argName === undefined ? '' : s.optionalArg ? ` [${s.argName}]` : ` <${s.argName}>`}`,
      s.description,
    ]);
    const width = Math.min(Math.max(...rows.map(([left]) => left.length)), 40) + 2;
    const lines = [`${'Option'.padEnd(width)}Description`, `${'------'.padEnd(width)}-----------`];
    for (const [left, right] of rows) {
      const description = right.split('\n');
      if (left.length + 2 > width) lines.push(left);
      else lines.push(`${left.padEnd(width)}${description.shift()}`);
      for (const more of description) lines.push(`${''.padEnd(width)}${more}`);
    }
    return lines.join('\n');
  }
}

function isInRange(value: string, int32: boolean): boolean {
  if (!INT.test(value)) return false;
  const n = BigInt(value);
  return int32 ? n >= -2147483648n && n <= 2147483647n : n >= LONG_MIN && n <= LONG_MAX;
}
