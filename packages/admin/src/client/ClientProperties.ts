import type { ClientSecurity } from '@samsa/client';
import { clientSecurityFromProperties, readCommandConfig } from '../cli/CommandConfig';
import { UsageError } from '../cli/OptionParser';

/**
 * The client properties of a data tool, merged as Kafka's tools merge them: the config files
 * first (--producer.config / --consumer.config, and --command-config, Samsa's name for the same
 * file in every tool), then the `key=value` options (--producer-property, --consumer-property),
 * which win. The security keys go through CommandConfig, the code every other tool uses.
 */
export class ClientProperties {
  private constructor(readonly props: ReadonlyMap<string, string>) {}

  static from(files: readonly (string | undefined)[], keyValues: readonly string[]): ClientProperties {
    const props = new Map<string, string>();
    for (const file of files) if (file !== undefined) for (const [k, v] of readCommandConfig(file)) props.set(k, v);
    for (const [k, v] of parseKeyValues(keyValues)) props.set(k, v);
    return new ClientProperties(props);
  }

  get(key: string): string | undefined {
    return this.props.get(key);
  }

  /** An int property, or `fallback`; a value that is no integer is a UsageError naming it. */
  int(key: string, fallback: number): number {
    const v = this.props.get(key);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`Invalid value ${v} for configuration ${key}: Not a number of type INT`);
    return Number(v.trim());
  }

  security(): ClientSecurity | undefined {
    return this.props.has('security.protocol') ? clientSecurityFromProperties(this.props) : undefined;
  }
}

/** `key=value` words (Kafka's CommandLineUtils.parseKeyValueArgs); a word without `=` is a UsageError. */
export function parseKeyValues(words: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new UsageError(`Invalid command line properties: ${word}`);
    out.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return out;
}
