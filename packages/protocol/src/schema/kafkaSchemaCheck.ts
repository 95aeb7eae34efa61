/**
 * Checks our schemas against Kafka 2.8's message JSON, field by field.
 *
 * Both sides are reduced to one canonical form and the forms are compared. The canonical form keeps
 * exactly what decides the bytes on the wire and the values a decoder reports: field names (Kafka's
 * with the first letter lower-cased), types (Kafka's named struct types become `struct` / `[]struct`,
 * `commonStructs` are inlined where referenced), version ranges (clipped to the versions where they
 * can matter, so "0+" and "0-9" of a 0-9 message are the same), tags, ignorable, and the effective
 * default (Kafka's default strings and our typed values, with the implicit defaults spelled out by
 * the one rule both codecs follow). Documentation-only keys (`about`, `entityType`, `mapKey`,
 * `listeners`, `zeroCopy`) are dropped.
 *
 * Pure functions, no I/O: the unit test and `scripts/check-kafka-schemas.ts` read the JSON files.
 * The canonical form of our own specs also feeds the committed fingerprints
 * (`kafka-2.8-fingerprints.json`), which is what keeps CI honest when Kafka's files are not at hand.
 */
import { createHash } from 'node:crypto';
import type { FieldSpec, MessageSpec } from './types';

/** A message as Kafka's JSON spells it (only the keys we read). */
export interface KafkaMessageJson {
  readonly apiKey?: number;
  readonly type: string;
  readonly name: string;
  readonly validVersions: string;
  readonly flexibleVersions?: string;
  readonly fields: readonly KafkaFieldJson[];
  readonly commonStructs?: readonly KafkaStructJson[];
}

export interface KafkaFieldJson {
  readonly name: string;
  readonly type: string;
  readonly versions?: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: string | number | boolean;
  /** A boolean, or a string Jackson coerces: 2.8's DeleteTopicsResponse has `"ignorable": "true"`. */
  readonly ignorable?: boolean | string;
  readonly flexibleVersions?: string;
  readonly fields?: readonly KafkaFieldJson[];
}

export interface KafkaStructJson {
  readonly name: string;
  readonly fields: readonly KafkaFieldJson[];
}

/** One field in canonical form. `default` is the effective default rendered as a string (or null). */
export interface CanonicalField {
  readonly name: string;
  readonly type: string;
  readonly versions: string;
  readonly nullableVersions: string;
  readonly taggedVersions: string;
  readonly tag: number | null;
  readonly ignorable: boolean;
  readonly default: string | null;
  /** Only Kafka can say this (RequestHeader's ClientId); our FieldSpec has no such key. */
  readonly flexibleVersions?: string;
  readonly fields?: readonly CanonicalField[];
}

export interface CanonicalMessage {
  readonly name: string;
  readonly type: string;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly CanonicalField[];
}

// ---------------------------------------------------------------- version ranges

interface Range {
  readonly lo: number;
  /** Inclusive; Infinity for "n+". */
  readonly hi: number;
}

/** Parses Kafka's range notation: "none", "3", "0+", "1-4". Throws on anything else. */
export function parseRange(s: string): Range | null {
  const t = s.trim();
  if (t === 'none' || t === '') return null;
  let m = /^(\d+)\+$/.exec(t);
  if (m) return { lo: Number(m[1]), hi: Infinity };
  m = /^(\d+)-(\d+)$/.exec(t);
  if (m) return { lo: Number(m[1]), hi: Number(m[2]) };
  m = /^(\d+)$/.exec(t);
  if (m) return { lo: Number(m[1]), hi: Number(m[1]) };
  throw new Error(`unparseable version range "${s}"`);
}

function intersect(a: Range | null, b: Range | null): Range | null {
  if (!a || !b) return null;
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  return lo > hi ? null : { lo, hi };
}

function renderRange(r: Range | null): string {
  if (!r) return 'none';
  if (r.hi === Infinity) return `${r.lo}+`;
  return r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`;
}

/** A range as it matters inside `within`: "0+" of a 0-9 message is "0-9". */
function clip(s: string | undefined, within: Range | null): string {
  return renderRange(intersect(parseRange(s ?? 'none'), within));
}

// ---------------------------------------------------------------- types and defaults

const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'bytes',
  'records',
  'uuid',
]);
const INTEGERS = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64']);

/**
 * The effective default of a field, as a string, by the rule both Kafka's generator and our codec
 * follow: an explicit default wins; otherwise 0 / false / "" / empty bytes / empty array / the zero
 * UUID, and null only for `records` (and for whatever is explicitly defaulted to null).
 */
function effectiveDefault(type: string, explicit: unknown, where: string): string | null {
  if (explicit === null) return null;
  if (explicit === undefined || explicit === '') {
    if (explicit === '' && type === 'string') return '""';
    if (type === 'bool') return 'false';
    if (INTEGERS.has(type) || type === 'float64') return '0';
    if (type === 'string') return '""';
    if (type === 'bytes') return 'empty';
    if (type === 'records') return null;
    if (type === 'uuid') return 'zero';
    if (type.startsWith('[]')) return '[]';
    return 'struct';
  }
  if (explicit === 'null') {
    // Kafka spells null as the string "null"; a non-nullable string "null" would be rejected there.
    return null;
  }
  if (INTEGERS.has(type)) {
    const text = String(explicit).trim();
    const neg = text.startsWith('-');
    const magnitude = BigInt(neg ? text.slice(1) : text);
    return (neg ? -magnitude : magnitude).toString();
  }
  if (type === 'float64') return String(Number(explicit));
  if (type === 'bool') {
    if (explicit === true || explicit === 'true') return 'true';
    if (explicit === false || explicit === 'false') return 'false';
    throw new Error(`${where}: bool default ${String(explicit)}`);
  }
  if (type === 'string') return JSON.stringify(String(explicit));
  return `${String(explicit)}`;
}

// ---------------------------------------------------------------- canonical forms

/** `TopicData` → `topicData`: the only renaming our transcription does. */
export function lowerFirst(name: string): string {
  return name.length === 0 ? name : name[0].toLowerCase() + name.slice(1);
}

/** Kafka's message in canonical form. Named struct types resolve to inline fields or `commonStructs`. */
export function canonicalKafkaMessage(msg: KafkaMessageJson): CanonicalMessage {
  const valid = parseRange(msg.validVersions);
  const common = new Map<string, readonly KafkaFieldJson[]>();
  for (const s of msg.commonStructs ?? []) common.set(s.name, s.fields);
  const field = (f: KafkaFieldJson, parentVersions: Range | null, path: string): CanonicalField => {
    const where = `${path}${f.name}`;
    const versions = intersect(parseRange(f.versions ?? 'none'), parentVersions);
    const isArray = f.type.startsWith('[]');
    const element = isArray ? f.type.slice(2) : f.type;
    let type = f.type;
    let subFields: readonly KafkaFieldJson[] | undefined;
    if (!PRIMITIVES.has(element)) {
      subFields = f.fields ?? common.get(element);
      if (!subFields) throw new Error(`${msg.name}.${where}: struct type ${element} has no fields`);
      type = isArray ? '[]struct' : 'struct';
    }
    const out: CanonicalField = {
      name: lowerFirst(f.name),
      type,
      versions: renderRange(versions),
      nullableVersions: clip(f.nullableVersions, versions),
      taggedVersions: clip(f.taggedVersions, versions),
      tag: f.tag ?? null,
      ignorable: f.ignorable === true || f.ignorable === 'true',
      default: effectiveDefault(type, f.default, `${msg.name}.${where}`),
      ...(f.flexibleVersions !== undefined ? { flexibleVersions: clip(f.flexibleVersions, versions) } : {}),
      ...(subFields ? { fields: subFields.map((sf) => field(sf, versions, `${where}.`)) } : {}),
    };
    return out;
  };
  return {
    name: msg.name,
    type: msg.type,
    validVersions: renderRange(valid),
    flexibleVersions: clip(msg.flexibleVersions, valid),
    fields: msg.fields.map((f) => field(f, valid, '')),
  };
}

/** One of our specs in canonical form; the same shape as `canonicalKafkaMessage` gives. */
export function canonicalSpec(spec: MessageSpec): CanonicalMessage {
  const valid = parseRange(spec.validVersions);
  const field = (f: FieldSpec, parentVersions: Range | null, path: string): CanonicalField => {
    const versions = intersect(parseRange(f.versions), parentVersions);
    const defaultValue = typeof f.default === 'bigint' ? f.default.toString() : f.default;
    return {
      name: f.name,
      type: f.type,
      versions: renderRange(versions),
      nullableVersions: clip(f.nullableVersions, versions),
      taggedVersions: clip(f.taggedVersions, versions),
      tag: f.tag ?? null,
      ignorable: f.ignorable ?? false,
      default: effectiveDefault(f.type, defaultValue, `${spec.name}.${path}${f.name}`),
      ...(f.fields ? { fields: f.fields.map((sf) => field(sf, versions, `${path}${f.name}.`)) } : {}),
    };
  };
  return {
    name: spec.name,
    type: spec.type,
    validVersions: renderRange(valid),
    flexibleVersions: clip(spec.flexibleVersions, valid),
    fields: spec.fields.map((f) => field(f, valid, '')),
  };
}

/** sha256 (hex) of a canonical form; key order is fixed by construction, so this is stable. */
export function fingerprint(canonical: CanonicalMessage): string {
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

// ---------------------------------------------------------------- comparison

const SCALAR_KEYS = [
  'type',
  'versions',
  'nullableVersions',
  'taggedVersions',
  'tag',
  'ignorable',
  'default',
  'flexibleVersions',
] as const;

function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function describe(f: CanonicalField): string {
  return `${f.type} versions ${f.versions}`;
}

function compareFields(
  ours: readonly CanonicalField[],
  kafka: readonly CanonicalField[],
  path: string,
  out: string[],
): void {
  const kafkaByName = new Map(kafka.map((f) => [f.name, f]));
  const oursByName = new Map(ours.map((f) => [f.name, f]));
  const missing = kafka.filter((f) => !oursByName.has(f.name));
  const extra = ours.filter((f) => !kafkaByName.has(f.name));
  const pairs: Array<[CanonicalField, CanonicalField, string]> = [];
  // A field present on both sides at the same position under different names is a rename.
  for (const o of [...extra]) {
    const k = missing.find((m) => kafka.indexOf(m) === ours.indexOf(o));
    if (!k) continue;
    out.push(`${path}${o.name}: name "${o.name}" vs Kafka "${k.name}"`);
    extra.splice(extra.indexOf(o), 1);
    missing.splice(missing.indexOf(k), 1);
    pairs.push([o, k, `${path}${o.name}`]);
  }
  for (const k of missing) out.push(`${path}${k.name}: missing (Kafka has ${describe(k)})`);
  for (const o of extra) out.push(`${path}${o.name}: not in Kafka (ours is ${describe(o)})`);
  const common = ours.filter((f) => kafkaByName.has(f.name));
  const kafkaOrder = kafka.filter((f) => oursByName.has(f.name)).map((f) => f.name);
  if (common.map((f) => f.name).join(',') !== kafkaOrder.join(',')) {
    out.push(
      `${path || '(top level)'}: field order ${common.map((f) => f.name).join(',')} vs Kafka ${kafkaOrder.join(',')}`,
    );
  }
  for (const o of common) pairs.push([o, kafkaByName.get(o.name)!, `${path}${o.name}`]);
  for (const [o, k, where] of pairs) {
    for (const key of SCALAR_KEYS) {
      if (o[key] !== k[key]) out.push(`${where}: ${key} ${show(o[key])} vs Kafka ${show(k[key])}`);
    }
    if (o.fields || k.fields) {
      const sub = o.type.startsWith('[]') ? `${where}[].` : `${where}.`;
      compareFields(o.fields ?? [], k.fields ?? [], sub, out);
    }
  }
}

/**
 * Every difference between our spec and Kafka's message, each a readable line prefixed with the
 * message name: `ProduceRequest.topicData[].partitionData[].records: nullableVersions "0+" vs Kafka "none"`.
 */
export function compareWithKafka(spec: MessageSpec, kafka: KafkaMessageJson): string[] {
  const o = canonicalSpec(spec);
  const k = canonicalKafkaMessage(kafka);
  const diffs: string[] = [];
  for (const key of ['name', 'type', 'validVersions', 'flexibleVersions'] as const) {
    if (o[key] !== k[key]) diffs.push(`${key} ${show(o[key])} vs Kafka ${show(k[key])}`);
  }
  compareFields(o.fields, k.fields, '', diffs);
  return diffs.map((d) => `${spec.name}.${d}`);
}

// ---------------------------------------------------------------- Kafka's file format

/**
 * Parses one of Kafka's message files: JSON with `//` line comments, read the way Kafka's generator
 * (Jackson) reads it. Comments are stripped outside string literals only ("about" texts hold URLs),
 * and reading stops at the end of the first top-level object: 2.8.2's DescribeProducersRequest.json
 * has a stray `]}` after it, which Jackson never looks at.
 */
export function parseKafkaMessageJson(text: string): KafkaMessageJson {
  let out = '';
  let inString = false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
      if (c === '{' || c === '[') depth++;
      else if ((c === '}' || c === ']') && --depth === 0) break;
    }
  }
  return JSON.parse(out) as KafkaMessageJson;
}
