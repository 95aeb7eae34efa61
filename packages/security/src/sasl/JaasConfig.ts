/**
 * Kafka's JaasConfig: the value of `sasl.jaas.config` (and `listener.name.<l>.<mech>.sasl.jaas.config`),
 * one or more login modules, each `<LoginModuleClass> <flag> key="value" key2=value2 …;`. The flag is
 * required, requisite, sufficient or optional; values may be quoted (with \" and \\ escapes) or bare
 * words. Kafka parses it with Java's StreamTokenizer; this is the same grammar for what brokers and
 * clients write.
 */
export type JaasControlFlag = 'required' | 'requisite' | 'sufficient' | 'optional';

export interface JaasLoginModule {
  readonly loginModule: string;
  readonly controlFlag: JaasControlFlag;
  readonly options: ReadonlyMap<string, string>;
}

const FLAGS: readonly string[] = ['required', 'requisite', 'sufficient', 'optional'];

class Tokens {
  private i = 0;
  constructor(private readonly s: string) {}

  private skipSpace(): void {
    for (;;) {
      while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
      // Java's StreamTokenizer as Kafka sets it up honours // and /* */ comments
      if (this.s.startsWith('//', this.i)) {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      } else if (this.s.startsWith('/*', this.i)) {
        const end = this.s.indexOf('*/', this.i + 2);
        this.i = end < 0 ? this.s.length : end + 2;
      } else return;
    }
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.i >= this.s.length;
  }

  peek(): string {
    this.skipSpace();
    return this.s[this.i] ?? '';
  }

  take(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.i++;
    return true;
  }

  /** A bare word (letters, digits, and . _ - $ / : characters) or a quoted string. */
  word(what: string): string {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === '"' || c === "'") {
      let out = '';
      this.i++;
      while (this.i < this.s.length && this.s[this.i] !== c) {
        if (this.s[this.i] === '\\' && this.i + 1 < this.s.length) this.i++;
        out += this.s[this.i++];
      }
      if (this.i >= this.s.length) throw new Error(`unterminated quoted ${what}`);
      this.i++;
      return out;
    }
    const m = /^[A-Za-z0-9._\-$/:@*+]+/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`expected ${what} at '${this.s.slice(this.i, this.i + 20)}'`);
    this.i += m[0].length;
    return m[0];
  }
}

/** Parses a JAAS configuration value; throws an Error saying what is wrong (Kafka: IllegalArgumentException). */
export function parseJaasConfig(text: string): JaasLoginModule[] {
  const t = new Tokens(text);
  const modules: JaasLoginModule[] = [];
  while (!t.atEnd()) {
    const loginModule = t.word('login module class name');
    const flag = t.word('login module control flag').toLowerCase();
    if (!FLAGS.includes(flag)) throw new Error(`Invalid login module control flag '${flag}' in JAAS config`);
    const options = new Map<string, string>();
    while (!t.take(';')) {
      if (t.atEnd()) throw new Error('JAAS config entry not terminated by semi-colon');
      const key = t.word('option name');
      if (!t.take('=')) throw new Error(`Value not specified for key '${key}' in JAAS config`);
      options.set(key, t.word(`value of ${key}`));
    }
    modules.push({ loginModule, controlFlag: flag as JaasControlFlag, options });
  }
  if (modules.length === 0) throw new Error('JAAS config property does not contain any login modules');
  return modules;
}

/**
 * The single login module Kafka requires in a `sasl.jaas.config` value ("JAAS config property
 * contains N login modules, should be 1 module").
 */
export function singleLoginModule(text: string): JaasLoginModule {
  const modules = parseJaasConfig(text);
  if (modules.length !== 1)
    throw new Error(`JAAS config property contains ${modules.length} login modules, should be 1 module`);
  return modules[0];
}

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
