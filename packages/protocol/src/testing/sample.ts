import { contains } from '../codec/versions';
import type { FieldSpec, MessageSpec, PrimitiveType } from '../schema/types';
import { Rng } from './random';

/**
 * Random values for a message at one version, derived from its schema: only the fields present in
 * that version are set. Used by the round-trip and fuzz tests.
 */
export function sampleMessage(spec: MessageSpec, version: number, rng: Rng): Record<string, any> {
  return sampleStruct(spec.fields, version, contains(spec.flexibleVersions, version), rng, 0);
}

function sampleStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, rng: Rng, depth: number) {
  const o: Record<string, any> = {};
  for (const f of fields) {
    if (!contains(f.versions, version)) continue;
    const tagged = flexible && f.tag !== undefined && contains(f.taggedVersions, version);
    if (tagged && rng.bool(0.3)) continue; // leave some tagged fields at their default
    o[f.name] = sampleField(f, version, flexible, rng, depth);
  }
  return o;
}

function sampleField(f: FieldSpec, version: number, flexible: boolean, rng: Rng, depth: number): any {
  const nullable = contains(f.nullableVersions, version);
  if (nullable && f.type !== 'struct' && rng.bool(0.15)) return null;
  if (f.type === 'struct') return sampleStruct(f.fields ?? [], version, flexible, rng, depth + 1);
  if (f.type === '[]struct') {
    const n = depth > 3 ? 0 : rng.int(0, 3);
    return Array.from({ length: n }, () => sampleStruct(f.fields ?? [], version, flexible, rng, depth + 1));
  }
  if (f.type.startsWith('[]')) {
    const n = rng.int(0, 4);
    return Array.from({ length: n }, () => samplePrimitive(f.type.slice(2) as PrimitiveType, rng));
  }
  return samplePrimitive(f.type as PrimitiveType, rng);
}

export function samplePrimitive(type: PrimitiveType, rng: Rng): any {
  switch (type) {
    case 'bool':
      return rng.bool();
    case 'int8':
      return rng.int(-128, 127);
    case 'int16':
      return rng.int(-32768, 32767);
    case 'uint16':
      return rng.int(0, 65535);
    case 'int32':
      return rng.int(-2147483648, 2147483647);
    case 'uint32':
      return rng.int(0, 4294967295);
    case 'int64':
      return rng.int(-(2 ** 52), 2 ** 52);
    case 'float64':
      return rng.next() * 1e6 - 5e5;
    case 'string':
      return rng.pick(['', 'a', 'topic-1', 'ü€', '__consumer_offsets', 'x'.repeat(rng.int(0, 40))]);
    case 'bytes':
    case 'records':
      return rng.bytes(rng.int(0, 700));
    case 'uuid':
      return rng.bytes(16).toString('base64url');
  }
}
