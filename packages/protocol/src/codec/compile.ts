import type { FieldSpec, MessageSpec, PrimitiveType } from '../schema/types';
import { Reader } from './reader';
import { Writer } from './writer';
import { contains, inRange, parseVersions } from './versions';
import { NULL_UUID, readUuid, writeUuid } from './uuid';

/** A decoded message or struct: Kafka field names (lower camel case) to values. */
export type Struct = Record<string, any>;

/**
 * A value whose type is the generic `Struct` (it has a string index signature), as opposed to an
 * object literal or a generated message type. The untyped overloads of the typed entry points take
 * `UntypedStruct<B>`, so a plain `Struct` still compiles while a literal with a misspelled field
 * for a known api does not slip through to them.
 */
export type UntypedStruct<B> = string extends keyof B ? B : never;

/** Bytes a `records` field may carry when encoding: one buffer, several (zero-copy), or null. */
export type RecordsValue = Buffer | readonly Buffer[] | null;

export interface UnknownTaggedField {
  readonly tag: number;
  readonly data: Buffer;
}

/**
 * The codec of one message at one version. `Decoded`/`Input` default to the untyped `Struct`; the
 * typed entry points (`requestCodec(ApiKey.Produce, v)`) narrow them to the generated types.
 */
export interface CompiledMessage<Decoded = Struct, Input = Struct> {
  readonly name: string;
  readonly version: number;
  readonly flexible: boolean;
  encode(w: Writer, value: Input): void;
  /** A value typed only as `Struct` (untyped callers). */
  encode<B extends Struct>(w: Writer, value: UntypedStruct<B>): void;
  decode(r: Reader): Decoded;
  /** A struct with every field of this version at its default. */
  defaults(): Decoded;
}

interface ValueCodec {
  enc(w: Writer, v: any): void;
  dec(r: Reader): any;
  /** Smallest encoding, used to bound element counts before allocating. */
  readonly minBytes: number;
  defaultValue(): any;
  isDefault(v: any): boolean;
}

interface FieldCodec {
  readonly name: string;
  readonly codec: ValueCodec;
}

interface TaggedFieldCodec extends FieldCodec {
  readonly tag: number;
}

interface StructCodec extends ValueCodec {
  readonly fieldNames: readonly string[];
}

const INT_TYPES: Record<string, [number, (r: Reader) => any, (w: Writer, v: any) => void]> = {
  bool: [1, (r) => r.bool(), (w, v) => w.bool(!!v)],
  int8: [1, (r) => r.int8(), (w, v) => w.int8(v)],
  int16: [2, (r) => r.int16(), (w, v) => w.int16(v)],
  uint16: [2, (r) => r.uint16(), (w, v) => w.uint16(v)],
  int32: [4, (r) => r.int32(), (w, v) => w.int32(v)],
  uint32: [4, (r) => r.uint32(), (w, v) => w.uint32(v)],
  int64: [8, (r) => r.int64(), (w, v) => w.int64(v)],
  float64: [8, (r) => r.float64(), (w, v) => w.float64(v)],
};

function scalarDefault(field: FieldSpec, type: PrimitiveType): any {
  if (field.default !== undefined) {
    if (type === 'int64' && typeof field.default === 'bigint') return Number(field.default);
    return field.default;
  }
  switch (type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return NULL_UUID;
    default:
      return 0;
  }
}

/** Length prefix of strings, bytes and arrays: int16/int32 classic, uvarint(n+1) flexible. */
function readLength(r: Reader, flexible: boolean, classic: 'int16' | 'int32'): number {
  if (flexible) return r.uvarint() - 1;
  return classic === 'int16' ? r.int16() : r.int32();
}

function writeLength(w: Writer, n: number, flexible: boolean, classic: 'int16' | 'int32'): void {
  if (flexible) w.uvarint(n + 1);
  else if (classic === 'int16') w.int16(n);
  else w.int32(n);
}

function primitiveCodec(field: FieldSpec, type: PrimitiveType, version: number, flexible: boolean): ValueCodec {
  const nullable = contains(field.nullableVersions, version);
  const def = scalarDefault(field, type);
  const isDefault = (v: any) => v === def || (v === undefined && def !== undefined);
  const ints = INT_TYPES[type];
  if (ints) {
    const [size, dec, enc] = ints;
    return { enc: (w, v) => enc(w, v ?? def), dec, minBytes: size, defaultValue: () => def, isDefault };
  }
  const lenSize = flexible ? 1 : type === 'string' ? 2 : 4;
  switch (type) {
    case 'uuid':
      return {
        enc: (w, v) => writeUuid(w, v ?? def),
        dec: (r) => readUuid(r),
        minBytes: 16,
        defaultValue: () => def,
        isDefault: (v) => v === undefined || v === def,
      };
    case 'string':
      return {
        enc(w, v) {
          const s = v === undefined ? def : v;
          if (s === null) {
            if (!nullable) throw new Error(`${field.name}: null is not allowed in version ${version}`);
            writeLength(w, -1, flexible, 'int16');
            return;
          }
          const n = Buffer.byteLength(s, 'utf8');
          if (!flexible && n > 0x7fff) throw new Error(`${field.name}: string of ${n} bytes is too long`);
          writeLength(w, n, flexible, 'int16');
          w.utf8(s, n);
        },
        dec(r) {
          const n = readLength(r, flexible, 'int16');
          if (n < 0) {
            if (n === -1 && nullable) return null;
            return r.fail(`${field.name}: ${n === -1 ? 'null' : 'negative length'} string`);
          }
          return r.utf8(n);
        },
        minBytes: lenSize,
        defaultValue: () => def,
        isDefault,
      };
    case 'bytes':
    case 'records':
      return {
        enc(w, v) {
          const b = v === undefined ? def : v;
          if (b === null) {
            if (!nullable && type === 'bytes') throw new Error(`${field.name}: null is not allowed in version ${version}`);
            writeLength(w, -1, flexible, 'int32');
            return;
          }
          if (Array.isArray(b)) {
            let n = 0;
            for (const part of b) n += part.length;
            writeLength(w, n, flexible, 'int32');
            for (const part of b) w.raw(part);
            return;
          }
          writeLength(w, b.length, flexible, 'int32');
          w.raw(b);
        },
        dec(r) {
          const n = readLength(r, flexible, 'int32');
          if (n < 0) {
            if (n === -1 && (nullable || type === 'records')) return null;
            return r.fail(`${field.name}: ${n === -1 ? 'null' : 'negative length'} bytes`);
          }
          return r.slice(n, field.name);
        },
        minBytes: lenSize,
        defaultValue: () => (Buffer.isBuffer(def) ? Buffer.alloc(0) : def),
        isDefault: (v) => v === undefined || v === def || (def !== null && Buffer.isBuffer(v) && v.length === 0),
      };
    default:
      throw new Error(`unknown type ${type}`);
  }
}

function arrayCodec(field: FieldSpec, element: ValueCodec, version: number, flexible: boolean): ValueCodec {
  const nullable = contains(field.nullableVersions, version);
  const defaultNull = field.default === null;
  return {
    enc(w, v) {
      if (v === null || (v === undefined && defaultNull)) {
        if (!nullable) throw new Error(`${field.name}: null array is not allowed in version ${version}`);
        writeLength(w, -1, flexible, 'int32');
        return;
      }
      const arr: any[] = v ?? [];
      writeLength(w, arr.length, flexible, 'int32');
      for (let i = 0; i < arr.length; i++) element.enc(w, arr[i]);
    },
    dec(r) {
      const n = readLength(r, flexible, 'int32');
      if (n < 0) {
        if (n === -1 && nullable) return null;
        return r.fail(`${field.name}: ${n === -1 ? 'null' : 'negative length'} array`);
      }
      r.checkCount(n, element.minBytes, field.name);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = element.dec(r);
      return out;
    },
    minBytes: flexible ? 1 : 4,
    defaultValue: () => (defaultNull ? null : []),
    isDefault: (v) => v === undefined || (defaultNull ? v === null : Array.isArray(v) && v.length === 0),
  };
}

function fieldCodec(field: FieldSpec, version: number, flexible: boolean): ValueCodec {
  const t = field.type;
  if (t === 'struct') return structCodec(field.fields ?? [], version, flexible, field.name);
  if (t === '[]struct') {
    return arrayCodec(field, structCodec(field.fields ?? [], version, flexible, field.name), version, flexible);
  }
  if (t.startsWith('[]')) {
    const elemType = t.slice(2) as PrimitiveType;
    const elemField: FieldSpec = { name: field.name, type: elemType, versions: field.versions };
    return arrayCodec(field, primitiveCodec(elemField, elemType, version, flexible), version, flexible);
  }
  return primitiveCodec(field, t as PrimitiveType, version, flexible);
}

function structCodec(
  fields: readonly FieldSpec[],
  version: number,
  flexible: boolean,
  structName: string,
): StructCodec {
  const regular: FieldCodec[] = [];
  const tagged: TaggedFieldCodec[] = [];
  const absent: FieldCodec[] = [];
  const fieldNames: string[] = [];

  for (const f of fields) {
    fieldNames.push(f.name);
    const present = contains(f.versions, version);
    const codec = fieldCodec(f, present ? version : Math.max(parseVersions(f.versions).lowest, 0), flexible);
    if (!present) {
      absent.push({ name: f.name, codec });
    } else if (flexible && f.tag !== undefined && contains(f.taggedVersions, version)) {
      tagged.push({ name: f.name, codec, tag: f.tag });
    } else {
      regular.push({ name: f.name, codec });
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < tagged.length; i++) {
    if (tagged[i].tag === tagged[i - 1].tag) throw new Error(`${structName}: duplicate tag ${tagged[i].tag}`);
  }
  const byTag = new Map<number, TaggedFieldCodec>(tagged.map((t) => [t.tag, t]));

  let minBytes = flexible ? 1 : 0;
  for (const f of regular) minBytes += f.codec.minBytes;

  const defaults = (): Struct => {
    const o: Struct = {};
    for (const f of fields) {
      const fc = regular.find((x) => x.name === f.name) ?? tagged.find((x) => x.name === f.name) ?? absent.find((x) => x.name === f.name);
      o[f.name] = fc!.codec.defaultValue();
    }
    return o;
  };

  const allFieldCodecs = [...regular, ...tagged, ...absent];
  const orderedCodecs = fields.map((f) => allFieldCodecs.find((x) => x.name === f.name)!);

  const encodeTagged = (w: Writer, v: Struct): void => {
    const unknown: UnknownTaggedField[] | undefined = v._unknownTaggedFields;
    const present: { tag: number; bytes: Buffer }[] = [];
    for (const t of tagged) {
      const val = v[t.name];
      if (t.codec.isDefault(val)) continue;
      const sub = new Writer(64);
      t.codec.enc(sub, val);
      present.push({ tag: t.tag, bytes: sub.toBuffer() });
    }
    if (unknown) for (const u of unknown) present.push({ tag: u.tag, bytes: u.data });
    present.sort((a, b) => a.tag - b.tag);
    w.uvarint(present.length);
    for (const p of present) {
      w.uvarint(p.tag);
      w.uvarint(p.bytes.length);
      w.raw(p.bytes);
    }
  };

  const decodeTagged = (r: Reader, o: Struct): void => {
    const count = r.uvarint();
    r.checkCount(count, 2, `${structName} tagged fields`);
    let lastTag = -1;
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      if (tag <= lastTag) r.fail(`${structName}: tagged fields out of order (${tag} after ${lastTag})`);
      lastTag = tag;
      const size = r.uvarint();
      r.need(size, `tagged field ${tag}`);
      const known = byTag.get(tag);
      if (known) {
        const sub = new Reader(r.buf, r.pos, r.pos + size);
        o[known.name] = known.codec.dec(sub);
        if (sub.remaining !== 0) r.fail(`${structName}: tagged field ${known.name} has ${sub.remaining} extra bytes`);
        r.pos += size;
      } else {
        (o._unknownTaggedFields ??= []).push({ tag, data: r.slice(size) });
      }
    }
  };

  return {
    fieldNames,
    minBytes,
    enc(w, v: Struct) {
      const s = v ?? {};
      for (let i = 0; i < regular.length; i++) regular[i].codec.enc(w, s[regular[i].name]);
      if (flexible) encodeTagged(w, s);
    },
    dec(r) {
      const o: Struct = {};
      // Every field gets a value (absent ones their default), in schema order, so decoded objects
      // of one message version all share one shape.
      for (let i = 0; i < orderedCodecs.length; i++) o[orderedCodecs[i].name] = undefined;
      for (let i = 0; i < regular.length; i++) o[regular[i].name] = regular[i].codec.dec(r);
      for (let i = 0; i < tagged.length; i++) o[tagged[i].name] = tagged[i].codec.defaultValue();
      for (let i = 0; i < absent.length; i++) o[absent[i].name] = absent[i].codec.defaultValue();
      if (flexible) decodeTagged(r, o);
      return o;
    },
    defaultValue: defaults,
    isDefault(v) {
      if (v === undefined || v === null) return true;
      for (const f of [...regular, ...tagged]) if (!f.codec.isDefault(v[f.name])) return false;
      return true;
    },
  };
}

const cache = new Map<MessageSpec, Map<number, CompiledMessage>>();

/** Compiles (once, then cached) the codec of one message at one version. */
export function compileMessage(spec: MessageSpec, version: number): CompiledMessage {
  let perVersion = cache.get(spec);
  if (!perVersion) {
    perVersion = new Map();
    cache.set(spec, perVersion);
  }
  const hit = perVersion.get(version);
  if (hit) return hit;
  if (!inRange(parseVersions(spec.validVersions), version)) {
    throw new Error(`${spec.name} has no version ${version} (valid ${spec.validVersions})`);
  }
  const flexible = contains(spec.flexibleVersions, version);
  const codec = structCodec(spec.fields, version, flexible, spec.name);
  const compiled: CompiledMessage = {
    name: spec.name,
    version,
    flexible,
    encode: (w: Writer, value: Struct) => codec.enc(w, value),
    decode: (r) => codec.dec(r),
    defaults: () => codec.defaultValue(),
  };
  perVersion.set(version, compiled);
  return compiled;
}
