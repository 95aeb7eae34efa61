/**
 * Which of our specs are checked against Kafka 2.8, and the check over all of them.
 * Every request and response in `ALL_APIS`, plus the data schemas of `messages/internal`.
 */
import type { MessageSpec } from './types';
import { ALL_APIS } from '../messages';
import * as internal from '../messages/internal';
import {
  canonicalSpec,
  compareWithKafka,
  fingerprint,
  parseKafkaMessageJson,
  type KafkaMessageJson,
} from './kafkaSchemaCheck';
import { KAFKA_SCHEMA_EXCEPTIONS, type KafkaSchemaException } from './kafkaSchemaExceptions';

/** Our specs that correspond to one of Kafka 2.8's message files, in api-key order then internal. */
export function checkedSpecs(): MessageSpec[] {
  const specs: MessageSpec[] = [];
  for (const api of ALL_APIS) specs.push(api.request, api.response);
  for (const spec of Object.values(internal)) specs.push(spec);
  return specs;
}

/** Message name → sha256 of its canonical form, sorted by name (the committed fingerprint file's shape). */
export function fingerprintsOf(specs: readonly MessageSpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of [...specs].sort((a, b) => a.name.localeCompare(b.name))) {
    out[spec.name] = fingerprint(canonicalSpec(spec));
  }
  return out;
}

export interface KafkaCheckResult {
  /** How many of our messages were compared. */
  readonly checked: number;
  /** Differences not covered by an exception: each one fails the check. */
  readonly differences: readonly string[];
  /** Differences covered by `KAFKA_SCHEMA_EXCEPTIONS`. */
  readonly accepted: readonly KafkaSchemaException[];
  /** Exceptions that matched nothing: stale, to be removed. */
  readonly unusedExceptions: readonly KafkaSchemaException[];
}

/** Compares every checked spec with Kafka's message of the same name (keyed by Kafka's `name`). */
export function checkAgainstKafka(
  kafkaByName: ReadonlyMap<string, KafkaMessageJson>,
  exceptions: readonly KafkaSchemaException[] = KAFKA_SCHEMA_EXCEPTIONS,
): KafkaCheckResult {
  const all: string[] = [];
  const specs = checkedSpecs();
  for (const spec of specs) {
    const kafka = kafkaByName.get(spec.name);
    if (!kafka) {
      all.push(`${spec.name}: no Kafka 2.8 message of that name`);
      continue;
    }
    all.push(...compareWithKafka(spec, kafka));
  }
  for (const api of ALL_APIS) {
    for (const spec of [api.request, api.response]) {
      const kafka = kafkaByName.get(spec.name);
      if (kafka && kafka.apiKey !== api.apiKey) {
        all.push(`${spec.name}: apiKey ${api.apiKey} vs Kafka ${String(kafka.apiKey)}`);
      }
    }
  }
  return { checked: specs.length, ...applyExceptions(all, exceptions) };
}

/** Splits differences into unaccepted and accepted ones, and finds exceptions that matched nothing. */
export function applyExceptions(
  all: readonly string[],
  exceptions: readonly KafkaSchemaException[],
): Omit<KafkaCheckResult, 'checked'> {
  const byText = new Map(exceptions.map((e) => [e.difference, e]));
  const used = new Set<KafkaSchemaException>();
  const differences: string[] = [];
  for (const d of all) {
    const e = byText.get(d);
    if (e) used.add(e);
    else differences.push(d);
  }
  return {
    differences,
    accepted: exceptions.filter((e) => used.has(e)),
    unusedExceptions: exceptions.filter((e) => !used.has(e)),
  };
}

/** The committed fingerprint file's shape: `kafka-2.8-fingerprints.json`. */
export interface KafkaFingerprintFile {
  readonly comment: string;
  readonly kafka: string;
  readonly messages: Record<string, string>;
}

export const FINGERPRINT_FILE_COMMENT =
  'sha256 of the canonical form (schema/kafkaSchemaCheck.ts) of each of our message specs, as last verified ' +
  "field by field against Kafka's message JSON. Written only by scripts/check-kafka-schemas.ts " +
  '--write-fingerprints when no unaccepted difference remains; never edit by hand.';

/** Kafka's messages keyed by their `name`, from the texts of its message files. */
export function kafkaMessagesByName(texts: Iterable<string>): Map<string, KafkaMessageJson> {
  const byName = new Map<string, KafkaMessageJson>();
  for (const text of texts) {
    const msg = parseKafkaMessageJson(text);
    byName.set(msg.name, msg);
  }
  return byName;
}
