/**
 * What kafka-configs --alter is asked to change (Kafka's parseConfigsToBeAdded / parseConfigsToBeDeleted),
 * shared by the command and its quota part.
 */
import { readFileSync } from 'node:fs';
import { SCRAM_MECHANISMS } from '@samsa/security';
import { parseProperties } from '../cli/CommandConfig';
import { UsageError, type ParsedOptions } from '../cli/OptionParser';

/** The SCRAM mechanisms' config names (SCRAM-SHA-256, SCRAM-SHA-512). */
export const SCRAM_NAMES: readonly string[] = SCRAM_MECHANISMS.map((m) => m.mechanismName);

/** Kafka's parseConfigsToBeAdded: split at commas outside [], then key=value, brackets dropped from values. */
export function parseConfigsToBeAdded(addConfig: string): Map<string, string> {
  const out = new Map<string, string>();
  const outside = '(?=[^\\]]*(?:\\[|$))';
  for (const pair of addConfig.split(new RegExp(`,${outside}`))) {
    const kv = pair.split(new RegExp(`\\s*=\\s*${outside}`));
    if (kv.length !== 2) throw new UsageError('Invalid entity config: all configs to be added must be in the format "key=val".');
    const key = kv[0].trim();
    if (!/^[a-zA-Z0-9._-]*$/.test(key)) throw new UsageError(`Invalid character found for config key: ${key}`);
    out.set(key, kv[1].replace(/\[?\]?/g, '').trim());
  }
  return out;
}

export /** --add-config or --add-config-file (a properties file), and --delete-config. */
function parseChanges(o: ParsedOptions): { add: Map<string, string>; del: string[] } {
  let add = new Map<string, string>();
  if (o.has('add-config')) add = parseConfigsToBeAdded(o.valueOf('add-config')!);
  else if (o.has('add-config-file')) add = parseProperties(readFileSync(o.valueOf('add-config-file')!, 'utf8'));
  const del = o.valuesOf('delete-config').flatMap((d) => d.split(',')).map((d) => d.trim());
  return { add, del };
}
