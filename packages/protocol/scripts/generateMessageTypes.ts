/**
 * Generates `src/messages/types.generated.ts`: TypeScript types for every message schema, so handlers
 * and clients see field names and types instead of `Struct`. Run it after editing a schema:
 *
 *   node --import tsx packages/protocol/scripts/generateMessageTypes.ts          (writes the file)
 *   node --import tsx packages/protocol/scripts/generateMessageTypes.ts --check  (exit 1 if stale)
 *
 * A unit test (`src/messages/types.test.ts`) fails when the committed file differs from this output,
 * so schemas and types cannot drift.
 *
 * Typing rules — they follow what `codec/compile.ts` really decodes and accepts:
 * - Two forms per message. The *decoded* form (`ProduceRequest`) is what decode returns: the codec
 *   gives every field of the schema a value (fields absent from the version, and tagged fields not
 *   sent, get their default), so every field is present. The *input* form (`ProduceRequestInput`) is
 *   what encode accepts: a field is optional where the codec supplies a value — it has a default, is
 *   nullable, is tagged or ignorable, or is not in every version its struct can appear in; otherwise
 *   it is required.
 * - Nested structs are named by their path: message name plus each field name with a capital first
 *   letter (`ProduceRequestTopicData`, `ProduceRequestTopicDataPartitionData`); input forms add `Input`.
 * - bool → boolean; int8…int64, uint16/32, float64 → number (int64 is a JS number in this codec);
 *   string → string; uuid → string (Kafka's 22-character base64url text); bytes → Buffer;
 *   records → `Buffer | null` decoded and `RecordsValue` (one buffer, several, or null) as input.
 * - `| null` where the field has nullableVersions or a null default (records always). A struct
 *   (not an array of them) is never null: the codec has no null struct.
 * - Structs of messages with flexible versions carry `_unknownTaggedFields` (tags this schema does
 *   not know, passed through on re-encode).
 * - Decoded arrays are mutable `T[]`; input arrays are `readonly T[]`.
 * - Object type aliases, not interfaces: aliases are assignable to `Record<string, unknown>` and
 *   `Struct`, so typed values still flow into code written against the untyped forms.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_APIS } from '../src/messages';
import * as internal from '../src/messages/internal';
import { parseVersions, type VersionRange } from '../src/codec/versions';
import type { FieldSpec, MessageSpec, PrimitiveType } from '../src/schema/types';

export const GENERATED_PATH = join(__dirname, '..', 'src', 'messages', 'types.generated.ts');

const DECODED: Record<PrimitiveType, string> = {
  bool: 'boolean',
  int8: 'number',
  int16: 'number',
  uint16: 'number',
  int32: 'number',
  uint32: 'number',
  int64: 'number',
  float64: 'number',
  string: 'string',
  uuid: 'string',
  bytes: 'Buffer',
  records: 'Buffer | null',
};

const INPUT: Record<PrimitiveType, string> = { ...DECODED, records: 'RecordsValue' };

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function intersect(a: VersionRange, b: VersionRange): VersionRange {
  return { lowest: Math.max(a.lowest, b.lowest), highest: Math.min(a.highest, b.highest) };
}

function isNullable(f: FieldSpec): boolean {
  return parseVersions(f.nullableVersions).highest >= 0 || f.default === null;
}

/** One line of doc per field: where it is on the wire, so hover answers "which versions?". */
function fieldDoc(f: FieldSpec): string {
  const parts = [`${f.type}, versions ${f.versions}`];
  if (f.nullableVersions) parts.push(`nullable ${f.nullableVersions}`);
  if (f.tag !== undefined) parts.push(`tag ${f.tag} in ${f.taggedVersions}`);
  if (f.default !== undefined) parts.push(`default ${f.default === null ? 'null' : String(f.default)}`);
  if (f.ignorable) parts.push('ignorable');
  return `  /** ${parts.join('; ')} */`;
}

interface Context {
  readonly out: string[];
  readonly names: Set<string>;
  readonly flexible: boolean;
}

/**
 * Emits the decoded and input interfaces of one struct (fields of `range`, the versions in which the
 * struct can appear), children first-after-parent, and returns nothing: names are derived.
 */
function emitStruct(ctx: Context, name: string, fields: readonly FieldSpec[], range: VersionRange, doc: string): void {
  for (const n of [name, `${name}Input`]) {
    if (ctx.names.has(n)) throw new Error(`generated type name ${n} is used twice`);
    ctx.names.add(n);
  }
  const decoded: string[] = [];
  const input: string[] = [];
  const children: [string, FieldSpec, VersionRange][] = [];
  for (const f of fields) {
    const fr = intersect(range, parseVersions(f.versions));
    const nullable = isNullable(f);
    let dec: string;
    let inp: string;
    if (f.type === 'struct' || f.type === '[]struct') {
      const child = `${name}${capitalize(f.name)}`;
      children.push([child, f, fr]);
      dec = f.type === 'struct' ? child : `${child}[]`;
      inp = f.type === 'struct' ? `${child}Input` : `readonly ${child}Input[]`;
      if (f.type === '[]struct' && nullable) {
        dec += ' | null';
        inp += ' | null';
      }
    } else if (f.type.startsWith('[]')) {
      const elem = f.type.slice(2) as PrimitiveType;
      dec = `${wrap(DECODED[elem])}[]`;
      inp = `readonly ${wrap(INPUT[elem])}[]`;
      if (nullable) {
        dec += ' | null';
        inp += ' | null';
      }
    } else {
      const t = f.type as PrimitiveType;
      dec = DECODED[t];
      inp = INPUT[t];
      if (nullable && t !== 'records') {
        dec += ' | null';
        inp += ' | null';
      }
    }
    const inEveryVersion = fr.lowest <= range.lowest && fr.highest >= range.highest;
    const optional = f.default !== undefined || nullable || !inEveryVersion || f.tag !== undefined || !!f.ignorable;
    const doc = fieldDoc(f);
    decoded.push(doc, `  ${f.name}: ${dec};`);
    input.push(doc, `  ${f.name}${optional ? '?' : ''}: ${inp};`);
  }
  if (ctx.flexible) {
    decoded.push('  _unknownTaggedFields?: UnknownTaggedField[];');
    input.push('  _unknownTaggedFields?: readonly UnknownTaggedField[];');
  }
  ctx.out.push(`/** ${doc} (decoded). */`, `export type ${name} = {`, ...decoded, '};', '');
  ctx.out.push(`/** ${doc} (input to encode). */`, `export type ${name}Input = {`, ...input, '};', '');
  for (const [child, f, fr] of children) emitStruct(ctx, child, f.fields ?? [], fr, `${name}.${f.name}`);
}

function wrap(t: string): string {
  return t.includes('|') ? `(${t})` : t;
}

function emitMessage(out: string[], names: Set<string>, spec: MessageSpec): void {
  const flexible = parseVersions(spec.flexibleVersions).highest >= 0;
  const range = parseVersions(spec.validVersions);
  emitStruct({ out, names, flexible }, spec.name, spec.fields, range, `${spec.name} v${spec.validVersions}`);
}

/** The whole generated file as a string (deterministic: schema order, no timestamps). */
export function generateMessageTypes(): string {
  const out: string[] = [
    '// GENERATED by packages/protocol/scripts/generateMessageTypes.ts from the message schemas. Do not edit;',
    '// run `node --import tsx packages/protocol/scripts/generateMessageTypes.ts` after changing a schema.',
    "import type { RecordsValue, UnknownTaggedField } from '../codec/compile';",
    '',
  ];
  const names = new Set<string>();
  for (const api of ALL_APIS) {
    out.push(`// ---- ${api.name} (${api.apiKey})`, '');
    emitMessage(out, names, api.request);
    emitMessage(out, names, api.response);
  }
  const dataSpecs: MessageSpec[] = Object.values(internal);
  for (const spec of dataSpecs) {
    out.push(`// ---- ${spec.name} (data)`, '');
    emitMessage(out, names, spec);
  }
  out.push('/** Each api key to the decoded and input forms of its request and response. */');
  out.push('export interface ApiMessageTypes {');
  for (const api of ALL_APIS) {
    const q = api.request.name;
    const s = api.response.name;
    out.push(
      `  /** ${api.name} */`,
      `  ${api.apiKey}: { request: ${q}; requestInput: ${q}Input; response: ${s}; responseInput: ${s}Input };`,
    );
  }
  out.push('}', '');
  out.push('/** Each data schema (messages/internal) to its decoded and input forms. */');
  out.push('export interface DataMessageTypes {');
  for (const spec of dataSpecs) out.push(`  ${spec.name}: { value: ${spec.name}; input: ${spec.name}Input };`);
  out.push('}', '');
  return out.join('\n');
}

if (require.main === module) {
  const text = generateMessageTypes();
  if (process.argv.includes('--check')) {
    const current = readFileSync(GENERATED_PATH, 'utf8');
    if (current !== text) {
      console.error(`${GENERATED_PATH} is stale; run without --check to regenerate`);
      process.exit(1);
    }
  } else {
    writeFileSync(GENERATED_PATH, text);
    console.log(`wrote ${GENERATED_PATH}`);
  }
}
